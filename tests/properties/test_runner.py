"""The Hypothesis engine end to end: verdicts, evidence, determinism and the whitepaper's failures."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import settings

from model.chain.actions import (
    AdvanceTime,
    Equivocate,
    RunRound,
    SlashValidator,
    SubmitProposal,
    Transfer,
)
from model.governance import ParamChange
from model.ledger import Token
from model.params import WHITEPAPER_PARAMS, with_values
from model.profile import HARDENED, WHITEPAPER
from model.trusted.behaviour import Behaviour, NodePlan
from model.units import AccountId, AppId, NodeId, ValidatorId
from properties.catalogue import Engine, get_ids_for
from properties.effort import EFFORTS, Effort, UnknownEffortError, get_effort, get_settings
from properties.machine import ChainMachine
from properties.regression import get_test_name, to_python
from properties.replay import replay
from properties.runner import Verdict, get_applicability, run_properties

QUICK = EFFORTS["quick"]


@pytest.fixture(scope="module")
def hardened_quick() -> object:
    return run_properties(WHITEPAPER_PARAMS, HARDENED, QUICK, 0)


@pytest.mark.slow
def test_defaults_pass_under_hardened_at_quick_effort(hardened_quick: object) -> None:
    """Every invariant the engine claims passes, none vacuously, with evidence from the machine."""
    report = hardened_quick
    assert report.profile == "hardened" and report.effort == "quick"  # type: ignore[attr-defined]
    results = {r.invariant_id: r for r in report.results}  # type: ignore[attr-defined]
    assert set(results) == set(get_ids_for(Engine.HYPOTHESIS))
    for invariant_id, result in results.items():
        assert result.verdict is Verdict.PASS, (invariant_id, result)
        assert result.examples > 0, f"{invariant_id} was never checked by the machine"
        assert result.observations >= result.examples


@pytest.mark.slow
def test_rule_evidence_counts_firings_and_refusals(hardened_quick: object) -> None:
    rules = {r.action: r for r in hardened_quick.rules}  # type: ignore[attr-defined]
    assert rules["RunRound"].fired > 0
    assert rules["Transfer"].refused > 0  # module accounts cannot send: refused, not dropped
    refusals = hardened_quick.refusals  # type: ignore[attr-defined]
    assert any(r.action == "Transfer" and r.rule == "process_transfer_action" for r in refusals)
    assert sum(r.fired + r.refused for r in rules.values()) == hardened_quick.steps  # type: ignore[attr-defined]


@pytest.mark.slow
def test_an_invariant_never_exercised_is_vacuous() -> None:
    """With the rounds switched off, the round invariants have nothing to check: VACUOUS."""
    report = run_properties(
        WHITEPAPER_PARAMS,
        HARDENED,
        QUICK,
        0,
        only=frozenset({"PAY-COST", "CONS-STB"}),
        machine=_no_rounds_machine(),
        explore=False,
    )
    verdicts = {r.invariant_id: r.verdict for r in report.results}
    assert verdicts == {"PAY-COST": Verdict.VACUOUS, "CONS-STB": Verdict.PASS}


def _no_rounds_machine() -> type[ChainMachine]:
    class NoRounds(ChainMachine):
        def apply(self, action: object) -> bool:
            if isinstance(action, RunRound):
                return False
            return super().apply(action)  # type: ignore[arg-type]

    return NoRounds


@pytest.mark.slow
def test_pay_vector_is_not_applicable_off_the_default_shares() -> None:
    params = with_values(
        WHITEPAPER_PARAMS,
        {("payment", "str_burn_bps"): 1200, ("payment", "str_node_profit_bps"): 1800},
    )
    assert get_applicability("PAY-VECTOR", params) is not None
    assert get_applicability("PAY-VECTOR", WHITEPAPER_PARAMS) is None
    report = run_properties(
        params, HARDENED, QUICK, 0, only=frozenset({"PAY-VECTOR"}), explore=False
    )
    assert report.results[0].verdict is Verdict.NOT_APPLICABLE


@pytest.mark.slow
def test_same_seed_same_report() -> None:
    only = frozenset({"CONS-STR", "SLASH-DOUBLING", "REP-OUTBOUND"})
    small = Effort("small", max_examples=80, steps_per_example=20, explore_max_nodes=1)
    first = run_properties(WHITEPAPER_PARAMS, HARDENED, small, 7, only=only)
    second = run_properties(WHITEPAPER_PARAMS, HARDENED, small, 7, only=only)
    assert first == second


@pytest.fixture(scope="module")
def whitepaper_failures() -> object:
    only = frozenset({"SLASH-BOUNDS", "BFT-TIMEOUT"})
    return run_properties(WHITEPAPER_PARAMS, WHITEPAPER, QUICK, 0, only=only, explore=False)


@pytest.mark.slow
def test_whitepaper_machine_finds_the_uncapped_slash_and_the_committed_threshold(
    whitepaper_failures: object,
) -> None:
    """The literal text's failures are found by the machine itself, each with a shrunk trace."""
    results = {r.invariant_id: r for r in whitepaper_failures.results}  # type: ignore[attr-defined]
    slash = results["SLASH-BOUNDS"].counterexample
    timeout = results["BFT-TIMEOUT"].counterexample
    assert slash is not None and timeout is not None
    assert results["SLASH-BOUNDS"].verdict is Verdict.FAIL
    # Shrunk to six slashes of one validator (500, 1000, ..., 16000 bps), by a fault or a double
    # sign, ending the trace. The shrinker may leave steps that change no slash before them (a
    # transfer, a vote) and clock steps inside one window between them, as it does once the rule
    # mix grows.
    slashing = [a for a in slash.actions if isinstance(a, SlashValidator | Equivocate)]
    first = next(
        i for i, a in enumerate(slash.actions) if isinstance(a, SlashValidator | Equivocate)
    )
    assert 4 <= len(slashing) <= 6
    assert all(
        isinstance(a, SlashValidator | Equivocate | AdvanceTime) for a in slash.actions[first:]
    )
    assert isinstance(slash.actions[-1], SlashValidator | Equivocate)
    assert "16000" in slash.detail
    # Shrunk: the trace ends in one round with an honest node that no other node matched in time
    # (a short round, or, since the machine shortens timeouts, a four-node round after the commit
    # timeout was voted down to a second). Either way the replays below show the literal failure.
    round_action = timeout.actions[-1]
    assert isinstance(round_action, RunRound)
    assert sum(isinstance(action, RunRound) for action in timeout.actions) == 1
    assert Behaviour.HONEST in {plan.behaviour for plan in round_action.plans}
    for counterexample in (slash, timeout):
        assert counterexample.genesis is not None
        replayed = replay(
            counterexample.genesis,
            counterexample.actions,
            params=WHITEPAPER_PARAMS,
            profile=WHITEPAPER,
        )
        assert counterexample.invariant_id in {v.invariant_id for v in replayed.violations}
        replayed_hardened = replay(
            counterexample.genesis,
            counterexample.actions,
            params=WHITEPAPER_PARAMS,
            profile=HARDENED,
        )
        assert counterexample.invariant_id not in {
            v.invariant_id for v in replayed_hardened.violations
        }


