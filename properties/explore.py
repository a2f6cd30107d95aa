"""Bounded exhaustive exploration of one Trusted Function round, as a networkx state graph.

For every assignment of behaviours to 1..max_nodes nodes (up to node relabelling), every order of
the nodes', the app's and the validators' steps and of the timeouts is run through the model's own
`process_*` transitions (`properties.round_graph`); each reachable state is checked with
`check_round`, and ROUND-LIVE asks of the whole graph that every state can still reach a
settlement. A violation comes with the shortest path from the opened round to a violating state.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import networkx as nx
from attrs import frozen

from model.params import Params
from model.profile import Profile
from model.trusted.settlement import TrustedChain, process_settle_round
from properties.invariants.actions import check_round_contract
from properties.invariants.base import violated
from properties.invariants.round import check_round
from properties.invariants.total import check_round_search_raised
from properties.round_graph import RoundExplorer, RoundPoint
from properties.round_setup import (
    ROUND_COST,
    Assignment,
    Kind,
    generate_assignments,
    make_funded_chain,
    make_scenario,
)

__all__ = [
    "MAX_NODES",
    "ROUND_INVARIANT_IDS",
    "Assignment",
    "ExplorationBoundError",
    "ExplorationCounterexample",
    "ExplorationReport",
    "InvariantExploration",
    "Kind",
    "RoundPoint",
    "build_round_graph",
    "explore_rounds",
    "generate_assignments",
    "make_funded_chain",
    "make_scenario",
]

ROUND_INVARIANT_IDS: tuple[str, ...] = (
    "ACT-DEADLINE",
    "ACT-ROUND",
    "ACT-TOTAL",
    "APP-VALIDATORS",
    "BFT-SOUND",
    "BFT-TIMEOUT",
    "BFT-UNIQUE",
    "BFT-VALIDATORS",
    "CR-APP-SALT",
    "CR-BINDING",
    "CR-INJECTIVE",
    "CR-NO-COPY",
    "CR-PHASES",
    "CR-VERIFIABLE",
    "ESCROW-SOLVENT",
    "PAY-COST",
    "PAY-ONLY-MAJORITY",
    "ROUND-LIVE",
)
"""The IDs the exploration reports on, even when a bound leaves one unobserved (sorted)."""

MAX_NODES = 4


@frozen
class InvariantExploration:
    """One invariant over the whole exploration: states that exercised it, states that broke it."""

    invariant_id: str
    observed: int
    violations: int
    counterexample: ExplorationCounterexample | None


@frozen
class ExplorationCounterexample:
    """The shortest run found from an opened round to a state that breaks an invariant."""

    assignment: str
    steps: tuple[str, ...]
    detail: str


@frozen
class ExplorationReport:
    """What `explore_rounds` found: the graph's size and a verdict per round invariant."""

    profile: str
    max_nodes: int
    assignments: int
    states: int
    edges: int
    ends: int
    invariants: tuple[InvariantExploration, ...]
    """Sorted by invariant ID."""

    def get_result(self, invariant_id: str) -> InvariantExploration:
        """The result for `invariant_id` (KeyError if the exploration does not report it)."""
        for result in self.invariants:
            if result.invariant_id == invariant_id:
                return result
        raise KeyError(invariant_id)


class ExplorationBoundError(ValueError):
    """Raised when `explore_rounds` is asked for a bound it does not explore (1 to 4 nodes)."""


def _make_explorer(
    assignment: Assignment, *, params: Params, profile: Profile, chain: TrustedChain, seed: int
) -> RoundExplorer:
    # `process_settle_round` is looked up here at each call, so a test can plant a broken one.
    return RoundExplorer(
        assignment,
        params=params,
        profile=profile,
        chain=chain,
        seed=seed,
        settle=process_settle_round,
    )


@frozen
class _Candidate:
    """The best counterexample so far for one invariant: shortest, then earliest found."""

    length: int
    order: int
    counterexample: ExplorationCounterexample


