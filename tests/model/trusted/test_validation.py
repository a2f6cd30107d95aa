"""The app-layer validators (§3.3 Steps 10-12, §4.3.2, §4.4): committee, votes, block, recourse."""

from __future__ import annotations

import attrs
import pytest
from trusted_fixtures import COST, make_chain, make_scenario, node_id

from model.hashing import DEFAULT_ALGORITHM, compute_hash
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.behaviour import Behaviour, Scenario, get_scenario_problems
from model.trusted.billing import encode_usage, get_billed_cost
from model.trusted.scenario import RoundRun, run_round_to_decision
from model.trusted.settlement import RoundOutcome, process_settle_round
from model.trusted.validation import (
    FALSE,
    HONEST_VALIDATORS,
    ValidatorBehaviour,
    ValidatorPlan,
    compute_beacon_seed,
    compute_tally,
    encode_value,
    get_beacon_secret,
    get_lie_value,
    process_resolution_vote,
    process_select_committee,
)
from model.units import Rejected, ValidatorId

P = WHITEPAPER_PARAMS
ALGO = DEFAULT_ALGORITHM
V = tuple(ValidatorId(f"v{i}") for i in range(6))
H, LIE, ABSTAIN, EQUIV = (
    ValidatorBehaviour.HONEST,
    ValidatorBehaviour.LIE,
    ValidatorBehaviour.ABSTAIN,
    ValidatorBehaviour.EQUIVOCATE,
)
TRUTH = encode_value(True, compute_hash(b"f(a) = b"))
FINDING_ROUND = 4
"""The first round id where v0 withholds its beacon secret and so joins a committee of 2 of 6."""


def plans(*behaviours: ValidatorBehaviour) -> tuple[ValidatorPlan, ...]:
    return tuple(ValidatorPlan(V[i], b) for i, b in enumerate(behaviours))


def run(scenario: Scenario, profile: Profile = HARDENED) -> RoundRun:
    ran = run_round_to_decision(scenario, params=P, profile=profile)
    assert isinstance(ran, RoundRun), ran
    assert ran.validation is not None
    return ran


def settle(ran: RoundRun, profile: Profile = HARDENED) -> RoundOutcome:
    assert ran.decided_at is not None
    settled = process_settle_round(
        make_chain(len(ran.scenario.plans)),
        ran.state,
        cost=COST,
        now=ran.decided_at,
        params=P,
        profile=profile,
        validation=ran.validation,
    )
    assert not isinstance(settled, Rejected), settled
    return settled[1]


def nodes(*behaviours: Behaviour) -> Scenario:
    return make_scenario(list(behaviours) or [Behaviour.HONEST] * 4)


def committee_of(
    scenario: Scenario, *validators: ValidatorPlan, count: int | None = None
) -> Scenario:
    return attrs.evolve(scenario, validators=validators, validator_count=count)


def select(validators: tuple[ValidatorPlan, ...], count: int | None, profile: Profile = HARDENED):  # type: ignore[no-untyped-def]
    return process_select_committee(
        validators, count=count, round_id=5, seed=b"s", algorithm=ALGO, profile=profile
    )


# --- The beacon and the committee ---------------------------------------------------------------


def test_default_scenario__four_honest_validators_pass_f10_and_its_block() -> None:
    ran = run(nodes())
    validation = ran.validation
    assert validation is not None
    assert sorted(validation.committee.selected) == [p.validator for p in HONEST_VALIDATORS]
    assert validation.decision_passed == TRUTH
    assert validation.proposer == validation.committee.selected[0]
    assert validation.block_passed and validation.applied_value == TRUTH
    outcome = settle(ran)
    assert outcome.paid == tuple(node_id(i) for i in range(4))
    assert outcome.validators == tuple(validation.committee.selected)
    assert outcome.decision_votes == tuple((v, TRUTH) for v in sorted(outcome.validators))
    assert outcome.block_votes == tuple((v, True) for v in sorted(outcome.validators))
    assert outcome.beacon_seed == validation.committee.seed.hex()
    assert (outcome.decision_passed, outcome.block_passed) == (TRUTH, True)


