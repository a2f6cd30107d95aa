"""The machine's parameter rules (§6.8): every governable key at and one past each documented
bound, and two proposals coherent apart but not together.

A model whose domain check lets a value through, or refuses a value at a bound, is caught on the
first firing of the sweep that reaches that edge, whichever key it is; a correct model leaves the
chain as it was.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest
from broken_fixtures import fresh_machine

from model import governance
from model.governance import ParamChange
from model.params import Params
from model.units import Rejected
from properties.driver import VIOLATIONS
from properties.rules.parameters import DOMAIN_EDGES, domain_edge_value


def test_correct_model__the_sweep_applies_nothing_and_holds() -> None:
    machine = fresh_machine()
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

    # The constitution's ranges lie inside the domains: skipped too, nothing stops the value.
    monkeypatch.setattr(governance, "compute_changed_params", unchecked)
    monkeypatch.setattr(governance, "get_constitution_violation", lambda params, c: None)
    machine = fresh_machine()
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
    machine = fresh_machine()
    for _ in DOMAIN_EDGES:
        machine.process_every_key_at_a_bound()
    assert len(machine.actions) == 1
    with pytest.raises(VIOLATIONS["ACT-ALLOWED"], match="outside the allowed range"):
        machine.check("ACT-ALLOWED")


def test_two_proposals_incoherent_together__the_second_tally_is_refused() -> None:
    machine = fresh_machine()
    before = machine.checked
    assert before is not None
    machine.process_two_proposals_incoherent_together()
    after = machine.checked
    assert after is not None
    tallies = [p.result for p in after.state.governance.proposals.values() if p.result]
    assert [(r.passed, r.refused is not None) for r in tallies] == [(True, False), (False, True)]
    machine.check("GOV-PARAMS")
    pay = after.state.params.payment
    assert pay.str_node_profit_bps == before.state.params.payment.str_node_profit_bps + 1


def _tally_judges_coherence(
    monkeypatch: pytest.MonkeyPatch, at_tally: Callable[[str | None], str | None]
) -> None:
    """The model's coherence verdict kept at both submissions (its first two calls) and passed
    through `at_tally` at each tally after them, as a model with a broken recheck would give."""
    real = governance.get_incoherence_reason
    calls: list[Params] = []

    def judged(params: Params) -> str | None:
        calls.append(params)
        found = real(params)
        return found if len(calls) <= 2 else at_tally(found)

    monkeypatch.setattr(governance, "get_incoherence_reason", judged)


def test_tally_without_the_coherence_recheck__breaks_gov_params(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _tally_judges_coherence(monkeypatch, lambda found: None)
    machine = fresh_machine()
    machine.process_two_proposals_incoherent_together()
    with pytest.raises(VIOLATIONS["GOV-PARAMS"], match="str-sub-shares"):
        machine.check("GOV-PARAMS")


def test_tally_refusing_coherent_changes__breaks_act_governance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _tally_judges_coherence(monkeypatch, lambda found: None if found else "shares do not add up")
    machine = fresh_machine()
    machine.process_two_proposals_incoherent_together()
    with pytest.raises(VIOLATIONS["ACT-GOVERNANCE"], match="keep the shares coherent"):
        machine.check("ACT-GOVERNANCE")
