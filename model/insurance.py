"""The insurance pool (§4.5): what goes in, and the two payouts it exists for.

§4.5 "We employ an insurance pool as (1) an incentive for both nodes and community members to
prove cybercriminal activities of an application and (2) a potential reimbursement vehicle for
damages incurred by nodes." The text names no inflow. The model reads it as a pool that anyone
may pay STR into (a contribution, like a donation to a DAO's treasury, §6.8), so no share of a
payment or of a fee is diverted to it; payouts are the two purposes above, and only the
Insurance Pool Payouts Committee orders them (`model.committees`, profile switch
`committee_votes`).
"""

from __future__ import annotations

from enum import Enum

from model.ledger import INSURANCE_POOL, Ledger, process_transfer_str
from model.units import AccountId, Outcome, Rejected, UStr


class InsuranceClaim(Enum):
    """§4.5: what an insurance payout pays for."""

    CYBERCRIME_BOUNTY = "cybercrime-bounty"
    """(1): a bounty to whoever proved an application's cybercriminal activity."""
    NODE_REIMBURSEMENT = "node-reimbursement"
    """(2): damages a node incurred (from its cloud provider, for an app's operations)."""


def process_insurance_contribution(
    ledger: Ledger, *, contributor: AccountId, amount: UStr
) -> Outcome[Ledger]:
    """§4.5: `contributor` pays `amount` STR into the insurance pool (the model's inflow: the
    text names none)."""
    paid = process_transfer_str(ledger, sender=contributor, recipient=INSURANCE_POOL, amount=amount)
    if isinstance(paid, Rejected):
        return Rejected("process_insurance_contribution", paid.reason)
    return paid


def process_insurance_payout(
    ledger: Ledger, *, recipient: AccountId, amount: UStr, claim: InsuranceClaim
) -> Outcome[Ledger]:
    """§4.5: the insurance pool pays `amount` STR to `recipient` for one of its two purposes."""
    rule = "process_insurance_payout"
    # Verify the claim is one §4.5 names.
    if not isinstance(claim, InsuranceClaim):
        return Rejected(rule, f"unknown insurance claim {claim!r}")
    paid = process_transfer_str(ledger, sender=INSURANCE_POOL, recipient=recipient, amount=amount)
    if isinstance(paid, Rejected):
        return Rejected(rule, f"{paid.reason} ({claim.value})")
    return paid
