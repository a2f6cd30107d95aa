"""`diff`: what a parameter change does, read from the two reports a change is checked with.

Both reports carry their full parameter sets, so the economics (the payment split of a $100
cost, the burn share, the slash schedule) are recomputed from them with the model's own
functions, and the verdicts are compared invariant by invariant. The diff's exit code is about
the change: 1 when an invariant that held before breaks, 3 when one becomes inconclusive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from model.params import Params, param_specs
from model.payment import compute_payment_split
from model.profile import PROFILES, Profile
from model.slashing import compute_slash_rate_bps
from model.units import MICRO
from reports.param_documents import parse_param_set
from reports.plots import compute_burn_share_bps

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


def get_payment_split_rows(params: Params) -> dict[str, int]:
    """The parts of §6.3.3's $100 payment, in micro-dollars, by part name."""
    split = compute_payment_split(EXAMPLE_COST, params)
    return {"total": split.total, **dict(split.named_parts())}


def get_slash_schedule(params: Params, profile: Profile) -> list[int]:
    """The rate (bps) of the 1st .. `SLASHES_SHOWN`th slash within one window."""
    return [compute_slash_rate_bps(level, params, profile) for level in range(SLASHES_SHOWN)]


def _before_after(before: Mapping[str, int], after: Mapping[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "before": before[name],
            "after": after[name],
            "delta": after[name] - before[name],
        }
        for name in before
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
    parameters = [
        {
            "parameter": spec.name,
            "before": old["inputs"]["params"][spec.subspace][spec.key],
            "after": new["inputs"]["params"][spec.subspace][spec.key],
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
        "payment_split_usd_micro": {
            "cost": EXAMPLE_COST,
            "parts": _before_after(
                get_payment_split_rows(old_params), get_payment_split_rows(new_params)
            ),
        },
        "burn_share_bps": {
            "before": compute_burn_share_bps(old_params),
            "after": compute_burn_share_bps(new_params),
        },
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
        lines += ["| parameter | before | after |", "|---|---:|---:|"]
        lines += [
            f"| {p['parameter']} | {p['before']} | {p['after']} |" for p in document["parameters"]
        ]
    else:
        lines.append("None: both sets are the same.")
    split = document["payment_split_usd_micro"]
    lines += [
        "",
        f"## Payment split of a {_usd(split['cost'])} cost",
        "",
        "| part | before | after | change |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {p['name']} | {_usd(p['before'])} | {_usd(p['after'])} | {_usd(p['delta'])} |"
        for p in split["parts"]
    ]
    burn = document["burn_share_bps"]
    lines += ["", f"Burn share of total spend: {burn['before']} bps -> {burn['after']} bps.", ""]
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
