"""GOV-SAFE on the machine (§6.8): every parameter set a tally adopts stays inside the hardened
constitution's ranges and fraction bounds with coherent shares, the region the Z3 engine proves
every invariant on.

Under the literal text a single yes vote of one ustr adopts any in-domain value, so GOV-SAFE
fails there, naming the proposal, the key, its value and range, and the vote; under the
hardened constitution the chain refuses each such proposal at submission, for a reason naming
the key, its process and its range, row by row of the table, and a quick run holds.
"""

from __future__ import annotations

import pytest
from broken_fixtures import GENESIS, fresh_machine

from model.chain.actions import AdvanceTime, CastVote, SubmitProposal, Tally
from model.chain.state import create_chain
from model.chain.transitions import process_action
from model.constitution import HARDENED_CONSTITUTION
from model.governance import ParamChange, VoteOption
from model.params import WHITEPAPER_PARAMS, param_specs
from model.profile import HARDENED, WHITEPAPER
from model.units import MICRO, Rejected
from properties.driver import VIOLATIONS
from properties.effort import EFFORTS
from properties.machine import ChainMachine
from properties.runner import Verdict, run_properties
from properties.strategies import USERS

ONE_THIRD = (ParamChange("consensus", "threshold_num", 1),)
"""§3.3's threshold lowered to 1/3: inside the key's domain, outside the constitution (2/3)."""


class LiteralMachine(ChainMachine):
    """The machine under the literal text (§6.8 as written)."""

    profile = WHITEPAPER


def _one_ustr_vote(machine: ChainMachine, changes: tuple[ParamChange, ...]) -> bool:
    """A proposal of `changes`, voted yes by one voter holding one ustr, run to its tally;
    True iff it was submitted."""
    assert machine.checked is not None
    funder = machine._richest_developer()
    voter = USERS[2]
    proposal_id = machine.checked.state.governance.next_proposal_id
    if not machine.apply(SubmitProposal(USERS[0], changes, MICRO)):
        return False
    assert machine.set_voting_powers({voter: 1}, funder)
    machine.apply(CastVote(proposal_id, voter, VoteOption.YES))
    machine.run_to_tally(proposal_id)
    return True


def test_literal_text__one_ustr_adopts_a_one_third_threshold_and_gov_safe_fails() -> None:
    machine = fresh_machine(LiteralMachine)
    assert _one_ustr_vote(machine, ONE_THIRD)
    assert machine.checked is not None
    assert machine.checked.state.params.consensus.threshold_num == 1
    with pytest.raises(VIOLATIONS["GOV-SAFE"]) as failed:
        machine.check("GOV-SAFE")
    detail = str(failed.value)
    assert "proposal 1" in detail
    assert "consensus.threshold_num = 1" in detail
    assert "1/3 is outside the constitution's range [2/3, 1)" in detail
    assert f"{USERS[2]} yes 1 ustr" in detail


def test_hardened__the_one_ustr_proposal_is_refused_and_gov_safe_holds() -> None:
    machine = fresh_machine()
    assert not _one_ustr_vote(machine, ONE_THIRD)
    machine.check("GOV-SAFE")
    machine.check("ACT-ALLOWED")
    assert machine.checked is not None
    assert machine.checked.state.params.consensus.threshold_num == 2


def test_gov_safe__a_tally_adopting_nothing_is_no_evidence() -> None:
    machine = fresh_machine()
    assert machine.checked is not None
    change = (ParamChange("governance", "complaint_min_deposit_ustr", 2 * MICRO),)
    assert _one_ustr_vote(machine, change)  # one ustr misses x/gov's quorum
    assert not machine.observations.get("GOV-SAFE")


def test_gov_safe__an_adopted_safe_set_holds() -> None:
    machine = fresh_machine()
    change = (ParamChange("governance", "complaint_min_deposit_ustr", 2 * MICRO),)
    assert machine.enact(change)
    observed = machine.observations.get("GOV-SAFE", [])
    assert observed and all(observation.holds for observation in observed)


# --- Each row of the table is enforced by the chain --------------------------------------------

_SPECS = {spec.name: spec for spec in param_specs()}


def _outside(name: str) -> list[int]:
    """The values one past each end of `name`'s hardened range that its domain still holds."""
    row, spec = HARDENED_CONSTITUTION.rows[name], _SPECS[name]
    return [v for v in (row.minimum - 1, row.maximum + 1) if spec.minimum <= v <= spec.maximum]


