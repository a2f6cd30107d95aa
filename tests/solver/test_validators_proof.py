"""BFT-VALIDATORS in Z3 (§3.3 Steps 10 and 12, §4.2): proved at 2/3 for every committee size,
refuted at thresholds that let two values pass or stall an honest committee, and each
counterexample replayed on the model's own tally."""

from __future__ import annotations

import attrs
import pytest
from solver_fixtures import FAST

from model.params import WHITEPAPER_PARAMS, Params
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.validation import FALSE, compute_tally
from model.units import ValidatorId
from solver.claim import ParamMode, ProofStatus
from solver.proofs.validators import claim_bft_validators
from solver.prove import prove

P = WHITEPAPER_PARAMS


def _threshold(num: int, den: int) -> Params:
    return attrs.evolve(
        P, consensus=attrs.evolve(P.consensus, threshold_num=num, threshold_den=den)
    )


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER])
@pytest.mark.parametrize("mode", [ParamMode.CONCRETE, ParamMode.ALL_PARAMS])
def test_bft_validators__proved_at_two_thirds(profile: Profile, mode: ParamMode) -> None:
    result = prove(claim_bft_validators(P, profile, mode), mode=mode, settings=FAST)
    assert result.status is ProofStatus.PROVED, result.counterexample


def _votes(first: int, second: int) -> list[tuple[ValidatorId, str]]:
    voters = [ValidatorId(f"v{i}") for i in range(first + second)]
    return [(v, "TRUE:00" if i < first else FALSE) for i, v in enumerate(voters)]


def test_one_third__two_conflicting_values_both_pass() -> None:
    result = prove(
        claim_bft_validators(_threshold(1, 3), HARDENED, ParamMode.CONCRETE), settings=FAST
    )
    assert result.status is ProofStatus.REFUTED
    found = {name: int(value) for name, value in result.counterexample}
    n, first, second = found["committee"], found["first"], found["second"]
    # The model's tally at the counterexample: each value alone passes over the committee.
    assert compute_tally(_votes(first, 0), committee=n, params=_threshold(1, 3)) is not None
    assert compute_tally(_votes(0, second), committee=n, params=_threshold(1, 3)) is not None


def test_three_quarters__an_honest_committee_with_one_byzantine_stalls() -> None:
    result = prove(
        claim_bft_validators(_threshold(3, 4), HARDENED, ParamMode.CONCRETE), settings=FAST
    )
    assert result.status is ProofStatus.REFUTED
    found = {name: int(value) for name, value in result.counterexample}
    n, b = found["committee"], found["byzantine"]
    assert 3 * b < n
    assert compute_tally(_votes(n - b, 0), committee=n, params=_threshold(3, 4)) is None
