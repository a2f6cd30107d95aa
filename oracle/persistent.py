"""Reading immutable state cheaply: what changed between two versions of a persistent map, and the
last readings of the very same state objects.

The model's states are frozen records and `pyrsistent` maps, and a step shares every part it did
not touch with the state before it. Two consequences save the checkers from re-reading a whole
state on every step, without changing a single answer:

- `changed_items` lists the entries of a map that are not the very same object under the same key
  in an earlier version, in the map's own iteration order. A `PMap` keeps its entries in a vector
  of buckets and replaces only the buckets a change touches, so when both versions have as many
  buckets, only the buckets that are not the very same list are read. Any other pair of mappings
  is compared entry by entry, with the same answer.
- `remember_last` keeps the last few results of a function of immutable parts, keyed on the very
  objects it was given (never on equality): the same objects give the same result. It holds the
  objects themselves, so an id is never mistaken for a later object's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, ParamSpec, TypeVar

from pyrsistent import PMap

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")
P = ParamSpec("P")

ABSENT: Final[Any] = object()
"""The earlier value of an entry the earlier map did not have."""


def _buckets(mapping: object) -> Any:
    """A `PMap`'s bucket vector (each bucket a list of (key, value) or empty), else None."""
    return getattr(mapping, "_buckets", None) if type(mapping) is PMap else None


def _entries(mapping: object) -> dict[Any, Any] | None:
    """The dict a `PMap` subclass keeps its entries in and reads them from, else None."""
    entries = getattr(mapping, "_entries", None) if isinstance(mapping, PMap) else None
    return entries if type(entries) is dict else None


def changed_items(before: Mapping[K, V], after: Mapping[K, V]) -> Iterator[tuple[K, V, Any]]:
    """(key, value, earlier) for every entry of `after` whose value is not the very same object
    as `before`'s under that key (`earlier` is `before`'s value, or `ABSENT`), in `after`'s
    iteration order. Keys `before` has and `after` lacks are not listed."""
    if before is after:
        return
    new_buckets, old_buckets = _buckets(after), _buckets(before)
    if new_buckets is None or old_buckets is None or len(new_buckets) != len(old_buckets):
        # A map over a dict (the model's copy-on-write maps) is read through that dict.
        new_entries, old_entries = _entries(after), _entries(before)
        get = before.get if old_entries is None else old_entries.get
        for key, value in after.items() if new_entries is None else new_entries.items():
            earlier = get(key, ABSENT)
            if value is not earlier:
                yield key, value, earlier
        return
    # A key sits in bucket hash(key) % len in both versions: an untouched bucket is the very
    # same list, holding the very same values.
    for new, old in zip(new_buckets, old_buckets, strict=True):
        if new is old or not new:
            continue
        for key, value in new:
            earlier = ABSENT
            if old:
                for old_key, old_value in old:
                    if old_key == key:
                        earlier = old_value
                        break
            if value is not earlier:
                yield key, value, earlier


def removed_keys(before: Mapping[K, V], after: Mapping[K, V]) -> list[K]:
    """The keys `before` has and `after` lacks, in `before`'s iteration order."""
    if before is after:
        return []
    new_buckets, old_buckets = _buckets(after), _buckets(before)
    if new_buckets is None or old_buckets is None or len(new_buckets) != len(old_buckets):
        return [key for key in before if key not in after]
    removed = []
    for new, old in zip(new_buckets, old_buckets, strict=True):
        if new is old or not old:
            continue
        for key, _ in old:
            if not new or not any(new_key == key for new_key, _ in new):
                removed.append(key)
    return removed


def remember_last(size: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function of immutable objects (positional arguments only) to keep its last
    `size` results, each keyed on the very objects it was called with."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        # (ids of the parts, the parts, result), the latest first. The parts are held, so
        # their ids cannot be taken by other objects while they are remembered: equal ids are
        # the very same objects.
        remembered: list[tuple[tuple[int, ...], tuple[object, ...], R]] = []

        @functools.wraps(function)
        def remembering(*parts: P.args, **options: P.kwargs) -> R:
            if options:
                raise TypeError(f"{function.__name__} is remembered by its positional arguments")
            ids = tuple(map(id, parts))
            for seen, _, result in remembered:
                if seen == ids:
                    return result
            result = function(*parts, **options)
            remembered.insert(0, (ids, parts, result))
            del remembered[size:]
            return result

        return remembering

    return decorate
