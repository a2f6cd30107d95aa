"""The top of a report: the verdict, then one line per invariant that fails or is inconclusive.

Each line gives what a designer acts on first: the ID, its statement in short, the engines that
refuted it (or could not decide it), and each changed key whose safe set excludes the proposed
value because of it, with that safe set. report.html and report.md render the same lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

STATEMENT_CHARS = 90
"""A statement longer than this is cut at a word in the line (the invariants table has it whole)."""

REASON_CHARS = 140
"""An undecided engine's reason longer than this is cut at a word (the invariants table has it)."""

_REFUTING = frozenset({"fail", "refuted"})
_UNDECIDED = frozenset({"vacuous", "unknown", "error"})


@frozen
class KeyBreak:
    """A changed key whose proposed value breaks the invariant, and the values that keep it."""

    parameter: str
    value: str
    safe: str
    """The exact safe set, as intervals (`1000..1200, 1500`), `none`, or why it was not computed."""


@frozen
class FailureLine:
    """One invariant that fails or is inconclusive, as the report's top names it."""

    id: str
    verdict: str
    statement: str
    engines: tuple[str, ...]
    """The engines that refuted it (fail: `z3`), or could not decide it, with their verdict
    (inconclusive: `hypothesis vacuous`)."""
    keys: tuple[KeyBreak, ...]
    has_counterexample: bool
    reason: str = ""
    """Why an inconclusive invariant was not decided (the first undecided engine's reason), cut
    short; empty for a failure."""


def shorten(text: str, limit: int = STATEMENT_CHARS) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def format_intervals(items: Sequence[Mapping[str, Any]]) -> str:
    """Intervals as `low..high` (one value alone), comma-separated; `none` for no interval."""
    shown = [
        str(item.get("low"))
        if item.get("low") == item.get("high")
        else f"{item.get('low')}..{item.get('high')}"
        for item in items
    ]
    return ", ".join(shown) or "none"


def _key_breaks(invariant_id: str, keys: Sequence[Mapping[str, Any]]) -> tuple[KeyBreak, ...]:
    found = []
    for key in keys:
        region: Mapping[str, Any] = key.get("region") or {}
        if not region.get("computed") or invariant_id not in (region.get("breaks") or []):
            continue
        found.append(
            KeyBreak(
                parameter=str(key.get("parameter")),
                value=str(key.get("value")),
                safe=format_intervals(region.get("safe") or []),
            )
        )
    return tuple(found)


def _reason(engines: Mapping[str, Any]) -> str:
    for evidence in engines.values():
        if evidence.get("verdict") in _UNDECIDED:
            why = evidence.get("reason") or evidence.get("note")
            if why:
                return shorten(str(why), REASON_CHARS)
    return ""


def get_failure_lines(document: Mapping[str, Any]) -> tuple[FailureLine, ...]:
    """A line per failing invariant, then one per inconclusive invariant, in catalogue order."""
    keys: Sequence[Mapping[str, Any]] = document.get("keys") or []
    lines = []
    for wanted, engine_verdicts in (("fail", _REFUTING), ("inconclusive", _UNDECIDED)):
        for row in document.get("invariants") or []:
            if row.get("verdict") != wanted:
                continue
            engines: Mapping[str, Any] = row.get("engines") or {}
            lines.append(
                FailureLine(
                    id=str(row.get("id")),
                    verdict=wanted,
                    statement=shorten(str(row.get("statement") or "")),
                    engines=tuple(
                        # A refutation is one word whoever made it; why an engine did not
                        # decide (vacuous, unknown, error) matters.
                        str(name) if wanted == "fail" else f"{name} {evidence.get('verdict')}"
                        for name, evidence in engines.items()
                        if evidence.get("verdict") in engine_verdicts
                    ),
                    keys=_key_breaks(str(row.get("id")), keys),
                    has_counterexample=bool(row.get("counterexamples")),
                    reason=_reason(engines) if wanted == "inconclusive" else "",
                )
            )
    return tuple(lines)


def describe_counts(document: Mapping[str, Any]) -> str:
    """How many invariants have each verdict: `5 invariants: 2 fail, 1 inconclusive, 2 pass`."""
    counts: dict[str, int] = {}
    for row in document.get("invariants") or []:
        verdict = str(row.get("verdict"))
        counts[verdict] = counts.get(verdict, 0) + 1
    total = sum(counts.values())
    order = ["fail", "inconclusive", "pass", "not-applicable"]
    order += sorted(set(counts) - set(order))
    parts = [f"{counts[name]} {name}" for name in order if counts.get(name)]
    noun = "invariant" if total == 1 else "invariants"
    return f"{total} {noun} checked: {', '.join(parts) or 'none'}"
