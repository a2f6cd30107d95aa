"""End-to-end tests of `stratoverify check` on a proposal that breaks invariants (the consensus
threshold lowered to 1/2): counterexamples in every format, regression files, the HTML report's
plots, and an auditor's re-check of every query in the Z3 binary and cvc5. The report is made
once per module at quick effort and shared by the tests that read it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from cli_runner import (
    PROPOSALS,
    ROOT,
    assert_no_traceback,
    read_report,
    stratoverify,
    stratoverify_process,
)


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`check` on a proposal that lowers the consensus threshold to 1/2: BFT invariants fail."""
    out = tmp_path_factory.mktemp("failing") / "report"
    result = stratoverify_process(
        "check", PROPOSALS / "threshold-half.legacy.json", "--effort", "quick", "--out", out
    )
    assert_no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    return out


# --- a proposal that breaks invariants ----------------------------------------------------------


@pytest.mark.slow
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


@pytest.mark.slow
def test_failing_proposal__regression_file_fails_until_repaired(failing_run: Path) -> None:
    document = read_report(failing_run)
    row = next(r for r in document["invariants"] if r["id"] == "BFT-THRESHOLD")
    z3 = next(c for c in row["counterexamples"] if c["engine"] == "z3")
    result = run_regression(failing_run / z3["regression"])
    assert result.returncode == 1, result.stdout
    assert "BFT-THRESHOLD" in result.stdout


def test_incoherent_proposal__machine_trace_and_regression(tmp_path: Path) -> None:
    """The Hypothesis engine's counterexample through the command line: ITF trace and pytest."""
    result = stratoverify_process(
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


@pytest.mark.slow
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


# --- an auditor's re-check in other solvers -------------------------------------------------------


@pytest.mark.slow
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
    # GOV-SUBCOMMITTEE-BOUND, and both of PAY-BURN-MARKET's (the constant-product quote); and
    # CR-INJECTIVE's, which cvc5 decides in 1-3 s on an idle machine, so past the 3 s under load
    # (tests/solver/test_recheck.py gives every query 10 s and checks each answer).
    may_give_up = {"CONS-SPLIT", "PAY-COST", "GOV-SUBCOMMITTEE-BOUND", "PAY-BURN-MARKET"}
    outside = [line.split()[0] for line in gave_up if not line.startswith("GOV-SAFE ")]
    assert set(outside) <= may_give_up | {"CR-INJECTIVE"}, outside
    assert len([name for name in outside if name != "CR-INJECTIVE"]) <= 5
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


@pytest.mark.slow
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
