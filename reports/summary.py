"""The report as a few lines for a terminal: one line per invariant, the failures in full.

This is what `stratoverify check` prints when neither `--json` nor a CI reads its stdout; the
files in `--out` carry everything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.markdown import describe_evidence


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
