"""docs/constitution.md, rendered from `model.constitution`: the constitution's tables as Markdown.

The constitution is data in the model; this module prints it, so the document and the rules the
chain enforces cannot drift apart (a test compares the file with this output). Every key shows
the hardened reading beside the literal one, so the difference between the two profiles is one
row to read. Regenerate with `python -m reports.constitution_doc > docs/constitution.md`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from model.constitution import (
    HARDENED_CONSTITUTION,
    LITERAL_CONSTITUTION,
    AmendmentRule,
    Constitution,
    Fraction,
    Process,
    Row,
    VoteRule,
)
from model.params import param_specs

DAY_SECONDS = 86_400


def format_fraction(fraction: Fraction | None, *, none: str = "none") -> str:
    """`2/3 (66.67%)`, or `none`."""
    if fraction is None:
        return none
    hundredths = fraction.num * 10_000 // fraction.den
    whole, part = divmod(hundredths, 100)
    digits = f"{part:02d}".rstrip("0")
    return f"{fraction} ({whole}{'.' + digits if digits else ''}%)"


def format_bound(value: int) -> str:
    """An integer bound with thousands separators, powers of ten past 10^12 written as such."""
    if value >= 10**12 and str(value).rstrip("0") == "1":
        return f"10^{len(str(value)) - 1}"
    return f"{value:,}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _process(row: Row) -> str:
    return "amendment" if row.process is Process.AMENDMENT else "parameter change"


def _range(row: Row) -> str:
    if row.minimum == row.maximum:
        return f"{format_bound(row.minimum)} only"
    return f"{format_bound(row.minimum)} .. {format_bound(row.maximum)}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def _keys_side_by_side(hardened: Constitution, literal: Constitution) -> list[str]:
    rows = []
    for spec in param_specs():
        hard = hardened.rows.get(spec.name)
        lit = literal.rows.get(spec.name)
        differs = []
        if hard is None or lit is None or hard.process is not lit.process:
            differs.append("process")
        if (
            hard is None
            or lit is None
            or (hard.minimum, hard.maximum)
            != (
                lit.minimum,
                lit.maximum,
            )
        ):
            differs.append("range")
        rows.append(
            [
                f"`{spec.name}`",
                _process(hard) if hard else "not listed",
                hard.vote if hard else "",
                _range(hard) if hard else "",
                _process(lit) if lit else "not listed",
                lit.vote if lit else "",
                _range(lit) if lit else "",
                ", ".join(differs),
            ]
        )
    headers = [
        "key",
        "hardened: process",
        "vote",
        "range",
        "literal: process",
        "vote",
        "range",
        "differs in",
    ]
    return _table(headers, rows)


def _reasons(constitution: Constitution) -> list[str]:
    rows = [
        [f"`{row.key}`", _process(row), row.vote, _range(row), row.section, row.reason]
        for spec in param_specs()
        if (row := constitution.rows.get(spec.name)) is not None
    ]
    return _table(["key", "process", "vote", "range", "§", "reason"], rows)


def _ratio_bounds(constitution: Constitution) -> list[str]:
    if not constitution.ratio_bounds:
        return ["None: the literal text bounds no fraction of two keys."]
    rows = [
        [
            f"`{bound.num_key}` / `{bound.den_key}`",
            f"at least {format_fraction(bound.least)}, below 1",
            bound.section,
            bound.reason,
        ]
        for bound in constitution.ratio_bounds
    ]
    return _table(["fraction", "bound", "§", "reason"], rows)


def _votes(votes: Sequence[VoteRule]) -> list[str]:
    rows = [
        [
            vote.name,
            format_fraction(vote.quorum),
            format_fraction(vote.threshold, none="the governed supermajority"),
            "every vote cast" if vote.counts_abstain else "yes + no + no-with-veto",
            format_fraction(vote.veto),
            vote.source,
        ]
        for vote in votes
    ]
    return _table(["vote", "quorum", "yes must exceed", "of", "veto", "source"], rows)


def _amendment(rule: AmendmentRule | None) -> list[str]:
    if rule is None:
        return ["None: under this reading no key changes by amendment."]
    rows = [
        ["each period", f"{rule.period_seconds // DAY_SECONDS} days"],
        ["proposal period: upvotes", f"at least {format_fraction(rule.proposal_quorum)}"],
        ["ballot: yes of yes + no", f"at least {format_fraction(rule.supermajority)}"],
        ["ballot: quorum floor", format_fraction(rule.quorum_min)],
        ["ballot: quorum ceiling", format_fraction(rule.quorum_max)],
        ["participation average: weight of each ballot", format_fraction(rule.ema_weight)],
        ["participation average at the start", f"{rule.initial_ema_bps} bps"],
        ["source", rule.source],
    ]
    return _table(["rule", "value"], rows)


def _sorted_votes(constitution: Constitution) -> tuple[VoteRule, ...]:
    # A PMap's order follows string hashes, which change from run to run.
    return tuple(constitution.votes[name] for name in sorted(constitution.votes))


def _mixing(constitution: Constitution) -> str:
    if constitution.mixed_processes:
        return "One proposal may change keys of both processes (the text is silent)."
    return "One proposal changes keys of one process only."


def _reading(title: str, constitution: Constitution) -> list[str]:
    """One reading's sections: reasons, ratio bounds, votes, amendment and mixing."""
    return [
        f"## {title} reading (`{constitution.name}`)",
        "",
        *_reasons(constitution),
        "",
        "### Ratio bounds",
        "",
        *_ratio_bounds(constitution),
        "",
        "### Votes",
        "",
        *_votes(_sorted_votes(constitution)),
        "",
        "### Amendment",
        "",
        *_amendment(constitution.amendment),
        "",
        _mixing(constitution),
    ]


def render_constitution_doc(
    hardened: Constitution = HARDENED_CONSTITUTION,
    literal: Constitution = LITERAL_CONSTITUTION,
) -> str:
    """docs/constitution.md: both readings of the constitution, key by key, and their votes."""
    lines = [
        "# The constitution",
        "",
        "<!-- Generated by `python -m reports.constitution_doc > docs/constitution.md` from",
        "     model/constitution.py; edit the model, not this file. -->",
        "",
        "Which process may change each key of the parameter set, by which vote, within which",
        "range (whitepaper §6.8). Two readings: **hardened** (profile `hardened`, the repaired",
        "reading the chain enforces by default) and **literal** (profile `whitepaper`, what the",
        "text literally allows). GOV-SAFE proves that nothing a reading lets governance adopt",
        "breaks an invariant; where the literal reading lets a vote leave the hardened range,",
        "the difference shows as findings. `stratoverify check PROPOSAL` reports, for every key",
        "a proposal changes, the process it needs and whether it fits (docs/guide.md).",
        "",
        "## Keys, both readings",
        "",
        *_keys_side_by_side(hardened, literal),
        "",
        *_reading("Hardened", hardened),
        "",
        *_reading("Literal", literal),
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Print docs/constitution.md on stdout."""
    sys.stdout.write(render_constitution_doc())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
