"""Deliberately broken rules of the model, one per invariant: each patches one rule (or, where
the docstring says so, a profile switch standing for a broken rule) and returns what to run under."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest
from broken_fixtures import (
    APP,
    OTHER_APP,
    credit,
    replace_rule,
)

import model.trusted.round as round_model
import properties.replay
from model import (
    complaints,
    escrow,
    governance,
    hashing,
    payment,
    rewards,
    slashing,
    standing,
    stratoswap,
    supply,
)
from model.chain import economy, security, society
from model.chain.state import get_user, get_validator, get_validator_operator
from model.escrow import process_usage_payment
from model.ledger import (
    NODE_STAKE_POOL,
    STRATOSWAP_POOL,
    SWAP_RESERVE,
    Ledger,
    Token,
    get_balance,
    process_burn,
    process_transfer,
)
from model.params import WHITEPAPER_PARAMS, Params
from model.payment import PaymentSplit, compute_payment_split
from model.profile import HARDENED, CompositeEncoding, Profile, RevealContents
from model.reputation import process_outbound_request
from model.slashing import DelegatorLoss, SlashingState, SlashRecord
from model.staking import get_power_of, get_total_voting_power, is_in_good_standing
from model.supply import SupplyState, process_usdc_deposit
from model.trusted import scenario, settlement
from model.trusted.round import RevealCheck, RoundState
from model.trusted.scenario import RoundRun, run_round_to_decision
from model.trusted.settlement import NodeSlash, TrustedChain, process_settle_round
from model.units import BPS_DENOMINATOR, MICRO, AccountId, Outcome, Rejected

P = WHITEPAPER_PARAMS
DEFAULTS = (P, HARDENED)
"""The whitepaper's parameters under HARDENED: what a break that patches a rule runs with."""
USER_0, USER_1, USER_2 = (get_user(i) for i in range(3))
V0, V1, V2, V3 = (get_validator(i) for i in range(4))
WINDOW = P.slashing.slash_window_seconds
GOLDEN_COST = 100 * MICRO
VOTING = P.governance.voting_period_seconds


def _decision(state: RoundState, **changes: Any) -> RoundState:
    assert state.decision is not None
    return attrs.evolve(state, decision=attrs.evolve(state.decision, **changes))


def _with_split(change: Callable[[PaymentSplit], PaymentSplit]) -> Callable[..., PaymentSplit]:
    real = compute_payment_split

    def broken(cost: int, params: Params) -> PaymentSplit:
        return change(real(cost, params))

    return broken


# --- Conservation --------------------------------------------------------------------------------


