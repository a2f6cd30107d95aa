"""Hypothesis strategies for the whole-chain machine: identities, amounts, node plans, changes.

Amounts mix small values (where rounding and dust live) with large ones (where overflow and
caps live); identities come from `model.chain.state`'s naming, the cast's size drawn at genesis;
every account a user may name includes the module and escrow accounts, which the chain must
refuse or handle.
"""

from __future__ import annotations

from fractions import Fraction

import attrs
from hypothesis import strategies as st

from model.chain.state import (
    APPS,
    Genesis,
    get_developer,
    get_node,
    get_node_operator,
    get_user,
    get_validator,
    get_validator_operator,
)
from model.governance import ParamChange
from model.ledger import MODULE_ACCOUNTS, get_escrow_account, get_locked_escrow_account
from model.params import ParamSpec, param_specs
from model.trusted.behaviour import Behaviour, NodePlan
from model.units import AccountId, NodeId, ValidatorId
from oracle.domains import DOMAINS
from properties.catalogue import COHERENCE

VALIDATOR_COUNT = 6
"""The most validators a genesis cast draws (from 1); rules may name any of them, drawn or not."""
NODE_COUNT = 4
USER_COUNT = 3

USERS: tuple[AccountId, ...] = tuple(get_user(i) for i in range(USER_COUNT))
VALIDATORS: tuple[ValidatorId, ...] = tuple(get_validator(i) for i in range(VALIDATOR_COUNT))
NODES: tuple[NodeId, ...] = tuple(get_node(i) for i in range(NODE_COUNT))
SIGNERS: tuple[AccountId, ...] = (
    *USERS,
    *(get_developer(app) for app in APPS),
    *(get_validator_operator(v) for v in VALIDATORS),
    *(get_node_operator(n) for n in NODES),
)
"""Accounts with keys: they can send, vote, delegate and complain."""
ESCROW_ACCOUNTS: tuple[AccountId, ...] = tuple(
    account for app in APPS for account in (get_escrow_account(app), get_locked_escrow_account(app))
)
EVERY_ACCOUNT: tuple[AccountId, ...] = (*SIGNERS, *MODULE_ACCOUNTS, *ESCROW_ACCOUNTS)
"""Every account a user may name: the chain must refuse or handle the module and escrow ones."""

MICRO = 1_000_000
GOLDEN_COST = 100 * MICRO
"""§6.3.3's $100 example, so PAY-VECTOR gets exercised."""

signers = st.sampled_from(SIGNERS)
any_account = st.sampled_from(EVERY_ACCOUNT)
named_accounts = st.one_of(
    signers, signers, signers, st.sampled_from(EVERY_ACCOUNT[len(SIGNERS) :])
)
"""Mostly a signer, else a module or escrow account: who a delegation or redemption names."""
users = st.sampled_from(USERS)
validators = st.sampled_from(VALIDATORS)
validator_sets = st.frozensets(validators)
apps = st.sampled_from(APPS)

amounts = st.one_of(
    st.integers(0, 1_000),
    st.integers(0, 10**9),
    st.integers(0, 10**13),
    st.sampled_from([MICRO, 10 * MICRO, 10**12]),
)
costs = st.one_of(st.sampled_from([GOLDEN_COST, MICRO, 1]), st.integers(0, 10**10))
prices = st.builds(Fraction, st.integers(1, 50), st.integers(1, 20))
"""STR prices in USD per STR: from $0.05 to $50."""
seconds = st.sampled_from(
    [1, 30, 59, 61, 3_600, 86_400, 1_209_601, 31_536_000, 63_072_000, 94_608_000]
)
"""Clock steps: within and past a minute, a voting period, a year, one and 1.5 windows."""

behaviours = st.sampled_from(list(Behaviour))


@st.composite
def node_plans(draw: st.DrawFn) -> tuple[NodePlan, ...]:
    """1 to 4 nodes, each with a behaviour; copiers copy another node of the round."""
    size = draw(st.integers(1, NODE_COUNT))
    nodes = draw(st.permutations(NODES))[:size]
    collude = draw(st.booleans())
    plans = []
    for node in nodes:
        behaviour = draw(behaviours)
        others = [other for other in nodes if other != node]
        copy_from = None
        if behaviour is Behaviour.COPY_COMMIT:
            if not others:
                behaviour = Behaviour.HONEST
            else:
                copy_from = draw(st.sampled_from(others))
        wrong_output = (
            b"colluding wrong output" if (behaviour is Behaviour.WRONG_OUTPUT and collude) else None
        )
        wrong_salt = draw(st.booleans()) and draw(st.booleans())
        plans.append(NodePlan(node, behaviour, copy_from, wrong_output, wrong_salt))
    return tuple(plans)


