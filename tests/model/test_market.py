"""The free market (§4.3.3, §4.4, §6.3.2): launches, bids, the developer's choice, usage fees,
rounds of a service, and the per-app consensus rule with an allowed deviation (APP-SETTINGS,
BFT-DEVIATION)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import pytest

from model.chain.actions import (
    Action,
    AdvanceTime,
    BidService,
    ChooseNodes,
    LaunchService,
    RunRound,
    SetAppProfile,
    UseService,
)
from model.chain.state import (
    APPS,
    ChainState,
    Genesis,
    create_chain,
    get_developer,
    get_node,
    get_node_operator,
    get_user,
)
from model.chain.transitions import process_action
from model.ledger import APP_STAKE_POOL, get_balance
from model.params import WHITEPAPER_PARAMS as P
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.behaviour import Behaviour, NodePlan
from model.trusted.decision import is_app_agreement, is_within_deviation
from model.units import MICRO, Rejected

APP, OTHER = APPS
DEV = get_developer(APP)
NODES = tuple(get_node(i) for i in range(4))
FEE = P.market.initiation_fee_ustr
GENESIS = Genesis(
    user_ustr=(1_000 * MICRO,) * 3,
    user_ustb=(0, 0, 0),
    validator_bonds=(1_000 * MICRO,) * 4,
    node_stakes=(1_000 * MICRO,) * 4,
    developer_ustr=10_000 * MICRO,
    developer_ustb=10_000 * MICRO,
    prepay_ustr=1_000 * MICRO,
    prepay_ustb=1_000 * MICRO,
    price=Fraction(1),
)


def launch(
    deviation: int = 0, *, max_nodes: int = 3, frequency: int = 100, stake: int = 500 * MICRO
) -> LaunchService:
    return LaunchService(APP, DEV, max_nodes, frequency, deviation, 7, stake)


def run(profile: Profile, actions: Sequence[Action]) -> ChainState:
    """`actions` applied in turn; each must be accepted."""
    state = create_chain(GENESIS, params=P, profile=profile)
    assert not isinstance(state, Rejected), state
    for action in actions:
        result = process_action(state, action)
        assert not isinstance(result, Rejected), (action, result)
        state = result[0]
    return state


def refusal(state: ChainState, action: Action) -> str:
    result = process_action(state, action)
    assert isinstance(result, Rejected), result
    return result.reason


def ustr(state: ChainState, account: str) -> int:
    return get_balance(state.ledger, account).ustr  # type: ignore[arg-type]


BIDS = tuple(
    BidService(node, APP, bid) for node, bid in zip(NODES, (3_000, 1_000, 1_000, 500), strict=True)
)


# --- LaunchService ---------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_launch__locks_the_stake(profile: Profile) -> None:
    before = run(profile, ())
    after = run(profile, (launch(),))
    assert ustr(after, APP_STAKE_POOL) == 500 * MICRO
    assert ustr(after, DEV) == ustr(before, DEV) - 500 * MICRO
    assert after.market.services[APP].stake_ustr == 500 * MICRO


def test_launch__hardened_stake_is_the_apps_reputation_stake() -> None:
    state = run(HARDENED, (launch(),))
    assert state.reputation.apps[APP].staked_ustr == 500 * MICRO
    assert "locked" in refusal(state, SetAppProfile(APP, False, 10**12))
    run(HARDENED, (launch(), SetAppProfile(APP, True, 500 * MICRO)))


def test_launch__whitepaper_stake_is_declared() -> None:
    state = run(WHITEPAPER, (launch(), SetAppProfile(APP, False, 10**12)))
    assert state.reputation.apps[APP].staked_ustr == 10**12
    assert ustr(state, APP_STAKE_POOL) == 500 * MICRO


def test_launch_invalid__not_the_developer() -> None:
    state = run(HARDENED, ())
    wrong = LaunchService(APP, get_user(0), 3, 100, 0, 7, 0)
    assert "not the developer" in refusal(state, wrong)


def test_launch_invalid__twice() -> None:
    assert "already" in refusal(run(HARDENED, (launch(),)), launch())


def test_launch_invalid__stake_over_the_balance() -> None:
    assert "holds" in refusal(run(HARDENED, ()), launch(stake=10**15))


@pytest.mark.parametrize("deviation", [3_334, 5_000, 10_000])
def test_launch_invalid__hardened_deviation_over_the_bound(deviation: int) -> None:
    assert "deviation" in refusal(run(HARDENED, ()), launch(deviation))


@pytest.mark.parametrize("deviation", [3_334, 5_000, 10_000])
def test_launch__whitepaper_any_deviation(deviation: int) -> None:
    assert run(WHITEPAPER, (launch(deviation),)).market.services[APP].deviation_bps == deviation


@pytest.mark.parametrize("deviation", [-1, 10_001])
def test_launch_invalid__deviation_not_a_share(deviation: int) -> None:
    assert "deviation" in refusal(run(WHITEPAPER, ()), launch(deviation))


# --- Bids and the developer's choice ---------------------------------------------------------------


def test_choose__lowest_bids_paid_the_initiation_fee() -> None:
    before = run(HARDENED, (launch(),))
    state = run(HARDENED, (launch(), *BIDS, ChooseNodes(APP, DEV)))
    service = state.market.services[APP]
    assert service.chosen == (NODES[3], NODES[1], NODES[2])
    assert dict(service.margins) == {NODES[3]: 500, NODES[1]: 1_000, NODES[2]: 1_000}
    for node in NODES:
        fee = FEE if node in service.chosen else 0
        assert ustr(state, get_node_operator(node)) == ustr(before, get_node_operator(node)) + fee
    assert ustr(state, DEV) == ustr(before, DEV) - 3 * FEE


def test_choose__again_pays_only_new_nodes() -> None:
    first = run(HARDENED, (launch(), *BIDS, ChooseNodes(APP, DEV)))
    cheaper = BidService(NODES[0], APP, 0)
    state = run(HARDENED, (launch(), *BIDS, ChooseNodes(APP, DEV), cheaper, ChooseNodes(APP, DEV)))
    assert state.market.services[APP].chosen == (NODES[0], NODES[3], NODES[1])
    assert ustr(state, DEV) == ustr(first, DEV) - FEE


def test_choose_invalid__not_the_developer() -> None:
    state = run(HARDENED, (launch(), *BIDS))
    assert "not the developer" in refusal(state, ChooseNodes(APP, get_user(0)))


def test_bid_invalid__no_service_or_node() -> None:
    state = run(HARDENED, ())
    assert "no service" in refusal(state, BidService(NODES[0], APP, 0))
    launched = run(HARDENED, (launch(),))
    assert "registered" in refusal(launched, BidService(get_node(9), APP, 0))


def test_bid__hardened_cap() -> None:
    cap = P.market.max_str_margin_bps
    run(HARDENED, (launch(), BidService(NODES[0], APP, cap)))
    assert "bid" in refusal(run(HARDENED, (launch(),)), BidService(NODES[0], APP, cap + 1))
    run(WHITEPAPER, (launch(), BidService(NODES[0], APP, 10**6)))


# --- Usage ---------------------------------------------------------------------------------------


def test_use__pays_the_fee_to_the_developer() -> None:
    before = run(HARDENED, (launch(),))
    state = run(HARDENED, (launch(), UseService(get_user(0), APP)))
    assert ustr(state, get_user(0)) == ustr(before, get_user(0)) - 7
    assert ustr(state, DEV) == ustr(before, DEV) + 7


def test_use_invalid__no_service() -> None:
    assert "no service" in refusal(run(HARDENED, ()), UseService(get_user(0), APP))


# --- Rounds of a service -------------------------------------------------------------------------

CHOSEN = (NODES[3], NODES[1], NODES[2])
CHOSEN_ROUND = RunRound(APP, tuple(NodePlan(node) for node in CHOSEN), MICRO)


def test_round_invalid__a_node_not_chosen() -> None:
    state = run(HARDENED, (launch(), *BIDS, ChooseNodes(APP, DEV)))
    other = RunRound(APP, tuple(NodePlan(node) for node in NODES[:3]), MICRO)
    assert "not one of the nodes chosen" in refusal(state, other)


def test_round__other_app_unaffected() -> None:
    state = run(HARDENED, (launch(), *BIDS, ChooseNodes(APP, DEV)))
    run(HARDENED, (launch(), RunRound(OTHER, tuple(NodePlan(n) for n in NODES), MICRO)))
    assert state.market.services.get(OTHER) is None


@pytest.mark.parametrize(("offset", "accepted"), [(-1, False), (0, True), (1, True)])
def test_round__at_the_frequency(offset: int, accepted: bool) -> None:
    state = run(HARDENED, (launch(), *BIDS, ChooseNodes(APP, DEV), CHOSEN_ROUND))
    start = state.market.services[APP].last_round_at
    assert start is not None
    state = run(
        HARDENED,
        (
            launch(),
            *BIDS,
            ChooseNodes(APP, DEV),
            CHOSEN_ROUND,
            AdvanceTime(start + 100 + offset - state.now),
        ),
    )
    result = process_action(state, CHOSEN_ROUND)
    assert isinstance(result, Rejected) is not accepted, result
    if accepted:
        assert not isinstance(result, Rejected)
        assert result[0].market.services[APP].last_round_at == start + 100 + offset


def test_round__scenario_carries_the_deviation() -> None:
    state = run(HARDENED, (launch(3_333), *BIDS, ChooseNodes(APP, DEV)))
    result = process_action(state, CHOSEN_ROUND)
    assert not isinstance(result, Rejected)
    (effect,) = [e for e in result[1] if type(e).__name__ == "RoundEffect"]
    assert effect.run.scenario.deviation_bps == 3_333  # type: ignore[union-attr]


# --- The per-app consensus rule (§4.3.3 (c)) ------------------------------------------------------


@pytest.mark.parametrize(
    ("agree", "base", "deviation", "expected"),
    [
        (4, 4, 0, True),
        (3, 4, 0, False),
        (3, 4, 2_500, True),
        (2, 4, 5_000, True),
        (2, 3, 3_333, False),
    ],
)
def test_is_within_deviation(agree: int, base: int, deviation: int, expected: bool) -> None:
    assert is_within_deviation(agree, base, deviation) is expected


def test_is_app_agreement__hardened_keeps_f10() -> None:
    # 2 of 3 is within 3334 bps (2 * 10^4 >= 6666 * 3) but not more than 2/3.
    assert is_within_deviation(2, 3, 3_334)
    assert not is_app_agreement(2, 3, 3_334, params=P, profile=HARDENED)
    assert is_app_agreement(2, 3, 3_334, params=P, profile=WHITEPAPER)
    assert is_app_agreement(3, 3, None, params=P, profile=WHITEPAPER)


SPLIT = tuple(
    NodePlan(node, Behaviour.WRONG_OUTPUT, wrong_output=b"wrong") if i < 2 else NodePlan(node)
    for i, node in enumerate(NODES)
)
"""Four nodes, two outputs 2-2."""


def test_round__whitepaper_half_deviation_two_outputs_agree() -> None:
    """BFT-DEVIATION's finding: at d = 5000 a 2-2 split makes both outputs agree; the chain
    pays one group and records that two passed."""
    state = run(WHITEPAPER, (launch(5_000, max_nodes=4), *BIDS, ChooseNodes(APP, DEV)))
    result = process_action(state, RunRound(APP, SPLIT, MICRO))
    assert not isinstance(result, Rejected)
    (effect,) = [e for e in result[1] if type(e).__name__ == "RoundEffect"]
    decision = effect.run.state.decision  # type: ignore[union-attr]
    assert decision is not None and decision.consensus
    assert decision.groups_over_threshold == 2


def test_round__hardened_split_has_no_consensus() -> None:
    state = run(HARDENED, (launch(3_333, max_nodes=4), *BIDS, ChooseNodes(APP, DEV)))
    result = process_action(state, RunRound(APP, SPLIT, MICRO))
    assert not isinstance(result, Rejected)
    (effect,) = [e for e in result[1] if type(e).__name__ == "RoundEffect"]
    decision = effect.run.state.decision  # type: ignore[union-attr]
    assert decision is not None and not decision.consensus
    assert decision.groups_over_threshold == 0
