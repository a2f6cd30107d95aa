"""GOV-PARAMS: coherence holds and is inductive under hardened governance, not under literal."""

from __future__ import annotations

from pathlib import Path

import pytest
from solver_fixtures import refuted, run

from model.coherence import check_coherence, is_coherent
from model.governance import ParamChange, create_governance_state, process_submit_proposal
from model.ledger import Ledger, create_genesis
from model.params import WHITEPAPER_PARAMS, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.units import AccountId, Rejected
from oracle.governance import incoherences
from reports.check import CheckOptions, run_check
from reports.inputs import load_params
from solver.claim import PLAN_MODES, ParamMode, ProofStatus
from solver.goals import governance as goals
from solver.proofs.governance import GOVERNED_KEYS

PROPOSALS = Path(__file__).resolve().parents[2] / "fixtures" / "proposals"

PROPOSER = AccountId("proposer")


@pytest.mark.parametrize("mode", PLAN_MODES, ids=lambda m: m.value)
def test_proved_under_hardened(mode: ParamMode) -> None:
    assert run("GOV-PARAMS", WHITEPAPER_PARAMS, HARDENED, mode).status is ProofStatus.PROVED


def test_refuted_for_an_incoherent_parameter_set() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("payment", "str_burn_bps"): 1001})
    assert not is_coherent(params)
    assert run("GOV-PARAMS", params, HARDENED).status is ProofStatus.REFUTED


def _submit(change: ParamChange, profile: Profile) -> object:
    ledger = create_genesis({PROPOSER: 10**12})
    assert isinstance(ledger, Ledger)
    return process_submit_proposal(
        ledger,
        create_governance_state(params=WHITEPAPER_PARAMS),
        proposer=PROPOSER,
        changes=(change,),
        deposit_ustr=0,
        now=0,
        profile=profile,
    )


@pytest.mark.parametrize("mode", PLAN_MODES, ids=lambda m: m.value)
def test_refuted_under_literal_governance(mode: ParamMode) -> None:
    result = run("GOV-PARAMS", WHITEPAPER_PARAMS, WHITEPAPER, mode)
    values = refuted(result)
    assert 0 <= values["change.key"] < len(GOVERNED_KEYS)
    # The counterexample names the key beside its number.
    assert dict(result.counterexample)["change.key.name"] == GOVERNED_KEYS[values["change.key"]]


def test_literal_counterexample_is_accepted_by_the_model_and_incoherent() -> None:
    values = refuted(run("GOV-PARAMS", WHITEPAPER_PARAMS, WHITEPAPER))
    subspace, key = GOVERNED_KEYS[values["change.key"]].split(".")
    change = ParamChange(subspace, key, values["change.value"])
    # The model, run on the counterexample: the literal profile accepts the proposal, whose
    # parameters are incoherent; the hardened profile refuses the same proposal.
    assert not is_coherent(with_values(WHITEPAPER_PARAMS, {(subspace, key): change.value}))
    assert not isinstance(_submit(change, WHITEPAPER), Rejected)
    assert isinstance(_submit(change, HARDENED), Rejected)


# --- The counterexample names the part of GOV-PARAMS that fails ----------------------------------

ONE_KEY_BREAKS: tuple[tuple[str, str, int], ...] = (
    ("payment", "str_burn_bps", 1_200),
    ("payment", "stb_reserve_swap_bps", 501),
    ("payment", "payment_rate_bps", 25_000),
)
"""A single key moved off the defaults, each breaking one coherence rule."""


@pytest.mark.parametrize(("subspace", "key", "value"), ONE_KEY_BREAKS)
def test_counterexample_names_the_broken_rule_and_no_other_change(
    subspace: str, key: str, value: int
) -> None:
    params = with_values(WHITEPAPER_PARAMS, {(subspace, key): value})
    result = run("GOV-PARAMS", params, HARDENED)
    values = refuted(result)
    named = dict(result.counterexample)
    # The rule is the one the model's check and the oracle name for this set.
    rules = [violation.rule for violation in check_coherence(params)]
    assert rules == [incoherence.rule for incoherence in incoherences(params)]
    assert named["coherence.rule.name"] in rules
    assert goals.COHERENCE_RULES[values["coherence.rule"]] == named["coherence.rule.name"]
    # The rule reads the moved key, and no bound is blamed.
    assert f"{subspace}.{key}" in goals.COHERENCE_RULE_KEYS[str(named["coherence.rule.name"])]
    assert values["constitution.bound"] == -1 and "constitution.bound.name" not in named
    # No proposal is invented: every proposal value is the checked set's own.
    for name in GOVERNED_KEYS:
        part, field = name.split(".")
        assert values[f"proposal.{name}"] == getattr(getattr(params, part), field), name


def test_coherence_rules_are_the_checks_rules() -> None:
    """Every rule name the goal uses is a rule `check_coherence` reports, and the reverse."""
    broken = with_values(
        WHITEPAPER_PARAMS,
        {(subspace, key): value for subspace, key, value in ONE_KEY_BREAKS},
    )
    seen = {violation.rule for violation in check_coherence(broken)}
    assert seen <= set(goals.COHERENCE_RULES)
    assert set(goals.COHERENCE_RULES) - seen == {"consensus-threshold", "governance-supermajority"}
    assert set(goals.COHERENCE_RULE_KEYS) == set(goals.COHERENCE_RULES)


def test_whitepaper_counterexample_on_an_incoherent_set_names_no_change() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("payment", "str_burn_bps"): 1_200})
    # Under the literal profile the set is refuted too; whichever part the model names, a
    # change is named only where the part is the tally's step.
    values = refuted(run("GOV-PARAMS", params, WHITEPAPER))
    if values["coherence.rule"] >= 0 or values["constitution.bound"] >= 0:
        assert values["change.key"] == -1
    else:
        assert 0 <= values["change.key"] < len(GOVERNED_KEYS)


def test_check_of_a_payment_only_proposal_names_the_rule_and_the_key() -> None:
    loaded = load_params(PROPOSALS / "burn-12pct-alone.legacy.json")
    options = CheckOptions(effort="quick", only=("GOV-PARAMS",), engines=("z3",))
    report = run_check(loaded, options, with_keys=False).report
    (row,) = [row for row in report.invariants if row.id == "GOV-PARAMS"]
    assert row.verdict == "fail"
    detail = " ".join(str(example) for example in row.counterexamples)
    assert "coherence.rule.name = str-sub-shares" in detail
    assert "proposal.payment.str_burn_bps = 1200" in detail
    # The governance keys keep the checked set's values: 2/3, nothing the proposal did not do.
    assert "proposal.governance.supermajority_den = 3" in detail
    assert "constitution.bound.name" not in detail
