"""Tests of model.staking for blocks: the active set, voting power, block commits, double signing and BFT-ACCOUNTABLE (§4.2, §6.10)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import (
    get_equivocators,
    get_power_share,
    get_voting_power,
    is_accountable,
    is_quorum_intersection_bounded,
)
from staking_fixtures import (
    ids,
    make_validators,
    ok,
    operator_of,
    run_create_validator,
    run_delegate,
)

from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.staking import (
    BlockCommit,
    DoubleSignEvidence,
    StakingState,
    Vote,
    get_active_set,
    get_power_of,
    get_total_voting_power,
    is_block_committed,
    is_valid_double_sign_evidence,
    process_block_commit,
)
from model.units import Rejected, ValidatorId

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
