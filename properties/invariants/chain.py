"""Chain invariants: what must hold after every step of the whole chain.

A `ChainStep` is one transition (state before, action, state after, the effects it reported)
plus the `History` the checker keeps on its own: every slash and every outbound request seen so
far. The slash-schedule checks compute the expected rate from that history by the words of
§6.10 (double per slash, halve per expired window), not by the model's level arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import combinations, pairwise

import attrs
from attrs import field, frozen
from pyrsistent import PMap, pmap

from model.chain.actions import (
    Action,
    CommitEffect,
    Effect,
    Equivocate,
    MintEffect,
    OutboundEffect,
    RoundEffect,
    SlashEffect,
    SlashValidator,
    TallyEffect,
)
from model.chain.state import ChainState, get_trusted_chain
from model.chain.transitions import get_bonded_by_account
from model.coherence import check_coherence
from model.escrow import is_escrow_solvent
from model.governance import VoteOption, get_subcommittee_delegated, is_subcommittee_active
from model.ledger import (
    SUBCOMMITTEE_POOL,
    get_balance,
    get_escrow_account,
    get_str_circulating_supply,
    get_total_stb_holdings,
    get_total_str_holdings,
)
from model.params import WHITEPAPER_PARAMS, Params
from model.payment import compute_payment_split
from model.reputation import get_app_reputation, is_outbound_uncapped
from model.staking import get_power_of, get_total_voting_power, is_bonded_pool_consistent
from model.supply import compute_inflation_rate_bps, get_year_since_genesis
from model.trusted.settlement import is_node_stake_pool_consistent
from model.units import BPS_DENOMINATOR, SECONDS_PER_MINUTE, SECONDS_PER_YEAR, AppId, Seconds
from properties.invariants.base import Observation, observe
from properties.invariants.round import RoundView, check_round, check_round_live

FULL_RATE_BPS = BPS_DENOMINATOR
GOLDEN_COST = 100_000_000
"""§6.3.3's example: a $100 cost, in micro-USD."""


# --- The checker's own memory --------------------------------------------------------------------


@frozen
class SlashMemory:
    """What the checker expects of an offender's next slash, by the words of §6.10."""

    first_time: Seconds
    last_time: Seconds
    count: int
    next_uncapped_bps: int
    """The rate the next slash would have within the same window, before any cap."""


def _no_slashes() -> PMap[str, SlashMemory]:
    return pmap()


def _no_requests() -> PMap[AppId, tuple[Seconds, ...]]:
    return pmap()


@frozen
class History:
    """Slashes and outbound requests seen so far, kept by the checker, not by the model."""

    slashes: PMap[str, SlashMemory] = field(factory=_no_slashes)
    outbound: PMap[AppId, tuple[Seconds, ...]] = field(factory=_no_requests)


def get_expected_uncapped_rate(memory: SlashMemory | None, slash: SlashEffect) -> int:
    """§6.10 in rate terms: the first slash is at base; each further one doubles; each window
    that expired since the last slash halves it again, never below base."""
    schedule = slash.params.slashing
    base, factor, window = (
        schedule.slash_base_bps,
        schedule.slash_factor,
        schedule.slash_window_seconds,
    )
    if memory is None:
        return base
    expired = (slash.time - memory.last_time) // window
    halved: int = memory.next_uncapped_bps // factor**expired
    return max(base, halved)


def record_effects(history: History, effects: Iterable[Effect]) -> History:
    """`history` after a step's effects."""
    for effect in effects:
        if isinstance(effect, SlashEffect):
            memory = history.slashes.get(effect.offender)
            expected = get_expected_uncapped_rate(memory, effect)
            factor = effect.params.slashing.slash_factor
            updated = SlashMemory(
                first_time=memory.first_time if memory is not None else effect.time,
                last_time=effect.time,
                count=memory.count + 1 if memory is not None else 1,
                next_uncapped_bps=expected * factor,
            )
            history = attrs.evolve(history, slashes=history.slashes.set(effect.offender, updated))
        elif isinstance(effect, OutboundEffect):
            seen = history.outbound.get(effect.app, ())
            outbound = history.outbound.set(effect.app, (*seen, effect.time))
            history = attrs.evolve(history, outbound=outbound)
    return history


@frozen
class ChainStep:
    """One transition as the checkers see it (genesis: no state before and no action)."""

    before: ChainState | None
    action: Action | None
    after: ChainState
    effects: tuple[Effect, ...]
    history: History
    """The checker's memory before this step's effects."""

    def effects_of(self, kind: type[Effect]) -> list[Effect]:
        return [effect for effect in self.effects if isinstance(effect, kind)]


