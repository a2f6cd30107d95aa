"""The files of several inputs checked in one run: one SARIF log with a run (and a code-scanning
category) per input, one JUnit file with a suite per input, one summary with a section each."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from report_samples import failing_document, passing_document

from reports.combined import get_sarif_names, render_combined
from reports.render import render_files
from reports.sarif import RUNS_PER_LOG, SRCROOT
from reports.summary import render_summaries

LABELS = ["proposals/burn.json", "proposals/slash.json", "whitepaper defaults"]


def three_documents() -> list[dict[str, Any]]:
    burn, slash, defaults = failing_document(), failing_document(), passing_document()
    burn["inputs"]["source"] = "proposals/burn.json"
    slash["inputs"]["source"] = "./proposals/slash.json"
    slash["inputs"]["profile"] = "whitepaper"
    return [burn, slash, defaults]


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout with the inputs under proposals/, entered as the current directory."""
    (tmp_path / "proposals").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def category(run: dict[str, Any]) -> str:
    """GitHub's category of a run: its automationDetails.id up to and including the last `/`."""
    identifier: str = run["automationDetails"]["id"]
    return identifier[: identifier.rindex("/") + 1]


def test_basic(checkout: Path) -> None:
    files = render_combined(three_documents(), LABELS, sarif_root=checkout)
    assert set(files) == {"report.sarif", "junit.xml", "summary.md"}
    log = json.loads(files["report.sarif"])
    assert len(log["runs"]) == 3
    assert [run["automationDetails"]["id"] for run in log["runs"]] == [
        "stratoverify/whitepaper/proposals/burn.json/",
        "stratoverify/whitepaper/proposals/slash.json/",
        "stratoverify/hardened/whitepaper defaults/",
    ]
    assert len({category(run) for run in log["runs"]}) == 3
    for run in log["runs"]:
        assert run["originalUriBaseIds"] == {SRCROOT: {"uri": checkout.as_uri() + "/"}}
    burn, slash, defaults = log["runs"]
    assert burn["artifacts"][0]["location"] == {"uri": "proposals/burn.json", "uriBaseId": SRCROOT}
    assert slash["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "proposals/slash.json",
        "uriBaseId": SRCROOT,
    }
    assert defaults["results"] == [] and "artifacts" not in defaults


def test_a_run_is_the_single_input_run(checkout: Path) -> None:
    """Each input's run in the combined log is the run of its own report folder's log."""
    documents = three_documents()
    combined = json.loads(render_combined(documents, LABELS, sarif_root=checkout)["report.sarif"])
    for document, run in zip(documents, combined["runs"], strict=True):
        (alone,) = json.loads(render_files(document, {}, sarif_root=checkout)["report.sarif"])[
            "runs"
        ]
        assert run == alone


def test_junit_has_a_suite_per_input(checkout: Path) -> None:
    root = ET.fromstring(render_combined(three_documents(), LABELS, sarif_root=None)["junit.xml"])
    suites = root.findall("testsuite")
    assert [suite.attrib["name"] for suite in suites] == LABELS
    names = [case.attrib["name"] for case in root.iter("testcase")]
    assert len(names) == len(set(names)) == 5 + 5 + 3
    assert "SLASH-BOUNDS [proposals/burn.json]" in names
    assert "SLASH-BOUNDS [proposals/slash.json]" in names
    assert (root.attrib["tests"], root.attrib["failures"], root.attrib["errors"]) == (
        "13",
        "4",
        "2",
    )
    assert root.attrib["time"] == "47.700"


def test_summary_has_a_heading_per_input(checkout: Path) -> None:
    summary = render_combined(three_documents(), LABELS, sarif_root=None)["summary.md"]
    headings = [line for line in summary.splitlines() if line.startswith("# ")]
    assert headings == [f"# {label}" for label in LABELS]
    assert summary.count("## ❌ stratoverify: fail") == 2
    assert summary.count("## ✅ stratoverify: pass") == 1


def test_a_repeated_label_gets_its_own_category(checkout: Path) -> None:
    documents = [failing_document(), failing_document()]
    files = render_combined(documents, ["p.json", "p.json"], sarif_root=checkout)
    runs = json.loads(files["report.sarif"])["runs"]
    assert len({category(run) for run in runs}) == 2
    suites = ET.fromstring(files["junit.xml"]).findall("testsuite")
    assert [suite.attrib["name"] for suite in suites] == ["p.json", "p.json (2)"]


def test_more_inputs_than_github_takes_runs_in_one_upload(checkout: Path) -> None:
    count = RUNS_PER_LOG * 2 + 1
    documents = [failing_document() for _ in range(count)]
    labels = [f"proposals/p{number}.json" for number in range(count)]
    files = render_combined(documents, labels, sarif_root=checkout)
    names = get_sarif_names(count)
    assert names == ["report.sarif", "report-2.sarif", "report-3.sarif"]
    runs = [json.loads(files[name])["runs"] for name in names]
    assert [len(chunk) for chunk in runs] == [RUNS_PER_LOG, RUNS_PER_LOG, 1]
    assert runs[2][0]["automationDetails"]["id"] == f"stratoverify/whitepaper/{labels[-1]}/"


def test_labels_must_match_the_documents() -> None:
    with pytest.raises(ValueError, match="2 reports but 1 labels"):
        render_combined([failing_document(), passing_document()], ["a"], sarif_root=None)


def test_deterministic(checkout: Path) -> None:
    first = render_combined(three_documents(), LABELS, sarif_root=checkout)
    assert render_combined(three_documents(), LABELS, sarif_root=checkout) == first


def test_terminal_summary_names_each_input() -> None:
    text = render_summaries(three_documents(), LABELS)
    assert [line for line in text.splitlines() if line.startswith("== ")] == [
        f"== {label} ==" for label in LABELS
    ]
    assert text.endswith(
        "3 inputs:\n"
        "proposals/burn.json   fail (exit code 1)\n"
        "proposals/slash.json  fail (exit code 1)\n"
        "whitepaper defaults   pass (exit code 0)\n"
    )
