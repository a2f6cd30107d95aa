"""Run the Hypothesis engine on one parameter set: machines, exhaustive rounds, verdicts.

`run_properties(params, profile, effort, seed)` runs the whole-chain machine until it passes,
re-running with every invariant it has broken no longer asserted (still observed) so that each
broken invariant gets its own shrunk counterexample; then it explores every small round
exhaustively. The result is frozen records: one verdict per invariant with its evidence.

A run depends only on its arguments: each machine run is seeded, runs without Hypothesis' local
constants or its shrinking time limit, and reports one bug (the next run finds the next), so no
wall-clock test decides what is generated (`properties.reproducible`, docs/findings.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from attrs import frozen
from hypothesis import seed as hypothesis_seed
from hypothesis import settings
from hypothesis.database import ExampleDatabase
from hypothesis.stateful import run_state_machine_as_test

from model.chain.actions import Action
from model.chain.state import Genesis
from model.params import WHITEPAPER_PARAMS, Params
from model.profile import Profile
from properties.catalogue import Engine, get_ids_for, get_invariant
from properties.database import DeferredDatabase, Write, watching_reuse
from properties.driver import InvariantViolationError
from properties.edges import BOUNDARIES, get_boundaries_of
from properties.effort import Effort, get_settings, get_shard_seeds
from properties.evidence import Recorder, Witness
from properties.explore import ExplorationReport, explore_rounds
from properties.invariants.total import describe_error, raised_in_model
from properties.machine import ChainMachine
from properties.minimise import minimise_trace
from properties.pacing import paced_collector
from properties.regression import render_regression_test, to_python
from properties.reproducible import seed_only_hypothesis, seed_only_settings
from properties.results import (
    BoundaryEvidence,
    Counterexample,
    EngineError,
    InvariantResult,
    PropertyReport,
    Refusal,
    RuleEvidence,
    Verdict,
)
from properties.step_memo import StepMemo

__all__ = [
    "BoundaryEvidence",
    "Counterexample",
    "EngineError",
    "InvariantResult",
    "MachineShard",
    "PropertyReport",
    "Refusal",
    "RuleEvidence",
    "Verdict",
    "assemble_properties",
    "get_applicability",
    "merge_recorders",
    "run_machine_shard",
    "run_properties",
]


def get_applicability(invariant_id: str, params: Params) -> str | None:
    """Why `invariant_id` makes no claim about `params` (None: it does)."""
    if invariant_id == "PAY-VECTOR" and params.payment != WHITEPAPER_PARAMS.payment:
        return "§6.3.3's example is stated for the whitepaper's payment shares only"
    return None


def _flatten(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _flatten(inner)]
    return [error]


def _describe_trace(genesis: Genesis, actions: Iterable[Action]) -> tuple[str, ...]:
    imports: set[tuple[str, str]] = set()
    return (to_python(genesis, imports), *(to_python(action, imports) for action in actions))


def _run_machine(
    machine: type[ChainMachine],
    *,
    params: Params,
    profile: Profile,
    effort: Effort,
    seed: int,
    recorder: Recorder,
    asserted: frozenset[str],
    database: ExampleDatabase | None = None,
    step_memo: StepMemo | None = None,
) -> tuple[list[InvariantViolationError], bool]:
    """The violations one seeded run raised, and whether its failure came from the database."""
    # A fresh subclass carries this run's state: `machine`'s own class variables stay untouched.
    # With a memo of the stream's steps: a step its examples repeat is answered as the first time.
    attributes = {
        "params": params,
        "profile": profile,
        "recorder": recorder,
        "asserted": asserted,
        "step_memo": StepMemo() if step_memo is None else step_memo,
    }
    run_class = hypothesis_seed(seed)(type("ChainRun", (machine,), attributes))
    run_settings = seed_only_settings(get_settings(effort))
    if database is not None:
        run_settings = settings(run_settings, database=database)
    try:
        with (
            seed_only_hypothesis(effort.shrink_calls),
            watching_reuse() as watch,
            paced_collector(),
        ):
            run_state_machine_as_test(run_class, settings=run_settings)
    except BaseException as error:
        leaves = _flatten(error)
        violations = [leaf for leaf in leaves if isinstance(leaf, InvariantViolationError)]
        others = [leaf for leaf in leaves if not isinstance(leaf, InvariantViolationError)]
        if others:
            first = others[0]
            if raised_in_model(first):
                raise EngineError(
                    f"the model raised {type(first).__name__}: {first} (a model bug)"
                ) from first
            raise EngineError(
                f"the machine stopped on {type(first).__name__}: {first}"
                " (raised outside the model: a bug of the check, not a verdict on the model)"
            ) from first
        return violations, watch.from_database
    return [], False


def _machine_counterexample(
    invariant_id: str,
    witness: Witness,
    *,
    params: Params,
    profile: Profile,
    seed: int,
    source: str = "machine",
) -> Counterexample:
    return Counterexample(
        invariant_id=invariant_id,
        detail=witness.detail,
        source=source,
        steps=_describe_trace(witness.genesis, witness.actions),
        genesis=witness.genesis,
        actions=witness.actions,
        regression_test=render_regression_test(
            invariant_id=invariant_id,
            detail=witness.detail,
            genesis=witness.genesis,
            actions=witness.actions,
            params=params,
            profile_name=profile.name,
            seed=seed,
        ),
    )


@frozen
class MachineShard:
    """What the machine found on one seed stream: the evidence, the counterexamples, the runs."""

    seed: int
    recorder: Recorder
    found: dict[str, Counterexample]
    runs: int
    engine_error: str = ""
    database_writes: tuple[Write, ...] = ()


def run_machine_shard(
    params: Params,
    profile: Profile,
    effort: Effort,
    seed: int,
    *,
    ids: tuple[str, ...],
    machine: type[ChainMachine] = ChainMachine,
    database: ExampleDatabase | None = None,
) -> MachineShard:
    """Run the machine on one seed stream until it passes, re-running with every invariant it
    has broken no longer asserted, and shrink each broken invariant's trace."""
    recorder = Recorder()
    # One memo for every run of the stream: a re-run replays the same examples up to the first
    # broken invariant it no longer asserts, and the steps do not depend on what is asserted.
    step_memo = StepMemo()
    deferred = None if database is None else DeferredDatabase(database)
    found: dict[str, Counterexample] = {}
    remaining = frozenset(ids)
    runs = 0
    engine_error = ""
    while remaining:
        runs += 1
        try:
            violations, from_database = _run_machine(
                machine,
                params=params,
                profile=profile,
                effort=effort,
                seed=seed,
                recorder=recorder,
                asserted=remaining,
                database=deferred,
                step_memo=step_memo,
            )
        except EngineError as error:
            # What the machine saw fail before the crash still fails (below, unshrunk); a
            # crash with nothing seen anywhere fails the engine (`assemble_properties`).
            engine_error = str(error)
            break
        new = [v for v in violations if v.invariant_id in remaining]
        if not new:
            break
        for violation in sorted(new, key=lambda v: v.invariant_id):
            witness = Witness(violation.detail, violation.genesis, violation.actions)
            shorter = minimise_trace(
                violation.genesis,
                violation.actions,
                violation.invariant_id,
                params=params,
                profile=profile,
            )
            if shorter is not None:
                witness = Witness(shorter.detail, violation.genesis, shorter.actions)
            found[violation.invariant_id] = _machine_counterexample(
                violation.invariant_id,
                witness,
                params=params,
                profile=profile,
                seed=seed,
                source="database" if from_database else "machine",
            )
        remaining = remaining - {v.invariant_id for v in new}
    # A violation the machine recorded but no run raised (while another bug was being shrunk,
    # say) still fails the invariant, with the first trace that showed it, unshrunk.
    for invariant_id in sorted(remaining):
        seen = recorder.witnesses.get(invariant_id)
        if seen is not None:
            unshrunk = Witness(f"(unshrunk) {seen.detail}", seen.genesis, seen.actions)
            found[invariant_id] = _machine_counterexample(
                invariant_id, unshrunk, params=params, profile=profile, seed=seed
            )
    return MachineShard(
        seed=seed,
        recorder=recorder,
        found=found,
        runs=runs,
        engine_error=engine_error,
        database_writes=() if deferred is None else deferred.writes(),
    )


