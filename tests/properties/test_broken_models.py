"""A property that cannot fail is a defect: each machine invariant catches a model broken for it.

For every ID the whole-chain machine asserts, one rule of the model is replaced by a broken
version (or, where the break is one of the profile's switches or a parameter, by that switch),
and a short fixed trace is replayed through every checker: under the correct HARDENED model the
trace exercises the invariant and breaks nothing; under the broken one it breaks that invariant
(and only the invariants listed beside it). One more test runs the Hypothesis engine itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest
from attrs import frozen
from broken_fixtures import (
    APP,
    GENESIS,
    NODES,
    OTHER_APP,
    PRICE,
    Break,
    credit,
    honest_round,
    plan,
    replace_rule,
    run_trace,
)

import model.trusted.round as round_model
from model import escrow, governance, slashing, supply
from model.chain import transitions
from model.chain.actions import (
    Action,
    AdvanceTime,
    CastVote,
    Delegate,
    DelegateToSubcommittee,
    DepositUsdc,
    Equivocate,
    MintInflation,
    OutboundRequest,
    RunRound,
    SlashValidator,
    SubmitProposal,
    Tally,
    Transfer,
)
from model.chain.state import Genesis, get_user, get_validator, get_validator_operator
from model.escrow import process_usage_payment
from model.governance import NETWORK_SUPPORT_COMMITTEE, ParamChange, VoteOption
from model.ledger import NODE_STAKE_POOL, Ledger, Token, get_balance, process_burn, process_transfer
from model.params import WHITEPAPER_PARAMS, Params
from model.payment import PaymentSplit, compute_payment_split
from model.profile import HARDENED, Profile, RevealContents
from model.reputation import process_outbound_request
from model.slashing import DelegatorLoss, SlashingState, SlashRecord
from model.staking import get_power_of, get_total_voting_power
from model.supply import SupplyState, process_usdc_deposit
from model.trusted import scenario, settlement
from model.trusted.behaviour import Behaviour
from model.trusted.round import RevealCheck, RoundState
from model.trusted.scenario import RoundRun, run_round_to_decision
from model.trusted.settlement import NodeSlash, TrustedChain, process_settle_round
from model.units import BPS_DENOMINATOR, MICRO, SECONDS_PER_YEAR, AccountId, Outcome, Rejected
from properties.effort import EFFORTS
from properties.machine import MACHINE_IDS
from properties.replay import replay
from properties.runner import Verdict, run_properties

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

    monkeypatch.setattr(transitions, "process_transfer", broken)
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

    monkeypatch.setattr(transitions, "process_usdc_deposit", broken)
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

    monkeypatch.setattr(transitions, "process_settle_round", broken)
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

    monkeypatch.setattr(transitions, "process_block_commit", broken)
    return DEFAULTS


# --- Commit-reveal -------------------------------------------------------------------------------


def mismatch_not_slashed(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Settlement skips Step 11: a reveal that does not open its commit goes unslashed."""
    real = process_settle_round

    def broken(chain: TrustedChain, state: RoundState, **kwargs: Any) -> Any:
        return real(chain, _decision(state, mismatched=()), **kwargs)

    monkeypatch.setattr(transitions, "process_settle_round", broken)
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

    monkeypatch.setattr(transitions, "run_round_to_decision", broken)
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
    """A slash records the offender's time but leaves its level where it was."""
    real = slashing.process_slash_offender

    def broken(state: SlashingState, *, offender: str, **kwargs: Any) -> Any:
        result = real(state, offender=offender, **kwargs)
        if isinstance(result, Rejected):
            return result
        after, rate = result
        record = after.records[offender]
        level = slashing.get_slash_record(state, offender).level
        kept = SlashRecord(level, record.last_slash_time)
        return attrs.evolve(after, records=after.records.set(offender, kept)), rate

    monkeypatch.setattr(slashing, "process_slash_offender", broken)
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
    """The tally asks a simple majority for every change, burn share included."""
    monkeypatch.setattr(governance, "get_required_majority", lambda changes: False)
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

    monkeypatch.setattr(transitions, "process_outbound_request", broken)
    return DEFAULTS


# --- The table -----------------------------------------------------------------------------------


@frozen
class BrokenCase:
    """One invariant, the break aimed at it, and a trace that shows the break."""

    invariant_id: str
    breaks: Break
    actions: tuple[Action, ...]
    also: frozenset[str] = frozenset()
    """Invariants the break cannot avoid breaking as well (a comment in the table says why)."""
    refused_by_correct: tuple[str, ...] = ()
    """Rules the correct model refuses the trace's actions with (what keeps it holding)."""
    genesis: Genesis = GENESIS


def _burn_change(value: int, *, with_node_profit: bool = True) -> tuple[ParamChange, ...]:
    changes = [ParamChange("payment", "str_burn_bps", value)]
    if with_node_profit:
        moved = P.payment.str_burn_bps - value
        changes.append(
            ParamChange("payment", "str_node_profit_bps", P.payment.str_node_profit_bps + moved)
        )
    return tuple(changes)


