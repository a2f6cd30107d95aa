"""The boundary states the whole-chain machine must reach, and how each step is recognised as one.

A property checked only away from its edges proves little: each `Boundary` names one edge (a
step exactly on a deadline, a vote exactly at its threshold, a cast the active set cuts) and the
invariants it is evidence for. `EdgeTracker` recognises them on every step, applied or refused;
an invariant one of whose boundaries no step reached is VACUOUS, never a pass
(`properties.runner`). Whether a step is on an edge is judged by the oracle's readings of the raw
state (balances, bonds, delegation records, votes, the clock) and the tracker's own memory of
what earlier steps did (slashes, the start of each app's active use), never by the model's
derived quantities: a model that misreads the supply or the active set would otherwise move
the edge with its bug and still count it as reached.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction

from attrs import evolve, field, frozen

from model.chain.actions import (
    Action,
    CastVote,
    CommitBlock,
    Delegate,
    DelegateToSubcommittee,
    DepositUsdc,
    Equivocate,
    GrantNetworkSupport,
    MintInflation,
    OutboundRequest,
    Prepay,
    RedeemStb,
    RoundEffect,
    RunRound,
    SlashEffect,
    SlashValidator,
    SubmitProposal,
    Tally,
    TallyEffect,
    Transfer,
    Undelegate,
    UndelegateFromSubcommittee,
)
from model.chain.state import ChainState, Genesis
from model.constitution import HARDENED_CONSTITUTION, AmendmentRule
from model.governance import NETWORK_SUPPORT_COMMITTEE, AmendmentPhase, Proposal, VoteOption
from model.ledger import MODULE_ACCOUNTS, get_escrow_account
from model.params import ParamSpec, param_specs
from model.trusted.behaviour import Behaviour
from model.units import BPS_DENOMINATOR, MICRO, SECONDS_PER_MINUTE, SECONDS_PER_YEAR, AppId
from oracle.committees import delegated_to
from oracle.defaults import WHITEPAPER_DEFAULTS
from oracle.domains import DOMAINS, param_values
from oracle.governance import (
    SUPERMAJORITY_KEYS,
    amendment_quorum_bps,
    held_str,
    is_vetoed,
    parameter_rule,
    quorum_reached,
    threshold_met,
    total_voting_power,
    weigh,
)
from oracle.ledger import balance, is_escrow_account, str_circulating
from oracle.persistent import remember_last
from oracle.reputation import first_active
from oracle.staking import active_set, validator_stakes
from properties.invariants.market import get_market_edges
from properties.invariants.price import PRICE_EDGES, get_price_edges

SIDES = ("before", "on", "after")
"""A clock step one second before, exactly on, and one second after a deadline."""
LEVELS = ("below", "on", "above")
"""A quantity one unit below, exactly at, and one unit above a threshold."""


@frozen
class Boundary:
    """One edge state: where the whitepaper puts it, and the invariants it is evidence for."""

    name: str
    section: str
    invariants: tuple[str, ...]
    meaning: str
    unreachable: str = ""
    """Why no action of the chain can reach it (a finding): such a boundary is reported, never
    counted against its invariants, and a test keeps it unreached until the chain changes."""


def _three(
    prefix: str, words: tuple[str, str, str], section: str, ids: tuple[str, ...], meaning: str
) -> tuple[Boundary, ...]:
    return tuple(
        Boundary(f"{prefix}.{word}", section, ids, f"{meaning} ({word})") for word in words
    )


_VOTES = ("GOV-SUPERMAJORITY", "GOV-PARAMS")
_CONSTITUTION = ("GOV-SAFE", "GOV-PARAMS")

CONSTITUTION_EDGES: tuple[str, ...] = ("below-minimum", "minimum", "maximum", "above-maximum")
"""Where a proposed value sits against its key's range in the hardened constitution."""

RATIO_EDGES: dict[str, str] = {
    "below-least": "one below its least share (num/den < least by one of num)",
    "least": "at its least share exactly, or the least num above it",
    "below-one": "one below one (num = den - 1)",
    "one": "at one (num = den), which no threshold may be",
}
"""Where a proposed fraction of two keys sits against its bound [least, 1)."""
_ROUNDS = ("CR-PHASES", "BFT-TIMEOUT")

