"""End-to-end tests of `stratoverify check` and `reproduce` on the whitepaper defaults, and of
the command's options, run as a user runs them.

The checks of every engine run in a child interpreter (`python -m reports.cli`), as a user runs
them; the Z3 engine's and bad input's run through `main(argv)` in this process
(`cli_runner.stratoverify`: the same exit codes, stdout and stderr). The defaults' report is made
once per module at quick effort and shared by the tests that read it, and so is the Z3 engine's
report at default effort; a proposal that breaks invariants is in `test_cli_check_failing.py`,
each input shape in `test_cli_check_shapes.py`.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from cli_runner import (
    PROPOSALS,
    REPORT_FILES,
    assert_no_traceback,
    read_report,
    stratoverify,
    stratoverify_process,
)

from reports.report import compute_content_sha256
from reports.reproduce import get_report_validator


@pytest.fixture(scope="module")
def defaults_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`check` on the whitepaper defaults at quick effort, every engine, with a report folder."""
    out = tmp_path_factory.mktemp("defaults") / "report"
    result = stratoverify_process("check", "--effort", "quick", "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result.stderr


@pytest.fixture(scope="module")
def z3_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`check --engines z3 --out DIR --quiet` on the whitepaper defaults (default effort): a pass.
    Tests that write into a report folder work on their own copy of it."""
    out = tmp_path_factory.mktemp("z3") / "made"
    made = stratoverify("check", "--engines", "z3", "--out", out, "--quiet")
    assert made.returncode == 0, made.stdout + made.stderr
    return out


# --- the defaults ------------------------------------------------------------------------------


@pytest.mark.slow
def test_check_defaults__every_file_and_a_pass(defaults_run: tuple[Path, str]) -> None:
    out, progress = defaults_run
    for name in REPORT_FILES:
        assert (out / name).is_file(), name
    document = read_report(out)
    assert document["verdict"] == "pass" and document["exit_code"] == 0
    assert document["inputs"]["kind"] == "whitepaper defaults"
    assert document["inputs"]["changes"] == []
    ids = [row["id"] for row in document["invariants"]]
    assert "CONS-STR" in ids and "GROUNDED" in ids and "BFT-THRESHOLD" in ids
    assert {row["verdict"] for row in document["invariants"]} <= {"pass", "not-applicable"}
    # Every proof's query is on disk with the hash the report gives.
    for row in document["invariants"]:
        z3 = row["engines"].get("z3")
        if z3 is not None:
            query = (out / z3["smt2"]).read_bytes()
            assert b"(set-logic " in query and query.rstrip().endswith(b"(exit)")
            assert hashlib.sha256(query).hexdigest() == z3["smt2_sha256"]
            # Every query of the plan: all parameters (unless the ID needs concrete values),
            # then the checked set, each on disk; the deciding one is the plain file. GOV-SAFE
            # asks one query per invariant, each over every set governance can adopt.
            modes = [each["mode"] for each in z3["queries"]]
            if row["id"] == "GOV-SAFE":
                assert modes and set(modes) == {"adoptable"}
            else:
                assert modes in (["all-params", "concrete"], ["concrete"])
            assert z3["smt2"] in [each["smt2"] for each in z3["queries"]]
            for each in z3["queries"]:
                text = (out / each["smt2"]).read_bytes()
                assert hashlib.sha256(text).hexdigest() == each["smt2_sha256"]
                assert each["verdict"] == "proved"
    # Progress names every engine on stderr.
    for engine in ("hypothesis", "z3", "executor"):
        assert f"stratoverify: {engine}" in progress


@pytest.mark.slow
def test_check_defaults__report_matches_its_schema_and_hash(
    defaults_run: tuple[Path, str],
) -> None:
    document = read_report(defaults_run[0])
    errors = list(get_report_validator().iter_errors(document))
    assert not errors, errors[0].message
    assert compute_content_sha256(document) == document["content_sha256"]
    assert set(document["timings"]) >= {"hypothesis", "z3", "executor", "total"}


@pytest.mark.slow
def test_check_defaults__evidence_is_real(defaults_run: tuple[Path, str]) -> None:
    document = read_report(defaults_run[0])
    rows = {row["id"]: row for row in document["invariants"]}
    assert rows["CONS-STR"]["engines"]["hypothesis"]["steps"] > 0
    assert rows["CONS-STR"]["engines"]["z3"]["verdict"] == "proved"
    # Quick effort asks for 100 calls; Hypothesis skips the ones it has already generated.
    grounded = rows["GROUNDED"]["engines"]["executor"]
    assert 50 <= grounded["scenarios"] == document["engines"]["executor"]["scenarios"] <= 100
    assert document["engines"]["executor"]["rounds"] >= grounded["scenarios"]


@pytest.mark.slow
def test_check_twice__identical_reports(defaults_run: tuple[Path, str], tmp_path: Path) -> None:
    """Same inputs and seed: the same content hash, every file equal but report.json's timings."""
    again = tmp_path / "again"
    result = stratoverify_process("check", "--effort", "quick", "--out", again, "--quiet")
    assert result.returncode == 0 and result.stderr == ""
    first, second = read_report(defaults_run[0]), read_report(again)
    assert first["content_sha256"] == second["content_sha256"]
    first.pop("timings"), second.pop("timings")
    assert first == second
    for name in REPORT_FILES[1:]:
        # junit.xml carries the engines' times, as report.json's timings do: the rest is equal.
        before, after = (
            re.sub(r' time="[0-9.]+"', "", (folder / name).read_text("utf-8"))
            for folder in (defaults_run[0], again)
        )
        assert before == after, name
    assert sorted(p.name for p in (again / "smt2").iterdir()) == sorted(
        p.name for p in (defaults_run[0] / "smt2").iterdir()
    )


@pytest.mark.slow
def test_reproduce__a_fresh_report(defaults_run: tuple[Path, str]) -> None:
    result = stratoverify_process("reproduce", defaults_run[0] / "report.json", "--quiet")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("reproduced:")
    assert "content hash: identical" in result.stdout


@pytest.mark.slow
def test_reproduce__an_edited_report_is_refused(
    defaults_run: tuple[Path, str], tmp_path: Path
) -> None:
    document = read_report(defaults_run[0])
    document["invariants"][0]["verdict"] = "fail"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document), encoding="utf-8")
    result = stratoverify("reproduce", edited)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "content_sha256 does not match" in result.stderr


