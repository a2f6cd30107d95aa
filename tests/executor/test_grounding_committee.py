"""The executor plays the app's validators, byzantine ones included, and GROUNDED covers them.

Real calls whose committee lies, abstains, equivocates or withholds its beacon secret: the
executor's validators (`executor/committee.py`, which never calls the model) and the model agree
on every field of the record (the committee, the beacon seed, each Step 10 and Step 12 vote,
what passed, who was paid or locked), and the X checks APP-VALIDATORS and BFT-VALIDATORS hold.
A model whose committee draw, equivocation or lie is broken is caught by GROUNDED, by name of
the field; a record whose committee or passed value is forged is caught by the X checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
from executor_fixtures import (
    make_call,
    make_round,
    no_orphan_nodes,  # noqa: F401 - autouse: no node left behind
    predict_run,
)

from executor.checks import (
    SettledRound,
    check_app_validators,
    check_bft_validators,
    check_pay_only_majority,
)
from executor.committee import FALSE, PublicRound, is_byzantine_bounded, tally, true_value
from executor.engine import CallRun, Executor
from executor.fixed_calls import get_committee_calls
from executor.grounding import (
    GROUNDED,
    compare,
    describe_call,
    run_executor,
    settled_rounds,
)
from executor.scenario import TrustedCall
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted import validation
from model.trusted.behaviour import Behaviour, NodePlan, ValidatorBehaviour, ValidatorPlan
from model.units import NodeId, ValidatorId

HONEST, LIE = ValidatorBehaviour.HONEST, ValidatorBehaviour.LIE
ABSTAIN, EQUIVOCATE = ValidatorBehaviour.ABSTAIN, ValidatorBehaviour.EQUIVOCATE
FOUR = tuple(NodeId(f"n{i}") for i in range(4))


def committee_of(*behaviours: ValidatorBehaviour, withholding: int | None = None) -> Any:
    return tuple(
        ValidatorPlan(ValidatorId(f"v{i}"), b, withholds_beacon=i == withholding)
        for i, b in enumerate(behaviours)
    )


def with_validators(call: TrustedCall, plans: Any, count: int | None = None) -> TrustedCall:
    """`call` with its main round validated by `plans` (the billing round's stay honest)."""
    scenario = attrs.evolve(call.main.scenario, validators=plans, validator_count=count)
    return attrs.evolve(call, main=attrs.evolve(call.main, scenario=scenario))


def get_calls(profile: Profile) -> dict[str, TrustedCall]:
    lying_proposer, liar_supermajority = get_committee_calls(WHITEPAPER_PARAMS, profile)
    honest_nodes = make_call(make_round(tuple(NodePlan(n) for n in FOUR)))
    return {
        "lying proposer": lying_proposer,
        "liar supermajority": liar_supermajority,
        "abstainers": with_validators(honest_nodes, committee_of(HONEST, ABSTAIN, HONEST, ABSTAIN)),
        "equivocator, withholder, count": with_validators(
            make_call(
                make_round(
                    (*(NodePlan(n) for n in FOUR[:3]), NodePlan(FOUR[3], Behaviour.WRONG_OUTPUT))
                )
            ),
            committee_of(EQUIVOCATE, HONEST, LIE, HONEST, HONEST, HONEST, withholding=1),
            count=4,
        ),
    }


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[tuple[str, str], tuple[TrustedCall, CallRun, Profile]]]:
    """Every committee call run once with real processes under each profile."""
    found = {}
    with Executor() as executor:
        for profile in (HARDENED, WHITEPAPER):
            for name, call in get_calls(profile).items():
                run = executor.run_call(call, params=WHITEPAPER_PARAMS, profile=profile)
                found[(profile.name, name)] = (call, run, profile)
    yield found


def differences(entry: tuple[TrustedCall, CallRun, Profile]) -> tuple[str, ...]:
    call, run, profile = entry
    return compare(run.record, predict_run(call, run, WHITEPAPER_PARAMS, profile))


def main_round(entry: tuple[TrustedCall, CallRun, Profile]) -> SettledRound:
    call, run, profile = entry
    return settled_rounds(run, call, WHITEPAPER_PARAMS, profile)[-1]