class _Tally:
    """Per invariant ID: states observed, states violating, best counterexample."""

    def __init__(self) -> None:
        self.observed: dict[str, int] = dict.fromkeys(ROUND_INVARIANT_IDS, 0)
        self.violations: dict[str, int] = dict.fromkeys(ROUND_INVARIANT_IDS, 0)
        self.best: dict[str, _Candidate] = {}

    def offer(self, invariant_id: str, candidate: _Candidate) -> None:
        current = self.best.get(invariant_id)
        if current is None or (candidate.length, candidate.order) < (current.length, current.order):
            self.best[invariant_id] = candidate

    def results(self) -> tuple[InvariantExploration, ...]:
        ids = sorted(set(self.observed) | set(self.violations))
        return tuple(
            InvariantExploration(
                invariant_id=invariant_id,
                observed=self.observed.get(invariant_id, 0),
                violations=self.violations.get(invariant_id, 0),
                counterexample=(
                    self.best[invariant_id].counterexample if invariant_id in self.best else None
                ),
            )
            for invariant_id in ids
        )


class _ExploredRound:
    """One assignment's state graph, checked state by state and as a whole into a `_Tally`."""

    def __init__(self, explorer: RoundExplorer, order: int) -> None:
        self.explorer = explorer
        self.order = order
        self.graph, self.root = explorer.build()
        self.distances: dict[RoundPoint, int] = nx.single_source_shortest_path_length(
            self.graph, self.root
        )

    def _candidate(self, target: RoundPoint, detail: str) -> _Candidate:
        """The shortest run from the opened round to `target`, as a counterexample."""
        path = nx.shortest_path(self.graph, self.root, target)
        steps = tuple(str(self.graph.edges[a, b]["label"]) for a, b in itertools.pairwise(path))
        counterexample = ExplorationCounterexample(
            self.explorer.assignment.describe(), steps, detail
        )
        return _Candidate(self.distances[target], self.order, counterexample)

    def check_states(self, tally: _Tally) -> None:
        """Run every round checker on every state; offer the nearest violation of each ID."""
        nearest: dict[str, tuple[int, int, RoundPoint, str]] = {}
        for index, point in enumerate(self.graph.nodes):
            view = self.explorer.view_of(point)
            # The round invariants, then the action contract of a RunRound (ACT-ROUND).
            checked = (*check_round(view), *check_round_contract(view, cost=ROUND_COST))
            for observation in checked:
                invariant_id = observation.invariant_id
                tally.observed[invariant_id] = tally.observed.get(invariant_id, 0) + 1
                if observation.holds:
                    continue
                tally.violations[invariant_id] = tally.violations.get(invariant_id, 0) + 1
                key = (self.distances[point], index)
                if invariant_id not in nearest or key < nearest[invariant_id][:2]:
                    nearest[invariant_id] = (*key, point, observation.detail)
        for invariant_id, (_, _, point, detail) in nearest.items():
            tally.offer(invariant_id, self._candidate(point, detail))

    def check_liveness(self, tally: _Tally) -> None:
        """ROUND-LIVE: every state reaches a settled END; the others are deadlocked."""
        graph = self.graph
        ends = [point for point in graph.nodes if point.settled]
        sink = "every END"
        graph.add_node(sink)
        graph.add_edges_from((end, sink) for end in ends)
        live = nx.ancestors(graph, sink)
        graph.remove_node(sink)
        tally.observed["ROUND-LIVE"] += graph.number_of_nodes()
        dead = [point for point in graph.nodes if point not in live and not point.settled]
        if not dead:
            return
        tally.violations["ROUND-LIVE"] += len(dead)
        # The counterexample runs to where the round stops: a state with no step left.
        stuck = [point for point in dead if graph.out_degree(point) == 0] or dead
        target = min(stuck, key=lambda point: self.distances[point])
        state = target.state
        refusal = self.explorer.settle_refusals.get(target)
        detail = (
            f"round {state.round_id} stops in phase {state.phase.value} at t={target.now}: no step"
            " leads to a payout, an escrow lock or a settlement"
            + (f" (settlement refused: {refusal})" if refusal else "")
        )
        tally.offer("ROUND-LIVE", self._candidate(target, violated("ROUND-LIVE", detail).detail))


