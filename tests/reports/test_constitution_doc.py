"""docs/constitution.md is the renderer's output of `model.constitution`, and says what it holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from model.constitution import (
    HARDENED_CONSTITUTION,
    LITERAL_CONSTITUTION,
    TEZOS_AMENDMENT,
    Fraction,
)
from model.params import param_specs
from reports.constitution_doc import format_fraction, render_constitution_doc

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "constitution.md"


def test_docs_constitution_is_the_renderers_output() -> None:
    """Regenerate with `python -m reports.constitution_doc > docs/constitution.md`."""
    assert DOC.read_text("utf-8") == render_constitution_doc()


def test_module_prints_the_document() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reports.constitution_doc"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout == render_constitution_doc()


def _key_rows(text: str) -> dict[str, list[str]]:
    """The side-by-side table: key -> its cells."""
    section = text.split("## Keys, both readings", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            rows[cells[0].strip("`")] = cells
    return rows


def test_every_key_both_readings() -> None:
    rows = _key_rows(render_constitution_doc())
    assert list(rows) == [spec.name for spec in param_specs()]
    burn = rows["payment.str_burn_bps"]
    assert burn[1:4] == ["parameter change", "x/gov supermajority", "0 .. 10,000"]
    assert burn[4:7] == ["parameter change", "supermajority", "0 .. 10,000"]
    factor = rows["slashing.slash_factor"]
    assert factor[1:4] == ["amendment", "amendment", "2 only"]
    assert factor[4:8] == ["parameter change", "simple majority", "1 .. 100", "process, range"]


def test_the_difference_follows_the_rows() -> None:
    rows = _key_rows(render_constitution_doc())
    for name, cells in rows.items():
        hard, lit = HARDENED_CONSTITUTION.rows[name], LITERAL_CONSTITUTION.rows[name]
        assert ("process" in cells[7]) == (hard.process is not lit.process), name
        same_range = (hard.minimum, hard.maximum) == (lit.minimum, lit.maximum)
        assert ("range" in cells[7]) == (not same_range), name


def test_votes_ratio_bounds_and_amendment() -> None:
    text = render_constitution_doc()
    assert "| x/gov | 334/1000 (33.4%) | 1/2 (50%) | yes + no + no-with-veto | 334/1000" in text
    assert "| `consensus.threshold_num` / `consensus.threshold_den` | at least 2/3 (66.66%)" in text
    assert f"| each period | {TEZOS_AMENDMENT.period_seconds // 86_400} days |" in text
    assert "| ballot: yes of yes + no | at least 4/5" not in text  # the data says 80/100
    assert "| ballot: yes of yes + no | at least 80/100 (80%) |" in text
    assert "None: under this reading no key changes by amendment." in text


def test_format_fraction() -> None:
    """Shares print exactly, their percentage floored to hundredths."""
    assert format_fraction(None) == "none"
    assert format_fraction(Fraction(2, 3)) == "2/3 (66.66%)"
    assert format_fraction(Fraction(1, 8)) == "1/8 (12.5%)"
