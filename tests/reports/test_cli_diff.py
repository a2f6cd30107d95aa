"""`stratoverify diff OLD NEW`: parameters, payment split, burn share, slash schedule, verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from model.params import WHITEPAPER_PARAMS, params_to_document
from reports.cli import main
from reports.diff import diff_reports
from reports.diff_plots import DIFF_PLOT_FILES

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = ROOT / "fixtures" / "params" / "whitepaper.json"
PROPOSALS = ROOT / "fixtures" / "proposals"


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main([*argv, "--json", "--quiet"], env={})
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return code, document


@pytest.mark.slow
def test_diff__a_coherent_burn_change(capsys: pytest.CaptureFixture[str]) -> None:
    code, diff = run_json(
        [
            "diff",
            str(DEFAULTS),
            str(PROPOSALS / "burn-12pct.legacy.json"),
            "--engines",
            "z3",
            "--effort",
            "quick",
        ],
        capsys,
    )
    assert code == 0
    assert diff["parameters"] == [
        {"parameter": "payment.str_node_profit_bps", "before": 2000, "after": 1800, "flag": ""},
        {"parameter": "payment.str_burn_bps", "before": 1000, "after": 1200, "flag": ""},
    ]
    parts = {part["name"]: part for part in diff["payment_split_usd_micro"]["parts"]}
    # §6.3.3: $100 of cost; the burn moves from $20 to $24 of STR, the node's STR from $40 to $36.
    assert parts["str_burn_usd"]["before"] == 20_000_000
    assert parts["str_burn_usd"]["after"] == 24_000_000
    assert parts["str_node_profit_usd"]["delta"] == -4_000_000
    assert parts["total"]["delta"] == 0
    assert diff["burn_share_bps"] == {"before": 1500, "after": 1700, "flag": ""}
    assert diff["slash_schedule_bps"]["before"] == diff["slash_schedule_bps"]["after"]
    assert diff["verdicts"] == []


@pytest.mark.slow
def test_diff__a_change_that_breaks_an_invariant(capsys: pytest.CaptureFixture[str]) -> None:
    code, diff = run_json(
        [
            "diff",
            str(DEFAULTS),
            str(PROPOSALS / "burn-12pct-alone.legacy.json"),
            "--engines",
            "z3",
            "--effort",
            "quick",
        ],
        capsys,
    )
    assert code == 1
    changed = {row["id"]: row for row in diff["verdicts"]}
    assert changed["GOV-PARAMS"]["before"] == "pass"
    assert changed["GOV-PARAMS"]["after"] == "fail"
    assert "coherence.rule.name = str-sub-shares" in changed["GOV-PARAMS"]["detail"]
    # The new set is flagged wherever it is shown: its split at the stated shares, the $4 the
    # STR sub-shares assign beyond the STR margin on a row of its own, not in the node's profit.
    flag = "after incoherent: str-sub-shares"
    (violation,) = diff["coherence"]["after"]["violations"]
    assert violation["rule"] == "str-sub-shares"
    assert violation["changed_keys"] == ["payment.str_burn_bps"]
    assert diff["coherence"]["before"] == {"coherent": True, "violations": []}
    assert diff["parameters"] == [
        {
            "parameter": "payment.str_burn_bps",
            "before": 1000,
            "after": 1200,
            "flag": "incoherent: str-sub-shares",
        }
    ]
    parts = {part["name"]: part for part in diff["payment_split_usd_micro"]["parts"]}
    assert all(part["flag"] == flag for part in parts.values())
    assert parts["str_node_profit_usd"]["after"] == 40_000_000
    assert parts["unassigned_usd"] == {
        "name": "unassigned_usd",
        "before": 0,
        "after": -4_000_000,
        "delta": -4_000_000,
        "flag": flag,
    }
    assert diff["burn_share_bps"] == {"before": 1500, "after": 1700, "flag": flag}
    assert [row["flag"] for row in diff["supply_effect_ustr"]["years"]] == [flag] * 3


@pytest.mark.slow
def test_diff__markdown_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    slashing = tmp_path / "slashing.json"
    slashing.write_text('{"slashing": {"slash_base_bps": 1000}}', encoding="utf-8")
    code = main(
        [
            "diff",
            str(DEFAULTS),
            str(slashing),
            "--engines",
            "z3",
            "--effort",
            "quick",
            "--out",
            str(tmp_path / "d"),
        ],
        env={},
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "| slashing.slash_base_bps | 500 | 1000 |" in out
    assert "| before | 500 | 1000 | 2000 | 4000 | 8000 | 10000 | 10000 | 10000 |" in out
    assert "| after | 1000 | 2000 | 4000 | 8000 | 10000 | 10000 | 10000 | 10000 |" in out
    for name in ("diff.json", "diff.md", "old/report.json", "new/report.json", "new/report.html"):
        assert (tmp_path / "d" / name).is_file(), name
    # The designer's page: the before/after plots beside the tables, each file written.
    html = (tmp_path / "d" / "diff.html").read_text("utf-8")
    for _, plot in DIFF_PLOT_FILES:
        svg = (tmp_path / "d" / plot).read_text("utf-8")
        assert svg.lstrip().startswith(("<?xml", "<svg")), plot
    assert html.count("<svg") >= len(DIFF_PLOT_FILES)


def test_diff_reports__whitepaper_profile_shows_the_uncapped_schedule() -> None:
    document = {
        "inputs": {
            "params": params_to_document(WHITEPAPER_PARAMS),
            "profile": "whitepaper",
            "source": "a",
            "params_sha256": "0" * 64,
        },
        "verdict": "pass",
        "content_sha256": "0" * 64,
        "invariants": [],
    }
    result = diff_reports(document, document)
    assert result.document["slash_schedule_bps"]["after"][5] == 16_000
    assert result.exit_code == 0
