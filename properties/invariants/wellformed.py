"""Is a state the model returned well formed? Every part of the type its field declares, and no
number that is not an integer or an exact rational.

DESIGN.md keeps the model integer-only (micro-units, basis points, seconds; prices as exact
`Fraction`s). A transition that leaves a float in the state, or puts `None` or another part
where a ledger belongs, hands every check after it garbage: ACT-TOTAL reports it on the
transition that did it (`properties.replay.process_or_raise`), as it reports a raise.

The walk reads the annotations of the state's attrs classes (resolved once per class) and
follows mappings and collections item by item. It is cheap because the model's states are
immutable and share every part a step did not touch: a part that is the very object it was
one step earlier is not walked again.
"""

from __future__ import annotations

import abc
import types
import typing
from collections.abc import Iterable, Mapping
from enum import Enum
from fractions import Fraction
from typing import Any, cast

import attrs

from oracle.persistent import ABSENT, changed_items

UNKNOWN: Any = object()
"""A part whose container declares no type the walk reads: any type goes (floats still fail)."""

_ABSENT = ABSENT
_HINTS: dict[type, tuple[tuple[str, Any, tuple[type, ...] | None], ...]] = {}
_SHAPES: dict[int, tuple[Any, tuple[type, ...] | None, tuple[Any, ...]]] = {}
_ATOMS = frozenset({int, str, bool, bytes, type(None)})
_LEAF, _RECORD, _MAPPING, _ITEMS = range(4)
_KINDS: dict[type, int] = {}
"""Class -> how the walk goes inside its instances (`_kind`)."""
_FITS: dict[tuple[type, int], Any] = {}
"""(class, id of a hint) -> the hint, where an instance of the class is a well-formed leaf: its
class alone decides it."""
_ABC_TOKEN: list[object] = [abc.get_cache_token()]
_FLAT = ((int,), (str,), (bool,))
_SEQUENCES = (tuple, list)


def _fields_of(cls: type) -> tuple[tuple[str, Any, tuple[type, ...] | None], ...]:
    """An attrs class's fields with their declared types and the classes those allow,
    resolved once."""
    fields = _HINTS.get(cls)
    if fields is None:
        try:
            resolved = typing.get_type_hints(cls)
        except Exception:  # an annotation the walk cannot resolve: its fields go untyped
            resolved = {}
        hints = [(f.name, resolved.get(f.name, UNKNOWN)) for f in attrs.fields(cls)]
        fields = tuple(
            (name, hint, None if hint is UNKNOWN else _flatten(hint)) for name, hint in hints
        )
        _HINTS[cls] = fields
    return fields


def _flatten(hint: Any) -> tuple[type, ...] | None:
    """The classes a value of `hint` may be an instance of (None: any class)."""
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


def _shape(hint: Any) -> tuple[Any, tuple[type, ...] | None, tuple[Any, ...]]:
    """`hint`, the classes its values may be instances of, and its type arguments (those of the
    type a NewType wraps), computed once per hint."""
    cached = _SHAPES.get(id(hint))
    if cached is None or cached[0] is not hint:
        unwrapped = hint
        while hasattr(unwrapped, "__supertype__"):
            unwrapped = unwrapped.__supertype__
        cached = (hint, _flatten(hint), typing.get_args(unwrapped))
        _SHAPES[id(hint)] = cached
    return cached


def _describe(value: object) -> str:
    text = repr(value)
    return f"a {type(value).__name__}" + (f" {text}" if len(text) <= 40 else "")


def _name(hint: Any) -> str:
    return str(getattr(hint, "__name__", None) or str(hint).replace("model.", ""))


def _bad_leaf(value: object, hint: Any) -> str | None:
    """What is wrong with `value` itself, against `hint`, without looking inside it."""
    cls = type(value)
    if _FITS.get((cls, id(hint)), _ABSENT) is hint and value.__class__ is cls:
        return None
    if isinstance(value, float | complex) or type(value).__name__ == "Decimal":
        return _describe(value)
    if hint is not UNKNOWN:
        classes = _shape(hint)[1]
        if classes is not None and not isinstance(value, classes):
            return f"{_describe(value)}, declared {_name(hint)}"
        if classes is not None and not all(_type_decides(c) for c in classes):
            return None  # an instance check that reads the instance: asked every time
    if value.__class__ is cls:
        _FITS[(cls, id(hint))] = hint
    return None


def _type_decides(cls: type) -> bool:
    """Whether `isinstance(x, cls)` depends on x's class alone (and the ABC registry)."""
    check = type(cls).__instancecheck__
    return check is type.__instancecheck__ or check is abc.ABCMeta.__instancecheck__


def _kind(cls: type) -> int:
    """How the walk goes inside an instance of `cls`: not at all, by its attrs fields, by its
    entries or by its items; found once per class."""
    kind = _KINDS.get(cls)
    if kind is None:
        if cls in _ATOMS or issubclass(cls, Enum | Fraction):
            kind = _LEAF
        elif attrs.has(cls):
            kind = _RECORD
        elif issubclass(cls, Mapping):
            kind = _MAPPING
        elif issubclass(cls, Iterable):
            kind = _ITEMS
        else:
            kind = _LEAF
        _KINDS[cls] = kind
    return kind


