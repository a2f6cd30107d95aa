"""GROUNDED: the executor's observed outcome equals the model's prediction, call by call.

`run_executor(params, profile, effort, seed)` is the executor engine, shaped like the others: it
generates Trusted Function calls with Hypothesis, runs each with real node processes, asks the
model (or a `predictor` standing in for it) what should happen, compares the full records, and
runs the executor's own checks of the catalogue's X invariants on every settled round. A broken
ID gets a shrunk counterexample; the search then goes on with that ID no longer failing the run,
so each broken ID gets its own, as the Hypothesis engine does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import attrs
from attrs import frozen
from hypothesis import HealthCheck, Phase, Verbosity, example, given, settings
from hypothesis import errors as hypothesis_errors
from hypothesis import seed as hypothesis_seed

from executor.checks import EXECUTOR_CHECKS, Observation, SettledRound, check_settled_round
from executor.engine import CallRun, Executor
from executor.fixed_calls import get_committee_calls, get_dissent_call, get_money_calls
from executor.pool import Limits
from executor.records import DEFAULT_FUNDING, Funding
from executor.sandbox.isolation import Isolation
from executor.scenario import CallRecord, ExecRound, TrustedCall, predict
from executor.strategies import trusted_calls
from model.params import Params
from model.profile import Profile
from model.trusted.behaviour import (
    HONEST_VALIDATORS,
    Scenario,
)
from properties.effort import get_effort, get_shard_seeds
from properties.invariants.total import describe_error, raised_in_model
from properties.reproducible import without_local_constants

GROUNDED = "GROUNDED"
EXECUTOR_IDS = (GROUNDED, *EXECUTOR_CHECKS)
"""Every invariant ID this engine gives a verdict on."""

SCENARIOS_PER_EFFORT = {"quick": 100, "default": 300, "thorough": 3000}
"""Calls generated per effort: each runs two rounds of real processes (about 20 ms a call)."""

SHRINK_BUDGET_PER_EFFORT = {"quick": 100, "default": 200, "thorough": 200}
"""Calls run with real processes while shrinking one failure, per effort: a count, not a time, so
a slower machine stops at the same counterexample. Then unseen calls count as passing, so the
shrinker stops on the smallest failure found so far (its replay comes from the memo)."""

Predictor = Callable[..., CallRecord]
"""`predict`'s signature: (call, *, billing_output, main_output, params, profile) -> CallRecord."""


@frozen
class ExecutorCounterexample:
    """A shrunk call that breaks one invariant, with what differed or failed."""

    invariant_id: str
    detail: str
    call: TrustedCall
    description: str


@frozen
class ExecutorResult:
    """One invariant's verdict from the executor and the evidence behind it."""

    invariant_id: str
    verdict: str
    """`pass`, `fail` or `vacuous` (no scenario gave it anything to check: never a pass)."""
    scenarios: int
    """Calls in which it was checked at least once."""
    observations: int
    violations: int
    counterexample: ExecutorCounterexample | None = None


@frozen
class ExecutorRun:
    """The executor engine's results on one parameter set and profile."""

    profile: str
    effort: str
    seed: int
    scenarios: int
    rounds: int
    node_faults: tuple[tuple[str, int], ...]
    isolation: Isolation
    """Where the functions ran: the sandbox mode and what it was measured to have."""
    """Process faults the executor contained, by kind (`killed-by-signal`, `timeout`, ...)."""
    results: tuple[ExecutorResult, ...]


class _BrokenError(Exception):
    """Raised inside the Hypothesis test when a call breaks an invariant not yet reported."""

    def __init__(self, broken: list[Observation], call: TrustedCall) -> None:
        super().__init__("; ".join(f"{o.invariant_id}: {o.detail}" for o in broken))
        self.broken, self.call = broken, call


