"""Which model functions implement each invariant's rule: the one part of the traceability
matrix written by hand, since it is a reading of the model rather than something the code says.

`properties/traceability.py` derives everything else; its test checks every name resolves.
"""

from __future__ import annotations

MODEL_RULES: dict[str, tuple[str, ...]] = {
    "CONS-STR": (
        "model.ledger.process_transfer",
        "model.ledger.process_mint_str",
        "model.ledger.process_burn",
        "model.supply.process_inflation_mint",
    ),
    "CONS-STB": (
        "model.supply.process_usdc_deposit",
        "model.supply.process_stb_redeem",
        "model.ledger.process_bridge_mint_stb",
        "model.ledger.process_bridge_burn_stb",
    ),
    "CONS-SPLIT": (
        "model.payment.compute_payment_split",
        "model.arith.split_payment",
        "model.payment.process_payment_split",
    ),
    "ESCROW-SOLVENT": (
        "model.escrow.process_usage_payment",
        "model.escrow.process_lock_round_payment",
        "model.escrow.process_withdraw_prepayment",
        "model.payment.process_payment_split",
    ),
    "PAY-COST": (
        "model.payment.compute_payment_split",
        "model.arith.split_payment",
        "model.escrow.process_usage_payment",
    ),
    "PAY-VECTOR": (
        "model.payment.compute_payment_split",
        "model.payment.compute_str_payout",
        "model.payment.process_payment_split",
    ),
    "PAY-USD": (
        "model.price.get_payout_price",
        "model.price.process_move_price",
        "model.escrow.process_usage_payment",
        "model.trusted.settlement.process_settle_round",
    ),
    "PAY-FUNDED": (
        "model.escrow.check_round_funded",
        "model.escrow.process_record_owed",
        "model.escrow.process_pay_owed",
        "model.chain.economy.process_run_round",
    ),
    "PAY-BURN": ("model.payment.process_swap_reserve",),
    "PAY-BURN-MARKET": (
        "model.payment.process_swap_reserve",
        "model.stratoswap.compute_swap_output",
        "model.arith.swap_output",
    ),
    "PAY-ONLY-MAJORITY": (
        "model.trusted.settlement.process_settle_round",
        "model.trusted.decision.compute_decision",
        "model.escrow.process_lock_round_payment",
        "model.escrow.process_resolve_locked_payment",
    ),
    "APP-VALIDATORS": (
        "model.trusted.validation.process_select_committee",
        "model.trusted.validation.compute_beacon_seed",
        "model.chain.economy.get_round_scenario",
        "model.chain.economy.process_set_app_validator_count",
    ),
    "BFT-VALIDATORS": (
        "model.trusted.validation.process_validate_round",
        "model.trusted.validation.compute_tally",
        "model.trusted.validation.process_resolution_vote",
    ),
    "BFT-THRESHOLD": (
        "model.trusted.decision.is_supermajority",
        "model.arith.is_over_threshold",
        "model.trusted.round.get_threshold_base",
    ),
    "BFT-DEVIATION": (
        "model.trusted.decision.compute_decision",
        "model.trusted.decision.is_app_agreement",
        "model.trusted.decision.is_within_deviation",
        "model.market.is_deviation_allowed",
    ),
    "APP-SETTINGS": (
        "model.market.process_launch_service",
        "model.market.process_choose_nodes",
        "model.market.get_round_refusal",
        "model.market.get_str_margins",
    ),
    "BFT-UNIQUE": (
        "model.trusted.decision.compute_decision",
        "model.trusted.decision.is_supermajority",
    ),
    "BFT-SOUND": (
        "model.trusted.decision.compute_decision",
        "model.trusted.round.get_threshold_base",
        "model.trusted.round.check_reveal",
    ),
    "BFT-TIMEOUT": (
        "model.trusted.round.get_threshold_base",
        "model.trusted.round.is_commit_phase_over",
        "model.trusted.round.is_reveal_phase_over",
        "model.trusted.decision.compute_decision",
    ),
    "BFT-ACCOUNTABLE": (
        "model.staking.process_block_commit",
        "model.staking.is_block_committed",
        "model.slashing.process_double_sign_evidence",
    ),
    "CR-BINDING": (
        "model.trusted.round.check_reveal",
        "model.trusted.decision.compute_decision",
        "model.trusted.settlement.process_settle_round",
        "model.trusted.settlement.process_slash_node",
    ),
    "CR-NO-COPY": (
        "model.trusted.round.compute_node_commit",
        "model.hashing.compute_composite_hash",
        "model.trusted.round.check_reveal",
    ),
    "CR-APP-SALT": (
        "model.trusted.round.is_app_salt_valid",
        "model.trusted.round.process_complain_app_salt",
        "model.trusted.round.process_commit",
    ),
    "CR-INJECTIVE": (
        "model.hashing.encode_fields",
        "model.hashing.compute_composite_hash",
    ),
    "CR-VERIFIABLE": (
        "model.trusted.round.process_reveal",
        "model.trusted.round.check_reveal",
        "model.hashing.compute_composite_hash",
        "model.trusted.round.process_app_verification",
    ),
    "CR-PHASES": (
        "model.trusted.round.process_commit",
        "model.trusted.round.process_reveal_app_salts",
        "model.trusted.round.process_reveal",
        "model.trusted.decision.process_decide",
    ),
    "ROUND-LIVE": (
        "model.trusted.round.process_close_commit_phase",
        "model.trusted.round.process_expire_app_salts",
        "model.trusted.decision.process_decide",
        "model.trusted.settlement.process_settle_round",
    ),
    "SLASH-BOUNDS": (
        "model.slashing.compute_slash_rate_bps",
        "model.arith.first_slash_rate",
        "model.arith.next_slash_rate",
    ),
    "SLASH-DOUBLING": (
        "model.slashing.compute_slash_rate_bps",
        "model.slashing.process_slash_offender",
        "model.arith.next_slash_rate",
    ),
    "SLASH-DECAY": (
        "model.slashing.get_effective_level",
        "model.slashing.get_expired_windows",
        "model.arith.decayed_level",
    ),
    "SLASH-STAKE": (
        "model.slashing.process_slash_validator",
        "model.slashing.compute_delegator_loss",
        "model.trusted.settlement.process_slash_node",
        "model.arith.slash_bond",
    ),
    "SLASH-DELEGATORS": (
        "model.slashing.process_slash_validator",
        "model.slashing.compute_delegator_loss",
    ),
    "GOV-PARAMS": (
        "model.coherence.check_coherence",
        "model.governance.get_constitution_violation",
        "model.governance.process_submit_proposal",
        "model.governance.process_tally",
    ),
    "GOV-SAFE": (
        "model.constitution.get_constitution",
        "model.governance.get_proposal_process",
        "model.governance.decide_vote",
        "model.governance.get_adoption_refusal",
    ),
    "GOV-DEFAULTS": ("model.params.Params",),
    "GOV-SUPERMAJORITY": (
        "model.governance.get_vote_rule",
        "model.governance.get_vote_failure",
        "model.governance.get_voting_power",
        "model.chain.common.get_held_str_by_account",
    ),
    "GOV-SUBCOMMITTEE": (
        "model.governance.is_subcommittee_active",
        "model.governance.process_delegate_to_subcommittee",
        "model.governance.process_undelegate_from_subcommittee",
    ),
    "GOV-SUBCOMMITTEE-BOUND": (
        "model.governance.is_subcommittee_active",
        "model.committees.get_max_active_subcommittees",
    ),
    "GOV-COMPLAINT": (
        "model.complaints.process_submit_complaint",
        "model.complaints.process_resolve_complaint",
    ),
    "SUP-INFLATION": (
        "model.supply.compute_inflation_rate_bps",
        "model.arith.inflation_rate",
        "model.supply.process_inflation_mint",
    ),
    "REP-OUTBOUND": (
        "model.reputation.process_outbound_request",
        "model.reputation.is_outbound_uncapped",
        "model.reputation.get_outbound_window",
    ),
    "REP-RECORDED": (
        "model.reputation.process_record_upheld_complaint",
        "model.reputation.process_record_output_complaints",
        "model.reputation.process_record_app_activity",
        "model.chain.society.process_resolve_complaint_action",
    ),
    "INS-POOL": (
        "model.insurance.process_insurance_contribution",
        "model.insurance.process_insurance_payout",
        "model.chain.society.process_pay_insurance_action",
    ),
    "SUB-POWERS": (
        "model.committees.get_committee_refusal",
        "model.committees.is_committee_vote_passed",
        "model.committees.get_grant_committees",
        "model.committees.process_committee_node_slash",
    ),
    "ACT-BRIDGE": (
        "model.chain.economy.process_deposit_usdc",
        "model.supply.process_usdc_deposit",
        "model.supply.process_stb_redeem",
    ),
    "ACT-TRANSFER": (
        "model.ledger.process_transfer",
        "model.stratoswap.process_add_liquidity",
        "model.stratoswap.process_remove_liquidity",
        "model.stratoswap.process_swap",
    ),
    "ACT-ESCROW": (
        "model.escrow.process_prepayment",
        "model.escrow.process_withdraw_prepayment",
        "model.escrow.process_resolve_locked_payment",
        "model.price.compute_prepayment_amounts",
    ),
    "ACT-ROUND": (
        "model.chain.economy.process_run_round",
        "model.trusted.settlement.process_settle_round",
        "model.escrow.process_usage_payment",
        "model.escrow.process_validation_payment",
    ),
    "ACT-STAKING": (
        "model.staking.process_delegate",
        "model.staking.process_undelegate",
        "model.chain.security.process_commit_block",
        "model.staking.process_complete_unbonding",
    ),
    "ACT-SLASH": (
        "model.slashing.process_slash_validator",
        "model.slashing.process_double_sign_evidence",
        "model.chain.security.process_equivocate",
        "model.standing.process_late_double_sign_evidence",
    ),
    "ACT-SUPPLY": (
        "model.supply.process_inflation_mint",
        "model.payment.process_swap_reserve",
        "model.rewards.process_distribute_rewards",
    ),
    "ACT-GRANT": (
        "model.chain.economy.process_grant_network_support",
        "model.payment.process_network_support_grant",
        "model.insurance.process_insurance_payout",
        "model.committees.process_committee_node_slash",
    ),
    "ACT-GOVERNANCE": (
        "model.governance.process_submit_proposal",
        "model.governance.process_vote",
        "model.governance.process_tally",
    ),
    "ACT-SUBCOMMITTEE": (
        "model.governance.process_create_subcommittee",
        "model.governance.process_delegate_to_subcommittee",
        "model.governance.process_undelegate_from_subcommittee",
    ),
    "ACT-COMPLAINT": (
        "model.complaints.process_submit_complaint",
        "model.complaints.process_resolve_complaint",
    ),
    "ACT-REPUTATION": (
        "model.reputation.process_record_round",
        "model.reputation.process_record_app_activity",
        "model.reputation.process_set_app_profile",
        "model.reputation.process_outbound_request",
    ),
    "ACT-ONCE": (
        "model.supply.process_usdc_deposit",
        "model.complaints.process_resolve_complaint",
        "model.governance.get_tallyable_proposal",
        "model.escrow.process_resolve_locked_payment",
    ),
    "ACT-DEADLINE": (
        "model.governance.process_vote",
        "model.governance.get_tallyable_proposal",
        "model.trusted.round.process_reveal",
        "model.chain.security.process_advance_time",
    ),
    # The refusals of the bridge's rules (`model.supply`) and of a delegation follow the same
    # checks as these: amounts, balances, signers.
    "ACT-ALLOWED": (
        "model.ledger.process_transfer",
        "model.staking.process_undelegate",
        "model.escrow.process_prepayment",
        "model.escrow.process_withdraw_prepayment",
    ),
    "SLASH-AVOIDED": (
        "model.staking.process_undelegate",
        "model.standing.process_late_double_sign_evidence",
        "model.standing.process_slash_unbonding",
    ),
    "PAY-EXTERNAL": (
        "model.reputation.process_external_request_payout",
        "model.chain.society.process_outbound_request_action",
    ),
    "VAL-PAY": (
        "model.escrow.process_validation_payment",
        "model.escrow.compute_validator_count",
        "model.escrow.compute_validator_ranking",
        "model.chain.economy.get_committee_accounts",
    ),
    "REW-PRORATA": (
        "model.rewards.process_distribute_rewards",
        "model.rewards.get_reward_eligible",
        "model.rewards.compute_reward_share",
    ),
    "VAL-STANDING": (
        "model.standing.process_downtime_evidence",
        "model.standing.process_unjail",
        "model.standing.process_non_vote_penalty",
        "model.staking.get_active_set",
    ),
    "VAL-SET-ORDER": (
        "model.staking.get_active_set",
        "model.staking.process_create_validator",
    ),
    "ACT-TOTAL": ("model.chain.transitions.process_action",),
    "GROUNDED": (
        "model.trusted.billing.run_trusted_function",
        "model.trusted.scenario.run_round_to_decision",
        "model.trusted.settlement.process_settle_round",
    ),
}
"""Catalogue ID -> the dotted names of the model functions that implement its rule, main first."""
