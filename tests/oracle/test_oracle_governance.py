"""The oracle's reading of §6.8 against the whitepaper's numbers.

Coherence at the §6.8 defaults and at docs/model.md's worked change, one STR one vote, "> 2/3"
and "greater than 1%" exactly at their boundaries, and the 80/20 MinDeposit split. Each reading
is also shown to reject a deliberately wrong one (>= for >, the split inverted, a voter's bonds
forgotten), so the tests can fail.
"""

from __future__ import annotations

import attrs
import pytest
from pyrsistent import pmap

from model.governance import GovernanceState, VoteOption, create_governance_state
from model.ledger import Balance, Ledger
from model.params import WHITEPAPER_PARAMS, Params
from model.staking import StakingState, Validator
from model.units import MICRO, AccountId, ValidatorId
from oracle.committees import complaint_split, delegated_to, is_active, judging_validators
from oracle.governance import changed_keys, has_supermajority, incoherences, tally, vote_weight

P = WHITEPAPER_PARAMS
ALICE, BOB, CAROL = AccountId("alice"), AccountId("bob"), AccountId("carol")
V0, V1, V2 = ValidatorId("v0"), ValidatorId("v1"), ValidatorId("v2")


def _payment(**values: int) -> Params:
    return attrs.evolve(P, payment=attrs.evolve(P.payment, **values))


def _rules(params: Params) -> list[str]:
    return [found.rule for found in incoherences(params)]


# --- Coherence -----------------------------------------------------------------------------------


def test_coherence__the_section_6_8_defaults_add_up() -> None:
    # §6.8: STB margin 10% (node 5%, reserve 5%), STR margin 40% (node 20%, burn 10%, network
    # support 10%) at 2x cost: the cost basis is the other 50% of T.
    pay = P.payment
    assert (pay.payment_rate_bps, pay.stb_profit_margin_bps, pay.str_profit_margin_bps) == (
        20_000,
        1_000,
        4_000,
    )
    assert incoherences(P) == ()


def test_coherence__a_burn_raised_alone_is_reported() -> None:
    # docs/model.md: str_burn_bps 1200 alone leaves the STR sub-shares at 4200 of 4000 bps.
    assert _rules(_payment(str_burn_bps=1_200)) == ["str-sub-shares"]


def test_coherence__the_node_giving_up_the_difference_is_coherent() -> None:
    assert incoherences(_payment(str_burn_bps=1_200, str_node_profit_bps=1_800)) == ()


def test_coherence__stb_sub_shares() -> None:
    assert _rules(_payment(stb_node_profit_bps=400)) == ["stb-sub-shares"]


@pytest.mark.parametrize("rate", [0, 10_000, 30_000])
def test_coherence__the_cost_basis_must_be_the_rest_of_t(rate: int) -> None:
    assert _rules(_payment(payment_rate_bps=rate)) == ["cost-plus-margins"]


def test_coherence__a_cost_basis_that_is_not_whole_bps() -> None:
    # At 3x the cost is 3333.33 bps of T: margins of 6667 bps leave 3333, short of it.
    assert "cost-plus-margins" in _rules(
        _payment(payment_rate_bps=30_000, stb_profit_margin_bps=2_667, str_profit_margin_bps=4_000)
    )


def test_coherence__the_cost_rounded_up_to_whole_bps() -> None:
    # §6.3.1: margins of 6666 bps leave 3334, the cost rounded up: covered, under a bp to spare.
    coherent = _payment(
        payment_rate_bps=30_000,
        stb_profit_margin_bps=2_666,
        stb_node_profit_bps=2_166,
        str_profit_margin_bps=4_000,
    )
    assert "cost-plus-margins" not in _rules(coherent)
    assert incoherences(coherent) == ()


