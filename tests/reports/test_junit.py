"""junit.xml: a suite per input, a test case per invariant, failures, errors and skips counted,
times from the report's timings, valid against the Jenkins xunit schema (junit-10.xsd)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from report_samples import failing_document, passing_document
from validators import junit_errors

from reports.junit import render_junit, render_junit_suites


def parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def cases(root: ET.Element) -> dict[str, ET.Element]:
    """Test cases by invariant ID (the name before ` [label]`)."""
    return {case.attrib["name"].split(" [")[0]: case for case in root.iter("testcase")}


def evidence(case: ET.Element) -> dict[str, str]:
    out = case.find("system-out")
    assert out is not None and out.text
    return dict(line.split(": ", 1) for line in out.text.splitlines())


def test_basic() -> None:
    text = render_junit(failing_document())
    assert junit_errors(text) == []
    root = parse(text)
    assert root.tag == "testsuites"
    assert root.attrib["name"] == "stratoverify"
    (suite,) = root.findall("testsuite")
    assert suite.attrib["name"] == "proposal.json"
    for element in (root, suite):
        assert element.attrib["tests"] == "5"
        assert element.attrib["failures"] == "2"
        assert element.attrib["errors"] == "1"
    # The schema allows `skipped` on a suite, not on <testsuites>.
    assert suite.attrib["skipped"] == "1"
    assert "skipped" not in root.attrib
    found = cases(root)
    assert list(found) == [
        "CONS-SPLIT",
        "SLASH-BOUNDS",
        "CR-BINDING",
        "GOV-SUBCOMMITTEE",
        "PAY-VECTOR",
    ]
    assert found["CONS-SPLIT"].attrib["name"] == "CONS-SPLIT [proposal.json]"
    assert {case.attrib["classname"] for case in found.values()} == {"stratoverify.whitepaper"}


def test_each_verdict_has_its_element() -> None:
    found = cases(parse(render_junit(failing_document())))
    outcome = {name: [child.tag for child in case] for name, case in found.items()}
    assert outcome == {
        "CONS-SPLIT": ["system-out"],
        "SLASH-BOUNDS": ["failure", "system-out"],
        "CR-BINDING": ["failure", "system-out"],
        "GOV-SUBCOMMITTEE": ["error", "system-out"],
        "PAY-VECTOR": ["skipped", "system-out"],
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


def test_evidence_in_system_out() -> None:
    """The schema has no per-case properties: each invariant's evidence is its system-out."""
    found = cases(parse(render_junit(failing_document())))
    assert evidence(found["CONS-SPLIT"]) == {
        "section": "6.3",
        "statement": "the parts of a node payment sum exactly to the amount withdrawn",
        "verdict": "pass",
        "hypothesis": "pass (250 examples, 1200 steps)",
        "z3": "proved (QF_LIA)",
    }
    assert evidence(found["CR-BINDING"])["executor"] == "fail (120 scenarios; 2 violations)"
    assert not [case for case in found.values() if case.find("properties") is not None]
    suite = parse(render_junit(failing_document())).find("testsuite")
    assert suite is not None
    suite_properties = {
        p.attrib["name"]: p.attrib["value"] for p in suite.findall("properties/property")
    }
    assert suite_properties["input"] == "proposal.json"
    assert suite_properties["verdict"] == "fail"
    assert suite_properties["exit_code"] == "1"
    assert suite_properties["change.payment.str_burn_bps"] == "1000 -> 1200"


def test_passing_report_has_no_failures() -> None:
    text = render_junit(passing_document())
    assert junit_errors(text) == []
    root = parse(text)
    assert (root.attrib["tests"], root.attrib["failures"], root.attrib["errors"]) == ("3", "0", "0")
    (suite,) = root.findall("testsuite")
    assert suite.attrib["name"] == "whitepaper defaults"
    assert suite.attrib["skipped"] == "0"
    assert {case.attrib["classname"] for case in root.iter("testcase")} == {"stratoverify.hardened"}
    assert not [e for e in root.iter() if e.tag in ("failure", "error", "skipped")]


def test_times() -> None:
    """A case's time is the solver's milliseconds for it (the only per-invariant time a report
    records); the suite's is the whole check's, <testsuites>' the sum over inputs."""
    document = failing_document()
    document["timings"]["z3_milliseconds"] = {"CONS-SPLIT": 1234, "SLASH-BOUNDS": 5}
    root = parse(render_junit(document))
    found = cases(root)
    assert found["CONS-SPLIT"].attrib["time"] == "1.234"
    assert found["SLASH-BOUNDS"].attrib["time"] == "0.005"
    assert found["CR-BINDING"].attrib["time"] == "0.000"
    (suite,) = root.findall("testsuite")
    assert suite.attrib["time"] == root.attrib["time"] == "15.900"
    other = passing_document()
    other["timings"]["total"] = 100.25
    both = parse(render_junit_suites([document, other], ["a.json", "b.json"]))
    assert both.attrib["time"] == "116.150"
    assert "timestamp" not in both.attrib


def test_deterministic_times_aside() -> None:
    document = failing_document()
    text = render_junit(document)
    assert render_junit(failing_document()) == text
    document["timings"] = {"total": 1234.5}
    changed = render_junit(document)
    assert changed != text
    assert junit_errors(changed) == []
    assert changed.replace('time="1234.500"', 'time="15.900"') == text


def test_invalid_xml_characters_are_made_visible() -> None:
    document = failing_document()
    document["invariants"][1]["counterexamples"][0]["detail"] = "bad \x00 byte \x1b[31m & <tag>"
    text = render_junit(document)
    assert junit_errors(text) == []
    failure = cases(parse(text))["SLASH-BOUNDS"].find("failure")
    assert failure is not None
    assert failure.attrib["message"] == "bad \\x00 byte \\x1b[31m & <tag>"
