"""Deleting steps from a failing trace while it still breaks the same invariant (delta debugging).

Hypothesis shrinks a counterexample within a count of test cases (`Effort.shrink_calls`); most of
those go to simplifying the values each step draws, and a budget that runs out early can leave
steps that play no part in the failure. `minimise_trace` then deletes them: Zeller and
Hildebrandt's ddmin over the list of actions, each candidate replayed from the genesis through
the model and every checker (`properties.replay`), kept only if the same invariant still breaks.
It also counts its replays, so the same trace always gives the same result.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from model.chain.actions import Action
from model.chain.state import Genesis
from model.params import Params
from model.profile import Profile
from properties.replay import replay

MAX_REPLAYS = 400
"""Replays one minimisation may spend; at the bound it keeps the shortest trace found so far."""


@frozen
class Minimised:
    """The shortest failing trace found and what the invariant said about it."""

    actions: tuple[Action, ...]
    detail: str
    replays: int


def _first_detail(
    genesis: Genesis,
    actions: Sequence[Action],
    invariant_id: str,
    *,
    params: Params,
    profile: Profile,
) -> str | None:
    """The first violation of `invariant_id` on the trace, None if it holds throughout."""
    replayed = replay(genesis, actions, params=params, profile=profile)
    return next(
        (obs.detail for obs in replayed.violations if obs.invariant_id == invariant_id), None
    )


def minimise_trace(
    genesis: Genesis,
    actions: Sequence[Action],
    invariant_id: str,
    *,
    params: Params,
    profile: Profile,
    max_replays: int = MAX_REPLAYS,
) -> Minimised | None:
    """The trace with every deletable step deleted (1-minimal within `max_replays`), or None if
    `actions` do not break `invariant_id` when replayed from `genesis`."""
    replays = 1
    detail = _first_detail(genesis, actions, invariant_id, params=params, profile=profile)
    if detail is None:
        return None
    current = tuple(actions)
    chunks = 2
    while len(current) >= 1 and replays < max_replays:
        size = -(-len(current) // chunks)
        starts = range(0, len(current), size)
        reduced = False
        for start in starts:
            if replays >= max_replays:
                break
            candidate = current[:start] + current[start + size :]
            replays += 1
            found = _first_detail(genesis, candidate, invariant_id, params=params, profile=profile)
            if found is not None:
                current, detail, reduced = candidate, found, True
                chunks = max(chunks - 1, 2)
                break
        if reduced:
            continue
        if size == 1:
            break
        chunks = min(chunks * 2, len(current))
    return Minimised(current, detail, replays)
