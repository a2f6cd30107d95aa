"""APP-SETTINGS and BFT-DEVIATION checkers on traces: they hold on the model, catch broken
market rules, and find the literal deviation's double agreement (docs/findings.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from broken_fixtures import APP, GENESIS, NODES, replace_rule, run_trace

import model.escrow
import model.market
from model.chain.actions import (
    Action,
    AdvanceTime,
    BidService,
    ChooseNodes,
    LaunchService,
    ResolveLocked,
    RunRound,
    SetAppProfile,
    UseService,
)
from model.chain.state import get_developer, get_user
from model.ledger import Ledger
from model.market import MarketState
from model.params import WHITEPAPER_PARAMS as P
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.behaviour import Behaviour, NodePlan
from model.units import MICRO, NodeId, Rejected
from properties.invariants.services import agrees_within, is_stricter_than_two_thirds

DEV = get_developer(APP)
BIDS = tuple(
    BidService(node, APP, bid) for node, bid in zip(NODES, (3_000, 1_000, 1_000, 500), strict=True)
)
CHOSEN = (NODES[3], NODES[1], NODES[2])
ROUND = RunRound(APP, tuple(NodePlan(node) for node in CHOSEN), MICRO)
SPLIT = RunRound(
    APP,
    tuple(
        NodePlan(node, Behaviour.WRONG_OUTPUT, wrong_output=b"wrong") if i < 2 else NodePlan(node)
        for i, node in enumerate(NODES)
    ),
    MICRO,
)


def service_trace(deviation: int = 0, max_nodes: int = 3) -> tuple[Action, ...]:
    """Launch, bids, choice, a round, a round too soon, a round on the frequency, a use."""
    return (
        LaunchService(APP, DEV, max_nodes, 3_600, deviation, 7, 500 * MICRO),
        *BIDS,
        ChooseNodes(APP, DEV),
        ROUND,
        ROUND,
        AdvanceTime(3_600),
        ROUND,
        UseService(get_user(0), APP),
    )


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_service_trace__holds(profile: Profile) -> None:
    run = run_trace(GENESIS, service_trace(), params=P, profile=profile)
    assert {"APP-SETTINGS", "BFT-DEVIATION", "ACT-ALLOWED"} <= run.observed
    assert not run.violated & {"APP-SETTINGS", "BFT-DEVIATION", "ACT-ALLOWED"}, run.violations
    # The round too soon is refused (the one after the full frequency is not).
    assert run.refused_by == ("process_run_round",)


def test_hardened_stake_profile__refusal_judged_right() -> None:
    trace = (*service_trace()[:1], SetAppProfile(APP, False, 10**12))
    run = run_trace(GENESIS, trace, params=P, profile=HARDENED)
    assert run.refused_by == ("process_set_app_profile_action",)
    assert "ACT-ALLOWED" not in run.violated, run.violations


def test_whitepaper_half_deviation__two_outputs_agree() -> None:
    """Finding: under the literal §4.3.3 (c), an app's deviation of 5000 bps lets a 2-2 split
    of four nodes make both outputs agree."""
    trace: tuple[Action, ...] = (
        LaunchService(APP, DEV, 4, 0, 5_000, 0, 0),
        *BIDS,
        ChooseNodes(APP, DEV),
        SPLIT,
    )
    run = run_trace(GENESIS, trace, params=P, profile=WHITEPAPER)
    assert "BFT-DEVIATION" in run.violated
    found = [v for v in run.violations if v.startswith("BFT-DEVIATION")]
    assert "2 outputs agree within a deviation of 5000 bps over N=4" in found[0]


def test_hardened_bounded_deviation__split_holds() -> None:
    trace: tuple[Action, ...] = (
        LaunchService(APP, DEV, 4, 0, 3_333, 0, 0),
        *BIDS,
        ChooseNodes(APP, DEV),
        SPLIT,
    )
    run = run_trace(GENESIS, trace, params=P, profile=HARDENED)
    assert "BFT-DEVIATION" in run.observed
    assert not run.violated, run.violations


def test_oracle_reading__deviation_words() -> None:
    assert agrees_within(2, 4, 5_000) and not agrees_within(2, 4, 4_999)
    assert is_stricter_than_two_thirds(3_333) and not is_stricter_than_two_thirds(3_334)


# --- Broken rules are caught ----------------------------------------------------------------------


def test_round_refusal_forgotten__caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(market: MarketState, *, app: str, nodes: tuple[NodeId, ...], now: int) -> None:
        return None

    replace_rule(monkeypatch, model.market.get_round_refusal, broken)
    run = run_trace(GENESIS, service_trace(), params=P, profile=HARDENED)
    found = [v for v in run.violations if v.startswith("APP-SETTINGS")]
    assert found and "frequency" in found[0], run.violations


def test_highest_bids_chosen__caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(bids: Mapping[NodeId, int], count: int) -> tuple[NodeId, ...]:
        return tuple(sorted(bids, key=lambda node: (-bids[node], node))[:count])

    replace_rule(monkeypatch, model.market.compute_lowest_bids, broken)
    trace = service_trace()[: 1 + len(BIDS) + 1]
    run = run_trace(GENESIS, trace, params=P, profile=HARDENED)
    found = [v for v in run.violations if v.startswith("APP-SETTINGS")]
    assert found and "the lowest bids are" in found[0], run.violations


def test_initiation_fee_unpaid__caught(monkeypatch: pytest.MonkeyPatch) -> None:
    real = model.market.process_choose_nodes

    def broken(ledger: Ledger, market: MarketState, **kwargs: Any) -> Any:
        result = real(ledger, market, **kwargs)
        return result if isinstance(result, Rejected) else (ledger, result[1])

    replace_rule(monkeypatch, model.market.process_choose_nodes, broken)
    trace = service_trace()[: 1 + len(BIDS) + 1]
    run = run_trace(GENESIS, trace, params=P, profile=HARDENED)
    found = [v for v in run.violations if v.startswith("APP-SETTINGS")]
    assert found and "moved 0, expected" in found[0], run.violations


# --- Each node is paid, and locked, at its own bid (§4.4, §6.3.2) ---------------------------------

SPLIT_TRACE: tuple[Action, ...] = (
    LaunchService(APP, DEV, 4, 0, 0, 0, 0),
    *BIDS,
    ChooseNodes(APP, DEV),
    SPLIT,
    ResolveLocked(APP, 1),
)
"""Four nodes of mixed bids split 2-2: consensus FALSE locks each node's payment, and the
round's committee resolves the lock (FALSE again: everything returns to the escrow)."""