# --- Conservation --------------------------------------------------------------------------------


def check_cons_str(step: ChainStep) -> Observation | None:
    """CONS-STR: all STR holdings + burned = genesis + minted; bonds and stakes match pools."""
    state = step.after
    ledger = state.ledger
    held, issued = (
        get_total_str_holdings(ledger) + ledger.str_burned,
        ledger.str_genesis + ledger.str_minted,
    )
    problems = []
    if held != issued:
        problems.append(f"holdings + burned = {held} but genesis + minted = {issued}")
    if not is_bonded_pool_consistent(ledger, state.staking):
        problems.append("the bonded pool does not hold exactly the delegations")
    if not is_node_stake_pool_consistent(get_trusted_chain(state)):
        problems.append("the node stake pool does not hold exactly the node stakes")
    delegated = sum(state.governance.subcommittee_delegations.values())
    if get_balance(ledger, SUBCOMMITTEE_POOL).ustr != delegated:
        problems.append("the subcommittee pool does not hold exactly the delegations")
    negative = sorted(str(a) for a, b in ledger.balances.items() if b.ustr < 0 or b.ustb < 0)
    if negative:
        problems.append(f"negative balances: {negative}")
    return observe("CONS-STR", not problems, "; ".join(problems))


def check_cons_stb(step: ChainStep) -> Observation | None:
    """CONS-STB: all STB holdings = USDC locked in the bridge."""
    ledger = step.after.ledger
    held = get_total_stb_holdings(ledger)
    return observe(
        "CONS-STB",
        held == ledger.usdc_locked,
        f"STB held {held} but USDC locked {ledger.usdc_locked}",
    )


def _round_effects(step: ChainStep) -> list[RoundEffect]:
    return [effect for effect in step.effects if isinstance(effect, RoundEffect)]


def check_cons_split(step: ChainStep) -> Observation | None:
    """CONS-SPLIT: a paid round's split sums to the amount withdrawn, no part negative."""
    paid = [e for e in _round_effects(step) if e.outcome is not None and e.outcome.paid]
    if not paid:
        return None
    problems = []
    for effect in paid:
        assert effect.outcome is not None
        cost, params = effect.outcome.cost, effect.params
        split = compute_payment_split(cost, params)
        parts = (
            split.stb_cost_basis,
            split.stb_node_profit,
            split.stb_swap_reserve,
            split.str_node_profit_usd,
            split.str_burn_usd,
            split.str_network_support_usd,
        )
        total = cost * params.payment.payment_rate_bps // BPS_DENOMINATOR
        if sum(parts) != total or min(parts) < 0 or split.total != total:
            problems.append(f"cost {cost}: parts {parts} for a total of {total}")
        escrow = str(get_escrow_account(effect.run.scenario.app))
        withdrawn_stb = -sum(
            m.delta for m in effect.outcome.movements if m.account == escrow and m.token == "stb"
        )
        expected_stb = len(effect.outcome.paid) * sum(parts[:3])
        if withdrawn_stb != expected_stb:
            problems.append(f"escrow paid {withdrawn_stb} ustb, the split says {expected_stb}")
    return observe("CONS-SPLIT", not problems, "; ".join(problems))


def check_escrow_solvent(step: ChainStep) -> Observation | None:
    """ESCROW-SOLVENT: no escrow negative; locked escrow accounts match their records."""
    state = step.after
    return observe(
        "ESCROW-SOLVENT",
        is_escrow_solvent(state.ledger, state.escrows),
        "an escrow is negative or its locked account differs from its locked payments",
    )


def check_pay_vector(step: ChainStep) -> Observation | None:
    """PAY-VECTOR: at the whitepaper's payment parameters, a $100 round pays as §6.3.3 says."""
    golden = [
        e
        for e in _round_effects(step)
        if e.outcome is not None
        and e.outcome.paid
        and e.outcome.cost == GOLDEN_COST
        and e.params.payment == WHITEPAPER_PARAMS.payment
    ]
    if not golden:
        return None
    problems = []
    for effect in golden:
        assert effect.outcome is not None
        split = compute_payment_split(GOLDEN_COST, effect.params)
        got = (
            split.total,
            split.stb_cost_basis,
            split.stb_node_profit,
            split.stb_swap_reserve,
            split.str_node_profit_usd,
            split.str_burn_usd,
            split.str_network_support_usd,
        )
        want = (200, 100, 10, 10, 40, 20, 20)
        if got != tuple(usd * 1_000_000 for usd in want):
            problems.append(f"split of $100 is {got}")
        accounts = {str(effect.before.nodes[n].account) for n in effect.outcome.paid}
        stb = {
            m.account: m.delta
            for m in effect.outcome.movements
            if m.account in accounts and m.token == "stb"
        }
        if any(stb.get(account, 0) != 110_000_000 for account in accounts):
            problems.append(f"paid nodes received {stb} ustb, §6.3.3 says 110 STB each")
    return observe("PAY-VECTOR", not problems, "; ".join(problems))


