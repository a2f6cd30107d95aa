"""GOV-SUBCOMMITTEE-BOUND and VAL-SET-ORDER in Z3: the bound on active subcommittees is proved
and reached; the active set is a function of the stakes under hardened, and not under the
literal §4.2, whose counterexample the model replays."""

from __future__ import annotations

from typing import Any

import pytest
from solver_fixtures import refuted, run
from staking_fixtures import make_validators

import model.committees
import model.governance
import solver.proofs.bounds
from model.committees import NO_BOUND, get_max_active_subcommittees
from model.ledger import get_str_circulating_supply
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.staking import StakingState, get_active_set
from model.units import BPS_DENOMINATOR
from solver.claim import ParamMode, ProofStatus
from solver.registry import get_plan

PROFILES = pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)


# --- GOV-SUBCOMMITTEE-BOUND ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "most"),
    [(1, 9_999), (3, 3_333), (100, 99), (101, 99), (3_334, 2), (5_000, 1), (10_000, 0)],
)
def test_get_max_active_subcommittees(share: int, most: int) -> None:
    assert get_max_active_subcommittees(share) == most
    # k x s < 10^4 for k = most, and not for one more.
    assert most * share < BPS_DENOMINATOR <= (most + 1) * share


def test_get_max_active_subcommittees__no_bound_at_a_share_of_zero() -> None:
    assert get_max_active_subcommittees(0) == NO_BOUND


@PROFILES
@pytest.mark.parametrize("mode", [ParamMode.CONCRETE, ParamMode.ALL_PARAMS])
def test_gov_subcommittee_bound__proved(profile: Profile, mode: ParamMode) -> None:
    result = run("GOV-SUBCOMMITTEE-BOUND", WHITEPAPER_PARAMS, profile, mode)
    assert result.status is ProofStatus.PROVED, result.counterexample
    assert "ceil(10^4 / s) - 1" in result.statement


def test_gov_subcommittee_bound__proved_at_another_share() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("governance", "subcommittee_activation_bps"): 3_333})
    assert run("GOV-SUBCOMMITTEE-BOUND", params, HARDENED).status is ProofStatus.PROVED


def _at_least_the_share(ledger: Any, gov: Any, name: str) -> Any:
    """Mutant of the activation rule: at least the share, not more than it."""
    delegated = model.governance.get_subcommittee_delegated(gov, name)
    share = gov.params.governance.subcommittee_activation_bps
    return delegated * BPS_DENOMINATOR >= share * get_str_circulating_supply(ledger)


def test_gov_subcommittee_bound__refuted_when_exactly_the_share_activates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With ">= 1%", 100 committees of exactly 1% each are active at once."""
    monkeypatch.setattr(model.governance, "is_subcommittee_active", _at_least_the_share)
    values = refuted(run("GOV-SUBCOMMITTEE-BOUND", WHITEPAPER_PARAMS, HARDENED))
    assert values["committees"] == 100
    assert values["held"] <= values["supply"]
    assert values["smallest"] * BPS_DENOMINATOR == 100 * values["supply"]


def test_gov_subcommittee_bound__refuted_when_the_bound_is_not_reached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A rule that never activates a committee keeps the bound, but not the witness."""
    monkeypatch.setattr(model.governance, "is_subcommittee_active", lambda *_: False)
    result = run("GOV-SUBCOMMITTEE-BOUND", WHITEPAPER_PARAMS, HARDENED)
    assert result.status is ProofStatus.REFUTED


def test_gov_subcommittee_bound__refuted_for_a_model_bound_off_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """floor(10^4 / s) where ceil(10^4 / s) - 1 belongs: 100 at 1%, and at every share that
    divides 10^4."""
    monkeypatch.setattr(
        model.committees,
        "get_max_active_subcommittees",
        lambda share: share * 0 + BPS_DENOMINATOR / share,
    )
    values = refuted(
        run("GOV-SUBCOMMITTEE-BOUND", WHITEPAPER_PARAMS, HARDENED, ParamMode.ALL_PARAMS)
    )
    assert BPS_DENOMINATOR % values["governance.subcommittee_activation_bps"] == 0


# --- VAL-SET-ORDER -------------------------------------------------------------------------------


def test_val_set_order__proved_concrete_only_under_hardened() -> None:
    assert get_plan("VAL-SET-ORDER") == (ParamMode.CONCRETE,)
    result = run("VAL-SET-ORDER", WHITEPAPER_PARAMS, HARDENED)
    assert result.status is ProofStatus.PROVED, result.counterexample


def _replay(values: dict[str, int], order: str) -> StakingState:
    """The counterexample's validators created in its `order`, each with its stake."""
    arrivals = sorted(("v0", "v1", "v2"), key=lambda v: values[f"{order}.{v}"])
    staking: StakingState = make_validators({v: values[f"stake.{v}"] for v in arrivals})[1]
    return staking


def test_val_set_order__refuted_under_the_literal_reading_and_replayed() -> None:
    """FINDING: the literal §4.2 seats different validators for the same stakes, by arrival."""
    values = refuted(run("VAL-SET-ORDER", WHITEPAPER_PARAMS, WHITEPAPER))
    stakes = sorted(values[f"stake.{v}"] for v in ("v0", "v1", "v2"))
    # The tie is at the cut: the smallest seated stake equals the stake left out.
    assert stakes[0] == stakes[1] > 0
    two_seats = with_values(WHITEPAPER_PARAMS, {("consensus", "max_validators"): 2})
    first = get_active_set(_replay(values, "first_order"), two_seats, by_arrival=True)
    second = get_active_set(_replay(values, "second_order"), two_seats, by_arrival=True)
    assert set(first) != set(second)
    # The hardened rank, on the same two states, agrees.
    assert get_active_set(_replay(values, "first_order"), two_seats) == get_active_set(
        _replay(values, "second_order"), two_seats
    )


def _by_id(staking: StakingState, params: Params, *, by_arrival: bool) -> tuple[str, ...]:
    """Mutant: the first validators by id, whatever their stakes."""
    return tuple(sorted(staking.validators))[: params.consensus.max_validators]


def test_val_set_order__refuted_when_the_set_ignores_the_stakes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Order-free is not enough: the set must seat the most stake."""
    monkeypatch.setattr(solver.proofs.bounds, "get_active_set", _by_id)
    values = refuted(run("VAL-SET-ORDER", WHITEPAPER_PARAMS, HARDENED))
    assert values["stake.v2"] > min(values["stake.v0"], values["stake.v1"])