PAYMENT_IDS = {"APP-SETTINGS", "ACT-ROUND", "CONS-SPLIT", "PAY-USD", "ESCROW-SOLVENT"}


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_rounds_at_mixed_bids__hold(profile: Profile) -> None:
    run = run_trace(GENESIS, service_trace(), params=P, profile=profile)
    assert PAYMENT_IDS - {"ESCROW-SOLVENT"} <= run.observed
    assert not run.violated & PAYMENT_IDS, run.violations


def test_lock_at_mixed_bids__holds() -> None:
    run = run_trace(GENESIS, SPLIT_TRACE, params=P, profile=HARDENED)
    assert not run.refused_by, run.refused_by
    assert {"ACT-ROUND", "CONS-SPLIT", "ESCROW-SOLVENT", "ACT-ESCROW"} <= run.observed
    assert not run.violated, run.violations


def test_chosen_node_paid_the_network_margin__caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A settlement that ignores the bids pays every chosen node the network's 8000 bps."""

    def broken(market: MarketState, app: str) -> None:
        return None

    replace_rule(monkeypatch, model.market.get_str_margins, broken)
    run = run_trace(GENESIS, service_trace(), params=P, profile=HARDENED)
    assert {"APP-SETTINGS", "ACT-ROUND"} <= run.violated, run.violations
    found = [v for v in run.violations if v.startswith("APP-SETTINGS")]
    assert "bid 500 bps of cost 1000000: owed" in found[0], found


def test_lock_at_the_network_split__caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock that owes every node the network's split, whatever it bid."""

    def broken(*args: object, **kwargs: object) -> tuple[()]:
        return ()

    replace_rule(monkeypatch, model.escrow._get_own_splits, broken)
    run = run_trace(GENESIS, SPLIT_TRACE, params=P, profile=HARDENED)
    assert {"ACT-ROUND", "CONS-SPLIT"} <= run.violated, run.violations
