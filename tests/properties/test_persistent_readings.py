"""The cheap readings of immutable state (`oracle.persistent`) give the answers of the direct
computation: the diff of two persistent maps is the entry-by-entry diff, in the map's own order,
and a remembered reading is the reading of the very objects it was given, never of equal ones.
The checkers that read through them still catch what they must."""

from __future__ import annotations

import itertools
import random
from typing import Any

import attrs
import pytest
from broken_fixtures import GENESIS
from broken_rules import USER_0, USER_1, P
from pyrsistent import PMap, pmap

from model.chain.actions import AdvanceTime, MintInflation, Transfer
from model.chain.state import ChainState, create_chain
from model.governance import ParamChange
from model.ledger import BURN_ADDRESS, Token
from model.profile import HARDENED
from model.units import Rejected
from oracle.domains import param_values
from oracle.governance import held_str, submission_problems, with_changes
from oracle.ledger import movements, negative_accounts, total_stb_held, total_str_held
from oracle.persistent import ABSENT, changed_items, remember_last, removed_keys
from properties.invariants.conservation import check_cons_str, check_escrow_solvent
from properties.invariants.step import ChainStep, History, _record_effects, record_effects
from properties.replay import Checked, apply_and_check, process_or_raise, start_and_check


def _naive_changes(before: Any, after: Any) -> list[tuple[Any, Any, Any]]:
    """The diff as the checkers read it before: every entry of `after`, looked up in `before`."""
    return [
        (key, value, before.get(key, ABSENT))
        for key, value in after.items()
        if value is not before.get(key, ABSENT)
    ]


def _versions(seed: int, start: PMap[Any, Any]) -> list[PMap[Any, Any]]:
    """A persistent map through random sets (new keys, new values, the same value) and
    removals, each version kept: the maps share whatever a step left alone."""
    rng = random.Random(seed)
    versions = [start]
    current = start
    for _ in range(60):
        key = rng.choice([f"account-{rng.randrange(40)}", rng.randrange(40)])
        roll = rng.random()
        if roll < 0.15 and key in current:
            current = current.remove(key)
        elif roll < 0.3 and key in current:
            current = current.set(key, current[key])  # the very same value: the same map
        else:
            current = current.set(key, object())
        versions.append(current)
    return versions


@pytest.mark.parametrize("seed", range(6))
def test_changed_items__is_the_entry_by_entry_diff_of_any_two_versions(seed: int) -> None:
    """Growth (the buckets reallocated), removals and untouched entries all included."""
    versions = _versions(seed, pmap({f"account-{i}": object() for i in range(seed * 3)}))
    rng = random.Random(seed)
    pairs = list(itertools.pairwise(versions))
    pairs += [(rng.choice(versions), rng.choice(versions)) for _ in range(40)]
    for before, after in pairs:
        assert list(changed_items(before, after)) == _naive_changes(before, after)
        assert removed_keys(before, after) == [k for k in before if k not in after]


def test_changed_items__reads_any_mapping_alike() -> None:
    """The model's own maps, plain dicts and a mix of kinds give the entry-by-entry diff."""
    state = _genesis()
    balances = state.ledger.balances
    account = sorted(balances)[0]
    moved = balances.set(account, attrs.evolve(balances[account], ustr=1))
    plain = dict(balances.items())
    for before, after in [(balances, moved), (plain, moved), (moved, plain), (plain, dict(plain))]:
        assert list(changed_items(before, after)) == _naive_changes(before, after)
    assert [key for key, _, _ in changed_items(balances, moved)] == [account]


def test_changed_items__an_equal_value_that_is_a_new_object_is_listed() -> None:
    """Identity, not equality: a value rebuilt equal is read again (it may hide anything)."""
    first = pmap({"a": (1, 2), "b": (3,)})
    rebuilt = first.set("a", tuple([1, 2]))
    assert rebuilt["a"] == first["a"] and rebuilt["a"] is not first["a"]
    assert [key for key, _, _ in changed_items(first, rebuilt)] == ["a"]
    assert list(changed_items(first, first)) == []


def test_remember_last__reuses_only_the_very_same_objects() -> None:
    calls: list[object] = []

    @remember_last(2)
    def reading(part: object) -> int:
        calls.append(part)
        return len(calls)

    one, two, three = [1, 2], [1, 2], [1, 2]
    assert reading(one) == 1 and reading(one) == 1
    assert reading(two) == 2  # equal, but another object: read again
    assert reading(one) == 1 and reading(two) == 2
    assert reading(three) == 3  # the oldest of the two (one) is let go
    assert reading(one) == 4
    with pytest.raises(TypeError, match="positional"):
        reading(part=one)


def _genesis() -> ChainState:
    state = create_chain(GENESIS, params=P, profile=HARDENED)
    assert not isinstance(state, Rejected)
    return state


