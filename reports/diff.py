"""`diff`: what a parameter change does, read from the two reports a change is checked with.

Both reports carry their full parameter sets, so the economics (the payment split of a $100
cost, the burn share, the slash schedule, the STR supply over ten years) are recomputed from them
with the model's own functions, and the verdicts are compared invariant by invariant. A set
whose shares do not add up (GOV-PARAMS) is flagged wherever its numbers are shown, its split at
the stated shares with the remainder apart. The diff's exit code is about the change: 1 when an
invariant that held before breaks, 3 when one becomes inconclusive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from model.coherence import check_coherence
from model.params import Params, param_specs
from model.payment import compute_payment_split
from model.profile import PROFILES, Profile
from model.slashing import compute_slash_rate_bps
from model.units import MICRO
from reports.param_documents import parse_param_set
from reports.plots import (
    GENESIS_SUPPLY_USTR,
    SPEND_SHARE_BPS,
    compute_burn_share_bps,
    draw_payment_split,
    format_str,
    supply_projection_points,
)
from solver.goals.governance import COHERENCE_RULE_KEYS

DIFF_SCHEMA = "stratoverify/diff/1"

EXAMPLE_COST = 100 * MICRO
"""The cost the payment split is shown for: §6.3.3's $100."""

SLASHES_SHOWN = 8
"""The slash schedule is shown for the first this many slashes in one window."""


@frozen
class DiffResult:
    """The diff as a JSON-ready document, and its exit code."""

    document: dict[str, Any]
    exit_code: int


SUPPLY_YEARS: tuple[int, ...] = (1, 5, 10)
"""The years after genesis whose projected STR supply the diff shows."""

REMAINDER = "unassigned_usd"
"""The split row of what an incoherent set's stated shares leave of T (negative: take beyond)."""


def get_payment_split_rows(params: Params) -> dict[str, int]:
    """The parts of §6.3.3's $100 payment, in micro-dollars, by part name: for a set whose shares
    do not add up, each part at its stated share and the remainder as `REMAINDER`."""
    split = compute_payment_split(EXAMPLE_COST, params)
    drawn = draw_payment_split(params, cost=EXAMPLE_COST)
    names = [name for name, _ in split.named_parts()]
    rows = {"total": split.total, **dict(zip(names, (v for _, v in drawn.rows), strict=True))}
    return {**rows, REMAINDER: drawn.remainder} if drawn.rules else rows


def get_coherence(params: Params, other: Params) -> dict[str, Any]:
    """GOV-PARAMS of `params` as the diff flags it: each broken rule, its message, and the keys
    it reads whose value differs from `other` (the change that broke it)."""
    violations = [
        {
            "rule": violation.rule,
            "message": violation.message,
            "changed_keys": [
                name
                for name in COHERENCE_RULE_KEYS.get(violation.rule, ())
                if _value(params, name) != _value(other, name)
            ],
        }
        for violation in check_coherence(params)
    ]
    return {"coherent": not violations, "violations": violations}


def _value(params: Params, name: str) -> int:
    subspace, key = name.split(".")
    value: int = getattr(getattr(params, subspace), key)
    return value


def get_flag(coherence: Mapping[str, Any]) -> str:
    """ "before incoherent: <rule>; after incoherent: <rule>" for the flagged sides, else empty."""
    return "; ".join(
        f"{side} incoherent: {', '.join(v['rule'] for v in coherence[side]['violations'])}"
        for side in ("before", "after")
        if not coherence[side]["coherent"]
    )


def _breaks(coherence: Mapping[str, Any], name: str) -> str:
    """ "incoherent: <rule>" for the rules of `coherence` that the change of `name` broke."""
    rules = [v["rule"] for v in coherence["violations"] if name in v["changed_keys"]]
    return f"incoherent: {', '.join(rules)}" if rules else ""


def get_supply_effect(old: Params, new: Params, flag: str) -> dict[str, Any]:
    """§6.4, §6.9: the projected STR supply (ustr) after `SUPPLY_YEARS` years, before and after
    (the report's projection: its genesis supply and yearly spend are assumptions)."""
    before, after = supply_projection_points(old), supply_projection_points(new)
    return {
        "genesis_supply_ustr": GENESIS_SUPPLY_USTR,
        "yearly_spend_bps_of_supply": SPEND_SHARE_BPS,
        "years": [
            {
                "year": year,
                "before": before[year],
                "after": after[year],
                "delta": after[year] - before[year],
                "flag": flag,
            }
            for year in SUPPLY_YEARS
        ],
    }


