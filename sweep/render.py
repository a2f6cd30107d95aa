"""The sweep report as Markdown (sweep.md) and as one self-contained HTML page (sweep.html).

Both read only the sweep document: the summary, how many points fail each invariant, the safety
maps (drawn inline in the page; listed by title in Markdown), every point sorted by its margin
(`sweep.margins`) with a link to its own check report, and every counterexample grouped by
invariant. Every string from the document is escaped by the check report's own escaping, links go
only to plain relative paths, and the same document gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from reports.html import _CSS as CHECK_REPORT_CSS  # the check report's page style, shared
from reports.html_markup import anchor, badge, invariant_id, is_relative_path, key_value_table, page
from reports.html_markup import code as html_code
from reports.html_markup import table as html_table
from reports.html_markup import text as html_text
from reports.markdown import VERDICT_MARKS
from reports.markdown_text import code_span, escape_cell, shorten
from reports.markdown_text import table as markdown_table
from reports.plots import Plot
from sweep.margins import (
    SweepReportError,
    compute_margins,
    get_swept_values,
    get_value,
    get_verdict,
    order_by_margin,
)
from sweep.plots import MapPlan, plan_maps, render_sweep_plots

HTML_ROW_LIMIT = 2_000
"""The page's table of points shows at most this many rows; sweep.json and sweep.md have all."""

VALUES_CHARS = 200
"""A key's list of swept values is cut to this many characters."""

_CSS = (
    CHECK_REPORT_CSS
    + "\n"
    + """
td.margin { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
p.counts .verdict { margin-right: 0.25rem; }
ul.cx li { margin: 0.35rem 0; }
""".strip()
)

MARGIN_NOTE = (
    "Margin: grid steps (on the key that differs most, counting each key's swept values) to the "
    "nearest point of the other verdict; positive for a pass, negative for a fail, none when no "
    "point of the other verdict exists or the point is inconclusive."
)


@frozen
class Example:
    """One counterexample with the point it was found at."""

    point: Mapping[str, Any]
    example: Mapping[str, Any]


@frozen
class SweepView:
    """What both renderings show, read once from the sweep document."""

    keys: tuple[str, ...]
    points: tuple[Mapping[str, Any], ...]
    """In the order of the table: by margin (`sweep.margins.order_by_margin`)."""
    margins: Mapping[int, int | None]
    invariants: tuple[tuple[str, int, int], ...]
    """Each invariant with how many points fail it and how many leave it undecided."""
    examples: tuple[tuple[str, tuple[Example, ...]], ...]
    """Each invariant with a counterexample, and its counterexamples in point order."""
    counts: Mapping[str, int]
    """How many points pass, fail and are inconclusive."""


def read_view(document: Mapping[str, Any]) -> SweepView:
    """The rows of both renderings of `document`, its margins computed from its points."""
    try:
        keys = tuple(str(key) for key in document["keys"])
        points: Sequence[Mapping[str, Any]] = document["points"]
        catalogue = [str(name) for name in document.get("invariants") or []]
    except (KeyError, TypeError) as error:
        raise SweepReportError(f"sweep document: missing or malformed {error}") from None
    margins = compute_margins(keys, points)
    by_index = {int(point["index"]): point for point in points}
    ordered = tuple(by_index[index] for index in order_by_margin(points, margins))
    named = [str(name) for point in points for name in point.get("failing") or []]
    named += [str(name) for point in points for name in point.get("inconclusive") or []]
    named += [str(e.get("id")) for point in points for e in point.get("counterexamples") or []]
    ids = catalogue + sorted(set(named) - set(catalogue))
    invariants = tuple(
        (
            name,
            sum(1 for point in points if name in (point.get("failing") or [])),
            sum(1 for point in points if name in (point.get("inconclusive") or [])),
        )
        for name in ids
    )
    grouped: dict[str, list[Example]] = {name: [] for name in ids}
    for point in points:
        for example in point.get("counterexamples") or []:
            grouped[str(example.get("id"))].append(Example(point=point, example=example))
    counts = {"pass": 0, "fail": 0, "inconclusive": 0}
    for point in points:
        counts[get_verdict(point)] += 1
    return SweepView(
        keys=keys,
        points=ordered,
        margins=margins,
        invariants=invariants,
        examples=tuple((name, tuple(found)) for name, found in grouped.items() if found),
        counts=counts,
    )


