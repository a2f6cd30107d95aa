"""report.html's counterexamples: per failing invariant, each engine's counterexample as tables.

A machine or executor counterexample is a table of its steps (rule and arguments), with the chain
values the invariant reads after each step and where it broke when the ITF trace is given; a
proof's is its solver constants grouped by what they are; each shows the parameters the
invariant reads (`reports.counterexample_tables`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reports.counterexample_tables import Table, Trace, build_tables, get_parameter_table
from reports.html_markup import anchor, badge, invariant_id, link, table, text


def render_counterexamples(
    document: Mapping[str, Any], traces: Mapping[str, Trace] | None = None
) -> str:
    """The counterexamples section: one sub-section per invariant that has any."""
    parts = ['<section id="counterexamples">', "<h2>Counterexamples</h2>"]
    found = [row for row in document.get("invariants") or [] if row.get("counterexamples")]
    if not found:
        parts.append("<p>No engine found a counterexample.</p>")
    for row in found:
        parts.append(f'<section id="{anchor("cx", row.get("id"))}">')
        parts.append(
            f"<h3>{invariant_id(row.get('id'))} {badge(row.get('verdict'))} "
            f'<span class="statement">{text(row.get("statement"))}</span></h3>'
        )
        parts.append(_render_parameters(str(row.get("id")), document))
        parts.extend(
            _render_counterexample(str(row.get("id")), example, traces)
            for example in row["counterexamples"]
        )
        parts.append("</section>")
    parts.append("</section>")
    return "\n".join(parts)


def _render_parameters(invariant: str, document: Mapping[str, Any]) -> str:
    parameters = get_parameter_table(invariant, document)
    if parameters is None:
        return f'<p class="note">{invariant_id(invariant)} reads no parameter.</p>'
    parts = [f"<h4>Parameters {invariant_id(invariant)} reads</h4>"]
    if parameters.rows:
        parts.append(_render_table(parameters, invariant, css_class="values"))
    elif parameters.note:
        parts.append(f'<p class="note">{text(parameters.note)}</p>')
    return "\n".join(parts)


def _render_counterexample(
    invariant: str, example: Mapping[str, Any], traces: Mapping[str, Trace] | None
) -> str:
    tables = build_tables(invariant, example, traces)
    parts = [
        '<article class="cx">',
        f"<h4>{text(example.get('engine'))} ({text(example.get('source'))})</h4>",
        f"<p>{text(example.get('detail'))}</p>",
    ]
    if tables.steps is not None:
        parts.append(f"<h5>Steps ({len(tables.steps.rows)})</h5>")
        parts.append(_render_table(tables.steps, invariant, css_class="steps"))
    if tables.state_note:
        parts.append(f'<p class="note">{text(tables.state_note)}.</p>')
    for group, values in tables.values:
        parts.append(f"<h5>Solver values: {text(group)}</h5>")
        parts.append(_render_table(values, invariant, css_class="values"))
    links = [
        f"{label}: {link(example.get(key))}"
        for key, label in (("trace", "ITF trace"), ("regression", "regression test"))
        if example.get(key)
    ]
    if links:
        parts.append("<p>" + " · ".join(links) + "</p>")
    parts.append("</article>")
    return "\n".join(parts)


def _render_table(data: Table, invariant: str, *, css_class: str) -> str:
    headers = [_header(header, invariant) for header in data.headers]
    rows: Sequence[Sequence[str]] = [
        [_cell(header, value) for header, value in zip(data.headers, row, strict=True)]
        for row in data.rows
    ]
    numeric = tuple(index for index in range(len(data.headers)) if _is_numeric_column(data, index))
    body = table(headers, rows, numeric=numeric, css_class=css_class)
    note = f'<p class="note">{text(data.note)}</p>' if data.note else ""
    return f'<div class="scroll">\n{body}\n</div>' + (f"\n{note}" if note else "")


def _header(header: str, invariant: str) -> str:
    if header == f"{invariant} broken":
        return f"{invariant_id(invariant)} broken"
    return text(header)


def _cell(header: str, value: str) -> str:
    if header in ("arguments", "name", "parameter") and value:
        return "<code>" + "<br>".join(text(line) for line in value.split("\n")) + "</code>"
    if header.endswith(" broken") and value:
        return f'<span class="broke">{text(value)}</span>'
    return text(value)


def _is_numeric_column(data: Table, index: int) -> bool:
    values = [row[index] for row in data.rows if row[index]]
    if data.headers[index] == "#":
        return True
    return bool(values) and all(value.lstrip("-").isdigit() for value in values)