def get_slash_schedule(params: Params, profile: Profile) -> list[int]:
    """The rate (bps) of the 1st .. `SLASHES_SHOWN`th slash within one window."""
    return [compute_slash_rate_bps(level, params, profile) for level in range(SLASHES_SHOWN)]


def _before_after(
    before: Mapping[str, int], after: Mapping[str, int], flag: str
) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "before": before.get(name, 0),
            "after": after.get(name, 0),
            "delta": after.get(name, 0) - before.get(name, 0),
            "flag": flag,
        }
        for name in dict.fromkeys([*before, *after])
    ]


def _changed_verdicts(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    old_rows = {row["id"]: row for row in old["invariants"]}
    new_rows = {row["id"]: row for row in new["invariants"]}
    changes = []
    for invariant_id in [*old_rows, *(i for i in new_rows if i not in old_rows)]:
        before, after = old_rows.get(invariant_id), new_rows.get(invariant_id)
        old_verdict = before["verdict"] if before else "not checked"
        new_verdict = after["verdict"] if after else "not checked"
        if old_verdict == new_verdict:
            continue
        counterexample = after["counterexample"] if after else None
        changes.append(
            {
                "id": invariant_id,
                "before": old_verdict,
                "after": new_verdict,
                "detail": counterexample["detail"] if counterexample else "",
            }
        )
    return changes


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any]) -> DiffResult:
    """What changes from the report `old` to the report `new`, and the diff's exit code."""
    old_params = parse_param_set(old["inputs"]["params"])
    new_params = parse_param_set(new["inputs"]["params"])
    old_profile = PROFILES[old["inputs"]["profile"]]
    new_profile = PROFILES[new["inputs"]["profile"]]
    coherence = {
        "before": get_coherence(old_params, new_params),
        "after": get_coherence(new_params, old_params),
    }
    flag = get_flag(coherence)
    parameters = [
        {
            "parameter": spec.name,
            "before": old["inputs"]["params"][spec.subspace][spec.key],
            "after": new["inputs"]["params"][spec.subspace][spec.key],
            "flag": _breaks(coherence["after"], spec.name),
        }
        for spec in param_specs()
        if old["inputs"]["params"][spec.subspace][spec.key]
        != new["inputs"]["params"][spec.subspace][spec.key]
    ]
    verdicts = _changed_verdicts(old, new)
    broken = [row for row in verdicts if row["after"] == "fail"]
    undecided = [row for row in verdicts if row["after"] == "inconclusive"]
    exit_code = 1 if broken else 3 if undecided else 0
    document = {
        "schema": DIFF_SCHEMA,
        "old": {
            "source": old["inputs"]["source"],
            "params_sha256": old["inputs"]["params_sha256"],
            "verdict": old["verdict"],
            "content_sha256": old["content_sha256"],
        },
        "new": {
            "source": new["inputs"]["source"],
            "params_sha256": new["inputs"]["params_sha256"],
            "verdict": new["verdict"],
            "content_sha256": new["content_sha256"],
        },
        "parameters": parameters,
        "coherence": coherence,
        "payment_split_usd_micro": {
            "cost": EXAMPLE_COST,
            "parts": _before_after(
                get_payment_split_rows(old_params), get_payment_split_rows(new_params), flag
            ),
        },
        "burn_share_bps": {
            "before": compute_burn_share_bps(old_params),
            "after": compute_burn_share_bps(new_params),
            "flag": flag,
        },
        "supply_effect_ustr": get_supply_effect(old_params, new_params, flag),
        "slash_schedule_bps": {
            "before": get_slash_schedule(old_params, old_profile),
            "after": get_slash_schedule(new_params, new_profile),
        },
        "verdicts": verdicts,
        "exit_code": exit_code,
    }
    return DiffResult(document=document, exit_code=exit_code)


def _usd(micro: int) -> str:
    sign = "-" if micro < 0 else ""
    whole, fraction = divmod(abs(micro), MICRO)
    return f"{sign}${whole}.{fraction:06d}".rstrip("0").rstrip(".")