def describe_run(document: Mapping[str, Any]) -> str:
    """The heading's words: `9 points (profile hardened, effort quick, engines z3)`."""
    spec: Mapping[str, Any] = document.get("spec") or {}
    total = len(document["points"])
    engines = ", ".join(str(name) for name in spec.get("engines") or []) or "none"
    return (
        f"{total} point{'s' if total != 1 else ''} (profile {spec.get('profile')}, effort "
        f"{spec.get('effort')}, engines {engines})"
    )


def format_margin(margin: int | None) -> str:
    """A margin with its sign (`+2`, `-1`, `0`), or a dash when there is none."""
    if margin is None:
        return "—"
    return f"+{margin}" if margin > 0 else str(margin)


def describe_point(point: Mapping[str, Any], keys: Sequence[str]) -> str:
    """`point 3 (payment.str_burn_bps = 500, ...)`, unescaped."""
    values = ", ".join(f"{key} = {get_value(point, key)}" for key in keys)
    return f"point {point.get('index')} ({values})"


def describe_source(example: Mapping[str, Any]) -> str:
    """Which engine found a counterexample and how, unescaped."""
    source = example.get("source")
    how = "from the example database" if source == "database" else str(source)
    return f"{example.get('engine')} ({how})"


def get_report_path(point: Mapping[str, Any], name: str) -> str | None:
    """The path of the point's own `name` (report.md, report.html), if its folder is a plain
    relative path."""
    folder = point.get("folder")
    if isinstance(folder, str) and is_relative_path(folder):
        return f"{folder}/{name}"
    return None


