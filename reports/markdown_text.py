"""Text made safe for GitHub-flavoured Markdown: table cells, code spans, fences, cut lengths.

Every string from the report document reaches report.md through one of these, so a pipe, a
backtick, a newline or a tag in a detail or a value can never break a table, close a fence or
become markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

CELL_CHARS = 500
"""A table cell longer than this is cut, with a note of how much is left out."""


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, saying how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def plain(value: object) -> str:
    """A document value as text: strings as they are, anything else as sorted JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def html_text(text: str) -> str:
    """`text` with `&`, `<` and `>` escaped, so no tag in it is ever markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_cell(text: object, *, limit: int = CELL_CHARS) -> str:
    """`text` safe inside a Markdown table cell: pipes and markup escaped, tags inert, newlines
    as <br>."""
    shown = html_text(shorten(plain(text), limit))
    # One pass, so a backslash this adds is never escaped again.
    shown = re.sub(r"([\\`*~\[\]|])", r"\\\1", shown)
    return "<br>".join(shown.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def code_span(text: object) -> str:
    """`text` as an inline code span that no backtick, pipe or newline inside can break."""
    shown = re.sub(r"[\r\n]+", " ", plain(text)).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", shown)), default=0) + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def fenced(lines: Sequence[str], *, info: str = "text") -> list[str]:
    """A fenced code block longer than any backtick run in `lines`."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", *lines, fence]


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, numeric: Sequence[int] = ()
) -> list[str]:
    """A Markdown table of cells already escaped; `numeric` columns align right."""
    rule = "|" + "|".join("---:" if index in numeric else "---" for index in range(len(headers)))
    return [
        "| " + " | ".join(headers) + " |",
        rule + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
