"""The state of the whole chain, its genesis, and the accounts the traces name.

`ChainState` joins the slices each rule owns (ledger, escrows, node stakes, slashing,
reputation, staking, supply, governance, complaints) with the chain's clock and block log.
The live parameters are the governance module's: a passed proposal changes what later rules use.
"""

from __future__ import annotations

from fractions import Fraction

from attrs import field, frozen
from pyrsistent import PMap, pmap

from model.complaints import ComplaintBook
from model.escrow import EscrowBook, process_open_escrow, process_prepayment
from model.governance import GovernanceState, create_governance_state
from model.ledger import STRATOSWAP_POOL, Ledger, create_genesis
from model.maps import dmap
from model.market import MarketState
from model.params import Params
from model.profile import Profile
from model.records import evolve
from model.reputation import ReputationState
from model.slashing import SlashingState
from model.staking import BlockCommit, StakingState, process_create_validator
from model.stratoswap import PoolBook, create_genesis_pool
from model.supply import SupplyState, create_supply_state
from model.trusted.settlement import NodeStake, TrustedChain, process_register_node
from model.units import (
    AccountId,
    AppId,
    NodeId,
    Outcome,
    Rejected,
    Seconds,
    ValidatorId,
    is_valid_price,
)

USER_COUNT = 3
APPS: tuple[AppId, ...] = (AppId("app-0"), AppId("app-1"))


def get_user(index: int) -> AccountId:
    """The `index`-th ordinary account of a trace."""
    return AccountId(f"user-{index}")


def get_developer(app: AppId) -> AccountId:
    """The account of `app`'s developer, who opens and funds its escrow."""
    return AccountId(f"dev-{app}")


def get_node(index: int) -> NodeId:
    """The `index`-th node of a trace."""
    return NodeId(f"n{index}")


def get_node_operator(node: NodeId) -> AccountId:
    """The payout account of `node`."""
    return AccountId(f"op-{node}")


def get_validator(index: int) -> ValidatorId:
    """The `index`-th validator of a trace."""
    return ValidatorId(f"v{index}")


def get_validator_operator(validator: ValidatorId) -> AccountId:
    """The operator account of `validator` (its self-bond and its validation payments)."""
    return AccountId(f"op-{validator}")


@frozen
class Genesis:
    """§6.2, §6.1, §4.2, §4.3.1: what the chain starts with, as plain amounts per index."""

    user_ustr: tuple[int, ...]
    """STR of each user account (and, shared, of each app developer)."""
    user_ustb: tuple[int, ...]
    """STB of each user account, backed by USDC bridged before genesis."""
    validator_bonds: tuple[int, ...]
    """Self-bond of each validator, taken from its operator's genesis STR."""
    node_stakes: tuple[int, ...]
    """Stake of each node, taken from its operator's genesis STR."""
    developer_ustr: int = 0
    developer_ustb: int = 0
    """What each app's developer holds; the prepayment below comes out of it."""
    prepay_ustr: int = 0
    prepay_ustb: int = 0
    """What each developer prepays into its app's escrow at genesis (§4.3.1)."""
    price: Fraction | None = None
    """The STR price of the genesis prepayment (USD per STR)."""
    time: Seconds = 0
    stratoswap_ustr: int = 0
    """STR liquidity in the Stratoswap pool, which the swap reserve buys from (§6.7)."""
    stratoswap_ustb: int = 0
    """STB liquidity in the Stratoswap pool (§6.6), backed by USDC bridged before genesis; with
    both sides, the pool's shares go to `model.stratoswap.GENESIS_PROVIDER`."""


def _empty_commits() -> PMap[int, tuple[BlockCommit, ...]]:
    return pmap()


@frozen
class ChainState:
    """The whole chain: every module's state, the clock and the block commits seen."""

    profile: Profile
    now: Seconds
    height: int
    ledger: Ledger
    escrows: EscrowBook
    nodes: PMap[NodeId, NodeStake]
    slashing: SlashingState
    reputation: ReputationState
    staking: StakingState
    supply: SupplyState
    governance: GovernanceState
    complaints: ComplaintBook = field(factory=ComplaintBook)
    next_round_id: int = 1
    commits: PMap[int, tuple[BlockCommit, ...]] = field(factory=_empty_commits)
    """Every block commit accepted, by height (two at one height are a safety failure)."""
    app_validator_counts: PMap[AppId, int] = field(factory=dmap)
    """§3.3, §4.3.2: each app's number of validators, set by its developer (absent: all)."""
    str_price: Fraction | None = None
    """§6.6: the STR/USD market price last reported (USD per STR; None: none reported yet)."""
    market: MarketState = field(factory=MarketState)
    """§4.3.3, §4.4: the apps' launched services and the nodes' bids on them."""
    pool: PoolBook = field(factory=PoolBook)
    """§6.6: the liquidity providers' shares of Stratoswap's pool."""

    @property
    def params(self) -> Params:
        """The live parameters: the governance module's."""
        return self.governance.params


