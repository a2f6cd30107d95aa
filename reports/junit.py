"""The report as JUnit XML (`junit.xml`): one test case per invariant, for CI test dashboards.

A failing invariant is a `<failure>` carrying its counterexamples, an inconclusive one an
`<error>` (the check could not decide, which is not a pass), a not-applicable one `<skipped>`.
No timestamps or durations, so the same report always renders the same bytes.
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

SUITE_NAME = "stratoverify"

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


def _case(suite: ET.Element, row: Mapping[str, Any], classname: str) -> None:
    case = ET.SubElement(suite, "testcase", classname=_xml(classname), name=_xml(row["id"]))
    pairs: list[tuple[str, object]] = [
        ("section", row.get("section", "")),
        ("statement", row.get("statement", "")),
        ("verdict", row["verdict"]),
    ]
    pairs += [
        (engine, describe_verdict(engine, evidence)) for engine, evidence in row["engines"].items()
    ]
    _add_properties(case, pairs)
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


def render_junit(document: Mapping[str, Any]) -> str:
    """The report as JUnit XML: one `<testcase>` per invariant, no timestamps."""
    rows = document["invariants"]
    counts = {
        "tests": len(rows),
        "failures": sum(row["verdict"] == "fail" for row in rows),
        "errors": sum(row["verdict"] == "inconclusive" for row in rows),
        "skipped": sum(row["verdict"] == "not-applicable" for row in rows),
    }
    attributes = {"name": SUITE_NAME, **{name: str(value) for name, value in counts.items()}}
    root = ET.Element("testsuites", attributes)
    suite = ET.SubElement(root, "testsuite", attributes)
    _add_properties(suite, _suite_properties(document))
    classname = f"{SUITE_NAME}.{document['inputs'].get('profile', 'default')}"
    for row in rows:
        _case(suite, row, classname)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