BOUNDARIES: tuple[Boundary, ...] = (
    # Casts drawn at genesis and reshaped by governance.
    Boundary(
        "cast.active-set-cut",
        "4.2",
        ("BFT-UNIQUE", "BFT-ACCOUNTABLE"),
        "a block commit or double sign while more validators hold stake than max_validators",
    ),
    Boundary(
        "cast.active-set-tie",
        "4.2",
        ("BFT-UNIQUE",),
        "a block commit where the last validator in the active set and the first one cut hold"
        " equal stake",
    ),
    *_three(
        "commit-power",
        LEVELS,
        "4.2",
        ("BFT-UNIQUE",),
        "block signers' active power within one ustr of the consensus threshold of the total",
    ),
    Boundary(
        "account.module-named",
        "6.2",
        ("CONS-STR", "ESCROW-SOLVENT"),
        "a transfer, redemption, deposit, grant or delegation names a module account",
    ),
    Boundary(
        "account.escrow-named",
        "4.3.1, 6.2",
        ("CONS-STR", "ESCROW-SOLVENT"),
        "a transfer, redemption, deposit, grant or delegation names an app's escrow account",
    ),
    Boundary(
        "escrow.price-moved",
        "4.3.1, 6.3.3",
        ("CONS-SPLIT", "PAY-COST"),
        "a round settled from an escrow whose STR was prepaid at two or more prices",
    ),
    *(
        Boundary(name, "4.3.1, 6.3.3, 6.6", invariants, meaning)
        for name, invariants, meaning in PRICE_EDGES
    ),
    # Clock steps on every deadline.
    *_three("commit-timeout", SIDES, "3.2 F5", _ROUNDS, "a commit at the commit timeout's second"),
    *_three("reveal-timeout", SIDES, "3.2 F7", _ROUNDS, "a reveal at the reveal timeout's second"),
    *_three("voting-end.vote", SIDES, "6.8", _VOTES, "a vote cast at the voting period's end"),
    *_three("voting-end.tally", SIDES, "6.8", _VOTES, "a tally at the voting period's end"),
    *_three(
        "slash-window",
        SIDES,
        "6.10",
        ("SLASH-DECAY", "SLASH-DOUBLING"),
        "a repeat slash one slash window after the last",
    ),
    *_three("inflation-year", SIDES, "6.9", ("SUP-INFLATION",), "a mint at a year since genesis"),
    *_three(
        "outbound-minute",
        SIDES,
        "4.5",
        ("REP-OUTBOUND",),
        "a capped app's request a minute after the oldest of its last cap requests",
    ),
    *_three(
        "outbound-stake",
        LEVELS,
        "4.5",
        ("REP-OUTBOUND",),
        "a request of an app whose stake is worth within one ustr of the exemption's USD",
    ),
    *_three(
        "outbound-active",
        SIDES,
        "4.5",
        ("REP-OUTBOUND",),
        "a request of a closed, unstaked app six months after its active use began",
    ),
    # Vote mixes at and around each threshold.
    *_three(
        "supermajority",
        LEVELS,
        "6.4, 6.5, 6.8",
        ("GOV-SUPERMAJORITY",),
        "a supermajority tally whose YES weight is within one ustr of num/den of all votes",
    ),
    Boundary(
        "supermajority.abstain-decides",
        "6.8",
        ("GOV-SUPERMAJORITY",),
        "a supermajority tally YES clears against YES + NO but not once ABSTAIN is counted",
    ),
    *_three(
        "majority",
        LEVELS,
        "6.8",
        ("GOV-PARAMS",),
        "a simple-majority tally with YES within one ustr of NO, ABSTAIN cast",
    ),
    *_three(
        "subcommittee",
        LEVELS,
        "6.8",
        ("GOV-SUBCOMMITTEE",),
        "a subcommittee's delegated STR within one ustr of its activation share",
    ),
    *_three(
        "grant-at-activation",
        LEVELS,
        "6.5, 6.8",
        ("GOV-SUBCOMMITTEE",),
        "a Network Support grant while its committee's delegated STR is within one ustr of the"
        " activation share",
    ),
    *_three(
        "round-threshold",
        LEVELS,
        "3.3 F10",
        ("BFT-SOUND", "PAY-ONLY-MAJORITY", "BFT-TIMEOUT"),
        "a round whose largest agreeing group is one node from the threshold of its nodes",
    ),
    *_three(
        "validation-floor",
        LEVELS,
        "4.4",
        ("VAL-PAY",),
        "a round's validation prefund within one ustr of its subscribers times a floor above"
        " one ustr (one short: fewer are paid, chosen by the draw)",
    ),
    *_three(
        "external-payout",
        LEVELS,
        "4.4",
        ("PAY-EXTERNAL",),
        "an outbound request made by a node while the app's escrow holds within one ustb of the"
        " base payout per external request",
    ),
    # Proposals over every governable key, at its domain's bounds and around its default.
    *(
        Boundary(f"proposal.key.{spec.name}", spec.section, ("GOV-PARAMS",), spec.meaning)
        for spec in param_specs()
    ),
    *(
        Boundary(f"proposal.value.{kind}", "6.8", ("GOV-PARAMS",), f"a proposed value at {kind}")
        for kind in ("minimum", "maximum", "default-1", "default+1")
    ),
    # The constitution: each key at and one past its range, each fraction at its bounds.
    *(
        Boundary(
            f"constitution.{kind}",
            "6.8",
            _CONSTITUTION,
            f"a proposed value {kind.replace('-', ' ')} of its key's range in the hardened"
            " constitution",
        )
        for kind in CONSTITUTION_EDGES
    ),
    *(
        Boundary(
            f"constitution.ratio.{kind}",
            "3.3, 6.4, 6.8",
            _CONSTITUTION,
            f"a proposed fraction of two keys {meaning}",
        )
        for kind, meaning in RATIO_EDGES.items()
    ),
    Boundary(
        "constitution.mixed-processes",
        "6.8",
        _CONSTITUTION,
        "a proposal changing an amendment key and a parameter-change key together",
    ),
    # The constitution's votes at their edges (§6.8, x/gov; the literal text has no quorum).
    Boundary(
        "quorum.below",
        "6.8",
        ("GOV-SAFE",),
        "a parameter-change tally whose votes cast are one ustr short of the quorum",
    ),
    Boundary(
        "quorum.on",
        "6.8",
        ("GOV-SAFE",),
        "a parameter-change tally whose votes cast reach the quorum exactly",
    ),
    Boundary(
        "threshold.on",
        "6.8",
        ("GOV-SAFE",),
        "a parameter-change tally whose yes is exactly at its threshold, not over it",
    ),
    Boundary(
        "threshold.above",
        "6.8",
        ("GOV-SAFE",),
        "a parameter-change tally whose yes is one ustr over its threshold",
    ),
    Boundary(
        "veto.on",
        "6.8",
        ("GOV-SAFE",),
        "a parameter-change tally whose no-with-veto is exactly at the veto share, not over it",
    ),
    Boundary(
        "veto.above",
        "6.8",
        ("GOV-SAFE",),
        "a parameter-change tally whose no-with-veto is one ustr over the veto share",
    ),
    # Stratoswap (§6.6, §6.7): limits on the curve's payout, an emptied pool, order depths.
    Boundary(
        "market.swap-limit.on",
        "6.6",
        ("ACT-TRANSFER",),
        "a market order whose limit is exactly what the curve pays",
    ),
    Boundary(
        "market.swap-limit.above",
        "6.6",
        ("ACT-TRANSFER",),
        "a market order whose limit is one unit over what the curve pays",
    ),
    Boundary(
        "market.pool-emptied",
        "6.6",
        ("ACT-TRANSFER",),
        "a redemption of every share of the pool",
    ),
    Boundary(
        "market.reserve-order.shallow",
        "6.7",
        ("PAY-BURN-MARKET",),
        "the swap reserve's order against a pool holding no more STB than the order",
    ),
    Boundary(
        "market.reserve-order.deep",
        "6.7",
        ("PAY-BURN-MARKET",),
        "the swap reserve's order against a pool at least a thousand times the order deep",
    ),
    # Tezos' amendment periods (§6.8, hardened).
    *(
        Boundary(f"amendment.{name}", "6.8", ("GOV-SAFE",), meaning)
        for name, meaning in (
            ("upvotes.below", "an amendment's upvotes one ustr short of the proposal quorum"),
            ("upvotes.on", "an amendment's upvotes exactly at the proposal quorum"),
            ("participation.below", "a ballot's participation one ustr short of its quorum"),
            ("participation.on", "a ballot's participation exactly at its quorum"),
            ("yay.below", "a ballot's yay one ustr short of 80% of yay and nay"),
            ("yay.on", "a ballot's yay exactly at 80% of yay and nay"),
            ("testing", "an amendment's testing period tallied (no vote)"),
            ("adopted", "an amendment adopted after its promotion ballot"),
        )
    ),
)
"""Every boundary, in report order."""

