"""Tests for model/governance.py: parameter-change votes and tallies (§6.8, §6.4, §6.5)."""

from __future__ import annotations

from governance_fixtures import (
    ALICE,
    BOB,
    BURN_ALONE,
    BURN_CHANGE,
    CAROL,
    DAVE,
    END,
    NOW,
    RATE_CHANGE,
    genesis,
    run_tally,
    submit,
    vote,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from model.coherence import is_coherent
from model.governance import (
    GovernanceState,
    ParamChange,
    TallyResult,
    VoteOption,
    create_governance_state,
    get_required_majority,
    is_supermajority_key,
    process_submit_proposal,
    process_tally,
    process_vote,
)
from model.ledger import (
    GOVERNANCE_DEPOSITS,
    Ledger,
    Token,
    get_balance,
    process_transfer,
)
from model.profile import HARDENED, WHITEPAPER, Profile
from model.units import Rejected


def test_basic__simple_majority_passes_and_updates_live_params() -> None:
    ledger = genesis({ALICE: 60, BOB: 40})
    ledger, gov, pid = submit(ledger, create_governance_state(), RATE_CHANGE)
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, BOB, VoteOption.NO)
    _, gov, tally = run_tally(ledger, gov, pid)
    # Alice's 10 deposited ustr are locked during the tally: 50 yes against 40 no.
    assert tally == TallyResult(
        yes=50,
        no=40,
        abstain=0,
        supermajority_required=False,
        passed=True,
        total_power=90,
        rule="x/gov",
    )
    assert tally.refused is None
    assert gov.params.consensus.max_validators == 150


def test_simple_majority__tie_fails() -> None:
    ledger = genesis({ALICE: 60, BOB: 50})
    ledger, gov, pid = submit(ledger, create_governance_state(), RATE_CHANGE)
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, BOB, VoteOption.NO)
    _, gov, tally = run_tally(ledger, gov, pid)
    assert (tally.yes, tally.no, tally.passed) == (50, 50, False)
    assert gov.params.consensus.max_validators == 100


def test_simple_majority__abstain_does_not_block() -> None:
    ledger = genesis({ALICE: 12, BOB: 1, CAROL: 1_000})
    ledger, gov, pid = submit(ledger, create_governance_state(), RATE_CHANGE)
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, BOB, VoteOption.NO)
    gov = vote(gov, pid, CAROL, VoteOption.ABSTAIN)
    _, _, tally = run_tally(ledger, gov, pid)
    assert tally.passed


def test_no_votes_fails() -> None:
    ledger = genesis({ALICE: 100})
    ledger, gov, pid = submit(ledger, create_governance_state(), RATE_CHANGE)
    _, _, tally = run_tally(ledger, gov, pid)
    assert not tally.passed


def test_supermajority__exactly_two_thirds_fails() -> None:
    # Deposit 0 so every holder's whole balance votes: yes 200 of 300 is exactly 2/3.
    ledger = genesis({ALICE: 200, BOB: 100})
    ledger, gov, pid = submit(ledger, create_governance_state(), BURN_CHANGE, deposit=0)
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, BOB, VoteOption.NO)
    _, gov, tally = run_tally(ledger, gov, pid)
    assert tally.supermajority_required
    assert (tally.yes, tally.no) == (200, 100)
    assert not tally.passed
    assert gov.params.payment.str_burn_bps == 1_000


def test_supermajority__one_ustr_above_two_thirds_passes() -> None:
    ledger = genesis({ALICE: 201, BOB: 100})
    ledger, gov, pid = submit(ledger, create_governance_state(), BURN_CHANGE, deposit=0)
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, BOB, VoteOption.NO)
    _, gov, tally = run_tally(ledger, gov, pid)
    assert tally.passed
    assert gov.params.payment.str_burn_bps == 1_200


def test_supermajority__abstain_counts_against() -> None:
    ledger = genesis({ALICE: 201, CAROL: 100})
    ledger, gov, pid = submit(ledger, create_governance_state(), BURN_CHANGE, deposit=0)
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, CAROL, VoteOption.ABSTAIN)
    _, _, tally = run_tally(ledger, gov, pid)
    assert tally.passed
    ledger = genesis({ALICE: 200, CAROL: 100})
    ledger, gov, pid = submit(ledger, create_governance_state(), BURN_CHANGE, deposit=0)
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, CAROL, VoteOption.ABSTAIN)
    _, _, tally = run_tally(ledger, gov, pid)
    assert not tally.passed


