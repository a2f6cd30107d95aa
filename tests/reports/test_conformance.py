"""Our SARIF and JUnit files, read by the third-party validators their consumers trust.

SARIF logs go through Microsoft's SARIF Multitool (the 2.1.0 schema, its SARIF rules and its
GitHub code-scanning rules); JUnit files through the Jenkins xunit plugin's junit-10.xsd. The
logs are validated in one run of the Multitool per module, and each test reads its own log's
findings. The validators come from `tools/install-validators`; a missing one fails the test.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from cli_runner import stratoverify
from report_samples import failing_document, passing_document
from validators import junit_errors, sarif_problems

from reports.combined import render_combined
from reports.junit import render_junit, render_junit_suites
from reports.sarif import render_sarif

CHECKOUT = Path(__file__).resolve().parents[2]
OUTSIDE = {"SARIF2016": "an input outside the SARIF root keeps its absolute file URI"}


def labelled(source: str, document: dict[str, Any]) -> dict[str, Any]:
    document["inputs"]["source"] = source
    return document


def three_inputs() -> tuple[list[dict[str, Any]], list[str]]:
    labels = ["fixtures/proposals/a.json", "fixtures/proposals/b.json", "whitepaper defaults"]
    documents = [
        labelled(labels[0], failing_document()),
        labelled(labels[1], failing_document()),
        passing_document(),
    ]
    return documents, labels


@pytest.fixture(scope="module")
def check_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report folder a real `check --effort quick --engines z3` writes (whitepaper
    defaults: the fastest real run, a few seconds)."""
    out = tmp_path_factory.mktemp("check") / "report"
    completed = stratoverify(
        "check", "--effort", "quick", "--engines", "z3", "--out", out, "--quiet", cwd=CHECKOUT
    )
    assert completed.returncode == 0, completed.stderr
    return out


@pytest.fixture(scope="module")
def logs(check_folder: Path) -> dict[str, str]:
    """Every SARIF log the tests validate, by file name."""
    documents, labels = three_inputs()
    real: dict[str, Any] = json.loads((check_folder / "report.json").read_text("utf-8"))
    outside = labelled("/srv/elsewhere/proposal.json", failing_document())
    return {
        "failing.sarif": render_sarif(failing_document(), sarif_root=CHECKOUT),
        "passing.sarif": render_sarif(passing_document(), sarif_root=CHECKOUT),
        "no-root.sarif": render_sarif(failing_document()),
        "outside.sarif": render_sarif(outside, sarif_root=CHECKOUT),
        "combined.sarif": render_combined(documents, labels, sarif_root=CHECKOUT)["report.sarif"],
        "single.sarif": render_combined(documents[:1], labels[:1], sarif_root=CHECKOUT)[
            "report.sarif"
        ],
        "check.sarif": (check_folder / "report.sarif").read_text("utf-8"),
        "check-with-sample.sarif": render_combined(
            [real, documents[0]], ["whitepaper defaults", labels[0]], sarif_root=CHECKOUT
        )["report.sarif"],
        "broken.sarif": broken_log(render_sarif(failing_document(), sarif_root=CHECKOUT)),
    }


def broken_log(text: str) -> str:
    """A log of ours with what GitHub and the SARIF rules refuse: no informationUri, a result
    with no location, a rule named as its id."""
    log = json.loads(text)
    run = log["runs"][0]
    del run["tool"]["driver"]["informationUri"]
    del run["results"][0]["locations"]
    run["tool"]["driver"]["rules"][0]["name"] = run["tool"]["driver"]["rules"][0]["id"]
    return json.dumps(log)


@pytest.fixture(scope="module")
def problems(logs: Mapping[str, str]) -> dict[str, list[str]]:
    return sarif_problems(logs, also_accepted={"outside.sarif": OUTSIDE})


@pytest.mark.slow
@pytest.mark.parametrize("name", ["failing.sarif", "passing.sarif", "no-root.sarif"])
def test_single_input_sarif(problems: Mapping[str, list[str]], name: str) -> None:
    assert problems[name] == []


@pytest.mark.slow
def test_input_outside_the_root_does_not_break_consumers(
    logs: Mapping[str, str], problems: Mapping[str, list[str]]
) -> None:
    assert problems["outside.sarif"] == []
    run = json.loads(logs["outside.sarif"])["runs"][0]
    assert run["artifacts"][0]["location"] == {"uri": "file:///srv/elsewhere/proposal.json"}


@pytest.mark.slow
def test_combined_sarif(logs: Mapping[str, str], problems: Mapping[str, list[str]]) -> None:
    assert problems["combined.sarif"] == []
    assert problems["single.sarif"] == []
    runs = json.loads(logs["combined.sarif"])["runs"]
    assert len({run["automationDetails"]["id"] for run in runs}) == 3
    uris = [
        result["locations"][0]["physicalLocation"]["artifactLocation"]
        for run in runs
        for result in run["results"]
    ]
    assert uris and all(uri["uriBaseId"] == "%SRCROOT%" for uri in uris)
    assert {uri["uri"] for uri in uris} == {
        "fixtures/proposals/a.json",
        "fixtures/proposals/b.json",
    }


@pytest.mark.slow
def test_check_report_folder_sarif(problems: Mapping[str, list[str]]) -> None:
    assert problems["check.sarif"] == []
    assert problems["check-with-sample.sarif"] == []


@pytest.mark.slow
def test_the_multitool_finds_what_consumers_refuse(problems: Mapping[str, list[str]]) -> None:
    """The validator is live: a log missing what GitHub needs is reported."""
    rules = {finding.split(":")[0] for finding in problems["broken.sarif"]}
    assert "warning SARIF2005" in rules  # no informationUri
    assert "warning SARIF1001" in rules  # a rule's name repeats its id
    assert {"error GH1015", "error GH2012"} <= rules  # a result with no location


def test_junit_single_input() -> None:
    assert junit_errors(render_junit(failing_document())) == []
    assert junit_errors(render_junit(passing_document())) == []


def test_junit_several_inputs() -> None:
    documents, labels = three_inputs()
    assert junit_errors(render_junit_suites(documents, labels)) == []
    assert junit_errors(render_combined(documents, labels, sarif_root=None)["junit.xml"]) == []


@pytest.mark.slow
def test_check_report_folder_junit(check_folder: Path) -> None:
    assert junit_errors((check_folder / "junit.xml").read_text("utf-8")) == []


def test_the_junit_schema_finds_what_jenkins_refuses() -> None:
    """The schema is live: properties inside a test case, `skipped` on <testsuites> and a time
    with four decimals are each reported."""
    text = render_junit(failing_document())
    broken = text.replace('<testsuites name="stratoverify"', '<testsuites skipped="1" name="x"')
    broken = broken.replace(
        "<system-out>", '<properties><property name="a" value="b" /></properties><system-out>', 1
    )
    broken = broken.replace('time="15.900"', 'time="15.9001"')
    errors = junit_errors(broken)
    assert len(errors) >= 3
    assert any("skipped" in error for error in errors)
    assert any("properties" in error for error in errors)
    assert any("15.9001" in error for error in errors)
