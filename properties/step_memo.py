"""The model's answer to each step of one seed stream's machine runs, and what the checkers saw
of it, kept by the chain the step started from.

Hypothesis builds most examples of a run from earlier ones (it mutates their choices), so an
example often starts from a genesis an earlier one had and replays actions an earlier one took:
about half the steps of a run repeat a step of an earlier example, from the same genesis through
the same actions (46% at `quick` and 54% at `default`, hardened, seed 0). The model is pure, and
so are the step's checkers: the same chain and the same action give the same answer and the same
observations. `StepMemo` keeps them for one seed stream, over every run of it (a re-run replays
the same examples up to the invariant it no longer asserts), so a repeated step costs a lookup:

- `start`: the genesis state and its checks, by the genesis;
- `step`: the model's answer to an action (`properties.replay.process_or_raise`: the state after
  it and its effects, a refusal, or the model's raise kept as ACT-TOTAL's violation), then, asked
  of what `step` gave, `judge_refusal` (ACT-ALLOWED's judgement of a refusal) and `apply` (the
  chain after an applied action, with every step check's observations);
- `reach`: the boundaries the step reached (`properties.edges`). They also depend on what the
  example's earlier steps left its `EdgeTracker` to remember, a memory never changed in place,
  so they are kept by that memory's identity too, with the memory the step leaves.

A step is kept under the very chain object (`Checked`) it started from, and only chains the memo
handed out have steps kept: a chain built any other way is stepped as usual. Actions are matched
by equality and by their `repr`, so an action equal to a kept one but holding a value of another
type (1.0 or True for 1) is computed anew: a malformed action is never answered for a
well-formed one. What is not a pure function of the step is never kept: the recorder's counts
and the raising of a violation happen at every step, kept or not, so a run's report is the same
with or without the memo. Past `limit` kept steps, new ones are computed and not kept.

A kept step holds its states, so memory grows with the steps kept: a default check's peak grows
from about 375 MB to 490 MB (docs/benchmarks.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from attrs import define

from model.chain.actions import Action, Effect
from model.chain.state import ChainState, Genesis
from model.units import Rejected
from properties.edges import EdgeMemory, EdgeTracker
from properties.invariants.allowed import check_refusal
from properties.invariants.base import Observation
from properties.replay import Checked, check_applied, process_or_raise

STEP_MEMO_LIMIT = 150_000
"""Steps one seed stream keeps at most, over all its runs (a default run takes about 140,000
steps, 63,000 of them new)."""

Answer = tuple[ChainState, tuple[Effect, ...]] | Rejected | Checked
"""`process_or_raise`'s result: (state after, effects), a refusal, or the raise as a chain."""


@define
class Step:
    """One action from one chain: the model's answer, and what was judged of it so far."""

    answer: Answer
    refusal: tuple[Observation, ...] | None = None
    applied: Checked | None = None
    reached: dict[int, tuple[EdgeMemory, Counter[str], EdgeMemory]] | None = None
    """id of the tracker's memory before the step -> (that memory, the boundaries the step
    reached from it, the memory after)."""


class StepMemo:
    """The steps of one seed stream's runs, kept by the chain they started from (see the
    module)."""

    def __init__(self, limit: int = STEP_MEMO_LIMIT) -> None:
        self.limit = limit
        self.kept = 0
        self.repeated = 0
        """Steps answered from what was kept (the model and the checkers not asked again)."""
        self._starts: dict[tuple[Genesis, str], Checked | Rejected] = {}
        # id of a chain handed out -> (that chain, held so its id stays its own; its steps).
        self._chains: dict[int, tuple[Checked, dict[tuple[Action, str], Step]]] = {}

    def _hand_out(self, chain: Checked) -> Checked:
        if self.kept < self.limit:
            self._chains.setdefault(id(chain), (chain, {}))
        return chain

    def start(
        self, genesis: Genesis, compute: Callable[[], Checked | Rejected]
    ) -> Checked | Rejected:
        """The checked genesis state (`compute()` the first time; a raise is never kept)."""
        key = (genesis, repr(genesis))
        started = self._starts.get(key)
        if started is None:
            started = compute()
            if self.kept < self.limit:
                self._starts[key] = started
                self.kept += 1
        else:
            self.repeated += 1
        return self._hand_out(started) if isinstance(started, Checked) else started

    def step(self, current: Checked, action: Action) -> Step:
        """The model's answer to `action` from `current` (`process_or_raise`), kept or new."""
        held = self._chains.get(id(current))
        if held is None or held[0] is not current:
            return Step(process_or_raise(current, action))
        steps = held[1]
        key = (action, repr(action))
        step = steps.get(key)
        if step is None:
            step = Step(process_or_raise(current, action))
            if self.kept < self.limit:
                steps[key] = step
                self.kept += 1
        else:
            self.repeated += 1
        return step

    @staticmethod
    def judge_refusal(current: Checked, action: Action, step: Step) -> tuple[Observation, ...]:
        """ACT-ALLOWED's judgement of the model's refusal in `step` (of `action` from
        `current`)."""
        if step.refusal is None:
            assert isinstance(step.answer, Rejected)
            step.refusal = check_refusal(current.state, current.history, action, step.answer)
        return step.refusal

    @staticmethod
    def reach(
        step: Step,
        tracker: EdgeTracker,
        before: ChainState,
        action: Action,
        *,
        after: ChainState | None,
        effects: tuple[Effect, ...],
    ) -> Counter[str]:
        """The boundaries `step` reached (`EdgeTracker.reached` of `action` from `before` to
        `after`, None if refused), with `tracker`'s memory moved on past it. They depend on the
        step and on that memory alone, so they are kept by the memory's identity: the same
        memory (a memory is never changed in place) gives the same boundaries and memory after."""
        memory = tracker.memory
        kept = None if step.reached is None else step.reached.get(id(memory))
        if kept is not None and kept[0] is memory:
            tracker.memory = kept[2]
            return kept[1]
        reached = tracker.reached(before, action, after, effects)
        if step.reached is None:
            step.reached = {}
        step.reached[id(memory)] = (memory, reached, tracker.memory)
        return reached

    def apply(self, current: Checked, action: Action, step: Step) -> Checked:
        """The chain after `action`, which the model applied in `step` from `current`, checked."""
        if step.applied is None:
            assert isinstance(step.answer, tuple)
            after, effects = step.answer
            step.applied = self._hand_out(check_applied(current, action, after, effects))
        return step.applied
