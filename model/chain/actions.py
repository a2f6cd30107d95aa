"""Every action the chain accepts, as data, and the effects a transition reports.

An action names its inputs only; the chain supplies the clock, the round id and the live
parameters. Reprs are valid Python, so a trace of actions pastes into a regression test.
"""

from __future__ import annotations

from fractions import Fraction

from attrs import frozen

from model.governance import ParamChange, Proposal, TallyResult, VoteOption
from model.insurance import InsuranceClaim
from model.ledger import Token
from model.params import Params
from model.payment import SupportPurpose
from model.slashing import SlashOutcome
from model.staking import BlockCommit, StakingState
from model.trusted.behaviour import NodePlan, ValidatorPlan
from model.trusted.scenario import RoundRun
from model.trusted.settlement import RoundOutcome, TrustedChain
from model.units import AccountId, AppId, Bps, NodeId, Seconds, UStr, ValidatorId

# --- Tokens and the bridge -----------------------------------------------------------------------


@frozen
class DepositUsdc:
    """§6.1: a USDC deposit event from the Ethereum bridge (ids may repeat: replays)."""

    deposit_id: str
    recipient: AccountId
    amount: int


@frozen
class RedeemStb:
    """§6.1: STB burned for USDC released on Ethereum."""

    holder: AccountId
    amount: int


@frozen
class Transfer:
    """§6.2: a plain transfer between accounts."""

    sender: AccountId
    recipient: AccountId
    token: Token
    amount: int


# --- Escrow and Trusted Function rounds ----------------------------------------------------------


@frozen
class Prepay:
    """§4.3.1: STB and STR paid into an app's escrow at an STR price (USD per STR)."""

    app: AppId
    payer: AccountId
    ustb: int
    ustr: int
    price: Fraction | None


@frozen
class MovePrice:
    """§6.6: an oracle report of the STR/USD market price on Stratoswap (USD per STR)."""

    price: Fraction


@frozen
class PrepayTimeframes:
    """§4.3.1: a prepayment sized for `timeframes` rounds of `nodes` nodes at `cost_per_node`
    (micro-USD), its STR at the chain's market price."""

    app: AppId
    payer: AccountId
    cost_per_node: int
    nodes: int
    timeframes: int


@frozen
class PayOwed:
    """§4.3.1, §6.3: the app's escrow pays the node payments it owes, oldest first."""

    app: AppId


@frozen
class RunRound:
    """§3.2-§3.3: a Trusted Function round with these node plans, then its settlement."""

    app: AppId
    plans: tuple[NodePlan, ...]
    cost: int
    app_reveals_salts: bool = True
    validation_prefund_ustr: int = 0
    validator_plans: tuple[ValidatorPlan, ...] = ()
    """§3.3 Steps 10, 12: what named active validators do (every other one is honest)."""


@frozen
class ResolveLocked:
    """§3.3 Step 12: the round's validators vote the resolved decision of a locked payment; the
    supermajority output's nodes are paid, the rest returns to the escrow."""

    app: AppId
    round_id: int
    validator_plans: tuple[ValidatorPlan, ...] = ()
    """What named committee members do (every other one is honest)."""


@frozen
class SetAppValidatorCount:
    """§3.3, §4.3.2: the app's developer sets how many validators validate its rounds."""

    app: AppId
    signer: AccountId
    count: int


@frozen
class LaunchService:
    """§4.3.3, §4.4: the app's developer launches its service with settings (a)-(d), staking
    `stake_ustr` of STR in advance of usage (the total funding is the escrow's prepayment)."""

    app: AppId
    developer: AccountId
    max_nodes: int
    frequency_seconds: int
    deviation_bps: int
    usage_fee_ustr: int
    stake_ustr: int


@frozen
class BidService:
    """§4.4, §6.3.2: a registered node offers to serve the app at its own STR margin (bps of
    cost)."""

    node: NodeId
    app: AppId
    str_margin_bps: int


@frozen
class ChooseNodes:
    """§4.4: the developer chooses the service's nodes: the lowest bids, each newly chosen one
    paid the initiation fee."""

    app: AppId
    developer: AccountId


@frozen
class UseService:
    """§4.3.3 (d): a user uses the app's service, paying its usage fee in STR."""

    user: AccountId
    app: AppId


@frozen
class WithdrawPrepayment:
    """§4.3.1: the developer takes unspent prepayment back."""

    app: AppId
    ustb: int
    ustr: int


# --- Staking, blocks and slashing ----------------------------------------------------------------


