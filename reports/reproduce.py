"""`reproduce`: re-run the check a report records and say whether it finds the same things.

A report carries its full parameter set, its base, the profile, effort, seed and selection, so
the re-run needs nothing but the report. The report is first validated against its JSON Schema
(`reports/schema/report.schema.json`) and its own content hash, so an edited or truncated report
is refused rather than "reproduced". Reproduced means: the same invariants, each with the same
verdict from every engine, the same counterexamples and the same proof queries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from attrs import frozen
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from model.params import ParamsError
from properties.catalogue import INVARIANT_IDS
from reports.check import (
    CheckOptions,
    CheckRun,
    Progress,
    describe_function,
    get_params_sha256,
    get_versions,
    run_check,
)
from reports.inputs import InputError, LoadedParams, ParamChange, read_json_document
from reports.param_documents import parse_param_set
from reports.report import SCHEMA, ReportFileError, compute_content_sha256, to_document

REPRODUCE_SCHEMA = "stratoverify/reproduce/1"

MAX_REPORT_BYTES = 256 * 1024 * 1024
"""Reports carry whole counterexample traces, so they may be far larger than a parameter set."""


@frozen
class RecordedReport:
    """A validated report and the check it records."""

    path: Path
    document: Mapping[str, Any]
    loaded: LoadedParams
    options: CheckOptions


@frozen
class Reproduction:
    """The re-run, what differs from the recorded report, and the outcome as a document."""

    run: CheckRun
    differences: tuple[str, ...]
    document: dict[str, Any]
    text: str

    @property
    def identical(self) -> bool:
        """Every verdict, counterexample and proof query is the same."""
        return not self.differences


@cache
def get_report_validator() -> Draft202012Validator:
    """The validator of report.json's JSON Schema."""
    text = resources.files("reports").joinpath("schema/report.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def validate_report_document(document: object, *, where: str) -> Mapping[str, Any]:
    """`document` if it is a report of this schema; else a one-line `ReportFileError`."""
    if isinstance(document, Mapping) and document.get("schema") not in (None, SCHEMA):
        raise ReportFileError(
            f"{where}: schema {document.get('schema')!r} is not {SCHEMA!r}, which this "
            "stratoverify reproduces"
        )
    error = best_match(get_report_validator().iter_errors(document))
    if error is not None:
        place = "/".join(str(part) for part in error.absolute_path) or "the top level"
        message = " ".join(error.message.split())
        if len(message) > 160:
            message = message[:157] + "..."
        raise ReportFileError(f"{where}: not a stratoverify report at {place}: {message}")
    assert isinstance(document, Mapping)
    recorded_hash = document["content_sha256"]
    if compute_content_sha256(document) != recorded_hash:
        raise ReportFileError(
            f"{where}: content_sha256 does not match the content: the report was changed "
            "after it was written"
        )
    return document


def _recorded_functions(recorded: list[dict[str, str]], where: str) -> tuple[str, ...]:
    """The user's functions a report grounded, each file still holding the bytes it hashed."""
    specs = []
    for entry in recorded:
        spec = entry["spec"]
        location = spec.rpartition(":")[0]
        if location.endswith(".py"):
            try:
                now = describe_function(spec)
            except OSError as error:
                raise ReportFileError(
                    f"{where}: function {spec!r} cannot be read ({error.strerror or error})"
                ) from None
            if now["sha256"] != entry["sha256"]:
                raise ReportFileError(
                    f"{where}: function {spec!r} has changed since the report (sha256 "
                    f"{now['sha256'][:12]}..., the report has {entry['sha256'][:12]}...)"
                )
        specs.append(spec)
    return tuple(specs)


def load_report(path: Path) -> RecordedReport:
    """The report at `path`, validated, with the check it records."""
    where = str(path)
    try:
        raw = read_json_document(path, max_bytes=MAX_REPORT_BYTES)
    except InputError as error:
        raise ReportFileError(str(error)) from None
    document = validate_report_document(raw, where=where)
    inputs = document["inputs"]
    try:
        params = parse_param_set(inputs["params"])
        base = parse_param_set(inputs["base"]["params"])
    except ParamsError as error:
        raise ReportFileError(f"{where}: inputs: {error}") from None
    if get_params_sha256(params) != inputs["params_sha256"]:
        raise ReportFileError(f"{where}: inputs.params does not hash to inputs.params_sha256")
    unknown = [i for i in inputs["only"] if i not in INVARIANT_IDS]
    if unknown:
        raise ReportFileError(f"{where}: inputs.only names unknown invariant {unknown[0]!r}")
    loaded = LoadedParams(
        params=params,
        source=inputs["source"],
        kind=inputs["kind"],
        changes=tuple(ParamChange(**change) for change in inputs["changes"]),
        input_sha256=inputs["input_sha256"],
        base=base,
        base_source=inputs["base"]["source"],
    )
    functions = _recorded_functions(inputs.get("functions", []), where)
    options = CheckOptions(
        profile=inputs["profile"],
        effort=inputs["effort"],
        seed=inputs["seed"],
        only=tuple(inputs["only"]),
        engines=tuple(inputs["engines"]),
        functions=functions,
        function_paths=(str(Path.cwd()),) if functions else (),
    )
    return RecordedReport(path=path, document=document, loaded=loaded, options=options)


def _counterexample_key(counterexample: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        counterexample["engine"],
        counterexample["source"],
        counterexample["detail"],
        tuple(counterexample["steps"]),
        tuple(sorted(counterexample["values"].items())),
    )


def _query_hashes(evidence: Mapping[str, Any]) -> tuple[Any, ...]:
    """The deciding query's sha256 and each query's (mode, sha256), in the plan's order."""
    queries = tuple((query["mode"], query["smt2_sha256"]) for query in evidence.get("queries", ()))
    return (evidence.get("smt2_sha256"), queries)


def compare_reports(recorded: Mapping[str, Any], fresh: Mapping[str, Any]) -> tuple[str, ...]:
    """Every verdict, counterexample or proof query that differs, one line each."""
    differences = []
    if recorded["verdict"] != fresh["verdict"]:
        differences.append(f"verdict: recorded {recorded['verdict']}, now {fresh['verdict']}")
    old_rows = {row["id"]: row for row in recorded["invariants"]}
    new_rows = {row["id"]: row for row in fresh["invariants"]}
    for invariant_id in sorted(set(old_rows) ^ set(new_rows)):
        side = "recorded only" if invariant_id in old_rows else "re-run only"
        differences.append(f"{invariant_id}: {side}")
    for invariant_id, old in old_rows.items():
        new = new_rows.get(invariant_id)
        if new is None:
            continue
        if old["verdict"] != new["verdict"]:
            differences.append(
                f"{invariant_id}: verdict recorded {old['verdict']}, now {new['verdict']}"
            )
        for engine in sorted(set(old["engines"]) | set(new["engines"])):
            before = old["engines"].get(engine, {}).get("verdict", "absent")
            after = new["engines"].get(engine, {}).get("verdict", "absent")
            if before != after:
                differences.append(f"{invariant_id}: {engine} recorded {before}, now {after}")
        old_query = _query_hashes(old["engines"].get("z3", {}))
        new_query = _query_hashes(new["engines"].get("z3", {}))
        if old_query != new_query:
            differences.append(f"{invariant_id}: the Z3 query differs (sha256)")
        old_found = [_counterexample_key(c) for c in old["counterexamples"]]
        new_found = [_counterexample_key(c) for c in new["counterexamples"]]
        if old_found != new_found:
            engines = sorted({key[0] for key in set(old_found) ^ set(new_found)})
            differences.append(
                f"{invariant_id}: counterexample differs ({', '.join(engines) or 'order'})"
            )
    return tuple(differences)


def reproduce_report(recorded: RecordedReport, *, progress: Progress | None = None) -> Reproduction:
    """Re-run the recorded check and compare it with the record."""
    run = run_check(recorded.loaded, recorded.options, progress=progress)
    fresh = to_document(run.report)
    differences = compare_reports(recorded.document, fresh)
    versions_now = get_versions()
    versions_then = recorded.document["versions"]
    version_changes = {
        name: {"recorded": versions_then.get(name), "now": version}
        for name, version in versions_now.items()
        if versions_then.get(name) != version
    }
    same_hash = fresh["content_sha256"] == recorded.document["content_sha256"]
    document = {
        "schema": REPRODUCE_SCHEMA,
        "report": str(recorded.path),
        "identical": not differences,
        "invariants": len(fresh["invariants"]),
        "content_sha256": {
            "recorded": recorded.document["content_sha256"],
            "reproduced": fresh["content_sha256"],
            "same": same_hash,
        },
        "versions_changed": version_changes,
        "differences": list(differences),
    }
    return Reproduction(
        run=run, differences=differences, document=document, text=_render_text(document)
    )


def _render_text(document: Mapping[str, Any]) -> str:
    lines = []
    hashes = document["content_sha256"]
    if document["identical"]:
        lines.append(
            f"reproduced: {document['report']}: all {document['invariants']} invariants have the "
            "same verdicts, counterexamples and proof queries"
        )
    else:
        lines.append(
            f"NOT reproduced: {document['report']}: {len(document['differences'])} differences"
        )
        lines.extend(f"  {line}" for line in document["differences"])
    lines.append(
        "content hash: "
        + (
            "identical"
            if hashes["same"]
            else f"{hashes['recorded']} recorded, {hashes['reproduced']} now"
        )
    )
    for name, change in document["versions_changed"].items():
        lines.append(f"version of {name}: recorded {change['recorded']}, now {change['now']}")
    return "\n".join(lines) + "\n"