BY_NAME: dict[str, Boundary] = {boundary.name: boundary for boundary in BOUNDARIES}


def get_boundaries_of(invariant_id: str) -> tuple[Boundary, ...]:
    """The reachable boundaries that are evidence for `invariant_id`."""
    return tuple(b for b in BOUNDARIES if invariant_id in b.invariants and not b.unreachable)


def _side(delta: int, words: tuple[str, str, str] = SIDES) -> str | None:
    return {-1: words[0], 0: words[1], 1: words[2]}.get(delta)


def _level(excess: int, step: int) -> str | None:
    """`excess` = quantity * den - num * total; `step` = what one unit more adds to it."""
    if excess == 0:
        return "on"
    if 0 < excess <= step:
        return "above"
    if -step <= excess < 0:
        return "below"
    return None


def _validation_floor(action: Action, effect: RoundEffect) -> Iterator[str]:
    """§4.4: a prefund one ustr below, at or above subscribers x floor, the floor above one ustr
    (at one ustr, prefund // subscribers and prefund - subscribers agree on the count)."""
    floor = effect.params.payment.validation_floor_ustr
    if not isinstance(action, RunRound) or effect.outcome is None or floor <= 1:
        return
    subscribers = len(effect.outcome.validators)
    if action.validation_prefund_ustr > 0 and subscribers > 0:
        level = _level(action.validation_prefund_ustr - subscribers * floor, 1)
        if level is not None:
            yield f"validation-floor.{level}"


