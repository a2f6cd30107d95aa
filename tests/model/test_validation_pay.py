"""§4.4 validation payments on the chain: the subscribers are the round's committee, the draw on
oversubscription is the round's beacon (hardened) or the public round id (literal), each paid
validator gets prefund // count and the remainder stays in the escrow."""

from __future__ import annotations

from fractions import Fraction

from model.chain.actions import (
    OutboundEffect,
    OutboundRequest,
    RoundEffect,
    RunRound,
    SetAppValidatorCount,
    WithdrawPrepayment,
)
from model.chain.economy import get_committee_accounts
from model.chain.state import (
    APPS,
    ChainState,
    Genesis,
    create_chain,
    get_developer,
    get_node,
    get_validator_operator,
)
from model.chain.transitions import process_action
from model.escrow import compute_validator_ranking
from model.ledger import Token, get_balance, get_escrow_account
from model.params import WHITEPAPER_PARAMS, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.behaviour import NodePlan
from model.units import MICRO, AccountId, Rejected

APP = APPS[0]
FLOOR = 1_000
PARAMS = with_values(WHITEPAPER_PARAMS, {("payment", "validation_floor_ustr"): FLOOR})
GENESIS = Genesis(
    user_ustr=(1_000 * MICRO,) * 3,
    user_ustb=(1_000 * MICRO,) * 3,
    validator_bonds=(1_000 * MICRO,) * 4,
    node_stakes=(1_000 * MICRO,) * 3,
    developer_ustr=1_000 * MICRO,
    developer_ustb=1_000 * MICRO,
    prepay_ustr=100 * MICRO,
    prepay_ustb=100 * MICRO,
    price=Fraction(1),
)
PLANS = tuple(NodePlan(get_node(i)) for i in range(3))


def _chain(profile: Profile, committee: int) -> ChainState:
    state = create_chain(GENESIS, params=PARAMS, profile=profile)
    assert not isinstance(state, Rejected), state
    step = process_action(state, SetAppValidatorCount(APP, get_developer(APP), committee))
    assert not isinstance(step, Rejected), step
    return step[0]


def run_validated_round(
    state: ChainState, prefund: int
) -> tuple[ChainState, RoundEffect, dict[AccountId, int]]:
    """One honest round of no cost with `prefund`; the state, its round and each validator's
    STR gain."""
    step = process_action(state, RunRound(APP, PLANS, 0, True, prefund))
    assert not isinstance(step, Rejected), step
    after, effects = step
    rounds = [e for e in effects if isinstance(e, RoundEffect)]
    assert len(rounds) == 1 and rounds[0].outcome is not None
    gains = {
        operator: get_balance(after.ledger, operator).ustr
        - get_balance(state.ledger, operator).ustr
        for operator in (get_validator_operator(v) for v in state.staking.validators)
    }
    return after, rounds[0], gains


def _escrow_ustr(state: ChainState) -> int:
    return get_balance(state.ledger, get_escrow_account(APP)).of(Token.STR)


def test_subscribers_are_the_committee__all_paid_at_the_floor() -> None:
    state = _chain(HARDENED, 2)
    after, effect, gains = run_validated_round(state, 2 * FLOOR + 1)
    assert effect.run.validation is not None
    committee = get_committee_accounts(effect.run.validation)
    assert len(committee) == 2
    assert {a for a, gain in gains.items() if gain} == set(committee)
    assert all(gains[a] == FLOOR for a in committee)
    # The remainder of the equal division stays in the escrow.
    assert _escrow_ustr(state) - _escrow_ustr(after) == 2 * FLOOR


