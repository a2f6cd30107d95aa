"""Evidence of a property run: how often each invariant was really checked, each rule fired,
each boundary state (`properties.edges`) was reached.

A `Recorder` is the one mutable object of the engine: the machines write into it while
Hypothesis runs them, and the runner freezes it into result records afterwards.
"""

from __future__ import annotations

from collections import Counter

from attrs import frozen

from model.chain.actions import Action
from model.chain.state import Genesis
from properties.invariants.base import Observation


@frozen
class Witness:
    """The first trace on which an invariant was seen to break, as the machine applied it."""

    detail: str
    genesis: Genesis
    actions: tuple[Action, ...]


class Recorder:
    """Counts examples, steps, observations per invariant and firings/refusals per rule."""

    def __init__(self) -> None:
        self.examples = 0
        self.steps = 0
        self.observed: Counter[str] = Counter()
        """Invariant ID -> observations (a step where it had something to check)."""
        self.examples_observing: Counter[str] = Counter()
        """Invariant ID -> examples in which it was observed at least once."""
        self.violations: Counter[str] = Counter()
        self.fired: Counter[str] = Counter()
        """Action kind -> times the chain accepted it."""
        self.refused: Counter[str] = Counter()
        """Action kind -> times the chain refused it (a Rejected value)."""
        self.refusal_reasons: Counter[tuple[str, str]] = Counter()
        """(action kind, refusing rule) -> count."""
        self.witnesses: dict[str, Witness] = {}
        """Invariant ID -> the first trace that broke it (kept even if no invariant raised)."""
        self.boundaries: Counter[str] = Counter()
        """Boundary name (`properties.edges`) -> steps that reached it."""
        self.examples_reaching: Counter[str] = Counter()
        """Boundary name -> examples in which some step reached it."""
        self._seen_this_example: set[str] = set()
        self._reached_this_example: set[str] = set()

    def start_example(self) -> None:
        """A new example (one generated run of a machine) begins."""
        self.examples += 1
        self._seen_this_example = set()
        self._reached_this_example = set()

    def record_step(self, kind: str, refused_by: str | None) -> None:
        """One action applied (`refused_by` None) or refused by the named rule."""
        self.steps += 1
        if refused_by is None:
            self.fired[kind] += 1
        else:
            self.refused[kind] += 1
            self.refusal_reasons[(kind, refused_by)] += 1

    def record_observation(self, observation: Observation) -> None:
        """One invariant checked once."""
        invariant_id = observation.invariant_id
        self.observed[invariant_id] += 1
        if not observation.holds:
            self.violations[invariant_id] += 1
        if invariant_id not in self._seen_this_example:
            self._seen_this_example.add(invariant_id)
            self.examples_observing[invariant_id] += 1

    def record_boundaries(self, reached: Counter[str]) -> None:
        """The boundaries one step reached (`properties.edges`), each as often as it was."""
        if not reached:
            return
        self.boundaries.update(reached)
        for name in reached:
            if name not in self._reached_this_example:
                self._reached_this_example.add(name)
                self.examples_reaching[name] += 1

    def record_witness(self, invariant_id: str, witness: Witness) -> None:
        """Keep `witness` if it is the first trace seen to break `invariant_id`."""
        self.witnesses.setdefault(invariant_id, witness)