def get_trusted_chain(state: ChainState) -> TrustedChain:
    """The slice of the chain a Trusted Function round reads and writes."""
    return TrustedChain(
        ledger=state.ledger,
        escrows=state.escrows,
        nodes=state.nodes,
        slashing=state.slashing,
        reputation=state.reputation,
    )


def with_trusted_chain(state: ChainState, chain: TrustedChain, *, now: Seconds) -> ChainState:
    """`state` with a round's slice written back, its clock at `now`."""
    return evolve(
        state,
        now=now,
        ledger=chain.ledger,
        escrows=chain.escrows,
        nodes=chain.nodes,
        slashing=chain.slashing,
        reputation=chain.reputation,
    )


def create_chain(genesis: Genesis, *, params: Params, profile: Profile) -> Outcome[ChainState]:
    """§6.2, §4.2, §4.3.1: genesis: allocations, bonded validators, staked nodes, open escrows."""
    rule = "create_chain"
    validators = [get_validator(i) for i in range(len(genesis.validator_bonds))]
    nodes = [get_node(i) for i in range(len(genesis.node_stakes))]
    allocations: dict[AccountId, int] = {
        get_user(i): amount for i, amount in enumerate(genesis.user_ustr)
    }
    deposits: dict[AccountId, int] = {
        get_user(i): amount for i, amount in enumerate(genesis.user_ustb)
    }
    for validator, bond in zip(validators, genesis.validator_bonds, strict=True):
        allocations[get_validator_operator(validator)] = bond
    for node, stake in zip(nodes, genesis.node_stakes, strict=True):
        allocations[get_node_operator(node)] = stake
    for app in APPS:
        allocations[get_developer(app)] = genesis.developer_ustr
        deposits[get_developer(app)] = genesis.developer_ustb
    # Stratoswap's pool gets an account only when it has liquidity (§6.6, §6.7).
    allocations.update(
        {STRATOSWAP_POOL: genesis.stratoswap_ustr} if genesis.stratoswap_ustr else {}
    )
    deposits.update({STRATOSWAP_POOL: genesis.stratoswap_ustb} if genesis.stratoswap_ustb else {})
    ledger = create_genesis(allocations, stb_deposits=deposits)
    if isinstance(ledger, Rejected):
        return ledger
    staking = StakingState(by_arrival=profile.validator_set_by_arrival)
    for validator, bond in zip(validators, genesis.validator_bonds, strict=True):
        created = process_create_validator(
            ledger,
            staking,
            validator=validator,
            operator=get_validator_operator(validator),
            self_bond=bond,
        )
        if isinstance(created, Rejected):
            return created
        ledger, staking = created
    chain = TrustedChain(ledger=ledger)
    for node, stake in zip(nodes, genesis.node_stakes, strict=True):
        registered = process_register_node(
            chain, node=node, account=get_node_operator(node), stake=stake
        )
        if isinstance(registered, Rejected):
            return registered
        chain = registered
    escrows, ledger = chain.escrows, chain.ledger
    for app in APPS:
        opened = process_open_escrow(escrows, app=app, developer=get_developer(app))
        if isinstance(opened, Rejected):
            return Rejected(rule, opened.reason)
        escrows = opened
        if genesis.prepay_ustb or genesis.prepay_ustr:
            funded = process_prepayment(
                ledger,
                escrows,
                app=app,
                payer=get_developer(app),
                ustb=genesis.prepay_ustb,
                ustr=genesis.prepay_ustr,
                price=genesis.price,
            )
            if isinstance(funded, Rejected):
                return Rejected(rule, funded.reason)
            ledger, escrows = funded
    # §6.6: the genesis prepayment's price is the first market price known, if positive.
    market = genesis.price if genesis.price is not None and is_valid_price(genesis.price) else None
    return ChainState(
        profile=profile,
        now=genesis.time,
        height=0,
        ledger=ledger,
        escrows=escrows,
        nodes=chain.nodes,
        slashing=chain.slashing,
        reputation=chain.reputation,
        staking=staking,
        supply=create_supply_state(genesis_time=genesis.time),
        governance=create_governance_state(params=params),
        str_price=market,
        pool=create_genesis_pool(genesis.stratoswap_ustb, genesis.stratoswap_ustr),
    )
