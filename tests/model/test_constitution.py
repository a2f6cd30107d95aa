"""Tests for the constitution the chain enforces (§6.8): ranges, processes, x/gov's quorum,
threshold and veto, Tezos' amendment periods, and every STR as a vote."""

from __future__ import annotations

from fractions import Fraction

import attrs
import pytest
from governance_fixtures import ALICE, BOB, CAROL, DAVE, END, NOW, genesis, vote
from model_checks import is_str_conserved

from model.chain.actions import Action, CastVote, DelegateToSubcommittee, SubmitProposal, Tally
from model.chain.common import get_held_str_by_account
from model.chain.state import (
    APPS,
    Genesis,
    create_chain,
    get_developer,
    get_node,
    get_node_operator,
    get_user,
    get_validator,
    get_validator_operator,
)
from model.chain.transitions import process_action
from model.constitution import (
    HARDENED_CONSTITUTION,
    LITERAL_CONSTITUTION,
    TEZOS_AMENDMENT,
    Process,
    get_constitution,
)
from model.governance import (
    AmendmentPhase,
    GovernanceState,
    ParamChange,
    TallyResult,
    VoteOption,
    create_governance_state,
    get_amendment_quorum_bps,
    process_submit_proposal,
    process_tally,
    process_vote,
)
from model.ledger import BURN_ADDRESS, GOVERNANCE_DEPOSITS, Ledger, get_balance
from model.params import WHITEPAPER_PARAMS, param_specs
from model.profile import HARDENED, WHITEPAPER, Profile
from model.units import AccountId, Rejected

MAX_VALIDATORS = (ParamChange("consensus", "max_validators", 150),)
DAY = 86_400


def _submit(
    ledger: Ledger,
    changes: tuple[ParamChange, ...],
    *,
    profile: Profile = HARDENED,
    gov: GovernanceState | None = None,
) -> tuple[Ledger, GovernanceState, int] | Rejected:
    return process_submit_proposal(
        ledger,
        gov or create_governance_state(),
        proposer=DAVE,
        changes=changes,
        deposit_ustr=0,
        now=NOW,
        profile=profile,
    )


def _tally(
    ledger: Ledger, gov: GovernanceState, pid: int, now: int
) -> tuple[Ledger, GovernanceState, TallyResult]:
    result = process_tally(ledger, gov, proposal_id=pid, now=now)
    assert not isinstance(result, Rejected), result
    return result


def test_every_key_has_a_row_in_both_readings() -> None:
    names = {spec.name for spec in param_specs()}
    assert set(HARDENED_CONSTITUTION.rows) == names
    assert set(LITERAL_CONSTITUTION.rows) == names
    assert get_constitution(HARDENED) is HARDENED_CONSTITUTION
    assert get_constitution(WHITEPAPER) is LITERAL_CONSTITUTION


def test_defaults_fit_the_hardened_constitution() -> None:
    for spec in param_specs():
        row = HARDENED_CONSTITUTION.rows[spec.name]
        assert row.minimum <= spec.default <= row.maximum, spec.name
        assert row.section and row.reason
        assert row.vote in HARDENED_CONSTITUTION.votes or row.process is Process.AMENDMENT


@pytest.mark.parametrize("name", sorted(HARDENED_CONSTITUTION.rows))
def test_each_row_refuses_a_value_outside_its_range(name: str) -> None:
    row = HARDENED_CONSTITUTION.rows[name]
    spec = next(spec for spec in param_specs() if spec.name == name)
    subspace, key = name.split(".")
    outside = [v for v in (row.minimum - 1, row.maximum + 1) if spec.minimum <= v <= spec.maximum]
    for value in outside:
        result = _submit(genesis({DAVE: 1}), (ParamChange(subspace, key, value),))
        assert isinstance(result, Rejected), (name, value)
        assert name in result.reason
        assert f"{row.minimum}..{row.maximum}" in result.reason
        assert row.process.value in result.reason
        # The literal reading has no range: the same proposal opens a vote.
        assert not isinstance(
            _submit(genesis({DAVE: 1}), (ParamChange(subspace, key, value),), profile=WHITEPAPER),
            Rejected,
        )


def test_ratio_bound_refuses_a_supermajority_below_two_thirds() -> None:
    changes = (
        ParamChange("governance", "supermajority_num", 3),
        ParamChange("governance", "supermajority_den", 5),
    )
    result = _submit(genesis({DAVE: 1}), changes)
    assert isinstance(result, Rejected)
    assert "governance.supermajority_num / governance.supermajority_den = 3/5" in result.reason
    assert "[2/3, 1)" in result.reason
    raised = (
        ParamChange("governance", "supermajority_num", 3),
        ParamChange("governance", "supermajority_den", 4),
    )
    assert not isinstance(_submit(genesis({DAVE: 1}), raised), Rejected)