def _submit(changes: tuple[ParamChange, ...]) -> Rejected | None:
    """The hardened chain's answer to a proposal of `changes` at genesis: a refusal, or None."""
    state = create_chain(GENESIS, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert not isinstance(state, Rejected)
    result = process_action(state, SubmitProposal(USERS[0], changes, MICRO))
    return result if isinstance(result, Rejected) else None


@pytest.mark.parametrize("name", sorted(HARDENED_CONSTITUTION.rows))
def test_every_row__a_value_just_outside_its_range_is_refused_naming_key_process_and_range(
    name: str,
) -> None:
    row = HARDENED_CONSTITUTION.rows[name]
    subspace, key = name.split(".")
    values = _outside(name)
    if not values:
        # The range is the whole domain: one past it is refused as out of the domain.
        spec = _SPECS[name]
        assert (row.minimum, row.maximum) == (spec.minimum, spec.maximum)
        refused = _submit((ParamChange(subspace, key, spec.maximum + 1),))
        assert refused is not None and key in refused.reason
        return
    for value in values:
        refused = _submit((ParamChange(subspace, key, value),))
        assert refused is not None, f"{name} = {value} was accepted"
        assert name in refused.reason
        assert f"{row.minimum}..{row.maximum}" in refused.reason
        assert row.process.value in refused.reason


def test_every_row__its_ends_are_not_refused_for_the_range() -> None:
    """At either end of its range a key is inside its row (a fraction's bound or the shares'
    coherence may still refuse the proposal, for their own reason)."""
    for name, row in HARDENED_CONSTITUTION.rows.items():
        subspace, key = name.split(".")
        for value in (row.minimum, row.maximum):
            refused = _submit((ParamChange(subspace, key, value),))
            own = f"{name} = {value} is outside the constitution's range"
            assert refused is None or own not in refused.reason, refused


def test_every_fraction__below_its_least_share_is_refused_naming_both_keys() -> None:
    for bound in HARDENED_CONSTITUTION.ratio_bounds:
        num_row = HARDENED_CONSTITUTION.rows[bound.num_key]
        den_row = HARDENED_CONSTITUTION.rows[bound.den_key]
        pairs = [
            (num, den)
            for den in range(den_row.minimum, min(den_row.maximum, 30) + 1)
            for num in range(num_row.minimum, min(num_row.maximum, 30) + 1)
            if num * bound.least.den < bound.least.num * den or num >= den
        ]
        for num, den in pairs[:5]:
            num_space, num_key = bound.num_key.split(".")
            den_space, den_key = bound.den_key.split(".")
            changes = (ParamChange(num_space, num_key, num), ParamChange(den_space, den_key, den))
            refused = _submit(changes)
            assert refused is not None, (bound.num_key, num, den)
            assert bound.num_key in refused.reason and bound.den_key in refused.reason


def test_mixed_processes__are_refused_naming_the_amendment_key() -> None:
    refused = _submit(
        (
            ParamChange("slashing", "slash_base_bps", 101),
            ParamChange("governance", "complaint_min_deposit_ustr", 2 * MICRO),
        )
    )
    assert refused is not None
    assert "slashing.slash_base_bps" in refused.reason and "amendment" in refused.reason


# --- Whole runs ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_hardened_quick_run__gov_safe_holds_with_every_vote_edge_reached() -> None:
    report = run_properties(
        WHITEPAPER_PARAMS,
        HARDENED,
        EFFORTS["quick"],
        0,
        only=frozenset({"GOV-SAFE"}),
        explore=False,
    )
    (result,) = report.results
    assert result.verdict is Verdict.PASS, result.note
    assert result.observations > 0
    reached = {row.name: row.reached for row in report.boundaries}
    for edge in ("quorum.below", "quorum.on", "threshold.on", "threshold.above"):
        assert reached[edge] > 0, edge
    for edge in ("veto.on", "veto.above", "amendment.adopted", "amendment.yay.below"):
        assert reached[edge] > 0, edge


def test_literal_quick_run__gov_safe_fails() -> None:
    report = run_properties(
        WHITEPAPER_PARAMS,
        WHITEPAPER,
        EFFORTS["quick"],
        0,
        only=frozenset({"GOV-SAFE"}),
        explore=False,
    )
    (result,) = report.results
    assert result.verdict is Verdict.FAIL
    assert result.counterexample is not None
    assert "outside the proven region" in result.counterexample.detail


def test_check_gov_safe__a_step_that_adopts_nothing_is_no_evidence() -> None:
    machine = fresh_machine(LiteralMachine)
    machine.apply(AdvanceTime(1))
    assert machine.apply(SubmitProposal(USERS[0], ONE_THIRD, MICRO))
    assert not machine.apply(Tally(1))  # too early: refused, and rightly
    assert not machine.observations.get("GOV-SAFE")
