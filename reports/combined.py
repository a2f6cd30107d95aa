"""The files that cover several inputs checked in one run: one SARIF log, one JUnit file and one
step summary, beside the report folder each input has of its own.

Each input keeps its identity in every file: a SARIF run with its own `automationDetails.id`
(so code scanning files each under its own category), a JUnit suite named by its label, a
summary section headed by it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reports.github import render_step_summaries
from reports.junit import render_junit_suites
from reports.sarif import RUNS_PER_LOG, render_sarif_logs


def get_sarif_names(count: int) -> list[str]:
    """The SARIF files of `count` inputs: report.sarif, then report-2.sarif, ... when there are
    more inputs than GitHub takes runs in one upload (`RUNS_PER_LOG`)."""
    files = max(1, -(-count // RUNS_PER_LOG))
    return ["report.sarif", *(f"report-{number}.sarif" for number in range(2, files + 1))]


def render_combined(
    documents: Sequence[Mapping[str, Any]],
    labels: Sequence[str],
    *,
    sarif_root: Path | None,
) -> dict[str, str]:
    """report.sarif (a run per input), junit.xml (a suite per input) and summary.md (a section
    per input), for inputs named by `labels` (the paths as the user gave them), in order."""
    if len(documents) != len(labels):
        raise ValueError(f"{len(documents)} reports but {len(labels)} labels")
    logs = render_sarif_logs(documents, labels, sarif_root=sarif_root)
    return {
        **dict(zip(get_sarif_names(len(documents)), logs, strict=True)),
        "junit.xml": render_junit_suites(documents, labels),
        "summary.md": render_step_summaries(documents, labels),
    }