def test_processes_do_not_mix_when_hardened() -> None:
    changes = (*MAX_VALIDATORS, ParamChange("slashing", "slash_window_seconds", 365 * DAY))
    result = _submit(genesis({DAVE: 1}), changes)
    assert isinstance(result, Rejected)
    assert "slashing.slash_window_seconds changes only by the amendment process" in result.reason
    assert not isinstance(_submit(genesis({DAVE: 1}), changes, profile=WHITEPAPER), Rejected)


def _voted(
    holdings: dict[AccountId, int], ballots: dict[AccountId, VoteOption]
) -> tuple[Ledger, GovernanceState, int]:
    ledger = genesis({**holdings, DAVE: holdings.get(DAVE, 0)})
    submitted = _submit(ledger, MAX_VALIDATORS)
    assert not isinstance(submitted, Rejected)
    ledger, gov, pid = submitted
    for voter, option in ballots.items():
        gov = vote(gov, pid, voter, option)
    return ledger, gov, pid


def test_quorum_is_reached_at_a_third_of_all_power() -> None:
    # 1000 ustr in all: the x/gov quorum 0.334 needs 334 ustr cast.
    at = _voted({ALICE: 334, BOB: 666}, {ALICE: VoteOption.YES})
    _, gov, tally = _tally(*at, now=END)
    assert tally.passed and tally.total_power == 1_000 and tally.rule == "x/gov"
    assert gov.params.consensus.max_validators == 150
    below = _voted({ALICE: 333, BOB: 667}, {ALICE: VoteOption.YES})
    _, gov, tally = _tally(*below, now=END)
    assert not tally.passed
    assert tally.failed_because is not None and "quorum 334/1000" in tally.failed_because
    assert gov.params.consensus.max_validators == 100


def test_literal_reading_has_no_quorum() -> None:
    ledger = genesis({ALICE: 1, BOB: 10**12, DAVE: 0})
    submitted = _submit(ledger, (ParamChange("consensus", "threshold_num", 1),), profile=WHITEPAPER)
    assert not isinstance(submitted, Rejected)
    ledger, gov, pid = submitted
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    result = process_tally(ledger, gov, proposal_id=pid, now=END, profile=WHITEPAPER)
    assert not isinstance(result, Rejected)
    _, gov, tally = result
    # One holder of one ustr adopts a threshold of 1/3.
    assert tally.passed and gov.params.consensus.threshold_num == 1


def test_veto_above_a_third_of_the_votes_rejects_and_burns_the_deposit() -> None:
    ledger = genesis({ALICE: 600, BOB: 400, DAVE: 50})
    submitted = process_submit_proposal(
        ledger,
        create_governance_state(),
        proposer=DAVE,
        changes=MAX_VALIDATORS,
        deposit_ustr=50,
        now=NOW,
    )
    assert not isinstance(submitted, Rejected)
    ledger, gov, pid = submitted
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, BOB, VoteOption.NO_WITH_VETO)
    new_ledger, new_gov, tally = _tally(ledger, gov, pid, now=END)
    # 400 of 1000 cast is more than 0.334: vetoed although yes is 60%.
    assert tally.vetoed and not tally.passed
    assert get_balance(new_ledger, BURN_ADDRESS).ustr == 50
    assert get_balance(new_ledger, GOVERNANCE_DEPOSITS).ustr == 0
    assert get_balance(new_ledger, DAVE).ustr == 0
    assert is_str_conserved(new_ledger)
    assert new_gov.params == gov.params


def test_veto_at_exactly_its_share_does_not_reject() -> None:
    _, _, tally = _tally(
        *_voted({ALICE: 666, BOB: 334}, {ALICE: VoteOption.YES, BOB: VoteOption.NO_WITH_VETO}),
        now=END,
    )
    assert not tally.vetoed and tally.passed


def test_threshold_is_more_than_half_of_the_non_abstaining_votes() -> None:
    ledger, gov, pid = _voted(
        {ALICE: 300, BOB: 300, CAROL: 400},
        {ALICE: VoteOption.YES, BOB: VoteOption.NO, CAROL: VoteOption.ABSTAIN},
    )
    _, _, tally = _tally(ledger, gov, pid, now=END)
    assert not tally.passed and "1/2" in (tally.failed_because or "")
    ledger, gov, pid = _voted(
        {ALICE: 301, BOB: 300, CAROL: 400},
        {ALICE: VoteOption.YES, BOB: VoteOption.NO, CAROL: VoteOption.ABSTAIN},
    )
    _, _, tally = _tally(ledger, gov, pid, now=END)
    assert tally.passed


