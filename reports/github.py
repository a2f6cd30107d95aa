"""GitHub Actions support: workflow-command annotations and the job's step summary.

Pure functions over the report document and an environment mapping (the caller passes
`os.environ`), so they are tested without a runner. Annotations follow GitHub's workflow-command
escaping, so no detail or path can end a command early or start another.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.markdown import SUMMARY_LIMIT_BYTES
from reports.sarif import describe_result, get_source_locations

LEVELS = {"fail": "error", "inconclusive": "warning"}
"""The workflow command of each verdict that makes an annotation."""


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


def render_annotations(document: Mapping[str, Any]) -> list[str]:
    """One `::error` per failing invariant and one `::warning` per inconclusive one, at the
    input line of a changed parameter it reads when the input is a file."""
    lines = []
    for row in document["invariants"]:
        command = LEVELS.get(row["verdict"])
        if command is None:
            continue
        properties: dict[str, object] = {}
        locations = get_source_locations(document, row)
        if locations:
            properties["file"] = locations[0].path
            properties["line"] = locations[0].line
        properties["title"] = f"{row['id']} (§{row.get('section', '')})"
        lines.append(format_command(command, properties, describe_result(row)))
    return lines


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
