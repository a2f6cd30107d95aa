"""Tests for model/governance.py: subcommittees and their delegations (§6.8)."""

from __future__ import annotations

from governance_fixtures import (
    ALICE,
    BOB,
    genesis,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import is_str_conserved, is_subcommittee_pool_consistent

from model.governance import (
    NETWORK_SUPPORT_COMMITTEE,
    GovernanceState,
    create_governance_state,
    get_subcommittee_delegated,
    is_network_support_grant_allowed,
    is_subcommittee_active,
    process_create_subcommittee,
    process_delegate_to_subcommittee,
    process_undelegate_from_subcommittee,
)
from model.ledger import SUBCOMMITTEE_POOL, Ledger, Token, get_balance, process_transfer
from model.units import AccountId, Rejected

# --- Subcommittees ------------------------------------------------------------------------------


def delegate(
    ledger: Ledger, gov: GovernanceState, delegator: AccountId, name: str, amount: int
) -> tuple[Ledger, GovernanceState]:
    result = process_delegate_to_subcommittee(
        ledger, gov, delegator=delegator, subcommittee=name, amount=amount
    )
    assert not isinstance(result, Rejected), result
    new_ledger, new_gov = result
    assert (
        get_subcommittee_delegated(new_gov, name) == get_subcommittee_delegated(gov, name) + amount
    )
    assert is_subcommittee_pool_consistent(new_ledger, new_gov)
    assert is_str_conserved(new_ledger)
    return new_ledger, new_gov


def test_subcommittee_activation__exactly_one_percent_is_inactive() -> None:
    ledger = genesis({ALICE: 100, BOB: 9_900})
    gov = create_governance_state()
    assert not is_network_support_grant_allowed(ledger, gov)
    ledger, gov = delegate(ledger, gov, ALICE, NETWORK_SUPPORT_COMMITTEE, 100)
    assert not is_subcommittee_active(ledger, gov, NETWORK_SUPPORT_COMMITTEE)
    assert not is_network_support_grant_allowed(ledger, gov)


def test_subcommittee_activation__just_above_one_percent_is_active() -> None:
    ledger = genesis({ALICE: 101, BOB: 9_900})
    gov = create_governance_state()
    ledger, gov = delegate(ledger, gov, ALICE, NETWORK_SUPPORT_COMMITTEE, 101)
    # 101 of 10_001 is just above 1%.
    assert is_subcommittee_active(ledger, gov, NETWORK_SUPPORT_COMMITTEE)
    assert is_network_support_grant_allowed(ledger, gov)
    assert not is_subcommittee_active(ledger, gov, "complaint-network")
    assert not is_subcommittee_active(ledger, gov, "no-such-committee")


def test_subcommittee_one_unit_one_subcommittee() -> None:
    ledger = genesis({ALICE: 100})
    ledger, gov = delegate(ledger, create_governance_state(), ALICE, "complaint-network", 100)
    # The same units cannot back a second subcommittee: they sit in the pool.
    second = process_delegate_to_subcommittee(
        ledger, gov, delegator=ALICE, subcommittee=NETWORK_SUPPORT_COMMITTEE, amount=1
    )
    assert isinstance(second, Rejected)
    result = process_undelegate_from_subcommittee(
        ledger, gov, delegator=ALICE, subcommittee="complaint-network", amount=40
    )
    assert not isinstance(result, Rejected)
    ledger, gov = result
    assert is_subcommittee_pool_consistent(ledger, gov)
    ledger, gov = delegate(ledger, gov, ALICE, NETWORK_SUPPORT_COMMITTEE, 40)
    assert get_subcommittee_delegated(gov, "complaint-network") == 60
    assert get_balance(ledger, SUBCOMMITTEE_POOL).ustr == 100
    assert get_balance(ledger, ALICE).ustr == 0


def test_undelegate_all_removes_entry() -> None:
    ledger = genesis({ALICE: 100})
    ledger, gov = delegate(ledger, create_governance_state(), ALICE, "complaint-network", 100)
    result = process_undelegate_from_subcommittee(
        ledger, gov, delegator=ALICE, subcommittee="complaint-network", amount=100
    )
    assert not isinstance(result, Rejected)
    ledger, gov = result
    assert len(gov.subcommittee_delegations) == 0
    assert get_balance(ledger, ALICE).ustr == 100
    assert is_subcommittee_pool_consistent(ledger, gov) and is_str_conserved(ledger)


def test_invalid_undelegate_more_than_delegated() -> None:
    ledger = genesis({ALICE: 100, BOB: 100})
    ledger, gov = delegate(ledger, create_governance_state(), ALICE, "complaint-network", 50)
    ledger, gov = delegate(ledger, gov, BOB, "complaint-network", 50)
    for amount in (51, 0, -1):
        result = process_undelegate_from_subcommittee(
            ledger, gov, delegator=ALICE, subcommittee="complaint-network", amount=amount
        )
        assert isinstance(result, Rejected), amount


def test_invalid_delegate() -> None:
    ledger = genesis({ALICE: 100})
    gov = create_governance_state()
    for name, amount in (("nope", 1), ("complaint-network", 0), ("complaint-network", 101)):
        result = process_delegate_to_subcommittee(
            ledger, gov, delegator=ALICE, subcommittee=name, amount=amount
        )
        assert isinstance(result, Rejected), (name, amount)


def test_create_subcommittee() -> None:
    gov = create_governance_state()
    created = process_create_subcommittee(gov, name="dao-tools", creator=ALICE)
    assert not isinstance(created, Rejected)
    assert created.subcommittees["dao-tools"].creator == ALICE
    assert isinstance(process_create_subcommittee(created, name="dao-tools", creator=BOB), Rejected)
    assert isinstance(process_create_subcommittee(gov, name="", creator=BOB), Rejected)


def test_pool_inconsistent_is_detected() -> None:
    ledger = genesis({ALICE: 100})
    ledger, gov = delegate(ledger, create_governance_state(), ALICE, "complaint-network", 50)
    leaked = process_transfer(
        ledger, sender=SUBCOMMITTEE_POOL, recipient=BOB, token=Token.STR, amount=1
    )
    assert not isinstance(leaked, Rejected)
    assert not is_subcommittee_pool_consistent(leaked, gov)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.sampled_from([ALICE, BOB]),
            st.sampled_from([NETWORK_SUPPORT_COMMITTEE, "complaint-network"]),
            st.integers(1, 80),
        ),
        max_size=25,
    )
)
def test_subcommittee_pool_consistent__random(
    steps: list[tuple[bool, AccountId, str, int]],
) -> None:
    """GOV-SUBCOMMITTEE: whatever is delegated and taken back, the pool matches the delegations."""
    ledger = genesis({ALICE: 100, BOB: 100})
    gov = create_governance_state()
    for is_delegate, who, name, amount in steps:
        action = (
            process_delegate_to_subcommittee
            if is_delegate
            else process_undelegate_from_subcommittee
        )
        result = action(ledger, gov, delegator=who, subcommittee=name, amount=amount)
        if not isinstance(result, Rejected):
            ledger, gov = result
        assert is_subcommittee_pool_consistent(ledger, gov)
        assert is_str_conserved(ledger)
        held = {w: get_balance(ledger, w).ustr for w in (ALICE, BOB)}
        for who_ in (ALICE, BOB):
            backed = sum(amt for (d, _), amt in gov.subcommittee_delegations.items() if d == who_)
            assert held[who_] + backed == 100