def test_committee__is_the_developers_count_ranked_by_the_beacon_seed() -> None:
    validators = plans(H, H, H, H, H, H)
    committee = select(validators, 3)
    assert len(committee.selected) == 3 and set(committee.selected) <= set(V)
    assert select(validators, 3) == committee
    everyone = select(validators, None)
    assert everyone.selected[:3] == committee.selected and len(everyone.selected) == 6
    assert select(validators, 99) == everyone


def test_beacon_seed__hashes_every_revealed_secret_by_validator_id() -> None:
    secrets = {v: get_beacon_secret(seed=b"s", round_id=5, validator=v, algorithm=ALGO) for v in V}
    seed = compute_beacon_seed(round_id=5, revealed=secrets, algorithm=ALGO)
    assert select(plans(H, H, H, H, H, H), None).seed == seed
    reordered = dict(reversed(list(secrets.items())))
    assert compute_beacon_seed(round_id=5, revealed=reordered, algorithm=ALGO) == seed
    fewer = {v: s for v, s in secrets.items() if v != V[0]}
    assert compute_beacon_seed(round_id=5, revealed=fewer, algorithm=ALGO) != seed


def _drawn(round_id: int, *, withholds: bool, profile: Profile) -> bool:
    """Whether v0 is on a committee of 2 of 6 validators of round `round_id`."""
    validators = (ValidatorPlan(V[0], withholds_beacon=withholds), *plans(H, H, H, H, H, H)[1:])
    committee = process_select_committee(
        validators, count=2, round_id=round_id, seed=b"s", algorithm=ALGO, profile=profile
    )
    return V[0] in committee.selected


def _withholder_selected(profile: Profile) -> tuple[int, bool, bool]:
    """The first round id where v0's withholding changes whether it sits on the committee, and
    whether it does when it reveals and when it withholds."""
    for round_id in range(1, 200):
        revealing = _drawn(round_id, withholds=False, profile=profile)
        withholding = _drawn(round_id, withholds=True, profile=profile)
        if withholding and not revealing:
            return round_id, revealing, withholding
    raise AssertionError("withholding never put v0 on the committee")


def test_finding__a_withholding_validator_can_draw_itself_under_the_literal_profile() -> None:
    """§4.4's "randomized selection" names no source of randomness: with the commit-reveal
    beacon, v0 sees the others' secrets, and where withholding its own puts it on the
    committee (and revealing would not) it withholds and sits on the app's committee."""
    round_id, revealing, withholding = _withholder_selected(WHITEPAPER)
    assert (round_id, revealing, withholding) == (FINDING_ROUND, False, True)
    assert not _drawn(FINDING_ROUND, withholds=True, profile=HARDENED)


def test_hardened__a_withholder_is_never_on_the_committee() -> None:
    for round_id in range(1, 50):
        validators = (ValidatorPlan(V[0], withholds_beacon=True), *plans(H, H, H, H, H, H)[1:])
        committee = process_select_committee(
            validators, count=None, round_id=round_id, seed=b"s", algorithm=ALGO, profile=HARDENED
        )
        assert V[0] not in committee.selected and committee.withheld == (V[0],)


# --- Step 10 and Step 12 ------------------------------------------------------------------------


def test_liars_under_a_third__cannot_pass_their_value() -> None:
    ran = run(committee_of(nodes(), *plans(H, H, H, H, H, LIE)))
    validation = ran.validation
    assert validation is not None
    assert validation.decision_passed == TRUTH
    outcome = settle(ran)
    assert len(outcome.paid) == 4 and outcome.escrow_locked == ()


def test_liars_over_two_thirds__pass_their_lie_outside_the_bft_assumption() -> None:
    """§3.3 with more than 2/3 of the committee lying: the lie (FALSE) passes; nobody is paid
    and the payment is locked: the honest minority cannot stop it (BFT needs < 1/3)."""
    ran = run(committee_of(nodes(), *plans(LIE, LIE, LIE, LIE, LIE, H)))
    validation = ran.validation
    assert validation is not None
    assert validation.decision_passed == FALSE
    outcome = settle(ran)
    assert outcome.paid == () and len(outcome.escrow_locked) == 4