def compare(observed: CallRecord, predicted: CallRecord) -> tuple[str, ...]:
    """Every field where the executor's record and the model's differ, as `path: X vs M`: what
    each round decided and moved, and when, on the protocol clock (the commit phase's close, each
    reveal, the decision or expiry that is also the slashes' time, and each refused commit or
    reveal at the time it was tried).

    Times are fields like any other, so a model whose timeline is off disagrees even when every
    outcome is the same: a late reveal tried at time 0 is refused as too early instead of too
    late, and only its time shows it."""
    differences = []
    for name in ("stalled", "refused", "billing_refused_steps", "main_refused_steps"):
        left, right = getattr(observed, name), getattr(predicted, name)
        if left != right:
            differences.append(f"{name}: {describe_difference(left, right)}")
    for name in ("billing", "main", "reputation"):
        left, right = getattr(observed, name), getattr(predicted, name)
        if (left is None) != (right is None):
            differences.append(f"{name}: executor {left is not None}, model {right is not None}")
        elif left is not None and right is not None:
            for field in attrs.fields(type(left)):
                a, b = getattr(left, field.name), getattr(right, field.name)
                if a != b:
                    differences.append(f"{name}.{field.name}: {describe_difference(a, b)}")
    return tuple(differences)


def describe_difference(observed: object, predicted: object) -> str:
    """`executor X, model M`; for two tuples of records (movements, slashes, track records,
    refused steps, reveal times), only the records that differ, so a wrong amount or a wrong
    time stands out among a round's others."""
    records = (
        (*observed, *predicted)
        if isinstance(observed, tuple) and isinstance(predicted, tuple)
        else ()
    )
    if records and all(attrs.has(type(item)) or isinstance(item, tuple) for item in records):
        assert isinstance(observed, tuple) and isinstance(predicted, tuple)
        only_observed = [item for item in observed if item not in predicted]
        only_predicted = [item for item in predicted if item not in observed]
        if len(only_observed) + len(only_predicted) < len(observed) + len(predicted):
            return f"executor {only_observed!r}, model {only_predicted!r} (the rest agrees)"
    return f"executor {observed!r}, model {predicted!r}"


def describe_round(round_: ExecRound) -> str:
    """One line: the function, its input, each node, the app."""
    parts = []
    for plan in round_.scenario.plans:
        text = f"{plan.node} {plan.behaviour.value}"
        if plan.copy_from is not None:
            text += f" of {plan.copy_from}"
        if plan.gets_wrong_app_salt:
            text += " (sent a wrong app salt)"
        fault = round_.fault_of(plan.node)
        if fault is not None:
            text += f" ({fault.fault.value} at {fault.phase.value})"
        parts.append(text)
    function = round_.function.rsplit("/", 1)[-1]
    app = "" if round_.scenario.app_reveals_salts else "; app withholds its salts"
    data = round_.input[:120].decode("utf-8", "replace")
    return f"{function}({data}): {', '.join(parts)}{app}{describe_validators(round_.scenario)}"


def describe_validators(scenario: Scenario) -> str:
    """`; validators v0 lie, v1 honest (withholds its beacon secret), count 2`, or nothing for
    the default four honest validators."""
    if scenario.validators == HONEST_VALIDATORS and scenario.validator_count is None:
        return ""
    parts = []
    for plan in scenario.validators:
        text = f"{plan.validator} {plan.behaviour.value}"
        if plan.withholds_beacon:
            text += " (withholds its beacon secret)"
        parts.append(text)
    count = "" if scenario.validator_count is None else f", count {scenario.validator_count}"
    return f"; validators {', '.join(parts)}{count}"


def describe_funding(funding: Funding) -> str:
    """One line: each deposit at its price, then the validation prefund."""
    deposits = ", ".join(
        f"{d.ustb} ustb + {d.ustr} ustr at {d.price} USD/STR" for d in funding.deposits
    )
    text = f"escrow prepaid {deposits}"
    if funding.prefund_ustr or funding.validators:
        text += (
            f"; validation prefund {funding.prefund_ustr} ustr for {funding.validators} validators"
        )
    return text


def describe_call(call: TrustedCall) -> str:
    """Both rounds of a call, one line each, and the funding when it is not the default."""
    text = f"billing {describe_round(call.billing)}\nmain {describe_round(call.main)}"
    if call.funding != DEFAULT_FUNDING:
        text += f"\nfunding {describe_funding(call.funding)}"
    return text


