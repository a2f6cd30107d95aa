"""APP-VALIDATORS, BFT-VALIDATORS and the resolution part of PAY-ONLY-MAJORITY on the chain
(§3.3 Steps 10-12, §4.3.2): correct traces hold them, and each catches a model broken in the
part of the rule it states; the contracts of the developer's count (ACT-ROUND) and of a lock's
resolution (ACT-ESCROW) catch theirs."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from broken_fixtures import APP, GENESIS, plan, replace_rule, run_trace
from broken_rules import V0, V2, V3, P

from model import escrow
from model.chain import economy, transitions
from model.chain.actions import Action, ResolveLocked, RunRound, SetAppValidatorCount
from model.chain.state import get_developer
from model.params import Params
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted import validation
from model.trusted.behaviour import Behaviour, ValidatorBehaviour, ValidatorPlan
from model.units import MICRO, Rejected
from properties.replay import apply_and_check, start_and_check

DEVELOPER = get_developer(APP)
ABSTAIN, LIE = ValidatorBehaviour.ABSTAIN, ValidatorBehaviour.LIE
TWO_ABSTAIN = (ValidatorPlan(V2, ABSTAIN), ValidatorPlan(V3, ABSTAIN))
"""Two of the four genesis validators abstain: no supermajority, recourse."""
ONE_WRONG = (plan(0), plan(1), plan(2), plan(3, Behaviour.WRONG_OUTPUT))
"""Three honest nodes and one wrong output: F10 TRUE for the three."""
RECOURSE = RunRound(APP, ONE_WRONG, MICRO, validator_plans=TWO_ABSTAIN)
"""F10 TRUE but no validator supermajority: all four counted nodes' payment is locked."""


def _run(actions: list[Action], params: Params = P, profile: Profile = HARDENED) -> Any:
    return run_trace(GENESIS, actions, params=params, profile=profile)


def test_correct_traces__hold_every_validator_invariant() -> None:
    actions: list[Action] = [
        SetAppValidatorCount(APP, DEVELOPER, 3),
        RunRound(APP, ONE_WRONG, MICRO, validator_plans=(ValidatorPlan(V0, LIE),)),
        RECOURSE,
        ResolveLocked(APP, 2),
    ]
    run = _run(actions)
    assert {"APP-VALIDATORS", "BFT-VALIDATORS", "PAY-ONLY-MAJORITY"} <= run.observed
    assert not run.violations, run.violations
    assert run.refused_by == ()


def test_recourse_then_resolution__pays_only_the_supermajority_group() -> None:
    """The old stand-in paid every locked node, wrong outputs included: now the committee's
    vote pays the three that revealed F10's output, and n3's share returns to the escrow."""
    current = start_and_check(GENESIS, params=P, profile=HARDENED)
    assert not isinstance(current, Rejected)
    locked = apply_and_check(current, RECOURSE)
    assert not isinstance(locked, Rejected), locked
    record = locked.state.escrows.escrows[APP].locked[1]
    assert len(record.node_accounts) == 4
    resolved = apply_and_check(locked, ResolveLocked(APP, 1))
    assert not isinstance(resolved, Rejected), resolved
    assert not [o for o in resolved.observations if not o.holds]
    gained = [
        account
        for account in record.node_accounts
        if resolved.state.ledger.balances[account].ustb > locked.state.ledger.balances[account].ustb
    ]
    assert len(gained) == 3 and record.node_accounts[3] not in gained


def test_developer_count__refused_unless_signed_and_in_range() -> None:
    for action in (
        SetAppValidatorCount(APP, get_developer(APP.replace("0", "1")), 2),  # type: ignore[arg-type]
        SetAppValidatorCount(APP, DEVELOPER, 0),
        SetAppValidatorCount(APP, DEVELOPER, 5),
    ):
        run = _run([action])
        assert run.refused_by == ("process_set_app_validator_count",), action
        assert not run.violations, run.violations


# --- Broken models ------------------------------------------------------------------------------