PAYMENT_KEYS = (
    "stb_node_profit_bps",
    "stb_reserve_swap_bps",
    "str_node_profit_bps",
    "str_burn_bps",
    "str_network_support_bps",
)
"""The shares §6.4, §6.5 and §6.8 let governance move."""
SUPERMAJORITY_PAYMENT_KEYS = ("str_burn_bps", "str_network_support_bps", "stb_reserve_swap_bps")
"""Of those, the ones only a supermajority may change (§6.4, §6.5)."""


# Built once (each firing of a rule would build them again, and Hypothesis works out a new
# strategy's properties at its first draw); the same draws as built in place.
_FIRST_PAYMENT_KEY = st.sampled_from(SUPERMAJORITY_PAYMENT_KEYS) | st.sampled_from(PAYMENT_KEYS)
_PAYMENT_DELTAS = st.sampled_from([-500, -100, -1, 1, 100, 500])


@st.composite
def payment_changes(draw: st.DrawFn, current: dict[str, int]) -> tuple[ParamChange, ...]:
    """A change of one payment share, or of two moved against each other (sum kept)."""
    first = draw(_FIRST_PAYMENT_KEY)
    delta = draw(_PAYMENT_DELTAS)
    value = current[first] + delta
    changes = [ParamChange("payment", first, value)]
    # Mostly two shares moved against each other, which keeps their sum (GOV-PARAMS).
    if draw(st.integers(0, 3)):
        second = draw(st.sampled_from([key for key in PAYMENT_KEYS if key != first]))
        changes.append(ParamChange("payment", second, current[second] - delta))
    return tuple(changes)


@st.composite
def validator_bonds(draw: st.DrawFn) -> tuple[int, ...]:
    """§4.2: 1 to VALIDATOR_COUNT self-bonds: all equal, equal but for one ustr, or free, so
    block commits land exactly on, just above and just below the threshold, and a lowered
    max_validators cuts between equal stakes."""
    size = draw(st.integers(1, VALIDATOR_COUNT))
    mode = draw(st.sampled_from(["equal", "one-apart", "free"]))
    if mode == "free":
        return tuple(draw(st.integers(1, 10**12)) for _ in range(size))
    base = draw(st.sampled_from([1, 3 * MICRO, 10**9, 10**12]))
    if mode == "equal":
        return (base,) * size
    return tuple(base + draw(st.integers(0, 1)) for _ in range(size))


GENESIS_LATE = 1_700_000_000
"""A genesis time far from 0 (a Unix time in 2023): `t - genesis` and `t` differ there."""

genesis_strategy = st.builds(
    Genesis,
    user_ustr=st.tuples(*[st.integers(0, 10**13)] * 3),
    user_ustb=st.tuples(*[st.integers(0, 10**13)] * 3),
    validator_bonds=validator_bonds(),
    node_stakes=st.tuples(*[st.integers(1, 10**10)] * 4),
    developer_ustr=st.just(10**15),
    developer_ustb=st.just(10**15),
    prepay_ustr=st.sampled_from([10**14, 10**9]),
    prepay_ustb=st.sampled_from([10**14, 10**9]),
    price=prices,
    stratoswap_ustr=st.sampled_from([0, 10**13]),
    stratoswap_ustb=st.sampled_from([0, 10**7, 10**13]),
    time=st.sampled_from([0, 0, GENESIS_LATE]),
)
"""Genesis: three funded users, a drawn cast of bonded validators, four staked nodes, two funded
escrows (their STR at a drawn price that later prepayments move), (mostly) STR and STB liquidity in
the Stratoswap pool for the swap reserve to buy from, and a start at time 0 or late (every age, year and
window is measured from the genesis, not from 0)."""


def _documented(spec: ParamSpec) -> ParamSpec:
    domain = DOMAINS[spec.name]
    return attrs.evolve(spec, minimum=domain.minimum, maximum=domain.maximum)


