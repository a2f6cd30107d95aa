"""Governance read from §6.8: coherent shares, STR-weighted votes, constitutions and tallies
(subcommittees and complaint fees: `oracle.committees`).

Each reading restates one sentence of the text on raw state: the parameter values, balances,
bonds and delegation records. "Each STR token represents one pro-rata vote": a voter weighs its
liquid STR plus every STR it holds elsewhere, bonded, delegated to a subcommittee, staked by its
node, prepaid into its app's escrow (`voting_power`).

A tally is read here as the constitution decides it (`read_tally`): §6.8 names two processes,
the Cosmos parameter change and the Tezos amendment of four 90-day periods. The hardened reading
takes its quorums, thresholds, vetoes, periods and ranges from the table
`model.constitution.HARDENED_CONSTITUTION`, read as data (fields only, no model function); the
literal reading is written here from the text: yes over no, more than the governed
supermajority of every vote for the burn and network-support shares (§6.4, §6.5) and the
supermajority itself, no quorum, no veto, no range beyond each key's domain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

import attrs
from attrs import frozen
from pyrsistent import PMap

from model.chain.state import ChainState
from model.constitution import (
    CORE_KEYS,
    HARDENED_CONSTITUTION,
    LITERAL_SUPERMAJORITY,
    SIMPLE_MAJORITY,
    AmendmentRule,
    Constitution,
    Process,
)
from model.constitution import Fraction as Share
from model.escrow import AppEscrow
from model.governance import AmendmentPhase, ParamChange, Proposal, VoteOption
from model.ledger import Balance, Ledger, get_escrow_account, get_locked_escrow_account
from model.params import Params
from model.staking import StakingState
from model.trusted.settlement import NodeStake
from model.units import AccountId, AppId, NodeId, ValidatorId
from oracle.domains import param_values, value_problem
from oracle.effects import get_active_operators, is_user_account
from oracle.ledger import ustr_of
from oracle.payment import BPS
from oracle.persistent import remember_last

SUPERMAJORITY_KEYS: tuple[tuple[str, str], ...] = (
    ("payment", "str_burn_bps"),
    ("payment", "stb_reserve_swap_bps"),
    ("payment", "str_network_support_bps"),
    ("governance", "supermajority_num"),
    ("governance", "supermajority_den"),
)
"""§6.4, §6.5: the STR burn, the second burn through the swap reserve (§6.7), network support;
and the supermajority itself, else a simple majority could lower the bar first (docs/model.md)."""


# --- Coherence of the shares (GOV-PARAMS) ------------------------------------------------------


@frozen
class Incoherence:
    """One way the shares of §6.8 fail to add up: a short name and the numbers."""

    rule: str
    message: str


@remember_last(4)
def incoherences(params: Params) -> tuple[Incoherence, ...]:
    """§6.8: the cost basis, the STB margin and the STR margin make up all of T; each margin's
    sub-shares make up the margin; and both thresholds are fractions below one, else no vote and
    no round could ever pass them.

    T is the payment rate times the cost (§6.3), so the cost is 10_000 / rate of T:
    10_000 * 10_000 / rate bps of it, which need not be a whole number of bps. The cost basis
    is what T leaves after the margins, a whole number of bps; costs are "fully covered in STB"
    (§6.3.1) when it is at least the cost's share, and the margins take the rest when it is the
    least such whole number: the cost's share rounded up. The node then receives its cost and
    less than one bp of T more (the dust of the rounding up).
    """
    pay = params.payment
    found: list[Incoherence] = []
    rate = pay.payment_rate_bps
    margins = pay.stb_profit_margin_bps + pay.str_profit_margin_bps
    basis = BPS - margins
    cost_share = Fraction(BPS * BPS, rate) if rate > 0 else None
    if cost_share is None or not basis - 1 < cost_share <= basis:
        cost = "none" if cost_share is None else f"{cost_share}"
        found.append(
            Incoherence(
                "cost-plus-margins",
                f"at payment_rate_bps {rate} the cost is {cost} bps of T, and the margins"
                f" {margins} bps leave a cost basis of {basis} bps: not the cost rounded up to"
                " whole bps",
            )
        )
    stb_parts = pay.stb_node_profit_bps + pay.stb_reserve_swap_bps
    if stb_parts != pay.stb_profit_margin_bps:
        found.append(
            Incoherence(
                "stb-sub-shares",
                f"stb_node_profit_bps + stb_reserve_swap_bps = {stb_parts},"
                f" not stb_profit_margin_bps {pay.stb_profit_margin_bps}",
            )
        )
    str_parts = pay.str_node_profit_bps + pay.str_burn_bps + pay.str_network_support_bps
    if str_parts != pay.str_profit_margin_bps:
        found.append(
            Incoherence(
                "str-sub-shares",
                f"str_node_profit_bps + str_burn_bps + str_network_support_bps = {str_parts},"
                f" not str_profit_margin_bps {pay.str_profit_margin_bps}",
            )
        )
    consensus, gov = params.consensus, params.governance
    for name, num, den in (
        ("consensus-threshold", consensus.threshold_num, consensus.threshold_den),
        ("governance-supermajority", gov.supermajority_num, gov.supermajority_den),
    ):
        if not 0 < num < den:
            found.append(Incoherence(name, f"{num}/{den} is not a fraction below 1"))
    return tuple(found)


def with_changes(params: Params, changes: Iterable[ParamChange]) -> Params:
    """§6.8: the parameter set a passed proposal leaves: `params` with each change's key set to
    its value, read off the records' own fields. No domain or coherence is judged here: the
    records' own range checks (the model's bounds) are left out, and the documented domains are
    judged apart (`oracle.domains`). Every change must name a key of the records."""
    if type(changes) is tuple:  # immutable: the set it leaves is read once per proposal
        return _with_changes(params, changes)
    return _apply_changes(params, changes)


@remember_last(4)
def _with_changes(params: Params, changes: tuple[ParamChange, ...]) -> Params:
    return _apply_changes(params, changes)


def _apply_changes(params: Params, changes: Iterable[ParamChange]) -> Params:
    with attrs.validators.disabled():
        for change in changes:
            record = getattr(params, change.subspace)
            params = attrs.evolve(
                params, **{change.subspace: attrs.evolve(record, **{change.key: change.value})}
            )
    return params


# --- Votes (GOV-SUPERMAJORITY) -----------------------------------------------------------------


def bonded_by(staking: StakingState, account: AccountId) -> int:
    """§4.2: the STR `account` has bonded, to any validator (its self-bond included)."""
    return sum(
        amount for (delegator, _), amount in staking.delegations.items() if delegator == account
    )


def vote_weight(ledger: Ledger, staking: StakingState, voter: AccountId) -> int:
    """§6.8, §4.2: the part of a voter's weight that its ledger balance and its bonds show: its
    liquid STR plus the STR it has bonded. The whole weight also counts the STR it holds in a
    subcommittee, a node stake or an escrow (`voting_power`)."""
    held = ledger.balances.get(voter)
    return (0 if held is None else held.ustr) + bonded_by(staking, voter)


def tally(
    votes: Mapping[AccountId, VoteOption], ledger: Ledger, staking: StakingState
) -> dict[VoteOption, int]:
    """§6.8: the liquid and bonded STR behind each option (each voter's last vote counts once);
    `weigh` counts every STR a voter holds."""
    weights = dict.fromkeys(VoteOption, 0)
    for voter, option in votes.items():
        weights[option] += vote_weight(ledger, staking, voter)
    return weights


def has_supermajority(weights: Mapping[VoteOption, int], *, num: int, den: int) -> bool:
    """§6.4, §6.5: more than num/den of all STR votes cast (yes, no and abstain) are yes."""
    cast = sum(weights.values())
    return weights[VoteOption.YES] * den > num * cast


def changed_keys(before: Params, after: Params, keys: Iterable[tuple[str, str]]) -> list[str]:
    """The `subspace.key` names among `keys` whose value differs from `before` to `after`."""
    return [
        f"{subspace}.{key}"
        for subspace, key in keys
        if getattr(getattr(before, subspace), key) != getattr(getattr(after, subspace), key)
    ]


# --- Voting power: every STR votes (§6.8) ---------------------------------------------------------


def held_str(state: ChainState) -> dict[AccountId, int]:
    """§6.8: "each STR token represents one pro-rata vote", wherever the STR sits: the STR each
    account holds outside its liquid balance, by owner. Bonds count for their delegator (§4.2),
    subcommittee delegations for theirs, a node's stake for the node's account (§6.9), and an
    app's escrow, open or locked, for the app's developer (§4.3.1: the prepayment stays the
    developer's until a round pays it out)."""
    # A copy: the reading is shared by every call on the very same parts.
    return dict(
        _held_str(
            state.staking.delegations,
            state.governance.subcommittee_delegations,
            state.nodes,
            state.escrows.escrows,
            state.ledger,
        )
    )


# A function of the very parts it reads: the rules and checkers ask for it many times a step,
# mostly on a state whose bonds, stakes and escrows the step did not touch.
@remember_last(4)
def _held_str(
    delegations: PMap[tuple[AccountId, ValidatorId], int],
    subcommittee_delegations: PMap[tuple[AccountId, str], int],
    nodes: PMap[NodeId, NodeStake],
    escrows: PMap[AppId, AppEscrow],
    ledger: Ledger,
) -> dict[AccountId, int]:
    held: dict[AccountId, int] = {}

    def add(account: AccountId, amount: int) -> None:
        held[account] = held.get(account, 0) + amount

    for (delegator, _), amount in delegations.items():
        add(delegator, amount)
    for (delegator, _), amount in subcommittee_delegations.items():
        add(delegator, amount)
    for stake in nodes.values():
        add(stake.account, stake.ustr)
    for app, escrow in escrows.items():
        for account in (get_escrow_account(app), get_locked_escrow_account(app)):
            add(escrow.developer, ustr_of(ledger, account))
    return held


def voting_power(
    state: ChainState, voter: AccountId, held: Mapping[AccountId, int] | None = None
) -> int:
    """§6.8: a voter's STR votes: its liquid STR (a module pool or an escrow has no voter) and
    every STR it holds elsewhere (`held_str`)."""
    held = held_str(state) if held is None else held
    liquid = ustr_of(state.ledger, voter) if is_user_account(voter) else 0
    return liquid + held.get(voter, 0)


def total_voting_power(state: ChainState, held: Mapping[AccountId, int] | None = None) -> int:
    """§6.8: all STR votes: every user account's liquid STR and every STR held elsewhere. STR
    in a module pool that stands for nobody (rewards, reserve, the governance deposits) does not
    vote."""
    held = held_str(state) if held is None else held
    return _liquid_str(state.ledger.balances) + sum(held.values())


@remember_last(2)
def _liquid_str(balances: PMap[AccountId, Balance]) -> int:
    """Every user account's liquid STR."""
    return sum(record.ustr for account, record in balances.items() if is_user_account(account))


def weigh(
    votes: Mapping[AccountId, VoteOption],
    state: ChainState,
    held: Mapping[AccountId, int] | None = None,
) -> dict[VoteOption, int]:
    """§6.8: the STR votes behind each option, each voter's last vote counted once (`held`:
    `held_str(state)`, when the caller has it)."""
    held = held_str(state) if held is None else held
    weights = dict.fromkeys(VoteOption, 0)
    for voter, option in votes.items():
        weights[option] += voting_power(state, voter, held)
    return weights


# --- The vote a proposal needs (§6.4, §6.5, §6.8) ---------------------------------------------


@frozen
class Rule:
    """A parameter-change vote, every share an exact fraction of STR votes: the votes cast
    reach `quorum` of all votes (None: no quorum), no-with-veto is at most `veto` of the votes
    cast (None: no veto), and yes is more than `threshold` of the votes cast (abstentions left
    out of that base unless `counts_abstain`)."""

    name: str
    quorum: Fraction | None
    threshold: Fraction
    counts_abstain: bool
    veto: Fraction | None


def _exact(share: Share) -> Fraction:
    """A share of the constitution's table as an exact fraction (its `num` and `den` fields)."""
    return Fraction(share.num, share.den)


def _share(share: Share | None) -> Fraction | None:
    return None if share is None else _exact(share)


def governed_supermajority(params: Params) -> Fraction:
    """§6.4, §6.5: the governed supermajority, `supermajority_num / supermajority_den`."""
    gov = params.governance
    return Fraction(gov.supermajority_num, gov.supermajority_den)


def _key(change: ParamChange) -> str:
    return f"{change.subspace}.{change.key}"


def literal_rule(changes: Iterable[ParamChange], params: Params) -> Rule:
    """§6.8 as written: one STR one vote, no quorum, no veto; yes must outweigh no (a veto is a
    no); a change to a burn or network-support share (§6.4, §6.5) or to the supermajority itself
    needs yes above the governed supermajority of every vote cast, abstentions included."""
    protected = {f"{subspace}.{key}" for subspace, key in SUPERMAJORITY_KEYS}
    if any(_key(change) in protected for change in changes):
        return Rule(LITERAL_SUPERMAJORITY, None, governed_supermajority(params), True, None)
    return Rule(SIMPLE_MAJORITY, None, Fraction(1, 2), False, None)


def hardened_rule(changes: Iterable[ParamChange], params: Params) -> Rule:
    """The hardened constitution's vote for a parameter change, read off its table: each key's
    row names a vote rule; if any names a rule whose threshold is the governed supermajority
    (a threshold of None), that rule, else the rule of the keys (x/gov)."""
    votes = HARDENED_CONSTITUTION.votes
    names = [HARDENED_CONSTITUTION.rows[_key(change)].vote for change in changes]
    # An amendment key has no parameter-change rule (its tally is an amendment's): the
    # strictest rule stands in, so a chain tallying it as a parameter change is judged by it.
    rules = [votes[name] for name in names if name in votes] or list(votes.values())
    chosen = next((rule for rule in rules if rule.threshold is None), rules[0])
    threshold = _share(chosen.threshold) or governed_supermajority(params)
    return Rule(
        chosen.name, _share(chosen.quorum), threshold, chosen.counts_abstain, _share(chosen.veto)
    )


def parameter_rule(state: ChainState, changes: Iterable[ParamChange]) -> Rule:
    """§6.8: the vote a parameter change needs on `state`: the hardened table's where the
    profile enforces the constitution, else the literal text's."""
    reading = hardened_rule if state.profile.constitution_enforced else literal_rule
    return reading(changes, state.params)


def least_reaching(share: Fraction, total: int) -> int:
    """The fewest ustr that are at least `share` of `total` (a quorum reached at equality)."""
    return -(-share.numerator * total // share.denominator)


def most_not_over(share: Fraction, rest: int) -> int:
    """The most ustr x with x <= share * (x + rest): the largest yes (or veto) that is not more
    than `share` of a base holding it and `rest` (share < 1)."""
    exceed = share * rest / (1 - share)
    return exceed.numerator // exceed.denominator


def least_at_least(share: Fraction, rest: int) -> int:
    """The fewest ustr x with x >= share * (x + rest): the least yay at Tezos' supermajority of
    yay and `rest` nay (share < 1)."""
    need = share * rest / (1 - share)
    return -(-need.numerator // need.denominator)


def quorum_reached(cast: int, total: int, quorum: Fraction | None) -> bool:
    """x/gov: the votes cast reach the quorum's share of all votes (at equality too)."""
    return quorum is None or cast >= quorum * total


def is_vetoed(veto: int, cast: int, share: Fraction | None) -> bool:
    """x/gov: no-with-veto is more than the veto's share of the votes cast."""
    return share is not None and veto > share * cast


def threshold_met(yes: int, base: int, threshold: Fraction) -> bool:
    """Yes is more than the threshold's share of a base that holds some votes."""
    return base > 0 and yes > threshold * base


def threshold_base(weights: Mapping[VoteOption, int], rule: Rule) -> int:
    """The votes a threshold is a share of: every vote cast, or (x/gov) all but abstentions."""
    cast = sum(weights.values())
    return cast if rule.counts_abstain else cast - weights[VoteOption.ABSTAIN]


def rule_failure(
    weights: Mapping[VoteOption, int], total: int, rule: Rule
) -> tuple[str | None, bool]:
    """Why a parameter change's vote fails under `rule` (None: it carries), and whether the
    veto rejected it; x/gov's order: the quorum, then the veto, then the threshold."""
    yes, veto = weights[VoteOption.YES], weights[VoteOption.NO_WITH_VETO]
    cast = sum(weights.values())
    if not quorum_reached(cast, total, rule.quorum):
        return f"{cast} of {total} ustr cast, short of the quorum {rule.quorum}", False
    if is_vetoed(veto, cast, rule.veto):
        return f"{veto} of {cast} ustr cast vetoed, more than {rule.veto}", True
    base = threshold_base(weights, rule)
    if not threshold_met(yes, base, rule.threshold):
        return f"yes {yes} of {base} ustr is not more than {rule.threshold}", False
    return None, False


# --- Tezos' amendment periods (§6.8) ------------------------------------------------------------

NEXT_PHASE: Mapping[AmendmentPhase, AmendmentPhase | None] = {
    AmendmentPhase.PROPOSAL: AmendmentPhase.EXPLORATION,
    AmendmentPhase.EXPLORATION: AmendmentPhase.TESTING,
    AmendmentPhase.TESTING: AmendmentPhase.PROMOTION,
    AmendmentPhase.PROMOTION: None,
}
"""§6.8: "four steps of 90 days": proposal, exploration vote, testing, promotion vote."""

AMENDMENT_PERIOD_SECONDS = 90 * 86_400
"""§6.8: each of an amendment's four steps lasts 90 days."""

BALLOTS = frozenset({AmendmentPhase.EXPLORATION, AmendmentPhase.PROMOTION})
"""The two periods that hold a ballot (testing holds no vote; the proposal period upvotes)."""


def _bps(share: Fraction) -> int:
    return share.numerator * BPS // share.denominator


def amendment_quorum_bps(rule: AmendmentRule, ema_bps: int) -> int:
    """Tezos: a ballot's quorum in bps, quorum_min + ema x (quorum_max - quorum_min), each term
    counted in whole bps as Tezos counts them (rounded down)."""
    low, high = _bps(_exact(rule.quorum_min)), _bps(_exact(rule.quorum_max))
    return low + ema_bps * (high - low) // BPS


def next_ema_bps(rule: AmendmentRule, ema_bps: int, cast: int, total: int) -> int:
    """Tezos: a ballot moves the participation average `ema_weight` of the way to the ballot's
    participation, both in whole bps (rounded down)."""
    participation = cast * BPS // total if total else 0
    weight = _exact(rule.ema_weight)
    moved = ema_bps * (1 - weight) + participation * weight
    return moved.numerator // moved.denominator


def amendment_failure(
    rule: AmendmentRule,
    phase: AmendmentPhase,
    weights: Mapping[VoteOption, int],
    total: int,
    ema_bps: int,
) -> str | None:
    """Tezos' rule for leaving `phase` (None: the amendment moves on). The proposal period needs
    upvotes (yes) of at least the proposal quorum of all votes; testing holds no vote; a ballot
    needs participation (every vote cast) at least its quorum, and yay at least the
    supermajority of yay + nay."""
    yes, no = weights[VoteOption.YES], weights[VoteOption.NO]
    if phase is AmendmentPhase.PROPOSAL:
        quorum = _exact(rule.proposal_quorum)
        return None if yes >= quorum * total else f"upvotes {yes} of {total} ustr below {quorum}"
    if phase is AmendmentPhase.TESTING:
        return None
    cast = sum(weights.values())
    quorum_bps = amendment_quorum_bps(rule, ema_bps)
    if cast * BPS < quorum_bps * total:
        return f"participation {cast} of {total} ustr below {quorum_bps} bps"
    majority = _exact(rule.supermajority)
    if yes + no == 0 or yes < majority * (yes + no):
        return f"yay {yes} of yay and nay {yes + no} ustr below {majority}"
    return None


# --- The constitution's ranges (§6.8, docs/constitution.md) -------------------------------------


def constitution_problems(
    params: Params, constitution: Constitution = HARDENED_CONSTITUTION
) -> list[str]:
    """§6.8 as a constitution reads it: every key of `params` inside its row's range, each
    fraction two keys form in [least, 1). Each problem names the key, its value, the range, the
    process that changes the key and the row's reason."""
    return list(_constitution_problems(params, constitution))


@remember_last(4)
def _constitution_problems(params: Params, constitution: Constitution) -> tuple[str, ...]:
    return tuple(value_constitution_problems(param_values(params), constitution))


def value_constitution_problems(
    values: Mapping[str, int], constitution: Constitution = HARDENED_CONSTITUTION
) -> list[str]:
    """`constitution_problems` of a parameter set given as `subspace.key` -> value."""
    problems = []
    for name, row in constitution.rows.items():
        value = values.get(name)
        if value is not None and not row.minimum <= value <= row.maximum:
            problems.append(
                f"{name} = {value} is outside the constitution's range"
                f" {row.minimum}..{row.maximum} for the {row.process.value} process"
                f" ({row.reason})"
            )
    for bound in constitution.ratio_bounds:
        num, den = values.get(bound.num_key), values.get(bound.den_key)
        if num is None or den is None:
            continue
        least = _exact(bound.least)
        if den <= 0 or Fraction(num, den) < least or num >= den:
            problems.append(
                f"{bound.num_key} / {bound.den_key} = {num}/{den} is outside the constitution's"
                f" range [{least}, 1) for the {_process_of(bound.num_key).value} process"
                f" (§{bound.section}: {bound.reason})"
            )
    return problems


_last_values: list[tuple[Params, dict[str, int]]] = []
"""The last parameter set read into values, and its values: a sweep asks about many proposals
on one set."""


def _values_with(params: Params, changes: Iterable[ParamChange]) -> dict[str, int]:
    """§6.8: the values a proposal leaves, `params`' keys with each change's value over them."""
    if not _last_values or _last_values[0][0] is not params:
        _last_values[:] = [(params, param_values(params))]
    values = dict(_last_values[0][1])
    values.update({_key(change): change.value for change in changes})
    return values


def _process_of(name: str) -> Process:
    row = HARDENED_CONSTITUTION.rows.get(name)
    return Process.PARAMETER_CHANGE if row is None else row.process


def proposal_process(state: ChainState, changes: Iterable[ParamChange]) -> Process | None:
    """§6.8: the process a proposal follows. Hardened: the amendment iff its keys are protocol
    constants, and None (refused) if it mixes them with parameter-change keys. Literal: the text
    lets any key change by one vote, so every proposal is a parameter change."""
    if not state.profile.constitution_enforced:
        return Process.PARAMETER_CHANGE
    return _hardened_process(changes)


def _hardened_process(changes: Iterable[ParamChange]) -> Process | None:
    processes = {_process_of(_key(change)) for change in changes}
    if len(processes) > 1:
        return None
    return processes.pop() if processes else Process.PARAMETER_CHANGE


def submission_problems(state: ChainState, changes: tuple[ParamChange, ...]) -> list[str]:
    """§6.8: the constitution's reasons to refuse a proposal of known keys with in-domain values
    (an unknown key or out-of-domain value is `value_problem`'s): hardened, a proposal mixing
    amendment keys with parameter-change keys, and a changed set outside the constitution's
    ranges (naming key, range and process); the literal text has none beyond the domains."""
    if not state.profile.constitution_enforced or not changes:
        return []
    if type(changes) is tuple:  # immutable: read once per proposal and parameter set
        return list(_hardened_submission_problems(state.params, changes))
    return list(_submission_problems(state.params, changes))


@remember_last(4)
def _hardened_submission_problems(
    params: Params, changes: tuple[ParamChange, ...]
) -> tuple[str, ...]:
    return _submission_problems(params, changes)


def _submission_problems(params: Params, changes: Iterable[ParamChange]) -> tuple[str, ...]:
    """`submission_problems` under the hardened constitution."""
    if any(value_problem(_key(change), change.value) for change in changes):
        return ()
    problems = []
    if _hardened_process(changes) is None:
        amended = sorted(_key(c) for c in changes if _process_of(_key(c)) is Process.AMENDMENT)
        problems.append(
            f"{amended[0]} changes only by the amendment process, and the proposal mixes it"
            " with parameter-change keys"
        )
    return (*problems, *value_constitution_problems(_values_with(params, changes)))


def adoption_refusal(state: ChainState, changes: tuple[ParamChange, ...]) -> str | None:
    """Hardened §6.8: why a proposal whose vote carried may not be adopted on the parameters of
    the tally (another proposal may have passed since): it leaves the constitution, or (where the
    profile checks coherence) the shares no longer add up."""
    if any(value_problem(_key(change), change.value) for change in changes):
        return None  # not a documented key and value: submission refuses it
    changed = with_changes(state.params, changes)
    problems = constitution_problems(changed) if state.profile.constitution_enforced else []
    if state.profile.governance_checks_coherence:
        problems += [f"{i.rule}: {i.message}" for i in incoherences(changed)]
    return "; ".join(problems) or None


# --- A tally, read from the constitution (§6.8) -------------------------------------------------


@frozen
class TallyReading:
    """What a tally of a proposal must do, by the constitution's reading."""

    weights: Mapping[VoteOption, int]
    total: int
    """All STR votes at the tally: the quorum's base."""
    rule: str
    """The vote rule's name, or "amendment <phase>"."""
    failure: str | None
    """Why the vote does not carry (None: it carries, or an amendment moves on)."""
    vetoed: bool
    next_phase: AmendmentPhase | None
    """An amendment that moves on: the period it enters."""
    ema_bps: int
    """Tezos' participation average after the tally."""
    refusal: str | None
    """A carried vote that may not be adopted (hardened): why."""
    absent: frozenset[AccountId]
    """§6.8: the active validators' operators that did not vote on a core change."""
    supermajority_required: bool

    @property
    def ends(self) -> bool:
        """The proposal's last tally: its deposit is settled and its result recorded."""
        return self.next_phase is None

    @property
    def adopts(self) -> bool:
        """The changes are applied: the last vote carried and nothing refused them."""
        return self.ends and self.failure is None and self.refusal is None


def read_tally(state: ChainState, proposal: Proposal) -> TallyReading:
    """§6.8: the tally of `proposal` on `state`, the chain before it. Every STR votes; a
    parameter change (or any proposal, literally read) passes by its rule; a hardened amendment
    moves through Tezos' periods, each tally closing one, and is adopted after its promotion
    vote; a carried vote is adopted unless (hardened) the changed set leaves the constitution or
    its shares no longer add up."""
    held = held_str(state)
    weights = weigh(proposal.votes, state, held)
    total = total_voting_power(state, held)
    gov = state.governance
    ema = gov.participation_ema_bps
    amendment = HARDENED_CONSTITUTION.amendment
    next_phase: AmendmentPhase | None = None
    vetoed = False
    if proposal.phase is not None and state.profile.constitution_enforced and amendment:
        rule_name = f"amendment {proposal.phase.value}"
        failure = amendment_failure(amendment, proposal.phase, weights, total, ema)
        if proposal.phase in BALLOTS:
            ema = next_ema_bps(amendment, ema, sum(weights.values()), total)
        next_phase = NEXT_PHASE[proposal.phase] if failure is None else None
    else:
        rule = parameter_rule(state, proposal.changes)
        rule_name = rule.name
        failure, vetoed = rule_failure(weights, total, rule)
    carried = failure is None and next_phase is None
    core = any(_key(change) in CORE_KEYS for change in proposal.changes)
    operators = get_active_operators(state.staking, state.params) if core else ()
    protected = {f"{subspace}.{key}" for subspace, key in SUPERMAJORITY_KEYS}
    return TallyReading(
        weights=weights,
        total=total,
        rule=rule_name,
        failure=failure,
        vetoed=vetoed,
        next_phase=next_phase,
        ema_bps=ema,
        refusal=adoption_refusal(state, proposal.changes) if carried else None,
        absent=frozenset(op for op in operators if op not in proposal.votes),
        supermajority_required=any(_key(c) in protected for c in proposal.changes),
    )
