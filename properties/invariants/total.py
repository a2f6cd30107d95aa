"""ACT-TOTAL: the model answers every action with a new state or a refusal, never an exception.

Every validator of a Tendermint chain (§4.2) applies every transaction of a committed block; a
transition that raises instead of refusing halts them all at that height. In the model a refusal
is a value (`Rejected`), so an exception is a model bug, and the checks report it as a failure
with the trace that reaches it, not as a crash of the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from fractions import Fraction

import attrs

from model.chain.actions import Action
from properties.invariants.base import Observation, holds, violated
from properties.invariants.step import ChainStep


def describe_error(error: Exception) -> str:
    """An exception in one line: its type, and the first line of its message (at most 200
    characters), e.g. `ZeroDivisionError: integer division or modulo by zero`."""
    lines = str(error).splitlines()
    return type(error).__name__ + (f": {lines[0][:200]}" if lines else "")


_VERIFIED: dict[int, object] = {}
"""Containers already found integral, by id; each is kept alive here so that its id cannot be
reused. The model's states are immutable and share most of their parts from one step to the
next, so a state is walked only where it changed. Cleared when it grows past `_VERIFIED_MAX`."""
_VERIFIED_MAX = 500_000

_ATOMS = (bool, int, str, bytes, Enum, Fraction, type(None))


def _parts(value: object, path: str) -> Iterator[tuple[object, str]]:
    """The parts of an attrs instance, a mapping or a collection, each with its path."""
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):  # type: ignore[arg-type]
            yield getattr(value, field.name), f"{path}.{field.name}"
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield key, f"a key of {path}"
            yield item, f"{path}[{key!r:.40}]"
    elif isinstance(value, Iterable):
        for index, item in enumerate(value):
            yield item, f"{path}[{index}]"


def find_non_integral(value: object, path: str = "the state") -> str | None:
    """Where `value` holds a number that is neither an integer nor an exact rational (a float,
    a complex, a Decimal), e.g. `a float 0.5 at the state.height`; None if it holds none.
    Walks attrs instances, mappings and collections; anything else is a leaf."""
    if isinstance(value, _ATOMS):
        return None
    if isinstance(value, float | complex) or type(value).__name__ == "Decimal":
        return f"a {type(value).__name__} {value!r:.40} at {path}"
    key = id(value)
    if key in _VERIFIED:
        return None
    for part, where in _parts(value, path):
        found = find_non_integral(part, where)
        if found is not None:
            return found
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[key] = value
    return None


def check_transition_answered(step: ChainStep) -> Observation | None:
    """ACT-TOTAL, for an action the model applied: it answered with a state (the evidence that
    the invariant was exercised; the failing case is `check_transition_raised`)."""
    if step.action is None:
        return None
    return holds("ACT-TOTAL")


def check_transition_raised(action: Action, error: Exception) -> Observation:
    """ACT-TOTAL, for an action on which the model raised: every action on every reachable
    state must be applied or refused with a reason, so this breaks it. The detail names the
    action kind and the exception; the chain stays as it was before the action."""
    return violated(
        "ACT-TOTAL",
        f"{type(action).__name__} raised {describe_error(error)}"
        " instead of being applied or refused",
    )


def check_genesis_raised(error: Exception) -> Observation:
    """ACT-TOTAL, for a genesis on which the model raised: a genesis in range must be built or
    refused with a reason, so this breaks it (the trace is the genesis alone)."""
    return violated(
        "ACT-TOTAL",
        f"the genesis raised {describe_error(error)} instead of being built or refused",
    )


def check_transition_returned(action: Action, result: object) -> Observation:
    """ACT-TOTAL, for an action on which the model returned neither a state with its effects
    nor a refusal: this breaks it as a raise does."""
    return violated(
        "ACT-TOTAL",
        f"{type(action).__name__} returned {type(result).__name__} instead of a state or a refusal",
    )


def check_model_call_raised(where: str, error: Exception) -> Observation:
    """ACT-TOTAL, for a model function the machine called on a reachable state outside a
    transition (a rule reading a balance, the active set or the next mint to aim at a
    boundary): the model's functions answer every reachable state, so a raise breaks it."""
    return violated(
        "ACT-TOTAL",
        f"the model raised {describe_error(error)} when {where} asked it about a reachable state",
    )


def check_state_integral(action: Action, found: str) -> Observation:
    """ACT-TOTAL, for a transition that returned a state holding a non-integer number where the
    model keeps micro-units, basis points and seconds (DESIGN.md: integers and exact
    rationals only): the state is malformed, which breaks it as a raise does."""
    return violated(
        "ACT-TOTAL",
        f"{type(action).__name__} returned a state holding {found}"
        " (the chain keeps integers and exact rationals only)",
    )


def check_round_search_raised(error: Exception) -> Observation:
    """ACT-TOTAL, for the exhaustive round search: one of the round's transitions (a commit, a
    reveal, the decision, the settlement...) raised while the search built an assignment's
    state graph, so this breaks it; the counterexample names the assignment."""
    return violated(
        "ACT-TOTAL",
        f"a round transition raised {describe_error(error)}"
        " instead of answering with a state or a refusal",
    )
