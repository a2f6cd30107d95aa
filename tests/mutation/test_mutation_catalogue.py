"""The mutant catalogue stays in step with the model, and the harness really checks the copy.

The catalogue tests read the source only. The end-to-end tests run the Z3 engine alone (about
2 s a run) on a copy: a mutant of the shared threshold formula must be killed and the unmutated
copy must pass, which a harness that checked the installed tree instead could not do both.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mutation.__main__ import format_line, main, summarise
from mutation.catalogue import MUTANTS, Mutant, get_mutant
from mutation.harness import (
    REPO_ROOT,
    CheckRun,
    IsolationError,
    MutantResult,
    Outcome,
    SnippetError,
    apply_mutant,
    classify,
    copy_tree,
    run_mutant,
    verify_isolation,
)

IDS = [mutant.id for mutant in MUTANTS]


def read(mutant: Mutant) -> str:
    return (REPO_ROOT / mutant.file).read_text(encoding="utf-8")


# --- The catalogue -------------------------------------------------------------------------------


def test_at_least_25_mutants() -> None:
    assert len(MUTANTS) >= 25


def test_ids_and_names_unique() -> None:
    assert len(set(IDS)) == len(IDS)
    assert len({mutant.name for mutant in MUTANTS}) == len(MUTANTS)


@pytest.mark.parametrize("mutant", MUTANTS, ids=IDS)
def test_original_occurs_once(mutant: Mutant) -> None:
    assert mutant.file.startswith("model/")
    assert read(mutant).count(mutant.original) == 1


@pytest.mark.parametrize("mutant", MUTANTS, ids=IDS)
def test_mutated_source_compiles(mutant: Mutant) -> None:
    mutated = read(mutant).replace(mutant.original, mutant.replacement)
    assert mutated != read(mutant)
    compile(mutated, mutant.file, "exec")


def test_get_mutant__unknown() -> None:
    with pytest.raises(KeyError, match="M01"):
        get_mutant("M99")


def test_apply_mutant(tmp_path: Path) -> None:
    mutant = get_mutant("M02")
    (tmp_path / "model").mkdir()
    (tmp_path / mutant.file).write_text(read(mutant), encoding="utf-8")
    apply_mutant(mutant, tmp_path)
    text = (tmp_path / mutant.file).read_text(encoding="utf-8")
    assert mutant.replacement in text and mutant.original not in text


def test_apply_mutant__invalid_stale_snippet(tmp_path: Path) -> None:
    """A mutant whose snippet is gone is refused, never silently left unapplied."""
    mutant = get_mutant("M02")
    (tmp_path / "model").mkdir()
    (tmp_path / mutant.file).write_text("# nothing to mutate\n", encoding="utf-8")
    with pytest.raises(SnippetError, match="0 times"):
        apply_mutant(mutant, tmp_path)


# --- Classifying a run ---------------------------------------------------------------------------


def test_classify__traceback_is_an_error_not_a_kill() -> None:
    run = CheckRun(1, "", "Traceback ...\nImportError: planted\n", 0.5)
    result = classify(run, "M00")
    assert result.outcome is Outcome.ERROR
    assert "ImportError: planted" in result.detail


def test_classify__timeout() -> None:
    assert classify(CheckRun(None, "", "", 9.0), "M00").outcome is Outcome.TIMEOUT


def test_classify__inconclusive() -> None:
    report = {
        "exit_code": 3,
        "verdict": "inconclusive",
        "engines": {"z3": {"verdict": "error", "reason": "ZeroDivisionError"}},
        "invariants": [{"id": "CONS-SPLIT", "verdict": "inconclusive", "engines": {}}],
    }
    result = classify(CheckRun(3, json.dumps(report), "", 1.0), "M00")
    assert result.outcome is Outcome.INCONCLUSIVE
    assert "ZeroDivisionError" in result.detail and "CONS-SPLIT" in result.detail


def test_format_line_and_summary() -> None:
    killed = MutantResult("M02", Outcome.KILLED, ("BFT-THRESHOLD",), ("z3",), 2.0, "")
    equivalent = MutantResult("M30", Outcome.SURVIVED, (), (), 3.0, "")
    line = format_line(get_mutant("M30"), equivalent)
    assert line.startswith("EQUIV   M30 rate-loop-no-shortcut")
    results = [(get_mutant("M02"), killed), (get_mutant("M30"), equivalent)]
    summary = summarise(results, seconds=5.0, crash_kills=False, settings={})
    assert (summary["mutants"], summary["killed"], summary["equivalent"]) == (2, 1, 1)
    assert summary["score"] == 1.0 and summary["not_killed"] == []


# --- End to end, through a real copy -------------------------------------------------------------


def test_copy_shadows_the_installed_packages(tmp_path: Path) -> None:
    copy_tree(REPO_ROOT, tmp_path)
    files = verify_isolation(tmp_path)
    assert files["model"] == str(tmp_path / "model" / "__init__.py")
    assert all(Path(file).is_relative_to(tmp_path) for file in files.values())


def test_verify_isolation__invalid_without_a_copy(tmp_path: Path) -> None:
    with pytest.raises(IsolationError, match="not from the copy"):
        verify_isolation(tmp_path)


def test_run_mutant__import_failure_is_reported_from_the_copy() -> None:
    """A planted import error surfaces from the copy's file, as an error and not as a kill."""
    broken = Mutant(
        id="X01",
        name="import-fails",
        file="model/__init__.py",
        original='"""The pure, integer-only model',
        replacement='raise ImportError("planted")\n"""The pure, integer-only model',
        description="the model cannot be imported",
        section="-",
    )
    result = run_mutant(broken, engines=("z3",), timeout_seconds=60)
    assert result.outcome is Outcome.ERROR
    assert "stratoverify-X01-" in result.detail and "ImportError: planted" in result.detail


@pytest.mark.slow
def test_run_mutant__cheap_mutant_killed() -> None:
    result = run_mutant(get_mutant("M02"), engines=("z3",), timeout_seconds=120)
    assert result.outcome is Outcome.KILLED, result.detail
    assert "BFT-THRESHOLD" in result.killed_by and result.engines == ("z3",)


@pytest.mark.slow
def test_run_mutant__unmutated_tree_passes() -> None:
    result = run_mutant(None, engines=("z3",), timeout_seconds=120)
    assert result.outcome is Outcome.SURVIVED, result.detail
    assert result.killed_by == ()


@pytest.mark.slow
def test_main__only_one_mutant() -> None:
    out = io.StringIO()
    assert main(["--only", "M02", "--engines", "z3"], stdout=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("KILLED  M02 threshold-ge  by BFT-THRESHOLD (z3)")
    summary = json.loads(lines[-1])
    assert summary["mutants"] == 1 and summary["score"] == 1.0


def test_main__invalid_mutant_id() -> None:
    assert main(["--only", "M99"], stdout=io.StringIO()) == 2
