"""Tests of model.staking: bonds, the active set, block commits and BFT-ACCOUNTABLE (§4.2, §6.10)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from model.ledger import (
    BONDED_POOL,
    Ledger,
    create_genesis,
    get_balance,
    has_no_negative_balance,
    is_str_conserved,
)
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.staking import (
    BlockCommit,
    DoubleSignEvidence,
    StakingState,
    Vote,
    get_active_set,
    get_delegation,
    get_delegators,
    get_equivocators,
    get_power_of,
    get_power_share,
    get_total_voting_power,
    get_validator_stake,
    get_voting_power,
    is_accountable,
    is_block_committed,
    is_bonded_pool_consistent,
    is_quorum_intersection_bounded,
    is_valid_double_sign_evidence,
    process_block_commit,
    process_create_validator,
    process_delegate,
    process_undelegate,
)
from model.units import AccountId, Outcome, Rejected, ValidatorId

T = TypeVar("T")

ALICE = AccountId("alice")
BOB = AccountId("bob")
CAROL = AccountId("carol")
V1 = ValidatorId("val-1")
V2 = ValidatorId("val-2")
RICH = 10**36


def ok(outcome: Outcome[T]) -> T:
    """The value of an outcome the test expects to be accepted."""
    assert not isinstance(outcome, Rejected), outcome
    return outcome


def genesis(**holdings: int) -> Ledger:
    return ok(create_genesis({AccountId(name): amount for name, amount in holdings.items()}))


def operator_of(validator: str) -> AccountId:
    return AccountId(f"op-{validator}")


def make_validators(stakes: Mapping[str, int]) -> tuple[Ledger, StakingState]:
    """Each validator self-bonded with `stakes[id]` by its own operator; 0 means bonded then left."""
    ledger = ok(create_genesis({operator_of(v): RICH for v in stakes}))
    staking = StakingState()
    for name, stake in stakes.items():
        validator, operator = ValidatorId(name), operator_of(name)
        ledger, staking = ok(
            process_create_validator(
                ledger, staking, validator=validator, operator=operator, self_bond=max(stake, 1)
            )
        )
        if stake == 0:
            ledger, staking = ok(
                process_undelegate(
                    ledger, staking, delegator=operator, validator=validator, amount=1
                )
            )
    return ledger, staking


def check_consistent(ledger: Ledger, staking: StakingState) -> None:
    assert is_str_conserved(ledger)
    assert has_no_negative_balance(ledger)
    assert is_bonded_pool_consistent(ledger, staking)
    assert all(amount > 0 for amount in staking.delegations.values())


def ids(*names: str) -> frozenset[ValidatorId]:
    return frozenset(ValidatorId(name) for name in names)


# --- process_create_validator --------------------------------------------------------------------


def run_create_validator(
    ledger: Ledger,
    staking: StakingState,
    *,
    validator: ValidatorId,
    operator: AccountId,
    self_bond: int,
    valid: bool = True,
) -> tuple[Ledger, StakingState]:
    outcome = process_create_validator(
        ledger, staking, validator=validator, operator=operator, self_bond=self_bond
    )
    if not valid:
        assert isinstance(outcome, Rejected)
        assert outcome.rule == "process_create_validator"
        return ledger, staking
    new_ledger, new_staking = ok(outcome)
    assert new_staking.validators[validator].operator == operator
    assert get_delegation(new_staking, operator, validator) == self_bond
    assert get_balance(new_ledger, operator).ustr == get_balance(ledger, operator).ustr - self_bond
    check_consistent(new_ledger, new_staking)
    return new_ledger, new_staking


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


def run_delegate(
    ledger: Ledger,
    staking: StakingState,
    *,
    delegator: AccountId,
    validator: ValidatorId,
    amount: int,
    valid: bool = True,
) -> tuple[Ledger, StakingState]:
    outcome = process_delegate(
        ledger, staking, delegator=delegator, validator=validator, amount=amount
    )
    if not valid:
        assert isinstance(outcome, Rejected)
        assert outcome.rule == "process_delegate"
        return ledger, staking
    new_ledger, new_staking = ok(outcome)
    before = get_delegation(staking, delegator, validator)
    assert get_delegation(new_staking, delegator, validator) == before + amount
    assert get_validator_stake(new_staking, validator) == (
        get_validator_stake(staking, validator) + amount
    )
    assert get_balance(new_ledger, delegator).ustr == get_balance(ledger, delegator).ustr - amount
    check_consistent(new_ledger, new_staking)
    return new_ledger, new_staking


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


# --- Active set and voting power -----------------------------------------------------------------


def test_active_set__ordered_by_stake() -> None:
    _, staking = make_validators({"a": 5, "b": 50, "c": 20})
    assert get_active_set(staking, WHITEPAPER_PARAMS) == ids_tuple("b", "c", "a")


def ids_tuple(*names: str) -> tuple[ValidatorId, ...]:
    return tuple(ValidatorId(name) for name in names)


def test_active_set__tie_broken_by_id() -> None:
    _, staking = make_validators({"d": 7, "b": 7, "c": 9, "a": 7})
    assert get_active_set(staking, WHITEPAPER_PARAMS) == ids_tuple("c", "a", "b", "d")


def test_active_set__capped_at_max_validators() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("consensus", "max_validators"): 2})
    _, staking = make_validators({"a": 5, "b": 50, "c": 20, "d": 20})
    assert get_active_set(staking, params) == ids_tuple("b", "c")
    assert get_voting_power(staking, params, ValidatorId("d")) == 0
    assert get_voting_power(staking, params, ValidatorId("c")) == 20
    assert get_total_voting_power(staking, params) == 70


def test_active_set__zero_stake_excluded() -> None:
    _, staking = make_validators({"a": 0, "b": 3})
    assert ValidatorId("a") in staking.validators
    assert get_active_set(staking, WHITEPAPER_PARAMS) == ids_tuple("b")
    assert get_voting_power(staking, WHITEPAPER_PARAMS, ValidatorId("a")) == 0


def test_active_set__empty() -> None:
    assert get_active_set(StakingState(), WHITEPAPER_PARAMS) == ()
    assert get_total_voting_power(StakingState(), WHITEPAPER_PARAMS) == 0


def test_voting_power__counts_delegations() -> None:
    ledger, staking = make_validators({"a": 10, "b": 10})
    ledger, staking = run_create_validator(
        ledger, staking, validator=ValidatorId("c"), operator=operator_of("a"), self_bond=1
    )
    ledger, staking = run_delegate(
        ledger, staking, delegator=operator_of("b"), validator=ValidatorId("a"), amount=5
    )
    assert get_voting_power(staking, WHITEPAPER_PARAMS, ValidatorId("a")) == 15
    assert get_voting_power(staking, WHITEPAPER_PARAMS, ValidatorId("c")) == 1
    assert get_total_voting_power(staking, WHITEPAPER_PARAMS) == 26
    assert get_power_share(staking, WHITEPAPER_PARAMS, ids("a", "c")) == Fraction(16, 26)


def test_power_of__ignores_unknown_and_duplicates() -> None:
    _, staking = make_validators({"a": 10, "b": 30})
    names = [ValidatorId("a"), ValidatorId("a"), ValidatorId("zz")]
    assert get_power_of(staking, WHITEPAPER_PARAMS, names) == 10
    assert get_power_share(StakingState(), WHITEPAPER_PARAMS, names) == 0


# --- Block commits -------------------------------------------------------------------------------


def commit(*signers: str, block_hash: str = "h1", height: int = 7, round_: int = 0) -> BlockCommit:
    return BlockCommit(height, round_, block_hash, ids(*signers))


def test_commit__three_equal_two_signers_is_not_above_two_thirds() -> None:
    _, staking = make_validators({"a": 10, "b": 10, "c": 10})
    assert not is_block_committed(staking, WHITEPAPER_PARAMS, ids("a", "b"))
    assert is_block_committed(staking, WHITEPAPER_PARAMS, ids("a", "b", "c"))
    refused = process_block_commit(staking, WHITEPAPER_PARAMS, commit("a", "b"))
    assert isinstance(refused, Rejected)
    assert refused.rule == "process_block_commit"


def test_commit__four_equal_three_signers_passes() -> None:
    _, staking = make_validators({"a": 10, "b": 10, "c": 10, "d": 10})
    assert is_block_committed(staking, WHITEPAPER_PARAMS, ids("a", "b", "c"))
    accepted = commit("a", "b", "c")
    assert process_block_commit(staking, WHITEPAPER_PARAMS, accepted) == accepted


def test_commit__one_micro_unit_above_two_thirds() -> None:
    """Signers at exactly 2/3 of the power fail; one more micro-unit passes."""
    _, exact = make_validators({"a": 2 * 10**30, "b": 10**30})
    assert not is_block_committed(exact, WHITEPAPER_PARAMS, ids("a"))
    _, above = make_validators({"a": 2 * 10**30 + 1, "b": 10**30})
    assert is_block_committed(above, WHITEPAPER_PARAMS, ids("a"))


def test_commit__signers_outside_active_set_count_zero() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("consensus", "max_validators"): 3})
    _, staking = make_validators({"a": 10, "b": 10, "c": 10, "d": 9})
    assert not is_block_committed(staking, params, ids("a", "b", "d"))
    assert is_block_committed(staking, WHITEPAPER_PARAMS, ids("a", "b", "d"))


def test_commit__no_power_never_commits() -> None:
    assert not is_block_committed(StakingState(), WHITEPAPER_PARAMS, ids("a"))
    _, staking = make_validators({"a": 0})
    assert not is_block_committed(staking, WHITEPAPER_PARAMS, ids("a"))


def test_invalid_block_commit__no_signers() -> None:
    _, staking = make_validators({"a": 10})
    assert isinstance(process_block_commit(staking, WHITEPAPER_PARAMS, commit()), Rejected)


# --- Double signing and BFT-ACCOUNTABLE ----------------------------------------------------------


def vote(validator: str, block_hash: str, *, height: int = 7, round_: int = 0) -> Vote:
    return Vote(height, round_, block_hash, ValidatorId(validator))


def test_double_sign_evidence__valid() -> None:
    assert is_valid_double_sign_evidence(DoubleSignEvidence(vote("a", "h1"), vote("a", "h2")))


def test_double_sign_evidence__invalid_cases() -> None:
    cases = [
        (vote("a", "h1"), vote("a", "h1")),
        (vote("a", "h1", height=7), vote("a", "h2", height=8)),
        (vote("a", "h1", round_=0), vote("a", "h2", round_=1)),
        (vote("a", "h1"), vote("b", "h2")),
        (vote("a", "h1", height=-1), vote("a", "h2", height=-1)),
    ]
    for vote_a, vote_b in cases:
        assert not is_valid_double_sign_evidence(DoubleSignEvidence(vote_a, vote_b))


def test_equivocators__signers_of_both() -> None:
    a = commit("v1", "v2", "v3", block_hash="h1")
    b = commit("v3", "v4", "v2", block_hash="h2")
    assert get_equivocators(a, b) == ids("v2", "v3")


def test_equivocators__no_conflict_none() -> None:
    a = commit("v1", "v2", block_hash="h1")
    assert get_equivocators(a, commit("v1", "v2", block_hash="h1")) == frozenset()
    assert get_equivocators(a, commit("v1", "v2", block_hash="h2", height=8)) == frozenset()
    assert get_equivocators(a, commit("v1", "v2", block_hash="h2", round_=1)) == frozenset()


def test_accountable__four_equal_validators() -> None:
    _, staking = make_validators({"a": 1, "b": 1, "c": 1, "d": 1})
    a = commit("a", "b", "c", block_hash="h1")
    b = commit("b", "c", "d", block_hash="h2")
    assert get_equivocators(a, b) == ids("b", "c")
    assert is_accountable(staking, WHITEPAPER_PARAMS, a, b)
    assert get_power_share(staking, WHITEPAPER_PARAMS, get_equivocators(a, b)) == Fraction(1, 2)


def test_accountable__vacuous_when_a_commit_lacks_power() -> None:
    _, staking = make_validators({"a": 1, "b": 1, "c": 1})
    a = commit("a", "b", block_hash="h1")
    b = commit("c", block_hash="h2")
    assert not is_block_committed(staking, WHITEPAPER_PARAMS, a.signers)
    assert is_accountable(staking, WHITEPAPER_PARAMS, a, b)


def test_accountable__fails_at_threshold_one_half() -> None:
    """At num/den = 1/2 two commits can share 1/5 of the power: BFT-ACCOUNTABLE breaks."""
    params = with_values(
        WHITEPAPER_PARAMS, {("consensus", "threshold_num"): 1, ("consensus", "threshold_den"): 2}
    )
    _, staking = make_validators({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1})
    a = commit("a", "b", "c", block_hash="h1")
    b = commit("c", "d", "e", block_hash="h2")
    assert ok(process_block_commit(staking, params, a)) == a
    assert ok(process_block_commit(staking, params, b)) == b
    assert get_equivocators(a, b) == ids("c")
    assert get_power_share(staking, params, get_equivocators(a, b)) == Fraction(1, 5)
    assert not is_accountable(staking, params, a, b)
    # The general bound promises only I * 2 > 0 at 1/2, which still holds.
    assert is_quorum_intersection_bounded(staking, params, a, b)
    # At the default 2/3 neither commit passes, so there is nothing to account for.
    assert not is_block_committed(staking, WHITEPAPER_PARAMS, a.signers)


def _quorum(
    staking: StakingState, params: Params, order: list[ValidatorId], extra: frozenset[ValidatorId]
) -> frozenset[ValidatorId]:
    """The shortest prefix of `order` that commits, plus `extra` signers."""
    signers: set[ValidatorId] = set()
    for validator in order:
        if is_block_committed(staking, params, signers):
            break
        signers.add(validator)
    return frozenset(signers) | extra


@st.composite
def conflicting_commits(
    draw: st.DrawFn, params: Params
) -> tuple[StakingState, BlockCommit, BlockCommit]:
    stakes = draw(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=9))
    _, staking = make_validators({f"v{i}": stake for i, stake in enumerate(stakes)})
    names = sorted(staking.validators)
    order_a = draw(st.permutations(names))
    order_b = draw(st.permutations(names))
    extra_a = frozenset(draw(st.lists(st.sampled_from(names))))
    extra_b = frozenset(draw(st.lists(st.sampled_from(names))))
    a = BlockCommit(3, 1, "h1", _quorum(staking, params, order_a, extra_a))
    b = BlockCommit(3, 1, "h2", _quorum(staking, params, order_b, extra_b))
    return staking, a, b


@settings(max_examples=200, deadline=None)
@given(conflicting_commits(WHITEPAPER_PARAMS))
def test_accountable__holds_at_two_thirds(
    case: tuple[StakingState, BlockCommit, BlockCommit],
) -> None:
    """BFT-ACCOUNTABLE: conflicting commits at 2/3 leave equivocators with >= 1/3 of power."""
    staking, a, b = case
    if is_block_committed(staking, WHITEPAPER_PARAMS, a.signers):
        assert is_block_committed(staking, WHITEPAPER_PARAMS, b.signers)
        share = get_power_share(staking, WHITEPAPER_PARAMS, get_equivocators(a, b))
        assert share > Fraction(1, 3)
    assert is_accountable(staking, WHITEPAPER_PARAMS, a, b)
    assert is_quorum_intersection_bounded(staking, WHITEPAPER_PARAMS, a, b)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=1, max_value=20).flatmap(
        lambda den: (
            st.tuples(st.integers(min_value=1, max_value=den - 1), st.just(den))
            if den > 1
            else st.tuples(st.just(1), st.just(2))
        )
    ),
    st.data(),
)
def test_quorum_intersection_bound__any_threshold(
    threshold: tuple[int, int], data: st.DataObject
) -> None:
    """The generalised bound I*den > (2num - den)*T holds for every threshold below one."""
    num, den = threshold
    params = with_values(
        WHITEPAPER_PARAMS,
        {("consensus", "threshold_num"): num, ("consensus", "threshold_den"): den},
    )
    staking, a, b = data.draw(conflicting_commits(params))
    assert is_quorum_intersection_bounded(staking, params, a, b)
