"""The report as frozen records, and as the JSON document every rendering is made from.

`Report` holds one row per invariant with each engine's evidence and counterexamples; it is
built by `reports.check` and turned into `report.json`'s document by `to_document`, whose
`content_sha256` covers everything but the timings (docs/report-format.md). Renderers and
`reproduce` read that document, never the records, so a report on disk is all they need.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import attrs
from attrs import frozen

from reports.inputs import ParamChange

SCHEMA = "stratoverify/report/1"

PASS, FAIL, INCONCLUSIVE, NOT_APPLICABLE = "pass", "fail", "inconclusive", "not-applicable"
VERDICTS = (PASS, FAIL, INCONCLUSIVE, NOT_APPLICABLE)

EXIT_CODES = {PASS: 0, FAIL: 1, INCONCLUSIVE: 3}
"""The exit code of a report's verdict (2, bad input, never produces a report)."""

ENGINE_NAMES = ("hypothesis", "z3", "executor")
"""The engines, in the order their evidence and counterexamples are listed."""


class ReportFileError(ValueError):
    """Raised when a report file cannot be used: unreadable, invalid, or edited since it was
    written; the message is one line naming the file."""


_FAILING = frozenset({"fail", "refuted"})
_UNDECIDED = frozenset({"vacuous", "unknown", "error"})


@frozen
class BaseInputs:
    """The parameter set a proposal is applied over."""

    source: str
    params_sha256: str
    params: Mapping[str, Mapping[str, int]]


@frozen
class Inputs:
    """What was checked and how: enough to re-run the check exactly."""

    source: str
    kind: str
    input_sha256: str | None
    params_sha256: str
    params: Mapping[str, Mapping[str, int]]
    base: BaseInputs
    changes: tuple[ParamChange, ...]
    profile: str
    effort: str
    seed: int
    only: tuple[str, ...]
    engines: tuple[str, ...]
    functions: tuple[Mapping[str, str], ...] = ()
    """The user's own functions the executor grounded (`spec`, and a file's `sha256`)."""


@frozen
class CounterexampleRow:
    """One engine's counterexample to one invariant, with the files that replay it."""

    engine: str
    source: str
    """`machine`, `exploration`, `proof` or `grounding`."""
    detail: str
    steps: tuple[str, ...]
    values: Mapping[str, int | str]
    trace: str | None
    regression: str | None


@frozen
class HypothesisEvidence:
    """The Hypothesis engine's verdict on one invariant."""

    verdict: str
    examples: int
    steps: int
    violations: int
    note: str
    boundaries: Mapping[str, int] = attrs.field(factory=dict)
    """Each boundary state this invariant needs (`properties.edges`) -> steps that reached it;
    one at 0 makes the verdict vacuous."""


@frozen
class Z3Query:
    """One query Z3 answered for an invariant: its parameter mode, answer and exported file."""

    mode: str
    """"all-params" (every parameter set in the domain) or "concrete" (the checked set)."""
    verdict: str
    logic: str
    smt2: str
    smt2_sha256: str


@frozen
class Z3Evidence:
    """The Z3 engine's verdict on one invariant, and the query an auditor re-runs.

    The top-level fields are the deciding query's (`solver.registry.decide`); `queries` lists
    every query of the invariant's plan, the deciding one included."""

    verdict: str
    solver: str
    logic: str
    claim: str
    reason: str
    smt2: str | None
    smt2_sha256: str | None
    queries: tuple[Z3Query, ...] = ()


@frozen
class ExecutorEvidence:
    """The executor engine's verdict on one invariant."""

    verdict: str
    scenarios: int
    observations: int
    violations: int


@frozen
class EngineEvidence:
    """Each engine's evidence on one invariant; None where the engine did not look."""

    hypothesis: HypothesisEvidence | None = None
    z3: Z3Evidence | None = None
    executor: ExecutorEvidence | None = None

    def verdicts(self) -> tuple[str, ...]:
        """The verdict of each engine that looked."""
        found = (self.hypothesis, self.z3, self.executor)
        return tuple(evidence.verdict for evidence in found if evidence is not None)


@frozen
class InvariantRow:
    """One invariant of the catalogue: its verdict, the engines' evidence, its counterexamples."""

    id: str
    section: str
    statement: str
    verdict: str
    engines: EngineEvidence
    counterexamples: tuple[CounterexampleRow, ...]