def build_round_graph(
    assignment: Assignment, *, params: Params, profile: Profile, seed: int = 0
) -> tuple[Any, RoundPoint]:
    """The state graph (a networkx.DiGraph, edges labelled, ENDs carrying their `outcome`) and root."""
    chain = make_funded_chain(len(assignment.kinds))
    explorer = _make_explorer(assignment, params=params, profile=profile, chain=chain, seed=seed)
    return explorer.build()


@frozen
class ExplorationPart:
    """One part of the round search: every `parts`-th assignment from the `part`-th on, with
    what it found (a cluster runs the parts at once; `merge_exploration` joins them)."""

    states: int
    edges: int
    ends: int
    observed: dict[str, int]
    violations: dict[str, int]
    best: dict[str, _Candidate]


def explore_rounds(
    *, params: Params, profile: Profile, max_nodes: int, seed: int = 0
) -> ExplorationReport:
    """Every assignment of up to `max_nodes` nodes, every order of its steps, every state checked."""
    part = explore_part(params=params, profile=profile, max_nodes=max_nodes, seed=seed)
    return merge_exploration([part], profile=profile, max_nodes=max_nodes)


def explore_part(
    *,
    params: Params,
    profile: Profile,
    max_nodes: int,
    seed: int = 0,
    part: int = 0,
    parts: int = 1,
) -> ExplorationPart:
    """The assignments whose place in the search's order is `part` modulo `parts`, each explored
    as `explore_rounds` explores it. Each counterexample keeps its assignment's place in the
    whole order, so the parts merge to the report one search gives."""
    if not 1 <= max_nodes <= MAX_NODES:
        raise ExplorationBoundError(f"max_nodes must be between 1 and {MAX_NODES}, got {max_nodes}")
    if not 0 <= part < parts:
        raise ExplorationBoundError(f"part {part} of {parts} does not exist")
    assignments = generate_assignments(max_nodes)
    chains = {n: make_funded_chain(n) for n in range(1, max_nodes + 1)}
    tally = _Tally()
    states = edges = ends = 0
    for order, assignment in enumerate(assignments):
        if order % parts != part:
            continue
        chain = chains[len(assignment.kinds)]
        explorer = _make_explorer(
            assignment, params=params, profile=profile, chain=chain, seed=seed
        )
        try:
            explored = _ExploredRound(explorer, order)
        except Exception as error:  # a round transition raised: ACT-TOTAL, the model's bug
            observation = check_round_search_raised(error)
            tally.observed["ACT-TOTAL"] += 1
            tally.violations["ACT-TOTAL"] += 1
            found = ExplorationCounterexample(assignment.describe(), (), observation.detail)
            tally.offer("ACT-TOTAL", _Candidate(0, order, found))
            continue
        # Every state of the graph was reached by transitions that answered.
        tally.observed["ACT-TOTAL"] += explored.graph.number_of_nodes()
        states += explored.graph.number_of_nodes()
        edges += explored.graph.number_of_edges()
        ends += len(explorer.outcomes)
        explored.check_states(tally)
        explored.check_liveness(tally)
    return ExplorationPart(states, edges, ends, tally.observed, tally.violations, tally.best)


def merge_exploration(
    parts: Sequence[ExplorationPart], *, profile: Profile, max_nodes: int
) -> ExplorationReport:
    """One report from every part of a search: counts summed, and for each invariant the
    shortest counterexample, the earliest assignment's at a tie, as one search keeps it."""
    tally = _Tally()
    for part in parts:
        for invariant_id, count in part.observed.items():
            tally.observed[invariant_id] = tally.observed.get(invariant_id, 0) + count
        for invariant_id, count in part.violations.items():
            tally.violations[invariant_id] = tally.violations.get(invariant_id, 0) + count
        for invariant_id, candidate in part.best.items():
            tally.offer(invariant_id, candidate)
    return ExplorationReport(
        profile=profile.name,
        max_nodes=max_nodes,
        assignments=len(generate_assignments(max_nodes)),
        states=sum(part.states for part in parts),
        edges=sum(part.edges for part in parts),
        ends=sum(part.ends for part in parts),
        invariants=tally.results(),
    )
