"""The report as a few lines for a terminal: one line per invariant, the failures in full.

This is what `stratoverify check` prints when neither `--json` nor a CI reads its stdout; the
files in `--out` carry everything else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reports.markdown import describe_evidence
from reports.sarif import normalize_labels


def describe_engines(row: Mapping[str, Any]) -> str:
    """`hypothesis: pass (250 examples, 1200 steps); z3: proved (QF_LIA)` for one invariant."""
    return "; ".join(describe_evidence(name, evidence) for name, evidence in row["engines"].items())


def render_summary(document: Mapping[str, Any]) -> str:
    """The verdict, one line per invariant, and each counterexample's detail and first steps."""
    inputs = document["inputs"]
    lines = [
        f"stratoverify check: {inputs['source']} ({inputs['kind']}), profile {inputs['profile']}, "
        f"effort {inputs['effort']}, seed {inputs['seed']}",
    ]
    for change in inputs["changes"]:
        lines.append(f"  changes {change['parameter']}: {change['base']} -> {change['value']}")
    lines.append("")
    width = max((len(row["id"]) for row in document["invariants"]), default=0)
    for row in document["invariants"]:
        lines.append(f"{row['verdict'].upper():<14} {row['id']:<{width}}  {describe_engines(row)}")
    for row in document["invariants"]:
        for counterexample in row["counterexamples"]:
            lines.append("")
            lines.append(f"{row['id']} ({counterexample['engine']}): {counterexample['detail']}")
            steps = counterexample["steps"]
            lines.extend(f"    {step}" for step in steps[:12])
            if len(steps) > 12:
                lines.append(f"    ... {len(steps) - 12} more steps in the report")
    summary = ", ".join(f"{count} {name}" for name, count in document["summary"].items() if count)
    lines.append("")
    lines.append(f"verdict: {document['verdict']} ({summary}); exit code {document['exit_code']}")
    return "\n".join(lines) + "\n"


def render_summaries(documents: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> str:
    """Each input's summary under a `== label ==` line, then one verdict line per input."""
    if len(documents) != len(labels):
        raise ValueError(f"{len(documents)} reports but {len(labels)} labels")
    names = normalize_labels(labels)
    blocks = [
        f"== {name} ==\n{render_summary(document)}"
        for document, name in zip(documents, names, strict=True)
    ]
    width = max((len(name) for name in names), default=0)
    verdicts = [
        f"{name:<{width}}  {document['verdict']} (exit code {document['exit_code']})"
        for document, name in zip(documents, names, strict=True)
    ]
    return "\n".join([*blocks, f"{len(documents)} inputs:", *verdicts]) + "\n"
