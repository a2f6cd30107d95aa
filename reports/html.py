"""report.html: the report document as one self-contained HTML5 page with inline CSS and SVG plots.

The page reads only the report document (docs/report-format.md) and the plots drawn from it: no
script, no stylesheet or image fetched from anywhere, every string from the document escaped, and
links only to the relative artifact paths beside the report. Timings are left out, so two runs
with the same content give the same page byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reports.counterexample_tables import Trace
from reports.failure_lines import FailureLine, describe_counts, get_failure_lines
from reports.html_counterexamples import render_counterexamples
from reports.html_keys import render_keys
from reports.html_markup import anchor as _anchor
from reports.html_markup import badge as _badge
from reports.html_markup import code as _code
from reports.html_markup import invariant_id as _id
from reports.html_markup import key_value_table as _key_value_table
from reports.html_markup import link as _link
from reports.html_markup import number as _number
from reports.html_markup import page
from reports.html_markup import table as _table
from reports.html_markup import text as _text
from reports.html_markup import verdict_class as _verdict_class
from reports.market_plots import render_market_plots
from reports.plots import Plot, read_plot_inputs, render_plots

KNOWN_ENGINES: tuple[str, ...] = ("hypothesis", "z3", "executor")
"""The engines in the report's order; an engine the document names beyond these comes after."""

_COUNT_KEYS: tuple[str, ...] = ("examples", "steps", "scenarios", "observations", "violations")
"""Evidence counts an engine may give for one invariant, shown as "N key"."""

_CSS = """
:root { color-scheme: light; --ok: #1e7a3c; --bad: #b3261e; --warn: #9a6700; --na: #5f6368; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: #1f2328; background: #f6f8fa; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; background: #fff; }
h1 { margin: 0 0 0.5rem; font-size: 1.6rem; }
h2 { margin-top: 2rem; padding-bottom: 0.25rem; border-bottom: 1px solid #d0d7de; }
h3 { margin-bottom: 0.25rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
            font-size: 0.85rem; }
code { overflow-wrap: anywhere; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: 0.5rem; overflow-x: auto; }
.headline { font-size: 1.3rem; padding: 0.75rem 1rem; border-radius: 6px; border: 2px solid; }
.headline.ok { border-color: var(--ok); }
.headline.bad { border-color: var(--bad); }
.headline.warn { border-color: var(--warn); }
.verdict { display: inline-block; padding: 0 0.45rem; border-radius: 1rem; color: #fff;
           font-weight: 600; font-size: 0.85em; background: var(--na); white-space: nowrap; }
.verdict.ok { background: var(--ok); }
.verdict.bad { background: var(--bad); }
.verdict.warn { background: var(--warn); }
.evidence { display: block; color: #57606a; font-size: 0.85em; }
.absent { color: #8c959f; }
article.cx { border: 1px solid #d0d7de; border-left: 4px solid var(--bad); border-radius: 4px;
             padding: 0.25rem 1rem 0.5rem; margin: 0.75rem 0; }
figure { margin: 1.5rem 0; }
figure svg { display: block; width: 100%; max-width: 48rem; height: auto; }
article.key { border: 1px solid #d0d7de; border-radius: 4px; padding: 0.25rem 1rem 0.5rem;
              margin: 0.75rem 0; }
article.key figure { margin: 0.5rem 0; }
article.key figure svg { max-width: 30rem; }
figcaption { font-size: 0.9rem; color: #444c56; max-width: 48rem; }
footer { margin-top: 2rem; font-size: 0.85rem; color: #57606a; }
code.id { white-space: nowrap; overflow-wrap: normal; word-break: keep-all; font-weight: 600; }
ul.failures { margin: 0.5rem 0 1rem; padding-left: 1.25rem; }
ul.failures li { margin: 0.35rem 0; }
ul.failures .by { display: block; color: #444c56; font-size: 0.9em; }
p.allpass { font-size: 1.1rem; }
nav#contents { border: 1px solid #d0d7de; border-radius: 6px; padding: 0.25rem 1rem;
               margin: 1rem 0; font-size: 0.9rem; }
nav#contents h2 { margin: 0.5rem 0 0.25rem; font-size: 1rem; border: 0; }
nav#contents ol.ids { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; list-style: none;
                      padding-left: 1rem; }
.scroll { overflow-x: auto; }
table.steps td { white-space: nowrap; }
table.steps th { min-width: 5rem; overflow-wrap: anywhere; }
table.steps td code { white-space: normal; overflow-wrap: anywhere; display: inline-block;
                      min-width: 14rem; max-width: 32rem; }
.broke { color: var(--bad); font-weight: 600; white-space: normal; display: inline-block;
         min-width: 16rem; }
.statement { font-weight: normal; font-size: 0.9rem; color: #444c56; }
p.note { color: #57606a; font-size: 0.85rem; }
h5 { margin: 0.75rem 0 0.25rem; font-size: 0.9rem; }
""".strip()