@pytest.mark.slow
def test_counterexample_is_a_runnable_pytest_file(whitepaper_failures: object) -> None:
    """The regression test imports, runs, and fails on the literal text as it should."""
    for result in whitepaper_failures.results:  # type: ignore[attr-defined]
        source = result.counterexample.regression_test
        namespace: dict[str, object] = {}
        exec(compile(source, f"<{result.invariant_id}>", "exec"), namespace)
        test = namespace[get_test_name(result.invariant_id)]
        with pytest.raises(AssertionError):
            test()  # type: ignore[operator]


def test_to_python_round_trips_actions() -> None:
    actions = [
        RunRound(AppId("app-0"), (NodePlan(NodeId("n0"), Behaviour.COPY_COMMIT, NodeId("n1")),), 5),
        Equivocate(frozenset({ValidatorId("v1"), ValidatorId("v0")}), frozenset(), frozenset()),
        Transfer(AccountId("user-0"), AccountId("user-1"), Token.STB, 3),
        SubmitProposal(AccountId("user-0"), (ParamChange("payment", "str_burn_bps", 1),), 0),
        AdvanceTime(61),
    ]
    for action in actions:
        imports: set[tuple[str, str]] = set()
        source = to_python(action, imports)
        namespace: dict[str, object] = {"Fraction": Fraction}
        for module, name in imports:
            namespace[name] = getattr(__import__(module, fromlist=[name]), name)
        assert eval(source, namespace) == action


def test_efforts_build_on_the_ci_profile() -> None:
    for effort in EFFORTS.values():
        configured = get_settings(effort)
        assert configured.database is None and configured.deadline is None
        assert configured.max_examples == effort.max_examples
        assert configured.stateful_step_count == effort.steps_per_example
    assert settings.get_profile("ci").database is None
    assert (
        EFFORTS["quick"].max_examples
        < EFFORTS["default"].max_examples
        < EFFORTS["thorough"].max_examples
    )


def test_unknown_effort_names_the_choices() -> None:
    with pytest.raises(UnknownEffortError, match="quick, default, thorough"):
        get_effort("fast")