@pytest.mark.slow
def test_reproduce__a_different_record_is_not_reproduced(z3_run: Path, tmp_path: Path) -> None:
    """A report whose record differs from what its inputs give (hash made to match) exits 1."""
    document = read_report(z3_run)
    row = next(r for r in document["invariants"] if r["id"] == "SLASH-BOUNDS")
    row["engines"]["z3"]["verdict"] = "refuted"
    row["verdict"] = "fail"
    document["verdict"], document["exit_code"] = "fail", 1
    document["content_sha256"] = compute_content_sha256(document)
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document), encoding="utf-8")
    result = stratoverify("reproduce", forged, "--quiet", "--json")
    assert result.returncode == 1, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["identical"] is False
    assert "SLASH-BOUNDS: z3 recorded refuted, now proved" in outcome["differences"]
    assert outcome["content_sha256"]["same"] is False


# --- options and output --------------------------------------------------------------------------


def test_json_alone_on_stdout_and_quiet(tmp_path: Path) -> None:
    result = stratoverify("check", "--engines", "z3", "--json", "--quiet", "--only", "PAY-BURN")
    assert result.returncode == 0
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert [row["id"] for row in document["invariants"]] == ["PAY-BURN"]
    assert document["inputs"]["only"] == ["PAY-BURN"]
    assert document["inputs"]["engines"] == ["z3"]


@pytest.mark.slow
def test_github_actions__annotations_and_step_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    result = stratoverify(
        "check",
        PROPOSALS / "burn-12pct-alone.legacy.json",
        "--engines",
        "z3",
        "--quiet",
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("::error ")]
    assert any("GOV-PARAMS" in line and "line=" in line for line in errors), result.stderr
    text = summary.read_text("utf-8")
    assert text.startswith("earlier step\n") and "GOV-PARAMS" in text


def test_out_folder_that_cannot_be_written__exit_2_before_any_work(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = stratoverify("check", "--out", blocker / "report")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and str(blocker) in result.stderr
    assert "hypothesis" not in result.stderr


@pytest.mark.slow
def test_bad_input_leaves_an_earlier_report_whole(z3_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    shutil.copytree(z3_run, out)  # the folder an earlier `check --engines z3 --out` wrote
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.json"
    bad.write_text('{"payment": {"str_burn_bps": "12%"}}', encoding="utf-8")
    second = stratoverify("check", bad, "--engines", "z3", "--out", out)
    assert second.returncode == 2
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
