"""The whole-chain stateful machine: Hypothesis drives every rule of the model, and after every
step each machine invariant (a `@step_check` method) checks its catalogue IDs.

The driver (`properties.driver`) applies actions and records what the checkers saw; the rules
come from `properties.rules`, one module per part of the protocol. A rule that applies several
actions is judged on all of them: observations pile up until each invariant consumes its own ID.

Hypothesis runs one `@invariant()`, `every_step_check_holds`, which calls every step check in
order of their names: the order in which Hypothesis runs `@invariant()` methods of its own, so a
step that breaks two IDs raises the same one first. Hypothesis spends several microseconds of
bookkeeping per `@invariant()` per step, checked or not; one of them instead of forty-odd saves
that much on every step, and draws nothing, so every run and report is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hypothesis.stateful import invariant

from properties.rules.economy import EconomyRules
from properties.rules.governance import GovernanceRules
from properties.rules.market import MarketRules
from properties.rules.parameters import ParameterRules
from properties.rules.prices import PriceRules
from properties.rules.rounds import RoundRules
from properties.rules.services import ServiceRules
from properties.rules.staking import StakingRules
from properties.rules.validation_pay import ValidationPayRules

STEP_CHECK_MARKER = "stratoverify_step_check"
"""The attribute `step_check` sets on a machine invariant."""

_Check = TypeVar("_Check", bound=Callable[..., None])


def step_check(method: _Check) -> _Check:
    """Mark `method` as a machine invariant, run after every step by `every_step_check_holds`."""
    setattr(method, STEP_CHECK_MARKER, True)
    return method


class ChainMachine(
    EconomyRules,
    RoundRules,
    StakingRules,
    GovernanceRules,
    ParameterRules,
    ValidationPayRules,
    MarketRules,
    ServiceRules,
    PriceRules,
):
    """The chain from genesis, driven by every rule the model has."""

    @step_check
    def str_supply_is_conserved(self) -> None:
        self.check("CONS-STR")

    @step_check
    def stb_is_backed_by_usdc(self) -> None:
        self.check("CONS-STB")

    @step_check
    def payment_split_is_exact(self) -> None:
        self.check("CONS-SPLIT")

    @step_check
    def escrows_are_solvent(self) -> None:
        self.check("ESCROW-SOLVENT")

    @step_check
    def paid_nodes_cover_their_cost(self) -> None:
        self.check("PAY-COST")

    @step_check
    def golden_vector_is_reproduced(self) -> None:
        self.check("PAY-VECTOR")

    @step_check
    def paid_nodes_get_their_dollars_worth(self) -> None:
        self.check("PAY-USD")

    @step_check
    def passed_rounds_are_paid_in_full(self) -> None:
        self.check("PAY-FUNDED")

    @step_check
    def the_swap_reserve_burns_what_it_buys(self) -> None:
        self.check("PAY-BURN")

    @step_check
    def the_reserve_burns_what_the_curve_pays(self) -> None:
        self.check("PAY-BURN-MARKET")

    @step_check
    def only_the_majority_is_paid(self) -> None:
        self.check("PAY-ONLY-MAJORITY")

    @step_check
    def app_validators_vote_as_drawn(self) -> None:
        self.check("APP-VALIDATORS")
        self.check("BFT-VALIDATORS")

    @step_check
    def one_output_at_most_passes(self) -> None:
        self.check("BFT-UNIQUE")

    @step_check
    def services_keep_their_settings(self) -> None:
        # One invariant for the market's two IDs: a step exercises at most a round or an action.
        self.check("APP-SETTINGS")
        self.check("BFT-DEVIATION")

    @step_check
    def consensus_is_the_honest_output(self) -> None:
        self.check("BFT-SOUND")

    @step_check
    def silent_nodes_cannot_help_a_minority(self) -> None:
        self.check("BFT-TIMEOUT")

    @step_check
    def conflicting_commits_are_accountable(self) -> None:
        self.check("BFT-ACCOUNTABLE")

    @step_check
    def broken_reveals_are_slashed(self) -> None:
        self.check("CR-BINDING")

    @step_check
    def copied_commits_fail(self) -> None:
        self.check("CR-NO-COPY")

    @step_check
    def nodes_with_bad_app_salts_abstain(self) -> None:
        self.check("CR-APP-SALT")

    @step_check
    def commits_are_publicly_verifiable(self) -> None:
        self.check("CR-VERIFIABLE")

    @step_check
    def commits_tell_their_fields_apart(self) -> None:
        self.check("CR-INJECTIVE")

    @step_check
    def round_phases_are_ordered(self) -> None:
        self.check("CR-PHASES")

    @step_check
    def rounds_always_end(self) -> None:
        self.check("ROUND-LIVE")

    @step_check
    def slash_rates_are_bounded(self) -> None:
        self.check("SLASH-BOUNDS")

    @step_check
    def slash_rates_double_within_a_window(self) -> None:
        self.check("SLASH-DOUBLING")

    @step_check
    def slash_rates_halve_per_expired_window(self) -> None:
        self.check("SLASH-DECAY")

    @step_check
    def slashes_burn_at_most_the_stake(self) -> None:
        self.check("SLASH-STAKE")

    @step_check
    def delegators_lose_the_same_fraction(self) -> None:
        self.check("SLASH-DELEGATORS")

    @step_check
    def the_stake_lifecycle_holds(self) -> None:
        # One invariant for the three lifecycle IDs: each step exercises at most one of them.
        self.check("SLASH-AVOIDED")
        self.check("REW-PRORATA")
        self.check("VAL-STANDING")

    @step_check
    def validation_prefunds_pay_the_drawn_validators(self) -> None:
        self.check("VAL-PAY")

    @step_check
    def external_requests_pay_their_node(self) -> None:
        self.check("PAY-EXTERNAL")

    @step_check
    def parameters_are_coherent(self) -> None:
        self.check("GOV-DEFAULTS")
        self.check("GOV-PARAMS")

    @step_check
    def adopted_parameters_stay_proven(self) -> None:
        self.check("GOV-SAFE")

    @step_check
    def burn_changes_need_a_supermajority(self) -> None:
        self.check("GOV-SUPERMAJORITY")

    @step_check
    def subcommittees_activate_at_their_share(self) -> None:
        self.check("GOV-SUBCOMMITTEE")

    @step_check
    def complaint_deposits_split_80_20(self) -> None:
        self.check("GOV-COMPLAINT")

    @step_check
    def inflation_never_rises(self) -> None:
        self.check("SUP-INFLATION")

    @step_check
    def outbound_requests_respect_the_cap(self) -> None:
        self.check("REP-OUTBOUND")

    @step_check
    def complaints_reach_the_reputation(self) -> None:
        self.check("REP-RECORDED")

    @step_check
    def the_insurance_pool_moves_as_section_4_5_says(self) -> None:
        self.check("INS-POOL")

    @step_check
    def committees_act_on_their_own_vote(self) -> None:
        self.check("SUB-POWERS")

    @step_check
    def actions_do_what_they_say(self) -> None:
        # One invariant for every action contract (ACT-*): each step exercises one or two of
        # them, and an invariant costs Hypothesis a few microseconds a step whether or not it
        # has anything to check. Each ID still raises its own exception class.
        self.check("ACT-TOTAL")
        self.check("ACT-ALLOWED")
        self.check("ACT-BRIDGE")
        self.check("ACT-TRANSFER")
        self.check("ACT-ESCROW")
        self.check("ACT-ROUND")
        self.check("ACT-STAKING")
        self.check("ACT-SLASH")
        self.check("ACT-SUPPLY")
        self.check("ACT-GRANT")
        self.check("ACT-GOVERNANCE")
        self.check("ACT-SUBCOMMITTEE")
        self.check("ACT-COMPLAINT")
        self.check("ACT-REPUTATION")
        self.check("ACT-ONCE")
        self.check("ACT-DEADLINE")

    @invariant()
    def every_step_check_holds(self) -> None:
        """Every machine invariant, in order of their names (a subclass's own versions included)."""
        for name in STEP_CHECKS:
            getattr(self, name)()


STEP_CHECKS: tuple[str, ...] = tuple(
    name
    for name, method in sorted(vars(ChainMachine).items())
    if getattr(method, STEP_CHECK_MARKER, False)
)
"""The machine invariants' names, sorted, as Hypothesis orders the `@invariant()`s it runs."""

CHECKED_BY_MACHINE: dict[str, str] = {
    "CONS-STR": "str_supply_is_conserved",
    "CONS-STB": "stb_is_backed_by_usdc",
    "CONS-SPLIT": "payment_split_is_exact",
    "ESCROW-SOLVENT": "escrows_are_solvent",
    "PAY-COST": "paid_nodes_cover_their_cost",
    "PAY-VECTOR": "golden_vector_is_reproduced",
    "PAY-USD": "paid_nodes_get_their_dollars_worth",
    "PAY-FUNDED": "passed_rounds_are_paid_in_full",
    "PAY-BURN": "the_swap_reserve_burns_what_it_buys",
    "PAY-BURN-MARKET": "the_reserve_burns_what_the_curve_pays",
    "PAY-ONLY-MAJORITY": "only_the_majority_is_paid",
    "APP-VALIDATORS": "app_validators_vote_as_drawn",
    "BFT-VALIDATORS": "app_validators_vote_as_drawn",
    "BFT-UNIQUE": "one_output_at_most_passes",
    "BFT-DEVIATION": "services_keep_their_settings",
    "APP-SETTINGS": "services_keep_their_settings",
    "BFT-SOUND": "consensus_is_the_honest_output",
    "BFT-TIMEOUT": "silent_nodes_cannot_help_a_minority",
    "BFT-ACCOUNTABLE": "conflicting_commits_are_accountable",
    "CR-BINDING": "broken_reveals_are_slashed",
    "CR-NO-COPY": "copied_commits_fail",
    "CR-APP-SALT": "nodes_with_bad_app_salts_abstain",
    "CR-VERIFIABLE": "commits_are_publicly_verifiable",
    "CR-INJECTIVE": "commits_tell_their_fields_apart",
    "CR-PHASES": "round_phases_are_ordered",
    "ROUND-LIVE": "rounds_always_end",
    "SLASH-BOUNDS": "slash_rates_are_bounded",
    "SLASH-DOUBLING": "slash_rates_double_within_a_window",
    "SLASH-DECAY": "slash_rates_halve_per_expired_window",
    "SLASH-STAKE": "slashes_burn_at_most_the_stake",
    "SLASH-DELEGATORS": "delegators_lose_the_same_fraction",
    "SLASH-AVOIDED": "the_stake_lifecycle_holds",
    "REW-PRORATA": "the_stake_lifecycle_holds",
    "VAL-STANDING": "the_stake_lifecycle_holds",
    "VAL-PAY": "validation_prefunds_pay_the_drawn_validators",
    "PAY-EXTERNAL": "external_requests_pay_their_node",
    "GOV-PARAMS": "parameters_are_coherent",
    "GOV-DEFAULTS": "parameters_are_coherent",
    "GOV-SAFE": "adopted_parameters_stay_proven",
    "GOV-SUPERMAJORITY": "burn_changes_need_a_supermajority",
    "GOV-SUBCOMMITTEE": "subcommittees_activate_at_their_share",
    "GOV-COMPLAINT": "complaint_deposits_split_80_20",
    "SUP-INFLATION": "inflation_never_rises",
    "REP-OUTBOUND": "outbound_requests_respect_the_cap",
    "REP-RECORDED": "complaints_reach_the_reputation",
    "INS-POOL": "the_insurance_pool_moves_as_section_4_5_says",
    "SUB-POWERS": "committees_act_on_their_own_vote",
    "ACT-BRIDGE": "actions_do_what_they_say",
    "ACT-TRANSFER": "actions_do_what_they_say",
    "ACT-ESCROW": "actions_do_what_they_say",
    "ACT-ROUND": "actions_do_what_they_say",
    "ACT-STAKING": "actions_do_what_they_say",
    "ACT-SLASH": "actions_do_what_they_say",
    "ACT-SUPPLY": "actions_do_what_they_say",
    "ACT-GRANT": "actions_do_what_they_say",
    "ACT-GOVERNANCE": "actions_do_what_they_say",
    "ACT-SUBCOMMITTEE": "actions_do_what_they_say",
    "ACT-COMPLAINT": "actions_do_what_they_say",
    "ACT-REPUTATION": "actions_do_what_they_say",
    "ACT-ONCE": "actions_do_what_they_say",
    "ACT-DEADLINE": "actions_do_what_they_say",
    "ACT-TOTAL": "actions_do_what_they_say",
    "ACT-ALLOWED": "actions_do_what_they_say",
}
"""Catalogue ID -> the machine invariant that asserts it (a test checks it is complete)."""
