"""The billing Trusted Function of §4.3.1 and a whole Trusted Function: billing, round, settlement.

Before the main round, a billing round asks the same nodes for the app's metered usage; its
agreed output is the usage amount, written on-chain as its hash, and the validators pay from it.
The reading here: every replica of the service meters the same usage (the node rate is set by
the network, §4.4), so honest nodes agree on one amount, encoded as its decimal digits.
"""

from __future__ import annotations

from attrs import frozen

from model.hashing import compute_hash
from model.params import Params
from model.profile import Profile
from model.records import evolve
from model.trusted.behaviour import Scenario
from model.trusted.scenario import RoundRun, run_round_to_decision
from model.trusted.settlement import RoundOutcome, TrustedChain, process_settle_round
from model.trusted.validation import FALSE, encode_value, get_value_hash
from model.units import AccountId, Outcome, Rejected, UsdMicro, UStr


def encode_usage(cost: UsdMicro) -> bytes:
    """§4.3.1: the billing function's output for a usage of `cost` micro-dollars."""
    return str(cost).encode("ascii")


def get_billed_cost(run: RoundRun, *, claimed_cost: UsdMicro) -> Outcome[UsdMicro]:
    """§4.3.1, §3.3 Steps 10-12: the usage the validators pay from: `claimed_cost`, if the
    billing round's validators passed its hash on-chain (decision and block; a run without
    validators: if the nodes agreed on it)."""
    rule = "get_billed_cost"
    decision = run.state.decision
    if decision is None:
        return Rejected(rule, "the billing round reached no consensus on usage")
    applied = (
        run.validation.applied_value
        if run.validation is not None
        else encode_value(decision.consensus, decision.agreed_output_hash)
    )
    # Verify the usage is on-chain: its hash passed by the validators' decision and block.
    if applied is None or applied == FALSE:
        return Rejected(rule, "the billing round's validators passed no usage on-chain")
    # Verify the claimed amount is the one whose hash passed.
    if get_value_hash(applied) != compute_hash(encode_usage(claimed_cost), run.state.algorithm):
        return Rejected(rule, f"{claimed_cost} is not the usage the billing round passed")
    return claimed_cost


def _undecided_reason(which: str, run: RoundRun) -> str:
    return (
        f"the {which} round {run.state.round_id} never decided: it is stuck in phase "
        f"{run.state.phase.value}, waiting for the app to reveal its salts (§3.2 F6 sets no "
        "deadline under this profile), so it cannot be settled"
    )


@frozen
class TrustedFunctionResult:
    """A billing round and the main round it paid for."""

    billing: RoundOutcome
    main: RoundOutcome


def run_trusted_function(
    chain: TrustedChain,
    *,
    billing: Scenario,
    main: Scenario,
    usage: UsdMicro,
    params: Params,
    profile: Profile,
    validators: tuple[AccountId, ...] = (),
    validation_prefund_ustr: UStr = 0,
) -> Outcome[tuple[TrustedChain, TrustedFunctionResult]]:
    """§3.4, §4.3.1: a billing round on `usage`, then the main round, each run and settled."""
    rule = "run_trusted_function"
    if billing.app != main.app:
        return Rejected(rule, "the billing round and the main round must serve one app")
    if billing.correct_output != encode_usage(usage):
        billing = evolve(billing, correct_output=encode_usage(usage))
    billed = run_round_to_decision(billing, params=params, profile=profile)
    if isinstance(billed, Rejected):
        return billed
    # Verify the billing round decided: an app that withholds its salts (F6) stalls it for good.
    if billed.decided_at is None:
        return Rejected(rule, _undecided_reason("billing", billed))
    # Billing rounds are not paid from usage; they settle slashes and reputation only.
    settled_billing = process_settle_round(
        chain,
        billed.state,
        cost=0,
        now=billed.decided_at,
        params=params,
        profile=profile,
        validation=billed.validation,
    )
    if isinstance(settled_billing, Rejected):
        return settled_billing
    chain, billing_outcome = settled_billing
    cost = get_billed_cost(billed, claimed_cost=usage)
    ran = run_round_to_decision(main, params=params, profile=profile)
    if isinstance(ran, Rejected):
        return ran
    # Verify the main round decided, for the same reason.
    if ran.decided_at is None:
        return Rejected(rule, _undecided_reason("main", ran))
    settled = process_settle_round(
        chain,
        ran.state,
        cost=0 if isinstance(cost, Rejected) else cost,
        now=ran.decided_at,
        params=params,
        profile=profile,
        validators=validators,
        validation_prefund_ustr=validation_prefund_ustr,
        validation=ran.validation,
    )
    if isinstance(settled, Rejected):
        return settled
    chain, main_outcome = settled
    return chain, TrustedFunctionResult(billing=billing_outcome, main=main_outcome)