GOVERNABLE: tuple[ParamSpec, ...] = tuple(_documented(spec) for spec in param_specs())
"""Every key governance may change (§6.8): the model's keys and defaults, each with the domain
docs/model.md documents for it (`oracle.domains`), never the model's own bounds, so a bound the
model moved is proposed where the documentation puts it."""

COHERENCE_KEYS: frozenset[str] = frozenset(COHERENCE)
"""The keys GOV-PARAMS' coherence ties together (§6.8: the rate and the shares of T; each
threshold a fraction below one): one moved alone to an edge makes any proposal incoherent, and
the hardened chain refuses it whatever the other keys hold."""

BOUND_EDGES: tuple[str, ...] = ("minimum", "maximum")
OUTSIDE_EDGES: tuple[str, ...] = ("below-minimum", "above-maximum")
DEFAULT_EDGES: tuple[str, ...] = ("default-1", "default+1")
EDGES: tuple[str, ...] = (*BOUND_EDGES, *OUTSIDE_EDGES, *DEFAULT_EDGES)
"""Where `edge_value` puts a key: at each documented bound, one past each (outside the domain: a
proposal holding it must be refused), or one away from the default (kept in domain)."""


def edge_value(spec: ParamSpec, edge: str) -> int:
    """The value of key `spec` at `edge` (`EDGES`), from the documented domain of `spec.name`.

    A coherence key (`COHERENCE_KEYS`) keeps its default at a bound or beside the default: a
    proposal putting every key at one edge then stays coherent, so the chain must accept it
    exactly when each other key's edge lies in its documented domain. Its own bounds, and one
    past them, are drawn by `edge_values`."""
    domain = DOMAINS[spec.name]
    low, high = domain.minimum, domain.maximum
    if edge == "below-minimum":
        return low - 1
    if edge == "above-maximum":
        return high + 1
    if spec.name in COHERENCE_KEYS:
        return spec.default
    value = {
        "minimum": low,
        "maximum": high,
        "default-1": spec.default - 1,
        "default+1": spec.default + 1,
    }[edge]
    return min(max(value, low), high)


def _exact_value(spec: ParamSpec, edge: str) -> int:
    domain = DOMAINS[spec.name]
    value = {
        "minimum": domain.minimum,
        "maximum": domain.maximum,
        "below-minimum": domain.minimum - 1,
        "above-maximum": domain.maximum + 1,
        "default-1": spec.default - 1,
        "default+1": spec.default + 1,
    }[edge]
    inside = edge in OUTSIDE_EDGES or domain.contains(value)
    return value if inside else spec.default


@st.composite
def _edge_values(draw: st.DrawFn, spec: ParamSpec) -> int:
    if spec.name in COHERENCE_KEYS and draw(st.integers(0, 3)):
        return spec.default
    return _exact_value(spec, draw(st.sampled_from(EDGES)))


_EDGE_VALUES: dict[ParamSpec, st.SearchStrategy[int]] = {}


def edge_values(spec: ParamSpec) -> st.SearchStrategy[int]:
    """A value of key `spec` at one of the `EDGES` of its documented domain: a bound, one past a
    bound (out of domain: the proposal must be refused), or one away from its default. A
    coherence key mostly keeps its default, so the other keys' edges are judged on a coherent
    proposal; otherwise it too goes to an edge.

    One strategy per key, built at its first use: Hypothesis works out a new strategy's
    properties at its first draw, and a rule draws these for several keys at every firing."""
    strategy = _EDGE_VALUES.get(spec)
    if strategy is None:
        strategy = _EDGE_VALUES[spec] = _edge_values(spec)
    return strategy


@st.composite
def one_key_past_a_bound(draw: st.DrawFn) -> tuple[ParamChange, ...]:
    """A proposal changing one key to one past a bound of its documented domain (and nothing
    else): the chain must refuse it, and a model whose bound moved outward accepts it and breaks
    GOV-PARAMS. A rule over it reaches each key's two outside values within a few hundred
    draws, where a proposal over several keys rarely has only one of them outside."""
    spec = draw(st.sampled_from(GOVERNABLE))
    edge = draw(st.sampled_from(OUTSIDE_EDGES))
    return (ParamChange(spec.subspace, spec.key, edge_value(spec, edge)),)