def _named_accounts(action: Action) -> tuple[str, ...]:
    match action:
        case Transfer():
            return (action.sender, action.recipient)
        case RedeemStb():
            return (action.holder,)
        case DepositUsdc() | GrantNetworkSupport():
            return (action.recipient,)
        case Delegate() | Undelegate() | DelegateToSubcommittee() | UndelegateFromSubcommittee():
            return (action.delegator,)
    return ()


@frozen(eq=False)
class EdgeMemory:
    """What an example's steps so far left the tracker to remember, never changed in place: a
    step that changes it makes a new one, so a memory is named by its identity (the step memo,
    `properties.step_memo`, keeps the boundaries a step reached by the memory it started from)."""

    prices: Mapping[AppId, frozenset[Fraction]] = field(factory=dict)
    """App -> the prices its escrow's STR was prepaid at, by steps."""
    last_slash: Mapping[str, int] = field(factory=dict)
    """Offender -> the time of its last slash, from the slashes steps made."""
    first_active: Mapping[AppId, int] = field(factory=dict)
    """App -> when its active use began: the decision time of its first settled round
    (`oracle.reputation.first_active`, docs/model.md "Active use")."""


EMPTY_MEMORY = EdgeMemory()
"""Every example's memory at its genesis: one object, so equal examples share their steps'."""


