"""Replaying a trace (genesis + actions) through the whole-chain model and every checker.

The machines, the regression tests they write and the random-walk benchmark all go through
`apply_and_check`, so a counterexample replays exactly as it was found.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from model.chain.actions import Action, Effect
from model.chain.state import ChainState, Genesis, create_chain
from model.chain.transitions import process_action
from model.params import WHITEPAPER_PARAMS, Params
from model.profile import Profile
from model.units import Rejected
from properties.invariants.allowed import check_genesis_refused, check_refusal
from properties.invariants.base import Observation
from properties.invariants.chain import (
    ChainStep,
    History,
    check_step,
    record_action,
    record_effects,
)
from properties.invariants.governance import check_gov_defaults
from properties.invariants.total import (
    check_genesis_raised,
    check_state_malformed,
    check_transition_raised,
    check_transition_returned,
)
from properties.invariants.wellformed import find_malformed


@frozen
class Checked:
    """A state after one step, the checker's memory after it, and what the checkers saw."""

    state: ChainState
    history: History
    observations: tuple[Observation, ...]


def start_and_check(genesis: Genesis, *, params: Params, profile: Profile) -> Checked | Rejected:
    """Genesis, checked like any step (no state before, no action)."""
    state = create_chain(genesis, params=params, profile=profile)
    if isinstance(state, Rejected):
        return state
    history = History()
    found = find_malformed(state, ChainState, where="the genesis state")
    if found is not None:
        raise TypeError(f"the genesis state is malformed: {found}")
    step = ChainStep(before=None, action=None, after=state, effects=(), history=history)
    # The model's whitepaper defaults are judged once per chain, whatever parameters it runs.
    return Checked(state, history, (*check_step(step), check_gov_defaults(WHITEPAPER_PARAMS)))


def process_or_raise(
    current: Checked, action: Action
) -> tuple[ChainState, tuple[Effect, ...]] | Rejected | Checked:
    """The model's answer to `action`: the state after it with its effects, a refusal, or, if
    the model raised, the unchanged chain with ACT-TOTAL broken (an exception is a model bug,
    and the trace that reaches it is the counterexample)."""
    try:
        result = process_action(current.state, action)
    except Exception as error:  # the model's bug, reported as a failed invariant
        return Checked(current.state, current.history, (check_transition_raised(action, error),))
    if isinstance(result, Rejected):
        return result
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], ChainState)):
        return Checked(current.state, current.history, (check_transition_returned(action, result),))
    after, effects = result
    # An effect's own fields are walked; the whole ledgers some carry are the state's.
    found = find_malformed(after, ChainState, before=current.state) or find_malformed(
        tuple(effects), where="its effects", depth=3
    )
    if found is not None:
        return Checked(current.state, current.history, (check_state_malformed(action, found),))
    return after, tuple(effects)


def apply_and_check(current: Checked, action: Action) -> Checked | Rejected:
    """`action` applied to the chain and checked; a refusal leaves the chain as it was, and so
    does an exception, which is kept as ACT-TOTAL's violation."""
    result = process_or_raise(current, action)
    if not isinstance(result, tuple):
        return result
    return check_applied(current, action, *result)


def check_applied(
    current: Checked, action: Action, after: ChainState, effects: tuple[Effect, ...]
) -> Checked:
    """The chain after `action`, which the model applied from `current` (`after` and its
    `effects`), with what every step check saw of the step."""
    step = ChainStep(
        before=current.state, action=action, after=after, effects=effects, history=current.history
    )
    history = record_action(record_effects(current.history, effects), action)
    return Checked(after, history, check_step(step))


@frozen
class Replay:
    """A whole trace replayed: every violation seen, in order, and every refusal."""

    violations: tuple[Observation, ...]
    refused: tuple[tuple[int, Rejected], ...]
    """(index of the action, refusal)."""
    final: ChainState | None


def replay(
    genesis: Genesis, actions: Sequence[Action], *, params: Params, profile: Profile
) -> Replay:
    """Run `actions` from `genesis`, collecting violations and refusals."""
    try:
        current = start_and_check(genesis, params=params, profile=profile)
    except Exception as error:  # the model's bug, reported as a failed invariant
        return Replay(violations=(check_genesis_raised(error),), refused=(), final=None)
    if isinstance(current, Rejected):
        return Replay(
            violations=(check_genesis_refused(current),), refused=((-1, current),), final=None
        )
    violations = [obs for obs in current.observations if not obs.holds]
    refused: list[tuple[int, Rejected]] = []
    for index, action in enumerate(actions):
        result = apply_and_check(current, action)
        if isinstance(result, Rejected):
            refused.append((index, result))
            judged = check_refusal(current.state, current.history, action, result)
            violations.extend(obs for obs in judged if not obs.holds)
            continue
        current = result
        violations.extend(obs for obs in current.observations if not obs.holds)
    return Replay(violations=tuple(violations), refused=tuple(refused), final=current.state)
