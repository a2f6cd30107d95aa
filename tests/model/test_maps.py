"""DictMap behaves as pyrsistent's PMap: every operation, on random maps and operation sequences."""

from __future__ import annotations

import copy
import pickle
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pyrsistent import PMap, pmap, thaw

from model.maps import DictMap, dmap, set_each

KEYS = st.sampled_from(["a", "b", "c", "d"]) | st.integers(0, 3)
VALUES = st.integers(0, 3) | st.none()
OPS = st.lists(
    st.tuples(
        st.sampled_from(["set", "same", "remove", "discard", "update", "evolve"]), KEYS, VALUES
    ),
    max_size=20,
)


def check_alike(p: PMap[Any, Any], d: PMap[Any, Any]) -> None:
    assert isinstance(d, DictMap)
    assert p == d and d == p and (p != d) is False and hash(p) == hash(d) and len(p) == len(d)
    assert set(p) == set(d) and p.keys() == d.keys() and set(p.items()) == set(d.items())
    assert sorted(map(repr, p.values())) == sorted(map(repr, d.values()))
    for key in ("a", "b", "z", 0, 9):
        assert (key in p) == (key in d) and p.get(key, "x") == d.get(key, "x")
    assert thaw(d) == thaw(p) and eval(repr(d), {"pmap": pmap}) == p
    assert pickle.loads(pickle.dumps(d)) == d and copy.deepcopy(d) == p


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=4), OPS)
def test_operations_as_pmap(initial: dict[Any, Any], ops: list[tuple[str, Any, Any]]) -> None:
    p, d = pmap(initial), dmap(initial)
    for op, key, value in ops:
        if op == "set":
            p2, d2 = p.set(key, value), d.set(key, value)
        elif op == "same" and key in p:
            p2, d2 = p.set(key, p[key]), d.set(key, d[key])
            assert (p2 is p) == (d2 is d)
        elif op in ("remove", "same"):
            errors: list[str | None] = []
            for m in (p, d):
                try:
                    m.remove(key)
                    errors.append(None)
                except KeyError as error:
                    errors.append(str(error))
            assert errors[0] == errors[1]
            p2, d2 = p.discard(key), d.discard(key)
        elif op == "discard":
            p2, d2 = p.discard(key), d.discard(key)
            assert (p2 is p) == (d2 is d)
        elif op == "update":
            p2, d2 = p.update({key: value}, {"a": 1}), d.update({key: value}, {"a": 1})
        else:
            pe, de = p.evolver(), d.evolver()
            pe[key] = value
            de[key] = value
            pe.set("a", 1)
            de.set("a", 1)
            assert pe.is_dirty() == de.is_dirty() and len(pe) == len(de)
            p2, d2 = pe.persistent(), de.persistent()
        check_alike(p2, d2)
        assert set_each(d, [(key, value), ("a", 2)]) == p.set(key, value).set("a", 2)
        p, d = p2, d2


def test_same_values_give_back_the_map() -> None:
    d = dmap({"a": 1})
    assert d.set("a", d["a"]) is d and d.discard("z") is d and set_each(d, [("a", 1)]) is d
    assert dmap() is dmap({}) and dmap() == pmap() and d.a == 1