ShardMap = Callable[[Sequence[int]], Sequence[MachineShard]]
"""Runs the machine on each of the given seeds (in this process, or on a cluster) and returns
the shards in the same order."""
Explorer = Callable[[], ExplorationReport]
"""Gives the round search's report when the engine needs it (it may have run elsewhere, beside
the machine); it raises as `explore_rounds` would."""


def run_properties(
    params: Params,
    profile: Profile,
    effort: Effort,
    seed: int,
    *,
    only: frozenset[str] | None = None,
    machine: type[ChainMachine] = ChainMachine,
    explore: bool = True,
    database: ExampleDatabase | None = None,
    shard_map: ShardMap | None = None,
    exploration: ExplorationReport | None = None,
    explorer: Explorer | None = None,
) -> PropertyReport:
    """The Hypothesis engine's verdict on every invariant it claims (or those in `only`).

    The machine runs on `effort.shards` independent seed streams (`get_shard_seeds`), by
    `shard_map` when given (a cluster), else one after another; the shards are merged in seed
    order, so the verdict does not depend on where or in which order they ran. An exploration
    computed elsewhere may be passed in, or an `explorer` that gives it when it is needed (the
    search running beside the machine); otherwise the round search runs here.
    """
    claimed = get_ids_for(Engine.HYPOTHESIS)
    ids = tuple(i for i in claimed if only is None or i in only)
    seeds = get_shard_seeds(seed, effort.shards)
    if shard_map is None:
        shards: Sequence[MachineShard] = [
            run_machine_shard(
                params, profile, effort, s, ids=ids, machine=machine, database=database
            )
            for s in seeds
        ]
    else:
        shards = shard_map(seeds)
    return assemble_properties(
        params,
        profile,
        effort,
        seed,
        ids=ids,
        shards=shards,
        exploration=exploration,
        explore=explore,
        explorer=explorer,
    )


