"""Tests of model.staking: bonds, the active set, block commits and BFT-ACCOUNTABLE (§4.2, §6.10)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import is_bonded_pool_consistent
from staking_fixtures import (
    ALICE,
    BOB,
    CAROL,
    V1,
    V2,
    check_consistent,
    genesis,
    make_validators,
    ok,
    run_create_validator,
    run_delegate,
)

from model.ledger import (
    BONDED_POOL,
    Ledger,
    create_genesis,
    get_balance,
)
from model.params import WHITEPAPER_PARAMS, with_values
from model.staking import (
    StakingState,
    get_active_set,
    get_delegation,
    get_delegators,
    get_validator_stake,
    process_create_validator,
    process_delegate,
    process_undelegate,
)
from model.units import AccountId, Rejected, ValidatorId

# --- process_create_validator --------------------------------------------------------------------


def test_create_validator__basic() -> None:
    ledger, staking = run_create_validator(
        genesis(alice=100), StakingState(), validator=V1, operator=ALICE, self_bond=60
    )
    assert get_validator_stake(staking, V1) == 60
    assert get_balance(ledger, BONDED_POOL).ustr == 60


def test_create_validator__all_funds_one_micro_unit() -> None:
    run_create_validator(
        genesis(alice=1), StakingState(), validator=V1, operator=ALICE, self_bond=1
    )


def test_create_validator__very_large_bond() -> None:
    run_create_validator(
        genesis(alice=10**30), StakingState(), validator=V1, operator=ALICE, self_bond=10**30
    )


def test_invalid_create_validator__duplicate_id() -> None:
    ledger, staking = run_create_validator(
        genesis(alice=100, bob=100), StakingState(), validator=V1, operator=ALICE, self_bond=10
    )
    run_create_validator(ledger, staking, validator=V1, operator=BOB, self_bond=10, valid=False)


def test_invalid_create_validator__insufficient_funds() -> None:
    run_create_validator(
        genesis(alice=99), StakingState(), validator=V1, operator=ALICE, self_bond=100, valid=False
    )


def test_invalid_create_validator__zero_self_bond() -> None:
    for bond in (0, -5):
        run_create_validator(
            genesis(alice=99),
            StakingState(),
            validator=V1,
            operator=ALICE,
            self_bond=bond,
            valid=False,
        )


def test_invalid_create_validator__bool_self_bond() -> None:
    run_create_validator(
        genesis(alice=99),
        StakingState(),
        validator=V1,
        operator=ALICE,
        self_bond=True,
        valid=False,
    )


def test_invalid_create_validator__bonded_pool_as_operator() -> None:
    """The pool bonding its own STR would count it twice and break the pool invariant."""
    ledger, staking = make_validators({"val-2": 10})
    run_create_validator(
        ledger, staking, validator=V1, operator=BONDED_POOL, self_bond=5, valid=False
    )


# --- process_delegate / process_undelegate -------------------------------------------------------


def run_undelegate(
    ledger: Ledger,
    staking: StakingState,
    *,
    delegator: AccountId,
    validator: ValidatorId,
    amount: int,
    valid: bool = True,
) -> tuple[Ledger, StakingState]:
    outcome = process_undelegate(
        ledger, staking, delegator=delegator, validator=validator, amount=amount
    )
    if not valid:
        assert isinstance(outcome, Rejected)
        assert outcome.rule == "process_undelegate"
        return ledger, staking
    new_ledger, new_staking = ok(outcome)
    before = get_delegation(staking, delegator, validator)
    assert get_delegation(new_staking, delegator, validator) == before - amount
    assert get_balance(new_ledger, delegator).ustr == get_balance(ledger, delegator).ustr + amount
    check_consistent(new_ledger, new_staking)
    return new_ledger, new_staking


def _one_validator() -> tuple[Ledger, StakingState]:
    ledger = genesis(alice=1_000, bob=1_000, carol=1_000)
    return run_create_validator(ledger, StakingState(), validator=V1, operator=ALICE, self_bond=100)


def test_delegate__basic() -> None:
    ledger, staking = _one_validator()
    ledger, staking = run_delegate(ledger, staking, delegator=BOB, validator=V1, amount=333)
    assert get_validator_stake(staking, V1) == 433
    assert get_delegators(staking, V1) == (ALICE, BOB)


def test_delegate__accumulates() -> None:
    ledger, staking = _one_validator()
    ledger, staking = run_delegate(ledger, staking, delegator=BOB, validator=V1, amount=1)
    ledger, staking = run_delegate(ledger, staking, delegator=BOB, validator=V1, amount=2)
    assert get_delegation(staking, BOB, V1) == 3


def test_delegate__operator_adds_to_self_bond() -> None:
    ledger, staking = _one_validator()
    ledger, staking = run_delegate(ledger, staking, delegator=ALICE, validator=V1, amount=7)
    assert get_delegation(staking, ALICE, V1) == 107


def test_invalid_delegate__unknown_validator() -> None:
    ledger, staking = _one_validator()
    run_delegate(ledger, staking, delegator=BOB, validator=V2, amount=5, valid=False)


def test_invalid_delegate__zero_amount() -> None:
    ledger, staking = _one_validator()
    run_delegate(ledger, staking, delegator=BOB, validator=V1, amount=0, valid=False)


def test_invalid_delegate__insufficient_funds() -> None:
    ledger, staking = _one_validator()
    run_delegate(ledger, staking, delegator=BOB, validator=V1, amount=1_001, valid=False)


def test_invalid_delegate__bonded_pool() -> None:
    ledger, staking = _one_validator()
    run_delegate(ledger, staking, delegator=BONDED_POOL, validator=V1, amount=1, valid=False)


def test_undelegate__partial() -> None:
    ledger, staking = _one_validator()
    ledger, staking = run_delegate(ledger, staking, delegator=BOB, validator=V1, amount=333)
    ledger, staking = run_undelegate(ledger, staking, delegator=BOB, validator=V1, amount=111)
    assert get_delegation(staking, BOB, V1) == 222


def test_undelegate__full_removes_bond() -> None:
    ledger, staking = _one_validator()
    ledger, staking = run_delegate(ledger, staking, delegator=BOB, validator=V1, amount=333)
    ledger, staking = run_undelegate(ledger, staking, delegator=BOB, validator=V1, amount=333)
    assert (BOB, V1) not in staking.delegations
    assert get_balance(ledger, BOB).ustr == 1_000


def test_undelegate__self_bond_to_zero_keeps_validator() -> None:
    """The whitepaper sets no minimum self-bond: the validator stays, with no stake and no power."""
    ledger, staking = _one_validator()
    ledger, staking = run_undelegate(ledger, staking, delegator=ALICE, validator=V1, amount=100)
    assert V1 in staking.validators
    assert get_validator_stake(staking, V1) == 0
    assert get_active_set(staking, WHITEPAPER_PARAMS) == ()


def test_invalid_undelegate__more_than_bonded() -> None:
    ledger, staking = _one_validator()
    run_undelegate(ledger, staking, delegator=ALICE, validator=V1, amount=101, valid=False)


def test_invalid_undelegate__no_bond() -> None:
    ledger, staking = _one_validator()
    run_undelegate(ledger, staking, delegator=BOB, validator=V1, amount=1, valid=False)


def test_invalid_undelegate__zero_amount() -> None:
    ledger, staking = _one_validator()
    run_undelegate(ledger, staking, delegator=ALICE, validator=V1, amount=0, valid=False)


_ACCOUNTS = (ALICE, BOB, CAROL)
_VALIDATORS = (V1, V2)
_actions = st.lists(
    st.tuples(
        st.booleans(),
        st.sampled_from(_ACCOUNTS),
        st.sampled_from(_VALIDATORS),
        st.integers(min_value=-3, max_value=600),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(_actions)
def test_bonding__random_actions_keep_pool_consistent(
    actions: list[tuple[bool, AccountId, ValidatorId, int]],
) -> None:
    """Accepted or refused, every step keeps CONS-STR and BONDED_POOL = sum of bonds."""
    ledger = genesis(alice=1_000, bob=1_000, carol=1_000)
    ledger, staking = ok(
        process_create_validator(ledger, StakingState(), validator=V1, operator=ALICE, self_bond=1)
    )
    ledger, staking = ok(
        process_create_validator(ledger, staking, validator=V2, operator=BOB, self_bond=1)
    )
    for is_bond, account, validator, amount in actions:
        rule = process_delegate if is_bond else process_undelegate
        outcome = rule(ledger, staking, delegator=account, validator=validator, amount=amount)
        if not isinstance(outcome, Rejected):
            ledger, staking = outcome
        check_consistent(ledger, staking)
    held = sum(get_balance(ledger, a).ustr for a in _ACCOUNTS)
    assert held + get_balance(ledger, BONDED_POOL).ustr == 3_000


def test_bonded_pool_consistent__detects_mismatch() -> None:
    ledger, staking = _one_validator()
    extra = ok(create_genesis({BONDED_POOL: 100, ALICE: 900, BOB: 1_000, CAROL: 1_000}))
    assert is_bonded_pool_consistent(ledger, staking)
    assert is_bonded_pool_consistent(extra, staking)
    assert not is_bonded_pool_consistent(genesis(alice=1_000), staking)
    negative = staking.delegations.set((BOB, V1), -1).set((ALICE, V1), 101)
    assert not is_bonded_pool_consistent(ledger, StakingState(staking.validators, negative))


# --- The active set and the order of arrival (VAL-SET-ORDER, §4.2) ----------------------------

TWO_SEATS = with_values(WHITEPAPER_PARAMS, {("consensus", "max_validators"): 2})


def _arrived(order: tuple[str, ...], stakes: dict[str, int]) -> StakingState:
    """Validators created in `order`, each self-bonding its stake."""
    return make_validators({name: stakes[name] for name in order})[1]


def test_create_validator__numbers_arrivals_in_order() -> None:
    staking = _arrived(("v2", "v0", "v1"), {"v0": 5, "v1": 5, "v2": 5})
    assert dict(staking.arrivals) == {"v2": 0, "v0": 1, "v1": 2}
    assert staking.next_arrival == 3


def test_create_validator__a_refused_creation_takes_no_arrival_number() -> None:
    ledger, staking = make_validators({"v0": 5})
    refused = process_create_validator(
        ledger, staking, validator=ValidatorId("v0"), operator=ALICE, self_bond=1
    )
    assert isinstance(refused, Rejected)
    assert staking.next_arrival == 1


def test_active_set__hardened_tie_at_the_cut_goes_to_the_smaller_id_in_any_order() -> None:
    stakes = {"v0": 2, "v1": 1, "v2": 1}
    for order in (("v0", "v2", "v1"), ("v1", "v2", "v0"), ("v2", "v1", "v0")):
        assert get_active_set(_arrived(order, stakes), TWO_SEATS) == ("v0", "v1")


def test_finding__literal_active_set_depends_on_the_order_of_arrival() -> None:
    """VAL-SET-ORDER under the literal §4.2: stakes v0 = 2, v1 = v2 = 1 for two seats. Arriving
    v0, v2, v1, the incumbent v2 keeps the seat v1 only ties; arriving v1, v2, v0, v1 keeps it.
    The same stakes seat different validators (the Z3 counterexample's two orders)."""
    stakes = {"v0": 2, "v1": 1, "v2": 1}
    first = _arrived(("v0", "v2", "v1"), stakes)
    second = _arrived(("v1", "v2", "v0"), stakes)
    assert get_active_set(first, TWO_SEATS, by_arrival=True) == ("v0", "v2")
    assert get_active_set(second, TWO_SEATS, by_arrival=True) == ("v0", "v1")
    # The hardened rank seats the same validators for both.
    assert get_active_set(first, TWO_SEATS) == get_active_set(second, TWO_SEATS) == ("v0", "v1")


def test_active_set__literal_a_greater_stake_displaces_the_incumbent() -> None:
    """§4.2: a newcomer with a stake greater than the smallest of a full set enters it."""
    staking = _arrived(("v0", "v1", "v2"), {"v0": 3, "v1": 1, "v2": 2})
    assert get_active_set(staking, TWO_SEATS, by_arrival=True) == ("v0", "v2")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=3, max_size=3), st.permutations(["v0", "v1", "v2"]))
def test_active_set__both_readings_seat_the_most_stake(values: list[int], order: list[str]) -> None:
    """Whatever the tie rule, the seated validators hold at least the stake of any left out."""
    stakes = dict(zip(("v0", "v1", "v2"), values, strict=True))
    staking = _arrived(tuple(order), stakes)
    for by_arrival in (False, True):
        seated = get_active_set(staking, TWO_SEATS, by_arrival=by_arrival)
        assert len(seated) == 2
        left = set(stakes) - set(seated)
        assert all(stakes[s] >= stakes[v] for s in seated for v in left)