def test_byzantine_committees_are_grounded(
    runs: dict[tuple[str, str], tuple[TrustedCall, CallRun, Profile]],
) -> None:
    """Executor and model agree on every field, the new ones included, and the X checks of the
    committee hold on each real round but two: under the literal profile the two calls with a
    withholding validator seat it (docs/findings.md, APP-VALIDATORS), and the executor's check
    says so on their main rounds."""
    literal_findings = {
        ("whitepaper", "liar supermajority"),
        ("whitepaper", "equivocator, withholder, count"),
    }
    for key, entry in runs.items():
        assert differences(entry) == (), (key, describe_call(entry[0]))
        rounds = settled_rounds(entry[1], entry[0], WHITEPAPER_PARAMS, entry[2])
        for index, settled in enumerate(rounds):
            for check in (check_app_validators, check_bft_validators):
                observation = check(settled)
                assert observation is not None, (key, check)
                if (
                    key in literal_findings
                    and index == len(rounds) - 1
                    and check is check_app_validators
                ):
                    assert not observation.holds, observation
                    assert (
                        "withheld their beacon secrets and sit on the committee"
                        in observation.detail
                    )
                else:
                    assert observation.holds, (key, observation)


def test_a_lying_proposer_sends_the_payment_to_recourse(
    runs: dict[tuple[str, str], tuple[TrustedCall, CallRun, Profile]],
) -> None:
    """Step 12 item 4: the truth passes Step 10 with 3 of 4, the liar at the top of the ranking
    proposes FALSE, the honest three reject it: nobody is paid, all four are locked."""
    for profile in ("hardened", "whitepaper"):
        call, run, _ = runs[(profile, "lying proposer")]
        main = run.record.main
        assert main is not None and main.consensus and main.agreed_output_hash is not None
        liar = next(p.validator for p in call.main.scenario.validators if p.behaviour is LIE)
        assert main.proposer == liar == main.validators[0]
        assert main.decision_passed == "TRUE:" + main.agreed_output_hash
        assert not main.block_passed and main.paid == ()
        assert main.escrow_locked == FOUR and main.cost > 0
        rejecting = sorted(v for v, approve in main.block_votes if not approve)
        assert rejecting == sorted(v for v in main.validators if v != liar)
        assert [v for v, approve in main.block_votes if approve] == [liar]


def test_a_liar_supermajority_pays_what_the_nodes_never_agreed(
    runs: dict[tuple[str, str], tuple[TrustedCall, CallRun, Profile]],
) -> None:
    """No node supermajority. Hardened: the withholding equivocator is off the committee, three
    liars of four pass TRUE on one node's output and pay that node (beyond the validators' own
    bound, so PAY-ONLY-MAJORITY is not claimed); literal: it sits, its votes count for neither,
    and three of five pass nothing: the counted nodes' payment is locked."""
    hardened = runs[("hardened", "liar supermajority")][1].record.main
    assert hardened is not None and not hardened.consensus
    assert "v4" not in hardened.validators and hardened.beacon_withheld == ("v4",)
    assert hardened.decision_passed is not None and hardened.decision_passed != FALSE
    assert len(hardened.paid) == 1 and hardened.escrow_locked == ()
    settled = main_round(runs[("hardened", "liar supermajority")])
    assert check_pay_only_majority(settled) is None
    literal = runs[("whitepaper", "liar supermajority")][1].record.main
    assert literal is not None and "v4" in literal.validators
    assert literal.equivocators == ("v4",) and literal.decision_passed is None
    assert literal.paid == () and literal.escrow_locked == ("n0", "n1")


def test_abstainers_and_equivocators(
    runs: dict[tuple[str, str], tuple[TrustedCall, CallRun, Profile]],
) -> None:
    """Two abstainers of four: only two votes, nothing passes, no block is voted. An equivocator
    casts two Step 10 votes and is listed; a withholder sits only under the literal reading."""
    for profile in ("hardened", "whitepaper"):
        abstained = runs[(profile, "abstainers")][1].record.main
        assert abstained is not None
        assert [v for v, _ in abstained.decision_votes] == ["v0", "v2"]
        assert abstained.decision_passed is None and abstained.block_votes == ()
        assert abstained.escrow_locked == FOUR
        mixed = runs[(profile, "equivocator, withholder, count")][1].record.main
        assert mixed is not None and len(mixed.validators) == 4
        assert ("v1" in mixed.validators) is (profile == "whitepaper")
        if "v0" in mixed.validators:
            assert mixed.equivocators == ("v0",)
            assert [v for v, _ in mixed.decision_votes].count("v0") == 2


# --- A broken model is caught --------------------------------------------------------------------


def _reversed_ranking(*args: Any, **kwargs: Any) -> Any:
    return tuple(reversed(ORIGINAL["ranking"](*args, **kwargs)))


def _equivocator_votes_once(plan: Any, truth: str, lie: str) -> tuple[str, ...]:
    cast: tuple[str, ...] = ORIGINAL["cast"](plan, truth, lie)
    return cast[:1]


def _liars_vote_false(truth: str, counted: Any) -> str:
    return FALSE


