"""One step of the whole chain as the checkers see it, and the checkers' own memory.

The slash-schedule checks compute the expected rate from `History`, kept by the checker from the
effects it saw, with the oracle's reading of §6.10 (`oracle.slashing`: one level up per slash,
one down per expired window, the rate doubling per level as the text's "factor of 2x"), never
with the model's slashing records.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
from attrs import field, frozen
from pyrsistent import PMap, pmap

from model.chain.actions import (
    Action,
    CommitEffect,
    DepositUsdc,
    Effect,
    InfractionEffect,
    JailEffect,
    OutboundEffect,
    ReportDoubleSign,
    RoundEffect,
    SlashEffect,
)
from model.chain.state import ChainState
from model.units import AccountId, AppId, Seconds, ValidatorId
from oracle.defaults import SLASH_FACTOR
from oracle.persistent import remember_last
from oracle.reputation import first_active
from oracle.slashing import decayed_level, expired_windows, slash_rate_bps
from oracle.staking import SIGNED_BLOCKS_WINDOW, active_set, slashed_amount_capped

# --- The checker's own memory --------------------------------------------------------------------


@frozen
class SlashMemory:
    """What the checker remembers of an offender's slashes, by the words of §6.10."""

    last_time: Seconds
    """When the offender was last slashed: windows expire counting from here."""
    level: int
    """The level after the last slash: the level of the next one if no window expires first."""
    count: int
    """How many times the offender has been slashed."""


def _no_slashes() -> PMap[str, SlashMemory]:
    return pmap()


def _no_requests() -> PMap[AppId, tuple[Seconds, ...]]:
    return pmap()


def _no_deposits() -> PMap[str, int]:
    return pmap()


def _no_activity() -> PMap[AppId, Seconds]:
    return pmap()


@frozen
class InfractionMemory:
    """A double sign the checker saw committed and not yet reported: when, and what each
    delegator had bonded to the validator then, lowered by every slash of it since."""

    time: Seconds
    at_stake: PMap[AccountId, int]
    slashes: int = 0
    """How many slashes lowered `at_stake` since (each may round one ustr per bond)."""


def _no_infractions() -> PMap[tuple[ValidatorId, int], InfractionMemory]:
    return pmap()


def _no_signing() -> PMap[ValidatorId, tuple[bool, ...]]:
    return pmap()


@frozen
class History:
    """Slashes, outbound requests, bridge deposits and the start of each app's active use seen so
    far, kept by the checker, not by the model."""

    slashes: PMap[str, SlashMemory] = field(factory=_no_slashes)
    outbound: PMap[AppId, tuple[Seconds, ...]] = field(factory=_no_requests)
    deposits: PMap[str, int] = field(factory=_no_deposits)
    """Bridge deposit id -> the USDC amount of the first accepted deposit with that id."""
    first_active: PMap[AppId, Seconds] = field(factory=_no_activity)
    """App -> when its active use began (§4.5, `oracle.reputation.first_active`): the decision
    time of its first settled round."""
    infractions: PMap[tuple[ValidatorId, int], InfractionMemory] = field(factory=_no_infractions)
    """(validator, height) -> an unreported double sign and the stake it put at risk."""
    signing: PMap[ValidatorId, tuple[bool, ...]] = field(factory=_no_signing)
    """Validator -> for each of the last committed heights (at most the window) at which it
    was in the active set, whether it signed none of that height's commits; cleared when it is
    jailed."""


def get_expected_level(memory: SlashMemory | None, slash: SlashEffect) -> int:
    """§6.10: the level `slash` should be applied at: 0 for a first slash, else the level left
    by the last slash lowered by one per window expired since then."""
    if memory is None:
        return 0
    window = slash.params.slashing.slash_window_seconds
    expired = expired_windows(last_slash=memory.last_time, now=slash.time, window=window)
    return decayed_level(memory.level, expired)