def settled_rounds(
    run: CallRun, call: TrustedCall, params: Params, profile: Profile
) -> list[SettledRound]:
    """The call's rounds that were settled, with the truth beside them, for the X checks."""
    rounds = []
    pairs = (
        (call.billing, run.billing_log, run.record.billing, run.decisions[0], False),
        (call.main, run.main_log, run.record.main, run.decisions[1], True),
    )
    for (round_, log, outcome, decision, main), reference in zip(
        pairs, run.reference_outputs, strict=True
    ):
        if log is not None and outcome is not None and decision is not None:
            rounds.append(
                SettledRound(
                    round_,
                    log,
                    outcome,
                    decision,
                    reference,
                    params,
                    profile,
                    funding=call.funding,
                    validated=main,
                )
            )
    return rounds


class _Search:
    """One Hypothesis search over calls, counting evidence and failing on unreported breaks."""

    def __init__(
        self,
        executor: Executor,
        *,
        params: Params,
        profile: Profile,
        predictor: Predictor,
        ignored: set[str],
        shrink_budget: int,
    ) -> None:
        self.executor, self.params, self.profile = executor, params, profile
        self.predictor, self.ignored = predictor, ignored
        self.budget = shrink_budget
        self.scenarios = self.rounds = 0
        self.observed: Counter[str] = Counter()
        self.scenarios_observing: Counter[str] = Counter()
        self.violations: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.memo: dict[TrustedCall, list[Observation]] = {}
        self.shrink_budget: int | None = None
        """None until the first failure; then how many more calls may really run."""

    def check(self, call: TrustedCall) -> None:
        observations = self.memo.get(call)
        if observations is None:
            if self.shrink_budget is not None:
                if self.shrink_budget <= 0:
                    return
                self.shrink_budget -= 1
            observations = self.memo[call] = self.run(call)
        broken = [o for o in observations if not o.holds and o.invariant_id not in self.ignored]
        if broken:
            if self.shrink_budget is None:
                self.shrink_budget = self.budget
            raise _BrokenError(broken, call)

    def run(self, call: TrustedCall) -> list[Observation]:
        """Run the call for real, predict it, compare, check; count the evidence."""
        run = self.executor.run_call(call, params=self.params, profile=self.profile)
        self.scenarios += 1
        logs = [log for log in (run.billing_log, run.main_log) if log is not None]
        self.rounds += len(logs)
        for log in logs:
            self.faults.update(reason.split(":")[0] for reason in log.faulty.values())
        try:
            predicted = self.predictor(
                call,
                billing_output=run.reference_outputs[0],
                main_output=run.reference_outputs[1],
                params=self.params,
                profile=self.profile,
            )
        except Exception as error:  # the model cannot predict what the nodes did: a model bug
            detail = f"the model's prediction raised {describe_error(error)}"
            observations = [Observation(GROUNDED, False, detail)]
        else:
            differences = compare(run.record, predicted)
            observations = [Observation(GROUNDED, not differences, "; ".join(differences))]
        try:
            for settled in settled_rounds(run, call, self.params, self.profile):
                observations.extend(check_settled_round(settled))
        except Exception as error:
            if not raised_in_model(error):
                raise
            # The books read the model's settled round and its scenario: a raise there is the
            # model's, on a round the nodes really played.
            detail = f"the model raised {describe_error(error)} on the settled round"
            observations.append(Observation(GROUNDED, False, detail))
        seen = set()
        for observation in observations:
            self.observed[observation.invariant_id] += 1
            if observation.invariant_id not in seen:
                seen.add(observation.invariant_id)
                self.scenarios_observing[observation.invariant_id] += 1
            if not observation.holds:
                self.violations[observation.invariant_id] += 1
        return observations