class EdgeTracker:
    """One example's memory of what boundaries need beyond a single step: prepayment prices,
    each offender's last slash (§6.10) and when each app's active use began (§4.5)."""

    def __init__(self, genesis: Genesis) -> None:
        self.memory = EMPTY_MEMORY
        if genesis.prepay_ustr and genesis.price is not None:
            self.genesis_price: Fraction | None = genesis.price
        else:
            self.genesis_price = None

    def reached(
        self,
        before: ChainState,
        action: Action,
        after: ChainState | None,
        effects: tuple[object, ...],
    ) -> Counter[str]:
        """The boundaries the step from `before` by `action` reached (`after` None: refused)."""
        found = list(self._reached(before, action, after, effects))
        # Most steps are on no edge: an empty count is built without counting.
        return Counter(found) if found else Counter()

    def _reached(
        self,
        before: ChainState,
        action: Action,
        after: ChainState | None,
        effects: tuple[object, ...],
    ) -> Iterator[str]:
        for account in _named_accounts(action):
            if account in MODULE_ACCOUNTS:
                yield "account.module-named"
            elif is_escrow_account(account):
                yield "account.escrow-named"
        yield from self._by_action(before, action)
        yield from get_market_edges(before, action, applied=after is not None)
        yield from get_price_edges(before, action, effects if after is not None else ())
        if isinstance(action, OutboundRequest) and action.node is not None:
            payout = before.params.market.external_request_payout_ustb
            held = balance(before.ledger, get_escrow_account(action.app)).ustb
            level = _level(held - payout, 1)
            if level is not None:
                yield f"external-payout.{level}"
        if isinstance(action, GrantNetworkSupport):
            level = _activation_level(before, NETWORK_SUPPORT_COMMITTEE)
            if level is not None:
                yield f"grant-at-activation.{level}"
        if (
            isinstance(action, Prepay)
            and after is not None
            and action.ustr > 0
            and action.price is not None
        ):
            prices = self.memory.prices
            seen = prices.get(action.app, frozenset())
            if action.price not in seen:
                changed = {**prices, action.app: seen | {action.price}}
                self.memory = evolve(self.memory, prices=changed)
        if after is not None:
            yield from self._effects(before, after, action, effects)

    def _effects(
        self, before: ChainState, after: ChainState, action: Action, effects: tuple[object, ...]
    ) -> Iterator[str]:
        for effect in effects:
            if isinstance(effect, RoundEffect):
                yield from self._round(effect)
                yield from _validation_floor(action, effect)
                app = effect.run.scenario.app
                began = self.memory.first_active
                since = first_active(began.get(app), settled_at=effect.run.decided_at)
                if since is not None and began.get(app) != since:
                    self.memory = evolve(self.memory, first_active={**began, app: since})
            elif isinstance(effect, TallyEffect):
                yield from _tally(before, effect)
                if effect.proposal.phase is AmendmentPhase.PROMOTION and effect.result.passed:
                    yield "amendment.adopted"
            elif isinstance(effect, SlashEffect):
                slashed = self.memory.last_slash
                if slashed.get(effect.offender) != effect.time:
                    changed_slashes = {**slashed, effect.offender: effect.time}
                    self.memory = evolve(self.memory, last_slash=changed_slashes)
        if isinstance(action, (DelegateToSubcommittee, UndelegateFromSubcommittee, MintInflation)):
            yield from _subcommittees(after)

    def _round(self, effect: RoundEffect) -> Iterator[str]:
        run, params = effect.run, effect.params
        app = run.scenario.app
        prices = set(self.memory.prices.get(app, frozenset()))
        if self.genesis_price is not None:
            prices.add(self.genesis_price)
        if effect.outcome is not None and len(prices) >= 2:
            yield "escrow.price-moved"
        state, t0 = run.state, run.scenario.start
        # When each node tried to commit, as model.trusted.scenario schedules it: one second
        # after opening, copiers a second later, late committers just past the timeout.
        commit_timeout = params.consensus.commit_timeout_seconds
        for plan in run.scenario.plans:
            if plan.node in state.abstentions or plan.behaviour is Behaviour.NO_COMMIT:
                continue
            at = {
                Behaviour.LATE_COMMIT: t0 + commit_timeout + 1,
                Behaviour.COPY_COMMIT: t0 + 2,
            }.get(plan.behaviour, t0 + 1)
            side = _side(at - t0 - commit_timeout)
            if side is not None:
                yield f"commit-timeout.{side}"
        if state.reveal_opened_at is not None:
            reveal_timeout = params.consensus.reveal_timeout_seconds
            times = [reveal.revealed_at for reveal in state.reveals.values()]
            times += [a.time for a in run.refused if a.refusal.rule == "process_reveal"]
            for at in times:
                side = _side(at - state.reveal_opened_at - reveal_timeout)
                if side is not None:
                    yield f"reveal-timeout.{side}"
        decision = state.decision
        if decision is not None and decision.base > 0 and not decision.app_withheld_salts:
            groups = Counter(state.reveals[node].output_hash for node in decision.counted)
            agree = max(groups.values(), default=0)
            num, den = params.consensus.threshold_num, params.consensus.threshold_den
            level = _level(agree * den - num * decision.base, den)
            if level is not None:
                yield f"round-threshold.{level}"

    def _by_action(self, before: ChainState, action: Action) -> Iterator[str]:
        match action:
            case CommitBlock() | Equivocate():
                yield from _active_set(before, action)
            case CastVote() | Tally():
                proposal = before.governance.proposals.get(action.proposal_id)
                if proposal is not None and proposal.result is None:
                    kind = "vote" if isinstance(action, CastVote) else "tally"
                    side = _side(before.now - proposal.voting_end)
                    if side is not None:
                        yield f"voting-end.{kind}.{side}"
            case SlashValidator():
                last = self.memory.last_slash.get(f"validator:{action.validator}")
                if last is not None:
                    window = before.params.slashing.slash_window_seconds
                    side = _side(before.now - last - window)
                    if side is not None:
                        yield f"slash-window.{side}"
            case MintInflation():
                age = before.now - before.supply.genesis_time
                if age >= SECONDS_PER_YEAR - 1:
                    side = _side((age + 1) % SECONDS_PER_YEAR - 1)
                    if side is not None:
                        yield f"inflation-year.{side}"
            case OutboundRequest():
                yield from _outbound(before, action, self.memory.first_active.get(action.app))
            case SubmitProposal():
                yield from _proposal(action)
                yield from _constitution(before, action)


