"""GitHub Actions: annotations escaped by the workflow-command rules, and the step summary file."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from report_samples import failing_document, passing_document

from reports.github import (
    ANNOTATIONS_PER_STEP,
    demote_headings,
    escape_data,
    escape_property,
    is_github_actions,
    render_annotations,
    render_step_summaries,
    write_step_summary,
)
from reports.markdown import BUDGET_BYTES, SUMMARY_LIMIT_BYTES


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


def with_failures(count: int) -> dict[str, Any]:
    """The failing sample with `count` failing invariants, each its own row."""
    document = failing_document()
    failing = document["invariants"][1]
    document["invariants"] = [
        {**copy.deepcopy(failing), "id": f"SLASH-X{number}"} for number in range(count)
    ]
    return document


def test_several_inputs_titled_by_label() -> None:
    burn, slash = failing_document(), failing_document()
    burn["inputs"]["source"] = "proposals/burn.json"
    slash["inputs"]["source"] = "proposals/slash.json"
    lines = render_annotations([burn, slash], ["proposals/burn.json", "./proposals/slash.json"])
    assert len(lines) == 6
    # The inputs take turns, so each one's first finding comes first.
    assert lines[0].startswith(
        "::error file=proposals/burn.json,line=5,title=proposals/burn.json%3A SLASH-BOUNDS (§6.10)::"
    )
    assert lines[1].startswith(
        "::error file=proposals/slash.json,line=5,title=proposals/slash.json%3A SLASH-BOUNDS"
    )
    assert [line.split("::")[1].split(" ")[0] for line in lines] == ["error"] * 4 + ["warning"] * 2


def test_one_document_keeps_its_plain_titles() -> None:
    assert render_annotations(failing_document()) == render_annotations([failing_document()])
    assert "title=SLASH-BOUNDS (§6.10)::" in render_annotations(failing_document())[0]


def test_annotations_past_github_limits_are_summarised() -> None:
    """GitHub shows 10 errors and 10 warnings per step: the rest become one counting notice."""
    assert ANNOTATIONS_PER_STEP == {"error": 10, "warning": 10}
    documents = [with_failures(7), with_failures(6), failing_document()]
    lines = render_annotations(documents, ["a.json", "b.json", "c.json"], report_dir="out/")
    commands = [line.split("::")[1].split(" ")[0] for line in lines]
    # 7 + 6 + 2 errors and 1 warning: 10 errors shown, 5 left out, the warning shown.
    assert (commands.count("error"), commands.count("warning"), commands[-1]) == (10, 1, "notice")
    errors = [line for line in lines if line.startswith("::error ")]
    titles = [line.split("title=")[1].split("%3A")[0] for line in errors]
    assert titles.count("c.json") == 2
    assert titles.count("a.json") == 4 and titles.count("b.json") == 4
    assert lines[-1] == (
        "::notice title=stratoverify::5 more failing or inconclusive invariants are not "
        "annotated: GitHub shows at most 10 errors and 10 warnings per step. Every finding is in "
        "the step summary and in report.md and report.sarif in out/."
    )


def test_no_notice_within_the_limits() -> None:
    lines = render_annotations([with_failures(10)], ["a.json"])
    assert len(lines) == 10
    assert not [line for line in lines if line.startswith("::notice")]


def test_step_summaries_have_a_heading_per_input() -> None:
    burn, defaults = failing_document(), passing_document()
    text = render_step_summaries([burn, defaults], ["proposals/burn.json", "whitepaper defaults"])
    headings = [line for line in text.splitlines() if line.startswith("# ")]
    assert headings == ["# proposals/burn.json", "# whitepaper defaults"]
    sections = text.split("\n# ")
    assert "## ❌ stratoverify: fail (exit code 1)" in sections[0]
    assert "## ✅ stratoverify: pass (exit code 0)" in sections[1]
    assert "### Invariants" in sections[1]
    assert len(text.encode("utf-8")) <= BUDGET_BYTES


def test_step_summaries_share_the_budget() -> None:
    documents = [with_failures(30) for _ in range(3)]
    for document in documents:
        for row in document["invariants"]:
            row["counterexamples"][0]["steps"] = [f"Step{n}(x={'y' * 200})" for n in range(150)]
    text = render_step_summaries(documents, ["a", "b", "c"], budget_bytes=200_000)
    assert len(text.encode("utf-8")) <= 200_000
    assert text.count("counterexamples are not shown") == 3


def test_demote_headings_leaves_code_alone() -> None:
    markdown = "# Title\n\n## Part\n\n````text\n# not a heading\n```\n# still code\n````\n# After"
    assert demote_headings(markdown) == (
        "## Title\n\n### Part\n\n````text\n# not a heading\n```\n# still code\n````\n## After"
    )


def test_file_relative_to_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a subfolder, an annotation still names the file from the repository's top."""
    (tmp_path / "gov").mkdir()
    monkeypatch.chdir(tmp_path / "gov")
    document = failing_document()
    document["inputs"]["source"] = "p.json"
    (first, *_) = render_annotations([document], ["p.json"], sarif_root=tmp_path)
    assert first.startswith("::error file=gov/p.json,line=5,")
    outside = failing_document()
    outside["inputs"]["source"] = "/srv/p.json"
    (first, *_) = render_annotations([outside], ["/srv/p.json"], sarif_root=tmp_path)
    assert first.startswith("::error file=/srv/p.json,line=5,")