def test_abstainers_or_equivocators_over_a_third__recourse_locks_the_payment() -> None:
    """Step 12 item 4: no supermajority: the node payment is locked in escrow, nobody is paid."""
    for behaviours in ((H, H, ABSTAIN, ABSTAIN), (H, H, EQUIV, EQUIV), (H, H, LIE, ABSTAIN)):
        ran = run(committee_of(nodes(), *plans(*behaviours)))
        outcome = settle(ran)
        assert outcome.decision_passed is None and not outcome.block_passed
        assert outcome.paid == () and len(outcome.escrow_locked) == 4
        assert outcome.block_votes == ()


def test_equivocator__both_votes_recorded_neither_counted() -> None:
    ran = run(committee_of(nodes(), *plans(EQUIV, H, H, H)))
    outcome = settle(ran)
    assert outcome.equivocators == ("v0",)
    assert sum(1 for v, _ in outcome.decision_votes if v == "v0") == 2
    assert outcome.decision_passed == TRUTH  # 3 of 4 honest: more than 2/3 without v0
    assert compute_tally([(V[0], TRUTH), (V[0], FALSE)], committee=1, params=P) is None


def test_lying_proposer__its_block_fails_and_the_payment_is_locked() -> None:
    """Step 12 items 1-4: the first-ranked validator proposes; a liar proposes the lie's block,
    the honest majority rejects it, and recourse locks the payment."""
    for liar in V[:4]:
        behaviours = tuple(LIE if v == liar else H for v in V[:4])
        ran = run(committee_of(nodes(), *plans(*behaviours)))
        validation = ran.validation
        assert validation is not None and validation.decision_passed == TRUTH
        if validation.proposer == liar:
            assert not validation.block_passed
            assert settle(ran).escrow_locked != ()
            return
    raise AssertionError("no liar was drawn to propose")


def test_lie_value__false_against_true_and_the_commonest_reveal_against_false() -> None:
    a, b = b"a" * 32, b"b" * 32
    assert get_lie_value(TRUTH, [a]) == FALSE
    assert get_lie_value(FALSE, [b, a, b]) == encode_value(True, b)
    assert get_lie_value(FALSE, [b, a]) == encode_value(True, a)
    assert get_lie_value(FALSE, []) == encode_value(True, bytes(32))


def test_resolution_vote__needs_two_thirds_of_the_committee() -> None:
    committee = V[:3]
    honest = process_resolution_vote(
        committee=committee, plans=(), truth=TRUTH, counted_hashes=[], params=P
    )
    assert honest.passed == TRUTH and len(honest.votes) == 3
    split = process_resolution_vote(
        committee=committee,
        plans=(ValidatorPlan(V[0], ABSTAIN),),
        truth=TRUTH,
        counted_hashes=[],
        params=P,
    )
    assert split.passed is None


def test_billing__usage_is_billed_only_once_the_validators_pass_it() -> None:
    usage = 123
    billing = attrs.evolve(nodes(), correct_output=encode_usage(usage))
    assert get_billed_cost(run(billing), claimed_cost=usage) == usage
    stalled = committee_of(billing, *plans(H, H, ABSTAIN, ABSTAIN))
    assert isinstance(get_billed_cost(run(stalled), claimed_cost=usage), Rejected)


def test_scenario_problems__validators() -> None:
    assert get_scenario_problems(committee_of(nodes()))
    assert get_scenario_problems(committee_of(nodes(), *plans(H), ValidatorPlan(V[0])))
    assert get_scenario_problems(committee_of(nodes(), *plans(H), count=0))


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER])
def test_app_withholding_salts__validators_vote_false_and_lock(profile: Profile) -> None:
    scenario = attrs.evolve(nodes(), app_reveals_salts=False)
    ran = run_round_to_decision(scenario, params=P, profile=profile)
    assert isinstance(ran, RoundRun)
    if ran.decided_at is None:
        assert ran.validation is None
        return
    assert ran.validation is not None and ran.validation.decision_passed == FALSE
    assert settle(ran, profile).escrow_locked
