"""The validator stake lifecycle: unbonding, late double-sign evidence, rewards, downtime, the
jail and the tombstone, and §6.8's time-out of validators that do not vote on a core change."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from staking_fixtures import ALICE, V1, V2, make_validators, ok, operator_of

from model.chain.actions import (
    AdvanceTime,
    CastVote,
    CommitBlock,
    DistributeRewards,
    Equivocate,
    ReportDoubleSign,
    ReportDowntime,
    SubmitProposal,
    Tally,
    Unjail,
)
from model.chain.state import ChainState, Genesis, create_chain, get_validator
from model.chain.transitions import process_action
from model.governance import ParamChange, VoteOption
from model.ledger import (
    REWARDS_POOL,
    UNBONDING_POOL,
    Ledger,
    Token,
    get_balance,
    process_transfer,
)
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from model.rewards import get_reward_eligible, process_distribute_rewards
from model.slashing import SlashingState
from model.staking import (
    UNBONDING_SECONDS,
    StakingState,
    get_active_set,
    process_block_commit,
    process_complete_unbonding,
    process_delegate,
    process_undelegate,
)
from model.standing import (
    DOWNTIME_JAIL_SECONDS,
    SIGNED_BLOCKS_WINDOW,
    is_down,
    process_downtime_evidence,
    process_late_double_sign_evidence,
    process_record_infraction,
    process_record_signatures,
    process_unjail,
)
from model.units import MICRO, AccountId, Rejected

P = WHITEPAPER_PARAMS
STR = Token.STR


def _str(ledger: Ledger, account: str) -> int:
    return get_balance(ledger, AccountId(account)).ustr


def _with_delegation() -> tuple[Ledger, StakingState]:
    """val-1 self-bonded 1,000 by its operator, alice delegating 400 to it; alice keeps 600."""
    ledger, staking = make_validators({"val-1": 1_000})
    ledger = ok(
        process_transfer(
            ledger, sender=operator_of("val-1"), recipient=ALICE, token=STR, amount=1_000
        )
    )
    return ok(process_delegate(ledger, staking, delegator=ALICE, validator=V1, amount=400))


# --- Unbonding -----------------------------------------------------------------------------------


def test_undelegate__literal_text_returns_the_stake_at_once() -> None:
    ledger, staking = _with_delegation()
    after, staking = ok(
        process_undelegate(ledger, staking, delegator=ALICE, validator=V1, amount=100, now=5)
    )
    assert _str(after, ALICE) == _str(ledger, ALICE) + 100
    assert not staking.unbonding


def test_undelegate__unbonding_holds_the_stake_for_21_days() -> None:
    ledger, staking = _with_delegation()
    after, staking = ok(
        process_undelegate(
            ledger, staking, delegator=ALICE, validator=V1, amount=100, now=5, unbonding=True
        )
    )
    assert _str(after, ALICE) == _str(ledger, ALICE)
    assert _str(after, UNBONDING_POOL) == 100
    (entry,) = staking.unbonding.values()
    assert (entry.amount, entry.start, entry.completion) == (100, 5, 5 + 1_814_400)
    assert UNBONDING_SECONDS == 21 * 86_400
    assert staking.next_entry == 1


def test_complete_unbonding__pays_only_matured_entries() -> None:
    ledger, staking = _with_delegation()
    for now in (0, 10):
        ledger, staking = ok(
            process_undelegate(
                ledger, staking, delegator=ALICE, validator=V1, amount=50, now=now, unbonding=True
            )
        )
    before = _str(ledger, ALICE)
    early, kept = ok(process_complete_unbonding(ledger, staking, now=UNBONDING_SECONDS - 1))
    assert _str(early, ALICE) == before and len(kept.unbonding) == 2
    paid, left = ok(process_complete_unbonding(ledger, staking, now=UNBONDING_SECONDS))
    assert _str(paid, ALICE) == before + 50
    assert _str(paid, UNBONDING_POOL) == 50
    assert [e.start for e in left.unbonding.values()] == [10]


# --- Late double-sign evidence -------------------------------------------------------------------


def test_late_evidence__slashes_unbonding_that_started_after_the_infraction_only() -> None:
    ledger, staking = _with_delegation()
    ledger, staking = ok(
        process_undelegate(
            ledger, staking, delegator=ALICE, validator=V1, amount=200, now=0, unbonding=True
        )
    )
    staking = process_record_infraction(staking, validator=V1, height=3, now=7)
    ledger, staking = ok(
        process_undelegate(
            ledger, staking, delegator=ALICE, validator=V1, amount=200, now=8, unbonding=True
        )
    )
    ledger, staking, _, outcome, burned = ok(
        process_late_double_sign_evidence(
            ledger,
            staking,
            SlashingState(),
            validator=V1,
            height=3,
            now=9,
            params=P,
            profile=HARDENED,
        )
    )
    assert outcome.rate_bps == 500
    # 5% of the 200 unbonding since the infraction; the 200 unbonding before it is spared.
    assert burned == 10
    assert sorted(e.amount for e in staking.unbonding.values()) == [190, 200]
    assert _str(ledger, UNBONDING_POOL) == 390
    assert V1 in staking.tombstoned and V1 not in get_active_set(staking, P)
    assert (V1, 3, 0) in staking.processed_evidence and not staking.infractions


def test_late_evidence__invalid_without_a_recorded_infraction() -> None:
    ledger, staking = _with_delegation()
    refused = process_late_double_sign_evidence(
        ledger, staking, SlashingState(), validator=V1, height=3, now=9, params=P, profile=HARDENED
    )
    assert isinstance(refused, Rejected)


# --- Rewards -------------------------------------------------------------------------------------


def _rewarded(profile: Profile, pool: int) -> tuple[Ledger, StakingState]:
    ledger, staking = make_validators({"val-1": 300, "val-2": 100})
    ledger = ok(
        process_transfer(ledger, sender=operator_of("val-1"), recipient=ALICE, token=STR, amount=10)
    )
    ledger, staking = ok(process_delegate(ledger, staking, delegator=ALICE, validator=V2, amount=7))
    ledger = ok(
        process_transfer(
            ledger, sender=operator_of("val-1"), recipient=REWARDS_POOL, token=STR, amount=pool
        )
    )
    return ok(process_distribute_rewards(ledger, staking, P, profile))[0], staking


def test_rewards__pro_rata_to_every_bond_of_the_active_set_with_dust_in_the_pool() -> None:
    before_op1 = 10**36 - 10 - 1_000 - 300
    ledger, _ = _rewarded(HARDENED, 1_000)
    # Bonds 300 (op-val-1), 100 (op-val-2), 7 (alice): 407 in all.
    assert _str(ledger, "op-val-1") == before_op1 + 1_000 * 300 // 407
    assert _str(ledger, "op-val-2") == 10**36 - 100 + 1_000 * 100 // 407
    assert _str(ledger, ALICE) == 3 + 1_000 * 7 // 407
    dust = 1_000 - (737 + 245 + 17)
    assert _str(ledger, REWARDS_POOL) == dust < 3


def test_rewards__literal_text_skips_the_smallest_validator_of_the_set() -> None:
    ledger, staking = _rewarded(WHITEPAPER, 1_000)
    assert get_reward_eligible(staking, P, WHITEPAPER) == (V1,)
    assert _str(ledger, "op-val-1") == 10**36 - 10 - 1_000 - 300 + 1_000
    assert _str(ledger, ALICE) == 3


def test_rewards__literal_text_pays_nobody_when_every_stake_is_equal() -> None:
    _, staking = make_validators({"val-1": 100, "val-2": 100})
    assert get_reward_eligible(staking, P, WHITEPAPER) == ()
    assert get_reward_eligible(staking, P, HARDENED) == (V1, V2)


def test_rewards__nothing_to_a_jailed_validator() -> None:
    _, staking = make_validators({"val-1": 300, "val-2": 100})
    jailed = attrs.evolve(staking, jailed=staking.jailed.set(V2, 600))
    assert get_reward_eligible(jailed, P, HARDENED) == (V1,)


# --- Downtime and the jail -----------------------------------------------------------------------


def test_record_signatures__keeps_the_last_window_of_the_active_set() -> None:
    _, staking = make_validators({"val-1": 300, "val-2": 100})
    for _ in range(SIGNED_BLOCKS_WINDOW + 5):
        staking = process_record_signatures(staking, P, {V1})
    assert len(staking.missed[V2]) == SIGNED_BLOCKS_WINDOW
    assert sum(staking.missed[V2]) == SIGNED_BLOCKS_WINDOW and not any(staking.missed[V1])


def test_is_down__more_than_half_of_the_window_missed() -> None:
    _, staking = make_validators({"val-1": 300, "val-2": 100})
    for missed in range(51):
        assert not is_down(staking, V2), missed
        staking = process_record_signatures(staking, P, {V1})
    assert is_down(staking, V2)


def test_downtime__slashes_on_the_schedule_and_jails_for_ten_minutes() -> None:
    ledger, staking = make_validators({"val-1": 300, "val-2": 100})
    for _ in range(51):
        staking = process_record_signatures(staking, P, {V1})
    ledger, staking, _, outcome = ok(
        process_downtime_evidence(
            ledger, staking, SlashingState(), validator=V2, now=100, params=P, profile=HARDENED
        )
    )
    assert outcome.rate_bps == 500 and outcome.total_burned == 5
    assert staking.jailed[V2] == 100 + DOWNTIME_JAIL_SECONDS == 700
    assert V2 not in get_active_set(staking, P) and V2 not in staking.missed
    assert isinstance(process_unjail(staking, validator=V2, now=699), Rejected)
    assert V2 in get_active_set(ok(process_unjail(staking, validator=V2, now=700)), P)


def test_downtime__invalid_at_half_the_window() -> None:
    ledger, staking = make_validators({"val-1": 300, "val-2": 100})
    for _ in range(50):
        staking = process_record_signatures(staking, P, {V1})
    refused = process_downtime_evidence(
        ledger, staking, SlashingState(), validator=V2, now=100, params=P, profile=HARDENED
    )
    assert isinstance(refused, Rejected)


def test_unjail__never_for_a_tombstoned_validator() -> None:
    _, staking = make_validators({"val-1": 300})
    staking = attrs.evolve(staking, jailed=staking.jailed.set(V1, 0), tombstoned=frozenset({V1}))
    assert isinstance(process_unjail(staking, validator=V1, now=10**9), Rejected)


def test_unjail__invalid_when_not_jailed() -> None:
    _, staking = make_validators({"val-1": 300})
    assert isinstance(process_unjail(staking, validator=V1, now=0), Rejected)


# --- The chain: double signs, downtime, §6.8's time-out ------------------------------------------

V = tuple(get_validator(i) for i in range(4))
GENESIS = Genesis(
    user_ustr=(600_000 * MICRO, 400_000 * MICRO, 1_000 * MICRO),
    user_ustb=(0, 0, 0),
    validator_bonds=(1_000 * MICRO,) * 4,
    node_stakes=(),
)


def _chain(profile: Profile = HARDENED) -> ChainState:
    return ok(create_chain(GENESIS, params=P, profile=profile))


def _apply(state: ChainState, *actions: object) -> ChainState:
    for action in actions:
        state = ok(process_action(state, action))[0]  # type: ignore[arg-type]
    return state


def test_equivocate__tombstones_the_double_signer() -> None:
    state = _apply(_chain(), Equivocate(frozenset({V[0]}), frozenset(V[1:]), frozenset()))
    assert V[0] in state.staking.tombstoned
    assert V[0] not in get_active_set(state.staking, P)
    assert isinstance(process_action(state, Unjail(V[0])), Rejected)


def test_equivocate_unreported__records_the_infraction_and_slashes_nothing() -> None:
    chain = _chain()
    state = _apply(chain, Equivocate(frozenset({V[0]}), frozenset(V[1:]), frozenset(), False))
    assert state.staking.delegations == chain.staking.delegations
    assert set(state.staking.infractions) == {(V[0], 1, 0)}
    state = _apply(state, ReportDoubleSign(V[0], 1))
    assert V[0] in state.staking.tombstoned and not state.staking.infractions
    assert isinstance(process_action(state, ReportDoubleSign(V[0], 1)), Rejected)


def test_equivocate__an_unknown_double_signer_is_refused_before_any_commit_is_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first double signer is slashed and the second is unknown: the evidence's refusal,
    as the slashes after the commits give it, with neither commit counted to reach it."""
    counted: list[object] = []

    def counting(*args: Any) -> Any:
        counted.append(args)
        return process_block_commit(*args)

    monkeypatch.setattr("model.chain.security.process_block_commit", counting)
    unknown = get_validator(99)
    chain = _chain()
    action = Equivocate(frozenset({V[0], unknown}), frozenset(V[1:]), frozenset())
    refused = process_action(chain, action)
    assert refused == Rejected("process_double_sign_evidence", f"unknown validator {unknown}")
    assert counted == []
    # Unreported, the double signs are only recorded: both commits are counted first.
    refused = process_action(chain, attrs.evolve(action, reported=False))
    assert refused == Rejected("process_equivocate", f"unknown validator {unknown}")
    assert len(counted) == 2


