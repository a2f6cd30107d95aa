"""ACT-TOTAL's walk of a returned state reads only what a step changed, and still finds every
malformed part there: in a log of flags, in an item appended to a log, in an entry of a persistent
map before and after it grows, behind a part it has already found well formed, and in a class that
becomes a mapping after the walk has met it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs
from attrs import frozen
from broken_fixtures import GENESIS
from broken_rules import P
from pyrsistent import PMap, pmap

from model.chain.state import ChainState, create_chain
from model.profile import HARDENED
from model.units import Rejected
from properties.invariants.wellformed import find_malformed


@frozen
class Entry:
    amount: int
    flags: tuple[bool, ...] = ()


@frozen
class Book:
    entries: PMap[str, Entry]
    log: tuple[Entry, ...]
    times: tuple[int, ...] = ()


def _book(size: int) -> Book:
    entries = pmap({f"e{i}": Entry(i, (True, False)) for i in range(size)})
    return Book(entries=entries, log=tuple(entries.values()))


def test_a_float_among_flags__is_found_with_its_index() -> None:
    book = _book(3)
    entry = attrs.evolve(book.entries["e1"], flags=(True, 0.5, False))  # type: ignore[arg-type]
    after = attrs.evolve(book, entries=book.entries.set("e1", entry))
    found = find_malformed(after, Book, before=book)
    assert found == "a float 0.5 at the state.entries['e1'].flags[1]"
    assert find_malformed(attrs.evolve(book, times=(1, 2, 0.5)), Book, before=book) == (  # type: ignore[arg-type]
        "a float 0.5 at the state.times[2]"
    )


def test_an_item_appended_to_a_log__is_walked_and_the_items_it_keeps_are_not() -> None:
    book = _book(2)
    appended = attrs.evolve(book, log=(*book.log, Entry(1.5)))  # type: ignore[arg-type]
    assert find_malformed(appended, Book, before=book) == "a float 1.5 at the state.log[2].amount"
    rebuilt = attrs.evolve(book, log=(Entry(2.5), *book.log[1:]))  # type: ignore[arg-type]
    assert find_malformed(rebuilt, Book, before=book) == "a float 2.5 at the state.log[0].amount"
    # A log whose malformed item is the very item of the log before it: taken as checked then.
    assert find_malformed(attrs.evolve(appended, times=(1,)), Book, before=appended) is None


def test_a_changed_entry__is_found_whether_or_not_the_map_grew() -> None:
    """A persistent map reallocates its buckets as it grows: the walk reads it either way."""
    for size in (1, 4, 5, 40):
        book = _book(size)
        grown = book.entries
        for i in range(size, size + 3):
            grown = grown.set(f"e{i}", Entry(i))
        for entries in (book.entries, grown):
            broken = entries.set("e0", Entry(0, (True, None)))  # type: ignore[arg-type]
            after = attrs.evolve(book, entries=broken)
            found = find_malformed(after, Book, before=book)
            assert found == "a NoneType None, declared bool at the state.entries['e0'].flags[1]"


def test_a_part_of_the_wrong_class__is_found_after_a_right_one_of_the_same_hint() -> None:
    book = _book(2)
    assert find_malformed(book, Book) is None
    wrong = attrs.evolve(book, entries=book.entries.set("e9", Entry("9")))  # type: ignore[arg-type]
    assert find_malformed(wrong, Book, before=book) == (
        "a str '9', declared int at the state.entries['e9'].amount"
    )


def test_a_changed_entry_of_the_models_own_maps__is_found() -> None:
    state = create_chain(GENESIS, params=P, profile=HARDENED)
    assert not isinstance(state, Rejected)
    balances = state.ledger.balances
    account = sorted(balances)[-1]
    broken = balances.set(account, attrs.evolve(balances[account], ustb=0.25))  # type: ignore[arg-type]
    after = attrs.evolve(state, ledger=attrs.evolve(state.ledger, balances=broken))
    assert find_malformed(after, ChainState, before=state) == (
        f"a float 0.25 at the state.ledger.balances[{account!r}].ustb"
    )


class Shelf:
    """A container the walk first meets as an iterable of keys, then as a registered Mapping."""

    def __init__(self, items: dict[str, Any]) -> None:
        self.items_ = items

    def __getitem__(self, key: str) -> Any:
        return self.items_[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.items_)

    def __len__(self) -> int:
        return len(self.items_)

    def items(self) -> Any:
        return self.items_.items()

    def get(self, key: str, default: Any = None) -> Any:
        return self.items_.get(key, default)


@frozen
class Holder:
    shelf: object


def test_a_class_registered_as_a_mapping_later__is_walked_as_one() -> None:
    holder = Holder(Shelf({"a": 0.5}))
    assert find_malformed(holder, Holder) is None  # an iterable of keys: no value is read
    Mapping.register(Shelf)
    assert find_malformed(holder, Holder) == "a float 0.5 at the state.shelf['a']"
