"""Machine rules for the free market (§4.3.3, §4.4, §6.3.2): launching a service with drawn
settings, node bids and the developer's choice, rounds around the service's frequency, usage.

The service is launched on the last app only, so the other app's rounds stay free of a
service's settings for the round rules. Deviations are drawn at and around the hardened bound
(0, 3333, 3334, 5000 bps), bids at and around the cap, rounds one second before, on and after
the frequency, and a 2-2 split of four nodes, where the literal deviation of 50% lets both
outputs agree.
"""

from __future__ import annotations

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from model.chain.actions import (
    AdvanceTime,
    BidService,
    ChooseNodes,
    LaunchService,
    RunRound,
    UseService,
)
from model.chain.state import APPS, get_developer
from model.trusted.behaviour import Behaviour, NodePlan
from model.units import AccountId, AppId
from properties.driver import ChainDriver, guarded
from properties.strategies import MICRO, NODES, users

SERVICE_APP: AppId = APPS[-1]
"""The app whose developer launches a service."""

CASES: tuple[int, ...] = (5_000, 3_333, 3_334, 0)
"""§4.3.3 (c): 50% (from here two outputs 2-2 both agree under the literal rule), the hardened
bound, one over it, and complete consensus."""

HALF = CASES[0]

DEVIATIONS = st.sampled_from(CASES)
"""A deviation a developer sets (spread further by the genesis, `ensure_service`)."""

BIDS: tuple[int, ...] = (0, 1_000, 4_000, 8_000, 8_001)
"""§6.3.2 bids: none, under the network's 8000 bps, on it and one over (the hardened cap)."""

MARGINS = st.sampled_from(BIDS)
"""A bid a node makes (the nodes' first bids spread from it, `ensure_service`)."""


class ServiceRules(ChainDriver):
    """One rule, so the market takes one share of the quick run's draws: a launch, bids and a
    choice when none was made, a use, two rounds around the frequency, a new bid."""

    def ensure_service(self, deviation: int, max_nodes: int, frequency: int, margin: int) -> None:
        """Launch the service with these settings unless it is launched, and have every node
        bid (the i-th node the i-th bid of `BIDS` after `margin`) and the developer choose,
        unless nodes are chosen."""
        assert self.checked is not None
        developer = get_developer(SERVICE_APP)
        if SERVICE_APP not in self.checked.state.market.services:
            # Hypothesis' draws of one example are correlated; the genesis' node stakes (drawn
            # apart) spread the deviation over the four cases from one example to the next.
            assert self.genesis is not None
            # Half of them try 50% (the hardened bound when refused).
            spread = sum(self.genesis.node_stakes) + CASES.index(deviation)
            deviation = HALF if spread % 2 else CASES[spread // 2 % len(CASES)]
            stake, fee = 1_000 * MICRO, MICRO
            launch = LaunchService(
                SERVICE_APP, developer, max_nodes, frequency, deviation, fee, stake
            )
            if not self.apply(launch):
                # Refused over the hardened bound: launch at the bound instead.
                bound = self.checked.state.params.market.max_deviation_bps
                self.apply(attrs.evolve(launch, deviation_bps=min(deviation, bound)))
        service = self.checked.state.market.services.get(SERVICE_APP)
        if service is not None and not service.chosen:
            # The nodes bid apart (§6.3.2 "the node can set this amount"), from no margin to
            # one over the hardened cap (refused there, so that node is not chosen): the
            # rounds pay each chosen node at its own bid, and a round split 2-2 locks nodes of
            # different bids.
            first = BIDS.index(margin)
            for index, node in enumerate(NODES):
                self.apply(BidService(node, SERVICE_APP, BIDS[(first + index) % len(BIDS)]))
            self.apply(ChooseNodes(SERVICE_APP, developer))

    # A sweep of a dozen steps: once an example, in the sweep examples only (a third, the late
    # geneses), so it leaves room for every other rule in a quick run.
    @precondition(lambda self: not self.is_sweep_example and "service" not in self.swept)
    @rule(
        offset=st.sampled_from([-1, 0, 1]),
        split=st.sampled_from([True, False]),
        deviation=DEVIATIONS,
        max_nodes=st.sampled_from([4, 2]),
        frequency=st.sampled_from([0, 300]),
        user=users,
        margin=MARGINS,
    )
    @guarded
    def process_service_round_at_frequency(
        self,
        *,
        offset: int,
        split: bool,
        deviation: int,
        max_nodes: int,
        frequency: int,
        user: AccountId,
        margin: int,
    ) -> None:
        """§4.3.3 (b): two rounds of the service's chosen nodes, the second one second before
        (then again on), on, or one second after the frequency: in one of them (the first
        with `split`) half of the nodes return one wrong output (2-2 among four, 1-1 among two);
        a user pays the usage fee first (§4.3.3 (d)); a node bids `margin` last (§6.3.2, at and
        around the hardened cap). A service not launched yet is launched first with the drawn
        settings (deviations at and around the hardened bound and 50%), its nodes bid apart
        from `margin` and are chosen."""
        self.swept.add("service")
        self.ensure_service(deviation, max_nodes, frequency, margin)
        self.apply(UseService(user, SERVICE_APP))
        assert self.checked is not None
        service = self.checked.state.market.services.get(SERVICE_APP)
        if service is None or not service.chosen:
            return
        chosen = service.chosen
        half = len(chosen) // 2
        split_round = RunRound(
            SERVICE_APP,
            tuple(
                NodePlan(node, Behaviour.WRONG_OUTPUT, wrong_output=b"wrong")
                if index < half
                else NodePlan(node)
                for index, node in enumerate(chosen)
            ),
            MICRO,
        )
        honest_round = RunRound(SERVICE_APP, tuple(NodePlan(node) for node in chosen), MICRO)
        first, second = (split_round, honest_round) if split else (honest_round, split_round)
        last = service.last_round_at
        if last is not None and self.checked.state.now < last + service.frequency_seconds:
            self.apply(AdvanceTime(last + service.frequency_seconds - self.checked.state.now))
        start = self.checked.state.now
        if not self.apply(first):
            return
        target = start + service.frequency_seconds + offset
        now = self.checked.state.now
        if target > now:
            self.apply(AdvanceTime(target - now))
        if not self.apply(second) and offset < 0:
            # Refused one second early: the same round on the frequency.
            self.apply(AdvanceTime(1))
            self.apply(second)
        # A node bids anew (the chosen nodes keep the bids they were chosen at until the
        # developer chooses again).
        self.apply(BidService(chosen[-1], SERVICE_APP, margin))
