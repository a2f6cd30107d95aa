"""Gathering one check's evidence as the engines finish: each engine's verdicts per invariant,
its counterexamples as report rows, and their files (ITF traces, pytest regressions, SMT-LIB2).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from executor.grounding import ExecutorResult, ExecutorRun
from model.params import Params
from model.profile import PROFILES
from properties.catalogue import CATALOGUE
from properties.effort import get_effort
from properties.runner import (
    Counterexample,
    InvariantResult,
    PropertyReport,
)
from reports import regressions, traces
from reports.inputs import ParamChange
from reports.report import (
    ENGINE_NAMES,
    CounterexampleRow,
    EngineEvidence,
    EngineSummary,
    ExecutorEvidence,
    HypothesisEvidence,
    InvariantRow,
    Z3Evidence,
    Z3Query,
    decide_invariant,
)
from solver.claim import ProofResult, ProofStatus
from solver.goals.governance import COHERENCE_RULE_KEYS
from solver.prove import get_solver_version

if TYPE_CHECKING:
    from reports.check import CheckOptions


def describe_coherence_rule(
    values: Mapping[str, int | str], changes: tuple[ParamChange, ...]
) -> str:
    """For a GOV-PARAMS counterexample that names the coherence rule it breaks: the keys that rule
    reads, and which of them the checked input changed (from its base, to its value)."""
    rule = values.get("coherence.rule.name")
    if not isinstance(rule, str) or rule not in COHERENCE_RULE_KEYS:
        return ""
    keys = COHERENCE_RULE_KEYS[rule]
    changed = [change for change in changes if change.parameter in keys]
    text = f"; the rule {rule} reads {', '.join(keys)}"
    if changed:
        moves = ", ".join(
            f"{change.parameter} ({change.base} -> {change.value})" for change in changed
        )
        return f"{text}; the input changed {moves}"
    return f"{text}; the input changed none of them (the base already breaks it)"


def _slug(invariant_id: str) -> str:
    return invariant_id.lower().replace("-", "_")


def _trace_path(invariant_id: str, engine: str) -> str:
    return f"traces/{invariant_id}.{engine}.itf.json"


def _regression_path(invariant_id: str, engine: str) -> str:
    return f"regressions/test_{_slug(invariant_id)}__{engine}.py"


class Gatherer:
    """Collects evidence, counterexamples and files per invariant while the engines run."""

    def __init__(
        self, params: Params, options: CheckOptions, changes: tuple[ParamChange, ...] = ()
    ) -> None:
        self.params, self.options, self.changes = params, options, changes
        self.profile = PROFILES[options.profile]
        self.effort = get_effort(options.effort)
        self.hypothesis: dict[str, HypothesisEvidence] = {}
        self.z3: dict[str, Z3Evidence] = {}
        self.executor: dict[str, ExecutorEvidence] = {}
        self.counterexamples: dict[str, list[CounterexampleRow]] = {}
        self.artifacts: dict[str, str] = {}
        self.summaries: dict[str, EngineSummary] = {}
        self.timings: dict[str, Any] = {}

    def add_counterexample(self, invariant_id: str, row: CounterexampleRow) -> None:
        self.counterexamples.setdefault(invariant_id, []).append(row)

    # --- Hypothesis ----------------------------------------------------------------------------

    def take_properties(self, report: PropertyReport) -> None:
        for result in report.results:
            self.hypothesis[result.invariant_id] = HypothesisEvidence(
                verdict=result.verdict.value,
                examples=result.examples,
                steps=result.observations,
                violations=result.violations,
                note=result.note,
                boundaries={
                    boundary.name: boundary.reached
                    for boundary in report.boundaries
                    if result.invariant_id in boundary.invariants and not boundary.unreachable
                },
            )
            if result.counterexample is not None:
                self._take_property_counterexample(result, result.counterexample)
        exploration = report.exploration
        self.summaries["hypothesis"] = EngineSummary(
            "error" if report.engine_error else "ran",
            describe_error_text(report.engine_error),
            {
                "machine_runs": report.machine_runs,
                "examples": report.examples,
                "steps": report.steps,
                "explored_assignments": exploration.assignments if exploration else 0,
                "explored_states": exploration.states if exploration else 0,
                "boundaries": [
                    {
                        "name": boundary.name,
                        "section": boundary.section,
                        "invariants": list(boundary.invariants),
                        "reached": boundary.reached,
                        "examples": boundary.examples,
                        "unreachable": boundary.unreachable,
                    }
                    for boundary in report.boundaries
                ],
            },
        )

    def _take_property_counterexample(
        self, result: InvariantResult, counterexample: Counterexample
    ) -> None:
        invariant_id = result.invariant_id
        trace_path = _trace_path(invariant_id, "hypothesis")
        regression_path = _regression_path(invariant_id, "hypothesis")
        if counterexample.source in ("machine", "database"):
            trace = traces.machine_trace(counterexample, params=self.params, profile=self.profile)
            regression = counterexample.regression_test
        else:
            trace = traces.exploration_trace(counterexample)
            regression = regressions.exploration_regression(
                invariant_id,
                counterexample,
                params=self.params,
                profile_name=self.profile.name,
                max_nodes=self.effort.explore_max_nodes,
                seed=self.options.seed,
            )
        self.artifacts[trace_path] = traces.dump_itf(trace)
        if regression is not None:
            self.artifacts[regression_path] = regression
        self.add_counterexample(
            invariant_id,
            CounterexampleRow(
                engine="hypothesis",
                source=counterexample.source,
                detail=counterexample.detail,
                steps=counterexample.steps,
                values={},
                trace=trace_path,
                regression=regression_path if regression is not None else None,
            ),
        )

    # --- Z3 ------------------------------------------------------------------------------------

    def take_proofs(self, results: tuple[ProofResult, ...]) -> None:
        for result in results:
            invariant_id = result.invariant_id
            # The deciding query keeps the plain name; every other query is named by its mode,
            # and by its place among the queries of that mode when a plan has several.
            smt2_path = f"smt2/{invariant_id}.smt2"
            plan = result.get_queries()
            deciding_query = next(
                (
                    query
                    for query in plan
                    if query.mode is result.mode and query.query_sha256 == result.query_sha256
                ),
                next((query for query in plan if query.mode is result.mode), None),
            )
            modes = [query.mode for query in plan]
            queries = []
            for index, query in enumerate(plan):
                deciding = query is deciding_query
                suffix = query.mode.value
                if modes.count(query.mode) > 1:
                    suffix += f".{modes[: index + 1].count(query.mode)}"
                path = smt2_path if deciding else f"smt2/{invariant_id}.{suffix}.smt2"
                self.artifacts[path] = query.smt2
                queries.append(
                    Z3Query(
                        mode=query.mode.value,
                        verdict=query.status.value,
                        logic=query.logic,
                        smt2=path,
                        smt2_sha256=query.query_sha256,
                    )
                )
            self.z3[invariant_id] = Z3Evidence(
                verdict=result.status.value,
                solver=result.solver,
                logic=result.logic,
                claim=result.statement,
                reason=result.reason,
                smt2=smt2_path,
                smt2_sha256=result.query_sha256,
                queries=tuple(queries),
            )
            spent = sum(query.milliseconds for query in result.get_queries())
            self.timings.setdefault("z3_milliseconds", {})[invariant_id] = spent
            if result.status is ProofStatus.REFUTED:
                self._take_refutation(result)
        self.summaries["z3"] = EngineSummary(
            "ran", "", {"solver": get_solver_version(), "proofs": len(results)}
        )

    def _take_refutation(self, result: ProofResult) -> None:
        invariant_id = result.invariant_id
        trace_path = _trace_path(invariant_id, "z3")
        regression_path = _regression_path(invariant_id, "z3")
        self.artifacts[trace_path] = traces.dump_itf(traces.proof_trace(result))
        self.artifacts[regression_path] = regressions.proof_regression(
            result, params=self.params, profile_name=self.profile.name
        )
        values = dict(result.counterexample)
        shown = ", ".join(f"{name} = {value}" for name, value in result.counterexample)
        detail = f"refuted for {shown}" if shown else "refuted"
        self.add_counterexample(
            invariant_id,
            CounterexampleRow(
                engine="z3",
                source="proof",
                detail=detail + describe_coherence_rule(values, self.changes),
                steps=(),
                values=values,
                trace=trace_path,
                regression=regression_path,
            ),
        )

    # --- executor ------------------------------------------------------------------------------

    def take_executor(self, run: ExecutorRun, ids: tuple[str, ...]) -> None:
        for result in run.results:
            if result.invariant_id not in ids:
                continue
            self.executor[result.invariant_id] = ExecutorEvidence(
                verdict=result.verdict,
                scenarios=result.scenarios,
                observations=result.observations,
                violations=result.violations,
            )
            if result.counterexample is not None:
                self._take_grounding_counterexample(result)
        self.summaries["executor"] = EngineSummary(
            "ran",
            "",
            {
                "scenarios": run.scenarios,
                "rounds": run.rounds,
                "node_faults": dict(run.node_faults),
                "isolation": {
                    "mode": run.isolation.mode,
                    "contained": run.isolation.contained,
                    "missing": list(run.isolation.missing),
                    "description": run.isolation.describe(),
                },
            },
        )

    def _take_grounding_counterexample(self, result: ExecutorResult) -> None:
        counterexample = result.counterexample
        assert counterexample is not None
        invariant_id = result.invariant_id
        trace_path = _trace_path(invariant_id, "executor")
        regression_path = _regression_path(invariant_id, "executor")
        self.artifacts[trace_path] = traces.dump_itf(traces.executor_trace(counterexample))
        self.artifacts[regression_path] = regressions.executor_regression(
            counterexample,
            params=self.params,
            profile_name=self.profile.name,
            seed=self.options.seed,
        )
        self.add_counterexample(
            invariant_id,
            CounterexampleRow(
                engine="executor",
                source="grounding",
                detail=counterexample.detail,
                steps=tuple(counterexample.description.splitlines()),
                values={},
                trace=trace_path,
                regression=regression_path,
            ),
        )

    # --- failures of a whole engine ------------------------------------------------------------

    def engine_failed(self, engine: str, ids: tuple[str, ...], reason: str) -> None:
        """Every invariant `engine` was to check becomes `error`, with the reason."""
        for invariant_id in ids:
            if engine == "hypothesis":
                self.hypothesis[invariant_id] = HypothesisEvidence("error", 0, 0, 0, reason)
            elif engine == "z3":
                self.z3[invariant_id] = Z3Evidence(
                    "error", get_solver_version(), "", "", reason, None, None
                )
            else:
                self.executor[invariant_id] = ExecutorEvidence("error", 0, 0, 0)
        self.summaries[engine] = EngineSummary("error", reason, {})

    def evidence_of(self, engine: str) -> Mapping[str, Any]:
        """Invariant ID -> `engine`'s evidence so far."""
        found: dict[str, Mapping[str, Any]] = {
            "hypothesis": self.hypothesis,
            "z3": self.z3,
            "executor": self.executor,
        }
        return found[engine]

    def rows(self, ids: tuple[str, ...]) -> tuple[InvariantRow, ...]:
        rows = []
        for invariant in CATALOGUE:
            if invariant.id not in ids:
                continue
            evidence = EngineEvidence(
                hypothesis=self.hypothesis.get(invariant.id),
                z3=self.z3.get(invariant.id),
                executor=self.executor.get(invariant.id),
            )
            found = self.counterexamples.get(invariant.id, [])
            found.sort(key=lambda row: ENGINE_NAMES.index(row.engine))
            rows.append(
                InvariantRow(
                    id=invariant.id,
                    section=invariant.section,
                    statement=invariant.statement,
                    verdict=decide_invariant(evidence.verdicts()),
                    engines=evidence,
                    counterexamples=tuple(found),
                )
            )
        return tuple(rows)


def describe_error_text(text: str) -> str:
    """An error as one line of at most 500 characters."""
    return " ".join(text.split())[:500]
