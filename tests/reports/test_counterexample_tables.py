"""reports.counterexample_tables and reports.failure_lines: what both renderings show."""

from __future__ import annotations

from typing import Any

from report_samples import failing_document, passing_document

from reports.counterexample_tables import (
    build_tables,
    classify_value,
    get_parameter_table,
    load_traces,
    split_step,
)
from reports.failure_lines import describe_counts, get_failure_lines, shorten


def bigint(value: int) -> dict[str, str]:
    return {"#bigint": str(value)}


def ledger_state(action: str, balances: dict[str, int], burned: int) -> dict[str, Any]:
    """A machine trace state holding only what a conservation invariant reads."""
    return {
        "action": {"tag": action, "value": {}},
        "refusal": {"tag": "None", "value": {"#tup": []}},
        "violations": {"#map": []},
        "effects": [],
        "ledger": {
            "balances": {
                "#map": [
                    [account, {"ustr": bigint(amount), "ustb": bigint(0)}]
                    for account, amount in balances.items()
                ]
            },
            "str_burned": bigint(burned),
        },
        "height": bigint(0),
    }


def test_split_step() -> None:
    assert split_step("SlashValidator(validator='v0')") == ("SlashValidator", "validator='v0'")
    assert split_step("CastVote(proposal_id=1, voter='a', option=VoteOption.YES)") == (
        "CastVote",
        "proposal_id=1\nvoter='a'\noption=VoteOption.YES",
    )
    assert split_step("main compute(9): n0 honest") == ("main", "compute(9): n0 honest")
    assert split_step("(") == ("", "(")


def test_classify_value() -> None:
    assert classify_value("payment.str_burn_bps") == "parameter"
    assert classify_value("change.key.name") == "proposal"
    assert classify_value("proposal.payment.str_burn_bps") == "proposal"
    assert classify_value("node_payment.escrow.ustr") == "state"
    assert classify_value("level") == "state"
    assert classify_value("cost") == "input"


def test_conservation_steps_show_balances_and_their_sum() -> None:
    """A conservation break shows the balances that moved, their sum, and the step that broke."""
    states = [
        ledger_state("Genesis", {"a": 10, "b": 0}, 0),
        ledger_state("Transfer", {"a": 4, "b": 6}, 0),
        ledger_state("Burn", {"a": 4, "b": 7}, 1),
    ]
    states[2]["violations"] = {"#map": [["CONS-STR", "STR supply grew by 2"]]}
    path = "traces/CONS-STR.hypothesis.itf.json"
    example = {
        "engine": "hypothesis",
        "steps": ["Genesis()", "Transfer(amount=6)", "Burn(amount=1)"],
        "trace": path,
    }
    tables = build_tables("CONS-STR", example, {path: {"states": states}})
    assert tables.steps is not None
    assert tables.steps.headers == (
        "#",
        "rule",
        "arguments",
        "ledger.str_burned",
        "ledger.sum.ustr",
        "ledger.balances[a].ustr",
        "ledger.balances[b].ustr",
        "CONS-STR broken",
    )
    assert tables.steps.rows == (
        ("0", "Genesis", "", "0", "10", "10", "0", ""),
        ("1", "Transfer", "amount=6", "0", "10", "4", "6", ""),
        ("2", "Burn", "amount=1", "1", "11", "4", "7", "STR supply grew by 2"),
    )
    assert tables.state_note == ""


def test_without_the_trace_the_steps_say_where_the_state_is() -> None:
    example = failing_document()["invariants"][1]["counterexamples"][0]
    tables = build_tables("SLASH-BOUNDS", example)
    assert tables.steps is not None and len(tables.steps.headers) == 3
    assert "ITF trace" in tables.state_note
    # A trace whose states do not match the steps one for one adds nothing.
    mismatched = build_tables("SLASH-BOUNDS", example, {example["trace"]: {"states": [{}]}})
    assert mismatched.steps == tables.steps


def test_parameter_table__changed_keys_of_a_long_list() -> None:
    document = failing_document()
    slash = get_parameter_table("SLASH-BOUNDS", document)
    assert slash is not None and slash.note == ""
    assert slash.rows[0] == ("slashing.slash_base_bps", "500", "500")
    everything = get_parameter_table("GOV-PARAMS", document)
    assert everything is not None
    assert everything.rows == (
        ("payment.str_node_profit_bps", "1800", "2000"),
        ("payment.str_burn_bps", "1200", "1000"),
    )
    assert "at their base value are not shown" in everything.note
    assert get_parameter_table("NOT-AN-ID", document) is None
    assert get_parameter_table("CR-APP-SALT", document) is None


def test_load_traces__only_parsable_traces() -> None:
    traces = load_traces(
        {
            "traces/A.z3.itf.json": '{"states": []}',
            "traces/B.z3.itf.json": "{not json",
            "smt2/A.smt2": "(check-sat)",
        }
    )
    assert list(traces) == ["traces/A.z3.itf.json"]


def test_failure_lines() -> None:
    document = failing_document()
    lines = get_failure_lines(document)
    assert [(line.id, line.verdict, line.engines) for line in lines] == [
        ("SLASH-BOUNDS", "fail", ("hypothesis", "z3")),
        ("CR-BINDING", "fail", ("executor",)),
        ("GOV-SUBCOMMITTEE", "inconclusive", ("hypothesis vacuous",)),
    ]
    assert [line.has_counterexample for line in lines] == [True, True, False]
    assert describe_counts(document) == (
        "5 invariants checked: 2 fail, 1 inconclusive, 1 pass, 1 not-applicable"
    )
    assert get_failure_lines(passing_document()) == ()
    assert describe_counts(passing_document()) == "3 invariants checked: 3 pass"


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("a b c", 10) == "a b c"
    assert shorten("alpha beta gamma delta", 12) == "alpha beta…"
    assert len(shorten("x " * 100)) <= 90