# --- Rounds --------------------------------------------------------------------------------------


def check_rounds(step: ChainStep) -> tuple[Observation, ...]:
    """Every round invariant on every round the step ran (see properties.invariants.round)."""
    observations: list[Observation] = []
    for effect in _round_effects(step):
        view = RoundView(
            scenario=effect.run.scenario,
            state=effect.run.state,
            params=effect.params,
            profile=step.after.profile,
            outcome=effect.outcome,
            chain_before=effect.before,
            chain_after=effect.after,
        )
        observations.extend(check_round(view))
        live = check_round_live(view)
        if live is not None:
            observations.append(live)
    return tuple(observations)


# --- Blocks and slashing -------------------------------------------------------------------------


def check_bft_accountable(step: ChainStep) -> Observation | None:
    """BFT-ACCOUNTABLE: conflicting commits at one height mean >= 1/3 of power double-signed,
    and every double signer was slashed."""
    commits = [e for e in step.effects if isinstance(e, CommitEffect)]
    pairs = [
        (a, b)
        for a, b in combinations(commits, 2)
        if a.commit.height == b.commit.height and a.commit.block_hash != b.commit.block_hash
    ]
    if not pairs:
        return None
    slashed = {e.offender for e in step.effects if isinstance(e, SlashEffect)}
    problems = []
    for a, b in pairs:
        both = a.commit.signers & b.commit.signers
        power = get_power_of(a.staking, a.params, both)
        total = get_total_voting_power(a.staking, a.params)
        if 3 * power < total:
            problems.append(
                f"height {a.commit.height}: conflicting commits with only {power} of {total}"
                f" voting power double-signed ({sorted(both)})"
            )
        unslashed = sorted(v for v in both if f"validator:{v}" not in slashed)
        if unslashed:
            problems.append(f"double signers {unslashed} were not slashed")
    return observe("BFT-ACCOUNTABLE", not problems, "; ".join(problems))


def _slashes(step: ChainStep) -> list[SlashEffect]:
    return [e for e in step.effects if isinstance(e, SlashEffect)]


def check_slash_bounds(step: ChainStep) -> Observation | None:
    """SLASH-BOUNDS: base <= rate <= 100% for every slash."""
    slashes = _slashes(step)
    if not slashes:
        return None
    bad = [
        (s.offender, s.rate_bps)
        for s in slashes
        if not s.params.slashing.slash_base_bps <= s.rate_bps <= FULL_RATE_BPS
    ]
    return observe("SLASH-BOUNDS", not bad, f"slash rates outside [base, 100%]: {bad}")


def _replay_slashes(step: ChainStep) -> list[tuple[SlashEffect, SlashMemory | None]]:
    history, replayed = step.history, []
    for slash in _slashes(step):
        memory = history.slashes.get(slash.offender)
        replayed.append((slash, memory))
        history = record_effects(history, (slash,))
    return replayed


def _cap(slash: SlashEffect, capped: bool) -> int | None:
    return slash.params.slashing.slash_cap_bps if capped else None


def _apply_cap(rate: int, cap: int | None) -> int:
    return rate if cap is None else min(rate, cap)


def check_slash_doubling(step: ChainStep) -> Observation | None:
    """SLASH-DOUBLING: the k-th slash inside one window (counted from the first) is
    min(base * factor^(k-1), cap)."""
    capped = step.after.profile.slash_capped
    bad, seen = [], False
    for slash, memory in _replay_slashes(step):
        window = slash.params.slashing.slash_window_seconds
        if memory is not None and slash.time - memory.first_time >= window:
            continue
        seen = True
        k = 1 if memory is None else memory.count + 1
        schedule = slash.params.slashing
        expected = _apply_cap(
            schedule.slash_base_bps * schedule.slash_factor ** (k - 1), _cap(slash, capped)
        )
        if slash.rate_bps != expected:
            bad.append(f"{slash.offender} slash #{k}: rate {slash.rate_bps}, expected {expected}")
    if not seen:
        return None
    return observe("SLASH-DOUBLING", not bad, "; ".join(bad))