def _describe_axes(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each swept key and its values as text: the swept distinct values, or the drawn range."""
    keys = [str(key) for key in document["keys"]]
    swept = get_swept_values(keys, document["points"])
    rows = []
    for key in keys:
        values = swept[key]
        shown = shorten(", ".join(str(value) for value in values), VALUES_CHARS)
        rows.append((key, f"{len(values)} value{'s' if len(values) != 1 else ''}: {shown}"))
    return rows


def _describe_spec(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    spec: Mapping[str, Any] = document.get("spec") or {}
    sample = spec.get("sample")
    only = spec.get("only") or []
    rows = [
        ("profile", str(spec.get("profile"))),
        ("effort", str(spec.get("effort"))),
        ("seed", str(spec.get("seed"))),
        ("engines", ", ".join(str(name) for name in spec.get("engines") or [])),
        ("invariants", ", ".join(str(name) for name in only) if only else "every invariant"),
        ("base", _describe_base(spec.get("base"))),
        (
            "points",
            f"a sample of {sample.get('count')} (seed {sample.get('seed')})"
            if isinstance(sample, Mapping)
            else "every combination (grid)",
        ),
        ("regions", "proved for each pair" if spec.get("regions") else "not computed"),
        ("spec sha256", str(document.get("spec_sha256"))),
    ]
    timings, workers = document.get("timings"), document.get("workers")
    if isinstance(timings, Mapping) and isinstance(timings.get("total_seconds"), int | float):
        rows.append(("total seconds", f"{timings['total_seconds']:.1f}"))
    if isinstance(workers, Mapping) and isinstance(workers.get("count"), int):
        rows.append(("workers", str(workers["count"])))
    return rows


# --- Markdown ------------------------------------------------------------------------------------


def _describe_base(base: Any) -> str:
    """The sweep's base: the whitepaper defaults, or a parameter set named by its hash."""
    if isinstance(base, Mapping):
        digest = str(base.get("params_sha256", ""))[:12]
        return f"{base.get('source', 'parameter set')} (parameters sha256 {digest})"
    return str(base) if base else "whitepaper defaults"


def render_markdown(document: Mapping[str, Any]) -> str:
    """The sweep report as GitHub-flavoured Markdown: every point, the maps left to sweep.html."""
    view = read_view(document)
    plans = plan_maps(document)
    lines = [
        f"# stratoverify sweep: {escape_cell(describe_run(document))}",
        "",
        " · ".join(
            f"{VERDICT_MARKS[verdict]} {view.counts[verdict]} {verdict}"
            for verdict in ("fail", "inconclusive", "pass")
        ),
        "",
        "## Sweep",
        "",
        *markdown_table(
            ["setting", "value"],
            [[escape_cell(name), escape_cell(value)] for name, value in _describe_spec(document)],
        ),
        "",
        *markdown_table(
            ["swept key", "values"],
            [[code_span(key), escape_cell(value)] for key, value in _describe_axes(document)],
        ),
        "",
        "## Invariants",
        "",
        *markdown_table(
            ["invariant", "failing points", "inconclusive points"],
            [
                [code_span(name), str(fail), str(undecided)]
                for name, fail, undecided in view.invariants
            ],
            numeric=(1, 2),
        ),
        "",
        "## Safety maps",
        "",
        *_markdown_maps(plans),
        "## Points",
        "",
        f"Passing points first, the farthest from a failure first. {MARGIN_NOTE}",
        "",
        *_markdown_points(view),
        "",
        *_markdown_examples(view),
        "---",
        "",
        f"Schema {code_span(document.get('schema'))}, content sha256 "
        f"{code_span(document.get('content_sha256'))}; sweep.json holds every field.",
    ]
    return "\n".join(lines) + "\n"


def _markdown_maps(plans: Sequence[MapPlan]) -> list[str]:
    if not plans:
        return ["No point, so no map.", ""]
    notes = dict.fromkeys(plan.left_out for plan in plans if plan.left_out)
    return [
        "The maps are drawn in sweep.html:",
        "",
        *(f"- {escape_cell(plan.title)}" for plan in plans),
        "",
        *(f"_{escape_cell(note)}_" for note in notes),
        *([""] if notes else []),
    ]


def _markdown_points(view: SweepView) -> list[str]:
    rows = []
    for point in view.points:
        path = get_report_path(point, "report.md")
        verdict = str(point["verdict"])
        rows.append(
            [
                str(point["index"]),
                *(escape_cell(get_value(point, key)) for key in view.keys),
                f"{VERDICT_MARKS[verdict]} {verdict}",
                format_margin(view.margins.get(int(point["index"]))),
                escape_cell(", ".join(str(name) for name in point.get("failing") or [])),
                escape_cell(", ".join(str(name) for name in point.get("inconclusive") or [])),
                f"[report]({path})" if path else escape_cell(point.get("folder")),
            ]
        )
    headers = ["#", *(code_span(key) for key in view.keys), "verdict", "margin", "failing"]
    return markdown_table(
        [*headers, "inconclusive", "report"],
        rows,
        numeric=(0, *range(1, len(view.keys) + 1), len(view.keys) + 2),
    )


def _markdown_examples(view: SweepView) -> list[str]:
    if not view.examples:
        return ["## Counterexamples", "", "No engine found a counterexample at any point.", ""]
    lines = ["## Counterexamples", ""]
    for name, found in view.examples:
        lines += [f"### {escape_cell(name)}", ""]
        for item in found:
            trace = item.example.get("trace")
            link = (
                f" ([trace]({trace}))"
                if isinstance(trace, str) and is_relative_path(trace)
                else (f" (trace {code_span(trace)})" if trace else "")
            )
            lines.append(
                f"- {escape_cell(describe_point(item.point, view.keys))}, "
                f"{escape_cell(describe_source(item.example))}: "
                f"{escape_cell(item.example.get('detail') or 'no detail')}{link}"
            )
        lines.append("")
    return lines


# --- HTML ----------------------------------------------------------------------------------------


def render_html(document: Mapping[str, Any]) -> str:
    """The sweep report as one self-contained HTML5 page: inline style and SVG maps, no script."""
    view = read_view(document)
    plots = render_sweep_plots(document)
    counts = " ".join(
        f"{badge(verdict)} {view.counts[verdict]}" for verdict in ("fail", "inconclusive", "pass")
    )
    worst = next((v for v in ("fail", "inconclusive") if view.counts[v]), "pass")
    sections = [
        "\n".join(
            [
                '<header id="summary">',
                f"<h1>stratoverify sweep: {html_text(describe_run(document))}</h1>",
                f'<p class="headline counts {_verdict_css(worst)}">{counts}</p>',
                "</header>",
            ]
        ),
        "\n".join(
            [
                '<section id="sweep">',
                "<h2>Sweep</h2>",
                key_value_table(
                    (html_text(name), html_text(value)) for name, value in _describe_spec(document)
                ),
                html_table(
                    ["swept key", "values"],
                    [[html_code(key), html_text(value)] for key, value in _describe_axes(document)],
                ),
                "</section>",
            ]
        ),
        _html_invariants(view),
        _html_maps(plots),
        _html_points(view),
        _html_examples(view),
        "\n".join(
            [
                '<footer id="content-hash">',
                f"<p>Content sha256: {html_code(document.get('content_sha256'))}. Schema "
                f"{html_code(document.get('schema'))}; sweep.json holds every field.</p>",
                "</footer>",
            ]
        ),
    ]
    return page(f"stratoverify sweep: {describe_run(document)}", _CSS, sections)


def _verdict_css(verdict: str) -> str:
    return {"pass": "ok", "fail": "bad"}.get(verdict, "warn")


def _html_invariants(view: SweepView) -> str:
    with_examples = {name for name, _ in view.examples}
    rows = [
        [
            f'<a href="#{anchor("cx", name)}">{invariant_id(name)}</a>'
            if name in with_examples
            else invariant_id(name),
            str(fail),
            str(undecided),
        ]
        for name, fail, undecided in view.invariants
    ]
    body = (
        html_table(["invariant", "failing points", "inconclusive points"], rows, numeric=(1, 2))
        if rows
        else "<p>No invariant was checked.</p>"
    )
    return "\n".join(['<section id="invariants">', "<h2>Invariants</h2>", body, "</section>"])


def _html_maps(plots: Sequence[Plot]) -> str:
    parts = ['<section id="maps">', "<h2>Safety maps</h2>"]
    if not plots:
        parts.append("<p>No point, so no map.</p>")
    for plot in plots:
        # The SVG is matplotlib's markup; it escapes the text (key names, IDs) it draws.
        parts.append(
            f'<figure id="{html_text(plot.id)}">\n{plot.svg}'
            f"<figcaption><strong>{html_text(plot.title)}.</strong> {html_text(plot.caption)}"
            "</figcaption>\n</figure>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _html_points(view: SweepView) -> str:
    shown = view.points[:HTML_ROW_LIMIT]
    rows = []
    for point in shown:
        path = get_report_path(point, "report.html")
        margin = format_margin(view.margins.get(int(point["index"])))
        rows.append(
            [
                html_text(point["index"]),
                *(html_text(get_value(point, key)) for key in view.keys),
                badge(point["verdict"]),
                f'<span class="margin">{html_text(margin)}</span>',
                ", ".join(invariant_id(name) for name in point.get("failing") or []),
                ", ".join(invariant_id(name) for name in point.get("inconclusive") or []),
                f'<a href="{html_text(path)}">report</a>'
                if path
                else html_code(point.get("folder")),
            ]
        )
    headers = ["#", *(html_code(key) for key in view.keys), "verdict", "margin", "failing"]
    parts = [
        '<section id="points">',
        "<h2>Points</h2>",
        f'<p class="note">Passing points first, the farthest from a failure first. '
        f"{html_text(MARGIN_NOTE)}</p>",
        html_table(
            [*headers, "inconclusive", "report"],
            rows,
            numeric=(0, *range(1, len(view.keys) + 1), len(view.keys) + 2),
        ),
    ]
    if len(view.points) > len(shown):
        left = len(view.points) - len(shown)
        parts.append(
            f"<p>{left} more point{'s are' if left != 1 else ' is'} left out of this table "
            f"(it shows the first {len(shown)}); sweep.json and sweep.md have every point.</p>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _html_examples(view: SweepView) -> str:
    parts = ['<section id="counterexamples">', "<h2>Counterexamples</h2>"]
    if not view.examples:
        parts.append("<p>No engine found a counterexample at any point.</p>")
    for name, found in view.examples:
        parts += [
            f'<section id="{anchor("cx", name)}">',
            f"<h3>{invariant_id(name)}</h3>",
            '<ul class="cx">',
        ]
        for item in found:
            report = get_report_path(item.point, "report.html")
            where = html_text(describe_point(item.point, view.keys))
            trace = item.example.get("trace")
            trace_cell = ""
            if isinstance(trace, str) and is_relative_path(trace):
                trace_cell = f' · <a href="{html_text(trace)}">trace</a>'
            elif trace:
                trace_cell = f" · trace {html_code(trace)}"
            if report:
                where = f'<a href="{html_text(report)}">{where}</a>'
            parts.append(
                f"<li>{where}, {html_text(describe_source(item.example))}: "
                f"{html_text(item.example.get('detail') or 'no detail')}{trace_cell}</li>"
            )
        parts += ["</ul>", "</section>"]
    parts.append("</section>")
    return "\n".join(parts)
