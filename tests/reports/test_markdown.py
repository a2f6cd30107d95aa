"""report.md: the verdict, inputs, changes, evidence and counterexamples, fit for a step summary."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from counterexample_samples import SIX_SLASHES, make_machine_counterexample
from markdown_it import MarkdownIt
from report_samples import failing_document, passing_document
from test_html import burn_key

from model.params import WHITEPAPER_PARAMS
from model.profile import WHITEPAPER
from reports import counterexample_tables
from reports.markdown import (
    BUDGET_BYTES,
    SUMMARY_LIMIT_BYTES,
    describe_evidence,
    escape_cell,
    render_markdown,
)
from reports.traces import machine_trace


def table_rows(text: str, header: str) -> list[str]:
    """The lines of the table whose header line starts with `header`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def count_cells(row: str) -> int:
    """The cells of a table row as GitHub splits it: on every pipe not escaped by a backslash."""
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_basic() -> None:
    text = render_markdown(failing_document())
    assert text.startswith("# ❌ stratoverify: fail (exit code 1)\n")
    assert "**2 fail**, 1 inconclusive, 1 pass, 1 not-applicable" in text
    for row in (
        "| source | `proposal.json` |",
        "| kind | legacy proposal |",
        "| profile | whitepaper |",
        "| effort | quick |",
        "| seed | 0 |",
        f"| params sha256 | `{'02' * 32}` |",
    ):
        assert row in text
    assert "| payment.str_burn_bps | 1000 | 1200 | 5 |" in text
    assert "| payment.str_node_profit_bps | 2000 | 1800 | 6 |" in text
    assert "stratoverify reproduce report.json" in text
    assert "stratoverify check proposal.json --profile whitepaper --effort quick --seed 0" in text


def test_invariant_table_carries_each_engines_evidence() -> None:
    rows = table_rows(render_markdown(failing_document()), "| ID |")
    assert rows[0] == "| ID | § | verdict | hypothesis | z3 | executor |"
    by_id = {row.split(" | ")[0].lstrip("| "): row for row in rows[2:]}
    assert list(by_id) == [
        "CONS-SPLIT",
        "SLASH-BOUNDS",
        "CR-BINDING",
        "GOV-SUBCOMMITTEE",
        "PAY-VECTOR",
    ]
    assert (
        "| ✅ pass | pass (250 examples, 1200 steps) | proved (QF_LIA) | — |" in by_id["CONS-SPLIT"]
    )
    assert "refuted (QF_LIA)" in by_id["SLASH-BOUNDS"]
    assert "fail (120 scenarios; 2 violations)" in by_id["CR-BINDING"]
    assert "vacuous" in by_id["GOV-SUBCOMMITTEE"] and "nothing" not in by_id["CONS-SPLIT"]
    assert "not-applicable" in by_id["PAY-VECTOR"]


def test_describe_evidence() -> None:
    row = failing_document()["invariants"][0]
    assert (
        describe_evidence("hypothesis", row["engines"]["hypothesis"])
        == "hypothesis: pass (250 examples, 1200 steps)"
    )
    assert describe_evidence("z3", row["engines"]["z3"]) == "z3: proved (QF_LIA)"
    assert describe_evidence("executor", {"verdict": "pass", "scenarios": 120}) == (
        "executor: pass (120 scenarios)"
    )
    unknown = {"verdict": "unknown", "logic": "QF_NIA", "reason": "timeout after 10 s"}
    assert describe_evidence("z3", unknown) == "z3: unknown (QF_NIA; timeout after 10 s)"


def test_counterexamples_in_details_blocks() -> None:
    text = render_markdown(failing_document())
    assert text.count("<details>") == text.count("</details>") == 3
    assert (
        "<summary><b>SLASH-BOUNDS</b> (§6.10), hypothesis machine: the sixth slash asked 16000 bps,"
        " above 10000</summary>" in text
    )
    assert "| 1 | SlashValidator | validator='v0' |" in text
    assert "| 1 | main | compute(9): n0 honest, n1 reveal-mismatch |" in text
    assert "Solver values, state:\n\n| name | value |\n|---|---:|\n| stake | 1 |" in text
    assert "Solver values, inputs:\n\n| name | value |\n|---|---:|\n| slashes | 6 |" in text
    # The parameters an invariant reads, once per invariant, with checked and base values.
    assert text.count("Parameters SLASH-BOUNDS reads:") == 1
    assert "| slashing.slash_factor | 2 | 2 |" in text
    assert "SlashValidator(validator=" not in text
    for path in (
        "traces/SLASH-BOUNDS.hypothesis.itf.json",
        "regressions/test_slash_bounds__z3.py",
        "traces/CR-BINDING.executor.itf.json",
        "regressions/test_cr_binding__executor.py",
    ):
        assert f"`{path}`" in text
    assert "`smt2/SLASH-BOUNDS.smt2`" in text