def test_supermajority_keys() -> None:
    for subspace, key in (
        ("payment", "str_burn_bps"),
        ("payment", "stb_reserve_swap_bps"),
        ("payment", "str_network_support_bps"),
        ("governance", "supermajority_num"),
        ("governance", "supermajority_den"),
    ):
        assert is_supermajority_key(subspace, key)
        assert get_required_majority((*RATE_CHANGE, ParamChange(subspace, key, 1)))
    assert not is_supermajority_key("payment", "str_node_profit_bps")
    assert not get_required_majority(RATE_CHANGE)


@settings(max_examples=200, deadline=None)
@given(yes=st.integers(0, 10**30), no=st.integers(0, 10**30), abstain=st.integers(0, 10**30))
def test_supermajority_rule__gov_supermajority(yes: int, no: int, abstain: int) -> None:
    """GOV-SUPERMAJORITY: a burn change passes iff yes is strictly above 2/3 of all votes."""
    ledger = genesis({ALICE: yes, BOB: no, CAROL: abstain, DAVE: 1})
    ledger, gov, pid = submit(
        ledger, create_governance_state(), BURN_CHANGE, proposer=DAVE, deposit=1
    )
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, BOB, VoteOption.NO)
    gov = vote(gov, pid, CAROL, VoteOption.ABSTAIN)
    _, new_gov, tally = run_tally(ledger, gov, pid)
    assert tally.passed == (3 * yes > 2 * (yes + no + abstain))
    assert (new_gov.params.payment.str_burn_bps == 1_200) == tally.passed


def test_revote_replaces_first_vote() -> None:
    ledger = genesis({ALICE: 60, BOB: 40})
    ledger, gov, pid = submit(ledger, create_governance_state(), RATE_CHANGE)
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, BOB, VoteOption.NO)
    gov = vote(gov, pid, ALICE, VoteOption.NO)
    assert len(gov.proposals[pid].votes) == 2
    _, _, tally = run_tally(ledger, gov, pid)
    assert (tally.yes, tally.no, tally.passed) == (0, 90, False)


def test_invalid_vote_after_end() -> None:
    ledger = genesis({ALICE: 60})
    ledger, gov, pid = submit(ledger, create_governance_state(), RATE_CHANGE)
    result = process_vote(gov, proposal_id=pid, voter=ALICE, option=VoteOption.YES, now=END)
    assert isinstance(result, Rejected)
    assert result.rule == "process_vote"
    last_moment = process_vote(
        gov, proposal_id=pid, voter=ALICE, option=VoteOption.YES, now=END - 1
    )
    assert not isinstance(last_moment, Rejected)


def test_invalid_vote_unknown_proposal() -> None:
    gov = create_governance_state()
    result = process_vote(gov, proposal_id=7, voter=ALICE, option=VoteOption.YES, now=NOW)
    assert isinstance(result, Rejected)


def test_invalid_tally_before_end() -> None:
    ledger = genesis({ALICE: 60})
    ledger, gov, pid = submit(ledger, create_governance_state(), RATE_CHANGE)
    result = process_tally(ledger, gov, proposal_id=pid, now=END - 1)
    assert isinstance(result, Rejected)
    assert result.rule == "process_tally"


def test_invalid_tally_twice() -> None:
    ledger = genesis({ALICE: 60})
    ledger, gov, pid = submit(ledger, create_governance_state(), RATE_CHANGE)
    ledger, gov, _ = run_tally(ledger, gov, pid)
    again = process_tally(ledger, gov, proposal_id=pid, now=END + 5)
    assert isinstance(again, Rejected)


def test_invalid_tally_negative_bond() -> None:
    ledger = genesis({ALICE: 60})
    ledger, gov, pid = submit(ledger, create_governance_state(), RATE_CHANGE)
    result = process_tally(ledger, gov, proposal_id=pid, now=END, held={ALICE: -1})
    assert isinstance(result, Rejected)


def test_transfer_after_voting_cannot_double_count() -> None:
    """Weighed at tally, STR moved from a YES voter to another YES voter counts once."""
    ledger = genesis({ALICE: 60, BOB: 40, CAROL: 50})
    ledger, gov, pid = submit(ledger, create_governance_state(), RATE_CHANGE, deposit=0)
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, CAROL, VoteOption.NO)
    gov = vote(gov, pid, BOB, VoteOption.YES)
    moved = process_transfer(ledger, sender=ALICE, recipient=BOB, token=Token.STR, amount=60)
    assert not isinstance(moved, Rejected)
    _, _, tally = run_tally(moved, gov, pid)
    assert (tally.yes, tally.no) == (100, 50)


