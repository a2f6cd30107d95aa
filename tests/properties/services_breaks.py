"""Breaks of the free market's rules for the broken-model table (APP-SETTINGS, BFT-DEVIATION),
with the traces that show them."""

from __future__ import annotations

import pytest
from broken_fixtures import APP, NODES, replace_rule

import model.market
import model.trusted.decision
from model.chain.actions import Action, BidService, ChooseNodes, LaunchService, RunRound
from model.chain.state import get_developer
from model.market import MarketState
from model.params import WHITEPAPER_PARAMS, Params
from model.profile import HARDENED, Profile
from model.trusted.behaviour import Behaviour, NodePlan
from model.units import MICRO, NodeId

DEV = get_developer(APP)
CHOSEN_ROUND = RunRound(APP, tuple(NodePlan(node) for node in NODES), MICRO)
SPLIT_ROUND = RunRound(
    APP,
    tuple(
        NodePlan(node, Behaviour.WRONG_OUTPUT, wrong_output=b"wrong") if i < 2 else NodePlan(node)
        for i, node in enumerate(NODES)
    ),
    MICRO,
)


def _service(deviation: int) -> tuple[Action, ...]:
    """A service of four nodes, frequency one hour, launched with `deviation` and chosen."""
    return (
        LaunchService(APP, DEV, 4, 3_600, deviation, 0, 100 * MICRO),
        *(BidService(node, APP, 8_000) for node in NODES),
        ChooseNodes(APP, DEV),
    )


TOO_SOON: tuple[Action, ...] = (*_service(0), CHOSEN_ROUND, CHOSEN_ROUND)
"""Two rounds of the service, the second at once (its frequency is an hour)."""

SPLIT: tuple[Action, ...] = (*_service(3_333), SPLIT_ROUND)
"""A 2-2 round of the service at the hardened bound of 3333 bps."""


def frequency_ignored(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The chain starts a round of an app with a service whatever its nodes and its last round."""

    def broken(market: MarketState, *, app: str, nodes: tuple[NodeId, ...], now: int) -> None:
        return None

    replace_rule(monkeypatch, model.market.get_round_refusal, broken)
    return WHITEPAPER_PARAMS, HARDENED


def deviation_doubled(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The app's rule reads its deviation twice as wide and drops F10."""

    def broken(
        agree: int, base: int, deviation: int | None, *, params: Params, profile: Profile
    ) -> bool:
        if deviation is None:
            return model.trusted.decision.is_supermajority(agree, base, params)
        return agree * 10_000 >= (10_000 - 2 * deviation) * base

    replace_rule(monkeypatch, model.trusted.decision.is_app_agreement, broken)
    return WHITEPAPER_PARAMS, HARDENED
