"""The files `diff --out` writes: diff.json, diff.md, the four before/after plots as SVG files,
and diff.html, one self-contained page with the same tables and the plots inline.

Every value shown comes from the diff document (`reports.diff.diff_reports`) or is drawn from the
two reports' parameter sets (`reports.diff_plots`); a set whose shares do not add up is flagged
on the page as in the tables. The same documents give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from reports.diff import render_diff_markdown
from reports.diff_plots import DIFF_PLOT_FILES, render_diff_plots
from reports.html_markup import page
from reports.plots import Plot, format_bps, format_str, format_usd
from reports.report import dump_document

SVG_PROLOG = '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'

_CSS = """
body { font-family: system-ui, sans-serif; color: #1f2328; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.6rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.flag { color: #b3261e; font-weight: 600; }
.warning { border-left: 4px solid #b3261e; background: #fdf0ef; padding: 0.5rem 1rem; }
figure { margin: 1.5rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #444c56; font-size: 0.9rem; }
""".strip()


def render_diff_files(
    result_document: Mapping[str, Any],
    old_document: Mapping[str, Any],
    new_document: Mapping[str, Any],
) -> dict[str, str]:
    """diff.json, diff.md, diff.html and the plot files (`DIFF_PLOT_FILES`), by file name."""
    plots = render_diff_plots(result_document, old_document, new_document)
    files = {
        "diff.json": dump_document(result_document),
        "diff.md": render_diff_markdown(result_document) + _plot_links(),
        "diff.html": render_diff_html(result_document, plots),
    }
    by_id = {plot.id: plot for plot in plots}
    for plot_id, name in DIFF_PLOT_FILES:
        files[name] = SVG_PROLOG + by_id[plot_id].svg
    return files


def _plot_links() -> str:
    lines = ["", "## Plots", ""]
    lines += [f"![{plot_id.removeprefix('plot-')}]({name})" for plot_id, name in DIFF_PLOT_FILES]
    return "\n".join(lines) + "\n"


def _table(headers: Sequence[str], rows: Sequence[Sequence[tuple[str, bool]]]) -> str:
    """A table of (text, numeric) cells; every text is escaped here."""
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = [
        "<tr>"
        + "".join(
            f'<td class="num">{escape(text)}</td>' if numeric else f"<td>{_flag(text)}</td>"
            for text, numeric in row
        )
        + "</tr>"
        for row in rows
    ]
    return "\n".join(
        ["<table>", f"<thead><tr>{head}</tr></thead>", "<tbody>", *body, "</tbody>", "</table>"]
    )


def _flag(text: str) -> str:
    if "incoherent" in text:
        return f'<span class="flag">{escape(text)}</span>'
    return escape(text)


def _warning(document: Mapping[str, Any]) -> str:
    coherence = document.get("coherence") or {}
    items = [
        f"<li><strong>{side} incoherent: {escape(v['rule'])}</strong> (GOV-PARAMS): "
        f"{escape(v['message'])}; changed: {escape(', '.join(v['changed_keys']) or 'none')}</li>"
        for side in ("before", "after")
        if side in coherence
        for v in coherence[side]["violations"]
    ]
    if not items:
        return ""
    return (
        '<section class="warning"><h2>Warning: shares that do not add up</h2><ul>'
        + "".join(items)
        + "</ul><p>The payment split shows each part at its stated share and the remainder on "
        "a row of its own (unassigned_usd; negative: assigned beyond T), not as node profit."
        "</p></section>"
    )


def render_diff_html(document: Mapping[str, Any], plots: Sequence[Plot]) -> str:
    """The diff as one HTML page: no scripts, no external resources, the plots inline."""
    old, new = document["old"], document["new"]
    split = document["payment_split_usd_micro"]
    burn = document["burn_share_bps"]
    slash = document["slash_schedule_bps"]
    sections = [
        f"<h1>stratoverify diff: {escape(str(old['source']))} &rarr; "
        f"{escape(str(new['source']))}</h1>",
        f"<p>Verdict before: <strong>{escape(old['verdict'])}</strong>, after: "
        f"<strong>{escape(new['verdict'])}</strong>; exit code {document['exit_code']}.</p>",
        _warning(document),
        "<h2>Parameters that differ</h2>",
        _table(
            ("parameter", "before", "after", "flag"),
            [
                [
                    (p["parameter"], False),
                    (str(p["before"]), True),
                    (str(p["after"]), True),
                    (p.get("flag") or "", False),
                ]
                for p in document["parameters"]
            ],
        )
        if document["parameters"]
        else "<p>None: both sets are the same.</p>",
        f"<h2>Payment split of a {escape(format_usd(split['cost']))} cost</h2>",
        _table(
            ("part", "before", "after", "change", "flag"),
            [
                [
                    (p["name"], False),
                    (format_usd(p["before"]), True),
                    (format_usd(p["after"]), True),
                    (format_usd(p["delta"]), True),
                    (p.get("flag") or "", False),
                ]
                for p in split["parts"]
            ],
        ),
        "<h2>Burn share of total spend</h2>",
        _table(
            ("before", "after", "flag"),
            [
                [
                    (format_bps(burn["before"]), True),
                    (format_bps(burn["after"]), True),
                    (burn.get("flag") or "", False),
                ]
            ],
        ),
        *_supply_section(document.get("supply_effect_ustr")),
        "<h2>Slash rate of the k-th slash within one window</h2>",
        _table(
            ("", *(str(k + 1) for k in range(len(slash["before"])))),
            [
                [(side, False), *((format_bps(rate), True) for rate in slash[side])]
                for side in ("before", "after")
            ],
        ),
        "<h2>Verdicts that change</h2>",
        _table(
            ("invariant", "before", "after", "counterexample"),
            [
                [(v["id"], False), (v["before"], False), (v["after"], False), (v["detail"], False)]
                for v in document["verdicts"]
            ],
        )
        if document["verdicts"]
        else "<p>None: every invariant has the same verdict before and after.</p>",
        "<h2>Plots</h2>",
        *(
            f'<figure id="{escape(plot.id)}">\n{plot.svg}<figcaption>{escape(plot.caption)}'
            "</figcaption>\n</figure>"
            for plot in plots
        ),
    ]
    return page(f"stratoverify diff: {old['verdict']} \u2192 {new['verdict']}", _CSS, sections)


def _supply_section(supply: Mapping[str, Any] | None) -> list[str]:
    if not supply:
        return []
    return [
        "<h2>STR supply effect (projection)</h2>",
        _table(
            ("year", "before (STR)", "after (STR)", "change (ustr)", "flag"),
            [
                [
                    (str(row["year"]), True),
                    (format_str(row["before"]), True),
                    (format_str(row["after"]), True),
                    (f"{row['delta']:+,}", True),
                    (row["flag"], False),
                ]
                for row in supply["years"]
            ],
        ),
        f"<p>Assumed: genesis supply {escape(format_str(supply['genesis_supply_ustr']))} STR, "
        f"{escape(format_bps(supply['yearly_spend_bps_of_supply']))} of the supply spent through "
        "the network each year, of which the burn share is burned; inflation per §6.9.</p>",
    ]
