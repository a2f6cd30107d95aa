"""The whole-chain stateful machine: Hypothesis drives every rule of the model, and after every
step each `@invariant` checks one catalogue ID.

The driver (`properties.driver`) applies actions and records what the checkers saw; the rules
come from `properties.rules`, one module per part of the protocol. A rule that applies several
actions is judged on all of them: observations pile up until each invariant consumes its own ID.
"""

from __future__ import annotations

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

    @invariant()
    def str_supply_is_conserved(self) -> None:
        self.check("CONS-STR")

    @invariant()
    def stb_is_backed_by_usdc(self) -> None:
        self.check("CONS-STB")

    @invariant()
    def payment_split_is_exact(self) -> None:
        self.check("CONS-SPLIT")

    @invariant()
    def escrows_are_solvent(self) -> None:
        self.check("ESCROW-SOLVENT")

    @invariant()
    def paid_nodes_cover_their_cost(self) -> None:
        self.check("PAY-COST")

    @invariant()
    def golden_vector_is_reproduced(self) -> None:
        self.check("PAY-VECTOR")

    @invariant()
    def paid_nodes_get_their_dollars_worth(self) -> None:
        self.check("PAY-USD")

    @invariant()
    def passed_rounds_are_paid_in_full(self) -> None:
        self.check("PAY-FUNDED")

    @invariant()
    def the_swap_reserve_burns_what_it_buys(self) -> None:
        self.check("PAY-BURN")

    @invariant()
    def the_reserve_burns_what_the_curve_pays(self) -> None:
        self.check("PAY-BURN-MARKET")

    @invariant()
    def only_the_majority_is_paid(self) -> None:
        self.check("PAY-ONLY-MAJORITY")

    @invariant()
    def app_validators_vote_as_drawn(self) -> None:
        self.check("APP-VALIDATORS")
        self.check("BFT-VALIDATORS")

    @invariant()
    def one_output_at_most_passes(self) -> None:
        self.check("BFT-UNIQUE")

    @invariant()
    def services_keep_their_settings(self) -> None:
        # One invariant for the market's two IDs: a step exercises at most a round or an action.
        self.check("APP-SETTINGS")
        self.check("BFT-DEVIATION")

    @invariant()
    def consensus_is_the_honest_output(self) -> None:
        self.check("BFT-SOUND")

    @invariant()
    def silent_nodes_cannot_help_a_minority(self) -> None:
        self.check("BFT-TIMEOUT")

    @invariant()
    def conflicting_commits_are_accountable(self) -> None:
        self.check("BFT-ACCOUNTABLE")

    @invariant()
    def broken_reveals_are_slashed(self) -> None:
        self.check("CR-BINDING")

    @invariant()
    def copied_commits_fail(self) -> None:
        self.check("CR-NO-COPY")

    @invariant()
    def nodes_with_bad_app_salts_abstain(self) -> None:
        self.check("CR-APP-SALT")

    @invariant()
    def commits_are_publicly_verifiable(self) -> None:
        self.check("CR-VERIFIABLE")

    @invariant()
    def commits_tell_their_fields_apart(self) -> None:
        self.check("CR-INJECTIVE")

    @invariant()
    def round_phases_are_ordered(self) -> None:
        self.check("CR-PHASES")

    @invariant()
    def rounds_always_end(self) -> None:
        self.check("ROUND-LIVE")

    @invariant()
    def slash_rates_are_bounded(self) -> None:
        self.check("SLASH-BOUNDS")

    @invariant()
    def slash_rates_double_within_a_window(self) -> None:
        self.check("SLASH-DOUBLING")

    @invariant()
    def slash_rates_halve_per_expired_window(self) -> None:
        self.check("SLASH-DECAY")

    @invariant()
    def slashes_burn_at_most_the_stake(self) -> None:
        self.check("SLASH-STAKE")

    @invariant()
    def delegators_lose_the_same_fraction(self) -> None:
        self.check("SLASH-DELEGATORS")

    @invariant()
    def the_stake_lifecycle_holds(self) -> None:
        # One invariant for the three lifecycle IDs: each step exercises at most one of them.
        self.check("SLASH-AVOIDED")
        self.check("REW-PRORATA")
        self.check("VAL-STANDING")

    @invariant()
    def validation_prefunds_pay_the_drawn_validators(self) -> None:
        self.check("VAL-PAY")

    @invariant()
    def external_requests_pay_their_node(self) -> None:
        self.check("PAY-EXTERNAL")

    @invariant()
    def parameters_are_coherent(self) -> None:
        self.check("GOV-DEFAULTS")
        self.check("GOV-PARAMS")

    @invariant()
    def adopted_parameters_stay_proven(self) -> None:
        self.check("GOV-SAFE")

    @invariant()
    def burn_changes_need_a_supermajority(self) -> None:
        self.check("GOV-SUPERMAJORITY")

    @invariant()
    def subcommittees_activate_at_their_share(self) -> None:
        self.check("GOV-SUBCOMMITTEE")

    @invariant()
    def complaint_deposits_split_80_20(self) -> None:
        self.check("GOV-COMPLAINT")

    @invariant()
    def inflation_never_rises(self) -> None:
        self.check("SUP-INFLATION")

    @invariant()
    def outbound_requests_respect_the_cap(self) -> None:
        self.check("REP-OUTBOUND")

    @invariant()
    def complaints_reach_the_reputation(self) -> None:
        self.check("REP-RECORDED")

    @invariant()
    def the_insurance_pool_moves_as_section_4_5_says(self) -> None:
        self.check("INS-POOL")

    @invariant()
    def committees_act_on_their_own_vote(self) -> None:
        self.check("SUB-POWERS")

    @invariant()
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
