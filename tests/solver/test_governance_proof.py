"""GOV-PARAMS: coherence holds and is inductive under hardened governance, not under literal."""

from __future__ import annotations

import pytest
from solver_fixtures import refuted, run

from model.coherence import is_coherent
from model.governance import ParamChange, create_governance_state, process_submit_proposal
from model.ledger import Ledger, create_genesis
from model.params import WHITEPAPER_PARAMS, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.units import AccountId, Rejected
from solver.claim import PLAN_MODES, ParamMode, ProofStatus
from solver.proofs.governance import GOVERNED_KEYS

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