def render_diff_markdown(document: Mapping[str, Any]) -> str:
    """The diff as Markdown: parameters, payment split, burn share, slashing, verdicts."""
    old, new = document["old"], document["new"]
    lines = [
        f"# stratoverify diff: {old['source']} -> {new['source']}",
        "",
        f"Verdict before: **{old['verdict']}**, after: **{new['verdict']}**; "
        f"exit code {document['exit_code']}.",
        "",
        "## Parameters that differ",
        "",
    ]
    if document["parameters"]:
        lines += ["| parameter | before | after | flag |", "|---|---:|---:|---|"]
        lines += [
            f"| {p['parameter']} | {p['before']} | {p['after']} | {p.get('flag') or ''} |"
            for p in document["parameters"]
        ]
    else:
        lines.append("None: both sets are the same.")
    lines += _coherence_lines(document.get("coherence"))
    split = document["payment_split_usd_micro"]
    lines += [
        "",
        f"## Payment split of a {_usd(split['cost'])} cost",
        "",
        "| part | before | after | change | flag |",
        "|---|---:|---:|---:|---|",
    ]
    lines += [
        f"| {p['name']} | {_usd(p['before'])} | {_usd(p['after'])} | {_usd(p['delta'])} "
        f"| {p.get('flag') or ''} |"
        for p in split["parts"]
    ]
    burn = document["burn_share_bps"]
    flagged = f" ({burn['flag']})" if burn.get("flag") else ""
    lines += [
        "",
        f"Burn share of total spend: {burn['before']} bps -> {burn['after']} bps{flagged}.",
        "",
    ]
    lines += _supply_lines(document.get("supply_effect_ustr"))
    slash = document["slash_schedule_bps"]
    lines += [
        "## Slash rate of the k-th slash within one window (bps)",
        "",
        "| k | " + " | ".join(str(k + 1) for k in range(len(slash["before"]))) + " |",
        "|---|" + "---:|" * len(slash["before"]),
        "| before | " + " | ".join(str(rate) for rate in slash["before"]) + " |",
        "| after | " + " | ".join(str(rate) for rate in slash["after"]) + " |",
        "",
        "## Verdicts that change",
        "",
    ]
    if document["verdicts"]:
        lines += ["| invariant | before | after | counterexample |", "|---|---|---|---|"]
        lines += [
            f"| {v['id']} | {v['before']} | {v['after']} | {v['detail'].replace('|', '/')} |"
            for v in document["verdicts"]
        ]
    else:
        lines.append("None: every invariant has the same verdict before and after.")
    return "\n".join(lines) + "\n"


def _coherence_lines(coherence: Mapping[str, Any] | None) -> list[str]:
    """The GOV-PARAMS warning of each incoherent side, or nothing when both add up."""
    if not coherence:
        return []
    lines: list[str] = []
    for side in ("before", "after"):
        for violation in coherence[side]["violations"]:
            keys = ", ".join(violation["changed_keys"]) or "no key the change moves"
            lines.append(
                f"- **{side} incoherent: {violation['rule']}** (GOV-PARAMS): "
                f"{violation['message']}; changed: {keys}"
            )
    if not lines:
        return []
    return [
        "",
        "## Warning: shares that do not add up",
        "",
        *lines,
        "",
        "The split below shows each part at its stated share and the remainder on its own row "
        f"({REMAINDER}; negative: assigned beyond T), not as node profit.",
    ]


def _supply_lines(supply: Mapping[str, Any] | None) -> list[str]:
    """The projected STR supply after 1, 5 and 10 years, before and after."""
    if not supply:
        return []
    lines = [
        "## STR supply effect (projection)",
        "",
        "| year | before (STR) | after (STR) | change (STR) | flag |",
        "|---:|---:|---:|---:|---|",
    ]
    lines += [
        f"| {row['year']} | {format_str(row['before'])} | {format_str(row['after'])} "
        f"| {_signed_str(row['delta'])} | {row['flag']} |"
        for row in supply["years"]
    ]
    lines += [
        "",
        f"Assumed: genesis supply {format_str(supply['genesis_supply_ustr'])} STR, and "
        f"{supply['yearly_spend_bps_of_supply']} bps of the supply spent through the network "
        "each year, of which the burn share is burned; inflation per §6.9.",
        "",
    ]
    return lines


def _signed_str(ustr: int) -> str:
    """A change of micro-STR as whole STR, truncated toward zero, with its sign."""
    sign = "-" if ustr < 0 else "+" if ustr > 0 else ""
    return f"{sign}{format_str(abs(ustr))}"
