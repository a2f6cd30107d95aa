"""Shared builders for the governance tests: accounts, a funded ledger, proposals, votes, tallies."""

from __future__ import annotations

from model_checks import is_str_conserved

from model.governance import (
    GovernanceState,
    ParamChange,
    TallyResult,
    VoteOption,
    create_governance_state,
    process_submit_proposal,
    process_tally,
    process_vote,
)
from model.ledger import GOVERNANCE_DEPOSITS, Ledger, create_genesis, get_balance
from model.profile import HARDENED, Profile
from model.units import AccountId, Rejected

ALICE = AccountId("alice")
BOB = AccountId("bob")
CAROL = AccountId("carol")
DAVE = AccountId("dave")
NOW = 1_000
PERIOD = create_governance_state().params.governance.voting_period_seconds
END = NOW + PERIOD

BURN_CHANGE = (
    ParamChange("payment", "str_burn_bps", 1_200),
    ParamChange("payment", "str_node_profit_bps", 1_800),
)
"""A coherent supermajority change: the node gives up what the burn gains."""
BURN_ALONE = (ParamChange("payment", "str_burn_bps", 1_200),)
"""Incoherent: the STR sub-shares then sum to 4200 bps of a 4000 bps margin."""
RATE_CHANGE = (ParamChange("consensus", "max_validators", 150),)


def genesis(allocations: dict[AccountId, int]) -> Ledger:
    ledger = create_genesis(allocations)
    assert not isinstance(ledger, Rejected), ledger
    return ledger


def submit(
    ledger: Ledger,
    gov: GovernanceState,
    changes: tuple[ParamChange, ...],
    *,
    proposer: AccountId = ALICE,
    deposit: int = 10,
    profile: Profile = HARDENED,
) -> tuple[Ledger, GovernanceState, int]:
    result = process_submit_proposal(
        ledger,
        gov,
        proposer=proposer,
        changes=changes,
        deposit_ustr=deposit,
        now=NOW,
        profile=profile,
    )
    assert not isinstance(result, Rejected), result
    new_ledger, new_gov, proposal_id = result
    assert get_balance(new_ledger, GOVERNANCE_DEPOSITS).ustr == (
        get_balance(ledger, GOVERNANCE_DEPOSITS).ustr + deposit
    )
    assert new_gov.proposals[proposal_id].voting_end == END
    assert is_str_conserved(new_ledger)
    return new_ledger, new_gov, proposal_id


def vote(
    gov: GovernanceState, proposal_id: int, voter: AccountId, option: VoteOption
) -> GovernanceState:
    result = process_vote(gov, proposal_id=proposal_id, voter=voter, option=option, now=NOW + 1)
    assert not isinstance(result, Rejected), result
    assert result.proposals[proposal_id].votes[voter] is option
    return result


def run_tally(
    ledger: Ledger,
    gov: GovernanceState,
    proposal_id: int,
    held: dict[AccountId, int] | None = None,
    *,
    profile: Profile = HARDENED,
) -> tuple[Ledger, GovernanceState, TallyResult]:
    proposal = gov.proposals[proposal_id]
    result = process_tally(
        ledger, gov, proposal_id=proposal_id, now=END, held=held, profile=profile
    )
    assert not isinstance(result, Rejected), result
    new_ledger, new_gov, tally = result
    # The deposit returns to the proposer whatever the outcome.
    assert get_balance(new_ledger, proposal.proposer).ustr == (
        get_balance(ledger, proposal.proposer).ustr + proposal.deposit_ustr
    )
    assert new_gov.proposals[proposal_id].result == tally
    if not tally.passed:
        assert new_gov.params == gov.params
    if tally.refused is not None:
        assert not tally.passed and profile.governance_checks_coherence
    assert is_str_conserved(new_ledger)
    return new_ledger, new_gov, tally
