"""One ID, one meaning: an invariant that quotes a number of the whitepaper checks that number.

SLASH-DOUBLING and SLASH-DECAY quote §6.10's factor 2, SUP-INFLATION §6.9's 11%, REP-OUTBOUND
§4.5's 10 requests a minute, GOV-SUPERMAJORITY §6.4 and §6.5's 2/3, GOV-SUBCOMMITTEE §6.8's 1%
and GOV-COMPLAINT §6.8's 80/20. Each trace below runs the model on a parameter set that moves the
governed key holding that number: the model follows the key, and the checker, reading the text's
number, reports the difference and names the number. The same trace on the whitepaper's
defaults holds. GOV-PARAMS holds every live key to the constitution's range and each fraction to
its bound, naming key, value, range and reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction

import pytest
from broken_fixtures import APP, GENESIS, TraceRun, honest_round, run_trace
from broken_rules import GOLDEN_COST, USER_0, USER_1, USER_2, V0, VOTING, WINDOW, P

from model.chain.actions import (
    Action,
    AdvanceTime,
    CastVote,
    DelegateToSubcommittee,
    GrantNetworkSupport,
    MintInflation,
    OutboundRequest,
    ResolveComplaint,
    SetAppProfile,
    SlashValidator,
    SubmitComplaint,
    SubmitProposal,
    Tally,
)
from model.governance import NETWORK_SUPPORT_COMMITTEE, ParamChange, VoteOption
from model.params import Params, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.units import MICRO, SECONDS_PER_YEAR
from properties.invariants.governance import constitution_problems

Key = tuple[str, str]


def _params(values: Mapping[Key, int]) -> Params:
    return with_values(P, dict(values))


def _found(run: TraceRun, invariant_id: str) -> list[str]:
    return [v for v in run.violations if v.startswith(f"{invariant_id}:")]


def _holds(run: TraceRun, invariant_id: str) -> None:
    assert invariant_id in run.observed, run.observed
    assert not _found(run, invariant_id), run.violations


# --- SLASH-DOUBLING, SLASH-DECAY (§6.10: a factor of 2x) -------------------------------------------

TWO_SLASHES: tuple[Action, ...] = (SlashValidator(V0), AdvanceTime(1), SlashValidator(V0))
"""Two slashes of one validator within one window: the second is at base x 2."""
SLASH_AFTER_A_WINDOW: tuple[Action, ...] = (*TWO_SLASHES, AdvanceTime(WINDOW), SlashValidator(V0))
"""Then a window expires: the third slash is one level down, at base x 2 again."""
FACTOR_ONE = {("slashing", "slash_factor"): 1}


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_slash_doubling__defaults_hold(profile: Profile) -> None:
    _holds(run_trace(GENESIS, TWO_SLASHES, params=P, profile=profile), "SLASH-DOUBLING")


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_slash_doubling__a_factor_of_one_is_judged_by_the_texts_two(profile: Profile) -> None:
    run = run_trace(GENESIS, TWO_SLASHES, params=_params(FACTOR_ONE), profile=profile)
    found = _found(run, "SLASH-DOUBLING")
    assert found, run.violations
    base = P.slashing.slash_base_bps
    assert f"rate {base}, expected {2 * base}" in found[0]
    assert "factor 2" in found[0]


def test_slash_decay__defaults_hold() -> None:
    run = run_trace(GENESIS, SLASH_AFTER_A_WINDOW, params=P, profile=HARDENED)
    _holds(run, "SLASH-DECAY")


def test_slash_decay__a_factor_of_one_is_judged_by_the_texts_halving() -> None:
    run = run_trace(GENESIS, SLASH_AFTER_A_WINDOW, params=_params(FACTOR_ONE), profile=HARDENED)
    found = _found(run, "SLASH-DECAY")
    assert found, run.violations
    base = P.slashing.slash_base_bps
    assert f"rate {base}, expected {2 * base}" in found[0]
    assert "factor 2" in found[0]


# --- SUP-INFLATION (§6.9: 11% at genesis) ---------------------------------------------------------

A_MINT: tuple[Action, ...] = (AdvanceTime(SECONDS_PER_YEAR // 2), MintInflation())


def test_sup_inflation__defaults_hold() -> None:
    _holds(run_trace(GENESIS, A_MINT, params=P, profile=HARDENED), "SUP-INFLATION")


def test_sup_inflation__a_governed_start_of_100_percent_is_judged_by_the_texts_11() -> None:
    params = _params(
        {("mint", "inflation_initial_bps"): 10_000, ("mint", "inflation_min_bps"): 10_000}
    )
    run = run_trace(GENESIS, A_MINT, params=params, profile=HARDENED)
    found = _found(run, "SUP-INFLATION")
    assert found, run.violations
    assert "year 0 rate 10000 bps is not the initial 1100 bps" in found[0]


# --- REP-OUTBOUND (§4.5: 10 requests a minute) ----------------------------------------------------

ELEVEN_REQUESTS: tuple[Action, ...] = (
    SetAppProfile(APP, False, 0),
    *(OutboundRequest(APP, Fraction(1)),) * 11,
)
"""An app neither open source nor staked asks eleven times in one minute."""


def test_rep_outbound__defaults_refuse_the_eleventh_and_hold() -> None:
    run = run_trace(GENESIS, ELEVEN_REQUESTS, params=P, profile=HARDENED)
    _holds(run, "REP-OUTBOUND")
    assert run.refused_by == ("process_outbound_request",)


def test_rep_outbound__a_governed_cap_of_a_million_is_judged_by_the_texts_10() -> None:
    params = _params({("reputation", "outbound_requests_per_minute"): 1_000_000})
    run = run_trace(GENESIS, ELEVEN_REQUESTS, params=params, profile=WHITEPAPER)
    assert run.refused_by == ()
    found = _found(run, "REP-OUTBOUND")
    assert found, run.violations
    assert "11 requests in the minute" in found[0] and "cap 10" in found[0]


# --- GOV-SUPERMAJORITY (§6.4, §6.5: more than 2/3) ------------------------------------------------

BURN_AT_60_PERCENT: tuple[Action, ...] = (
    SubmitProposal(
        USER_0,
        (
            ParamChange("payment", "str_burn_bps", 900),
            ParamChange("payment", "str_node_profit_bps", 2_100),
        ),
        MICRO,
    ),
    CastVote(1, USER_0, VoteOption.YES),
    CastVote(1, USER_1, VoteOption.NO),
    AdvanceTime(VOTING),
    Tally(1),
)
"""A burn change voted by user-0 (600,000 STR, yes) against user-1 (400,000 STR, no): 60%."""
HALF = {("governance", "supermajority_num"): 1, ("governance", "supermajority_den"): 2}


def test_gov_supermajority__at_the_texts_2_3_a_60_percent_vote_does_not_pass() -> None:
    run = run_trace(GENESIS, BURN_AT_60_PERCENT, params=P, profile=WHITEPAPER)
    assert "GOV-SUPERMAJORITY" not in run.violated, run.violations


def test_gov_supermajority__a_governed_half_is_judged_by_the_texts_2_3() -> None:
    run = run_trace(GENESIS, BURN_AT_60_PERCENT, params=_params(HALF), profile=WHITEPAPER)
    assert "GOV-SUPERMAJORITY" in run.observed, run.observed
    found = _found(run, "GOV-SUPERMAJORITY")
    assert found, run.violations
    weights = re.search(r"changed with (\d+) of (\d+) ustr of votes yes", found[0])
    assert weights is not None, found[0]
    yes, cast = int(weights[1]), int(weights[2])
    assert 2 * yes > cast and 3 * yes <= 2 * cast  # 60%: above 1/2, not above 2/3
    assert "needs more than 2/3" in found[0]


# --- GOV-SUBCOMMITTEE (§6.8: more than 1% of all STR) ---------------------------------------------

SMALL_BACKING_GRANT: tuple[Action, ...] = (
    DelegateToSubcommittee(USER_2, NETWORK_SUPPORT_COMMITTEE, MICRO),
    honest_round(cost=GOLDEN_COST),
    GrantNetworkSupport(USER_1, MICRO, signers=frozenset({USER_2})),
)
"""Network Support backed by one STR of some 22 million (far below 1%) pays a grant its only
delegator voted."""


def test_gov_subcommittee__defaults_refuse_the_grant_and_hold() -> None:
    run = run_trace(GENESIS, SMALL_BACKING_GRANT, params=P, profile=HARDENED)
    assert "process_grant_network_support" in run.refused_by[-1], run.refused_by
    _holds(run, "GOV-SUBCOMMITTEE")


def test_gov_subcommittee__a_governed_activation_of_zero_is_judged_by_the_texts_1_percent() -> None:
    params = _params({("governance", "subcommittee_activation_bps"): 0})
    run = run_trace(GENESIS, SMALL_BACKING_GRANT, params=params, profile=WHITEPAPER)
    found = _found(run, "GOV-SUBCOMMITTEE")
    assert found, (run.violations, run.refused_by)
    assert "Network Support paid a grant" in found[0]
    assert "not more than 100 bps" in found[0]


# --- GOV-COMPLAINT (§6.8: 80/20) ------------------------------------------------------------------

UPHELD: tuple[Action, ...] = (
    SubmitComplaint("c0", USER_0, "node:n0", P.governance.complaint_min_deposit_ustr),
    ResolveComplaint("c0", upheld=True),
)


def test_gov_complaint__defaults_hold() -> None:
    _holds(run_trace(GENESIS, UPHELD, params=P, profile=HARDENED), "GOV-COMPLAINT")


def test_gov_complaint__a_governed_refund_of_zero_is_judged_by_the_texts_80_20() -> None:
    params = _params({("governance", "complaint_refund_bps"): 0})
    run = run_trace(GENESIS, UPHELD, params=params, profile=WHITEPAPER)
    found = _found(run, "GOV-COMPLAINT")
    assert found, run.violations
    refund = P.governance.complaint_min_deposit_ustr * 8 // 10
    assert f"refund {refund} at 8000 bps" in found[0]
    assert f"{USER_0} +0 ustr (expected +{refund})" in found[0]


# --- GOV-PARAMS (the constitution's ranges) -------------------------------------------------------


def test_gov_params__defaults_lie_in_the_constitution() -> None:
    assert constitution_problems(P) == []
    _holds(run_trace(GENESIS, (AdvanceTime(1),), params=P, profile=WHITEPAPER), "GOV-PARAMS")


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        (
            ("consensus", "max_validators"),
            1,
            "consensus.max_validators = 1 is outside the constitution's range 4..10000"
            " for the parameter-change process (DESIGN.md: an operational key",
        ),
        (
            ("governance", "voting_period_seconds"),
            1,
            "governance.voting_period_seconds = 1 is outside the constitution's range"
            " 86400..7776000 for the parameter-change process (DESIGN.md: an operational key",
        ),
        (
            ("slashing", "slash_factor"),
            1,
            "slashing.slash_factor = 1 is outside the constitution's range 2..2 for the"
            " amendment process (§6.8: a protocol constant",
        ),
    ],
)
@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_gov_params__a_key_outside_its_range_fails(
    key: Key, value: int, says: str, profile: Profile
) -> None:
    params = _params({key: value})
    assert any(says in problem for problem in constitution_problems(params))
    run = run_trace(GENESIS, (AdvanceTime(1),), params=params, profile=profile)
    found = _found(run, "GOV-PARAMS")
    assert found and says in found[0], run.violations


def test_gov_params__a_broken_ratio_bound_fails() -> None:
    params = _params({("consensus", "threshold_num"): 1, ("consensus", "threshold_den"): 2})
    bound = (
        "consensus.threshold_num / consensus.threshold_den = 1/2 is outside the constitution's"
        " range [2/3, 1) for the amendment process (§3.3, 4.2: consensus needs more than 2/3"
    )
    assert any(problem.startswith(bound) for problem in constitution_problems(params))
    run = run_trace(GENESIS, (AdvanceTime(1),), params=params, profile=WHITEPAPER)
    found = _found(run, "GOV-PARAMS")
    assert found and "= 1/2 is outside the constitution's range [2/3, 1)" in found[0], (
        run.violations
    )


def test_gov_params__a_supermajority_of_one_half_breaks_only_its_bound() -> None:
    """Each term of the supermajority may range over 1..1000; together they stay in [2/3, 1)."""
    params = _params(HALF)
    (problem,) = constitution_problems(params)
    assert problem.startswith(
        "governance.supermajority_num / governance.supermajority_den = 1/2 is outside the"
        " constitution's range [2/3, 1) for the amendment process (§6.4, 6.5: burn and network"
        " support need more than 2/3"
    )


def test_gov_params__a_fraction_at_one_fails() -> None:
    params = _params(
        {("governance", "supermajority_num"): 3, ("governance", "supermajority_den"): 3}
    )
    problems = constitution_problems(params)
    assert len(problems) == 1 and "= 3/3 is outside the constitution's range" in problems[0]