def assemble_properties(
    params: Params,
    profile: Profile,
    effort: Effort,
    seed: int,
    *,
    ids: tuple[str, ...],
    shards: Sequence[MachineShard],
    exploration: ExplorationReport | None = None,
    explore: bool = True,
    explorer: Explorer | None = None,
) -> PropertyReport:
    """One report from the machine's shards (merged in seed order: each invariant's
    counterexample is the first shard's that found one) and the round search (`explorer`'s
    when given, asked only when the search is needed, else run here)."""
    recorder = merge_recorders([shard.recorder for shard in shards])
    found: dict[str, Counterexample] = {}
    for shard in shards:
        for invariant_id, counterexample in sorted(shard.found.items()):
            found.setdefault(invariant_id, counterexample)
    engine_error = next((shard.engine_error for shard in shards if shard.engine_error), "")
    if engine_error and not found:
        # The machine crashed before any stream saw a failure: no verdict at all.
        raise EngineError(engine_error)
    if exploration is None and explore and not engine_error:
        try:
            if explorer is not None:
                exploration = explorer()
            else:
                exploration = explore_rounds(
                    params=params, profile=profile, max_nodes=effort.explore_max_nodes, seed=seed
                )
        except Exception as error:
            # As a crash of the machine: what it found still fails, the rest is `error`.
            if not found:
                raise
            engine_error = f"the round search stopped on {describe_error(error)}"
    results = tuple(
        _verdict(invariant_id, params, recorder, found.get(invariant_id), exploration)
        if not engine_error or invariant_id in found
        else _errored(invariant_id, recorder, engine_error)
        for invariant_id in ids
    )
    return PropertyReport(
        profile=profile.name,
        effort=effort.name,
        seed=seed,
        machine_runs=sum(shard.runs for shard in shards),
        examples=recorder.examples,
        steps=recorder.steps,
        results=results,
        rules=tuple(
            RuleEvidence(action, recorder.fired[action], recorder.refused[action])
            for action in sorted(set(recorder.fired) | set(recorder.refused))
        ),
        refusals=tuple(
            Refusal(action, rule, count)
            for (action, rule), count in sorted(recorder.refusal_reasons.items())
        ),
        exploration=exploration,
        boundaries=tuple(
            BoundaryEvidence(
                name=boundary.name,
                section=boundary.section,
                invariants=boundary.invariants,
                reached=recorder.boundaries[boundary.name],
                examples=recorder.examples_reaching[boundary.name],
                unreachable=boundary.unreachable,
            )
            for boundary in BOUNDARIES
            if any(invariant_id in ids for invariant_id in boundary.invariants)
        ),
        engine_error=engine_error,
        database_writes=tuple(write for shard in shards for write in shard.database_writes),
    )