def test_commit_block__records_who_missed_it() -> None:
    state = _apply(_chain(), *(CommitBlock(frozenset(V[1:])) for _ in range(51)))
    assert sum(state.staking.missed[V[0]]) == 51
    state = _apply(state, ReportDowntime(V[0]))
    assert state.staking.jailed[V[0]] == DOWNTIME_JAIL_SECONDS
    assert V[0] not in get_active_set(state.staking, P)
    state = _apply(state, AdvanceTime(DOWNTIME_JAIL_SECONDS), Unjail(V[0]))
    assert V[0] in get_active_set(state.staking, P)


def _core_tally(votes: tuple[AccountId, ...]) -> ChainState:
    change = (ParamChange("payment", "stb_node_profit_bps", 500),)
    voters = (AccountId("user-0"), AccountId("user-1"), *votes)
    state = _apply(
        _chain(WHITEPAPER),
        SubmitProposal(AccountId("user-0"), change, 0),
        *(CastVote(1, voter, VoteOption.YES) for voter in voters),
        AdvanceTime(P.governance.voting_period_seconds),
        Tally(1),
    )
    return state


def test_tally__times_out_validators_that_did_not_vote_on_a_core_change() -> None:
    state = _core_tally((AccountId("op-v0"),))
    assert set(state.staking.jailed) == set(V[1:])
    assert all(
        until == state.now + DOWNTIME_JAIL_SECONDS for until in state.staking.jailed.values()
    )