@frozen
class EngineSummary:
    """How one engine ran as a whole: `ran`, or `error` with the reason, and its figures."""

    verdict: str
    reason: str
    figures: Mapping[str, Any]


@frozen
class Report:
    """Everything one `check` found, times apart."""

    inputs: Inputs
    versions: Mapping[str, str]
    seeds: Mapping[str, int]
    engines: Mapping[str, EngineSummary]
    invariants: tuple[InvariantRow, ...]
    timings: Mapping[str, Any]
    keys: tuple[Mapping[str, Any], ...] = ()
    """One document per changed key (`reports.region.analyse_changes`): its constitution row
    and fit, its safe set with the other keys as proposed, and repairs."""
    keys_note: str = ""
    """Why some changed keys have no safe set (a time budget, the engines chosen), or empty."""

    @property
    def verdict(self) -> str:
        """`fail` if any invariant fails, else `inconclusive` if any is, else `pass`."""
        verdicts = {row.verdict for row in self.invariants}
        if FAIL in verdicts:
            return FAIL
        if INCONCLUSIVE in verdicts:
            return INCONCLUSIVE
        return PASS


def decide_invariant(engine_verdicts: tuple[str, ...]) -> str:
    """One invariant's verdict from its engines' verdicts (docs/report-format.md, Verdicts)."""
    if any(verdict in _FAILING for verdict in engine_verdicts):
        return FAIL
    if not engine_verdicts or any(verdict in _UNDECIDED for verdict in engine_verdicts):
        return INCONCLUSIVE
    if all(verdict == NOT_APPLICABLE for verdict in engine_verdicts):
        return NOT_APPLICABLE
    return PASS


def _plain(value: Any) -> Any:
    # attrs.asdict leaves Mappings as they are, so nested records inside them are walked here.
    if attrs.has(type(value)):
        return {
            field.name: _plain(getattr(value, field.name)) for field in attrs.fields(type(value))
        }
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


def _engines_document(evidence: EngineEvidence) -> dict[str, Any]:
    return {
        name: _plain(getattr(evidence, name))
        for name in ENGINE_NAMES
        if getattr(evidence, name) is not None
    }


def _invariant_document(row: InvariantRow) -> dict[str, Any]:
    counterexamples = [_plain(counterexample) for counterexample in row.counterexamples]
    return {
        "id": row.id,
        "section": row.section,
        "statement": row.statement,
        "verdict": row.verdict,
        "engines": _engines_document(row.engines),
        "counterexample": counterexamples[0] if counterexamples else None,
        "counterexamples": counterexamples,
    }


def canonical_json(value: object) -> bytes:
    """The bytes every hash in a report is taken over: compact JSON, keys in document order."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def compute_content_sha256(document: Mapping[str, Any]) -> str:
    """The hash of a report document without its own hash and its timings."""
    content = {k: v for k, v in document.items() if k not in ("content_sha256", "timings")}
    return hashlib.sha256(canonical_json(content)).hexdigest()


def inputs_document(inputs: Inputs) -> dict[str, Any]:
    """The `inputs` part of report.json's document."""
    document: dict[str, Any] = _plain(inputs)
    return document


def to_document(report: Report) -> dict[str, Any]:
    """The report as report.json's document, content hash included."""
    summary = {verdict: 0 for verdict in VERDICTS}
    for row in report.invariants:
        summary[row.verdict] += 1
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "verdict": report.verdict,
        "exit_code": EXIT_CODES[report.verdict],
        "inputs": inputs_document(report.inputs),
        "versions": dict(report.versions),
        "seeds": dict(report.seeds),
        "summary": summary,
        "engines": {
            name: {"verdict": engine.verdict, "reason": engine.reason, **_plain(engine.figures)}
            for name, engine in report.engines.items()
        },
        "invariants": [_invariant_document(row) for row in report.invariants],
        "keys": [_plain(key) for key in report.keys],
        "keys_note": report.keys_note,
    }
    document["content_sha256"] = compute_content_sha256(document)
    document["timings"] = _plain(report.timings)
    return document


def dump_document(document: Mapping[str, Any]) -> str:
    """report.json's text: indented, keys in document order, a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
