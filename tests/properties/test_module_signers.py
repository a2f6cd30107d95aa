"""A module pool or an app's escrow signs for nothing: every action that spends from or speaks for
an account refuses them, as a transfer does.

The machine found the opposite once its generators could name module accounts: `Delegate`,
`DelegateToSubcommittee`, `SubmitProposal` and `SubmitComplaint` took STR from a module pool, and
delegating the subcommittee pool's STR to a validator left its delegations unbacked
(docs/findings.md). The chain now refuses them under both profiles; with the guard taken out
again, the checkers still catch it.
"""

from __future__ import annotations

import pytest
from broken_fixtures import GENESIS, run_trace
from broken_rules import USER_2, V0, P

import model.chain.economy
import model.chain.security
import model.chain.society
from model.chain.actions import (
    Action,
    CastVote,
    Delegate,
    DelegateToSubcommittee,
    RedeemStb,
    SubmitComplaint,
    SubmitProposal,
    Transfer,
    Undelegate,
    UndelegateFromSubcommittee,
)
from model.governance import NETWORK_SUPPORT_COMMITTEE, ParamChange, VoteOption
from model.ledger import BONDED_POOL, SUBCOMMITTEE_POOL, Token, get_escrow_account
from model.profile import HARDENED, WHITEPAPER, Profile
from model.units import MICRO, AppId, Rejected

DELEGATED = DelegateToSubcommittee(USER_2, NETWORK_SUPPORT_COMMITTEE, 5 * MICRO)
MODULE_SIGNED: tuple[Action, ...] = (
    Delegate(SUBCOMMITTEE_POOL, V0, 1),
    Undelegate(BONDED_POOL, V0, 1),
    DelegateToSubcommittee(BONDED_POOL, NETWORK_SUPPORT_COMMITTEE, 1),
    UndelegateFromSubcommittee(SUBCOMMITTEE_POOL, NETWORK_SUPPORT_COMMITTEE, 1),
    SubmitProposal(BONDED_POOL, (ParamChange("payment", "str_burn_bps", 1_000),), 1),
    CastVote(0, get_escrow_account(AppId("app-0")), VoteOption.YES),
    SubmitComplaint("c0", BONDED_POOL, "node:n0", P.governance.complaint_min_deposit_ustr),
)


def _no_signer_check(rule: str, account: object) -> Rejected | None:
    return None


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_subcommittee_pool_cannot_transfer(profile: Profile) -> None:
    trace = (DELEGATED, Transfer(SUBCOMMITTEE_POOL, USER_2, Token.STR, 1))
    run = run_trace(GENESIS, trace, params=P, profile=profile)
    assert run.refused_by == ("process_transfer_action",)
    assert not run.violations


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
@pytest.mark.parametrize("action", MODULE_SIGNED, ids=lambda a: type(a).__name__)
def test_invalid_module_signer__refused(action: Action, profile: Profile) -> None:
    run = run_trace(GENESIS, (DELEGATED, action), params=P, profile=profile)
    assert len(run.refused_by) == 1
    assert run.refused_by[0].endswith(("_action", "process_cast_vote")), run.refused_by
    assert not run.violations


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_subcommittee_pool_as_delegator__caught_without_the_guard(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model as it was: the pool's STR bonded to a validator, and GOV-SUBCOMMITTEE sees the
    pool short of the delegations it backs."""
    monkeypatch.setattr(model.chain.security, "check_signer", _no_signer_check)
    trace = (DELEGATED, Delegate(SUBCOMMITTEE_POOL, V0, 5 * MICRO))
    run = run_trace(GENESIS, trace, params=P, profile=profile)
    assert run.refused_by == ()
    assert "GOV-SUBCOMMITTEE" in run.violated, run.violations
    detail = next(v for v in run.violations if v.startswith("GOV-SUBCOMMITTEE"))
    assert "the pool holds 0 ustr, the delegations 5000000" in detail


@pytest.mark.parametrize(
    "action",
    [
        DelegateToSubcommittee(BONDED_POOL, NETWORK_SUPPORT_COMMITTEE, 1),
        SubmitProposal(BONDED_POOL, (ParamChange("payment", "str_burn_bps", 1_000),), 1),
        SubmitComplaint("c0", BONDED_POOL, "node:n0", P.governance.complaint_min_deposit_ustr),
    ],
    ids=lambda a: type(a).__name__,
)
def test_bonded_pool_pays_a_deposit__caught_without_the_guard(
    action: Action, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same missing check on the other actions that take STR from their signer."""
    monkeypatch.setattr(model.chain.society, "check_signer", _no_signer_check)
    run = run_trace(GENESIS, (action,), params=P, profile=HARDENED)
    assert run.refused_by == ()
    assert run.violations, "the bonded pool paid and no check noticed"


ACCEPTED_WITHOUT_THE_GUARD: tuple[Action, ...] = (
    Delegate(SUBCOMMITTEE_POOL, V0, 1),
    DelegateToSubcommittee(BONDED_POOL, NETWORK_SUPPORT_COMMITTEE, 1),
    SubmitProposal(BONDED_POOL, (ParamChange("payment", "str_burn_bps", 1_000),), 1),
    SubmitComplaint("c0", BONDED_POOL, "node:n0", P.governance.complaint_min_deposit_ustr),
)
"""The module-signed actions that have something to spend once the guard is gone."""


@pytest.mark.parametrize("action", ACCEPTED_WITHOUT_THE_GUARD, ids=lambda a: type(a).__name__)
def test_module_signer_accepted__fails_its_action_contract(
    action: Action, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the guard taken out, an action a module pool "signed" breaks its family's ACT
    contract, even where no balance shows it."""
    monkeypatch.setattr(model.chain.security, "check_signer", _no_signer_check)
    monkeypatch.setattr(model.chain.society, "check_signer", _no_signer_check)
    run = run_trace(GENESIS, (DELEGATED, action), params=P, profile=HARDENED)
    assert run.refused_by == ()
    assert any(v.startswith("ACT-") and "has no key" in v for v in run.violations), run.violations


def test_redemption_from_an_escrow__fails_act_bridge(monkeypatch: pytest.MonkeyPatch) -> None:
    """An escrow's prepaid STB redeemed by whoever names the escrow: ACT-BRIDGE."""
    monkeypatch.setattr(model.chain.economy, "check_signer", _no_signer_check)
    run = run_trace(
        GENESIS, (RedeemStb(get_escrow_account(AppId("app-0")), 1),), params=P, profile=HARDENED
    )
    assert run.refused_by == ()
    assert "ACT-BRIDGE" in run.violated, run.violations