def merge_recorders(recorders: Sequence[Recorder]) -> Recorder:
    """One recorder counting everything the given ones counted; each invariant's witness is the
    first recorder's that has one."""
    if len(recorders) == 1:
        return recorders[0]
    merged = Recorder()
    for recorder in recorders:
        merged.examples += recorder.examples
        merged.steps += recorder.steps
        for name in ("observed", "examples_observing", "violations", "fired", "refused"):
            getattr(merged, name).update(getattr(recorder, name))
        merged.refusal_reasons.update(recorder.refusal_reasons)
        merged.boundaries.update(recorder.boundaries)
        merged.examples_reaching.update(recorder.examples_reaching)
        for invariant_id, witness in recorder.witnesses.items():
            merged.witnesses.setdefault(invariant_id, witness)
    return merged


def _errored(invariant_id: str, recorder: Recorder, reason: str) -> InvariantResult:
    return InvariantResult(
        invariant_id=invariant_id,
        section=get_invariant(invariant_id).section,
        verdict=Verdict.ERROR,
        examples=recorder.examples_observing[invariant_id],
        observations=recorder.observed[invariant_id],
        violations=recorder.violations[invariant_id],
        note=f"the engine stopped before deciding: {reason}",
    )


def _verdict(
    invariant_id: str,
    params: Params,
    recorder: Recorder,
    counterexample: Counterexample | None,
    exploration: ExplorationReport | None,
) -> InvariantResult:
    observations = recorder.observed[invariant_id]
    violations = recorder.violations[invariant_id]
    explored = None
    if exploration is not None:
        explored = next(
            (row for row in exploration.invariants if row.invariant_id == invariant_id), None
        )
    if explored is not None:
        observations += explored.observed
        violations += explored.violations
        if counterexample is None and explored.counterexample is not None:
            path = explored.counterexample
            counterexample = Counterexample(
                invariant_id=invariant_id,
                detail=path.detail,
                source="exploration",
                steps=(path.assignment, *path.steps),
            )
    section = get_invariant(invariant_id).section
    note = get_applicability(invariant_id, params)
    if counterexample is not None:
        verdict = Verdict.FAIL
    elif note is not None:
        verdict = Verdict.NOT_APPLICABLE
    elif observations == 0:
        verdict = Verdict.VACUOUS
        note = "no step or round state gave this invariant anything to check"
    elif missed := [
        b.name for b in get_boundaries_of(invariant_id) if not recorder.boundaries[b.name]
    ]:
        # Checked only away from its edges: not a pass (properties.edges).
        verdict = Verdict.VACUOUS
        note = f"never reached: {', '.join(missed)}"
    else:
        verdict = Verdict.PASS
    return InvariantResult(
        invariant_id=invariant_id,
        section=section,
        verdict=verdict,
        examples=recorder.examples_observing[invariant_id],
        observations=observations,
        violations=violations,
        counterexample=counterexample,
        note=note or "",
    )
