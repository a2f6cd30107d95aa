"""The stake-lifecycle checkers (SLASH-AVOIDED, REW-PRORATA, VAL-STANDING) and the contracts of
the lifecycle's actions: each holds on the correct model, and a deliberately broken rule makes
it fail. The literal text's instant undelegation is a finding (docs/findings.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest
from broken_fixtures import GENESIS, Break, replace_rule, run_trace
from broken_rules import (
    DEFAULTS,
    USER_1,
    USER_2,
    V0,
    V1,
    V2,
    V3,
    P,
    jail_keeps_the_power,
    rewards_split_equally,
    unbonding_slash_spares_entries,
)

import model.rewards
import model.staking
import model.standing
from model.chain.actions import (
    Action,
    AdvanceTime,
    CommitBlock,
    CompleteUnbonding,
    Delegate,
    DistributeRewards,
    Equivocate,
    MintInflation,
    ReportDoubleSign,
    ReportDowntime,
    Undelegate,
    Unjail,
)
from model.chain.state import get_validator_operator
from model.ledger import REWARDS_POOL, Token, process_transfer
from model.params import Params
from model.profile import HARDENED, WHITEPAPER, Profile
from model.units import MICRO, Rejected

OP0 = get_validator_operator(V0)
UNBONDING = 21 * 86_400

LATE_EVIDENCE: tuple[Action, ...] = (
    Equivocate(frozenset({V0}), frozenset({V1, V2, V3}), frozenset(), reported=False),
    Undelegate(OP0, V0, 1_000 * MICRO),
    ReportDoubleSign(V0, 1),
)
"""v0 double-signs unseen, its operator undelegates its whole self-bond, the evidence comes."""

DOWNTIME: tuple[Action, ...] = (
    *(CommitBlock(frozenset({V1, V2, V3})) for _ in range(51)),
    ReportDowntime(V0),
)
"""v0 misses 51 of its watched blocks and is reported."""

REWARDS: tuple[Action, ...] = (
    AdvanceTime(30 * 86_400),
    MintInflation(),
    Delegate(USER_1, V1, 500 * MICRO),
    DistributeRewards(),
)
"""A month's inflation minted and paid to the four validators and user-1's delegation."""


# --- The finding ---------------------------------------------------------------------------------


def test_literal_text__undelegating_before_the_evidence_avoids_the_slash() -> None:
    """Finding: §4.2 gives no unbonding period, so v0's operator takes its whole self-bond back
    between the double sign and its evidence, and the slash takes nothing of it."""
    run = run_trace(GENESIS, LATE_EVIDENCE, params=P, profile=WHITEPAPER)
    assert run.violated == {"SLASH-AVOIDED"}, run.violations
    assert "lost 0, not 50000000 at 500 bps" in run.violations[0]


def test_unbonding_period__the_undelegated_stake_is_slashed_as_if_bonded() -> None:
    run = run_trace(GENESIS, LATE_EVIDENCE, params=P, profile=HARDENED)
    assert {"SLASH-AVOIDED", "VAL-STANDING", "ACT-SLASH", "ACT-STAKING"} <= run.observed
    assert not run.violations, run.violations


def test_evidence_after_the_unbonding_period__not_judged() -> None:
    """Once the 21 days have passed, the stake was free to leave: nothing to check."""
    actions = (*LATE_EVIDENCE[:2], AdvanceTime(UNBONDING), CompleteUnbonding(), LATE_EVIDENCE[2])
    run = run_trace(GENESIS, actions, params=P, profile=WHITEPAPER)
    assert "SLASH-AVOIDED" not in run.observed and not run.violations, run.violations


# --- Broken rules --------------------------------------------------------------------------------


def unbonding_slash_reaches_back(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Late evidence slashes every unbonding entry, those started before the infraction too."""
    real = model.standing.process_slash_unbonding

    def broken(*args: Any, **kwargs: Any) -> Any:
        return real(*args, **(kwargs | {"first_entry": 0}))

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def unbonding_paid_a_day_early(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Unbonding entries are paid out a day before their 21 days end."""
    real = model.staking.process_complete_unbonding

    def broken(ledger: Any, staking: Any, *, now: int) -> Any:
        return real(ledger, staking, now=now + 86_400)

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def unjail_ignores_the_jail_end(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A jailed validator unjails whenever it asks."""
    real = model.standing.process_unjail

    def broken(staking: Any, *, validator: Any, now: int) -> Any:
        return real(staking, validator=validator, now=10**12)

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def downtime_without_jail(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Downtime evidence slashes the validator but jails it only until now."""
    real = model.standing.process_jail

    def broken(staking: Any, *, validator: Any, until: int) -> Any:
        return real(staking, validator=validator, until=until - 600)

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def rewards_to_a_stranger(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The whole rewards pool goes to user-2's wallet, which bonds nothing."""
    real = model.rewards.process_distribute_rewards

    def broken(ledger: Any, staking: Any, params: Any, profile: Any) -> Any:
        result = real(ledger, staking, params, profile)
        assert not isinstance(result, Rejected)
        moved = process_transfer(
            ledger, sender=REWARDS_POOL, recipient=USER_2, token=Token.STR, amount=result[1].pool
        )
        return moved, result[1]

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


ONE_SECOND_EARLY: tuple[Action, ...] = (
    *DOWNTIME,
    AdvanceTime(599),
    Unjail(V0),
)
UNBOND_AND_WAIT: tuple[Action, ...] = (
    Undelegate(OP0, V0, 10 * MICRO),
    AdvanceTime(UNBONDING - 86_400),
    CompleteUnbonding(),
)
UNBOND_BEFORE_AND_AFTER: tuple[Action, ...] = (
    Undelegate(OP0, V0, 100 * MICRO),
    *LATE_EVIDENCE,
)
JAILED_SIGNS: tuple[Action, ...] = (*DOWNTIME, CommitBlock(frozenset({V0, V1, V2})))


CASES: tuple[tuple[Break, tuple[Action, ...], frozenset[str], frozenset[str]], ...] = (
    # (break, trace, IDs it must break, IDs it may break besides)
    (
        unbonding_slash_spares_entries,
        LATE_EVIDENCE,
        frozenset({"SLASH-AVOIDED", "ACT-SLASH"}),
        frozenset(),
    ),
    (unbonding_slash_reaches_back, UNBOND_BEFORE_AND_AFTER, frozenset({"ACT-SLASH"}), frozenset()),
    (unbonding_paid_a_day_early, UNBOND_AND_WAIT, frozenset({"ACT-STAKING"}), frozenset()),
    (
        unjail_ignores_the_jail_end,
        ONE_SECOND_EARLY,
        frozenset({"ACT-STAKING", "VAL-STANDING"}),
        frozenset(),
    ),
    (downtime_without_jail, DOWNTIME, frozenset({"ACT-SLASH", "VAL-STANDING"}), frozenset()),
    (
        jail_keeps_the_power,
        JAILED_SIGNS,
        frozenset({"VAL-STANDING"}),
        # The commit contract weighs the signers without the jailed power too.
        frozenset({"ACT-STAKING"}),
    ),
    (rewards_split_equally, REWARDS, frozenset({"REW-PRORATA"}), frozenset()),
    (
        rewards_to_a_stranger,
        REWARDS,
        frozenset({"REW-PRORATA", "ACT-SUPPLY", "VAL-STANDING"}),
        frozenset(),
    ),
)


@pytest.mark.parametrize(
    ("breaks", "actions", "must", "may"), CASES, ids=lambda c: getattr(c, "__name__", "")
)
def test_broken_lifecycle_rule__caught(
    breaks: Callable[[pytest.MonkeyPatch], tuple[Params, Profile]],
    actions: tuple[Action, ...],
    must: frozenset[str],
    may: frozenset[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    correct = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert must <= correct.observed, "the trace never exercises the check"
    assert not correct.violations, correct.violations
    params, profile = breaks(monkeypatch)
    broken = run_trace(GENESIS, actions, params=params, profile=profile)
    assert must <= broken.violated, (breaks.__doc__, broken.violations)
    assert broken.violated <= must | may, broken.violations


def infraction_numbered_late(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """An unreported double sign records the entry after next as the first slashable one."""
    real = model.standing.process_record_infraction

    def broken(staking: Any, **kwargs: Any) -> Any:
        recorded = real(staking, **kwargs)
        key = (kwargs["validator"], kwargs["height"], 0)
        late = attrs.evolve(recorded.infractions[key], first_entry=staking.next_entry + 1)
        return attrs.evolve(recorded, infractions=recorded.infractions.set(key, late))

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def test_unreported_double_sign_recorded_wrong__breaks_act_slash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    correct = run_trace(GENESIS, LATE_EVIDENCE[:1], params=P, profile=HARDENED)
    assert "ACT-SLASH" in correct.observed and not correct.violations, correct.violations
    params, profile = infraction_numbered_late(monkeypatch)
    broken = run_trace(GENESIS, LATE_EVIDENCE[:1], params=params, profile=profile)
    assert broken.violated == {"ACT-SLASH"}, broken.violations


# --- ACT-ALLOWED: the lifecycle's refusals -------------------------------------------------------


@pytest.mark.parametrize(
    "actions",
    [
        (ReportDoubleSign(V0, 1),),
        (*DOWNTIME[:50], ReportDowntime(V0)),
        (*DOWNTIME, AdvanceTime(599), Unjail(V0)),
        (Unjail(V0),),
        (*LATE_EVIDENCE, Unjail(V0)),
    ],
    ids=["no-infraction", "fifty-missed", "jail-not-over", "not-jailed", "tombstoned"],
)
def test_lifecycle_refusal_the_text_allows__holds(actions: tuple[Action, ...]) -> None:
    """Evidence of nothing, downtime at half the window, an unjail before the ten minutes end,
    an unjail of a validator never jailed or tombstoned: refused, and rightly."""
    run = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert run.refused_by, "the correct model accepted it"
    assert "ACT-ALLOWED" in run.observed and not run.violations, run.violations


def _refuse(*args: Any, **kwargs: Any) -> Rejected:
    return Rejected("broken", "refused for no reason of the text")


@pytest.mark.parametrize(
    ("rule", "actions"),
    [
        (model.standing.process_unjail, (*DOWNTIME, AdvanceTime(600), Unjail(V0))),
        (model.staking.process_complete_unbonding, (CompleteUnbonding(),)),
        (model.rewards.process_distribute_rewards, (DistributeRewards(),)),
        (model.standing.process_downtime_evidence, DOWNTIME),
        (model.standing.process_late_double_sign_evidence, LATE_EVIDENCE),
    ],
    ids=["unjail", "complete-unbonding", "rewards", "downtime", "late-evidence"],
)
def test_refusing_an_allowed_lifecycle_action__breaks_act_allowed(
    rule: object, actions: tuple[Action, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    correct = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert not correct.violations and not correct.refused_by, correct.violations
    replace_rule(monkeypatch, rule, _refuse)
    broken = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert "ACT-ALLOWED" in broken.violated, broken.violations