def test_held_stake_votes() -> None:
    ledger = genesis({ALICE: 10, BOB: 40})
    ledger, gov, pid = submit(ledger, create_governance_state(), RATE_CHANGE, deposit=0)
    gov = vote(gov, pid, ALICE, VoteOption.YES)
    gov = vote(gov, pid, BOB, VoteOption.NO)
    _, _, tally = run_tally(ledger, gov, pid, held={ALICE: 100, CAROL: 99})
    assert (tally.yes, tally.no, tally.passed) == (110, 40, True)
    # Carol's held STR is voting power too: the quorum's base is all of it.
    assert tally.total_power == 10 + 40 + 100 + 99


def test_invalid_proposal_out_of_domain() -> None:
    ledger = genesis({ALICE: 60})
    gov = create_governance_state()
    for changes in (
        (ParamChange("payment", "str_burn_bps", 10_001),),
        (ParamChange("payment", "no_such_key", 1),),
        (ParamChange("nowhere", "str_burn_bps", 1),),
        (ParamChange("governance", "supermajority_den", 0),),
        (
            ParamChange("consensus", "max_validators", 5),
            ParamChange("consensus", "max_validators", 6),
        ),
        (),
    ):
        result = process_submit_proposal(
            ledger, gov, proposer=ALICE, changes=changes, deposit_ustr=1, now=NOW
        )
        assert isinstance(result, Rejected), changes
        assert result.rule == "process_submit_proposal"


def test_invalid_proposal_deposit_not_held() -> None:
    ledger = genesis({ALICE: 5})
    result = process_submit_proposal(
        ledger,
        create_governance_state(),
        proposer=ALICE,
        changes=RATE_CHANGE,
        deposit_ustr=6,
        now=NOW,
    )
    assert isinstance(result, Rejected)


def test_proposal_ids_increase() -> None:
    ledger = genesis({ALICE: 60})
    ledger, gov, first = submit(ledger, create_governance_state(), RATE_CHANGE)
    _, gov, second = submit(ledger, gov, BURN_CHANGE)
    assert second == first + 1
    assert set(gov.proposals) == {first, second}


# --- Coherence at the vote (GOV-PARAMS) --------------------------------------------------------

# Two proposals, each coherent against the genesis parameters, that together overshoot the STR
# margin: A moves 200 bps from the node to network support, B 200 bps from the node to the burn.
NETWORK_SUPPORT_CHANGE = (
    ParamChange("payment", "str_node_profit_bps", 1_800),
    ParamChange("payment", "str_network_support_bps", 1_200),
)


def pass_proposal(
    ledger: Ledger, gov: GovernanceState, proposal_id: int, *, profile: Profile
) -> tuple[Ledger, GovernanceState, TallyResult]:
    gov = vote(gov, proposal_id, BOB, VoteOption.YES)
    return run_tally(ledger, gov, proposal_id, profile=profile)


def test_submit_proposal__hardened_refuses_incoherent_shares() -> None:
    ledger = genesis({ALICE: 60})
    result = process_submit_proposal(
        ledger,
        create_governance_state(),
        proposer=ALICE,
        changes=BURN_ALONE,
        deposit_ustr=10,
        now=NOW,
        profile=HARDENED,
    )
    assert isinstance(result, Rejected)
    assert result.rule == "process_submit_proposal"
    assert "(str-sub-shares)" in result.reason
    assert (
        "str_burn_bps 1200 + str_network_support_bps 1000 != str_profit_margin_bps 4000"
        in result.reason
    )


def test_submit_proposal__default_profile_is_hardened() -> None:
    ledger = genesis({ALICE: 60})
    gov = create_governance_state()
    result = process_submit_proposal(
        ledger, gov, proposer=ALICE, changes=BURN_ALONE, deposit_ustr=10, now=NOW
    )
    assert isinstance(result, Rejected)
    coherent = process_submit_proposal(
        ledger, gov, proposer=ALICE, changes=BURN_CHANGE, deposit_ustr=10, now=NOW
    )
    assert not isinstance(coherent, Rejected)


def test_submit_proposal__hardened_names_the_first_violation() -> None:
    ledger = genesis({ALICE: 60})
    changes = (ParamChange("payment", "payment_rate_bps", 25_000), *BURN_ALONE)
    result = process_submit_proposal(
        ledger,
        create_governance_state(),
        proposer=ALICE,
        changes=changes,
        deposit_ustr=10,
        now=NOW,
        profile=HARDENED,
    )
    assert isinstance(result, Rejected)
    assert "(cost-plus-margins)" in result.reason
    assert "str-sub-shares" not in result.reason


