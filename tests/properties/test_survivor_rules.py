"""The machine rules and checks added for the first mutation run's survivors (docs/mutation.md).

Each test drives the rule or check directly, once with the correct model (it is exercised and
holds) and once with the model broken the way the mutant broke it (it raises). The mutation run
itself (`python -m mutation`) kills the real mutants; these tests keep the rules honest in CI.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from broken_fixtures import APP, GENESIS, replace_rule, run_trace
from broken_rules import (
    USER_0,
    USER_1,
    V0,
    P,
    every_counted_node_paid,
    supermajority_ignored,
)

from model import escrow, governance, payment, slashing, supply
from model.chain.actions import Delegate, DepositUsdc, SlashValidator
from model.governance import GovernanceState, get_subcommittee_delegated
from model.ledger import Ledger, Token, get_locked_escrow_account, get_str_circulating_supply
from model.profile import HARDENED, WHITEPAPER
from model.staking import StakingState
from model.trusted.behaviour import Behaviour
from model.units import BPS_DENOMINATOR, MICRO, AccountId
from properties.driver import VIOLATIONS
from properties.machine import ChainMachine


def _machine() -> ChainMachine:
    machine = ChainMachine()
    machine.create_chain(genesis=GENESIS)
    machine.observations.clear()
    return machine


def _judge(machine: ChainMachine, invariant_id: str) -> int:
    """Run `invariant_id`'s machine invariant on the last rule; how many observations it had."""
    seen = len(machine.observations.get(invariant_id, ()))
    machine.check(invariant_id)
    return seen


# --- M09: a payout to a node outside the supermajority -------------------------------------------


@pytest.mark.parametrize("minority", [Behaviour.WRONG_OUTPUT, Behaviour.COPY_COMMIT])
def test_dissent_round__observed_and_holds(minority: Behaviour) -> None:
    machine = _machine()
    machine.process_dissent_round(app=APP, price=Fraction(1), minority=minority)
    assert _judge(machine, "PAY-ONLY-MAJORITY") > 0
    if minority is Behaviour.COPY_COMMIT:
        assert _judge(machine, "CR-NO-COPY") > 0


def test_dissent_round__catches_the_minority_paid(monkeypatch: pytest.MonkeyPatch) -> None:
    every_counted_node_paid(monkeypatch)
    machine = _machine()
    machine.process_dissent_round(app=APP, price=Fraction(1), minority=Behaviour.WRONG_OUTPUT)
    with pytest.raises(VIOLATIONS["PAY-ONLY-MAJORITY"]):
        machine.check("PAY-ONLY-MAJORITY")


# --- M31: a burn change passed by a simple majority -----------------------------------------------


def _narrow_vote(machine: ChainMachine) -> None:
    machine.process_narrow_supermajority_vote(voters=[USER_1, USER_0])


def test_narrow_vote__refused_by_the_supermajority_and_observed() -> None:
    machine = _machine()
    before = machine.checked
    _narrow_vote(machine)
    assert _judge(machine, "GOV-SUPERMAJORITY") > 0
    assert machine.checked is not None and before is not None
    # More than 1/2 but not 2/3 voted YES: the burn share is unchanged.
    assert machine.checked.state.params.payment == before.state.params.payment


def test_narrow_vote__catches_a_simple_majority(monkeypatch: pytest.MonkeyPatch) -> None:
    supermajority_ignored(monkeypatch)
    machine = _machine()
    _narrow_vote(machine)
    with pytest.raises(VIOLATIONS["GOV-SUPERMAJORITY"]):
        machine.check("GOV-SUPERMAJORITY")


# --- M32: a subcommittee active at exactly its share ----------------------------------------------


def _at_least_the_share(monkeypatch: pytest.MonkeyPatch) -> None:
    real = governance.is_subcommittee_active

    def broken(ledger: Ledger, gov: GovernanceState, name: str) -> bool:
        if name not in gov.subcommittees:
            return False
        share = gov.params.governance.subcommittee_activation_bps
        delegated = get_subcommittee_delegated(gov, name)
        return delegated * BPS_DENOMINATOR >= share * get_str_circulating_supply(ledger)

    replace_rule(monkeypatch, real, broken)


def test_subcommittee_at_the_boundary__exact_and_observed() -> None:
    machine = _machine()
    name = governance.INITIAL_SUBCOMMITTEES[0]
    machine.process_subcommittee_at_threshold(name=name, offset=0)
    assert _judge(machine, "GOV-SUBCOMMITTEE") > 0
    assert machine.checked is not None
    state = machine.checked.state
    share = state.params.governance.subcommittee_activation_bps
    delegated = get_subcommittee_delegated(state.governance, name)
    # Exactly on the boundary: the one amount that tells > from >=.
    assert delegated * BPS_DENOMINATOR == share * get_str_circulating_supply(state.ledger)
    assert not governance.is_subcommittee_active(state.ledger, state.governance, name)


