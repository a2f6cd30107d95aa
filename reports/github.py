"""GitHub Actions support: workflow-command annotations and the job's step summary.

Pure functions over the report document and an environment mapping (the caller passes
`os.environ`), so they are tested without a runner. Annotations follow GitHub's workflow-command
escaping, so no detail or path can end a command early or start another.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reports.markdown import BUDGET_BYTES, SUMMARY_LIMIT_BYTES, render_markdown
from reports.sarif import (
    describe_result,
    get_relative_path,
    get_source_locations,
    normalize_labels,
)

LEVELS = {"fail": "error", "inconclusive": "warning"}
"""The workflow command of each verdict that makes an annotation."""

ANNOTATIONS_PER_STEP = {"error": 10, "warning": 10}
"""GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (and 50 per
job); those past the limit are dropped silently, so we stop at it and say so in a notice."""

Documents = Mapping[str, Any] | Sequence[Mapping[str, Any]]
"""One report document, or several (one per input)."""


def is_github_actions(env: Mapping[str, str]) -> bool:
    """Whether this process runs as a GitHub Actions step."""
    return env.get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """A workflow command's message, escaped so a newline cannot end the command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, escaped so `:` and `,` cannot end it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_command(command: str, properties: Mapping[str, object], message: str) -> str:
    """`::command key=value,...::message`, every part escaped."""
    pairs = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{command}{' ' + pairs if pairs else ''}::{escape_data(message)}"


def _as_list(documents: Documents) -> list[Mapping[str, Any]]:
    if isinstance(documents, Mapping):
        return [documents]
    return list(documents)


def _annotations_of(
    document: Mapping[str, Any], label: str | None, root: Path | None
) -> list[tuple[str, str]]:
    """(command, line) for each failing or inconclusive invariant of one input."""
    annotations = []
    for row in document["invariants"]:
        command = LEVELS.get(row["verdict"])
        if command is None:
            continue
        properties: dict[str, object] = {}
        locations = get_source_locations(document, row)
        if locations:
            path = locations[0].path
            # GitHub places an annotation by its path from the repository's top level.
            properties["file"] = (get_relative_path(path, root) if root else None) or path
            properties["line"] = locations[0].line
        title = f"{row['id']} (§{row.get('section', '')})"
        properties["title"] = f"{label}: {title}" if label else title
        annotations.append((command, format_command(command, properties, describe_result(row))))
    return annotations


def render_annotations(
    documents: Documents,
    labels: Sequence[str] | None = None,
    *,
    report_dir: str = "the report folder",
    sarif_root: Path | None = None,
) -> list[str]:
    """One `::error` per failing invariant and one `::warning` per inconclusive one, at the
    input line of a changed parameter it reads when the input is a file.

    With several inputs each title starts with the input's label, and the inputs take turns, so
    each one's first findings are shown. At most 10 errors and 10 warnings (GitHub's limit per
    step); one closing `::notice` counts those left out and says where to read them. A file
    under `sarif_root` (the repository's top level) is named relative to it.
    """
    reports = _as_list(documents)
    if labels is not None and len(labels) != len(reports):
        raise ValueError(f"{len(reports)} reports but {len(labels)} labels")
    names: list[str | None] = list(normalize_labels(labels)) if labels is not None else []
    names += [None] * (len(reports) - len(names))
    per_input = [
        _annotations_of(document, name, sarif_root)
        for document, name in zip(reports, names, strict=True)
    ]
    turns = itertools.chain.from_iterable(itertools.zip_longest(*per_input))
    shown = {command: 0 for command in ANNOTATIONS_PER_STEP}
    lines, left_out = [], 0
    for annotation in turns:
        if annotation is None:
            continue
        command, line = annotation
        if shown[command] < ANNOTATIONS_PER_STEP[command]:
            shown[command] += 1
            lines.append(line)
        else:
            left_out += 1
    if left_out:
        message = (
            f"{left_out} more failing or inconclusive invariant"
            f"{'s are' if left_out != 1 else ' is'} not annotated: GitHub shows at most "
            f"{ANNOTATIONS_PER_STEP['error']} errors and {ANNOTATIONS_PER_STEP['warning']} "
            f"warnings per step. Every finding is in the step summary and in report.md and "
            f"report.sarif in {report_dir}."
        )
        lines.append(format_command("notice", {"title": "stratoverify"}, message))
    return lines


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def demote_headings(markdown: str) -> str:
    """`markdown` with every ATX heading one level deeper, fenced code left alone."""
    lines, fence = [], ""
    for line in markdown.split("\n"):
        opening = _FENCE.match(line)
        if fence:
            # A fence closes only on a bare run of its own character at least as long.
            if line.strip() and set(line.strip()) == {fence[0]} and len(line.strip()) >= len(fence):
                fence = ""
            lines.append(line)
            continue
        if opening:
            fence = opening.group(1)
        deeper = not fence and re.match(r"^#{1,5} ", line)
        lines.append("#" + line if deeper else line)
    return "\n".join(lines)


def render_step_summaries(
    documents: Sequence[Mapping[str, Any]],
    labels: Sequence[str],
    *,
    budget_bytes: int = BUDGET_BYTES,
) -> str:
    """A step summary with a section per input: a heading naming it, then its report summary
    (headings one level down), each within its share of GitHub's 1 MiB."""
    if len(documents) != len(labels):
        raise ValueError(f"{len(documents)} reports but {len(labels)} labels")
    if not documents:
        return ""
    share = budget_bytes // len(documents)
    sections = []
    for document, label in zip(documents, normalize_labels(labels), strict=True):
        heading = f"# {label}"
        body = demote_headings(render_markdown(document, budget_bytes=share - len(heading) - 8))
        sections.append(f"{heading}\n\n{body}")
    return "\n".join(sections)


def write_step_summary(markdown: str, env: Mapping[str, str]) -> bool:
    """Append `markdown` to the file `GITHUB_STEP_SUMMARY` names; whether anything was written.

    A summary over GitHub's 1 MiB would be refused whole, so a note is written in its place;
    a summary that cannot be written returns False rather than failing the check.
    """
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    text = markdown if markdown.endswith("\n") else markdown + "\n"
    size = len(text.encode("utf-8"))
    if size > SUMMARY_LIMIT_BYTES:
        text = (
            f"stratoverify: the report summary is {size} bytes, over GitHub's step summary "
            "limit of 1 MiB; read report.md in the report folder instead.\n"
        )
    try:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(text)
    except OSError:
        return False
    return True
