"""The report as JUnit XML (`junit.xml`): one test suite per input, one test case per invariant.

The XML follows the Jenkins xunit plugin's schema (junit-10.xsd), which most CI dashboards read:
a failing invariant is a `<failure>` carrying its counterexamples, an inconclusive one an
`<error>` (the check could not decide, which is not a pass), a not-applicable one `<skipped>`.
An invariant's evidence goes in its `<system-out>`, the input's in the suite's `<properties>`.
Times come from the report's `timings` only (no timestamps), so two renderings of one report are
the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from reports.markdown import (
    describe_failure,
    describe_reasons,
    describe_verdict,
    get_exit_code,
    get_reasons,
)
from reports.sarif import get_label, normalize_labels

SUITE_NAME = "stratoverify"
"""The name of `<testsuites>`; each `<testsuite>` is named by its input."""

STEPS_SHOWN = 200
"""A failure lists at most this many steps of a counterexample; the trace has them all."""

# XML 1.0 cannot carry these characters at all, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: object) -> str:
    """`text` with every character XML 1.0 forbids written as a visible `\\xNN` escape."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", str(text))


def _format_steps(steps: Sequence[object]) -> list[str]:
    lines = [f"    {step}" for step in steps[:STEPS_SHOWN]]
    if len(steps) > STEPS_SHOWN:
        lines.append(f"    ... {len(steps) - STEPS_SHOWN} more steps: see the trace")
    return lines


def format_counterexamples(row: Mapping[str, Any]) -> str:
    """Every counterexample of an invariant as plain text: detail, steps, values and files."""
    blocks = []
    for example in row.get("counterexamples") or []:
        lines = [f"{example.get('engine', '?')} ({example.get('source', '?')}): "]
        lines[0] += str(example.get("detail", ""))
        steps = example.get("steps") or []
        if steps:
            lines += ["  steps:", *_format_steps(steps)]
        values = example.get("values") or {}
        if values:
            lines.append("  values: " + ", ".join(f"{k}={v}" for k, v in values.items()))
        lines += [f"  {key}: {example[key]}" for key in ("trace", "regression") if example.get(key)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) or describe_failure(row)


def _add_properties(parent: ET.Element, pairs: Sequence[tuple[str, object]]) -> None:
    properties = ET.SubElement(parent, "properties")
    for name, value in pairs:
        ET.SubElement(properties, "property", name=_xml(name), value=_xml(value))


def _suite_properties(document: Mapping[str, Any]) -> list[tuple[str, object]]:
    inputs = document["inputs"]
    pairs: list[tuple[str, object]] = [
        ("verdict", document["verdict"]),
        ("exit_code", get_exit_code(document)),
    ]
    for key in ("source", "kind", "profile", "effort", "seed", "params_sha256", "input_sha256"):
        if inputs.get(key) is not None:
            pairs.append((key, inputs[key]))
    for change in inputs.get("changes") or []:
        pairs.append((f"change.{change['parameter']}", f"{change['base']} -> {change['value']}"))
    if document.get("content_sha256"):
        pairs.append(("content_sha256", document["content_sha256"]))
    for name, version in (document.get("versions") or {}).items():
        pairs.append((f"version.{name}", version))
    return pairs


def format_time(seconds: float) -> str:
    """Seconds as the schema's SUREFIRE_TIME: digits, a point, at most three decimals."""
    return f"{max(seconds, 0.0):.3f}"


def get_case_seconds(document: Mapping[str, Any], invariant_id: str) -> float:
    """The engines' time spent on one invariant, where the report records it per invariant
    (the solver's milliseconds); the other engines time a whole run, not an invariant."""
    timings = document.get("timings") or {}
    milliseconds = (timings.get("z3_milliseconds") or {}).get(invariant_id, 0)
    return float(milliseconds) / 1000


def get_suite_seconds(document: Mapping[str, Any]) -> float:
    """The whole check's time (`timings.total`), or 0 when the report has none."""
    return float((document.get("timings") or {}).get("total") or 0)


def _evidence(row: Mapping[str, Any]) -> str:
    lines = [
        f"section: {row.get('section', '')}",
        f"statement: {row.get('statement', '')}",
        f"verdict: {row['verdict']}",
    ]
    lines += [
        f"{engine}: {describe_verdict(engine, evidence)}"
        for engine, evidence in row["engines"].items()
    ]
    return "\n".join(lines)


def _case(
    suite: ET.Element, document: Mapping[str, Any], row: Mapping[str, Any], label: str
) -> None:
    classname = f"{SUITE_NAME}.{document['inputs'].get('profile', 'default')}"
    case = ET.SubElement(
        suite,
        "testcase",
        name=_xml(f"{row['id']} [{label}]"),
        classname=_xml(classname),
        time=format_time(get_case_seconds(document, row["id"])),
    )
    verdict = row["verdict"]
    if verdict == "fail":
        failure = ET.SubElement(
            case, "failure", message=_xml(describe_failure(row)), type="invariant-fails"
        )
        failure.text = _xml(format_counterexamples(row))
    elif verdict == "inconclusive":
        error = ET.SubElement(
            case, "error", message=_xml(describe_reasons(row)), type="inconclusive"
        )
        lines = ["Not a pass: an engine could not decide this invariant.", *get_reasons(row)]
        error.text = _xml("\n".join(lines))
    elif verdict == "not-applicable":
        ET.SubElement(case, "skipped", message=_xml(describe_reasons(row)))
    ET.SubElement(case, "system-out").text = _xml(_evidence(row))


def _counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    return {
        "tests": len(rows),
        "failures": sum(row["verdict"] == "fail" for row in rows),
        "errors": sum(row["verdict"] == "inconclusive" for row in rows),
        "skipped": sum(row["verdict"] == "not-applicable" for row in rows),
    }


def _suite(root: ET.Element, document: Mapping[str, Any], label: str) -> None:
    rows = document["invariants"]
    attributes = {
        "name": _xml(label),
        **{name: str(value) for name, value in _counts(rows).items()},
        "time": format_time(get_suite_seconds(document)),
    }
    suite = ET.SubElement(root, "testsuite", attributes)
    _add_properties(suite, [("input", label), *_suite_properties(document)])
    for row in rows:
        _case(suite, document, row, label)


def render_junit_suites(documents: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> str:
    """JUnit XML with one `<testsuite>` per input, named by its label, and one `<testcase>` per
    invariant named `ID [label]`, so no two inputs share a test name."""
    if len(documents) != len(labels):
        raise ValueError(f"{len(documents)} reports but {len(labels)} labels")
    totals = _counts([row for document in documents for row in document["invariants"]])
    seconds = sum(get_suite_seconds(document) for document in documents)
    root = ET.Element(
        "testsuites",
        name=SUITE_NAME,
        time=format_time(seconds),
        tests=str(totals["tests"]),
        failures=str(totals["failures"]),
        errors=str(totals["errors"]),
    )
    for document, label in zip(documents, normalize_labels(labels), strict=True):
        _suite(root, document, label)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def render_junit(document: Mapping[str, Any]) -> str:
    """The report as JUnit XML: one `<testsuite>` named by the input, a `<testcase>` per
    invariant."""
    return render_junit_suites([document], [get_label(document)])