def test_whitepaper_governance_adopts_incoherent_shares() -> None:
    """Literal §6.8: a burn raised alone passes the vote and the live shares stop adding up."""
    ledger = genesis({ALICE: 60, BOB: 1_000})
    gov = create_governance_state()
    ledger, gov, pid = submit(ledger, gov, BURN_ALONE, profile=WHITEPAPER)
    _, gov, tally = pass_proposal(ledger, gov, pid, profile=WHITEPAPER)
    assert tally.passed and tally.refused is None
    assert gov.params.payment.str_burn_bps == 1_200
    assert not is_coherent(gov.params)


def test_tally__hardened_refuses_when_two_coherent_proposals_conflict() -> None:
    ledger = genesis({ALICE: 60, BOB: 1_000})
    gov = create_governance_state()
    ledger, gov, first = submit(ledger, gov, NETWORK_SUPPORT_CHANGE)
    ledger, gov, second = submit(ledger, gov, BURN_CHANGE)
    ledger, gov, tally = pass_proposal(ledger, gov, first, profile=HARDENED)
    assert tally.passed and gov.params.payment.str_network_support_bps == 1_200
    adopted = gov.params
    ledger, gov, tally = pass_proposal(ledger, gov, second, profile=HARDENED)
    assert not tally.passed
    assert tally.refused is not None
    assert "the vote passed" in tally.refused and "(str-sub-shares)" in tally.refused
    assert tally.yes > tally.no
    assert gov.params == adopted and is_coherent(gov.params)
    assert get_balance(ledger, GOVERNANCE_DEPOSITS).ustr == 0  # the refused deposit is returned


def test_tally__whitepaper_adopts_two_conflicting_proposals() -> None:
    ledger = genesis({ALICE: 60, BOB: 1_000})
    gov = create_governance_state()
    ledger, gov, first = submit(ledger, gov, NETWORK_SUPPORT_CHANGE, profile=WHITEPAPER)
    ledger, gov, second = submit(ledger, gov, BURN_CHANGE, profile=WHITEPAPER)
    ledger, gov, _ = pass_proposal(ledger, gov, first, profile=WHITEPAPER)
    _, gov, tally = pass_proposal(ledger, gov, second, profile=WHITEPAPER)
    assert tally.passed and tally.refused is None
    assert gov.params.payment.str_burn_bps == 1_200
    assert gov.params.payment.str_network_support_bps == 1_200
    assert not is_coherent(gov.params)


def test_tally__hardened_rejected_vote_is_not_a_refusal() -> None:
    ledger = genesis({ALICE: 60, BOB: 1_000})
    ledger, gov, pid = submit(ledger, create_governance_state(), BURN_CHANGE)
    gov = vote(gov, pid, BOB, VoteOption.NO)
    _, _, tally = run_tally(ledger, gov, pid, profile=HARDENED)
    assert not tally.passed and tally.refused is None


SHARE_KEYS = (
    "str_burn_bps",
    "str_node_profit_bps",
    "str_network_support_bps",
    "str_profit_margin_bps",
)


@settings(max_examples=100, deadline=None)
@given(
    proposals=st.lists(
        st.lists(
            st.tuples(st.sampled_from(SHARE_KEYS), st.integers(0, 6_000)),
            min_size=1,
            max_size=3,
            unique_by=lambda change: change[0],
        ),
        min_size=1,
        max_size=4,
    ),
    hardened=st.booleans(),
)
def test_gov_params__hardened_governance_keeps_the_shares_coherent(
    proposals: list[list[tuple[str, int]]], hardened: bool
) -> None:
    """GOV-PARAMS: under hardened no sequence of votes leaves incoherent live parameters."""
    profile = HARDENED if hardened else WHITEPAPER
    ledger = genesis({ALICE: 10_000, BOB: 10**6})
    gov = create_governance_state()
    ids = []
    for changes in proposals:
        proposal = tuple(ParamChange("payment", key, value) for key, value in changes)
        submitted = process_submit_proposal(
            ledger,
            gov,
            proposer=ALICE,
            changes=proposal,
            deposit_ustr=1,
            now=NOW,
            profile=profile,
        )
        if isinstance(submitted, Rejected):
            assert hardened
            continue
        ledger, gov, pid = submitted
        ids.append(pid)
    for pid in ids:
        ledger, gov, _ = pass_proposal(ledger, gov, pid, profile=profile)
        if hardened:
            assert is_coherent(gov.params)
    assert get_balance(ledger, GOVERNANCE_DEPOSITS).ustr == 0