_SECTIONS: tuple[tuple[str, str], ...] = (
    ("failures", "Verdict and failures"),
    ("inputs", "Inputs"),
    ("changes", "Parameter changes"),
    ("keys", "Changed keys"),
    ("invariants", "Invariants"),
    ("counterexamples", "Counterexamples"),
    ("plots", "Plots"),
)
"""Each section's anchor and title, in page order, for the contents."""


def draw_report_plots(document: Mapping[str, Any]) -> tuple[Plot, ...]:
    """The report's plots, which read only its `inputs` (both parameter sets and the profile):
    `check` draws them beside its engines, from the inputs it is about to check."""
    return (*render_plots(document), *render_market_plots(read_plot_inputs(document)))


def render_html(
    document: Mapping[str, Any],
    *,
    traces: Mapping[str, Trace] | None = None,
    plots: Sequence[Plot] | None = None,
) -> str:
    """The report document as one self-contained HTML5 page: inline style and SVG, no script.

    `traces` (artifact path -> ITF trace, `reports.counterexample_tables.load_traces`) adds to
    each counterexample's steps the chain values its invariant reads; without them the steps
    show the rules and arguments report.json records. `plots` are `draw_report_plots` of the
    document's inputs, drawn earlier; None draws them here."""
    inputs: Mapping[str, Any] = document.get("inputs", {})
    lines = get_failure_lines(document)
    sections = [
        _render_headline(document, lines),
        _render_contents(document, lines),
        _render_inputs(document),
        _render_changes(inputs.get("changes", [])),
        render_keys(document),
        _render_invariants(document),
        render_counterexamples(document, traces),
        _render_plots(draw_report_plots(document) if plots is None else plots),
        _render_footer(document),
    ]
    return page(f"stratoverify report: {document.get('verdict', 'unknown')}", _CSS, sections)


# --- Sections ------------------------------------------------------------------------------------


def _target(line: FailureLine) -> str:
    """Where a failure line leads: its counterexamples, else its row of the invariants table."""
    return _anchor("cx" if line.has_counterexample else "inv", line.id)


def _render_failure(line: FailureLine) -> str:
    reason = f": {_text(line.reason)}" if line.reason else ""
    engines = (
        f'<span class="by">{"refuted" if line.verdict == "fail" else "undecided"} by '
        f"{_text(', '.join(line.engines))}{reason}</span>"
        if line.engines
        else ""
    )
    keys = "".join(
        f'<span class="by">{_code(key.parameter)} = {_text(key.value)} breaks it; safe values: '
        f"<strong>{_text(key.safe)}</strong></span>"
        for key in line.keys
    )
    return (
        f'<li><a href="#{_target(line)}">{_id(line.id)}</a> {_badge(line.verdict)} '
        f"{_text(line.statement)}{engines}{keys}</li>"
    )


def _render_headline(document: Mapping[str, Any], lines: Sequence[FailureLine]) -> str:
    verdict = document.get("verdict", "unknown")
    counts = _text(describe_counts(document))
    parts = [
        '<header id="verdict">',
        "<h1>stratoverify report</h1>",
        f'<p class="headline {_verdict_class(verdict)}">Verdict: {_badge(verdict)} '
        f"· exit code <strong>{_text(document.get('exit_code'))}</strong> · {counts}</p>",
    ]
    if lines:
        failing = sum(1 for line in lines if line.verdict == "fail")
        undecided = len(lines) - failing
        title = ", ".join(
            [
                *(
                    [f"{failing} invariant{'s fail' if failing != 1 else ' fails'}"]
                    if failing
                    else []
                ),
                *([f"{undecided} inconclusive"] if undecided else []),
            ]
        )
        parts += [
            '<section id="failures">',
            f"<h2>{title}</h2>",
            '<ul class="failures">',
            *(_render_failure(line) for line in lines),
            "</ul>",
            "</section>",
        ]
    else:
        parts.append(
            '<p class="allpass" id="failures">Every invariant checked holds; no engine found a '
            "counterexample.</p>"
        )
    parts.append("</header>")
    return "\n".join(parts)


