"""Machine rules for validation payments at the floor and external-request payouts (§4.4).

At the default floor of one ustr a prefund pays every subscriber or as many as it has ustr, so
the floor's count never bites. Here governance raises the floor above one ustr, the developer
sets a committee of several validators, and rounds prefund validation at subscribers x floor,
one ustr short (one validator fewer is paid, chosen by the draw), one ustr over, and one ustr
below a single floor (nobody can be paid: refused).
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis.stateful import precondition, rule

from model.chain.actions import (
    OutboundRequest,
    Prepay,
    RunRound,
    SetAppValidatorCount,
    WithdrawPrepayment,
)
from model.chain.state import APPS, get_developer
from model.governance import ParamChange
from model.ledger import get_escrow_account
from model.trusted.behaviour import NodePlan
from oracle.ledger import balance
from oracle.staking import active_set
from properties.driver import ChainDriver, guarded
from properties.strategies import NODES

FLOOR = 7
"""The floor above one ustr the rule asks governance for."""
COMMITTEE = 3
"""The app's committee at the floor (as many as the active set has, if fewer)."""


class ValidationPayRules(ChainDriver):
    """§4.4's payments at their edges: a floor above one ustr with rounds prefunded around
    subscribers x floor, and external requests with the escrow around the base payout. One
    firing sweeps every edge and draws nothing: a rule with draws of its own moved the quick
    run's reach of unrelated boundaries."""

    @precondition(lambda self: "section-4.4-payments" not in self.swept)
    @rule()
    @guarded
    def process_payments_at_their_edges(self) -> None:
        """§4.4: the external-request sweep, then the floor sweep, on the first app. Once an
        example."""
        self.swept.add("section-4.4-payments")
        app = APPS[0]
        self._sweep_external_requests(app)
        self._sweep_validation_floor(app)

    def _sweep_external_requests(self, app: str) -> None:
        """External Request Payouts: the app's escrow is left holding the base payout in STB
        (one ustb less, exactly, one more), then a node makes an outbound request: paid from
        the escrow, or refused one ustb short; the developer then tops the escrow up again."""
        assert self.checked is not None
        developer = get_developer(app)  # type: ignore[arg-type]
        escrow = get_escrow_account(app)  # type: ignore[arg-type]
        start = balance(self.checked.state.ledger, escrow).ustb
        for offset in (-1, 0, 1):
            held = balance(self.checked.state.ledger, escrow).ustb
            want = max(self.checked.state.params.market.external_request_payout_ustb + offset, 0)
            if held > want:
                self.apply(WithdrawPrepayment(app, held - want, 0))  # type: ignore[arg-type]
            elif held < want:
                self.apply(Prepay(app, developer, want - held, 0, None))  # type: ignore[arg-type]
            self.apply(OutboundRequest(app, Fraction(1), NODES[0]))  # type: ignore[arg-type]
        held = balance(self.checked.state.ledger, escrow).ustb
        if held < start:
            self.apply(Prepay(app, developer, start - held, 0, None))  # type: ignore[arg-type]

    def _sweep_validation_floor(self, app: str) -> None:
        """The validation floor: enact `FLOOR`, set the app's committee to `COMMITTEE`, then
        four honest rounds of no cost with prefunds committee x floor, one ustr under and over
        it, and floor - 1 (refused: nobody can be paid the floor)."""
        assert self.checked is not None
        if self.checked.state.params.payment.validation_floor_ustr != FLOOR:
            self.enact((ParamChange("payment", "validation_floor_ustr", FLOOR),))
        state = self.checked.state
        floor = state.params.payment.validation_floor_ustr
        seats = state.params.consensus.max_validators
        size = min(COMMITTEE, len(active_set(state.staking, max_validators=seats)))
        if size == 0:
            return
        developer = get_developer(app)  # type: ignore[arg-type]
        self.apply(SetAppValidatorCount(app, developer, size))  # type: ignore[arg-type]
        plans = tuple(NodePlan(node) for node in NODES[:3])
        full = size * floor
        for prefund in (full, full - 1, full + 1, floor - 1):
            if prefund <= 0:
                continue
            self.apply(Prepay(app, developer, 0, prefund, Fraction(1)))  # type: ignore[arg-type]
            self.apply(RunRound(app, plans, 0, True, prefund))  # type: ignore[arg-type]
