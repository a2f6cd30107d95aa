"""report.html: the report document as one self-contained HTML5 page with inline CSS and SVG plots.

The page reads only the report document (docs/report-format.md) and the plots drawn from it: no
script, no stylesheet or image fetched from anywhere, every string from the document escaped, and
links only to the relative artifact paths beside the report. Timings are left out, so two runs
with the same content give the same page byte for byte.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reports.plots import Plot, render_key_bar_svg, render_plots

KNOWN_ENGINES: tuple[str, ...] = ("hypothesis", "z3", "executor")
"""The engines in the report's order; an engine the document names beyond these comes after."""

_VERDICT_CLASSES: dict[str, str] = {
    "pass": "ok",
    "proved": "ok",
    "ran": "ok",
    "fail": "bad",
    "refuted": "bad",
    "error": "bad",
    "inconclusive": "warn",
    "vacuous": "warn",
    "unknown": "warn",
    "not-applicable": "na",
}
"""CSS class per verdict; class names never come from the document itself."""

_COUNT_KEYS: tuple[str, ...] = ("examples", "steps", "scenarios", "observations", "violations")
"""Evidence counts an engine may give for one invariant, shown as "N key"."""

_RELATIVE_PATH = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")
_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")

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
""".strip()


def render_html(document: Mapping[str, Any]) -> str:
    """The report document as one self-contained HTML5 page: inline style and SVG, no script."""
    inputs: Mapping[str, Any] = document.get("inputs", {})
    verdict = _text(document.get("verdict", "unknown"))
    sections = [
        _render_headline(document),
        _render_inputs(document),
        _render_changes(inputs.get("changes", [])),
        _render_keys(document),
        _render_invariants(document),
        _render_counterexamples(document.get("invariants", [])),
        _render_plots(render_plots(document)),
        _render_footer(document),
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            # Defence in depth: even a string that escaped escaping could load or run nothing.
            '<meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>stratoverify report: {verdict}</title>",
            f"<style>\n{_CSS}\n</style>",
            "</head>",
            "<body>",
            "<main>",
            *(section for section in sections if section),
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )


# --- Sections ------------------------------------------------------------------------------------


def _render_headline(document: Mapping[str, Any]) -> str:
    verdict = document.get("verdict", "unknown")
    summary: Mapping[str, Any] = document.get("summary", {})
    counts = " · ".join(f"{_text(count)} {_text(name)}" for name, count in summary.items())
    return "\n".join(
        [
            '<header id="verdict">',
            "<h1>stratoverify report</h1>",
            f'<p class="headline {_verdict_class(verdict)}">Verdict: {_badge(verdict)} '
            f"· exit code <strong>{_text(document.get('exit_code'))}</strong></p>",
            f"<p>Invariants: {counts or 'none listed'}.</p>",
            "</header>",
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
    seeds: Mapping[str, Any] = document.get("seeds", {})
    rows.extend((f"seed ({_text(name)})", _text(seed)) for name, seed in seeds.items())
    versions: Mapping[str, Any] = document.get("versions", {})
    engines: Mapping[str, Any] = document.get("engines", {})
    engine_rows = [
        [
            _text(name),
            _badge(run.get("verdict")),
            _text(run.get("reason") or ""),
            _text(_describe_counts(run, skip=("verdict", "reason", "boundaries"))),
        ]
        for name, run in engines.items()
    ]
    boundary_rows = [
        [
            _code(row.get("name")),
            _text(row.get("section")),
            _text(", ".join(row.get("invariants", []))),
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


def _intervals(items: Sequence[Mapping[str, Any]]) -> str:
    shown = [
        _text(item.get("low"))
        if item.get("low") == item.get("high")
        else f"{_text(item.get('low'))}..{_text(item.get('high'))}"
        for item in items
    ]
    return ", ".join(shown) or "none"


def _end(end: Mapping[str, Any]) -> str:
    if end.get("neighbour") is None:
        return f"{_text(end.get('value'))} PROVED; the domain ends there"
    if end.get("refuted_by") is None:
        return f"{_text(end.get('value'))} PROVED; {_text(end.get('neighbour'))} undecided"
    return (
        f"{_text(end.get('value'))} PROVED; {_text(end.get('neighbour'))} REFUTED by "
        f"{_text(end.get('refuted_by'))}"
    )


def _render_key(key: Mapping[str, Any]) -> str:
    row: Mapping[str, Any] = key.get("constitution", {})
    region: Mapping[str, Any] = key.get("region", {})
    fits = row.get("fits")
    verdict = "fits" if fits else "does not fit"
    problems = "; ".join(_text(problem) for problem in row.get("problems") or [])
    process = (
        "an amendment"
        if row.get("process") == "amendment"
        else f"a parameter change by {_text(row.get('vote'))}"
    )
    bounds = (
        f"fixed value {_text(row.get('minimum'))}"
        if row.get("minimum") == row.get("maximum")
        else f"range {_text(row.get('minimum'))}..{_text(row.get('maximum'))}"
    )
    parts = [
        f'<article class="key" id="{_anchor("key", key.get("parameter"))}">',
        f"<h3><code>{_text(key.get('parameter'))}</code> = {_text(key.get('value'))} "
        f"(was {_text(key.get('base'))})</h3>",
        f"<p>Needs {process}, {bounds} "
        f"(§{_text(row.get('section'))}, {_text(row.get('constitution'))} constitution): "
        f'<span class="verdict {"ok" if fits else "bad"}">{verdict}</span>'
        + (f" {problems}" if problems else "")
        + "</p>",
    ]
    if not region.get("computed"):
        parts.append(f"<p>Safe set not computed: {_text(region.get('reason'))}</p>")
    else:
        bar_region = {
            **region,
            "key": key.get("parameter"),
            "value": key.get("value"),
            "range": {"low": row.get("minimum"), "high": row.get("maximum")},
        }
        # The bar is drawn by this package from the document's integers; no text of it is raw.
        parts.append(
            "<figure>\n"
            + render_key_bar_svg(bar_region, bar_id=_anchor("bar", key.get("parameter")))
            + "<figcaption>The domain, its safe values shaded green (undecided amber), the "
            "proposed value marked red, the constitution's range as the dark line under the bar."
            "</figcaption>\n</figure>"
        )
        parts.append(f"<p>{_text(key.get('message'))}</p>")
        items = [
            f"<li>safe {_intervals([item])}: low end {_end(item['ends'][0])}; high end "
            f"{_end(item['ends'][1])}</li>"
            for item in region.get("safe") or []
        ]
        if region.get("unknown"):
            items.append(f"<li>undecided (never safe): {_intervals(region['unknown'])}</li>")
        items += [
            f"<li>repair: <code>{_text(repair.get('parameter'))}</code> "
            f"{'=' if repair.get('low') == repair.get('high') else 'in'} "
            f"{_intervals([repair])} with it keeps every proved invariant</li>"
            for repair in key.get("repairs") or []
        ]
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
    parts.append("</article>")
    return "\n".join(parts)


def _render_keys(document: Mapping[str, Any]) -> str:
    keys: Sequence[Mapping[str, Any]] = document.get("keys") or []
    if not keys:
        return ""
    parts = [
        '<section id="keys">',
        "<h2>Changed keys</h2>",
        "<p>For each key the input changes: the process the profile's constitution asks for "
        "(docs/constitution.md), whether the value fits it, and the exact values of the key that "
        "keep every Z3-proved invariant with the other keys as proposed.</p>",
        *(_render_key(key) for key in keys),
    ]
    if document.get("keys_note"):
        parts.append(f"<p><em>{_text(document['keys_note'])}</em></p>")
    parts.append("</section>")
    return "\n".join(parts)


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
                f'<code id="{_anchor("inv", invariant.get("id"))}">'
                f"{_text(invariant.get('id'))}</code>",
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


def _render_counterexamples(invariants: Sequence[Mapping[str, Any]]) -> str:
    parts = ['<section id="counterexamples">', "<h2>Counterexamples</h2>"]
    found = [invariant for invariant in invariants if invariant.get("counterexamples")]
    if not found:
        parts.append("<p>No engine found a counterexample.</p>")
    for invariant in found:
        parts.append(f'<section id="{_anchor("cx", invariant.get("id"))}">')
        parts.append(
            f"<h3><code>{_text(invariant.get('id'))}</code> {_badge(invariant.get('verdict'))}</h3>"
        )
        parts.extend(_render_counterexample(example) for example in invariant["counterexamples"])
        parts.append("</section>")
    parts.append("</section>")
    return "\n".join(parts)


def _render_counterexample(example: Mapping[str, Any]) -> str:
    parts = [
        '<article class="cx">',
        f"<h4>{_text(example.get('engine'))} ({_text(example.get('source'))})</h4>",
        f"<p>{_text(example.get('detail'))}</p>",
    ]
    steps: Sequence[Any] = example.get("steps") or []
    if steps:
        parts.append("<pre>" + "\n".join(_text(step) for step in steps) + "</pre>")
    values: Mapping[str, Any] = example.get("values") or {}
    if values:
        parts.append(
            _table(
                ["variable", "value"],
                [[_code(name), _code(value)] for name, value in values.items()],
            )
        )
    links = [
        f"{label}: {_link(example.get(key))}"
        for key, label in (("trace", "ITF trace"), ("regression", "regression test"))
        if example.get(key)
    ]
    if links:
        parts.append("<p>" + " · ".join(links) + "</p>")
    parts.append("</article>")
    return "\n".join(parts)


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


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, numeric: Sequence[int] = ()
) -> str:
    head = "".join(f"<th>{header}</th>" for header in headers)
    body = [
        "<tr>"
        + "".join(
            f'<td class="num">{cell}</td>' if index in numeric else f"<td>{cell}</td>"
            for index, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    ]
    return "\n".join(
        ["<table>", f"<thead><tr>{head}</tr></thead>", "<tbody>", *body, "</tbody>", "</table>"]
    )


def _key_value_table(rows: Iterable[tuple[str, str]]) -> str:
    body = [f'<tr><th scope="row">{key}</th><td>{value}</td></tr>' for key, value in rows]
    return "\n".join(["<table>", "<tbody>", *body, "</tbody>", "</table>"])


def _badge(verdict: object) -> str:
    return f'<span class="verdict {_verdict_class(verdict)}">{_text(verdict)}</span>'


def _verdict_class(verdict: object) -> str:
    return _VERDICT_CLASSES.get(verdict, "na") if isinstance(verdict, str) else "na"


def _link(path: object) -> str:
    """A link to an artifact beside the report, or the bare path if it is not a plain relative one."""
    if isinstance(path, str) and _is_relative_path(path):
        return f'<a href="{_text(path)}"><code>{_text(path)}</code></a>'
    return _code(path)


def _is_relative_path(path: str) -> bool:
    # Only folder/file names of safe characters: no scheme, no host, no absolute path, no "..".
    if not _RELATIVE_PATH.fullmatch(path):
        return False
    return all(segment not in (".", "..") for segment in path.split("/"))


def _anchor(prefix: str, invariant_id: object) -> str:
    return f"{prefix}-{_ANCHOR_UNSAFE.sub('_', str(invariant_id))}"


def _code(value: object) -> str:
    return f"<code>{_text(value)}</code>" if value is not None else '<span class="absent">—</span>'


def _number(value: object) -> str:
    return _text(value) if value is not None else "—"


def _text(value: object) -> str:
    """Any document value as escaped HTML text; JSON containers as compact JSON."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, int | float):
        return html.escape(str(value), quote=True)
    return html.escape(json.dumps(value, ensure_ascii=False, separators=(",", ":")), quote=True)