def test_subcommittee_at_the_boundary__catches_ge(monkeypatch: pytest.MonkeyPatch) -> None:
    """A grant right at the activation share is paid only by a model that activates on >=; the
    check decides activation from the raw delegations, not from the model's own test."""
    _at_least_the_share(monkeypatch)
    machine = _machine()
    machine.process_subcommittee_at_threshold(name=governance.NETWORK_SUPPORT_COMMITTEE, offset=0)
    with pytest.raises(VIOLATIONS["GOV-SUBCOMMITTEE"]):
        machine.check("GOV-SUBCOMMITTEE")


# --- M21 and M29: the checks read their own record, not the model's ---------------------------


def _break(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, wrap: Callable[..., Any]
) -> None:
    replace_rule(monkeypatch, getattr(module, name), wrap(getattr(module, name)))


def test_replayed_deposit__caught_by_cons_stb(monkeypatch: pytest.MonkeyPatch) -> None:
    replay = (DepositUsdc("d0", USER_0, 5 * MICRO), DepositUsdc("d0", USER_0, 5 * MICRO))
    correct = run_trace(GENESIS, replay, params=P, profile=HARDENED)
    assert not correct.violations and correct.refused_by == ("process_usdc_deposit",)

    def forgetful(real: Callable[..., Any]) -> Callable[..., Any]:
        def broken(ledger: Ledger, state: supply.SupplyState, **kwargs: Any) -> Any:
            result = real(ledger, state, **kwargs)
            # The deposit is made but its id is not remembered.
            return (result[0], state) if isinstance(result, tuple) else result

        return broken

    _break(monkeypatch, supply, "process_usdc_deposit", forgetful)
    broken = run_trace(GENESIS, replay, params=P, profile=HARDENED)
    # The action contracts see the same replay (the deposit id is used twice): ACT-BRIDGE, ACT-ONCE.
    assert broken.violated == {"CONS-STB", "ACT-BRIDGE", "ACT-ONCE"}, broken.violations
    assert any(v.startswith("CONS-STB") and "accepted twice" in v for v in broken.violations)


def test_delegator_left_out_of_a_slash__caught(monkeypatch: pytest.MonkeyPatch) -> None:
    trace = (Delegate(USER_0, V0, 100 * MICRO), SlashValidator(V0))
    correct = run_trace(GENESIS, trace, params=P, profile=HARDENED)
    assert "SLASH-DELEGATORS" in correct.observed and not correct.violations

    def operator_only(real: Callable[..., Any]) -> Callable[..., Any]:
        def broken(staking: StakingState, validator: Any) -> tuple[AccountId, ...]:
            operator = staking.validators[validator].operator
            return tuple(d for d in real(staking, validator) if d == operator)

        return broken

    _break(monkeypatch, slashing, "get_delegators", operator_only)
    broken = run_trace(GENESIS, trace, params=P, profile=HARDENED)
    assert broken.violated == {"SLASH-DELEGATORS"}, broken.violations


# --- GOV-PARAMS: a share moved alone, voted through -------------------------------------------------


class _LiteralMachine(ChainMachine):
    profile = WHITEPAPER


def test_lone_share_proposal__refused_by_hardened_governance() -> None:
    machine = _machine()
    before = machine.checked
    machine.process_lone_share_proposal(key="stb_node_profit_bps", delta=-100)
    assert machine.checked is before  # refused at submission: nothing applied
    machine.check("GOV-PARAMS")


def test_lone_share_proposal__adopted_by_literal_governance_and_caught() -> None:
    machine = _LiteralMachine()
    machine.create_chain(genesis=GENESIS)
    machine.observations.clear()
    machine.process_lone_share_proposal(key="stb_node_profit_bps", delta=-100)
    with pytest.raises(VIOLATIONS["GOV-PARAMS"], match="stb-sub-shares"):
        machine.check("GOV-PARAMS")


# --- M18: a withdrawal from the locked escrow (found missing by the third mutation run) ----------


def _withdraw_from_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    real = escrow.process_withdraw_prepayment

    def broken(ledger: Ledger, book: Any, *, app: Any, developer: Any, ustb: int, ustr: int) -> Any:
        locked = get_locked_escrow_account(app)
        steps = (
            payment.transfer_step(locked, developer, Token.STB, ustb),
            payment.transfer_step(locked, developer, Token.STR, ustr),
        )
        return payment.apply_steps(ledger, steps, rule="process_withdraw_prepayment")

    replace_rule(monkeypatch, real, broken)


def test_withdraw_beside_a_lock__observed_and_holds() -> None:
    machine = _machine()
    machine.process_withdraw_beside_a_lock(app=APP, price=Fraction(1), ustb=1)
    assert _judge(machine, "ESCROW-SOLVENT") > 0
    assert machine.checked is not None
    locked = machine.checked.state.escrows.escrows[APP].locked
    assert locked, "the round without consensus locked nothing"


def test_withdraw_beside_a_lock__catches_a_withdrawal_from_the_lock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _withdraw_from_the_lock(monkeypatch)
    machine = _machine()
    machine.process_withdraw_beside_a_lock(app=APP, price=Fraction(1), ustb=1)
    with pytest.raises(VIOLATIONS["ESCROW-SOLVENT"]):
        machine.check("ESCROW-SOLVENT")