def _trace() -> list[Checked]:
    started = start_and_check(GENESIS, params=P, profile=HARDENED)
    assert isinstance(started, Checked)
    states = [started]
    for action in (
        Transfer(USER_0, USER_1, Token.STR, 1_000),
        AdvanceTime(60),
        Transfer(USER_1, USER_0, Token.STB, 7),
        Transfer(USER_0, USER_1, Token.STR, 5),
    ):
        result = apply_and_check(states[-1], action)
        assert isinstance(result, Checked)
        states.append(result)
    return states


def test_ledger_readings__are_the_direct_sums_on_every_state_of_a_trace() -> None:
    states = [checked.state for checked in _trace()]
    for state in states + states[::-1]:
        balances = state.ledger.balances
        assert total_str_held(state.ledger) == sum(
            b.ustr for a, b in balances.items() if a != BURN_ADDRESS
        )
        assert total_stb_held(state.ledger) == sum(b.ustb for b in balances.values())
        assert negative_accounts(state.ledger) == []
    for before, after in itertools.pairwise(states):
        direct = {}
        for account in set(before.ledger.balances) | set(after.ledger.balances):
            old = before.ledger.balances.get(account)
            new = after.ledger.balances.get(account)
            for token, delta in (
                ("str", (new.ustr if new else 0) - (old.ustr if old else 0)),
                ("stb", (new.ustb if new else 0) - (old.ustb if old else 0)),
            ):
                if delta:
                    direct[(str(account), token)] = delta
        assert movements(before.ledger, after.ledger) == direct


def test_a_remembered_verdict__still_breaks_on_a_broken_ledger() -> None:
    """CONS-STR and ESCROW-SOLVENT read the very state they are given: a ledger one ustr off (or
    an escrow below nothing) breaks them between two readings of the sound state."""
    state = _genesis()
    step = ChainStep(before=None, action=None, after=state, effects=(), history=History())
    account = sorted(state.ledger.balances)[0]
    balance = state.ledger.balances[account]
    minted = attrs.evolve(
        state,
        ledger=attrs.evolve(
            state.ledger,
            balances=state.ledger.balances.set(
                account, attrs.evolve(balance, ustr=balance.ustr + 1)
            ),
        ),
    )
    broken = attrs.evolve(step, after=minted)
    for _ in range(2):
        sound = check_cons_str(step)
        assert sound is not None and sound.holds
        found = check_cons_str(broken)
        assert found is not None and not found.holds
        assert "holdings + burned" in found.detail
    escrow = sorted(a for a in state.ledger.balances if str(a).startswith("escrow:"))[0]
    held = state.ledger.balances[escrow]
    overdrawn = attrs.evolve(
        state,
        ledger=attrs.evolve(
            state.ledger,
            balances=state.ledger.balances.set(escrow, attrs.evolve(held, ustb=-1)),
        ),
    )
    solvent = check_escrow_solvent(step)
    assert solvent is not None and solvent.holds
    insolvent = check_escrow_solvent(attrs.evolve(step, after=overdrawn))
    assert insolvent is not None and not insolvent.holds
    assert check_escrow_solvent(step) == solvent


def test_remembered_readings__are_copies_the_caller_may_change() -> None:
    state = _genesis()
    held = held_str(state)
    held.clear()
    assert held_str(state) and held_str(state) != held
    values = param_values(state.params)
    values.clear()
    assert param_values(state.params)


def test_remembered_proposal_readings__match_the_unremembered_ones() -> None:
    """A tuple of changes is read once per parameter set; a list is read every time, alike."""
    state = _genesis()
    names = sorted(param_values(state.params))
    values = param_values(state.params)
    changes = tuple(
        ParamChange(name.split(".")[0], name.split(".")[1], values[name] + 1) for name in names[:3]
    )
    assert with_changes(state.params, changes) == with_changes(state.params, list(changes))
    assert with_changes(state.params, changes) is with_changes(state.params, changes)
    outside = (ParamChange("slashing", "slash_base_bps", 0),)  # in its domain, not its range
    listed: Any = list(outside)
    assert submission_problems(state, outside) == submission_problems(state, listed)
    assert submission_problems(state, outside)


def test_history_after_effects__is_the_same_remembered_or_not() -> None:
    checked = _trace()
    actions = (AdvanceTime(3_600), MintInflation(), AdvanceTime(60))
    for current in checked:
        for action in actions:
            result = process_or_raise(current, action)
            assert isinstance(result, tuple)
            _, effects = result
            remembered = record_effects(current.history, effects)
            assert remembered == _record_effects.__wrapped__(current.history, *effects)  # type: ignore[attr-defined]
            assert record_effects(current.history, effects) is remembered