def test_passing_defaults() -> None:
    text = render_markdown(passing_document())
    assert text.startswith("# ✅ stratoverify: pass (exit code 0)\n")
    assert "| source | whitepaper defaults |" in text
    assert "None: the parameters checked are the base set's." in text
    assert "<details>" not in text and "## Counterexamples" not in text
    assert "stratoverify check --profile hardened --effort quick --seed 0\n" in text


def test_deterministic_and_blind_to_timings() -> None:
    first = failing_document()
    second = failing_document()
    second["timings"] = {"hypothesis": 99.9, "z3": 1.0, "executor": 0.1, "total": 101.0}
    assert render_markdown(first) == render_markdown(second)
    assert "99.9" not in render_markdown(second)


def test_escape_cell() -> None:
    assert escape_cell("a | b") == "a \\| b"
    assert escape_cell("one\ntwo\r\nthree") == "one<br>two<br>three"
    assert escape_cell("<script>") == "&lt;script&gt;"
    assert escape_cell("x" * 600).endswith("… (100 more characters)")


def test_hostile_text_keeps_tables_whole() -> None:
    """Pipes and newlines in any cell leave every table row with its own number of cells."""
    document = failing_document()
    row: dict[str, Any] = document["invariants"][3]
    row["section"] = "6.8 | 6.9"
    row["engines"]["hypothesis"]["note"] = "never | saw\na state\r\n| at all"
    document["inputs"]["kind"] = "legacy | proposal\n"
    document["inputs"]["changes"][0]["parameter"] = "payment.str|burn"
    document["invariants"][1]["counterexamples"][1]["values"] = {"a|b": "c\nd|e"}
    text = render_markdown(document)
    for header in ("| input |", "| parameter |", "| ID |", "| name |"):
        rows = table_rows(text, header)
        assert len(rows) > 2
        assert {count_cells(line) for line in rows} == {count_cells(rows[0])}, header


def test_detail_is_escaped_in_summary_and_fenced_in_body() -> None:
    document = failing_document()
    example = document["invariants"][1]["counterexamples"][0]
    example["detail"] = "<img src=x> broke\n```\nnot code"
    example["steps"] = ["step ``` one", "two"]
    text = render_markdown(document)
    assert "&lt;img src=x&gt; broke ``` not code</summary>" in text
    # Whole in the body, in a fence the detail's own backticks cannot close.
    assert "````text\n<img src=x> broke\n```\nnot code\n````" in text
    assert text.count("<img") == 1
    assert "| 0 | step | \\`\\`\\` one |\n| 1 |  | two |" in text


def test_long_step_list_is_cut_with_a_note() -> None:
    document = failing_document()
    steps = [f"SlashValidator(validator='v{i}')" for i in range(5_000)]
    document["invariants"][1]["counterexamples"][0]["steps"] = steps
    text = render_markdown(document)
    assert "Steps (5000):" in text
    assert "| 0 | SlashValidator | validator='v0' |" in text
    assert "| 4999 | SlashValidator | validator='v4999' |" in text
    assert "validator='v2500'" not in text
    assert "| … |  | 4950 steps omitted |" in text
    assert "_5000 steps; 4950 in the middle are not shown: " in text


def test_huge_report_fits_a_step_summary() -> None:
    document = failing_document()
    template = document["invariants"][1]["counterexamples"][0]
    many = []
    for index in range(400):
        example = copy.deepcopy(template)
        example["detail"] = f"failure {index}: " + "x" * 10_000
        example["steps"] = ["y" * 2_000] * 60
        many.append(example)
    document["invariants"][1]["counterexamples"] = many
    text = render_markdown(document)
    size = len(text.encode("utf-8"))
    assert size <= BUDGET_BYTES < SUMMARY_LIMIT_BYTES
    shown = text.count("<details>")
    assert 0 < shown < 401
    assert f"_{401 - shown} of 401 counterexamples are not shown" in text
    assert text.index("counterexamples are not shown") < text.index("## Reproduce")


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_failures_first() -> None:
    text = render_markdown(failing_document())
    top = text.split("## Inputs", 1)[0]
    assert (
        "**2 invariants fail, 1 inconclusive:**\n\n"
        "- ❌ **`SLASH-BOUNDS`** — base &lt;= rate &lt;= 100% for every slash sequence; "
        "refuted by hypothesis, z3 ([counterexamples](#counterexamples))\n"
        "- ❌ **`CR-BINDING`** — a reveal that does not match its commit is slashed and unpaid; "
        "refuted by executor ([counterexamples](#counterexamples))\n"
        "- ⚠️ **`GOV-SUBCOMMITTEE`** — active iff &gt; 1% of STR delegated; each unit in at most "
        "one; undecided by hypothesis vacuous: no step or round state gave this invariant "
        "anything to check ([invariants](#invariants))\n"
    ) in top


