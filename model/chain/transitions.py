"""`process_action`: one action applied to the whole chain, with the effects it had.

Each handler forwards to the rule that owns the action and writes the result back; a refusal of
the rule is the refusal of the action. The handlers live by family: `economy` (tokens, escrows,
rounds, supply), `security` (stake, blocks, slashing, the clock) and `society` (governance,
complaints, reputation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from model.chain.actions import (
    Action,
    AddLiquidity,
    AdvanceTime,
    BidService,
    CastVote,
    ChooseNodes,
    CommitBlock,
    CompleteUnbonding,
    CreateSubcommittee,
    Delegate,
    DelegateToSubcommittee,
    DepositUsdc,
    DistributeRewards,
    Equivocate,
    FundInsurance,
    GrantNetworkSupport,
    LaunchService,
    MintInflation,
    MovePrice,
    OutboundRequest,
    PayInsurance,
    PayOwed,
    Prepay,
    PrepayTimeframes,
    RedeemStb,
    RemoveLiquidity,
    ReportDoubleSign,
    ReportDowntime,
    ResolveComplaint,
    ResolveLocked,
    RunRound,
    SetAppProfile,
    SetAppValidatorCount,
    SlashNode,
    SlashValidator,
    SubmitComplaint,
    SubmitProposal,
    Swap,
    SwapReserve,
    Tally,
    Transfer,
    Undelegate,
    UndelegateFromSubcommittee,
    Unjail,
    UseService,
    WithdrawPrepayment,
)
from model.chain.common import Step
from model.chain.economy import (
    process_deposit_usdc,
    process_grant_network_support,
    process_mint_inflation,
    process_prepay,
    process_redeem_stb,
    process_resolve_locked,
    process_run_round,
    process_set_app_validator_count,
    process_swap_reserve_action,
    process_transfer_action,
    process_withdraw,
)
from model.chain.market import (
    process_add_liquidity_action,
    process_remove_liquidity_action,
    process_swap_action,
)
from model.chain.prices import (
    process_move_price_action,
    process_pay_owed_action,
    process_prepay_timeframes,
)
from model.chain.security import (
    process_advance_time,
    process_commit_block,
    process_complete_unbonding_action,
    process_delegate_action,
    process_distribute_rewards_action,
    process_equivocate,
    process_report_double_sign,
    process_report_downtime,
    process_slash_validator_action,
    process_undelegate_action,
    process_unjail_action,
)
from model.chain.services import (
    process_bid_service_action,
    process_choose_nodes_action,
    process_launch_service_action,
    process_use_service_action,
)
from model.chain.society import (
    process_cast_vote,
    process_create_subcommittee_action,
    process_delegate_to_subcommittee_action,
    process_fund_insurance_action,
    process_outbound_request_action,
    process_pay_insurance_action,
    process_resolve_complaint_action,
    process_set_app_profile_action,
    process_slash_node_action,
    process_submit_complaint_action,
    process_submit_proposal_action,
    process_tally_action,
    process_undelegate_from_subcommittee_action,
)
from model.chain.state import ChainState
from model.units import Outcome

_HANDLERS: dict[type[Any], Callable[[ChainState, Any], Outcome[Step]]] = {
    DepositUsdc: process_deposit_usdc,
    RedeemStb: process_redeem_stb,
    Transfer: process_transfer_action,
    Prepay: process_prepay,
    MovePrice: process_move_price_action,
    PrepayTimeframes: process_prepay_timeframes,
    PayOwed: process_pay_owed_action,
    RunRound: process_run_round,
    ResolveLocked: process_resolve_locked,
    SetAppValidatorCount: process_set_app_validator_count,
    LaunchService: process_launch_service_action,
    BidService: process_bid_service_action,
    ChooseNodes: process_choose_nodes_action,
    UseService: process_use_service_action,
    WithdrawPrepayment: process_withdraw,
    Delegate: process_delegate_action,
    Undelegate: process_undelegate_action,
    CommitBlock: process_commit_block,
    Equivocate: process_equivocate,
    ReportDoubleSign: process_report_double_sign,
    ReportDowntime: process_report_downtime,
    Unjail: process_unjail_action,
    CompleteUnbonding: process_complete_unbonding_action,
    DistributeRewards: process_distribute_rewards_action,
    SlashValidator: process_slash_validator_action,
    AdvanceTime: process_advance_time,
    MintInflation: process_mint_inflation,
    SwapReserve: process_swap_reserve_action,
    AddLiquidity: process_add_liquidity_action,
    RemoveLiquidity: process_remove_liquidity_action,
    Swap: process_swap_action,
    GrantNetworkSupport: process_grant_network_support,
    FundInsurance: process_fund_insurance_action,
    PayInsurance: process_pay_insurance_action,
    SlashNode: process_slash_node_action,
    SubmitProposal: process_submit_proposal_action,
    CastVote: process_cast_vote,
    Tally: process_tally_action,
    CreateSubcommittee: process_create_subcommittee_action,
    DelegateToSubcommittee: process_delegate_to_subcommittee_action,
    UndelegateFromSubcommittee: process_undelegate_from_subcommittee_action,
    SubmitComplaint: process_submit_complaint_action,
    ResolveComplaint: process_resolve_complaint_action,
    SetAppProfile: process_set_app_profile_action,
    OutboundRequest: process_outbound_request_action,
}


def process_action(state: ChainState, action: Action) -> Outcome[Step]:
    """Apply `action` to the whole chain (§3-§6): the new state and the effects, or the refusal."""
    return _HANDLERS[type(action)](state, action)