def _active_set(before: ChainState, action: CommitBlock | Equivocate) -> Iterator[str]:
    stakes = validator_stakes(before.staking)
    params = before.params
    # Jailed and tombstoned validators hold stake but no seat (§6.10).
    barred = set(before.staking.jailed) | before.staking.tombstoned
    ranked = sorted((s for v, s in stakes.items() if s > 0 and v not in barred), reverse=True)
    size = params.consensus.max_validators
    if len(ranked) > size:
        yield "cast.active-set-cut"
        if isinstance(action, CommitBlock) and ranked[size - 1] == ranked[size]:
            yield "cast.active-set-tie"
    if isinstance(action, CommitBlock):
        active = set(active_set(before.staking, max_validators=size))
        total = sum(stakes[v] for v in active)
        power = sum(stakes[v] for v in action.signers if v in active)
        num, den = params.consensus.threshold_num, params.consensus.threshold_den
        if total:
            level = _level(power * den - num * total, den)
            if level is not None:
                yield f"commit-power.{level}"


def _outbound(before: ChainState, action: OutboundRequest, since: int | None) -> Iterator[str]:
    """§4.5: `since` is when the app's active use began, by the tracker's memory."""
    record = before.reputation.apps.get(action.app)
    reputation = before.params.reputation
    if record is not None and record.open_source:
        return
    staked = record.staked_ustr if record is not None else 0
    log = record.outbound_log if record is not None else ()
    worth = staked * action.price
    threshold = reputation.uncapped_min_stake_usd * MICRO
    if action.price > 0:
        # The stake within one ustr of the threshold: one ustr more or less crosses it.
        if worth == threshold:
            yield "outbound-stake.on"
        elif threshold < worth <= threshold + action.price:
            yield "outbound-stake.above"
        elif threshold - action.price <= worth < threshold:
            yield "outbound-stake.below"
    if since is not None and worth <= threshold:
        side = _side(before.now - since - reputation.uncapped_min_active_seconds)
        if side is not None:
            yield f"outbound-active.{side}"
    cap = reputation.outbound_requests_per_minute
    if worth <= threshold and 0 < cap <= len(log):
        side = _side(before.now - log[-cap] - SECONDS_PER_MINUTE)
        if side is not None:
            yield f"outbound-minute.{side}"