def check_slash_decay(step: ChainStep) -> Observation | None:
    """SLASH-DECAY: after whole windows without a slash, the (uncapped) rate has halved once per
    window, never below base; the rate applied is that, capped."""
    capped = step.after.profile.slash_capped
    bad, seen = [], False
    for slash, memory in _replay_slashes(step):
        window = slash.params.slashing.slash_window_seconds
        if memory is None or (slash.time - memory.last_time) < window:
            continue
        seen = True
        expected = _apply_cap(get_expected_uncapped_rate(memory, slash), _cap(slash, capped))
        if slash.rate_bps != expected:
            expired = (slash.time - memory.last_time) // window
            bad.append(
                f"{slash.offender}: {expired} window(s) expired, rate {slash.rate_bps},"
                f" expected {expected}"
            )
    if not seen:
        return None
    return observe("SLASH-DECAY", not bad, "; ".join(bad))


def check_slash_stake(step: ChainStep) -> Observation | None:
    """SLASH-STAKE: a slash burns what it takes, never more than the stake; no stake negative."""
    slashes = _slashes(step)
    if not slashes:
        return None
    problems = [
        f"{s.offender} burned {s.burned_ustr} of a {s.stake_before} stake"
        for s in slashes
        if not 0 <= s.burned_ustr <= s.stake_before
    ]
    state = step.after
    if any(amount < 0 for amount in state.staking.delegations.values()):
        problems.append("a delegation is negative")
    if any(stake.ustr < 0 for stake in state.nodes.values()):
        problems.append("a node stake is negative")
    if isinstance(step.action, (Equivocate, SlashValidator)) and step.before is not None:
        burned = state.ledger.str_burned - step.before.ledger.str_burned
        slashed = sum(s.burned_ustr for s in slashes)
        if burned != slashed:
            problems.append(f"slashes took {slashed} ustr but {burned} ustr was burned")
    return observe("SLASH-STAKE", not problems, "; ".join(problems))


def check_slash_delegators(step: ChainStep) -> Observation | None:
    """SLASH-DELEGATORS: every bond of a slashed validator loses the same fraction."""
    outcomes = [s.validator_outcome for s in _slashes(step) if s.validator_outcome is not None]
    if not outcomes:
        return None
    bad = []
    for outcome in outcomes:
        for loss in outcome.losses:
            requested = loss.amount_before * outcome.rate_bps // BPS_DENOMINATOR
            if (loss.requested, loss.burned) != (requested, min(requested, loss.amount_before)):
                bad.append(f"{loss.delegator} of {outcome.validator}: {loss}")
    return observe("SLASH-DELEGATORS", not bad, "; ".join(bad))


# --- Governance, supply, reputation --------------------------------------------------------------


def check_gov_params(step: ChainStep) -> Observation | None:
    """GOV-PARAMS: the live parameters are coherent (every key is in its domain by construction)."""
    violations = check_coherence(step.after.params)
    return observe(
        "GOV-PARAMS",
        not violations,
        "; ".join(f"{v.rule}: {v.message}" for v in violations),
    )


SUPERMAJORITY_PARAMS = (("payment", "str_burn_bps"), ("payment", "str_network_support_bps"))


def _changed_supermajority_keys(before: Params, after: Params) -> list[str]:
    changed = []
    for subspace, key in SUPERMAJORITY_PARAMS:
        if getattr(getattr(before, subspace), key) != getattr(getattr(after, subspace), key):
            changed.append(f"{subspace}.{key}")
    return changed


def check_gov_supermajority(step: ChainStep) -> Observation | None:
    """GOV-SUPERMAJORITY: a tally that changes the burn or network-support share had more than
    num/den of all STR votes cast, weighed by STR held and bonded at the tally."""
    tallies = [e for e in step.effects if isinstance(e, TallyEffect)]
    touched = {f"{subspace}.{key}" for subspace, key in SUPERMAJORITY_PARAMS}
    if step.before is None or not any(
        f"{change.subspace}.{change.key}" in touched
        for t in tallies
        for change in t.proposal.changes
    ):
        return None
    relevant = [t for t in tallies if _changed_supermajority_keys(t.params_before, t.params_after)]
    bonded = get_bonded_by_account(step.before)
    bad = []
    for tally in relevant:
        weights = {option: 0 for option in VoteOption}
        for voter, option in tally.proposal.votes.items():
            weights[option] += get_balance(step.before.ledger, voter).ustr + bonded.get(voter, 0)
        cast = sum(weights.values())
        gov = tally.params_before.governance
        if not weights[VoteOption.YES] * gov.supermajority_den > gov.supermajority_num * cast:
            changed = _changed_supermajority_keys(tally.params_before, tally.params_after)
            bad.append(f"{changed} changed with {weights[VoteOption.YES]} of {cast} votes yes")
    return observe("GOV-SUPERMAJORITY", not bad, "; ".join(bad))