def test_coherence__thresholds_below_one() -> None:
    consensus = attrs.evolve(P.consensus, threshold_num=3, threshold_den=3)
    governance = attrs.evolve(P.governance, supermajority_num=4, supermajority_den=3)
    broken = attrs.evolve(P, consensus=consensus, governance=governance)
    assert _rules(broken) == ["consensus-threshold", "governance-supermajority"]


# --- Votes ---------------------------------------------------------------------------------------


def _staking(bonds: dict[tuple[AccountId, ValidatorId], int]) -> StakingState:
    validators = {v: Validator(v, AccountId(f"op-{v}")) for _, v in bonds}
    return StakingState(validators=pmap(validators), delegations=pmap(bonds))


def _ledger(held: dict[AccountId, int]) -> Ledger:
    return Ledger(balances=pmap({a: Balance(ustr=amount) for a, amount in held.items()}))


def test_vote_weight__liquid_plus_bonded() -> None:
    ledger = _ledger({ALICE: 5 * MICRO, BOB: 1})
    staking = _staking({(ALICE, V0): 2 * MICRO, (ALICE, V1): 3 * MICRO, (CAROL, V0): 7})
    assert vote_weight(ledger, staking, ALICE) == 10 * MICRO
    assert vote_weight(ledger, staking, BOB) == 1
    assert vote_weight(ledger, staking, CAROL) == 7
    assert vote_weight(ledger, staking, AccountId("nobody")) == 0


def wrong_weight_liquid_only(ledger: Ledger, staking: StakingState, voter: AccountId) -> int:
    """A wrong reading: bonded STR does not vote."""
    held = ledger.balances.get(voter)
    return 0 if held is None else held.ustr


def test_vote_weight__forgetting_bonds_disagrees() -> None:
    ledger, staking = _ledger({ALICE: 5}), _staking({(ALICE, V0): 5})
    assert wrong_weight_liquid_only(ledger, staking, ALICE) != vote_weight(ledger, staking, ALICE)


def test_tally__weights_by_option() -> None:
    ledger = _ledger({ALICE: 60, BOB: 30, CAROL: 10})
    votes = pmap({ALICE: VoteOption.YES, BOB: VoteOption.NO, CAROL: VoteOption.ABSTAIN})
    weights = tally(votes, ledger, StakingState())
    assert weights == {
        VoteOption.YES: 60,
        VoteOption.NO: 30,
        VoteOption.ABSTAIN: 10,
        VoteOption.NO_WITH_VETO: 0,
    }


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "passes"),
    [
        (2, 1, 0, False),  # exactly 2/3 is not more than 2/3
        (201, 100, 0, True),
        (200, 0, 100, False),  # abstentions are votes cast
        (201, 0, 100, True),
        (0, 0, 0, False),
    ],
)
def test_supermajority__more_than_two_thirds(yes: int, no: int, abstain: int, passes: bool) -> None:
    weights = {VoteOption.YES: yes, VoteOption.NO: no, VoteOption.ABSTAIN: abstain}
    gov = P.governance
    assert (
        has_supermajority(weights, num=gov.supermajority_num, den=gov.supermajority_den) is passes
    )


def wrong_supermajority(weights: dict[VoteOption, int], *, num: int, den: int) -> bool:
    """A wrong reading: at least 2/3, not more."""
    return weights[VoteOption.YES] * den >= num * sum(weights.values())


def test_supermajority__at_least_two_thirds_is_wrong() -> None:
    exactly = {VoteOption.YES: 2, VoteOption.NO: 1, VoteOption.ABSTAIN: 0}
    assert wrong_supermajority(exactly, num=2, den=3) != has_supermajority(exactly, num=2, den=3)


def test_changed_keys__only_those_that_moved() -> None:
    after = _payment(str_burn_bps=1_200, str_node_profit_bps=1_800)
    keys = (("payment", "str_burn_bps"), ("payment", "str_network_support_bps"))
    assert changed_keys(P, after, keys) == ["payment.str_burn_bps"]


# --- Subcommittees -------------------------------------------------------------------------------