def _count_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    """The committee is every eligible validator, whatever the developer set."""
    real = validation.process_select_committee

    def broken(plans: Any, *, count: int | None, **kwargs: Any) -> Any:
        return real(plans, count=None, **kwargs)

    replace_rule(monkeypatch, real, broken)


def test_broken_count__breaks_app_validators(monkeypatch: pytest.MonkeyPatch) -> None:
    actions: list[Action] = [
        SetAppValidatorCount(APP, DEVELOPER, 2),
        RunRound(APP, ONE_WRONG, MICRO),
    ]
    assert not _run(actions).violations
    _count_ignored(monkeypatch)
    broken = _run(actions)
    assert "APP-VALIDATORS" in broken.violated, broken.violations
    assert broken.violated <= {"APP-VALIDATORS"}, broken.violations


def test_broken_seed__breaks_app_validators(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed leaves out the last validator's secret: the committee is drawn from another."""
    real = validation.compute_beacon_seed

    def broken(*, round_id: int, revealed: Any, algorithm: Any) -> bytes:
        kept = dict(sorted(revealed.items())[:-1])
        return real(round_id=round_id, revealed=kept, algorithm=algorithm)

    actions: list[Action] = [
        SetAppValidatorCount(APP, DEVELOPER, 2),
        RunRound(APP, ONE_WRONG, MICRO),
    ]
    replace_rule(monkeypatch, real, broken)
    assert "APP-VALIDATORS" in _run(actions).violated


def test_broken_threshold__breaks_bft_validators(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validator votes pass at half the committee: two honest of four pass F10's value and its
    block, which the text's > 2/3 does not."""
    real = validation.is_validator_supermajority

    def broken(votes: int, committee: int, params: Params) -> bool:
        return 2 * votes >= committee

    actions: list[Action] = [RECOURSE]
    assert not _run(actions).violations
    replace_rule(monkeypatch, real, broken)
    run = _run(actions)
    assert "BFT-VALIDATORS" in run.violated, run.violations
    # The round is paid instead of locked: the round contract sees it too.
    assert run.violated <= {"BFT-VALIDATORS", "ACT-ROUND", "CONS-SPLIT"}, run.violations


def test_broken_equivocation__breaks_bft_validators(monkeypatch: pytest.MonkeyPatch) -> None:
    """An equivocator's votes are counted once each: a liar voting twice is heard."""
    real = validation._equivocators

    def broken(votes: Any) -> set[Any]:
        return set()

    plans = (ValidatorPlan(V0, ValidatorBehaviour.EQUIVOCATE),)
    actions: list[Action] = [RunRound(APP, ONE_WRONG, MICRO, validator_plans=plans)]
    assert not _run(actions).violations
    replace_rule(monkeypatch, real, broken)
    assert "BFT-VALIDATORS" in _run(actions).violated


def test_stand_in_resolution_paying_every_node__breaks_pay_only_majority(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The measured bug: a resolution that pays every locked node (n3 revealed a wrong output)."""
    real = escrow.process_resolve_locked_payment

    def broken(ledger: Any, book: Any, *, app: Any, round_id: int, paid_hash: Any) -> Any:
        record = book.escrows[app].locked[round_id]
        everyone = attrs.evolve(record, output_hashes=(paid_hash,) * len(record.node_accounts))
        app_book = attrs.evolve(
            book.escrows[app], locked=book.escrows[app].locked.set(round_id, everyone)
        )
        forged = attrs.evolve(book, escrows=book.escrows.set(app, app_book))
        return real(ledger, forged, app=app, round_id=round_id, paid_hash=paid_hash)

    actions: list[Action] = [RECOURSE, ResolveLocked(APP, 1)]
    replace_rule(monkeypatch, real, broken)
    run = _run(actions)
    assert "PAY-ONLY-MAJORITY" in run.violated, run.violations
    assert run.violated <= {"PAY-ONLY-MAJORITY", "ACT-ESCROW", "CONS-SPLIT"}, run.violations


def test_resolution_without_a_vote__breaks_pay_only_majority(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A resolution the committee never passed (two of four abstain) pays F10's group anyway."""
    real = validation.process_resolution_vote

    def broken(**kwargs: Any) -> Any:
        vote = real(**kwargs)
        return attrs.evolve(vote, passed=kwargs["truth"])

    actions: list[Action] = [RECOURSE, ResolveLocked(APP, 1, TWO_ABSTAIN)]
    correct = _run(actions)
    assert correct.refused_by == ("process_resolve_locked",) and not correct.violations
    replace_rule(monkeypatch, real, broken)
    run = _run(actions)
    assert "PAY-ONLY-MAJORITY" in run.violated, run.violations
    assert run.violated <= {"PAY-ONLY-MAJORITY", "ACT-ESCROW", "ACT-ALLOWED", "CONS-SPLIT"}, (
        run.violations
    )


def test_broken_count_contract__breaks_act_round(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's count is stored one higher than it set."""
    real = economy.process_set_app_validator_count

    def broken(state: Any, action: SetAppValidatorCount) -> Any:
        return real(state, attrs.evolve(action, count=action.count + 1))

    actions: list[Action] = [SetAppValidatorCount(APP, DEVELOPER, 2)]
    correct = _run(actions)
    assert "ACT-ROUND" in correct.observed and not correct.violations
    monkeypatch.setitem(transitions._HANDLERS, SetAppValidatorCount, broken)
    run = _run(actions)
    assert "ACT-ROUND" in run.violated and run.violated <= {"ACT-ROUND"}, run.violations


def test_refusing_a_valid_count__breaks_act_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = economy.process_set_app_validator_count

    def broken(state: Any, action: SetAppValidatorCount) -> Any:
        return Rejected("broken", "refuses what the text allows")

    assert real is transitions._HANDLERS[SetAppValidatorCount]
    monkeypatch.setitem(transitions._HANDLERS, SetAppValidatorCount, broken)
    run = _run([SetAppValidatorCount(APP, DEVELOPER, 2)])
    assert "ACT-ALLOWED" in run.violated, run.violations


WITHHOLDER = (ValidatorPlan(V0, withholds_beacon=True),)
"""v0 commits to the beacon and never reveals its secret."""


def test_finding__whitepaper_seats_a_validator_that_withheld_its_beacon_secret() -> None:
    """§4.4's "randomized selection" names no source of randomness. With the commit-reveal
    beacon, a validator that withholds its secret (having seen the others') stays eligible under
    the literal reading, so it can pick the one of two seeds that seats it: APP-VALIDATORS fails.
    `hardened` (switch `beacon_excludes_withholders`) takes it off the round's committee."""
    actions: list[Action] = [RunRound(APP, ONE_WRONG, MICRO, validator_plans=WITHHOLDER)]
    literal = _run(actions, profile=WHITEPAPER)
    assert "APP-VALIDATORS" in literal.violated, literal.violations
    assert any("withheld their beacon secrets" in v for v in literal.violations)
    assert not _run(actions, profile=HARDENED).violations


def test_resolution_returning_the_group_share__breaks_act_escrow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A resolution that returns everything to the escrow although the committee passed F10's
    output: the three nodes that revealed it go unpaid."""
    real = escrow.process_resolve_locked_payment

    def broken(ledger: Any, book: Any, *, app: Any, round_id: int, paid_hash: Any) -> Any:
        return real(ledger, book, app=app, round_id=round_id, paid_hash=None)

    actions: list[Action] = [RECOURSE, ResolveLocked(APP, 1)]
    correct = _run(actions)
    assert "ACT-ESCROW" in correct.observed and not correct.violations
    replace_rule(monkeypatch, real, broken)
    run = _run(actions)
    assert "ACT-ESCROW" in run.violated, run.violations
    # CONS-SPLIT checks the resolution's movements as well.
    assert run.violated <= {"ACT-ESCROW", "CONS-SPLIT"}, run.violations