def _render_contents(document: Mapping[str, Any], lines: Sequence[FailureLine]) -> str:
    present = {"failures", "inputs", "changes", "invariants", "counterexamples", "plots"}
    if document.get("keys"):
        present.add("keys")
    items = []
    for section, title in _SECTIONS:
        if section not in present:
            continue
        shown = title if section != "failures" or lines else "Verdict"
        nested = (
            '<ol class="ids">'
            + "".join(f'<li><a href="#{_target(line)}">{_id(line.id)}</a></li>' for line in lines)
            + "</ol>"
            if section == "failures" and lines
            else ""
        )
        items.append(f'<li><a href="#{section}">{shown}</a>{nested}</li>')
    return "\n".join(
        [
            '<nav id="contents" aria-label="Contents">',
            "<h2>Contents</h2>",
            "<ol>",
            *items,
            "</ol>",
            "</nav>",
        ]
    )


def _render_inputs(document: Mapping[str, Any]) -> str:
    inputs: Mapping[str, Any] = document.get("inputs", {})
    base: Mapping[str, Any] = inputs.get("base", {})
    only = inputs.get("only") or []
    rows = [
        ("source", _text(inputs.get("source"))),
        ("kind", _text(inputs.get("kind"))),
        ("profile", _text(inputs.get("profile"))),
        ("effort", _text(inputs.get("effort"))),
        ("seed", _text(inputs.get("seed"))),
        ("engines", _text(", ".join(map(str, inputs.get("engines", []))))),
        ("only", _text(", ".join(map(str, only))) if only else "every invariant"),
        ("input sha256", _code(inputs.get("input_sha256"))),
        ("params sha256", _code(inputs.get("params_sha256"))),
        ("base", _text(base.get("source"))),
        ("base params sha256", _code(base.get("params_sha256"))),
    ]
    isolation = (document.get("engines", {}).get("executor") or {}).get("isolation")
    if isinstance(isolation, Mapping):
        rows.append(("function isolation", _text(isolation.get("description"))))
    seeds: Mapping[str, Any] = document.get("seeds", {})
    rows.extend((f"seed ({_text(name)})", _text(seed)) for name, seed in seeds.items())
    versions: Mapping[str, Any] = document.get("versions", {})
    engines: Mapping[str, Any] = document.get("engines", {})
    engine_rows = [
        [
            _text(name),
            _badge(run.get("verdict")),
            _text(run.get("reason") or ""),
            _text(_describe_counts(run, skip=("verdict", "reason", "boundaries", "isolation"))),
        ]
        for name, run in engines.items()
    ]
    boundary_rows = [
        [
            _code(row.get("name")),
            _text(row.get("section")),
            ", ".join(_id(name) for name in row.get("invariants", [])),
            _text(f"unreachable: {row['unreachable']}" if row.get("unreachable") else "")
            or _badge("pass" if row.get("reached") else "vacuous"),
            _number(row.get("reached")),
            _number(row.get("examples")),
        ]
        for row in (engines.get("hypothesis") or {}).get("boundaries") or []
    ]
    return "\n".join(
        [
            '<section id="inputs">',
            "<h2>Inputs</h2>",
            _key_value_table(rows),
            "<h3>Engine runs</h3>",
            _table(["engine", "verdict", "reason", "work"], engine_rows)
            if engine_rows
            else "<p>No engine ran.</p>",
            *(
                [
                    "<h3>Boundary states (Hypothesis)</h3>",
                    "<p>A boundary never reached leaves its invariants vacuous.</p>",
                    _table(
                        ["boundary", "§", "invariants", "reached", "steps", "examples"],
                        boundary_rows,
                    ),
                ]
                if boundary_rows
                else []
            ),
            "<h3>Versions</h3>",
            _key_value_table([(_text(name), _text(value)) for name, value in versions.items()]),
            "</section>",
        ]
    )


def _render_changes(changes: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        [
            _code(change.get("parameter")),
            _number(change.get("base")),
            _number(change.get("value")),
            _number(change.get("line")),
        ]
        for change in changes
    ]
    body = (
        _table(["parameter", "base", "value", "line"], rows, numeric=(1, 2, 3))
        if rows
        else "<p>No parameter differs from the base.</p>"
    )
    return "\n".join(['<section id="changes">', "<h2>Parameter changes</h2>", body, "</section>"])