def test_tally__a_core_vote_no_validator_cast_halts_blocks_for_the_time_out() -> None:
    """Observed (docs/findings.md): the time-out jails every active validator that did not
    vote, so a core change voted by holders alone leaves no power to commit a block until the
    validators unjail."""
    state = _core_tally(())
    assert not get_active_set(state.staking, P)
    assert isinstance(process_action(state, CommitBlock(frozenset(V))), Rejected)
    state = _apply(state, AdvanceTime(DOWNTIME_JAIL_SECONDS), *(Unjail(v) for v in V))
    assert not isinstance(process_action(state, CommitBlock(frozenset(V))), Rejected)


def test_tally__spares_validators_when_the_change_is_not_core() -> None:
    change = (ParamChange("reputation", "outbound_requests_per_minute", 5),)
    state = _apply(
        _chain(WHITEPAPER),
        SubmitProposal(AccountId("user-0"), change, 0),
        CastVote(1, AccountId("user-0"), VoteOption.YES),
        AdvanceTime(P.governance.voting_period_seconds),
        Tally(1),
    )
    assert not state.staking.jailed


def test_distribute_rewards__the_chain_pays_the_pool_out() -> None:
    chain = _chain()
    ledger = ok(
        process_transfer(
            chain.ledger, sender=AccountId("user-0"), recipient=REWARDS_POOL, token=STR, amount=4
        )
    )
    state = _apply(attrs.evolve(chain, ledger=ledger), DistributeRewards())
    assert _str(state.ledger, REWARDS_POOL) == 0
    assert all(_str(state.ledger, f"op-v{i}") == 1 for i in range(4))