def _vote(
    *votes: tuple[AccountId, VoteOption], changes: tuple[ParamChange, ...]
) -> tuple[Action, ...]:
    return (
        SubmitProposal(USER_0, changes, 0),
        *(CastVote(1, voter, option) for voter, option in votes),
        AdvanceTime(VOTING),
        Tally(1),
    )


HONEST = honest_round()
MISMATCH = RunRound(APP, (plan(0), plan(1), plan(2), plan(3, Behaviour.REVEAL_MISMATCH)), MICRO)
COLLUDING = b"colluding wrong output"

CASES: tuple[BrokenCase, ...] = (
    BrokenCase("CONS-STR", transfer_mints_a_unit, (Transfer(USER_0, USER_1, Token.STR, 1_000),)),
    BrokenCase("CONS-STB", deposit_credits_twice, (DepositUsdc("d0", USER_0, 5 * MICRO),)),
    BrokenCase("CONS-SPLIT", split_drops_the_dust, (honest_round(cost=MICRO + 3),)),
    BrokenCase(
        "ESCROW-SOLVENT",
        usage_paid_from_the_other_escrow,
        (HONEST,),
        # app-0's escrow no longer pays the split its round withdrew.
        also=frozenset({"CONS-SPLIT"}),
    ),
    BrokenCase("PAY-COST", cost_basis_to_the_reserve, (HONEST,)),
    BrokenCase("PAY-VECTOR", node_profit_to_the_reserve, (honest_round(cost=GOLDEN_COST),)),
    BrokenCase(
        "PAY-ONLY-MAJORITY",
        every_counted_node_paid,
        (RunRound(APP, (plan(0), plan(1), plan(2), plan(3, Behaviour.WRONG_OUTPUT)), MICRO),),
    ),
    BrokenCase(
        "BFT-UNIQUE",
        threshold_one_third,
        (
            RunRound(
                APP,
                (
                    plan(0),
                    plan(1),
                    plan(2, Behaviour.WRONG_OUTPUT, wrong_output=COLLUDING),
                    plan(3, Behaviour.WRONG_OUTPUT, wrong_output=COLLUDING),
                ),
                MICRO,
            ),
        ),
    ),
    BrokenCase(
        "BFT-SOUND",
        threshold_base_committed,
        (
            HONEST,
            # Three honest nodes are sent bad app salts and abstain; f = 1 < N/3.
            RunRound(
                APP,
                (
                    plan(0, gets_wrong_app_salt=True),
                    plan(1, gets_wrong_app_salt=True),
                    plan(2, gets_wrong_app_salt=True),
                    plan(3, Behaviour.WRONG_OUTPUT),
                ),
                MICRO,
            ),
        ),
        # The wrong node reaches "consensus" only by leaving the abstaining nodes out of N.
        also=frozenset({"BFT-TIMEOUT"}),
    ),
    BrokenCase(
        "BFT-TIMEOUT",
        threshold_base_committed,
        (
            HONEST,
            RunRound(
                APP, (plan(0), plan(1, Behaviour.NO_COMMIT), plan(2, Behaviour.NO_COMMIT)), MICRO
            ),
        ),
    ),
    BrokenCase(
        "BFT-ACCOUNTABLE",
        block_commit_at_half,
        (
            # Half the power double-signs: both commits pass and are accountable.
            Equivocate(frozenset({V0, V1}), frozenset({V2}), frozenset({V3})),
            # One validator of four double-signs; the broken rule commits at half the power.
            Equivocate(frozenset({V2}), frozenset({V3}), frozenset({V0, V1})),
        ),
    ),
    BrokenCase("CR-BINDING", mismatch_not_slashed, (MISMATCH,)),
    BrokenCase(
        "CR-NO-COPY",
        reveals_not_recomputed,
        (
            RunRound(
                APP,
                (plan(0), plan(1), plan(2), plan(3, Behaviour.COPY_COMMIT, copy_from=NODES[0])),
                MICRO,
            ),
        ),
        # A copied commit never opens for the copier: it is also a mismatch, paid and unslashed.
        also=frozenset({"CR-BINDING"}),
    ),
    BrokenCase(
        "CR-APP-SALT",
        app_salt_complaint_ignored,
        (RunRound(APP, (plan(0), plan(1), plan(2), plan(3, gets_wrong_app_salt=True)), MICRO),),
        # n3 commits with the bad salt, so the salt on-chain cannot recompute its commit.
        also=frozenset({"CR-VERIFIABLE"}),
    ),
    BrokenCase("CR-VERIFIABLE", reveal_salt_hash, (HONEST,)),
    BrokenCase("CR-PHASES", reveals_before_app_salts, (HONEST,)),
    BrokenCase(
        "ROUND-LIVE",
        app_salts_never_expire,
        (RunRound(APP, tuple(plan(i) for i in range(4)), MICRO, app_reveals_salts=False),),
    ),
    BrokenCase(
        "SLASH-BOUNDS",
        slash_rate_uncapped,
        (SlashValidator(V0),) * 6,
        # The sixth slash in one window should be capped at 100%.
        also=frozenset({"SLASH-DOUBLING"}),
    ),
    BrokenCase("SLASH-DOUBLING", slash_level_not_raised, (SlashValidator(V0),) * 2),
    BrokenCase(
        "SLASH-DECAY",
        slash_window_never_expires,
        (SlashValidator(V0), SlashValidator(V0), AdvanceTime(WINDOW), SlashValidator(V0)),
    ),
    BrokenCase(
        "SLASH-STAKE",
        node_slash_of_the_pool,
        (MISMATCH,),
        # n3's stake goes negative, which the node-stake pool accounting refuses too.
        also=frozenset({"CONS-STR"}),
        # n3, the node that mismatches, stakes $10 beside three stakes of $1,000.
        genesis=attrs.evolve(GENESIS, node_stakes=(*GENESIS.node_stakes[:3], 10 * MICRO)),
    ),
    BrokenCase(
        "SLASH-DELEGATORS",
        delegators_spared,
        (Delegate(USER_0, V0, 100 * MICRO), SlashValidator(V0)),
    ),
    BrokenCase(
        "GOV-PARAMS",
        coherence_unchecked,
        _vote((USER_0, VoteOption.YES), changes=_burn_change(1_500, with_node_profit=False)),
        refused_by_correct=("process_submit_proposal", "process_vote", "process_tally"),
    ),
    BrokenCase(
        "GOV-SUPERMAJORITY",
        supermajority_ignored,
        _vote((USER_0, VoteOption.YES), (USER_1, VoteOption.NO), changes=_burn_change(900)),
    ),
    BrokenCase(
        "GOV-SUBCOMMITTEE",
        subcommittee_at_a_tenth,
        (DelegateToSubcommittee(USER_2, NETWORK_SUPPORT_COMMITTEE, 100_000 * MICRO),),
    ),
    BrokenCase(
        "SUP-INFLATION", inflation_rises, (AdvanceTime(2 * SECONDS_PER_YEAR), MintInflation())
    ),
    BrokenCase(
        "REP-OUTBOUND",
        outbound_cap_off_by_one,
        (OutboundRequest(APP, PRICE),) * 11,
        refused_by_correct=("process_outbound_request",),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.invariant_id}:{c.breaks.__name__}")
def test_broken_model__caught(case: BrokenCase, monkeypatch: pytest.MonkeyPatch) -> None:
    correct = run_trace(case.genesis, case.actions, params=P, profile=HARDENED)
    assert case.invariant_id in correct.observed, "the trace never exercises the invariant"
    assert not correct.violations, correct.violations
    assert correct.refused_by == case.refused_by_correct
    params, profile = case.breaks(monkeypatch)
    broken = run_trace(case.genesis, case.actions, params=params, profile=profile)
    assert case.invariant_id in broken.violated, (case.breaks.__doc__, broken.violations)
    assert broken.violated <= {case.invariant_id} | case.also, broken.violations


def test_broken_models__cover_every_machine_id() -> None:
    covered = [case.invariant_id for case in CASES]
    assert sorted(set(covered)) == sorted(MACHINE_IDS)
    assert len(covered) == len(set(covered))
    for case in CASES:
        assert case.breaks.__doc__, case.breaks.__name__
        assert case.also.isdisjoint({case.invariant_id})


def test_uncapped_slash_rate__found_by_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Hypothesis engine, run end to end on the model without the cap, fails SLASH-BOUNDS; its
    shrunk counterexample and the regression test it renders break under the broken model and
    hold once the cap is back. Quick effort, with 12-step runs to keep shrinking under seconds."""
    slash_rate_uncapped(monkeypatch)
    effort = attrs.evolve(EFFORTS["quick"], steps_per_example=12)
    only = frozenset({"SLASH-BOUNDS"})
    report = run_properties(P, HARDENED, effort, seed=0, only=only, explore=False)
    (result,) = report.results
    assert result.verdict is Verdict.FAIL
    found = result.counterexample
    assert found is not None and found.genesis is not None and found.regression_test is not None
    assert found.source == "machine"
    assert SlashValidator(V0) in found.actions or SlashValidator(V1) in found.actions
    regression: dict[str, Any] = {}
    exec(compile(found.regression_test, "regression", "exec"), regression)
    test_regression = regression["test_slash_bounds_holds"]
    broken = replay(found.genesis, found.actions, params=P, profile=HARDENED)
    assert "SLASH-BOUNDS" in {v.invariant_id for v in broken.violations}
    with pytest.raises(AssertionError, match="rates outside"):
        test_regression()
    monkeypatch.undo()
    repaired = replay(found.genesis, found.actions, params=P, profile=HARDENED)
    assert not repaired.violations
    test_regression()
