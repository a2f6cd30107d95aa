"""End-to-end tests of `stratoverify check` and `reproduce`, run as a user runs them.

The command runs in a child process (`python -m reports.cli`), so exit codes, stdout and stderr
are the real ones and no state of the test process leaks into the engines. The reports are made
once per module at quick effort and shared by the tests that read them.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from cli_runner import stratoverify

from reports.report import compute_content_sha256
from reports.reproduce import get_report_validator

ROOT = Path(__file__).resolve().parents[2]
PROPOSALS = ROOT / "fixtures" / "proposals"
REPORT_FILES = ("report.json", "report.md", "report.html", "junit.xml", "report.sarif")


def read_report(folder: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((folder / "report.json").read_text("utf-8"))
    return document


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout


@pytest.fixture(scope="module")
def defaults_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`check` on the whitepaper defaults at quick effort, every engine, with a report folder."""
    out = tmp_path_factory.mktemp("defaults") / "report"
    result = stratoverify("check", "--effort", "quick", "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result.stderr


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`check` on a proposal that lowers the consensus threshold to 1/2: BFT invariants fail."""
    out = tmp_path_factory.mktemp("failing") / "report"
    result = stratoverify(
        "check", PROPOSALS / "threshold-half.legacy.json", "--effort", "quick", "--out", out
    )
    assert_no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    return out


# --- the defaults ------------------------------------------------------------------------------


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


def test_check_defaults__report_matches_its_schema_and_hash(
    defaults_run: tuple[Path, str],
) -> None:
    document = read_report(defaults_run[0])
    errors = list(get_report_validator().iter_errors(document))
    assert not errors, errors[0].message
    assert compute_content_sha256(document) == document["content_sha256"]
    assert set(document["timings"]) >= {"hypothesis", "z3", "executor", "total"}


def test_check_defaults__evidence_is_real(defaults_run: tuple[Path, str]) -> None:
    document = read_report(defaults_run[0])
    rows = {row["id"]: row for row in document["invariants"]}
    assert rows["CONS-STR"]["engines"]["hypothesis"]["steps"] > 0
    assert rows["CONS-STR"]["engines"]["z3"]["verdict"] == "proved"
    # Quick effort asks for 100 calls; Hypothesis skips the ones it has already generated.
    grounded = rows["GROUNDED"]["engines"]["executor"]
    assert 50 <= grounded["scenarios"] == document["engines"]["executor"]["scenarios"] <= 100
    assert document["engines"]["executor"]["rounds"] >= grounded["scenarios"]


def test_check_twice__identical_reports(defaults_run: tuple[Path, str], tmp_path: Path) -> None:
    """Same inputs and seed: the same content hash, every file equal but report.json's timings."""
    again = tmp_path / "again"
    result = stratoverify("check", "--effort", "quick", "--out", again, "--quiet")
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


def test_reproduce__a_fresh_report(defaults_run: tuple[Path, str]) -> None:
    result = stratoverify("reproduce", defaults_run[0] / "report.json", "--quiet")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("reproduced:")
    assert "content hash: identical" in result.stdout


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


def test_reproduce__a_different_record_is_not_reproduced(tmp_path: Path) -> None:
    """A report whose record differs from what its inputs give (hash made to match) exits 1."""
    made = stratoverify("check", "--engines", "z3", "--out", tmp_path / "made", "--quiet")
    assert made.returncode == 0
    document = read_report(tmp_path / "made")
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


# --- a proposal that breaks invariants ----------------------------------------------------------


def test_failing_proposal__counterexamples_in_every_format(failing_run: Path) -> None:
    document = read_report(failing_run)
    assert document["verdict"] == "fail" and document["exit_code"] == 1
    assert document["inputs"]["kind"] == "legacy proposal"
    failed = {row["id"]: row for row in document["invariants"] if row["verdict"] == "fail"}
    assert "BFT-THRESHOLD" in failed
    # BFT-TIMEOUT's 2/3 bar is broken in the proofs and with real node processes alike (the
    # machine needs default effort's three-node search to see it: docs/findings.md).
    timeout_engines = {c["engine"] for c in failed["BFT-TIMEOUT"]["counterexamples"]}
    assert timeout_engines >= {"z3", "executor"}, timeout_engines
    for row in failed.values():
        assert row["counterexample"] == row["counterexamples"][0]
        for counterexample in row["counterexamples"]:
            trace = json.loads((failing_run / counterexample["trace"]).read_text("utf-8"))
            assert trace["states"] and set(trace["vars"]) <= set(trace["states"][0])
            regression = (failing_run / counterexample["regression"]).read_text("utf-8")
            compile(regression, counterexample["regression"], "exec")
            assert "def test_" in regression
    markdown = (failing_run / "report.md").read_text("utf-8")
    junit = ElementTree.fromstring((failing_run / "junit.xml").read_text("utf-8"))
    failures = {
        case.get("name", "").split(" [")[0]
        for case in junit.iter("testcase")
        if case.find("failure") is not None
    }
    assert failures == set(failed)
    for invariant_id in failed:
        assert invariant_id in markdown
    assert_sarif_points_at_the_change(failing_run, document, failed)


def assert_sarif_points_at_the_change(
    folder: Path, document: Mapping[str, Any], failed: Mapping[str, Any]
) -> None:
    sarif = json.loads((folder / "report.sarif").read_text("utf-8"))
    results = {result["ruleId"]: result for result in sarif["runs"][0]["results"]}
    # Every failing invariant is an error; an inconclusive one a warning (a set outside the
    # constitution refuses every proposal, so the governance invariants see no adoption).
    undecided = {row["id"] for row in document["invariants"] if row["verdict"] == "inconclusive"}
    assert set(results) == set(failed) | undecided
    assert {i for i, r in results.items() if r["level"] == "error"} == set(failed)
    threshold_lines = {
        change["line"]
        for change in document["inputs"]["changes"]
        if change["parameter"].startswith("consensus.threshold")
    }
    assert threshold_lines and None not in threshold_lines
    located = results["BFT-THRESHOLD"]["locations"][0]["physicalLocation"]
    assert located["artifactLocation"]["uri"].endswith("threshold-half.legacy.json")
    assert located["region"]["startLine"] in threshold_lines
    # The line really is where the proposal writes the threshold.
    lines = (PROPOSALS / "threshold-half.legacy.json").read_text("utf-8").splitlines()
    assert (
        "threshold" in lines[located["region"]["startLine"] - 1]
        or '"value"' in (lines[located["region"]["startLine"] - 1])
    )


def run_regression(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_failing_proposal__regression_file_fails_until_repaired(failing_run: Path) -> None:
    document = read_report(failing_run)
    row = next(r for r in document["invariants"] if r["id"] == "BFT-THRESHOLD")
    z3 = next(c for c in row["counterexamples"] if c["engine"] == "z3")
    result = run_regression(failing_run / z3["regression"])
    assert result.returncode == 1, result.stdout
    assert "BFT-THRESHOLD" in result.stdout


def test_incoherent_proposal__machine_trace_and_regression(tmp_path: Path) -> None:
    """The Hypothesis engine's counterexample through the command line: ITF trace and pytest."""
    result = stratoverify(
        "check",
        PROPOSALS / "burn-12pct-alone.legacy.json",
        "--engines",
        "hypothesis",
        "--only",
        "GOV-PARAMS",
        "--effort",
        "quick",
        "--out",
        tmp_path,
        "--quiet",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    row = read_report(tmp_path)["invariants"][0]
    counterexample = row["counterexample"]
    assert counterexample["engine"] == "hypothesis" and counterexample["source"] == "machine"
    assert "str-sub-shares" in counterexample["detail"]
    trace = json.loads((tmp_path / counterexample["trace"]).read_text("utf-8"))
    assert trace["#meta"]["format"] == "ITF"
    assert len(trace["states"]) == len(counterexample["steps"])
    assert any(state["violations"] != {"#map": []} for state in trace["states"])
    replayed = run_regression(tmp_path / counterexample["regression"])
    assert replayed.returncode == 1, replayed.stdout
    assert "str-sub-shares" in replayed.stdout


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_failing_proposal__html_opens_with_its_plots(failing_run: Path) -> None:
    parser = _Collector()
    parser.feed((failing_run / "report.html").read_text("utf-8"))
    parser.close()
    tags = [tag for tag, _ in parser.tags]
    assert tags.count("svg") >= 3
    figures = [attrs.get("id") for tag, attrs in parser.tags if tag == "figure"]
    assert len(figures) >= 3
    assert "script" not in tags
    text = " ".join(parser.text)
    assert "BFT-THRESHOLD" in text and "fail" in text


# --- each input shape, good and bad -------------------------------------------------------------

SHAPES = [
    ("burn-12pct.legacy.json", 0),
    ("burn-12pct-alone.legacy.json", 1),
    ("payment.gov-v1.json", 0),
    ("payment-incoherent.gov-v1.json", 1),
    ("live-params.json", 0),
]


@pytest.mark.parametrize(("name", "expected"), SHAPES)
def test_check_each_shape__good_and_bad(name: str, expected: int, tmp_path: Path) -> None:
    """Every input shape through the proofs: coherent changes pass, incoherent ones fail."""
    result = stratoverify(
        "check", PROPOSALS / name, "--engines", "z3", "--out", tmp_path, "--quiet"
    )
    assert_no_traceback(result)
    assert result.returncode == expected, result.stdout + result.stderr
    document = read_report(tmp_path)
    if expected == 1:
        gov = next(r for r in document["invariants"] if r["id"] == "GOV-PARAMS")
        assert gov["verdict"] == "fail"
        assert gov["counterexample"]["engine"] == "z3"


def test_check_parameter_set_that_fails(tmp_path: Path) -> None:
    path = tmp_path / "params.json"
    path.write_text('{\n  "slashing": {\n    "slash_factor": 1\n  }\n}\n', encoding="utf-8")
    result = stratoverify(
        "check", path, "--engines", "z3", "--only", "SLASH-DOUBLING", "SLASH-BOUNDS", "--json"
    )
    document = json.loads(result.stdout)
    assert [row["id"] for row in document["invariants"]] == ["SLASH-BOUNDS", "SLASH-DOUBLING"]
    assert document["inputs"]["changes"][0]["line"] == 3
    assert result.returncode == document["exit_code"]


# --- options and output --------------------------------------------------------------------------


def test_json_alone_on_stdout_and_quiet(tmp_path: Path) -> None:
    result = stratoverify("check", "--engines", "z3", "--json", "--quiet", "--only", "PAY-BURN")
    assert result.returncode == 0
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert [row["id"] for row in document["invariants"]] == ["PAY-BURN"]
    assert document["inputs"]["only"] == ["PAY-BURN"]
    assert document["inputs"]["engines"] == ["z3"]


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


def test_bad_input_leaves_an_earlier_report_whole(tmp_path: Path) -> None:
    out = tmp_path / "report"
    first = stratoverify("check", "--engines", "z3", "--out", out, "--quiet")
    assert first.returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.json"
    bad.write_text('{"payment": {"str_burn_bps": "12%"}}', encoding="utf-8")
    second = stratoverify("check", bad, "--engines", "z3", "--out", out)
    assert second.returncode == 2
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


# --- an auditor's re-check in other solvers -------------------------------------------------------


def test_recheck__every_query_in_the_z3_binary_and_cvc5(failing_run: Path) -> None:
    # Three seconds a query: every query a solver decides here takes well under one, and each
    # give-up costs the whole timeout.
    result = stratoverify("recheck", failing_run / "report.json", "--timeout", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    document = read_report(failing_run)
    queries = [
        query
        for row in document["invariants"]
        if "z3" in row["engines"]
        for query in row["engines"]["z3"]["queries"]
    ]
    rows = [line for line in result.stdout.splitlines() if "in the report)" in line]
    assert len(rows) == 2 * len(queries)
    # Every query confirmed; cvc5 may give up (unknown) on a nonlinear all-parameters query,
    # or on one of GOV-SAFE's adoptable queries (tests/solver/test_recheck.py lists those it
    # may), and the z3 binary never does.
    assert not [line for line in rows if line.endswith("DISAGREES")]
    gave_up = [line for line in rows if line.endswith("gave up")]
    assert all(" cvc5  unknown " in line for line in gave_up)
    # Outside GOV-SAFE: the all-parameters queries of CONS-SPLIT, PAY-COST and
    # GOV-SUBCOMMITTEE-BOUND, and both of PAY-BURN-MARKET's (the constant-product quote).
    assert len([line for line in gave_up if not line.startswith("GOV-SAFE ")]) <= 5
    assert len([line for line in gave_up if line.startswith("GOV-SAFE ")]) <= 4
    # A refuted proof comes back sat in both solvers, a proved one unsat.
    assert any(
        line.startswith("BFT-THRESHOLD") and " cvc5  sat " in line
        for line in result.stdout.splitlines()
    )
    assert any(
        line.startswith("CONS-SPLIT") and " z3    unsat " in line
        for line in result.stdout.splitlines()
    )


def test_recheck__an_edited_query_is_refused(failing_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "report.json").write_bytes((failing_run / "report.json").read_bytes())
    (copy / "smt2").mkdir()
    for query in (failing_run / "smt2").iterdir():
        (copy / "smt2" / query.name).write_bytes(query.read_bytes())
    edited = copy / "smt2" / "BFT-THRESHOLD.smt2"
    edited.write_text(
        edited.read_text("utf-8").replace("(check-sat)", "(assert false)\n(check-sat)")
    )
    result = stratoverify("recheck", copy / "report.json", "--solvers", "z3")
    assert result.returncode == 2
    assert "BFT-THRESHOLD.smt2: its sha256 is not the one report.json records" in result.stderr
