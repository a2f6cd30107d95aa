"""report.sarif: a stable rule per catalogue ID, results located at the proposal's changed lines."""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from report_samples import failing_document, passing_document

from properties.catalogue import CATALOGUE, get_parameters_read
from reports.sarif import (
    FALLBACK_INFORMATION_URI,
    FINGERPRINT_KEY,
    SRCROOT,
    get_information_uri,
    render_sarif,
    to_artifact_location,
)


def parse(document: dict[str, Any]) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render_sarif(document))
    return log


def run_of(document: dict[str, Any]) -> dict[str, Any]:
    (run,) = parse(document)["runs"]
    result: dict[str, Any] = run
    return result


def results_by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["ruleId"]: result for result in run_of(document)["results"]}


def lines_of(result: dict[str, Any]) -> list[int]:
    return [
        location["physicalLocation"]["region"]["startLine"]
        for location in result["locations"]
        if "physicalLocation" in location
    ]


def with_failing(document: dict[str, Any], invariant_id: str, section: str) -> dict[str, Any]:
    """`document` with one more failing invariant row, `invariant_id`, that has no counterexample."""
    document["invariants"].append(
        {
            "id": invariant_id,
            "section": section,
            "statement": "...",
            "verdict": "fail",
            "engines": {"z3": {"verdict": "refuted", "logic": "QF_NIA"}},
            "counterexample": None,
            "counterexamples": [],
        }
    )
    return document


def test_basic() -> None:
    log = parse(failing_document())
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "stratoverify"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"] == get_information_uri()
    run = log["runs"][0]
    assert run["automationDetails"] == {"id": "stratoverify/whitepaper/proposal.json/"}
    assert run_of(passing_document())["automationDetails"] == {
        "id": "stratoverify/hardened/whitepaper defaults/"
    }


def test_information_uri_is_the_declared_home_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """The package's declared Documentation or Homepage URL, else the fallback URN."""

    class Metadata:
        def __init__(self, urls: list[str]) -> None:
            self.urls = urls

        def get_all(self, name: str) -> list[str] | None:
            return self.urls if name == "Project-URL" else None

    monkeypatch.setattr(
        metadata,
        "metadata",
        lambda _: Metadata(["Source, https://x.test/src", "Homepage, https://x.test/"]),
    )
    assert get_information_uri() == "https://x.test/"
    monkeypatch.setattr(metadata, "metadata", lambda _: Metadata([]))
    assert get_information_uri() == FALLBACK_INFORMATION_URI