def transfer_mints_a_unit(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A transfer credits the recipient one micro-unit more than it debits the sender."""
    real = process_transfer

    def broken(ledger: Ledger, **kwargs: Any) -> Outcome[Ledger]:
        moved = real(ledger, **kwargs)
        if isinstance(moved, Rejected):
            return moved
        return credit(moved, kwargs["recipient"], kwargs["token"], 1)

    monkeypatch.setattr(economy, "process_transfer", broken)
    return DEFAULTS


def deposit_credits_twice(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A bridged USDC deposit mints its STB to the recipient twice, locking the USDC once."""
    real = process_usdc_deposit

    def broken(ledger: Ledger, supply_state: SupplyState, **kwargs: Any) -> Any:
        result = real(ledger, supply_state, **kwargs)
        if isinstance(result, Rejected):
            return result
        minted, after = result
        return credit(minted, kwargs["recipient"], Token.STB, kwargs["amount"]), after

    monkeypatch.setattr(economy, "process_usdc_deposit", broken)
    return DEFAULTS


def split_drops_the_dust(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The cost basis is floored on its own share of T instead of absorbing the margins' dust."""

    def change(split: PaymentSplit) -> PaymentSplit:
        payment = P.payment
        rest = BPS_DENOMINATOR - payment.stb_profit_margin_bps - payment.str_profit_margin_bps
        return attrs.evolve(split, stb_cost_basis=split.total * rest // BPS_DENOMINATOR)

    monkeypatch.setattr(escrow, "compute_payment_split", _with_split(change))
    return DEFAULTS


def usage_paid_from_the_other_escrow(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A round of app-0 pays its nodes out of app-1's escrow."""
    real = process_usage_payment

    def broken(ledger: Ledger, book: escrow.EscrowBook, **kwargs: Any) -> Outcome[Ledger]:
        other = OTHER_APP if kwargs["app"] == APP else APP
        return real(ledger, book, **(kwargs | {"app": other}))

    monkeypatch.setattr(settlement, "process_usage_payment", broken)
    return DEFAULTS


# --- Payment -------------------------------------------------------------------------------------


def cost_basis_to_the_reserve(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Half the node's cost basis goes to the swap reserve (the STB withdrawn is unchanged)."""

    def change(split: PaymentSplit) -> PaymentSplit:
        half = split.stb_cost_basis // 2
        return attrs.evolve(
            split,
            stb_cost_basis=split.stb_cost_basis - half,
            stb_swap_reserve=split.stb_swap_reserve + half,
        )

    monkeypatch.setattr(escrow, "compute_payment_split", _with_split(change))
    return DEFAULTS


def node_profit_to_the_reserve(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Half the node's STB profit goes to the swap reserve: $105 of STB for a $100 cost, not $110."""

    def change(split: PaymentSplit) -> PaymentSplit:
        half = split.stb_node_profit // 2
        return attrs.evolve(
            split,
            stb_node_profit=split.stb_node_profit - half,
            stb_swap_reserve=split.stb_swap_reserve + half,
        )

    monkeypatch.setattr(escrow, "compute_payment_split", _with_split(change))
    return DEFAULTS


def every_counted_node_paid(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Settlement pays every node whose reveal was counted, not only the supermajority."""
    real = process_settle_round

    def broken(chain: TrustedChain, state: RoundState, **kwargs: Any) -> Any:
        assert state.decision is not None
        return real(chain, _decision(state, supermajority=state.decision.counted), **kwargs)

    monkeypatch.setattr(economy, "process_settle_round", broken)
    return DEFAULTS


# --- Consensus -----------------------------------------------------------------------------------


def threshold_one_third(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Parameters standing for a broken F10: consensus at more than 1/3 of N, not 2/3."""
    consensus = attrs.evolve(P.consensus, threshold_num=1, threshold_den=3)
    return attrs.evolve(P, consensus=consensus), HARDENED


def threshold_base_committed(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """F10's N counts only the nodes that committed, under HARDENED."""

    def broken(state: RoundState, *, profile: Profile) -> int:
        return len(state.commits)

    monkeypatch.setattr(round_model, "get_threshold_base", broken)
    return DEFAULTS


def block_commit_at_half(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A block commits with half of the voting power (>= 1/2) instead of more than 2/3."""

    def broken(staking: Any, params: Params, commit: Any) -> Any:
        signed = get_power_of(staking, params, commit.signers)
        if 2 * signed >= get_total_voting_power(staking, params):
            return commit
        return Rejected("process_block_commit", "less than half of the voting power")

    monkeypatch.setattr(security, "process_block_commit", broken)
    return DEFAULTS


# --- Commit-reveal -------------------------------------------------------------------------------


def mismatch_not_slashed(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Settlement skips Step 11: a reveal that does not open its commit goes unslashed."""
    real = process_settle_round

    def broken(chain: TrustedChain, state: RoundState, **kwargs: Any) -> Any:
        return real(chain, _decision(state, mismatched=()), **kwargs)

    monkeypatch.setattr(economy, "process_settle_round", broken)
    return DEFAULTS


def reveals_not_recomputed(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Validators accept every reveal without recomputing its commit, so a copied one passes."""

    def broken(state: RoundState, *, node: Any, profile: Profile) -> RevealCheck:
        return RevealCheck.MATCH

    monkeypatch.setattr(round_model, "check_reveal", broken)
    return DEFAULTS


def app_salt_complaint_ignored(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A node's complaint about a bad app salt is dropped, so it serves with that salt."""

    def broken(state: RoundState, **kwargs: Any) -> RoundState:
        return state

    monkeypatch.setattr(scenario, "process_complain_app_salt", broken)
    return DEFAULTS


def reveal_salt_hash(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """HARDENED with one switch of the literal F7 (a broken rule): nodes reveal h(S_N), not S_N."""
    return P, attrs.evolve(HARDENED, reveal_contents=RevealContents.NODE_SALT_HASH)


def reveals_before_app_salts(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A round (test double) whose nodes revealed a second before the app's salts were on-chain."""
    real = run_round_to_decision

    def broken(round_scenario: Any, **kwargs: Any) -> Outcome[RoundRun]:
        run = real(round_scenario, **kwargs)
        if isinstance(run, Rejected) or run.state.reveal_opened_at is None:
            return run
        early = run.state.reveal_opened_at - 1
        reveals = {n: attrs.evolve(r, revealed_at=early) for n, r in run.state.reveals.items()}
        state = attrs.evolve(run.state, reveals=run.state.reveals.update(reveals))
        return attrs.evolve(run, state=state)

    monkeypatch.setattr(economy, "run_round_to_decision", broken)
    return DEFAULTS


def app_salts_never_expire(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """HARDENED with one switch of the literal F6 (a broken rule): no deadline for the app's salts.

    Breaking the deadline inside the rules instead (`is_app_salt_deadline_passed` never true)
    makes the chain refuse the whole RunRound, and a refused action is checked by no invariant.
    """
    return P, attrs.evolve(HARDENED, app_salt_timeout=False)


# --- Slashing ------------------------------------------------------------------------------------


def slash_rate_uncapped(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The slash rate doubles past the cap (base * factor**level, under HARDENED)."""

    def broken(level: int, params: Params, profile: Profile) -> int:
        rate: int = params.slashing.slash_base_bps * params.slashing.slash_factor**level
        return rate

    monkeypatch.setattr(slashing, "compute_slash_rate_bps", broken)
    return DEFAULTS


def slash_level_not_raised(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A slash records the offender's time but leaves its level where it was (every slash, of a
    validator or of a node, goes through `process_slash_with_level`)."""
    real = slashing.process_slash_with_level

    def broken(state: SlashingState, *, offender: str, **kwargs: Any) -> Any:
        result = real(state, offender=offender, **kwargs)
        if isinstance(result, Rejected):
            return result
        after, applied_level, rate = result
        record = after.records[offender]
        level = slashing.get_slash_record(state, offender).level
        kept = SlashRecord(level, record.last_slash_time)
        return attrs.evolve(after, records=after.records.set(offender, kept)), applied_level, rate

    monkeypatch.setattr(slashing, "process_slash_with_level", broken)
    return DEFAULTS


def slash_window_never_expires(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """No slash window ever expires, so the level never decays."""

    def broken(record: SlashRecord, now: int, params: Params) -> int:
        return 0

    monkeypatch.setattr(slashing, "get_expired_windows", broken)
    return DEFAULTS


def node_slash_of_the_pool(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A node slash takes the rate of the whole node-stake pool out of the one node's stake."""

    def broken(
        chain: TrustedChain, *, node: Any, now: int, params: Params, profile: Profile
    ) -> Any:
        stake = chain.nodes[node]
        slashed = slashing.process_slash_offender(
            chain.slashing, offender=f"node:{node}", now=now, params=params, profile=profile
        )
        assert not isinstance(slashed, Rejected)
        records, rate = slashed
        pool = get_balance(chain.ledger, NODE_STAKE_POOL).ustr
        requested = pool * rate // BPS_DENOMINATOR
        ledger = process_burn(chain.ledger, holder=NODE_STAKE_POOL, amount=requested)
        assert not isinstance(ledger, Rejected)
        nodes = chain.nodes.set(node, attrs.evolve(stake, ustr=stake.ustr - requested))
        after = attrs.evolve(chain, ledger=ledger, slashing=records, nodes=nodes)
        return after, NodeSlash(node, rate, requested, requested)

    monkeypatch.setattr(settlement, "process_slash_node", broken)
    return DEFAULTS


def delegators_spared(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A validator slash takes its rate from the operator's bond only; delegators lose nothing."""
    real = slashing.compute_delegator_loss
    operators = {get_validator_operator(v) for v in (V0, V1, V2, V3)}

    def broken(delegator: AccountId, amount: int, rate: int) -> DelegatorLoss:
        if delegator in operators:
            return real(delegator, amount, rate)
        return DelegatorLoss(delegator, amount, 0, 0)

    monkeypatch.setattr(slashing, "compute_delegator_loss", broken)
    return DEFAULTS


# --- Governance, supply, reputation --------------------------------------------------------------


def coherence_unchecked(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Governance adopts changes whose shares no longer add up, under HARDENED."""
    monkeypatch.setattr(governance, "get_incoherence_reason", lambda params: None)
    return DEFAULTS


def supermajority_ignored(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The tally asks x/gov's simple majority (yes over half of yes and no) for every change,
    burn share included."""
    real = governance.get_vote_rule

    def broken(changes: Any, constitution: Any) -> Any:
        simple = [rule for rule in constitution.votes.values() if rule.threshold is not None]
        return simple[0] if simple else real(changes, constitution)

    monkeypatch.setattr(governance, "get_vote_rule", broken)
    return DEFAULTS


def constitution_unchecked(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The hardened chain lets a proposal and its adoption leave the constitution's ranges
    (any value of the key's domain), under HARDENED."""
    monkeypatch.setattr(governance, "get_constitution_violation", lambda params, c: None)
    return DEFAULTS


def subcommittee_at_a_tenth(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A subcommittee is active with a tenth of its activation share (0.1% of STR, not 1%).

    The chain keeps no activation flag: the checker reads activation through the model's own
    predicate, so the broken predicate replaces it everywhere, as an edit of its source would.
    """
    real = governance.is_subcommittee_active

    def broken(ledger: Ledger, gov: governance.GovernanceState, name: str) -> bool:
        share = gov.params.governance.subcommittee_activation_bps
        tenth = attrs.evolve(gov.params.governance, subcommittee_activation_bps=share // 10)
        return real(
            ledger, attrs.evolve(gov, params=attrs.evolve(gov.params, governance=tenth)), name
        )

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def inflation_rises(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The inflation rate rises one step each time the chain's age doubles, instead of falling."""

    def broken(year: int, params: Params) -> int:
        mint = params.mint
        return min(
            BPS_DENOMINATOR,
            mint.inflation_initial_bps + mint.inflation_step_bps * year.bit_length(),
        )

    monkeypatch.setattr(supply, "compute_inflation_rate_bps", broken)
    return DEFAULTS


def outbound_cap_off_by_one(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """An unqualified app's outbound cap lets one request more than the cap through."""
    real = process_outbound_request

    def broken(rep: Any, *, params: Params, **kwargs: Any) -> Any:
        cap = params.reputation.outbound_requests_per_minute
        loose = attrs.evolve(params.reputation, outbound_requests_per_minute=cap + 1)
        return real(rep, params=attrs.evolve(params, reputation=loose), **kwargs)

    monkeypatch.setattr(society, "process_outbound_request", broken)
    return DEFAULTS


# --- The table -----------------------------------------------------------------------------------


# --- Added with the mutation survivors (docs/mutation.md) ----------------------------------------


def commit_concatenated(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """commit(n) ignores the profile's encoding and concatenates its fields, so moving a byte from
    one field to the next leaves it unchanged (the model's own function, used everywhere)."""
    real = hashing.compute_composite_hash

    def broken(**kwargs: Any) -> bytes:
        return real(**{**kwargs, "encoding": CompositeEncoding.CONCATENATION})

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def swap_reserve_keeps_its_str(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The swap reserve buys STR with its STB and keeps it instead of burning it."""
    real = payment.process_swap_reserve

    def broken(ledger: Ledger, *, fee_bps: int) -> Outcome[Ledger]:
        reserve = get_balance(ledger, SWAP_RESERVE).ustb
        pool = get_balance(ledger, STRATOSWAP_POOL)
        bought = stratoswap.compute_swap_output(pool.ustb, pool.ustr, reserve, fee_bps)
        steps = (
            payment.transfer_step(SWAP_RESERVE, STRATOSWAP_POOL, Token.STB, reserve),
            payment.transfer_step(STRATOSWAP_POOL, SWAP_RESERVE, Token.STR, bought),
        )
        return payment.apply_steps(ledger, steps, rule="process_swap_reserve")

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def reserve_order_paid_before_the_fee(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Stratoswap pays the swap reserve's order as if it charged no commission."""
    real = stratoswap.compute_swap_output

    def broken(reserve_in: int, reserve_out: int, amount_in: int, fee_bps: int) -> int:
        return real(reserve_in, reserve_out, amount_in, 0)

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def complaint_split_inverted(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A resolved complaint refunds 20% of the MinDeposit and pays the validators 80%."""
    real = complaints.process_resolve_complaint

    def broken(ledger: Ledger, book: Any, *, params: Params, **kwargs: Any) -> Any:
        refund = BPS_DENOMINATOR - params.governance.complaint_refund_bps
        inverted = attrs.evolve(
            params, governance=attrs.evolve(params.governance, complaint_refund_bps=refund)
        )
        return real(ledger, book, params=inverted, **kwargs)

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def default_cap_drifted(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The model's whitepaper defaults give 11 outbound requests a minute, not §4.5's 10."""
    drifted = attrs.evolve(
        WHITEPAPER_PARAMS,
        reputation=attrs.evolve(WHITEPAPER_PARAMS.reputation, outbound_requests_per_minute=11),
    )
    monkeypatch.setattr(properties.replay, "WHITEPAPER_PARAMS", drifted)
    return DEFAULTS


# --- The stake lifecycle -------------------------------------------------------------------------


def unbonding_slash_spares_entries(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Late double-sign evidence slashes the bonds but none of the unbonding entries."""
    real = standing.process_slash_unbonding

    def broken(*args: Any, **kwargs: Any) -> Any:
        return real(*args, **(kwargs | {"first_entry": 10**9}))

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def rewards_split_equally(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Each bond receives a fifth of the rewards pool, whatever its stake."""
    real = rewards.compute_reward_share

    def broken(alg: Any, pool: int, bond: int, total: int) -> int:
        return pool // 5

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def jail_keeps_the_power(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The active set forgets the jail: a jailed validator keeps its voting power."""

    def broken(staking: Any, validator: Any) -> bool:
        return validator not in staking.tombstoned

    replace_rule(monkeypatch, is_in_good_standing, broken)
    return DEFAULTS