def _walk(value: object, hint: Any, before: object, depth: int) -> list[str] | None:
    """None if `value` (already found of its declared type) is well formed inside; else the
    problem followed by the path to it, innermost step first."""
    if depth == 0:
        return None
    cls = type(value)
    kind = _kind(cls) if value.__class__ is cls else _kind_of(value)
    if kind == _LEAF:
        return None
    if kind == _RECORD:
        return _walk_fields(value, before, depth)
    args = _shape(hint)[2] if hint is not UNKNOWN else ()
    if kind == _MAPPING:
        return _walk_mapping(cast(Mapping[Any, Any], value), args, before, depth)
    return _walk_items(cast(Iterable[Any], value), args, before, depth)


def _kind_of(value: object) -> int:
    """`_kind` of an instance whose `__class__` is not its type, asked of the instance."""
    if type(value) in _ATOMS or isinstance(value, Enum | Fraction):
        return _LEAF
    if attrs.has(type(value)):
        return _RECORD
    if isinstance(value, Mapping):
        return _MAPPING
    return _ITEMS if isinstance(value, Iterable) else _LEAF


def _walk_fields(value: object, before: object, depth: int) -> list[str] | None:
    same = type(before) is type(value)
    for name, field_hint, classes in _fields_of(type(value)):
        part = getattr(value, name)
        earlier = getattr(before, name) if same else _ABSENT
        if part is earlier or (
            type(part) in _ATOMS and (classes is None or isinstance(part, classes))
        ):
            continue  # unchanged, or a plain integer, string or None where one is declared
        found = _check(part, field_hint, earlier, depth)
        if found is not None:
            return [*found, f".{name}"]
    return None


def _walk_mapping(
    value: Mapping[Any, Any], args: tuple[Any, ...], before: object, depth: int
) -> list[str] | None:
    key_hint, item_hint = args if len(args) == 2 else (UNKNOWN, UNKNOWN)
    old: Mapping[Any, Any] = before if isinstance(before, Mapping) else {}
    # Only the entries that are not the very same value under the same key one step earlier,
    # in the map's own order: the others were found well formed then.
    for key, item, earlier in changed_items(old, value):
        if earlier is ABSENT:
            found = _check(key, key_hint, _ABSENT, depth)
            if found is not None:
                return [*found, " (a key)"]
        found = _check(item, item_hint, earlier, depth)
        if found is not None:
            return [*found, f"[{key!r:.40}]"]
    return None


def _walk_items(
    value: Iterable[Any], args: tuple[Any, ...], before: object, depth: int
) -> list[str] | None:
    fixed = isinstance(value, tuple) and bool(args) and args[-1] is not Ellipsis
    if not fixed and args:
        leaf = _shape(args[0])[1]
        # Plain integers, strings or flags (a log of times, a set of names): one pass.
        if leaf in _FLAT and all(isinstance(item, leaf) for item in value):
            return None
    # A sequence one step earlier (a log it extends): an item that is the very same object at
    # the same index was found well formed then.
    earlier = before if type(value) in _SEQUENCES and type(before) is type(value) else ()
    for index, item in enumerate(value):
        if fixed:
            item_hint = args[index] if index < len(args) else UNKNOWN
        else:
            item_hint = args[0] if args else UNKNOWN
        old = earlier[index] if index < len(earlier) else _ABSENT  # type: ignore[index,arg-type]
        if item is old:
            continue
        found = _check(item, item_hint, old, depth)
        if found is not None:
            return [*found, f"[{index}]"]
    return None


def _check(value: object, hint: Any, before: object, depth: int) -> list[str] | None:
    problem = _bad_leaf(value, hint)
    if problem is not None:
        return [problem]
    return _walk(value, hint, before, depth - 1)


def find_malformed(
    value: object,
    hint: Any = UNKNOWN,
    *,
    where: str = "the state",
    before: object = _ABSENT,
    depth: int = 64,
) -> str | None:
    """Where `value` breaks the types the model declares, e.g. `a NoneType None at the
    state.ledger, declared Ledger` or `a float 0.5 at the state.height`; None if it is well
    formed. `before` is the same value one step earlier, already found well formed: whatever
    it shares with `value` is not walked again. Parts more than `depth` levels down are not
    walked."""
    if value is before:
        return None
    token = abc.get_cache_token()
    if token != _ABC_TOKEN[0]:  # a class was registered with an ABC: classes decide anew
        _KINDS.clear()
        _FITS.clear()
        _ABC_TOKEN[0] = token
    found = _check(value, hint, before, depth + 1)
    if found is None:
        return None
    problem, *path = found
    return f"{problem} at {where}{''.join(reversed(path))}"
