"""GitHub Actions: annotations escaped by the workflow-command rules, and the step summary file."""

from __future__ import annotations

from pathlib import Path

from report_samples import failing_document, passing_document

from reports.github import (
    escape_data,
    escape_property,
    is_github_actions,
    render_annotations,
    write_step_summary,
)
from reports.markdown import SUMMARY_LIMIT_BYTES


def test_is_github_actions() -> None:
    assert is_github_actions({"GITHUB_ACTIONS": "true"})
    assert not is_github_actions({"GITHUB_ACTIONS": "false"})
    assert not is_github_actions({"CI": "true"})
    assert not is_github_actions({})


def test_escape_data() -> None:
    assert escape_data("100% of\r\nT: a, b") == "100%25 of%0D%0AT: a, b"
    # % first, so an escape already in the text is not taken for one of ours.
    assert escape_data("%0A") == "%250A"


def test_escape_property() -> None:
    assert escape_property("3.2, 3.3 F11: x%\n") == "3.2%2C 3.3 F11%3A x%25%0A"


def test_basic() -> None:
    assert render_annotations(failing_document()) == [
        "::error file=proposal.json,line=5,title=SLASH-BOUNDS (§6.10)::"
        "the sixth slash asked 16000 bps, above 10000",
        "::error file=proposal.json,line=5,title=CR-BINDING (§3.2%2C 3.3 F11)::"
        "CR-BINDING: n1 was paid though its reveal does not open its commit",
        "::warning file=proposal.json,line=5,title=GOV-SUBCOMMITTEE (§6.8)::"
        "GOV-SUBCOMMITTEE is inconclusive, which is not a pass: hypothesis vacuous: no step or"
        " round state gave this invariant anything to check",
    ]


def test_annotation_at_the_changed_line_it_reads() -> None:
    document = failing_document()
    document["inputs"]["source"] = "gov\\props\\p:1.json"
    document["inputs"]["changes"][1].update(parameter="slashing.slash_factor", line=9)
    (slash, *_) = render_annotations(document)
    assert slash.startswith("::error file=gov/props/p%3A1.json,line=9,title=SLASH-BOUNDS")


def test_no_file_for_the_defaults() -> None:
    document = passing_document()
    assert render_annotations(document) == []
    row = document["invariants"][1]
    row["verdict"] = "fail"
    row["counterexamples"] = [{"engine": "z3", "detail": "rate 20000\nabove 100%"}]
    assert render_annotations(document) == [
        "::error title=SLASH-BOUNDS (§6.10)::rate 20000%0Aabove 100%25"
    ]


def test_every_annotation_is_one_line() -> None:
    document = failing_document()
    document["invariants"][1]["counterexamples"][0]["detail"] = "a\nb\r\nc::d"
    for line in render_annotations(document):
        assert "\n" not in line and "\r" not in line
        assert line.startswith(("::error ", "::warning "))


def test_write_step_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    assert not write_step_summary("# x\n", {})
    assert not write_step_summary("# x\n", {"GITHUB_STEP_SUMMARY": ""})
    assert not summary.exists()
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    assert write_step_summary("# first\n", env)
    assert write_step_summary("# second", env)
    assert summary.read_text(encoding="utf-8") == "# first\n# second\n"


def test_write_step_summary__too_large(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    assert write_step_summary(
        "x" * (SUMMARY_LIMIT_BYTES + 1), {"GITHUB_STEP_SUMMARY": str(summary)}
    )
    text = summary.read_text(encoding="utf-8")
    assert len(text) < 1_000 and "over GitHub's step summary limit" in text


def test_write_step_summary__unwritable(tmp_path: Path) -> None:
    assert not write_step_summary("# x\n", {"GITHUB_STEP_SUMMARY": str(tmp_path)})
