"""The persistent map of the model's state: pyrsistent's `PMap`, its entries kept in a dict.

A state's maps are small (tens of entries) and read far more often than written, and pyrsistent
keeps a PMap in a vector of hash buckets that every lookup, update and iteration walks in Python
code. `DictMap` is a `PMap` whose entries sit in a dict that is never changed once the map is
built: an update copies the dict (copy on write), a lookup or an iteration is the dict's own.
Being a `PMap`, it meets every annotation, compares equal to (and hashes as) any PMap with the
same items, and mixes with maps built by `pyrsistent.pmap`; `keys()` is PMap's set of keys,
`values()` and `items()` the dict's views (PMap's views are iterated, sized and searched alike).
Its iteration follows insertion order, where a PMap's follows the keys' hashes. It holds the
maps keyed by strings (or tuples of strings), whose PMap order already changed from one run to
the next with Python's string hashing; maps keyed by integers, whose PMap order is the same in
every run, stay PMaps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from pyrsistent import PMap, pmap

K = TypeVar("K")
V = TypeVar("V")

# PMap's own set of keys, which reads the map through its public methods.
_KEYS: Any = type(pmap().keys())


class DictMap(PMap[K, V]):
    """A `PMap` over a dict that is never mutated; see the module docstring."""

    __slots__ = ("_entries",)
    _entries: dict[K, V]
    _cached_hash: int
    """PMap's own slot for the hash, kept once computed."""

    def __new__(cls, entries: dict[K, V]) -> DictMap[K, V]:
        """The map of `entries`, which the caller hands over and never changes again."""
        self = object.__new__(cls)
        self._entries = entries
        return self

    def __getitem__(self, key: K) -> V:
        return self._entries[key]

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: K, default: Any = None) -> Any:
        return self._entries.get(key, default)

    def __iter__(self) -> Iterator[K]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def iterkeys(self) -> Iterator[K]:
        return iter(self._entries)

    def itervalues(self) -> Iterator[V]:
        return iter(self._entries.values())

    def iteritems(self) -> Iterator[tuple[K, V]]:
        return iter(self._entries.items())

    def keys(self) -> Any:
        return _KEYS(self)

    def values(self) -> Any:
        # The dict's own view (iterated, sized and searched as PMap's; never changing, as the
        # dict never changes): a PMap view would walk the map through two more Python calls.
        return self._entries.values()

    def items(self) -> Any:
        return self._entries.items()

    def __repr__(self) -> str:
        return f"pmap({self._entries})"

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, DictMap):
            return self._entries == other._entries
        if not isinstance(other, Mapping):
            return NotImplemented
        if len(other) != len(self._entries):
            return False
        return self._entries == (other if isinstance(other, dict) else dict(other.items()))

    def __hash__(self) -> int:
        # PMap's hash, so a DictMap and a PMap that are equal hash alike; kept, as PMap keeps it.
        try:
            return self._cached_hash
        except AttributeError:
            self._cached_hash = hash(frozenset(self._entries.items()))
            return self._cached_hash

    def __reduce__(self) -> tuple[Callable[[Mapping[K, V]], PMap[K, V]], tuple[dict[K, V]]]:
        return dmap, (dict(self._entries),)

    def set(self, key: K, val: V) -> PMap[K, V]:
        entries = self._entries
        # As PMap.set: the same value under the same key gives back the map itself.
        if key in entries and entries[key] is val:
            return self
        changed = entries.copy()
        changed[key] = val
        return DictMap(changed)

    def remove(self, key: K) -> PMap[K, V]:
        if key not in self._entries:
            raise KeyError(f"{key}")
        changed = self._entries.copy()
        del changed[key]
        return DictMap(changed)

    def discard(self, key: K) -> PMap[K, V]:
        return self.remove(key) if key in self._entries else self

    def update(self, *maps: Mapping[K, V]) -> PMap[K, V]:
        return self.update_with(lambda _, right: right, *maps)

    def update_with(self, update_fn: Callable[[V, V], V], *maps: Mapping[K, V]) -> PMap[K, V]:
        evolver = self.evolver()
        for other in maps:
            for key, value in other.items():
                evolver.set(key, update_fn(evolver[key], value) if key in evolver else value)
        return evolver.persistent()

    def evolver(self) -> DictMapEvolver[K, V]:  # type: ignore[override]
        return DictMapEvolver(self)


class DictMapEvolver(Generic[K, V]):
    """PMap's evolver for a `DictMap`: updates gathered in one dict, copied at the first."""

    def __init__(self, original: DictMap[K, V]) -> None:
        self._original = original
        self._entries = original._entries
        self._dirty = False

    def __getitem__(self, key: K) -> V:
        return self._entries[key]

    def __setitem__(self, key: K, val: V) -> None:
        self.set(key, val)

    def __delitem__(self, key: K) -> None:
        self.remove(key)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def _own(self) -> dict[K, V]:
        if not self._dirty:
            self._entries = self._entries.copy()
            self._dirty = True
        return self._entries

    def set(self, key: K, val: V) -> DictMapEvolver[K, V]:
        entries = self._entries
        if key not in entries or entries[key] is not val:
            self._own()[key] = val
        return self

    def remove(self, key: K) -> DictMapEvolver[K, V]:
        if key not in self._entries:
            raise KeyError(f"{key}")
        del self._own()[key]
        return self

    def is_dirty(self) -> bool:
        return self._dirty

    def persistent(self) -> DictMap[K, V]:
        if self._dirty:
            # The dict now belongs to the new map: a later update copies it again.
            self._original = DictMap(self._entries)
            self._dirty = False
        return self._original


EMPTY: DictMap[Any, Any] = DictMap({})


def dmap(initial: Mapping[K, V] | None = None) -> PMap[K, V]:
    """The `DictMap` of `initial`'s items (empty without), as `pyrsistent.pmap` builds a PMap."""
    if not initial:
        return EMPTY
    return DictMap(dict(initial))


def set_each(mapping: PMap[K, V], changes: Iterable[tuple[K, V]]) -> PMap[K, V]:
    """`mapping` with each (key, value) of `changes` set in turn: what `set` after `set` gives,
    built with one copy of a `DictMap`'s dict (through the evolver for any other PMap)."""
    if type(mapping) is DictMap:
        entries = mapping._entries
        changed: dict[K, V] | None = None
        for key, value in changes:
            if changed is None:
                # As PMap.set: the same value under the same key changes nothing.
                if key in entries and entries[key] is value:
                    continue
                changed = entries.copy()
            changed[key] = value
        return mapping if changed is None else DictMap(changed)
    evolver = mapping.evolver()
    for key, value in changes:
        evolver.set(key, value)
    return evolver.persistent()