def check_gov_subcommittee(step: ChainStep) -> Observation | None:
    """GOV-SUBCOMMITTEE: active iff more than the activation share of STR is delegated to it."""
    state = step.after
    gov, ledger = state.governance, state.ledger
    if not gov.subcommittee_delegations:
        return None
    supply = get_str_circulating_supply(ledger)
    share = gov.params.governance.subcommittee_activation_bps
    bad = []
    for name in sorted(gov.subcommittees):
        delegated = get_subcommittee_delegated(gov, name)
        should = delegated * BPS_DENOMINATOR > share * supply
        if is_subcommittee_active(ledger, gov, name) != should:
            bad.append(f"{name}: {delegated} of {supply} delegated, active={not should}")
    if get_balance(ledger, SUBCOMMITTEE_POOL).ustr != sum(gov.subcommittee_delegations.values()):
        bad.append("delegated units are not each held once in the subcommittee pool")
    return observe("GOV-SUBCOMMITTEE", not bad, "; ".join(bad))


def check_sup_inflation(step: ChainStep) -> Observation | None:
    """SUP-INFLATION: the schedule starts at the initial rate, never rises, never goes negative;
    a mint never exceeds the initial rate over its interval."""
    mints = [e for e in step.effects if isinstance(e, MintEffect)]
    if not mints or step.before is None:
        return None
    params, supply = step.after.params, step.after.supply
    problems = []
    years = get_year_since_genesis(supply, step.after.now) + 2
    rates = [compute_inflation_rate_bps(year, params) for year in range(years)]
    if rates[0] != params.mint.inflation_initial_bps:
        problems.append(
            f"year 0 rate {rates[0]} is not the initial {params.mint.inflation_initial_bps}"
        )
    if any(r < 0 for r in rates) or any(b > a for a, b in pairwise(rates)):
        problems.append(f"rates {rates} rise or go negative")
    base = get_str_circulating_supply(step.before.ledger)
    for mint in mints:
        ceiling = base * rates[0] * (mint.end - mint.start) // (BPS_DENOMINATOR * SECONDS_PER_YEAR)
        if not 0 <= mint.amount <= ceiling:
            problems.append(
                f"minted {mint.amount} over [{mint.start}, {mint.end}), ceiling {ceiling}"
            )
    return observe("SUP-INFLATION", not problems, "; ".join(problems))


def check_rep_outbound(step: ChainStep) -> Observation | None:
    """REP-OUTBOUND: an unqualified app's requests let through in any minute stay within the cap."""
    requests = [e for e in step.effects if isinstance(e, OutboundEffect)]
    if not requests:
        return None
    history = record_effects(step.history, requests)
    params, reputation = step.after.params, step.after.reputation
    bad, capped = [], 0
    for request in requests:
        record = get_app_reputation(reputation, request.app)
        if is_outbound_uncapped(record, now=request.time, params=params, str_price=request.price):
            continue
        capped += 1
        times = history.outbound.get(request.app, ())
        in_minute = [t for t in times if request.time - SECONDS_PER_MINUTE < t <= request.time]
        if len(in_minute) > params.reputation.outbound_requests_per_minute:
            bad.append(f"{request.app}: {len(in_minute)} requests in the minute to {request.time}")
    if not capped:
        return None
    return observe("REP-OUTBOUND", not bad, "; ".join(bad))


STEP_CHECKERS: tuple[Callable[[ChainStep], Observation | None], ...] = (
    check_cons_str,
    check_cons_stb,
    check_cons_split,
    check_escrow_solvent,
    check_pay_vector,
    check_bft_accountable,
    check_slash_bounds,
    check_slash_doubling,
    check_slash_decay,
    check_slash_stake,
    check_slash_delegators,
    check_gov_params,
    check_gov_supermajority,
    check_gov_subcommittee,
    check_sup_inflation,
    check_rep_outbound,
)


def check_step(step: ChainStep) -> tuple[Observation, ...]:
    """Every invariant the step exercises: the chain checkers, then every round it ran."""
    observations = [obs for checker in STEP_CHECKERS if (obs := checker(step)) is not None]
    observations.extend(check_rounds(step))
    return tuple(observations)