def _delegations(*rows: tuple[AccountId, str, int]) -> GovernanceState:
    gov = create_governance_state(params=P)
    return attrs.evolve(gov, subcommittee_delegations=pmap({(a, n): x for a, n, x in rows}))


def test_delegated__summed_per_subcommittee() -> None:
    gov = _delegations((ALICE, "network-support", 3), (BOB, "network-support", 4), (ALICE, "x", 9))
    assert delegated_to(gov, "network-support") == 7
    assert delegated_to(gov, "x") == 9
    assert delegated_to(gov, "none") == 0


@pytest.mark.parametrize(
    ("delegated", "active"), [(10_000, False), (10_001, True), (9_999, False), (0, False)]
)
def test_active__more_than_one_percent(delegated: int, active: bool) -> None:
    # §6.8: "inactive until greater than 1% of all STR is delegated": 1% of 1,000,000 is 10,000.
    share = P.governance.subcommittee_activation_bps
    assert share == 100
    assert is_active(delegated, circulating=1_000_000, activation_bps=share) is active


def wrong_active_at_one_percent(delegated: int, *, circulating: int, activation_bps: int) -> bool:
    """A wrong reading: active at 1% already."""
    return delegated * 10_000 >= activation_bps * circulating


def test_active__at_one_percent_is_wrong() -> None:
    args: dict[str, int] = {"circulating": 1_000_000, "activation_bps": 100}
    assert wrong_active_at_one_percent(10_000, **args) != is_active(10_000, **args)


# --- Complaints ----------------------------------------------------------------------------------


def test_complaint_split__eighty_twenty() -> None:
    # §6.8: "the app receives 80% of MinDeposit back ... 20% of MinDeposit pays Validators".
    split = complaint_split(MICRO, refund_bps=P.governance.complaint_refund_bps, validators=4)
    assert (split.refund, split.each_validator, split.reserve_dust) == (800_000, 50_000, 0)


def test_complaint_split__dust() -> None:
    split = complaint_split(1_000_007, refund_bps=8_000, validators=3)
    # 80% of 1,000,007 is 800,005.6: the refund is 800,005 and the validators share 200,002.
    assert (split.refund, split.each_validator, split.reserve_dust) == (800_005, 66_667, 1)


def test_complaint_split__no_validator_leaves_the_rest_to_the_reserve() -> None:
    split = complaint_split(MICRO, refund_bps=8_000, validators=0)
    assert (split.refund, split.each_validator, split.reserve_dust) == (800_000, 0, 200_000)


def wrong_split_inverted(deposit: int, *, refund_bps: int, validators: int) -> tuple[int, int]:
    """A wrong reading: 20% back, 80% to the validators."""
    refund = deposit * (10_000 - refund_bps) // 10_000
    return refund, (deposit - refund) // validators


def test_complaint_split__inverted_is_wrong() -> None:
    split = complaint_split(MICRO, refund_bps=8_000, validators=4)
    wrong = wrong_split_inverted(MICRO, refund_bps=8_000, validators=4)
    assert wrong != (split.refund, split.each_validator)


def test_judging_validators__the_active_set_by_stake_then_id() -> None:
    staking = _staking({(ALICE, V0): 5, (BOB, V1): 9, (CAROL, V2): 5})
    capped = attrs.evolve(P, consensus=attrs.evolve(P.consensus, max_validators=2))
    assert judging_validators(staking, capped) == (AccountId("op-v1"), AccountId("op-v0"))
    assert judging_validators(staking, P) == tuple(AccountId(f"op-{v}") for v in (V1, V0, V2))


def test_judging_validators__nothing_bonded_judges_nothing() -> None:
    staking = _staking({(ALICE, V0): 5})
    staking = attrs.evolve(
        staking, validators=staking.validators.set(V1, Validator(V1, AccountId("op-v1")))
    )
    assert judging_validators(staking, P) == (AccountId("op-v0"),)