@frozen
class Delegate:
    """§4.2: STR bonded to a validator."""

    delegator: AccountId
    validator: ValidatorId
    amount: int


@frozen
class Undelegate:
    """§4.2: a bond returned."""

    delegator: AccountId
    validator: ValidatorId
    amount: int


@frozen
class CommitBlock:
    """§4.2: the next block, signed by honest validators."""

    signers: frozenset[ValidatorId]


@frozen
class Equivocate:
    """§4.2, §6.10: `double_signers` sign two blocks at the next height; each side adds honest
    signers; every commit that passes is recorded and each double-sign is slashed."""

    double_signers: frozenset[ValidatorId]
    side_a: frozenset[ValidatorId]
    side_b: frozenset[ValidatorId]
    reported: bool = True
    """False: nobody submits the evidence yet; `ReportDoubleSign` may submit it later."""


@frozen
class ReportDoubleSign:
    """§6.10: evidence of an earlier, unreported double sign of `validator` at `height`."""

    validator: ValidatorId
    height: int


@frozen
class ReportDowntime:
    """§6.10 (Cosmos x/slashing): evidence that `validator` missed too many recent blocks."""

    validator: ValidatorId


@frozen
class Unjail:
    """§6.10 (Cosmos x/slashing): a jailed validator asks to return once its jail has ended."""

    validator: ValidatorId


@frozen
class CompleteUnbonding:
    """§4.2 (Cosmos x/staking): every unbonding entry whose period has ended is paid out."""


@frozen
class DistributeRewards:
    """§6.9, §4.2: one staking period's rewards: the rewards pool paid to the bonds of the
    eligible validators, pro rata."""


@frozen
class SlashValidator:
    """§6.10: a validator slashed for a fault other than double signing (downtime, say)."""

    validator: ValidatorId


# --- Time, supply, governance, complaints, reputation --------------------------------------------


@frozen
class AdvanceTime:
    """The clock moves forward."""

    seconds: int


@frozen
class MintInflation:
    """§6.9: the inflation accrued since the last mint is minted."""


@frozen
class SwapReserve:
    """§6.7: the swap reserve's market order: all of its STB sold to Stratoswap for STR, which
    is burned (a market order names no price)."""


@frozen
class AddLiquidity:
    """§6.6: a market maker contributes STB and STR to Stratoswap's pool for shares."""

    provider: AccountId
    ustb: int
    ustr: int


@frozen
class RemoveLiquidity:
    """§6.6: a market maker redeems pool shares for its part of both reserves."""

    provider: AccountId
    shares: int


@frozen
class Swap:
    """§6.6: a market order on Stratoswap: sell `amount_in` of `token_in`, receive at least
    `min_out` of the other token."""

    trader: AccountId
    token_in: Token
    amount_in: int
    min_out: int


@frozen
class GrantNetworkSupport:
    """§6.5, §6.8: Network Support pays a grant for one of its three purposes, on the vote of
    its committees (`model.committees.GRANT_COMMITTEES`), signed by their delegators."""

    recipient: AccountId
    amount: int
    purpose: SupportPurpose = SupportPurpose.CORE_DEVELOPMENT
    signers: frozenset[AccountId] = frozenset()


@frozen
class FundInsurance:
    """§4.5: STR paid into the insurance pool."""

    contributor: AccountId
    amount: int


@frozen
class PayInsurance:
    """§4.5, §6.8: the insurance pool pays a bounty or a reimbursement, on the Insurance Pool
    Payouts Committee's vote, signed by its delegators."""

    recipient: AccountId
    amount: int
    claim: InsuranceClaim
    signers: frozenset[AccountId] = frozenset()


@frozen
class SlashNode:
    """§6.10, §6.8: STR slashed from a cheating node's stake, the amount voted by the
    relevant subcommittee (the Complaint Network Committee), signed by its delegators."""

    node: NodeId
    amount: int
    signers: frozenset[AccountId] = frozenset()


@frozen
class SubmitProposal:
    """§6.8: a parameter-change proposal with a deposit."""

    proposer: AccountId
    changes: tuple[ParamChange, ...]
    deposit_ustr: int


@frozen
class CastVote:
    """§6.8: a vote on a proposal."""

    proposal_id: int
    voter: AccountId
    option: VoteOption


@frozen
class Tally:
    """§6.8: votes weighed once the voting period is over; passed changes apply."""

    proposal_id: int


@frozen
class CreateSubcommittee:
    """§6.8: a new subcommittee."""

    name: str
    creator: AccountId


