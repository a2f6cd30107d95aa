"""One step of the whole chain as the checkers see it, and the checkers' own memory.

The slash-schedule checks compute the expected rate from `History`, kept by the checker from the
effects it saw, by the words of §6.10 (double per slash, halve per expired window), not by the
model's level arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
from attrs import field, frozen
from pyrsistent import PMap, pmap

from model.chain.actions import (
    Action,
    DepositUsdc,
    Effect,
    OutboundEffect,
    SlashEffect,
)
from model.chain.state import ChainState
from model.units import AppId, Seconds

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


def _no_deposits() -> PMap[str, int]:
    return pmap()


@frozen
class History:
    """Slashes, outbound requests and bridge deposits seen so far, kept by the checker, not by
    the model."""

    slashes: PMap[str, SlashMemory] = field(factory=_no_slashes)
    outbound: PMap[AppId, tuple[Seconds, ...]] = field(factory=_no_requests)
    deposits: PMap[str, int] = field(factory=_no_deposits)
    """Bridge deposit id -> the USDC amount of the first accepted deposit with that id."""


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


def record_action(history: History, action: Action) -> History:
    """`history` after an accepted `action`: the bridge deposits it made."""
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