def _search_settings(max_examples: int) -> settings:
    return settings(
        database=None,
        deadline=None,
        max_examples=max_examples,
        derandomize=False,  # seeded explicitly
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
        # No explain phase: it only annotates Hypothesis' own failure printout, which is never
        # shown, and it re-ran the shrunk call's variants with real processes (or drew them only
        # to skip them, once the shrink budget was spent).
        phases=[phase for phase in Phase if phase is not Phase.explain],
    )


def run_executor(
    params: Params,
    profile: Profile,
    effort: str = "default",
    seed: int = 0,
    *,
    predictor: Predictor = predict,
    limits: Limits | None = None,
    persistent: bool = True,
    max_examples: int | None = None,
    slow_faults: bool | None = None,
    shrink_budget: int | None = None,
    function_paths: tuple[str, ...] = (),
    functions: tuple[str, ...] = (),
    stream: int = 0,
    streams: int = 1,
) -> ExecutorRun:
    """The executor engine: GROUNDED and the X checks over generated calls, shrunk on failure.
    `functions` are the user's own (`file.py:callable`, `module:callable`), drawn as the main
    round's function beside the fixtures; `function_paths` is where modules are imported from.
    With `streams` > 1, this is stream `stream` of them: its share of the scenarios, on its own
    seed (`get_shard_seeds`), the explicit calls in the first stream only
    (`executor.streams` merges them). `shrink_budget` is the effort's
    (`SHRINK_BUDGET_PER_EFFORT`) unless given."""
    chosen = get_effort(effort)
    examples = SCENARIOS_PER_EFFORT[chosen.name] if max_examples is None else max_examples
    budget = SHRINK_BUDGET_PER_EFFORT[chosen.name] if shrink_budget is None else shrink_budget
    examples = -(-examples // streams)
    stream_seed = get_shard_seeds(seed, streams)[stream]
    slow = chosen.name == "thorough" if slow_faults is None else slow_faults
    strategy = trusted_calls(params, slow_faults=slow, functions=functions)
    counterexamples: dict[str, ExecutorCounterexample] = {}
    with Executor(limits, persistent=persistent, function_paths=function_paths) as executor:
        isolation = executor.pool.isolation
        while True:
            search = _Search(
                executor,
                params=params,
                profile=profile,
                predictor=predictor,
                ignored=set(counterexamples),
                shrink_budget=budget,
            )

            test = given(strategy)(search.check)
            # Explicit calls run first, in this order: the dissent round, the money's edges, then
            # the byzantine committees.
            explicit = (
                get_dissent_call(params),
                *get_money_calls(params),
                *get_committee_calls(params, profile),
            )
            for call in reversed(explicit if stream == 0 else ()):
                test = example(call)(test)
            explore = hypothesis_seed(stream_seed)(_search_settings(examples)(test))

            try:
                with without_local_constants():
                    explore()
            except _BrokenError as failure:
                # The shrunk call is a counterexample to every ID it breaks, not just the first.
                for observation in failure.broken:
                    counterexamples.setdefault(
                        observation.invariant_id,
                        ExecutorCounterexample(
                            observation.invariant_id,
                            observation.detail,
                            failure.call,
                            describe_call(failure.call),
                        ),
                    )
                continue
            except hypothesis_errors.FlakyFailure as flaky:
                raise RuntimeError(
                    f"the executor gave different answers on one call: {flaky}"
                ) from None
            break
    results = []
    for invariant_id in EXECUTOR_IDS:
        counterexample = counterexamples.get(invariant_id)
        if counterexample is not None or search.violations[invariant_id]:
            verdict = "fail"
        elif search.observed[invariant_id]:
            verdict = "pass"
        else:
            verdict = "vacuous"
        results.append(
            ExecutorResult(
                invariant_id=invariant_id,
                verdict=verdict,
                scenarios=search.scenarios_observing[invariant_id],
                observations=search.observed[invariant_id],
                violations=search.violations[invariant_id],
                counterexample=counterexample,
            )
        )
    return ExecutorRun(
        profile=profile.name,
        effort=chosen.name,
        seed=seed,
        scenarios=search.scenarios,
        rounds=search.rounds,
        node_faults=tuple(sorted(search.faults.items())),
        isolation=isolation,
        results=tuple(results),
    )
