"""report.md's counterexamples: each one a <details> block of tables, as in report.html.

The steps are a table of rule and arguments (with the chain values the invariant reads and where
it broke, when the ITF trace is given), a proof's constants are tables grouped by what they are,
and the first block of each invariant shows the parameters it reads
(`reports.counterexample_tables`). A long step list shows its first and last steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reports.counterexample_tables import Table, Trace, build_tables, get_parameter_table
from reports.markdown_text import code_span, escape_cell, fenced, html_text, plain, shorten, table

STEPS_HEAD, STEPS_TAIL = 30, 20
"""A long step list shows its first and last steps: a failing program breaks at its end."""

DETAIL_CHARS = 4_000
STEP_CHARS = 1_000
VALUE_CHARS = 500


def render_counterexample(
    row: Mapping[str, Any],
    example: Mapping[str, Any],
    document: Mapping[str, Any],
    *,
    traces: Mapping[str, Trace] | None = None,
    with_parameters: bool = False,
) -> list[str]:
    """One counterexample as a <details> block; `with_parameters` adds what the invariant reads."""
    invariant = str(row["id"])
    detail = plain(example.get("detail", ""))
    headline = shorten(" ".join(detail.split()), 200)
    summary = (
        f"<b>{html_text(invariant)}</b> (§{html_text(plain(row.get('section', '')))}), "
        f"{html_text(plain(example.get('engine', '?')))} "
        f"{html_text(plain(example.get('source', '')))}: {html_text(headline)}"
    )
    lines = ["<details>", f"<summary>{summary}</summary>", ""]
    if headline != detail:
        # The summary line shows a long or multi-line detail cut; here it is whole.
        lines += fenced(shorten(detail, DETAIL_CHARS).splitlines() or [""])
        lines.append("")
    tables = build_tables(invariant, example, traces)
    if tables.steps is not None:
        lines += [f"Steps ({len(tables.steps.rows)}):", "", *_steps(tables.steps), ""]
    if tables.state_note:
        lines += [f"_{escape_cell(tables.state_note)}._", ""]
    for group, values in tables.values:
        lines += [f"Solver values, {group}:", "", *_table(values, limit=VALUE_CHARS), ""]
    if with_parameters:
        lines += _parameters(invariant, document)
    files = [
        f"- {label}: {code_span(example[key])}"
        for label, key in (("trace", "trace"), ("regression test", "regression"))
        if example.get(key)
    ]
    proof = row["engines"].get("z3") or {}
    if example.get("engine") == "z3" and proof.get("smt2"):
        digest = f" (sha256 {code_span(proof['smt2_sha256'])})" if proof.get("smt2_sha256") else ""
        files.append(f"- SMT-LIB query: {code_span(proof['smt2'])}{digest}")
    if files:
        lines += [*files, ""]
    return [*lines, "</details>", ""]


def _parameters(invariant: str, document: Mapping[str, Any]) -> list[str]:
    parameters = get_parameter_table(invariant, document)
    if parameters is None:
        return [f"{escape_cell(invariant)} reads no parameter.", ""]
    lines = [f"Parameters {escape_cell(invariant)} reads:", ""]
    if parameters.rows:
        lines += _table(parameters, limit=VALUE_CHARS)
    elif parameters.note:
        lines.append(f"_{escape_cell(parameters.note)}_")
    return [*lines, ""]


def _numeric(data: Table) -> tuple[int, ...]:
    found = []
    for index, header in enumerate(data.headers):
        values = [row[index] for row in data.rows if row[index]]
        if header == "#" or (values and all(v.lstrip("-").isdigit() for v in values)):
            found.append(index)
    return tuple(found)


def _table(data: Table, *, limit: int) -> list[str]:
    rows = [[escape_cell(cell, limit=limit) for cell in row] for row in data.rows]
    lines = table([escape_cell(h) for h in data.headers], rows, numeric=_numeric(data))
    # A blank line ends the table, so the note is not read as one more row.
    return [*lines, *(["", f"_{escape_cell(data.note)}_"] if data.note else [])]


def _steps(data: Table) -> list[str]:
    rows: Sequence[tuple[str, ...]] = data.rows
    if len(rows) <= STEPS_HEAD + STEPS_TAIL:
        return _table(data, limit=STEP_CHARS)
    omitted = len(rows) - STEPS_HEAD - STEPS_TAIL
    marker = ("…", "", f"{omitted} steps omitted", *[""] * (len(data.headers) - 3))
    cut = Table(data.headers, (*rows[:STEPS_HEAD], marker, *rows[-STEPS_TAIL:]), data.note)
    return [
        *_table(cut, limit=STEP_CHARS),
        "",
        f"_{len(rows)} steps; {omitted} in the middle are not shown: report.json and the trace "
        "have them all._",
    ]