def _render_invariants(document: Mapping[str, Any]) -> str:
    invariants: Sequence[Mapping[str, Any]] = document.get("invariants", [])
    engines = _engine_order(document)
    rows = []
    for invariant in invariants:
        checked: Mapping[str, Any] = invariant.get("engines", {})
        verdict_cell = _badge(invariant.get("verdict"))
        if invariant.get("counterexamples"):
            anchor = _anchor("cx", invariant.get("id"))
            verdict_cell += f'<span class="evidence"><a href="#{anchor}">counterexample</a></span>'
        rows.append(
            [
                _id(invariant.get("id"), element_id=_anchor("inv", invariant.get("id"))),
                _text(invariant.get("section")),
                _text(invariant.get("statement")),
                verdict_cell,
                *(_engine_cell(checked.get(name)) for name in engines),
            ]
        )
    body = (
        _table(["ID", "§", "statement", "verdict", *map(_text, engines)], rows)
        if rows
        else "<p>No invariant was checked.</p>"
    )
    return "\n".join(['<section id="invariants">', "<h2>Invariants</h2>", body, "</section>"])


def _render_plots(plots: Iterable[Plot]) -> str:
    parts = ['<section id="plots">', "<h2>Plots</h2>"]
    for plot in plots:
        # The SVG is matplotlib's markup drawn from numbers and this module's own labels.
        parts.append(
            f'<figure id="{_text(plot.id)}">\n{plot.svg}'
            f"<figcaption><strong>{_text(plot.title)}.</strong> {_text(plot.caption)}"
            "</figcaption>\n</figure>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _render_footer(document: Mapping[str, Any]) -> str:
    versions: Mapping[str, Any] = document.get("versions", {})
    return "\n".join(
        [
            '<footer id="content-hash">',
            f"<p>Content sha256: {_code(document.get('content_sha256'))}</p>",
            f"<p>Schema {_code(document.get('schema'))}, rendered by stratoverify "
            f"{_text(versions.get('stratoverify', 'unknown'))}. Timings are left out so the page "
            "is reproducible; they are in report.json.</p>",
            "</footer>",
        ]
    )


# --- Cells ---------------------------------------------------------------------------------------


def _engine_order(document: Mapping[str, Any]) -> list[str]:
    named: list[str] = [str(name) for name in document.get("inputs", {}).get("engines", [])]
    for invariant in document.get("invariants", []):
        named.extend(str(name) for name in invariant.get("engines", {}))
    present = dict.fromkeys(named)
    known = [name for name in KNOWN_ENGINES if name in present]
    return known + [name for name in present if name not in KNOWN_ENGINES]


def _engine_cell(record: Mapping[str, Any] | None) -> str:
    if record is None:
        return '<span class="absent">not checked</span>'
    lines = [_badge(record.get("verdict"))]
    counts = [f"{_text(record[key])} {key}" for key in _COUNT_KEYS if key in record]
    if counts:
        lines.append(", ".join(counts))
    if record.get("solver") or record.get("logic"):
        solver = ", ".join(_text(record[key]) for key in ("solver", "logic") if record.get(key))
        lines.append(solver)
    for key in ("claim", "reason", "note"):
        if record.get(key):
            lines.append(f"{key}: {_text(record[key])}")
    if record.get("smt2"):
        sha = record.get("smt2_sha256")
        title = f' title="sha256 {_text(sha)}"' if sha else ""
        lines.append(f"<span{title}>query: {_link(record['smt2'])}</span>")
    # The other queries of the plan (the deciding one is linked above).
    for query in record.get("queries") or []:
        if query.get("smt2") != record.get("smt2"):
            title = f' title="sha256 {_text(query.get("smt2_sha256"))}"'
            verdict = f"{_text(query.get('mode'))} {_text(query.get('verdict'))}"
            lines.append(f"<span{title}>{verdict}: {_link(query['smt2'])}</span>")
    return lines[0] + "".join(f'<span class="evidence">{line}</span>' for line in lines[1:])


def _describe_counts(record: Mapping[str, Any], *, skip: Sequence[str]) -> str:
    described = []
    for key, value in record.items():
        if key in skip:
            continue
        name = str(key).replace("_", " ")
        if isinstance(value, Mapping):
            inner = ", ".join(f"{kind} {count}" for kind, count in value.items())
            described.append(f"{name}: {inner or 'none'}")
        elif isinstance(value, int) and not isinstance(value, bool):
            described.append(f"{value} {name}")
        else:
            described.append(f"{name} {value}")
    return ", ".join(described)
