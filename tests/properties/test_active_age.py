"""§4.5's six-month exemption of the outbound cap, driven by its machine rule from both sides.

`process_outbound_at_active_age` gives an app a first settled round (its active use begins at
the round's decision time, docs/model.md "Active use"), takes its other exemptions away, and
asks once more than the cap one second before, exactly at, and one second after six months of
active use: only the last may be let through ("active use for > 6 months").
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from model import reputation
from model.chain.actions import OutboundRequest
from model.chain.state import Genesis
from model.params import WHITEPAPER_PARAMS, Params
from model.reputation import AppReputation
from model.units import AppId, Seconds
from properties.driver import VIOLATIONS
from properties.evidence import Recorder
from properties.machine import ChainMachine

APP = AppId("app-0")
GENESIS = Genesis(
    user_ustr=(10**9,) * 3,
    user_ustb=(10**9,) * 3,
    validator_bonds=(10**9,) * 3,
    node_stakes=(10**9,) * 4,
    developer_ustr=10**15,
    developer_ustb=10**15,
    prepay_ustr=10**12,
    prepay_ustb=10**12,
    price=Fraction(1),
)
SIDES = {-1: "before", 0: "on", 1: "after"}


def _run(offset: int) -> ChainMachine:
    machine_class: type[ChainMachine] = type("AgeRun", (ChainMachine,), {"recorder": Recorder()})
    machine = machine_class()
    machine.create_chain(genesis=GENESIS)
    machine.process_outbound_at_active_age(app=APP, offset=offset, price=Fraction(1))
    return machine


def _violated(machine: ChainMachine, invariant: str) -> bool:
    try:
        machine.check(invariant)
    except VIOLATIONS[invariant]:
        return True
    return False


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_each_side_of_six_months_is_reached_and_holds(offset: int) -> None:
    machine = _run(offset)
    reached = machine.recorder.boundaries
    assert reached[f"outbound-active.{SIDES[offset]}"] > 0
    others = [f"outbound-active.{side}" for o, side in SIDES.items() if o != offset]
    assert all(reached[name] == 0 for name in others)
    for invariant in ("REP-OUTBOUND", "ACT-ALLOWED", "ACT-REPUTATION"):
        assert not _violated(machine, invariant), invariant
    assert machine.checked is not None
    cap = WHITEPAPER_PARAMS.reputation.outbound_requests_per_minute
    accepted = [a for a in machine.actions if isinstance(a, OutboundRequest)]
    # The request past the cap is let through only after six months (the refused one is not
    # kept in the trace).
    assert len(accepted) == cap + (1 if offset == 1 else 0)


def test_without_an_offset__the_rule_reaches_all_three_sides_in_turn() -> None:
    machine_class: type[ChainMachine] = type("AgeRun", (ChainMachine,), {"recorder": Recorder()})
    machine = machine_class()
    machine.create_chain(genesis=GENESIS)
    machine.process_outbound_at_active_age(app=APP, offset=None, price=Fraction(1))
    reached = machine.recorder.boundaries
    assert all(reached[f"outbound-active.{side}"] > 0 for side in SIDES.values()), reached
    for invariant in ("REP-OUTBOUND", "ACT-ALLOWED", "ACT-REPUTATION"):
        assert not _violated(machine, invariant), invariant


def test_the_rule_waits_for_no_app_already_past_its_six_months() -> None:
    machine = _run(1)
    taken = len(machine.actions)
    machine.process_outbound_at_active_age(app=APP, offset=-1, price=Fraction(1))
    assert len(machine.actions) == taken


def test_six_months_exactly_treated_as_exempt_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """§4.5 says "> 6 months": an app active exactly six months stays capped; a model that
    compares with >= lets its eleventh request through, and only exactly on the edge."""
    real = reputation.is_outbound_uncapped

    def at_or_after(
        app: AppReputation, *, now: Seconds, params: Params, str_price: Fraction
    ) -> bool:
        since = app.first_active_time
        at = (
            since is not None
            and not app.open_source
            and now - since == params.reputation.uncapped_min_active_seconds
        )
        return at or real(app, now=now, params=params, str_price=str_price)

    monkeypatch.setattr(reputation, "is_outbound_uncapped", at_or_after)
    caught = {offset: _violated(_run(offset), "REP-OUTBOUND") for offset in (-1, 0, 1)}
    assert caught == {-1: False, 0: True, 1: False}


def test_six_months_a_second_late_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that waits one second more refuses the request a second past six months:
    ACT-ALLOWED judges the refusal by the text."""
    real = reputation.is_outbound_uncapped

    def late(app: AppReputation, *, now: Seconds, params: Params, str_price: Fraction) -> bool:
        since = app.first_active_time
        if (
            since is not None
            and not app.open_source
            and now - since == params.reputation.uncapped_min_active_seconds + 1
        ):
            return False
        return real(app, now=now, params=params, str_price=str_price)

    monkeypatch.setattr(reputation, "is_outbound_uncapped", late)
    assert _violated(_run(1), "ACT-ALLOWED") or _violated(_run(1), "REP-OUTBOUND")