def test_one_ustr_short__hardened_pays_the_first_of_the_beacon_draw() -> None:
    state = _chain(HARDENED, 3)
    for _ in range(3):
        after, effect, gains = run_validated_round(state, 3 * FLOOR - 1)
        validation = effect.run.validation
        assert validation is not None
        committee = get_committee_accounts(validation)
        drawn = compute_validator_ranking(committee, validation.committee.seed)[:2]
        assert {a for a, gain in gains.items() if gain} == set(drawn)
        assert all(gains[a] == (3 * FLOOR - 1) // 2 for a in drawn)
        assert _escrow_ustr(state) - _escrow_ustr(after) == 2 * ((3 * FLOOR - 1) // 2)
        state = after


def test_one_ustr_short__whitepaper_draws_by_the_public_round_id() -> None:
    state = _chain(WHITEPAPER, 3)
    for _ in range(3):
        round_id = state.next_round_id
        after, effect, gains = run_validated_round(state, 3 * FLOOR - 1)
        assert effect.run.validation is not None
        committee = get_committee_accounts(effect.run.validation)
        drawn = compute_validator_ranking(committee, round_id.to_bytes(8, "big"))[:2]
        assert {a for a, gain in gains.items() if gain} == set(drawn)
        state = after


def test_draws_differ_between_the_readings_on_some_round() -> None:
    """The switch matters: over a few rounds the two draws pick different validators."""
    differ = False
    state = _chain(HARDENED, 3)
    for _ in range(4):
        round_id = state.next_round_id
        state, effect, gains = run_validated_round(state, 3 * FLOOR - 1)
        assert effect.run.validation is not None
        committee = get_committee_accounts(effect.run.validation)
        literal = compute_validator_ranking(committee, round_id.to_bytes(8, "big"))[:2]
        differ |= {a for a, gain in gains.items() if gain} != set(literal)
    assert differ


def test_prefund_below_the_floor__is_refused() -> None:
    state = _chain(HARDENED, 3)
    refused = process_action(state, RunRound(APP, PLANS, 0, True, FLOOR - 1))
    assert isinstance(refused, Rejected)
    assert "no validator can be paid" in refused.reason


def test_no_validation__no_committee_accounts() -> None:
    assert get_committee_accounts(None) == ()


# --- §4.4 External Request Payouts ---------------------------------------------------------------

PAYOUT = PARAMS.market.external_request_payout_ustb
NODE = get_node(0)


def _escrow_ustb(state: ChainState) -> int:
    return get_balance(state.ledger, get_escrow_account(APP)).of(Token.STB)


def _with_escrow_ustb(state: ChainState, ustb: int) -> ChainState:
    """`state` after the developer withdraws all but `ustb` of the escrow's STB."""
    step = process_action(state, WithdrawPrepayment(APP, _escrow_ustb(state) - ustb, 0))
    assert not isinstance(step, Rejected), step
    return step[0]


def test_outbound_request_by_a_node__pays_it_the_base_payout_in_stb() -> None:
    state = _with_escrow_ustb(_chain(HARDENED, 1), PAYOUT)
    account = state.nodes[NODE].account
    step = process_action(state, OutboundRequest(APP, Fraction(1), NODE))
    assert not isinstance(step, Rejected), step
    after, effects = step
    assert _escrow_ustb(after) == 0
    gained = get_balance(after.ledger, account).ustb - get_balance(state.ledger, account).ustb
    assert gained == PAYOUT
    assert effects == (OutboundEffect(APP, state.now, Fraction(1), NODE, PAYOUT),)
    assert after.reputation.apps[APP].outbound_log[-1] == state.now


def test_outbound_request__escrow_one_ustb_short_is_refused_and_not_counted() -> None:
    state = _with_escrow_ustb(_chain(HARDENED, 1), PAYOUT - 1)
    refused = process_action(state, OutboundRequest(APP, Fraction(1), NODE))
    assert isinstance(refused, Rejected)
    assert refused.rule == "process_external_request_payout"
    # Nothing of the request is kept: the refusal leaves the state (and the app's log) alone.
    assert APP not in state.reputation.apps or not state.reputation.apps[APP].outbound_log


def test_outbound_request_by_an_unregistered_node__is_refused() -> None:
    refused = process_action(_chain(HARDENED, 1), OutboundRequest(APP, Fraction(1), get_node(9)))
    assert isinstance(refused, Rejected)
    assert "not a registered node" in refused.reason


def test_outbound_request_without_a_node__moves_no_token() -> None:
    state = _chain(HARDENED, 1)
    step = process_action(state, OutboundRequest(APP, Fraction(1)))
    assert not isinstance(step, Rejected), step
    assert step[0].ledger == state.ledger
