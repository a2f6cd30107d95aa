"""ACT-TOTAL: the model answers every action with a new state or a refusal, never an exception.

Every validator of a Tendermint chain (§4.2) applies every transaction of a committed block; a
transition that raises instead of refusing halts them all at that height. In the model a refusal
is a value (`Rejected`), so an exception is a model bug, and the checks report it as a failure
with the trace that reaches it, not as a crash of the engine.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from fractions import Fraction
from typing import Any

import attrs

from model.chain.actions import Action
from properties.invariants.base import Observation, holds, violated
from properties.invariants.step import ChainStep


def describe_error(error: Exception) -> str:
    """An exception in one line: its type, and the first line of its message (at most 200
    characters), e.g. `ZeroDivisionError: integer division or modulo by zero`."""
    lines = str(error).splitlines()
    return type(error).__name__ + (f": {lines[0][:200]}" if lines else "")


_HINTS: dict[type, dict[str, Any]] = {}
_UNKNOWN: Any = object()
"""A hint this walk does not read (a `Literal`, a type variable): anything goes."""
_CLASSES: dict[int, tuple[Any, tuple[type, ...] | None]] = {}
_ABSENT = object()
_VERIFIED: dict[tuple[int, int], tuple[object, object]] = {}
"""Parts already found well formed, by the ids of the part and of its declared type; each is
kept alive here so that its id cannot be reused (the model's parts are immutable). Effects
carry whole ledgers a state already held, so they are not walked twice. Cleared when it grows
past `_VERIFIED_MAX`."""
_VERIFIED_MAX = 200_000
_FLAT = ((int,), (str,))


def _hints_of(cls: type) -> dict[str, Any]:
    """The declared types of an attrs class's fields, resolved once."""
    hints = _HINTS.get(cls)
    if hints is None:
        try:
            resolved = typing.get_type_hints(cls)
        except Exception:  # an annotation the walk cannot resolve: its fields are not typed
            resolved = {}
        hints = {f.name: resolved.get(f.name, _UNKNOWN) for f in attrs.fields(cls)}
        _HINTS[cls] = hints
    return hints


def _flatten(hint: Any) -> tuple[type, ...] | None:
    """The classes a value of `hint` may be an instance of (None: any)."""
    while hasattr(hint, "__supertype__"):  # a NewType: the type it wraps
        hint = hint.__supertype__
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        parts = [_flatten(part) for part in typing.get_args(hint)]
        if any(part is None for part in parts):
            return None
        return tuple(cls for part in parts if part is not None for cls in part)
    if hint is None or hint is type(None):
        return (type(None),)
    base = origin if origin is not None else hint
    return (base,) if isinstance(base, type) and base is not object else None


def _classes(hint: Any) -> tuple[type, ...] | None:
    cached = _CLASSES.get(id(hint))
    if cached is None or cached[0] is not hint:
        cached = (hint, _flatten(hint))
        _CLASSES[id(hint)] = cached
    return cached[1]


def _describe(value: object) -> str:
    text = repr(value)
    return f"a {type(value).__name__}" + (f" {text}" if len(text) <= 40 else "")


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("model.", "")


def find_malformed(
    value: object, hint: Any = _UNKNOWN, path: str = "the state", before: object = _ABSENT
) -> str | None:
    """Where `value` breaks the types the model declares: a part of another type than its field
    declares (a `None` ledger, a ledger where the governance state belongs), or a number that is
    neither an integer nor an exact rational anywhere (a float: the model is integer-only,
    DESIGN.md). Walks attrs instances field by field against their annotations, and mappings
    and collections item by item; None if the whole of `value` is well formed.

    With `before` (the same part one step earlier, already found well formed), a field or a
    mapping item that is the very object it was before is not walked again: the model's states
    are immutable and share every part a step did not touch."""
    if value is before:
        return None
    if isinstance(value, float | complex) or type(value).__name__ == "Decimal":
        return f"{_describe(value)} at {path}"
    if hint is not _UNKNOWN:
        classes = _classes(hint)
        if classes is not None and not isinstance(value, classes):
            return f"{_describe(value)} at {path}, declared {_name(hint)}"
    if isinstance(value, bool | int | str | bytes | Enum | Fraction) or value is None:
        return None
    key = (id(value), id(hint))
    if key in _VERIFIED:
        return None
    args = typing.get_args(hint)
    if isinstance(value, tuple | frozenset) and args and _classes(args[0]) in _FLAT:
        # A collection of plain integers or strings (a log of times, a set of names): one pass.
        leaf = _classes(args[0])
        assert leaf is not None
        if all(isinstance(item, leaf) for item in value):
            return None
    for part, part_hint, where, earlier in _parts(value, hint, path, before):
        found = find_malformed(part, part_hint, where, earlier)
        if found is not None:
            return found
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[key] = (value, hint)
    return None


def _parts(
    value: object, hint: Any, path: str, before: object
) -> Iterator[tuple[object, Any, str, object]]:
    """The parts of an attrs instance, a mapping or a collection, each with the type its
    container declares for it (`_UNKNOWN` where none), its path, and the same part in
    `before` where there is one."""
    while hasattr(hint, "__supertype__"):
        hint = hint.__supertype__
    args = typing.get_args(hint)
    if attrs.has(type(value)):
        same = type(before) is type(value)
        for name, field_hint in _hints_of(type(value)).items():
            part = getattr(value, name)
            earlier = getattr(before, name) if same else _ABSENT
            if part is not earlier:
                yield part, field_hint, f"{path}.{name}", earlier
    elif isinstance(value, Mapping):
        key_hint, item_hint = args if len(args) == 2 else (_UNKNOWN, _UNKNOWN)
        old = before if isinstance(before, Mapping) else {}
        for key, item in value.items():
            earlier = old.get(key, _ABSENT)
            if earlier is _ABSENT:
                yield key, key_hint, f"a key of {path}", _ABSENT
            if item is not earlier:
                yield item, item_hint, f"{path}[{key!r:.40}]", earlier
    elif isinstance(value, tuple) and args and args[-1] is not Ellipsis:
        for index, item in enumerate(value):
            yield item, args[index] if index < len(args) else _UNKNOWN, f"{path}[{index}]", _ABSENT
    elif isinstance(value, Iterable):
        item_hint = args[0] if args else _UNKNOWN
        for index, item in enumerate(value):
            yield item, item_hint, f"{path}[{index}]", _ABSENT


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


def check_state_malformed(action: Action, found: str) -> Observation:
    """ACT-TOTAL, for a transition that returned a malformed state: a part of another type than
    the model declares for it, or a number that is not an integer or an exact rational
    (DESIGN.md: micro-units, basis points and seconds are integers). Every check downstream
    would read garbage, so this breaks it as a raise does."""
    return violated("ACT-TOTAL", f"{type(action).__name__} returned a malformed state: {found}")


def check_round_search_raised(error: Exception) -> Observation:
    """ACT-TOTAL, for the exhaustive round search: one of the round's transitions (a commit, a
    reveal, the decision, the settlement...) raised while the search built an assignment's
    state graph, so this breaks it; the counterexample names the assignment."""
    return violated(
        "ACT-TOTAL",
        f"a round transition raised {describe_error(error)}"
        " instead of answering with a state or a refusal",
    )
