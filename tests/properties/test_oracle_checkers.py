"""The supply and governance checkers, read from the oracle, against broken models on a chain.

SUP-INFLATION bounds each mint from both sides: a model that mints less than the schedule (one
bps short of each year's rate), one that mints a whole interval at the rate of its first second
(no cut where a year ends), and one whose mint does not land in the rewards pool are each caught.
GOV-SUPERMAJORITY holds an adopted burn change to more than 2/3 of the recorded votes; the tally's
contract (ACT-GOVERNANCE) weighs the votes itself: a tally that forgets bonded STR is caught even
when its outcome happens to be right. REP-OUTBOUND decides the exemption from the app's record: a
model that lifts the cap at exactly $10,000 of stake is caught. The correct model passes every
trace.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import pytest
from broken_fixtures import APP, GENESIS, run_trace
from broken_rules import P

from model import governance, reputation, supply
from model.chain.actions import (
    Action,
    AdvanceTime,
    CastVote,
    MintInflation,
    OutboundRequest,
    SetAppProfile,
    SubmitProposal,
    Tally,
)
from model.chain.state import get_validator, get_validator_operator
from model.governance import ParamChange, VoteOption
from model.ledger import INSURANCE_POOL, REWARDS_POOL, Ledger
from model.params import Params
from model.profile import HARDENED
from model.reputation import AppReputation
from model.units import MICRO, SECONDS_PER_YEAR, AccountId

YEAR_AND_A_HALF: tuple[Action, ...] = (AdvanceTime(SECONDS_PER_YEAR * 3 // 2), MintInflation())
"""One mint over [0, 1.5 years): half of it at 11%, the rest at 10%."""


def _short_by_one_bps(monkeypatch: pytest.MonkeyPatch) -> None:
    real = supply.compute_inflation_rate_bps

    def broken(year: int, params: Params) -> int:
        return real(year, params) - 1

    monkeypatch.setattr(supply, "compute_inflation_rate_bps", broken)


def _no_cut_at_year_end(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(state: supply.SupplyState, year: int) -> int:
        return 10**18

    monkeypatch.setattr(supply, "get_rate_end_time", broken)


def _minted_into_insurance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supply, "REWARDS_POOL", INSURANCE_POOL)


def test_correct_mint__observed_and_holds() -> None:
    run = run_trace(GENESIS, YEAR_AND_A_HALF, params=P, profile=HARDENED)
    assert "SUP-INFLATION" in run.observed
    assert not run.violations, run.violations
    assert REWARDS_POOL != INSURANCE_POOL


@pytest.mark.parametrize(
    ("breaks", "says"),
    [
        (_short_by_one_bps, "below the schedule"),
        (_no_cut_at_year_end, "above the schedule"),
        (_minted_into_insurance, "module:insurance"),
    ],
    ids=["below", "above", "recipient"],
)
def test_broken_mint__caught(
    breaks: Callable[[pytest.MonkeyPatch], None], says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    breaks(monkeypatch)
    run = run_trace(GENESIS, YEAR_AND_A_HALF, params=P, profile=HARDENED)
    found = [v for v in run.violations if v.startswith("SUP-INFLATION")]
    assert found and says in found[0], run.violations


# --- GOV-SUPERMAJORITY -----------------------------------------------------------------------------

OPERATOR = get_validator_operator(get_validator(0))
"""Holds no liquid STR: its 1,000 STR are all bonded to v0 (its self-bond)."""
BURN_VOTE: tuple[Action, ...] = (
    SubmitProposal(
        AccountId("user-0"),
        (
            ParamChange("payment", "str_burn_bps", 900),
            ParamChange("payment", "str_node_profit_bps", 2_100),
        ),
        0,
    ),
    CastVote(1, AccountId("user-0"), VoteOption.YES),
    CastVote(1, OPERATOR, VoteOption.NO),
    AdvanceTime(P.governance.voting_period_seconds),
    Tally(1),
)
"""A burn change 600,000 STR to 1,000 bonded STR: it passes however the bonds are counted."""


def _bonds_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ledger: Ledger, voter: AccountId, bonded: object) -> int:
        held = ledger.balances.get(voter)
        return 0 if held is None else held.ustr

    monkeypatch.setattr(governance, "get_voting_power", broken)


def test_burn_vote__observed_and_holds() -> None:
    run = run_trace(GENESIS, BURN_VOTE, params=P, profile=HARDENED)
    assert "GOV-SUPERMAJORITY" in run.observed
    assert not run.violations, run.violations


def test_burn_vote__bonds_forgotten_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    _bonds_forgotten(monkeypatch)
    run = run_trace(GENESIS, BURN_VOTE, params=P, profile=HARDENED)
    # The tally's contract weighs the voters' STR; 99.8% yes is still more than 2/3, so
    # GOV-SUPERMAJORITY holds, and nothing else breaks.
    assert run.violated == {"ACT-GOVERNANCE"}, run.violations
    found = [v for v in run.violations if v.startswith("ACT-GOVERNANCE")]
    assert "the voters hold" in found[0], run.violations


# --- REP-OUTBOUND ----------------------------------------------------------------------------------

STAKED_AT_THE_BAR: tuple[Action, ...] = (
    SetAppProfile(APP, False, 10_000 * MICRO),
    *(OutboundRequest(APP, Fraction(1)),) * 11,
)
"""An app staking exactly $10,000 of STR at $1 (not more, so capped) asks eleven times at once."""


def _exempt_at_the_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(app: AppReputation, *, now: int, params: Params, str_price: Fraction) -> bool:
        bar = params.reputation.uncapped_min_stake_usd * MICRO
        return app.open_source or app.staked_ustr * str_price >= bar

    monkeypatch.setattr(reputation, "is_outbound_uncapped", broken)


def test_stake_at_the_bar__capped_and_holds() -> None:
    run = run_trace(GENESIS, STAKED_AT_THE_BAR, params=P, profile=HARDENED)
    assert "REP-OUTBOUND" in run.observed
    assert not run.violations, run.violations
    assert run.refused_by == ("process_outbound_request",)


def test_stake_at_the_bar__exempted_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checker decides the exemption from the app's record, so a model that lifts the cap at
    exactly $10,000 cannot also lift it for the check."""
    _exempt_at_the_bar(monkeypatch)
    run = run_trace(GENESIS, STAKED_AT_THE_BAR, params=P, profile=HARDENED)
    assert run.refused_by == ()
    assert {i for i in run.violated if not i.startswith("ACT-")} == {"REP-OUTBOUND"}
    found = [v for v in run.violations if v.startswith("REP-OUTBOUND")]
    assert "11 requests in the minute" in found[0], run.violations