def get_expected_rate(memory: SlashMemory | None, slash: SlashEffect, *, capped: bool) -> int:
    """§6.10: the rate `slash` should have, `base * 2**level`, capped if the profile caps. The
    factor is the text's 2 ("a factor of 2x"), never `slashing.slash_factor`: a proposal that moves
    the governed factor is judged against the doubling, not by it. Base and cap are governed."""
    schedule = slash.params.slashing
    return slash_rate_bps(
        base=schedule.slash_base_bps,
        factor=SLASH_FACTOR,
        cap=schedule.slash_cap_bps if capped else None,
        level=get_expected_level(memory, slash),
    )


def _record_signatures(history: History, commits: list[CommitEffect]) -> History:
    """§6.10 (Cosmos x/slashing): at each height a step committed, each validator of the active
    set (as the first commit weighed it) missed the block iff it signed none of its commits."""
    signing = history.signing
    for height in sorted({c.commit.height for c in commits}):
        at = [c for c in commits if c.commit.height == height]
        signed = frozenset().union(*(c.commit.signers for c in at))
        seats = at[0].params.consensus.max_validators
        for validator in active_set(at[0].staking, max_validators=seats):
            seen = (*signing.get(validator, ()), validator not in signed)
            signing = signing.set(validator, seen[-SIGNED_BLOCKS_WINDOW:])
    return attrs.evolve(history, signing=signing)


def _lower_at_stake(history: History, slash: SlashEffect) -> History:
    """Every open infraction of the slashed validator: what is at stake falls by the rate."""
    if slash.validator_outcome is None:
        return history
    validator = slash.validator_outcome.validator
    infractions = history.infractions
    for key, memory in history.infractions.items():
        if key[0] != validator:
            continue
        lowered = pmap(
            {
                d: amount - slashed_amount_capped(amount, slash.rate_bps)
                for d, amount in memory.at_stake.items()
            }
        )
        infractions = infractions.set(
            key, attrs.evolve(memory, at_stake=lowered, slashes=memory.slashes + 1)
        )
    return attrs.evolve(history, infractions=infractions)


def record_effects(history: History, effects: Iterable[Effect]) -> History:
    """`history` after a step's effects."""
    return _record_effects(history, *effects)


# A function of the very records it is given: the checkers that need the memory after a step
# and the driver that keeps it ask for the same step's.
@remember_last(2)
def _record_effects(history: History, *effects: Effect) -> History:
    commits = [effect for effect in effects if isinstance(effect, CommitEffect)]
    if commits:
        history = _record_signatures(history, commits)
    for effect in effects:
        if isinstance(effect, InfractionEffect):
            at_stake = pmap(
                {
                    d: amount
                    for (d, v), amount in effect.staking.delegations.items()
                    if v == effect.validator
                }
            )
            infraction = InfractionMemory(time=effect.time, at_stake=at_stake)
            key = (effect.validator, effect.height)
            history = attrs.evolve(history, infractions=history.infractions.set(key, infraction))
        elif isinstance(effect, JailEffect):
            history = attrs.evolve(history, signing=history.signing.discard(effect.validator))
        elif isinstance(effect, SlashEffect):
            history = _lower_at_stake(history, effect)
            memory = history.slashes.get(effect.offender)
            updated = SlashMemory(
                last_time=effect.time,
                level=get_expected_level(memory, effect) + 1,
                count=memory.count + 1 if memory is not None else 1,
            )
            history = attrs.evolve(history, slashes=history.slashes.set(effect.offender, updated))
        elif isinstance(effect, OutboundEffect):
            seen = history.outbound.get(effect.app, ())
            outbound = history.outbound.set(effect.app, (*seen, effect.time))
            history = attrs.evolve(history, outbound=outbound)
        elif isinstance(effect, RoundEffect):
            app = effect.run.state.app
            since = first_active(history.first_active.get(app), settled_at=effect.run.decided_at)
            if since is not None:
                history = attrs.evolve(history, first_active=history.first_active.set(app, since))
    return history


def record_action(history: History, action: Action) -> History:
    """`history` after an accepted `action`: the bridge deposits it made."""
    if isinstance(action, ReportDoubleSign):
        key = (action.validator, action.height)
        return attrs.evolve(history, infractions=history.infractions.discard(key))
    if isinstance(action, DepositUsdc) and action.deposit_id not in history.deposits:
        deposits = history.deposits.set(action.deposit_id, action.amount)
        return attrs.evolve(history, deposits=deposits)
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
