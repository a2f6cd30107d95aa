"""A property that cannot fail is a defect: each machine invariant catches a model broken for it.

For every ID the whole-chain machine asserts, one rule of the model is replaced by a broken
version (or, where the break is one of the profile's switches or a parameter, by that switch),
and a short fixed trace is replayed through every checker: under the correct HARDENED model the
trace exercises the invariant and breaks nothing; under the broken one it breaks that invariant
(and only the invariants listed beside it). One more test runs the Hypothesis engine itself.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from attrs import frozen
from broken_fixtures import (
    APP,
    GENESIS,
    NODES,
    PRICE,
    Break,
    honest_round,
    plan,
    run_trace,
)
from broken_rules import (
    GOLDEN_COST,
    USER_0,
    USER_1,
    USER_2,
    V0,
    V1,
    V2,
    V3,
    VOTING,
    WINDOW,
    P,
    app_salt_complaint_ignored,
    app_salts_never_expire,
    block_commit_at_half,
    coherence_unchecked,
    commit_concatenated,
    complaint_split_inverted,
    constitution_unchecked,
    cost_basis_to_the_reserve,
    default_cap_drifted,
    delegators_spared,
    deposit_credits_twice,
    every_counted_node_paid,
    inflation_rises,
    jail_keeps_the_power,
    mismatch_not_slashed,
    node_profit_to_the_reserve,
    node_slash_of_the_pool,
    outbound_cap_off_by_one,
    reserve_order_paid_before_the_fee,
    reveal_salt_hash,
    reveals_before_app_salts,
    reveals_not_recomputed,
    rewards_split_equally,
    slash_level_not_raised,
    slash_rate_uncapped,
    slash_window_never_expires,
    split_drops_the_dust,
    subcommittee_at_a_tenth,
    supermajority_ignored,
    swap_reserve_keeps_its_str,
    threshold_base_committed,
    threshold_one_third,
    transfer_mints_a_unit,
    unbonding_slash_spares_entries,
    usage_paid_from_the_other_escrow,
)
from broken_validators import committee_count_ignored, validator_votes_at_half
from committee_breaks import (
    COMPLAINTS,
    SUB_POWERS_REFUSED,
    SUB_POWERS_TRACE,
    VOTED,
    payout_one_over,
    upheld_not_recorded,
    vote_ignored,
)
from price_breaks import (
    NO_STR,
    PRICE_HALVED,
    UNDERFUNDED,
    round_started_without_its_payment,
    str_paid_at_the_deposit_price,
)
from services_breaks import SPLIT, TOO_SOON, deviation_doubled, frequency_ignored
from validation_pay_breaks import (
    PAID_CALL,
    PREFUNDED,
    external_request_paid_twice,
    validators_paid_prefund_minus_count,
)

from model import payment
from model.chain.actions import (
    Action,
    AdvanceTime,
    CastVote,
    CommitBlock,
    Delegate,
    DelegateToSubcommittee,
    DepositUsdc,
    DistributeRewards,
    Equivocate,
    GrantNetworkSupport,
    MintInflation,
    OutboundRequest,
    ReportDoubleSign,
    ReportDowntime,
    ResolveComplaint,
    RunRound,
    SetAppValidatorCount,
    SlashValidator,
    SubmitComplaint,
    SubmitProposal,
    SwapReserve,
    Tally,
    Transfer,
    Undelegate,
)
from model.chain.state import Genesis, get_developer, get_validator_operator
from model.governance import NETWORK_SUPPORT_COMMITTEE, ParamChange, VoteOption
from model.ledger import INSURANCE_POOL, Token
from model.profile import HARDENED
from model.trusted.behaviour import Behaviour, ValidatorBehaviour, ValidatorPlan
from model.units import MICRO, SECONDS_PER_YEAR, AccountId
from properties.driver import MACHINE_IDS
from properties.effort import EFFORTS
from properties.invariants.actions import ACT_IDS
from properties.replay import replay
from properties.runner import Verdict, run_properties


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


DEVELOPER = get_developer(APP)
"""app-0's developer: 10 million of the genesis' 22 million STR votes (liquid and escrowed)."""


def _vote(
    *votes: tuple[AccountId, VoteOption],
    changes: tuple[ParamChange, ...],
    funded: tuple[tuple[AccountId, int], ...] = (),
) -> tuple[Action, ...]:
    """The developer first pays each `funded` voter its amount, so the votes cast reach x/gov's
    quorum (334/1000 of all STR votes); then one proposal, its votes, and its tally."""
    return (
        *(Transfer(DEVELOPER, voter, Token.STR, amount) for voter, amount in funded),
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
    # Judged at genesis: the trace only needs to start the chain.
    BrokenCase("GOV-DEFAULTS", default_cap_drifted, (AdvanceTime(1),)),
    BrokenCase("CONS-STB", deposit_credits_twice, (DepositUsdc("d0", USER_0, 5 * MICRO),)),
    BrokenCase(
        "CONS-SPLIT",
        split_drops_the_dust,
        (honest_round(cost=MICRO + 3),),
        # The node's STB falls short of its cost basis and STB profit (PAY-USD, PAY-FUNDED).
        also=frozenset({"PAY-USD", "PAY-FUNDED"}),
    ),
    BrokenCase(
        "ESCROW-SOLVENT",
        usage_paid_from_the_other_escrow,
        (HONEST,),
        # app-0's escrow no longer pays the split its round withdrew.
        also=frozenset({"CONS-SPLIT"}),
    ),
    BrokenCase(
        "PAY-COST",
        cost_basis_to_the_reserve,
        (HONEST,),
        # CONS-SPLIT checks who receives each part: the reserve got part of the node's STB,
        # which PAY-USD and PAY-FUNDED miss as well.
        also=frozenset({"CONS-SPLIT", "PAY-USD", "PAY-FUNDED"}),
    ),
    BrokenCase(
        "PAY-VECTOR",
        node_profit_to_the_reserve,
        (honest_round(cost=GOLDEN_COST),),
        # CONS-SPLIT checks who receives each part: the reserve got half the node's STB profit,
        # which PAY-USD and PAY-FUNDED miss as well.
        also=frozenset({"CONS-SPLIT", "PAY-USD", "PAY-FUNDED"}),
    ),
    BrokenCase(
        "PAY-USD",
        str_paid_at_the_deposit_price,
        PRICE_HALVED,
        # CONS-SPLIT expects the STR parts at the market price too.
        also=frozenset({"CONS-SPLIT"}),
    ),
    BrokenCase(
        "VAL-PAY",
        validators_paid_prefund_minus_count,
        PREFUNDED,
        # CONS-SPLIT follows every unit a round moves: the validators' STR left the escrow.
        also=frozenset({"CONS-SPLIT"}),
    ),
    BrokenCase("PAY-EXTERNAL", external_request_paid_twice, PAID_CALL),
    BrokenCase(
        "PAY-FUNDED",
        round_started_without_its_payment,
        UNDERFUNDED,
        refused_by_correct=("process_run_round",),
        genesis=NO_STR,
    ),
    BrokenCase(
        "PAY-BURN",
        swap_reserve_keeps_its_str,
        (honest_round(cost=GOLDEN_COST), SwapReserve()),
        # Stratoswap's pool holds both sides for the reserve's 40 STB to buy from.
        genesis=attrs.evolve(GENESIS, stratoswap_ustr=1_000 * MICRO, stratoswap_ustb=1_000 * MICRO),
        # PAY-BURN-MARKET reads the burn counter: nothing was burned for the curve's payout.
        also=frozenset({"PAY-BURN-MARKET"}),
    ),
    BrokenCase(
        "PAY-BURN-MARKET",
        reserve_order_paid_before_the_fee,
        (honest_round(cost=GOLDEN_COST), SwapReserve()),
        genesis=attrs.evolve(GENESIS, stratoswap_ustr=1_000 * MICRO, stratoswap_ustb=1_000 * MICRO),
    ),
    BrokenCase(
        "PAY-ONLY-MAJORITY",
        every_counted_node_paid,
        (RunRound(APP, (plan(0), plan(1), plan(2), plan(3, Behaviour.WRONG_OUTPUT)), MICRO),),
    ),
    BrokenCase(
        "APP-VALIDATORS",
        committee_count_ignored,
        (
            SetAppValidatorCount(APP, get_developer(APP), 2),
            RunRound(APP, (plan(0), plan(1), plan(2)), MICRO),
        ),
    ),
    BrokenCase(
        "BFT-VALIDATORS",
        validator_votes_at_half,
        (
            RunRound(
                APP,
                (plan(0), plan(1), plan(2)),
                MICRO,
                validator_plans=(
                    ValidatorPlan(V2, ValidatorBehaviour.ABSTAIN),
                    ValidatorPlan(V3, ValidatorBehaviour.ABSTAIN),
                ),
            ),
        ),
        # Paid instead of locked: the round's contract and its split see the payment too.
        also=frozenset({"ACT-ROUND", "CONS-SPLIT"}),
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
        # Two of four agreeing is not more than 2/3 of the assigned nodes: BFT-TIMEOUT's own bar.
        # A threshold of 1/3 is below the constitution's bound of 2/3: GOV-PARAMS says so.
        also=frozenset({"BFT-TIMEOUT", "GOV-PARAMS"}),
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
            # Half the power double-signs, unreported (so it keeps its power and stays in the
            # set): both commits pass and are accountable.
            Equivocate(frozenset({V0, V1}), frozenset({V2}), frozenset({V3}), reported=False),
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
    BrokenCase(
        "CR-INJECTIVE",
        commit_concatenated,
        (HONEST,),
        # The checks recompute commit(n) with the profile's length-prefixed encoding, which the
        # concatenated commits do not open: the paid reveals fail CR-BINDING as well, and the
        # app, which finds them all consistent, misses the F9 complaints CR-VERIFIABLE expects.
        also=frozenset({"CR-BINDING", "CR-VERIFIABLE"}),
    ),
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
        "SLASH-AVOIDED",
        unbonding_slash_spares_entries,
        (
            # v0 double-signs unseen, its operator undelegates 100 STR, the evidence comes.
            Equivocate(frozenset({V0}), frozenset({V1, V2, V3}), frozenset(), reported=False),
            Undelegate(get_validator_operator(V0), V0, 100 * MICRO),
            ReportDoubleSign(V0, 1),
        ),
        # The late-evidence contract weighs each unbonding entry's loss too.
        also=frozenset({"ACT-SLASH"}),
    ),
    BrokenCase(
        "REW-PRORATA",
        rewards_split_equally,
        (
            AdvanceTime(86_400),
            MintInflation(),
            Delegate(USER_0, V0, 100 * MICRO),
            DistributeRewards(),
        ),
    ),
    BrokenCase(
        "VAL-STANDING",
        jail_keeps_the_power,
        (
            # v0 misses 51 blocks and is jailed; a block then passes only on its power.
            *(CommitBlock(frozenset({V1, V2, V3})) for _ in range(51)),
            ReportDowntime(V0),
            CommitBlock(frozenset({V0, V1, V2})),
        ),
        # The commit contract weighs the signers without the jailed power too.
        also=frozenset({"ACT-STAKING"}),
        refused_by_correct=("process_block_commit",),
    ),
    BrokenCase(
        "GOV-PARAMS",
        coherence_unchecked,
        _vote(
            (USER_0, VoteOption.YES),
            changes=_burn_change(1_500, with_node_profit=False),
            funded=((USER_0, 7_000_000 * MICRO),),
        ),
        # The incoherent shares leave the region GOV-SAFE holds every adopted set to.
        also=frozenset({"GOV-SAFE"}),
        refused_by_correct=("process_submit_proposal", "process_vote", "process_tally"),
    ),
    BrokenCase(
        "GOV-SAFE",
        constitution_unchecked,
        # §4.5's cap of 10 lowered to 5 (adopted: GOV-SAFE judges it), then raised to 20 by
        # x/gov's vote: in its domain, outside its range.
        (
            SubmitProposal(
                USER_0, (ParamChange("reputation", "outbound_requests_per_minute", 5),), 0
            ),
            CastVote(1, DEVELOPER, VoteOption.YES),
            SubmitProposal(
                USER_0, (ParamChange("reputation", "outbound_requests_per_minute", 20),), 0
            ),
            CastVote(2, DEVELOPER, VoteOption.YES),
            AdvanceTime(VOTING),
            Tally(1),
            Tally(2),
        ),
        # GOV-PARAMS holds every live key to the constitution's range too.
        also=frozenset({"GOV-PARAMS"}),
        refused_by_correct=("process_submit_proposal", "process_vote", "process_tally"),
    ),
    BrokenCase(
        "GOV-SUPERMAJORITY",
        supermajority_ignored,
        # 5 and 3.3 million STR: 60% of the votes, past the quorum, short of 2/3.
        _vote(
            (USER_0, VoteOption.YES),
            (USER_1, VoteOption.NO),
            changes=_burn_change(900),
            funded=((USER_0, 4_400_000 * MICRO), (USER_1, 2_900_000 * MICRO)),
        ),
    ),
    BrokenCase(
        "GOV-SUBCOMMITTEE",
        subcommittee_at_a_tenth,
        (
            DelegateToSubcommittee(USER_2, NETWORK_SUPPORT_COMMITTEE, 100_000 * MICRO),
            # The chain acts on activation only through Network Support's grants: a grant of
            # nothing, voted by the committee's only delegator, is refused while its committee
            # is inactive, paid once it is active.
            GrantNetworkSupport(USER_0, 0, signers=frozenset({USER_2})),
        ),
        # SUB-POWERS holds every committee power to the text's 1% as well.
        also=frozenset({"SUB-POWERS"}),
        refused_by_correct=("process_grant_network_support",),
    ),
    BrokenCase(
        "GOV-COMPLAINT",
        complaint_split_inverted,
        (
            SubmitComplaint("c0", USER_0, "node:n0", P.governance.complaint_min_deposit_ustr + 7),
            ResolveComplaint("c0", upheld=True),
            SubmitComplaint("c1", USER_1, "app:app-0", P.governance.complaint_min_deposit_ustr),
            ResolveComplaint("c1", upheld=False),
        ),
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
    BrokenCase("REP-RECORDED", upheld_not_recorded, COMPLAINTS),
    BrokenCase("INS-POOL", payout_one_over, VOTED),
    BrokenCase(
        "APP-SETTINGS", frequency_ignored, TOO_SOON, refused_by_correct=("process_run_round",)
    ),
    # Two outputs both agreeing at 2 of 4 is also a consensus by fewer than 2/3 of the nodes.
    BrokenCase("BFT-DEVIATION", deviation_doubled, SPLIT, also=frozenset({"BFT-TIMEOUT"})),
    BrokenCase(
        "SUB-POWERS",
        vote_ignored,
        SUB_POWERS_TRACE,
        refused_by_correct=SUB_POWERS_REFUSED,
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
    # The action contracts (ACT-*) judge the whole effect of every step, so most breaks of a
    # rule break one of them too; tests/properties/test_action_contracts.py has their own cases.
    assert broken.violated - set(ACT_IDS) <= {case.invariant_id} | case.also, broken.violations


def test_broken_models__cover_every_machine_id() -> None:
    covered = [case.invariant_id for case in CASES]
    assert sorted(set(covered)) == sorted(set(MACHINE_IDS) - set(ACT_IDS))
    assert len(covered) == len(set(covered))
    for case in CASES:
        assert case.breaks.__doc__, case.breaks.__name__
        assert case.also.isdisjoint({case.invariant_id})


@pytest.mark.slow
def test_uncapped_slash_rate__found_by_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Hypothesis engine, run end to end on the model without the cap, fails SLASH-BOUNDS; its
    shrunk counterexample and the regression test it renders break under the broken model and
    hold once the cap is back. Quick effort, with 20-step runs to keep shrinking to seconds and
    400 runs: with the whole rule mix, six slashes of one validator inside one window are drawn
    less often than in quick's own count of runs."""
    slash_rate_uncapped(monkeypatch)
    effort = attrs.evolve(EFFORTS["quick"], max_examples=400, steps_per_example=20)
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


def test_network_support_paid_elsewhere__caught_by_cons_split(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CONS-SPLIT checks who receives each part, not only the sums: a model that sends network
    support's STR to the insurance pool keeps every amount and every total, and is caught."""
    actions = (HONEST,)
    correct = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert "CONS-SPLIT" in correct.observed and not correct.violations
    monkeypatch.setattr(payment, "NETWORK_SUPPORT", INSURANCE_POOL)
    broken = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert "CONS-SPLIT" in broken.violated, broken.violations
    # The action checks (ACT-*) see the same wrong recipient, and INS-POOL the insurance pool
    # growing without a contribution; nothing else breaks.
    assert {i for i in broken.violated if not i.startswith("ACT-")} == {"CONS-SPLIT", "INS-POOL"}
    split = [v for v in broken.violations if v.startswith("CONS-SPLIT")]
    assert "module:insurance str" in split[0]
