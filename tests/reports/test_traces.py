"""ITF traces of every engine's counterexamples: shape, encodings, the violating step, determinism.

Every trace must be valid ITF (each state holds exactly `vars`; no bare integer or null anywhere,
`#bigint` strings that parse back), and the same counterexample must give the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import attrs
import pytest
from counterexample_samples import (
    MISMATCHED_REVEAL,
    SIX_SLASHES,
    make_call,
    make_executor_counterexample,
    make_exploration_counterexample,
    make_machine_counterexample,
)
from pyrsistent import pmap, pset, pvector

from executor.scenario import FaultPhase, NodeFault, ProcessFault
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER
from model.trusted.behaviour import Behaviour, NodePlan
from model.units import NodeId
from reports.traces import (
    NONE,
    TraceError,
    dump_itf,
    executor_trace,
    exploration_trace,
    machine_trace,
    proof_trace,
    to_itf,
)
from solver.claim import ProofResult, ProofStatus
from solver.registry import prove_all

BIGINT = re.compile(r"-?(0|[1-9][0-9]*)")


@pytest.fixture(scope="module")
def proofs() -> dict[str, ProofResult]:
    """Z3 under the literal reading: two refutations and a proof (about a second)."""
    only = ("CONS-STR", "SLASH-BOUNDS", "CR-INJECTIVE")
    return {r.invariant_id: r for r in prove_all(WHITEPAPER_PARAMS, WHITEPAPER, only=only)}


def walk(value: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """Every JSON value in `value` with its path."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def assert_itf(trace: dict[str, Any]) -> None:
    """Valid ITF: meta, vars, every state exactly the vars, only ITF values, bigints that parse."""
    assert trace["#meta"]["format"] == "ITF"
    assert trace["#meta"]["format-description"].startswith("https://apalache-mc.org/")
    variables = trace["vars"]
    assert len(set(variables)) == len(variables)
    assert trace["states"], "a trace has at least one state"
    for index, state in enumerate(trace["states"]):
        assert state["#meta"] == {"index": index}
        assert set(state) - {"#meta"} == set(variables), index
    for path, value in walk(trace):
        assert value is not None, f"null at {path}"
        assert not isinstance(value, float), f"float at {path}"
        assert isinstance(value, bool) or not isinstance(value, int) or path.endswith(".index"), (
            f"bare integer at {path}"
        )
        if isinstance(value, dict) and "#bigint" in value:
            assert set(value) == {"#bigint"}, path
            text = value["#bigint"]
            assert isinstance(text, str) and BIGINT.fullmatch(text), (path, text)
            assert str(int(text)) == text
        if isinstance(value, dict) and "tag" in value:
            assert set(value) == {"tag", "value"}, f"a record with a `tag` field at {path}"
    assert json.loads(dump_itf(trace)) == trace


# --- Values --------------------------------------------------------------------------------------


@attrs.frozen
class _Sample:
    amount: int
    price: Fraction
    maybe: bytes | None
    many: tuple[int, ...]
    pair: tuple[str, int]


def test_to_itf__encodings() -> None:
    value = _Sample(7, Fraction(3, 2), None, (1, 2), ("a", 3))
    assert to_itf(value) == {
        "amount": {"#bigint": "7"},
        "price": {"num": {"#bigint": "3"}, "den": {"#bigint": "2"}},
        "maybe": NONE,
        "many": [{"#bigint": "1"}, {"#bigint": "2"}],
        "pair": {"#tup": ["a", {"#bigint": "3"}]},
    }
    assert to_itf(attrs.evolve(value, maybe=b"\xab\x01"))["maybe"] == {
        "tag": "Some",
        "value": "ab01",
    }
    assert to_itf(Behaviour.COPY_COMMIT) == "copy-commit"
    assert to_itf(True) is True
    assert to_itf(-(10**30)) == {"#bigint": "-" + "1" + "0" * 30}


