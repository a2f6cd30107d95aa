"""Complaint Network Committee (§6.8): complaints on apps or nodes and their MinDeposits.

A complaint locks its deposit until validators judge it; the refund share then goes back to the
complainant if upheld (else to the reserve pool) and the rest pays the judging validators. An
upheld complaint on a node is added to the node's reputation by the chain
(`model.chain.society.process_resolve_complaint_action`).
"""

from __future__ import annotations

from attrs import field, frozen
from pyrsistent import PMap

from model import arith
from model.ledger import (
    COMPLAINT_DEPOSITS,
    RESERVE_POOL,
    Ledger,
    process_transfer_str,
)
from model.maps import dmap
from model.params import Params
from model.records import evolve
from model.units import AccountId, NodeId, Outcome, Rejected, UStr

NODE_TARGET_PREFIX = "node:"
"""A complaint's target names a node as `node:<node id>` (an app as `app:<app id>`)."""


@frozen
class Complaint:
    """§6.8: a complaint on an app or node with its MinDeposit; `upheld` is set once resolved."""

    complaint_id: str
    complainant: AccountId
    target: str
    deposit_ustr: UStr
    upheld: bool | None = None


@frozen
class ComplaintResolution:
    """§6.8: where a resolved complaint's deposit went, for the caller to update reputation."""

    complaint_id: str
    complainant: AccountId
    target: str
    upheld: bool
    refund_ustr: UStr
    refund_recipient: AccountId
    per_validator_ustr: UStr
    validators: tuple[AccountId, ...]
    reserve_dust_ustr: UStr


@frozen
class ComplaintBook:
    """§6.8: every complaint filed, open or resolved, by id."""

    complaints: PMap[str, Complaint] = field(factory=dmap)


def get_complained_node(target: str) -> NodeId | None:
    """§6.8: the node a complaint's target names, or None if it names no node."""
    if target.startswith(NODE_TARGET_PREFIX) and len(target) > len(NODE_TARGET_PREFIX):
        return NodeId(target[len(NODE_TARGET_PREFIX) :])
    return None


def process_submit_complaint(
    ledger: Ledger,
    book: ComplaintBook,
    *,
    params: Params,
    complaint_id: str,
    complainant: AccountId,
    app_or_node_target: str,
    deposit_ustr: UStr,
) -> Outcome[tuple[Ledger, ComplaintBook]]:
    """§6.8: file a complaint on an app or a node, locking at least the MinDeposit."""
    # Verify the complaint id is new (a resolved complaint keeps its id).
    if complaint_id in book.complaints:
        return Rejected("process_submit_complaint", f"complaint {complaint_id!r} already exists")
    # Verify the deposit reaches the MinDeposit.
    minimum = params.governance.complaint_min_deposit_ustr
    if deposit_ustr < minimum:
        return Rejected(
            "process_submit_complaint",
            f"deposit {deposit_ustr} ustr is below the MinDeposit {minimum} ustr",
        )
    locked = process_transfer_str(
        ledger, sender=complainant, recipient=COMPLAINT_DEPOSITS, amount=deposit_ustr
    )
    if isinstance(locked, Rejected):
        return locked
    complaint = Complaint(
        complaint_id=complaint_id,
        complainant=complainant,
        target=app_or_node_target,
        deposit_ustr=deposit_ustr,
    )
    return locked, evolve(book, complaints=book.complaints.set(complaint_id, complaint))


def process_resolve_complaint(
    ledger: Ledger,
    book: ComplaintBook,
    *,
    params: Params,
    complaint_id: str,
    upheld: bool,
    validators: tuple[AccountId, ...],
) -> Outcome[tuple[Ledger, ComplaintBook, ComplaintResolution]]:
    """§6.8: the refund share goes back if upheld, else to the reserve pool; the rest pays validators."""
    complaint = book.complaints.get(complaint_id)
    # Verify the complaint exists and is still open.
    if complaint is None:
        return Rejected("process_resolve_complaint", f"no complaint {complaint_id!r}")
    if complaint.upheld is not None:
        return Rejected("process_resolve_complaint", f"complaint {complaint_id!r} is resolved")
    # Verify no validator is listed twice, which would pay it twice.
    if len(set(validators)) != len(validators):
        return Rejected("process_resolve_complaint", "a validator is listed twice")
    deposit = complaint.deposit_ustr
    refund = arith.bps_of(arith.INTS, deposit, params.governance.complaint_refund_bps)
    refund_recipient = complaint.complainant if upheld else RESERVE_POOL
    # Dust: the refund's floor remainder joins the validators' share; their split's remainder
    # (all of it when no validator is named) goes to the reserve pool.
    rest = deposit - refund
    share = arith.divide_validation_payment(arith.INTS, rest, max(1, len(validators)))
    per_validator = share.each if validators else 0
    reserve_dust = rest - per_validator * len(validators)
    payouts = [(refund_recipient, refund)]
    payouts += [(validator, per_validator) for validator in validators]
    payouts.append((RESERVE_POOL, reserve_dust))
    for recipient, amount in payouts:
        paid = process_transfer_str(
            ledger, sender=COMPLAINT_DEPOSITS, recipient=recipient, amount=amount
        )
        if isinstance(paid, Rejected):
            return paid
        ledger = paid
    resolution = ComplaintResolution(
        complaint_id=complaint_id,
        complainant=complaint.complainant,
        target=complaint.target,
        upheld=upheld,
        refund_ustr=refund,
        refund_recipient=refund_recipient,
        per_validator_ustr=per_validator,
        validators=validators,
        reserve_dust_ustr=reserve_dust,
    )
    complaint = evolve(complaint, upheld=upheld)
    book = evolve(book, complaints=book.complaints.set(complaint_id, complaint))
    return ledger, book, resolution
