"""PARAMETERS_READ: every invariant names the real parameters that can change its verdict.

The Z3 proofs read their parameters through `ParamTerms`, so recording those reads while the
claims are built checks the table against the proofs: a proof that starts reading a new key
fails here until the table names it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from model.params import WHITEPAPER_PARAMS, param_specs
from model.profile import PROFILES
from properties.catalogue import (
    INVARIANT_IDS,
    PARAMETERS_READ,
    UnknownInvariantError,
    get_parameters_read,
)
from solver.algebra import Term
from solver.claim import ParamMode
from solver.params import ParamTerms
from solver.registry import CLAIM_BUILDERS

PARAMETER_NAMES = tuple(spec.name for spec in param_specs())


def test_every_catalogue_id_has_an_entry() -> None:
    assert list(PARAMETERS_READ) == list(INVARIANT_IDS)


def test_every_name_is_a_real_parameter() -> None:
    for invariant_id, names in PARAMETERS_READ.items():
        unknown = set(names) - set(PARAMETER_NAMES)
        assert not unknown, f"{invariant_id} reads unknown parameters {sorted(unknown)}"


def test_names_are_unique_and_in_parameter_set_order() -> None:
    for invariant_id, names in PARAMETERS_READ.items():
        assert len(set(names)) == len(names), invariant_id
        assert list(names) == sorted(names, key=PARAMETER_NAMES.index), invariant_id


def test_basic() -> None:
    assert "slashing.slash_cap_bps" in get_parameters_read("SLASH-BOUNDS")
    assert "consensus.threshold_num" in get_parameters_read("BFT-THRESHOLD")
    assert "consensus.threshold_den" in get_parameters_read("BFT-THRESHOLD")
    assert "payment.str_burn_bps" in get_parameters_read("PAY-BURN")
    assert "slashing.slash_window_seconds" in get_parameters_read("SLASH-DECAY")
    assert get_parameters_read("CR-INJECTIVE") == ()


def test_no_slash_parameter_moves_a_payment_invariant() -> None:
    for invariant_id in ("CONS-SPLIT", "PAY-COST", "PAY-BURN", "PAY-VECTOR"):
        assert not [n for n in get_parameters_read(invariant_id) if n.startswith("slashing.")]


def test_invalid_unknown_id() -> None:
    with pytest.raises(UnknownInvariantError, match="SLASH-BOUNDS"):
        get_parameters_read("SLASH-BOUND")


@pytest.fixture
def recorded_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Every parameter name a claim builder asks `ParamTerms` for while the fixture is live."""
    reads: set[str] = set()
    original = ParamTerms.__getitem__

    def recording(self: ParamTerms, name: str) -> Term:
        reads.add(name)
        return original(self, name)

    monkeypatch.setattr(ParamTerms, "__getitem__", recording)
    yield reads


@pytest.mark.parametrize("invariant_id", sorted(CLAIM_BUILDERS))
def test_table_covers_what_the_proof_reads(invariant_id: str, recorded_reads: set[str]) -> None:
    """A concrete proof (what `check` runs) reads only parameters the table names."""
    for profile in PROFILES.values():
        CLAIM_BUILDERS[invariant_id](WHITEPAPER_PARAMS, profile, ParamMode.CONCRETE)
    assert recorded_reads <= set(get_parameters_read(invariant_id))