@frozen
class DelegateToSubcommittee:
    """§6.8: STR delegated to a subcommittee."""

    delegator: AccountId
    name: str
    amount: int


@frozen
class UndelegateFromSubcommittee:
    """§6.8: STR taken back from a subcommittee."""

    delegator: AccountId
    name: str
    amount: int


@frozen
class SubmitComplaint:
    """§6.8: a complaint on an app or node with a deposit."""

    complaint_id: str
    complainant: AccountId
    target: str
    deposit_ustr: int


@frozen
class ResolveComplaint:
    """§6.8: a complaint upheld or dismissed; the deposit splits 80/20."""

    complaint_id: str
    upheld: bool


@frozen
class SetAppProfile:
    """§4.5: what lifts an app's outbound cap: open source, or stake."""

    app: AppId
    open_source: bool
    staked_ustr: int


@frozen
class OutboundRequest:
    """§4.5: an app's outbound request at the current time."""

    app: AppId
    price: Fraction
    node: NodeId | None = None
    """§4.4: the node that makes the call, paid the base payout from the app's escrow (None: no
    node named, nothing paid)."""


Action = (
    DepositUsdc
    | RedeemStb
    | Transfer
    | Prepay
    | MovePrice
    | PrepayTimeframes
    | PayOwed
    | RunRound
    | ResolveLocked
    | SetAppValidatorCount
    | LaunchService
    | BidService
    | ChooseNodes
    | UseService
    | WithdrawPrepayment
    | Delegate
    | Undelegate
    | CommitBlock
    | Equivocate
    | ReportDoubleSign
    | ReportDowntime
    | Unjail
    | CompleteUnbonding
    | DistributeRewards
    | SlashValidator
    | AdvanceTime
    | MintInflation
    | SwapReserve
    | AddLiquidity
    | RemoveLiquidity
    | Swap
    | GrantNetworkSupport
    | FundInsurance
    | PayInsurance
    | SlashNode
    | SubmitProposal
    | CastVote
    | Tally
    | CreateSubcommittee
    | DelegateToSubcommittee
    | UndelegateFromSubcommittee
    | SubmitComplaint
    | ResolveComplaint
    | SetAppProfile
    | OutboundRequest
)

# --- Effects: what a transition did, for the invariants that look at transitions -----------------


@frozen
class RoundEffect:
    """A round run (decided or stuck) and, if decided, settled."""

    run: RoundRun
    outcome: RoundOutcome | None
    before: TrustedChain
    after: TrustedChain
    params: Params


@frozen
class ResolveEffect:
    """§3.3 Step 12: a locked payment resolved by its committee's vote: the votes cast, the value
    that passed and the node accounts paid."""

    app: AppId
    round_id: int
    votes: tuple[tuple[ValidatorId, str], ...]
    passed: str
    paid: tuple[AccountId, ...]


@frozen
class SlashEffect:
    """One slash of one offender: the rate applied, the stake before, what was burned."""

    offender: str
    time: Seconds
    rate_bps: Bps
    stake_before: UStr
    requested_ustr: UStr
    burned_ustr: UStr
    params: Params
    validator_outcome: SlashOutcome | None = None


@frozen
class CommitEffect:
    """A block commit accepted at a height (conflicting ones included), with the voting power
    it was weighed against."""

    commit: BlockCommit
    staking: StakingState
    params: Params


@frozen
class TallyEffect:
    """A tallied proposal, its votes and result, and the parameters before and after."""

    proposal: Proposal
    result: TallyResult
    params_before: Params
    params_after: Params


@frozen
class MintEffect:
    """Inflation minted over [start, end)."""

    start: Seconds
    end: Seconds
    amount: UStr


@frozen
class OutboundEffect:
    """An outbound request the chain let through."""

    app: AppId
    time: Seconds
    price: Fraction
    node: NodeId | None = None
    payout_ustb: int = 0
    """§4.4: the base payout the node that made the call was paid, in ustb."""


@frozen
class InfractionEffect:
    """A double sign committed at `height` and `time` and not reported yet, with the bonds it
    was committed under."""

    validator: ValidatorId
    height: int
    time: Seconds
    staking: StakingState


@frozen
class JailEffect:
    """A validator jailed until `until` (or, `tombstoned`, for ever), and why."""

    validator: ValidatorId
    until: Seconds
    tombstoned: bool
    reason: str


Effect = (
    RoundEffect
    | ResolveEffect
    | SlashEffect
    | CommitEffect
    | TallyEffect
    | MintEffect
    | OutboundEffect
    | InfractionEffect
    | JailEffect
)