def test_rule_names_differ_from_ids() -> None:
    """SARIF1001: a rule's friendly name must not repeat its id (GROUNDED is one word)."""
    rules = run_of(passing_document())["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["name"].lower() != rule["id"].lower()
    assert {rule["id"]: rule["name"] for rule in rules}["SLASH-BOUNDS"] == "SlashBounds"


def test_one_rule_per_catalogue_id_in_catalogue_order() -> None:
    for document in (failing_document(), passing_document()):
        rules = run_of(document)["tool"]["driver"]["rules"]
        assert len(rules) == len(CATALOGUE)
        assert [rule["id"] for rule in rules] == [invariant.id for invariant in CATALOGUE]
    rule = {rule["id"]: rule for rule in run_of(passing_document())["tool"]["driver"]["rules"]}
    slash = rule["SLASH-BOUNDS"]
    assert slash["shortDescription"]["text"] == "base <= rate <= 100% for every slash sequence"
    assert "§6.10" in slash["fullDescription"]["text"]
    assert "stratoverify" in slash["properties"]["tags"]
    assert slash["properties"]["parameters"] == list(get_parameters_read("SLASH-BOUNDS"))


def test_results_for_fail_and_inconclusive_only() -> None:
    run = run_of(failing_document())
    rules = run["tool"]["driver"]["rules"]
    levels = {result["ruleId"]: result["level"] for result in run["results"]}
    assert levels == {"SLASH-BOUNDS": "error", "CR-BINDING": "error", "GOV-SUBCOMMITTEE": "warning"}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert run_of(passing_document())["results"] == []


def test_messages() -> None:
    results = results_by_id(failing_document())
    assert results["SLASH-BOUNDS"]["message"]["text"] == (
        "the sixth slash asked 16000 bps, above 10000"
    )
    assert "no step or round state" in results["GOV-SUBCOMMITTEE"]["message"]["text"]


def test_located_at_the_first_change_when_no_read_parameter_changed() -> None:
    """The sample changes payment keys at lines 5 and 6; none of these three reads one."""
    results = results_by_id(failing_document())
    for invariant_id in ("SLASH-BOUNDS", "CR-BINDING", "GOV-SUBCOMMITTEE"):
        assert not [p for p in get_parameters_read(invariant_id) if p.startswith("payment.")]
        assert lines_of(results[invariant_id]) == [5], invariant_id
        location = results[invariant_id]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "proposal.json"


def test_located_at_every_changed_line_it_reads() -> None:
    document = with_failing(failing_document(), "GOV-PARAMS", "6.8")
    document = with_failing(document, "PAY-BURN", "6.4")
    results = results_by_id(document)
    # GOV-PARAMS reads both changed keys; PAY-BURN reads the burn share, not the node's profit.
    assert lines_of(results["GOV-PARAMS"]) == [5, 6]
    assert lines_of(results["PAY-BURN"]) == [5]
    assert results["PAY-BURN"]["partialFingerprints"] == {
        FINGERPRINT_KEY: "PAY-BURN:payment.str_burn_bps"
    }


def test_located_at_a_later_line_when_only_it_is_read() -> None:
    document = failing_document()
    document["inputs"]["changes"].append(
        {
            "parameter": "slashing.slash_cap_bps",
            "subspace": "slashing",
            "key": "slash_cap_bps",
            "base": 10000,
            "value": 20000,
            "line": 11,
        }
    )
    results = results_by_id(document)
    assert lines_of(results["SLASH-BOUNDS"]) == [11]
    assert lines_of(results["CR-BINDING"]) == [5]


def test_fingerprints_are_stable() -> None:
    first = results_by_id(failing_document())
    document = failing_document()
    document["timings"] = {"total": 99.0}
    document["invariants"][1]["counterexamples"][0]["detail"] = "another wording"
    second = results_by_id(document)
    for invariant_id, result in first.items():
        fingerprint = result["partialFingerprints"][FINGERPRINT_KEY]
        assert fingerprint.startswith(invariant_id)
        assert second[invariant_id]["partialFingerprints"][FINGERPRINT_KEY] == fingerprint
    assert render_sarif(failing_document()) == render_sarif(failing_document())


def test_defaults_have_no_physical_location() -> None:
    document = with_failing(passing_document(), "SLASH-BOUNDS", "6.10")
    run = run_of(document)
    assert "artifacts" not in run
    (result,) = run["results"]
    assert lines_of(result) == []
    (location,) = result["locations"]
    assert "physicalLocation" not in location
    assert location["logicalLocations"][0]["name"] == "SLASH-BOUNDS"


def test_paths_use_forward_slashes_and_stay_relative() -> None:
    document = failing_document()
    document["inputs"]["source"] = "proposals\\gov 12\\p.json"
    location = results_by_id(document)["SLASH-BOUNDS"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "proposals/gov%2012/p.json"
    document["inputs"]["source"] = "/srv/ci/proposal.json"
    location = results_by_id(document)["SLASH-BOUNDS"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "file:///srv/ci/proposal.json"}


def test_absolute_path_under_the_current_directory_stays_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no SARIF root, an absolute input path under the current directory is made
    relative to it; only a path outside it keeps a file URI."""
    monkeypatch.chdir(tmp_path)
    document = failing_document()
    document["inputs"]["source"] = str(tmp_path / "gov" / "p.json")
    run = run_of(document)
    assert "originalUriBaseIds" not in run
    assert run["artifacts"][0]["location"] == {"uri": "gov/p.json", "uriBaseId": SRCROOT}
    location = results_by_id(document)["SLASH-BOUNDS"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "gov/p.json", "uriBaseId": SRCROOT}


def test_uris_relative_to_the_sarif_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "checkout"
    (root / "proposals").mkdir(parents=True)
    monkeypatch.chdir(root / "proposals")
    document = failing_document()
    document["inputs"]["source"] = "./burn.json"
    (run,) = json.loads(render_sarif(document, sarif_root=root))["runs"]
    assert run["originalUriBaseIds"] == {SRCROOT: {"uri": root.as_uri() + "/"}}
    assert run["artifacts"][0]["location"] == {"uri": "proposals/burn.json", "uriBaseId": SRCROOT}
    for result in run["results"]:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": "proposals/burn.json", "uriBaseId": SRCROOT}


def test_input_outside_the_sarif_root_keeps_a_file_uri(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    root.mkdir()
    outside = tmp_path / "elsewhere" / "p 1.json"
    assert to_artifact_location(str(outside), root) == {
        "uri": "file://" + str(outside).replace(" ", "%20")
    }
    assert to_artifact_location(str(root / "a" / "p.json"), root) == {
        "uri": "a/p.json",
        "uriBaseId": SRCROOT,
    }
    relative = os.path.relpath(root / "b.json")
    assert to_artifact_location(relative, root) == {"uri": "b.json", "uriBaseId": SRCROOT}


def test_run_carries_verdict_and_hashes() -> None:
    run = run_of(failing_document())
    assert run["invocations"] == [{"executionSuccessful": True, "exitCode": 1}]
    assert run["properties"]["verdict"] == "fail"
    assert run["properties"]["params_sha256"] == "02" * 32
    assert run["artifacts"][0]["hashes"] == {"sha-256": "01" * 32}