ORIGINAL: dict[str, Callable[..., Any]] = {
    "ranking": validation.compute_committee_ranking,
    "cast": validation._cast,
}
BREAKS = {
    "committee drawn in reverse": (
        "compute_committee_ranking",
        _reversed_ranking,
        "equivocator, withholder, count",
        "main.validators",
    ),
    "an equivocator's second vote dropped": (
        "_cast",
        _equivocator_votes_once,
        "equivocator, withholder, count",
        "main.decision_votes",
    ),
    "liars vote FALSE against FALSE": (
        "get_lie_value",
        _liars_vote_false,
        "liar supermajority",
        "main.decision_passed",
    ),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_a_model_with_a_wrong_committee_is_caught(
    name: str,
    runs: dict[tuple[str, str], tuple[TrustedCall, CallRun, Profile]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The executor's committee never calls the model, so breaking the model's selection or
    votes changes only the prediction, and GROUNDED names the field."""
    attribute, wrong, which, field = BREAKS[name]
    monkeypatch.setattr(validation, attribute, wrong)
    found = differences(runs[("hardened", which)])
    assert any(d.startswith(field) for d in found), found


def test_a_wrong_committee_fails_the_engine_with_a_counterexample(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The engine itself: the committee calls run on every search, so a model whose lie is wrong
    fails GROUNDED on a small run, a byzantine committee in its counterexample."""
    monkeypatch.setattr(validation, "get_lie_value", _liars_vote_false)
    run = run_executor(
        WHITEPAPER_PARAMS, HARDENED, "quick", seed=0, max_examples=10, shrink_budget=5
    )
    grounded = next(r for r in run.results if r.invariant_id == GROUNDED)
    assert grounded.verdict == "fail" and grounded.counterexample is not None
    assert "main.decision" in grounded.counterexample.detail
    assert " lie" in grounded.counterexample.description
    for invariant_id in ("APP-VALIDATORS", "BFT-VALIDATORS"):
        result = next(r for r in run.results if r.invariant_id == invariant_id)
        assert result.verdict == "pass", "the executor's own committee keeps its rules"


# --- The X checks catch a forged record -----------------------------------------------------------


def test_app_validators_catches_a_forged_committee(
    runs: dict[tuple[str, str], tuple[TrustedCall, CallRun, Profile]],
) -> None:
    settled = main_round(runs[("hardened", "equivocator, withholder, count")])
    members = settled.outcome.validators
    forged = attrs.evolve(settled.outcome, validators=tuple(reversed(members)))
    observation = check_app_validators(attrs.evolve(settled, outcome=forged))
    assert observation is not None and not observation.holds
    assert "the beacon draws" in observation.detail and "proposer" not in observation.detail


def test_bft_validators_catches_a_value_passed_without_two_thirds(
    runs: dict[tuple[str, str], tuple[TrustedCall, CallRun, Profile]],
) -> None:
    settled = main_round(runs[("hardened", "abstainers")])
    assert settled.outcome.decision_passed is None
    forged = attrs.evolve(settled.outcome, decision_passed=settled.outcome.decision_votes[0][1])
    observation = check_bft_validators(attrs.evolve(settled, outcome=forged))
    assert observation is not None and not observation.holds
    assert "not over 2/3" in observation.detail


# --- The committee's rules alone ------------------------------------------------------------------


def test_a_double_voter_counts_for_neither() -> None:
    votes = [("v0", "A"), ("v1", "A"), ("v2", "A"), ("v2", "B")]
    assert tally(votes, committee=3, params=WHITEPAPER_PARAMS) is None
    assert tally(votes[:3], committee=3, params=WHITEPAPER_PARAMS) == "A"
    assert tally(votes[:2], committee=3, params=WHITEPAPER_PARAMS) is None  # 2 of 3: not > 2/3


def test_the_colluding_lie() -> None:
    a, b = bytes([1]) * 32, bytes([2]) * 32
    assert PublicRound(true_value(a), (a, a, b)).lie == FALSE
    assert PublicRound(FALSE, (b, a)).lie == true_value(a)  # a tie: the smallest hash
    assert PublicRound(FALSE, (a, b, b)).lie == true_value(b)
    assert PublicRound(FALSE, ()).lie == true_value(bytes(32))


def test_the_validators_own_bound() -> None:
    plans = committee_of(HONEST, HONEST, HONEST, LIE)
    assert is_byzantine_bounded(plans, ("v0", "v1", "v2", "v3"))
    assert not is_byzantine_bounded(plans, ("v0", "v1", "v3"))
    assert is_byzantine_bounded(plans, ())
