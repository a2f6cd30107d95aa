"""junit.xml: one test case per invariant, failures, errors and skips counted, read back as XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from report_samples import failing_document, passing_document

from reports.junit import render_junit


def parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.attrib["name"]: case for case in root.iter("testcase")}


def case_properties(case: ET.Element) -> dict[str, str]:
    return {p.attrib["name"]: p.attrib["value"] for p in case.findall("properties/property")}


def test_basic() -> None:
    root = parse(render_junit(failing_document()))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.attrib["name"] == "stratoverify"
    for element in (root, suite):
        assert element.attrib["tests"] == "5"
        assert element.attrib["failures"] == "2"
        assert element.attrib["errors"] == "1"
        assert element.attrib["skipped"] == "1"
    found = cases(root)
    assert list(found) == [
        "CONS-SPLIT",
        "SLASH-BOUNDS",
        "CR-BINDING",
        "GOV-SUBCOMMITTEE",
        "PAY-VECTOR",
    ]
    assert {case.attrib["classname"] for case in found.values()} == {"stratoverify.whitepaper"}


def test_each_verdict_has_its_element() -> None:
    found = cases(parse(render_junit(failing_document())))
    outcome = {
        name: [child.tag for child in case if child.tag != "properties"]
        for name, case in found.items()
    }
    assert outcome == {
        "CONS-SPLIT": [],
        "SLASH-BOUNDS": ["failure"],
        "CR-BINDING": ["failure"],
        "GOV-SUBCOMMITTEE": ["error"],
        "PAY-VECTOR": ["skipped"],
    }


def test_failure_carries_the_counterexamples() -> None:
    failure = cases(parse(render_junit(failing_document())))["SLASH-BOUNDS"].find("failure")
    assert failure is not None
    assert failure.attrib["message"] == "the sixth slash asked 16000 bps, above 10000"
    text = failure.text or ""
    assert "hypothesis (machine): the sixth slash asked 16000 bps" in text
    assert "Genesis(validators=('v0',))" in text
    assert "z3 (proof): the claim is false for these inputs" in text
    assert "values: slashes=6, stake=1" in text
    assert "regressions/test_slash_bounds__hypothesis.py" in text
    assert "traces/SLASH-BOUNDS.z3.itf.json" in text


def test_inconclusive_and_not_applicable_say_why() -> None:
    found = cases(parse(render_junit(failing_document())))
    error = found["GOV-SUBCOMMITTEE"].find("error")
    skipped = found["PAY-VECTOR"].find("skipped")
    assert error is not None and skipped is not None
    assert error.attrib["message"].startswith("hypothesis vacuous: no step or round state")
    assert "payment shares only" in skipped.attrib["message"]


def test_evidence_in_properties() -> None:
    found = cases(parse(render_junit(failing_document())))
    assert case_properties(found["CONS-SPLIT"]) == {
        "section": "6.3",
        "statement": "the parts of a node payment sum exactly to the amount withdrawn",
        "verdict": "pass",
        "hypothesis": "pass (250 examples, 1200 steps)",
        "z3": "proved (QF_LIA)",
    }
    assert case_properties(found["CR-BINDING"])["executor"] == "fail (120 scenarios; 2 violations)"
    suite = parse(render_junit(failing_document())).find("testsuite")
    assert suite is not None
    suite_properties = {
        p.attrib["name"]: p.attrib["value"] for p in suite.findall("properties/property")
    }
    assert suite_properties["verdict"] == "fail"
    assert suite_properties["exit_code"] == "1"
    assert suite_properties["change.payment.str_burn_bps"] == "1000 -> 1200"


def test_passing_report_has_no_failures() -> None:
    root = parse(render_junit(passing_document()))
    assert (root.attrib["tests"], root.attrib["failures"], root.attrib["errors"]) == ("3", "0", "0")
    assert root.attrib["skipped"] == "0"
    assert {case.attrib["classname"] for case in root.iter("testcase")} == {"stratoverify.hardened"}
    assert not [e for e in root.iter() if e.tag in ("failure", "error", "skipped")]


def test_no_timestamps_and_deterministic() -> None:
    document = failing_document()
    text = render_junit(document)
    document["timings"] = {"total": 1234.5}
    assert render_junit(document) == text
    for element in parse(text).iter():
        assert "timestamp" not in element.attrib and "time" not in element.attrib


def test_invalid_xml_characters_are_made_visible() -> None:
    document = failing_document()
    document["invariants"][1]["counterexamples"][0]["detail"] = "bad \x00 byte \x1b[31m & <tag>"
    failure = cases(parse(render_junit(document)))["SLASH-BOUNDS"].find("failure")
    assert failure is not None
    assert failure.attrib["message"] == "bad \\x00 byte \\x1b[31m & <tag>"