def test_to_itf__sets_and_maps_sort_numerically_whatever_the_insertion_order() -> None:
    assert to_itf(frozenset({10, 9, 100})) == {"#set": [{"#bigint": v} for v in ("9", "10", "100")]}
    forward = pmap({"b": 1, "a": 2})
    backward = pmap({"a": 2, "b": 1})
    assert (
        to_itf(forward)
        == to_itf(backward)
        == {"#map": [["a", {"#bigint": "2"}], ["b", {"#bigint": "1"}]]}
    )
    assert to_itf(pset(["y", "x"])) == {"#set": ["x", "y"]}
    assert to_itf(pvector([2, 1])) == [{"#bigint": "2"}, {"#bigint": "1"}]


def test_to_itf__refuses_what_itf_cannot_hold() -> None:
    with pytest.raises(TraceError, match="float"):
        to_itf(0.5)


# --- Machine -------------------------------------------------------------------------------------


def test_machine_trace__one_state_per_step_and_the_violation_on_the_last() -> None:
    counterexample = make_machine_counterexample("SLASH-BOUNDS", SIX_SLASHES)
    trace = machine_trace(counterexample, params=WHITEPAPER_PARAMS, profile=WHITEPAPER)
    assert_itf(trace)
    states = trace["states"]
    assert len(states) == len(counterexample.actions) + 1
    assert states[0]["action"]["tag"] == "Genesis"
    assert states[1]["action"] == {"tag": "SlashValidator", "value": {"validator": "v0"}}
    broken = [[key for key, _ in state["violations"]["#map"]] for state in states]
    assert broken == [[]] * 6 + [["SLASH-BOUNDS"]]
    assert trace["#meta"]["invariant"] == "SLASH-BOUNDS"
    assert "16000" in trace["#meta"]["description"]
    # The sixth slash is the one that asks for 160%: the effect says so, the state shows the level.
    (slash,) = states[6]["effects"]
    assert slash["tag"] == "SlashEffect" and slash["value"]["rate_bps"] == {"#bigint": "16000"}
    assert "params" not in slash["value"]
    for variable in ("ledger", "escrows", "slashing", "supply", "outcome", "refusal"):
        assert variable in trace["vars"]
    assert "validator:v0" in json.dumps(states[6]["slashing"])


def test_machine_trace__a_refused_action_keeps_the_chain_and_a_round_shows_its_outcome() -> None:
    counterexample = make_machine_counterexample("CR-BINDING", MISMATCHED_REVEAL)
    trace = machine_trace(counterexample, params=WHITEPAPER_PARAMS, profile=WHITEPAPER)
    assert_itf(trace)
    genesis, refused, round_ = trace["states"]
    assert refused["refusal"]["tag"] == "Some" and "cannot send" in refused["refusal"]["value"]
    assert refused["violations"] == {"#map": []}
    assert refused["ledger"] == genesis["ledger"]
    assert genesis["outcome"] == refused["outcome"] == NONE
    outcome = round_["outcome"]["value"]
    assert outcome["paid"] == ["n0", "n1"] and outcome["slashed"] == []
    assert "CR-BINDING" in [key for key, _ in round_["violations"]["#map"]]
    assert round_["action"]["value"]["plans"][1]["behaviour"] == "reveal-mismatch"


def test_machine_trace__same_counterexample_same_bytes() -> None:
    counterexample = make_machine_counterexample("CR-BINDING", MISMATCHED_REVEAL)
    first, second = (
        dump_itf(machine_trace(counterexample, params=WHITEPAPER_PARAMS, profile=WHITEPAPER))
        for _ in range(2)
    )
    assert first == second
    assert first.endswith("}\n") and first.startswith('{\n  "#meta": {\n    "format": "ITF"')


