"""Finding: a module pool or an app's escrow can spend through any action but a transfer.

The model refuses a `Transfer` whose sender is a module pool or an escrow ("nobody signs for a
module pool or an escrow"), but `Delegate`, `DelegateToSubcommittee`, `SubmitProposal` and
`SubmitComplaint` name their payer without that check. Delegating the subcommittee pool's STR to
a validator leaves the delegations unbacked, and GOV-SUBCOMMITTEE (and CONS-STR) catch it under
both profiles. Recorded in docs/findings.md; these tests reproduce it.
"""

from __future__ import annotations

import pytest
from broken_fixtures import GENESIS, run_trace
from broken_rules import USER_2, V0, P

from model.chain.actions import (
    Action,
    Delegate,
    DelegateToSubcommittee,
    SubmitComplaint,
    SubmitProposal,
    Transfer,
)
from model.governance import NETWORK_SUPPORT_COMMITTEE, ParamChange
from model.ledger import BONDED_POOL, SUBCOMMITTEE_POOL, Token
from model.profile import HARDENED, WHITEPAPER, Profile
from model.units import MICRO

DELEGATED = DelegateToSubcommittee(USER_2, NETWORK_SUPPORT_COMMITTEE, 5 * MICRO)


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_subcommittee_pool_cannot_transfer(profile: Profile) -> None:
    trace = (DELEGATED, Transfer(SUBCOMMITTEE_POOL, USER_2, Token.STR, 1))
    run = run_trace(GENESIS, trace, params=P, profile=profile)
    assert run.refused_by == ("process_transfer_action",)
    assert not run.violations


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_subcommittee_pool_as_delegator__accepted_and_caught(profile: Profile) -> None:
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
def test_bonded_pool_pays_a_deposit__accepted(action: Action) -> None:
    """The same missing check on the other actions that take STR from their signer."""
    run = run_trace(GENESIS, (action,), params=P, profile=HARDENED)
    assert run.refused_by == ()
    assert run.violations, "the bonded pool paid and no check noticed"