def test_failures_first__the_changed_key_and_its_safe_set() -> None:
    document = failing_document()
    document["keys"] = [burn_key(["SLASH-BOUNDS"])]
    top = render_markdown(document).split("## Inputs", 1)[0]
    (line,) = [line for line in top.splitlines() if "SLASH-BOUNDS" in line]
    assert "; `payment.str_burn_bps` = 1200 breaks it, safe values: **1000** (" in line
    assert "- [Changed keys](#changed-keys)" in top


def test_passing_says_so_at_the_top() -> None:
    top = render_markdown(passing_document()).split("## Inputs", 1)[0]
    assert "3 invariants checked: 0 fail, 0 inconclusive, 3 pass, 0 not-applicable." in top
    assert "Every invariant checked holds; no engine found a counterexample." in top
    assert "Counterexamples" not in top


def test_contents_link_to_every_section() -> None:
    for document in (failing_document(), passing_document()):
        text = render_markdown(document)
        headings = {github_anchor(line[3:]) for line in text.splitlines() if line[:3] == "## "}
        links = re.findall(r"^- \[[^]]+\]\(#([^)]+)\)$", text, re.MULTILINE)
        assert set(links) == headings
        without = render_markdown(document, contents=False)
        assert "Contents:" not in without
        assert not re.findall(r"^- \[[^]]+\]\(#([^)]+)\)$", without, re.MULTILINE)


def test_steps_show_the_state_the_invariant_reads() -> None:
    document = failing_document()
    counterexample = make_machine_counterexample("SLASH-BOUNDS", SIX_SLASHES)
    example = document["invariants"][1]["counterexamples"][0]
    example["steps"] = list(counterexample.steps)
    trace = machine_trace(counterexample, params=WHITEPAPER_PARAMS, profile=WHITEPAPER)
    text = render_markdown(document, traces={example["trace"]: trace})
    rows = table_rows(text, "| # |")
    headers = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert headers[-1] == "SLASH-BOUNDS broken"
    rate = headers.index("SlashEffect.rate_bps")
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]
    assert [row[rate] for row in cells] == ["", "500", "1000", "2000", "4000", "8000", "16000"]
    assert [bool(row[-1]) for row in cells] == [False] * 6 + [True]
    assert {count_cells(row) for row in rows} == {len(headers)}


def parsed_tables(text: str) -> list[list[list[str]]]:
    """Each table as a GFM parser reads it (markdown-it-py, CommonMark with GFM tables)."""
    tables: list[list[list[str]]] = []
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type == "inline" and tables and token.level > 2:
            tables[-1][-1].append(token.content)
        elif token.type == "table_close":
            tables[-1] = [row for row in tables[-1] if row]
    return tables


def test_tables_read_back_by_a_gfm_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser sees each step table with one row per step, and its notes as paragraphs."""
    # One state column only, so the steps table carries a note on the columns left out.
    monkeypatch.setattr(counterexample_tables, "MAX_STATE_COLUMNS", 1)
    document = failing_document()
    counterexample = make_machine_counterexample("SLASH-BOUNDS", SIX_SLASHES)
    example = document["invariants"][1]["counterexamples"][0]
    example["steps"] = list(counterexample.steps)
    trace = machine_trace(counterexample, params=WHITEPAPER_PARAMS, profile=WHITEPAPER)
    text = render_markdown(document, traces={example["trace"]: trace})
    steps = [table for table in parsed_tables(text) if table[0][0] == "#"]
    assert [len(table) for table in steps] == [8, 3]  # SLASH-BOUNDS' 7 steps, CR-BINDING's 2
    assert [row[1] for row in steps[0][1:]] == ["Genesis", *["SlashValidator"] * 6]
    assert steps[1][0] == ["#", "rule", "arguments"]
    assert len(steps[0][0]) == 5  # #, rule, arguments, one state column, broken
    assert "more chain values change along the trace; the ITF trace has them all._" in text
    for table in parsed_tables(text):
        for row in table:
            assert not any(cell.startswith("_") for cell in row), row
    parameters = [table for table in parsed_tables(text) if table[0][0] == "parameter"]
    assert [row[0] for row in parameters[0][1:]] == [
        "payment.str_burn_bps",
        "payment.str_node_profit_bps",
    ]
    assert parameters[1][1] == ["slashing.slash_base_bps", "500", "500"]