def test_machine_trace__replayed_under_hardened_marks_nothing() -> None:
    """The trace replays under the profile given: the repaired reading breaks nothing."""
    counterexample = make_machine_counterexample("SLASH-BOUNDS", SIX_SLASHES)
    trace = machine_trace(counterexample, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert all(state["violations"] == {"#map": []} for state in trace["states"])


def test_machine_trace__needs_a_genesis() -> None:
    with pytest.raises(TraceError, match="exploration_trace"):
        machine_trace(
            make_exploration_counterexample("CR-BINDING"),
            params=WHITEPAPER_PARAMS,
            profile=WHITEPAPER,
        )


# --- Exploration ---------------------------------------------------------------------------------


def test_exploration_trace__assignment_then_one_state_per_step() -> None:
    counterexample = make_exploration_counterexample("BFT-TIMEOUT")
    trace = exploration_trace(counterexample)
    assert_itf(trace)
    states = trace["states"]
    assert len(states) == len(counterexample.steps)
    assert {state["assignment"] for state in states} == {counterexample.steps[0]}
    assert [state["action"] for state in states] == ["init", *counterexample.steps[1:]]
    assert [state["violations"]["#map"] for state in states[:-1]] == [[]] * (len(states) - 1)
    assert states[-1]["violations"] == {"#map": [["BFT-TIMEOUT", counterexample.detail]]}
    assert dump_itf(trace) == dump_itf(exploration_trace(counterexample))


# --- Z3 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("invariant_id", ["SLASH-BOUNDS", "CR-INJECTIVE"])
def test_proof_trace__one_state_of_the_inputs(
    proofs: dict[str, ProofResult], invariant_id: str
) -> None:
    result = proofs[invariant_id]
    assert result.status is ProofStatus.REFUTED
    trace = proof_trace(result)
    assert_itf(trace)
    assert trace["vars"] == [name for name, _ in result.counterexample]
    (state,) = trace["states"]
    for name, value in result.counterexample:
        expected = {"#bigint": str(value)} if isinstance(value, int) else value
        assert state[name] == expected
    assert trace["#meta"]["query_sha256"] == result.query_sha256
    assert dump_itf(trace) == dump_itf(proof_trace(result))


def test_proof_trace__only_for_a_refutation(proofs: dict[str, ProofResult]) -> None:
    with pytest.raises(TraceError, match="proved"):
        proof_trace(proofs["CONS-STR"])


# --- Executor ------------------------------------------------------------------------------------


def test_executor_trace__billing_then_main_with_nodes_behaviours_faults_input() -> None:
    fault = NodeFault(NodeId("n1"), ProcessFault.CRASH, FaultPhase.REVEAL)
    h = Behaviour.HONEST
    call = make_call(h, h, h, Behaviour.REVEAL_MISMATCH, faults=(fault,))
    call = attrs.evolve(
        call,
        main=attrs.evolve(
            call.main,
            scenario=attrs.evolve(
                call.main.scenario,
                plans=(
                    *call.main.scenario.plans[:2],
                    NodePlan(NodeId("n2"), Behaviour.COPY_COMMIT, copy_from=NodeId("n0")),
                    call.main.scenario.plans[3],
                ),
            ),
        ),
    )
    trace = executor_trace(make_executor_counterexample(call=call))
    assert_itf(trace)
    billing, main = trace["states"]
    assert (billing["round"], billing["function"]) == ("billing", "billing")
    assert (main["round"], main["function"]) == ("main", "compute")
    assert main["nodes"] == ["n0", "n1", "n2", "n3"]
    assert dict(map(tuple, main["behaviours"]["#map"])) == {
        "n0": "honest",
        "n1": "honest",
        "n2": "copy-commit",
        "n3": "reveal-mismatch",
    }
    assert main["faults"]["#map"] == [["n1", {"node": "n1", "fault": "crash", "phase": "reveal"}]]
    assert bytes.fromhex(main["input"]) == call.main.input
    assert main["scenario"]["plans"][2]["copy_from"] == {"tag": "Some", "value": "n0"}
    assert "/" not in main["function"], "no checkout path in the trace"
    assert trace["#meta"]["invariant"] == "CR-BINDING"
    assert dump_itf(trace) == dump_itf(executor_trace(make_executor_counterexample(call=call)))
