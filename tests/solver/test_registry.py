"""The proof set: every Z invariant has a proof, the whitepaper set under hardened is PROVED,
results are frozen records that reproduce, and the solver factory is seeded and bounded."""

from __future__ import annotations

import attrs
import pytest
import z3
from solver_fixtures import FAST

from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from properties.catalogue import Engine, UnknownInvariantError, get_ids_for
from solver.claim import Claim, ParamMode, ProofResult, ProofStatus
from solver.prove import SolverSettings, get_solver_version, prove
from solver.registry import (
    CLAIM_BUILDERS,
    COMPOSITE_IDS,
    CONCRETE_ONLY,
    GOV_SAFE_COVERED,
    PROVED_IDS,
    SET_IDS,
    NotProvableError,
    decide,
    get_plan,
    prove_all,
)


def test_every_z_invariant_has_exactly_one_proof() -> None:
    assert set(CLAIM_BUILDERS) | set(COMPOSITE_IDS) == set(get_ids_for(Engine.Z3))
    assert not set(CLAIM_BUILDERS) & set(COMPOSITE_IDS)
    assert get_ids_for(Engine.Z3) == PROVED_IDS
    assert tuple(i for i in PROVED_IDS if i in CLAIM_BUILDERS) == SET_IDS
    assert GOV_SAFE_COVERED == SET_IDS


def test_the_whole_set_is_proved_for_the_whitepaper_under_hardened() -> None:
    """Every claim of one set; GOV-SAFE, about every adoptable set, in test_gov_safe.py."""
    results = prove_all(WHITEPAPER_PARAMS, HARDENED, settings=FAST, only=SET_IDS)
    assert tuple(r.invariant_id for r in results) == SET_IDS
    unproved = {
        r.invariant_id: (r.status, r.reason) for r in results if r.status is not ProofStatus.PROVED
    }
    assert unproved == {}
    for result in results:
        assert result.counterexample == ()
        assert result.solver == get_solver_version()
        assert len(result.query_sha256) == 64
        assert result.smt2.startswith(f"; stratoverify {result.invariant_id}:")
        assert "(set-logic " in result.smt2 and "(check-sat)" in result.smt2
        assert ":named" not in result.smt2


@pytest.mark.slow
def test_results_reproduce_byte_for_byte() -> None:
    first = prove_all(WHITEPAPER_PARAMS, HARDENED, settings=FAST)
    second = prove_all(WHITEPAPER_PARAMS, HARDENED, settings=FAST)
    assert [_timeless(r) for r in first] == [_timeless(r) for r in second]


def _timeless(result: ProofResult) -> ProofResult:
    """`result` with the solver's own times (the only field allowed to differ) zeroed."""
    queries = tuple(attrs.evolve(query, milliseconds=0) for query in result.queries)
    return attrs.evolve(result, milliseconds=0, queries=queries)


def test_the_default_plan_proves_for_all_parameters_then_the_checked_set() -> None:
    results = prove_all(WHITEPAPER_PARAMS, HARDENED, settings=FAST)
    for result in results:
        modes = tuple(query.mode for query in result.get_queries())
        if result.invariant_id in COMPOSITE_IDS:
            assert get_plan(result.invariant_id) == (ParamMode.ADOPTABLE,)
            assert modes == (ParamMode.ADOPTABLE,) * len(GOV_SAFE_COVERED)
            ids = tuple(query.invariant_id for query in result.get_queries())
            assert ids == GOV_SAFE_COVERED
            continue
        assert modes == get_plan(result.invariant_id)
        if result.invariant_id in CONCRETE_ONLY:
            assert modes == (ParamMode.CONCRETE,)
        else:
            assert modes == (ParamMode.ALL_PARAMS, ParamMode.CONCRETE)
            assert result.mode is ParamMode.ALL_PARAMS  # PROVED: the stronger query shows
    assert set(CONCRETE_ONLY) < set(PROVED_IDS)


def _result(mode: ParamMode, status: ProofStatus) -> ProofResult:
    return ProofResult(
        invariant_id="CONS-SPLIT",
        status=status,
        mode=mode,
        statement="",
        counterexample=(),
        reason="",
        solver="z3",
        logic="QF_LIA",
        smt2="",
        query_sha256=mode.value,
        milliseconds=0,
    )


@pytest.mark.parametrize(
    ("general", "concrete", "deciding"),
    [
        (ProofStatus.PROVED, ProofStatus.PROVED, ParamMode.ALL_PARAMS),
        (ProofStatus.REFUTED, ProofStatus.PROVED, ParamMode.ALL_PARAMS),
        (ProofStatus.UNKNOWN, ProofStatus.PROVED, ParamMode.ALL_PARAMS),
        (ProofStatus.PROVED, ProofStatus.REFUTED, ParamMode.CONCRETE),
        (ProofStatus.REFUTED, ProofStatus.REFUTED, ParamMode.CONCRETE),
        (ProofStatus.PROVED, ProofStatus.UNKNOWN, ParamMode.CONCRETE),
    ],
)
def test_the_checked_set_decides_first_then_all_parameters(
    general: ProofStatus, concrete: ProofStatus, deciding: ParamMode
) -> None:
    queries = (_result(ParamMode.ALL_PARAMS, general), _result(ParamMode.CONCRETE, concrete))
    result = decide(queries)
    assert result.mode is deciding
    assert result.status is (general if deciding is ParamMode.ALL_PARAMS else concrete)
    assert result.queries == queries


def test_results_are_frozen() -> None:
    (result,) = prove_all(WHITEPAPER_PARAMS, HARDENED, only=["PAY-BURN"], settings=FAST)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.status = ProofStatus.REFUTED  # type: ignore[misc]


def test_only_selects_in_catalogue_order() -> None:
    results = prove_all(WHITEPAPER_PARAMS, HARDENED, only=["SLASH-BOUNDS", "CONS-STR"])
    assert [r.invariant_id for r in results] == ["CONS-STR", "SLASH-BOUNDS"]


def test_unknown_and_unprovable_ids_are_refused() -> None:
    with pytest.raises(UnknownInvariantError):
        prove_all(WHITEPAPER_PARAMS, HARDENED, only=["NO-SUCH-ID"])
    with pytest.raises(NotProvableError):
        prove_all(WHITEPAPER_PARAMS, HARDENED, only=["PAY-VECTOR"])


def test_a_timeout_gives_unknown_with_the_reason_never_a_pass() -> None:
    # Factoring a 128-bit semiprime in 100 ms: the solver gives up and says why.
    x, y = z3.Int("x"), z3.Int("y")
    semiprime = 18446744073709551557 * 18446744073709551533
    claim = Claim(
        invariant_id="CONS-SPLIT",
        statement="a query too hard for the budget",
        logic="QF_NIA",
        inputs=(("x", x), ("y", y)),
        assumptions=(x > 1, y > 1),
        goal=x * y != semiprime,
    )
    result = prove(claim, settings=SolverSettings(timeout_ms=100))
    assert result.status is ProofStatus.UNKNOWN
    assert result.reason and result.counterexample == ()
