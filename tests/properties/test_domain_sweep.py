"""The machine's sweep of every governable key at and one past each documented bound (§6.8).

A model whose domain check lets a value through, or refuses a value at a bound, is caught on the
first firing of the sweep that reaches that edge, whichever key it is; a correct model leaves the
chain as it was.
"""

from __future__ import annotations

import attrs
import pytest
from broken_fixtures import GENESIS

from model import governance
from model.governance import ParamChange
from model.params import Params
from model.units import Rejected
from properties.driver import VIOLATIONS
from properties.machine import ChainMachine
from properties.rules.domains import DOMAIN_EDGES, domain_edge_value


def _machine() -> ChainMachine:
    machine = ChainMachine()
    machine.create_chain(genesis=GENESIS)
    return machine


def test_correct_model__the_sweep_applies_nothing_and_holds() -> None:
    machine = _machine()
    for _ in DOMAIN_EDGES:
        machine.process_every_key_at_a_bound()
        machine.check("GOV-PARAMS")
        machine.check("ACT-ALLOWED")
    assert machine.actions == []
    assert machine.swept_edges == len(DOMAIN_EDGES)


def test_domain_check_skipped__an_accepted_value_past_a_bound_breaks_gov_params(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = governance.compute_changed_params

    def unchecked(params: Params, changes: tuple[ParamChange, ...]) -> Params | Rejected:
        with attrs.validators.disabled():
            return real(params, changes)

    monkeypatch.setattr(governance, "compute_changed_params", unchecked)
    machine = _machine()
    machine.process_every_key_at_a_bound()
    assert machine.actions, "the accepted out-of-domain proposals enter the trace"
    with pytest.raises(VIOLATIONS["GOV-PARAMS"], match="accepted proposal"):
        machine.check("GOV-PARAMS")


def test_bound_moved_inward__a_refusal_at_the_bound_breaks_act_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = governance.compute_changed_params
    top = domain_edge_value("consensus.commit_timeout_seconds", "maximum")

    def narrowed(params: Params, changes: tuple[ParamChange, ...]) -> Params | Rejected:
        if any(
            change.key == "commit_timeout_seconds" and change.value == top for change in changes
        ):
            return Rejected("compute_changed_params", "outside the allowed range")
        return real(params, changes)

    monkeypatch.setattr(governance, "compute_changed_params", narrowed)
    machine = _machine()
    for _ in DOMAIN_EDGES:
        machine.process_every_key_at_a_bound()
    assert len(machine.actions) == 1
    with pytest.raises(VIOLATIONS["ACT-ALLOWED"], match="outside the allowed range"):
        machine.check("ACT-ALLOWED")