def test_burn_share_needs_more_than_two_thirds_with_quorum() -> None:
    burn = (
        ParamChange("payment", "str_burn_bps", 1_200),
        ParamChange("payment", "str_node_profit_bps", 1_800),
    )
    ledger = genesis({ALICE: 667, BOB: 333, DAVE: 0})
    submitted = _submit(ledger, burn)
    assert not isinstance(submitted, Rejected)
    ledger, gov, pid = submitted
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, BOB, VoteOption.NO)
    _, gov, tally = _tally(ledger, gov, pid, now=END)
    assert tally.rule == "x/gov supermajority" and tally.passed
    assert gov.params.payment.str_burn_bps == 1_200


def test_core_change_records_validators_that_did_not_vote() -> None:
    genesis_ = Genesis(
        user_ustr=(1_000, 1_000),
        user_ustb=(0, 0),
        validator_bonds=(100, 100, 100, 100),
        node_stakes=(),
    )
    state = create_chain(genesis_, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert not isinstance(state, Rejected)
    change = (ParamChange("payment", "payment_rate_bps", 20_000),)
    steps: list[Action] = [
        SubmitProposal(get_user(0), change, 0),
        CastVote(1, get_user(0), VoteOption.YES),
        CastVote(1, get_user(1), VoteOption.YES),
        CastVote(1, get_validator_operator(get_validator(0)), VoteOption.YES),
    ]
    for action in steps:
        result = process_action(state, action)
        assert not isinstance(result, Rejected), result
        state = result[0]
    state = attrs.evolve(state, now=state.now + state.params.governance.voting_period_seconds)
    result = process_action(state, Tally(1))
    assert not isinstance(result, Rejected), result
    tally = result[0].governance.proposals[1].result
    assert tally is not None and tally.passed
    assert tally.absent_validators == tuple(
        get_validator_operator(get_validator(i)) for i in (1, 2, 3)
    )


def test_every_str_votes_wherever_it_sits() -> None:
    genesis_ = Genesis(
        user_ustr=(1_000, 500),
        user_ustb=(0, 0),
        validator_bonds=(100,),
        node_stakes=(70,),
        developer_ustr=40,
        prepay_ustr=30,
        price=Fraction(1, 2),
    )
    state = create_chain(genesis_, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert not isinstance(state, Rejected)
    result = process_action(state, DelegateToSubcommittee(get_user(1), "network-support", 200))
    assert not isinstance(result, Rejected), result
    state = result[0]
    held = get_held_str_by_account(state)
    assert held[get_user(1)] == 200
    assert held[get_node_operator(get_node(0))] == 70
    assert held[get_validator_operator(get_validator(0))] == 100
    # Each app's prepaid STR votes with its developer (one developer account per app).
    developers = {get_developer(app) for app in APPS}
    assert sum(held.get(d, 0) for d in developers) == 30 * len(APPS)
    # Delegated STR votes: user 1 alone, with 300 liquid and 200 delegated, weighs 500.
    for action in (
        SubmitProposal(get_user(0), MAX_VALIDATORS, 0),
        CastVote(1, get_user(1), VoteOption.NO),
    ):
        result = process_action(state, action)
        assert not isinstance(result, Rejected), result
        state = result[0]
    state = attrs.evolve(state, now=state.now + state.params.governance.voting_period_seconds)
    result = process_action(state, Tally(1))
    assert not isinstance(result, Rejected), result
    tally = result[0].governance.proposals[1].result
    assert tally is not None and tally.no == 500


def _amendment_state() -> tuple[Ledger, GovernanceState, int]:
    ledger = genesis({ALICE: 800, BOB: 200, DAVE: 0})
    submitted = _submit(ledger, (ParamChange("slashing", "slash_window_seconds", 365 * DAY),))
    assert not isinstance(submitted, Rejected)
    ledger, gov, pid = submitted
    assert gov.proposals[pid].process is Process.AMENDMENT
    assert gov.proposals[pid].phase is AmendmentPhase.PROPOSAL
    assert gov.proposals[pid].voting_end == NOW + TEZOS_AMENDMENT.period_seconds
    return ledger, gov, pid


def _ballot(
    gov: GovernanceState, pid: int, now: int, ballots: dict[AccountId, VoteOption]
) -> GovernanceState:
    for voter, option in ballots.items():
        result = process_vote(gov, proposal_id=pid, voter=voter, option=option, now=now)
        assert not isinstance(result, Rejected), result
        gov = result
    return gov


def test_amendment_runs_four_periods_then_applies() -> None:
    ledger, gov, pid = _amendment_state()
    period = TEZOS_AMENDMENT.period_seconds
    phases = [
        (AmendmentPhase.PROPOSAL, {BOB: VoteOption.YES}, AmendmentPhase.EXPLORATION),
        (
            AmendmentPhase.EXPLORATION,
            {ALICE: VoteOption.YES, BOB: VoteOption.NO},
            AmendmentPhase.TESTING,
        ),
        (AmendmentPhase.TESTING, {}, AmendmentPhase.PROMOTION),
        (AmendmentPhase.PROMOTION, {ALICE: VoteOption.YES, BOB: VoteOption.NO}, None),
    ]
    for index, (phase, ballots, following) in enumerate(phases):
        end = NOW + (index + 1) * period
        assert gov.proposals[pid].phase is phase
        gov = _ballot(gov, pid, end - 1, ballots)
        early = process_tally(ledger, gov, proposal_id=pid, now=end - 1)
        assert isinstance(early, Rejected)
        ledger, gov, tally = _tally(ledger, gov, pid, now=end)
        assert tally.phase is phase and tally.next_phase is following
        if following is not None:
            assert gov.params.slashing.slash_window_seconds == 730 * DAY
            assert gov.proposals[pid].votes == {}
    assert tally.passed
    assert gov.params.slashing.slash_window_seconds == 365 * DAY
    assert len(gov.proposals[pid].history) == 4


def test_testing_period_takes_no_votes() -> None:
    ledger, gov, pid = _amendment_state()
    period = TEZOS_AMENDMENT.period_seconds
    gov = _ballot(gov, pid, NOW, {BOB: VoteOption.YES})
    ledger, gov, _ = _tally(ledger, gov, pid, now=NOW + period)
    gov = _ballot(gov, pid, NOW + period, {ALICE: VoteOption.YES})
    ledger, gov, _ = _tally(ledger, gov, pid, now=NOW + 2 * period)
    assert gov.proposals[pid].phase is AmendmentPhase.TESTING
    refused = process_vote(
        gov, proposal_id=pid, voter=ALICE, option=VoteOption.YES, now=NOW + 2 * period
    )
    assert isinstance(refused, Rejected) and "testing" in refused.reason


def test_amendment_proposal_period_needs_five_percent_of_upvotes() -> None:
    ledger = genesis({ALICE: 951, BOB: 49, DAVE: 0})
    submitted = _submit(ledger, (ParamChange("slashing", "slash_window_seconds", 365 * DAY),))
    assert not isinstance(submitted, Rejected)
    ledger, gov, pid = submitted
    gov = _ballot(gov, pid, NOW, {BOB: VoteOption.YES})
    _, gov, tally = _tally(ledger, gov, pid, now=NOW + TEZOS_AMENDMENT.period_seconds)
    assert not tally.passed and tally.next_phase is None
    assert "proposal quorum 5/100" in (tally.failed_because or "")


def test_amendment_ballot_needs_eighty_percent_and_the_quorum() -> None:
    # The ema starts at 80%: quorum 20% + 80% x 50% = 60%.
    assert get_amendment_quorum_bps(TEZOS_AMENDMENT, 8_000) == 6_000
    ledger, gov, pid = _amendment_state()
    period = TEZOS_AMENDMENT.period_seconds
    gov = _ballot(gov, pid, NOW, {BOB: VoteOption.YES})
    ledger, gov, _ = _tally(ledger, gov, pid, now=NOW + period)
    # Yay 800 of 1000 is exactly 80%: it passes (Tezos: at least 80%).
    gov = _ballot(gov, pid, NOW + period, {ALICE: VoteOption.YES, BOB: VoteOption.NO})
    _, after, tally = _tally(ledger, gov, pid, now=NOW + 2 * period)
    assert tally.next_phase is AmendmentPhase.TESTING
    # Participation 100% moves the ema a fifth of the way: 80% -> 84%.
    assert after.participation_ema_bps == 8_400
    # Only Bob votes: participation 20% misses the 60% quorum.
    gov2 = _ballot(gov, pid, NOW + period, {ALICE: VoteOption.ABSTAIN})
    gov2 = attrs.evolve(
        gov2,
        proposals=gov2.proposals.set(
            pid, attrs.evolve(gov2.proposals[pid], votes=gov2.proposals[pid].votes.remove(ALICE))
        ),
    )
    _, _, tally = _tally(ledger, gov2, pid, now=NOW + 2 * period)
    assert tally.next_phase is None and "quorum 6000 bps" in (tally.failed_because or "")
