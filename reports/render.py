"""Every file of a report folder, rendered from the report document and the engines' artifacts.

One function, so `check`, `diff` and `reproduce` write the same folder the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reports.counterexample_tables import load_traces
from reports.html import render_html
from reports.junit import render_junit
from reports.markdown import render_markdown
from reports.plots import Plot
from reports.report import dump_document
from reports.sarif import render_sarif


def render_files(
    document: Mapping[str, Any],
    artifacts: Mapping[str, str],
    *,
    sarif_root: Path | None = None,
    plots: Sequence[Plot] | None = None,
) -> dict[str, str]:
    """report.json, report.md, report.html, junit.xml, report.sarif, and the artifacts.

    report.sarif's URIs are relative to `sarif_root` (`%SRCROOT%`), or to the current directory
    when it is None; an input outside it keeps an absolute file URI. `plots`: the HTML page's,
    drawn earlier (`reports.html.draw_report_plots`); None draws them here.
    """
    # The ITF traces hold the chain state after each step: the counterexample tables show the
    # values each failing invariant reads from them.
    traces = load_traces(artifacts)
    return {
        **artifacts,
        "report.md": render_markdown(document, traces=traces),
        "report.html": render_html(document, traces=traces, plots=plots),
        "junit.xml": render_junit(document),
        "report.sarif": render_sarif(document, sarif_root=sarif_root),
        "report.json": dump_document(document),
    }
