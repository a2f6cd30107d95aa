"""The markup report.html is built of: escaped text, tables, verdict badges, IDs, safe links.

Every string from the report document reaches the page through `text` (escaped, JSON for
containers); class names and anchors are made here, never taken from the document. Invariant
IDs are set in `<code class="id">`, which the page's style keeps on one line, so `GOV-PARAMS`
wraps as a whole and never at its hyphen.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence

VERDICT_CLASSES: dict[str, str] = {
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

_RELATIVE_PATH = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")
_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    numeric: Sequence[int] = (),
    css_class: str = "",
) -> str:
    """A table of markup cells (already escaped); `numeric` columns align right."""
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
    opening = f'<table class="{css_class}">' if css_class else "<table>"
    return "\n".join(
        [opening, f"<thead><tr>{head}</tr></thead>", "<tbody>", *body, "</tbody>", "</table>"]
    )


def key_value_table(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table of markup: a header cell per row, then its value."""
    body = [f'<tr><th scope="row">{key}</th><td>{value}</td></tr>' for key, value in rows]
    return "\n".join(["<table>", "<tbody>", *body, "</tbody>", "</table>"])


def badge(verdict: object) -> str:
    """A verdict as a coloured badge."""
    return f'<span class="verdict {verdict_class(verdict)}">{text(verdict)}</span>'


def verdict_class(verdict: object) -> str:
    """The CSS class of a verdict (`ok`, `bad`, `warn`, `na`)."""
    return VERDICT_CLASSES.get(verdict, "na") if isinstance(verdict, str) else "na"


def invariant_id(value: object, *, element_id: str = "") -> str:
    """An invariant ID, kept on one line by the page's style."""
    attribute = f' id="{element_id}"' if element_id else ""
    return f'<code class="id"{attribute}>{text(value)}</code>'


def link(path: object) -> str:
    """A link to an artifact beside the report, or the bare path if it is not a plain relative one."""
    if isinstance(path, str) and is_relative_path(path):
        return f'<a href="{text(path)}"><code>{text(path)}</code></a>'
    return code(path)


def is_relative_path(path: str) -> bool:
    """Whether `path` is folder/file names of safe characters: no scheme, host, root or `..`."""
    if not _RELATIVE_PATH.fullmatch(path):
        return False
    return all(segment not in (".", "..") for segment in path.split("/"))


def anchor(prefix: str, name: object) -> str:
    """An element ID made of `prefix` and `name`, every unsafe character replaced."""
    return f"{prefix}-{_ANCHOR_UNSAFE.sub('_', str(name))}"


def code(value: object) -> str:
    """A value in code type, or a dash when absent."""
    return f"<code>{text(value)}</code>" if value is not None else '<span class="absent">—</span>'


def number(value: object) -> str:
    """A number as text, or a dash when absent."""
    return text(value) if value is not None else "—"


def text(value: object) -> str:
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


def page(title: str, css: str, sections: Iterable[str]) -> str:
    """One self-contained HTML page: `title` (escaped here), `css` inline, the non-empty
    `sections` in a `<main>`. Its Content-Security-Policy allows no script and no outside
    resource: defence in depth, so even a string that escaped escaping could load or run nothing."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(title)}</title>",
            f"<style>\n{css}\n</style>",
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