def _constitution(before: ChainState, action: SubmitProposal) -> Iterator[str]:
    """§6.8: where the proposed values sit against the hardened constitution's ranges and the
    bounds of its fractions, read from its table as data."""
    rows = HARDENED_CONSTITUTION.rows
    proposed: dict[str, int] = {}
    for change in action.changes:
        name = f"{change.subspace}.{change.key}"
        row = rows.get(name)
        if row is None or not isinstance(change.value, int):
            continue
        proposed[name] = change.value
        edges = {
            row.minimum - 1: ("below-minimum",),
            row.maximum + 1: ("above-maximum",),
            row.minimum: ("minimum",),
        }
        edges[row.maximum] = (*edges.get(row.maximum, ()), "maximum")
        for kind in edges.get(change.value, ()):
            yield f"constitution.{kind}"
    if len({rows[name].process for name in proposed}) > 1:
        yield "constitution.mixed-processes"
    for bound in HARDENED_CONSTITUTION.ratio_bounds:
        if bound.num_key not in proposed and bound.den_key not in proposed:
            continue
        values = param_values(before.params) | proposed
        num, den = values[bound.num_key], values[bound.den_key]
        least = Fraction(bound.least.num, bound.least.den)
        if den <= 0:
            continue
        smallest = -(-least.numerator * den // least.denominator)
        kinds = {"below-least": smallest - 1, "least": smallest, "below-one": den - 1, "one": den}
        for kind, at in kinds.items():
            if num == at:
                yield f"constitution.ratio.{kind}"


@remember_last(1)
def _specs_by_key(specs: tuple[ParamSpec, ...]) -> dict[tuple[str, str], ParamSpec]:
    """The catalogue of governable keys by (subspace, key), built once per catalogue."""
    return {(spec.subspace, spec.key): spec for spec in specs}


def _proposal(action: SubmitProposal) -> Iterator[str]:
    specs = _specs_by_key(param_specs())
    for change in action.changes:
        spec = specs.get((change.subspace, change.key))
        if spec is None:
            continue
        yield f"proposal.key.{spec.name}"
        # The bounds and the default as docs/model.md and the whitepaper give them (the
        # oracle's tables), not as the model's own table has them.
        name = f"{change.subspace}.{change.key}"
        domain, default = DOMAINS.get(name), WHITEPAPER_DEFAULTS.get(name)
        if domain is None or default is None:
            continue
        kinds = {
            domain.minimum: "minimum",
            domain.maximum: "maximum",
            default.value - 1: "default-1",
            default.value + 1: "default+1",
        }
        if change.value in kinds:
            yield f"proposal.value.{kinds[change.value]}"


def _tally(before: ChainState, effect: TallyEffect) -> Iterator[str]:
    """§6.4, §6.8: the weights behind each option and whether a supermajority is needed, read
    by the oracle from the votes and the STR each voter holds before the tally."""
    recorded = before.governance.proposals.get(effect.proposal.proposal_id)
    proposal = effect.proposal if recorded is None else recorded
    held = held_str(before)
    weights = weigh(proposal.votes, before, held)
    yield from _constitution_votes(before, proposal, weights, total_voting_power(before, held))
    yes, no, abstain = (weights[o] for o in (VoteOption.YES, VoteOption.NO, VoteOption.ABSTAIN))
    keys = {(change.subspace, change.key) for change in proposal.changes}
    if keys & set(SUPERMAJORITY_KEYS):
        gov = before.params.governance
        num, den = gov.supermajority_num, gov.supermajority_den
        level = _level(yes * den - num * (yes + no + abstain), den)
        if level is not None:
            yield f"supermajority.{level}"
        if abstain and yes * den > num * (yes + no) and not yes * den > num * (yes + no + abstain):
            yield "supermajority.abstain-decides"
    elif abstain:
        level = _level(yes - no, 1)
        if level is not None:
            yield f"majority.{level}"


def _crossing(passes: Callable[[int], bool], amount: int) -> str | None:
    """Where `amount` sits against the least amount that `passes` (a monotone test): exactly
    the least ("least"), one below it ("short"), or the most that still fails ("last")."""
    if passes(amount) and not passes(amount - 1):
        return "least"
    if not passes(amount) and passes(amount + 1):
        return "short"
    return None


def _constitution_votes(
    before: ChainState, proposal: Proposal, weights: Mapping[VoteOption, int], total: int
) -> Iterator[str]:
    """§6.8: where a tally's weights sit against its rule's quorum, threshold and veto (a
    parameter change), or Tezos' quorums and 80% (an amendment), each moved by one ustr of the
    option that decides it, the others held; read by the oracle from the constitution
    (`total`: all STR votes)."""
    yes, no = weights[VoteOption.YES], weights[VoteOption.NO]
    abstain, veto = weights[VoteOption.ABSTAIN], weights[VoteOption.NO_WITH_VETO]
    cast = yes + no + abstain + veto
    amendment = HARDENED_CONSTITUTION.amendment
    if proposal.phase is not None and before.profile.constitution_enforced and amendment:
        yield from _amendment_votes(before, proposal.phase, amendment, weights, total)
        return
    rule = parameter_rule(before, proposal.changes)
    if rule.quorum is not None:
        quorum = rule.quorum
        edge = _crossing(lambda c: quorum_reached(c, total, quorum), cast)
        yield from {"least": ("quorum.on",), "short": ("quorum.below",)}.get(edge or "", ())
    rest = cast - yes - (0 if rule.counts_abstain else abstain)
    edge = _crossing(lambda y: threshold_met(y, y + rest, rule.threshold), yes)
    yield from {"least": ("threshold.above",), "short": ("threshold.on",)}.get(edge or "", ())
    if rule.veto is not None:
        share = rule.veto
        edge = _crossing(lambda v: is_vetoed(v, cast - veto + v, share), veto)
        yield from {"least": ("veto.above",), "short": ("veto.on",)}.get(edge or "", ())


def _amendment_votes(
    before: ChainState,
    phase: AmendmentPhase,
    amendment: AmendmentRule,
    weights: Mapping[VoteOption, int],
    total: int,
) -> Iterator[str]:
    """Tezos: upvotes against the proposal quorum; a ballot's participation against its
    quorum at today's average, and yay against 80% of yay and nay."""
    yes, no = weights[VoteOption.YES], weights[VoteOption.NO]
    cast = sum(weights.values())
    words = {"least": "on", "short": "below"}
    if phase is AmendmentPhase.PROPOSAL:
        share = Fraction(amendment.proposal_quorum.num, amendment.proposal_quorum.den)
        edge = _crossing(lambda y: y >= share * total, yes)
        if edge is not None:
            yield f"amendment.upvotes.{words[edge]}"
        return
    if phase is AmendmentPhase.TESTING:
        yield "amendment.testing"
        return
    quorum = amendment_quorum_bps(amendment, before.governance.participation_ema_bps)
    edge = _crossing(lambda c: c * BPS_DENOMINATOR >= quorum * total, cast)
    if edge is not None:
        yield f"amendment.participation.{words[edge]}"
    majority = Fraction(amendment.supermajority.num, amendment.supermajority.den)
    edge = _crossing(lambda y: y + no > 0 and y >= majority * (y + no), yes)
    if edge is not None:
        yield f"amendment.yay.{words[edge]}"


def _activation_level(state: ChainState, name: str) -> str | None:
    gov = state.governance
    share = gov.params.governance.subcommittee_activation_bps
    supply = str_circulating(state.ledger)
    delegated = delegated_to(gov, name)
    if not delegated:
        return None
    return _level(delegated * BPS_DENOMINATOR - share * supply, BPS_DENOMINATOR)


def _subcommittees(after: ChainState) -> Iterator[str]:
    for name in after.governance.subcommittees:
        level = _activation_level(after, name)
        if level is not None:
            yield f"subcommittee.{level}"
