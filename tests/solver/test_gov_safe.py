"""GOV-SAFE for Z3: every claim over every set the constitution lets governance adopt.

Each refutation is run back through the model: its proposal, applied to the checked set with
`model.params.with_values`, is adoptable (each key in its row's range, the fractions' bounds,
coherent shares where the tally checks them) and breaks the named invariant in the CONCRETE claim
of that set. The constitutions are the profiles' and deliberately loosened ones (`attrs.evolve`).
"""

from __future__ import annotations

import attrs
import pytest
from solver_fixtures import FAST

from model.coherence import is_coherent
from model.constitution import (
    HARDENED_CONSTITUTION,
    LITERAL_CONSTITUTION,
    Constitution,
    get_constitution,
)
from model.params import WHITEPAPER_PARAMS, Params, get_param_by_name, param_specs, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from solver.claim import ParamMode, ProofResult, ProofStatus
from solver.registry import GOV_SAFE_COVERED, prove_invariant, prove_safe
from solver.safety import get_voter_set

_SPECS = {spec.name: spec for spec in param_specs()}


def _with_rows(constitution: Constitution, **ranges: tuple[int, int]) -> Constitution:
    """`constitution` with the rows named (key with "__" for ".") given new ranges."""
    rows = constitution.rows
    for name, (low, high) in ranges.items():
        key = name.replace("__", ".")
        rows = rows.set(key, attrs.evolve(rows[key], minimum=low, maximum=high))
    return attrs.evolve(constitution, rows=rows)


FREE_THRESHOLD = {"consensus__threshold_num": (1, 1_000), "consensus__threshold_den": (1, 1_000)}
"""The consensus threshold's rows as the text leaves them: any num and den in 1..1000."""

RAISABLE_THRESHOLD = _with_rows(HARDENED_CONSTITUTION, **FREE_THRESHOLD)
"""The hardened constitution with the threshold free above its bound: [2/3, 1)."""

NO_THRESHOLD_BOUND = attrs.evolve(
    RAISABLE_THRESHOLD,
    ratio_bounds=tuple(
        bound
        for bound in HARDENED_CONSTITUTION.ratio_bounds
        if bound.num_key != "consensus.threshold_num"
    ),
)
"""The hardened constitution without the consensus threshold's bound: 1/1000 .. 999/1000."""

FACTOR_ONE_OR_TWO = _with_rows(HARDENED_CONSTITUTION, slashing__slash_factor=(1, 2))
"""The slash factor 1..2: a repeat slash need not double."""

CAP_BELOW_FULL = _with_rows(HARDENED_CONSTITUTION, slashing__slash_cap_bps=(0, 10_000))
"""The cap anywhere in 0..100%."""


def get_proposal(result: ProofResult) -> dict[str, int]:
    """The proposal of a GOV-SAFE refutation: "subspace.key" -> new value."""
    proposal = {}
    for name, value in result.counterexample:
        if name.startswith("proposal.") and name != "proposal.changes":
            assert isinstance(value, int)
            proposal[name.removeprefix("proposal.")] = value
    return proposal


def replay(
    result: ProofResult, params: Params, profile: Profile, constitution: Constitution
) -> Params:
    """Run a GOV-SAFE refutation back through the model: its proposal is adoptable under
    `constitution` and breaks the named invariant's CONCRETE claim. Returns the adopted set."""
    assert result.status is ProofStatus.REFUTED, (result.status, result.reason)
    values = dict(result.counterexample)
    breaks = values["breaks"]
    assert isinstance(breaks, str) and breaks in GOV_SAFE_COVERED
    proposal = get_proposal(result)
    assert values["proposal.changes"] == len(proposal)
    for name, value in proposal.items():
        assert value != get_param_by_name(params, name)
        row = constitution.rows[name]
        assert row.minimum <= value <= row.maximum, (name, value)
    adopted = with_values(
        params,
        {(_SPECS[name].subspace, _SPECS[name].key): value for name, value in proposal.items()},
    )
    for bound in constitution.ratio_bounds:
        num = get_param_by_name(adopted, bound.num_key)
        den = get_param_by_name(adopted, bound.den_key)
        assert num * bound.least.den >= bound.least.num * den and num < den
    if profile.governance_checks_coherence:
        assert is_coherent(adopted)
    concrete = prove_invariant(breaks, adopted, profile, mode=ParamMode.CONCRETE, settings=FAST)
    assert concrete.status is ProofStatus.REFUTED, (breaks, proposal, concrete.status)
    return adopted


@pytest.mark.slow
def test_literal__refuted_by_one_key_and_one_ustr() -> None:
    result = prove_safe(WHITEPAPER_PARAMS, WHITEPAPER, settings=FAST)
    assert result.invariant_id == "GOV-SAFE"
    assert result.mode is ParamMode.ADOPTABLE
    values = dict(result.counterexample)
    # The first invariant in catalogue order the literal constitution lets a vote break: a
    # single share moved, so the split no longer adds up.
    assert values["breaks"] == "CONS-SPLIT"
    assert values["proposal.changes"] == 1
    assert (values["voters"], values["yes_ustr"]) == (1, 1)
    replay(result, WHITEPAPER_PARAMS, WHITEPAPER, LITERAL_CONSTITUTION)
    assert tuple(q.invariant_id for q in result.queries) == GOV_SAFE_COVERED
    refuted = {q.invariant_id for q in result.queries if q.status is ProofStatus.REFUTED}
    # Among them invariants the checked set keeps: only the vote's reach breaks them.
    assert {"CONS-SPLIT", "PAY-COST", "BFT-UNIQUE", "BFT-ACCOUNTABLE"} <= refuted
    assert {"SLASH-DOUBLING", "SLASH-DECAY", "SUP-INFLATION"} <= refuted


def _timeless(result: ProofResult) -> ProofResult:
    queries = tuple(attrs.evolve(query, milliseconds=0) for query in result.queries)
    return attrs.evolve(result, milliseconds=0, queries=queries)


@pytest.mark.slow
def test_registry__runs_the_profiles_constitution() -> None:
    assert get_constitution(WHITEPAPER) is LITERAL_CONSTITUTION
    result = prove_invariant("GOV-SAFE", WHITEPAPER_PARAMS, WHITEPAPER, settings=FAST)
    explicit = prove_safe(
        WHITEPAPER_PARAMS, WHITEPAPER, constitution=LITERAL_CONSTITUTION, settings=FAST
    )
    assert _timeless(result) == _timeless(explicit)


@pytest.mark.parametrize(
    ("constitution", "broken"),
    [
        # A lowered threshold lets a byzantine third of an app's committee pass its value too.
        (NO_THRESHOLD_BOUND, {"BFT-THRESHOLD", "BFT-VALIDATORS"}),
        (FACTOR_ONE_OR_TWO, {"SLASH-DOUBLING", "SLASH-DECAY", "SLASH-BOUNDS", "SLASH-STAKE"}),
        (CAP_BELOW_FULL, {"SLASH-BOUNDS", "SLASH-DOUBLING", "SLASH-STAKE"}),
    ],
    ids=["no-threshold-bound", "factor-1-or-2", "cap-below-full"],
)
@pytest.mark.slow
def test_loosened_hardened__refuted_and_replayed(
    constitution: Constitution, broken: set[str]
) -> None:
    result = prove_safe(WHITEPAPER_PARAMS, HARDENED, constitution=constitution, settings=FAST)
    values = dict(result.counterexample)
    assert values["breaks"] in broken
    adopted = replay(result, WHITEPAPER_PARAMS, HARDENED, constitution)
    assert adopted != WHITEPAPER_PARAMS
    # The loosened keys are protocol constants: an amendment carries them.
    assert values["voters"] == 1 and values["yes_share"] == "3/5"


def test_no_threshold_bound__a_third_of_the_nodes_decides() -> None:
    result = prove_safe(WHITEPAPER_PARAMS, HARDENED, constitution=NO_THRESHOLD_BOUND, settings=FAST)
    adopted = replay(result, WHITEPAPER_PARAMS, HARDENED, NO_THRESHOLD_BOUND)
    for invariant_id in ("BFT-UNIQUE", "BFT-SOUND", "BFT-TIMEOUT", "BFT-ACCOUNTABLE"):
        num = get_param_by_name(adopted, "consensus.threshold_num")
        den = get_param_by_name(adopted, "consensus.threshold_den")
        status = prove_invariant(invariant_id, adopted, HARDENED, mode=ParamMode.CONCRETE).status
        # Below one half two outputs can both pass; below 2/3 a faulty third can.
        if 2 * num < den:
            assert status is ProofStatus.REFUTED, invariant_id


def test_hardened__proved_on_the_defaults() -> None:
    result = prove_safe(WHITEPAPER_PARAMS, HARDENED, settings=FAST)
    assert result.status is ProofStatus.PROVED, [
        (q.invariant_id, q.status.value, q.reason) for q in result.queries
    ]
    assert result.counterexample == ()
    assert all(q.status is ProofStatus.PROVED for q in result.queries)
    assert all(q.mode is ParamMode.ADOPTABLE for q in result.queries)
    assert "CONS-SPLIT" in result.statement and "BFT-THRESHOLD" in result.statement
    assert result.query_sha256 == result.queries[0].query_sha256


def test_raisable_threshold__a_higher_one_breaks_bft_threshold() -> None:
    """A threshold above 2/3 keeps the BFT family safe but decides other rounds than F10's."""
    result = prove_safe(WHITEPAPER_PARAMS, HARDENED, constitution=RAISABLE_THRESHOLD, settings=FAST)
    values = dict(result.counterexample)
    assert values["breaks"] in {"BFT-THRESHOLD", "BFT-VALIDATORS"}
    assert values["proposal.changes"] == 2  # num and den: den 3 leaves num no other value
    adopted = replay(result, WHITEPAPER_PARAMS, HARDENED, RAISABLE_THRESHOLD)
    num = get_param_by_name(adopted, "consensus.threshold_num")
    den = get_param_by_name(adopted, "consensus.threshold_den")
    assert 3 * num > 2 * den
    refuted = {q.invariant_id for q in result.queries if q.status is ProofStatus.REFUTED}
    # GOV-PARAMS states the hardened constitution's bounds, which pin the threshold at 2/3; and
    # above 2/3 an app's committee with a byzantine member under 1/3 may no longer pass F10's
    # value (BFT-VALIDATORS: the honest members pass it).
    assert refuted == {"BFT-THRESHOLD", "GOV-PARAMS", "BFT-VALIDATORS"}


def test_voter_sets() -> None:
    literal = get_voter_set(LITERAL_CONSTITUTION, WHITEPAPER_PARAMS, ["payment.str_burn_bps"])
    assert dict(literal) == {"proposals": 1, "voters": 1, "yes_ustr": 1}
    core = get_voter_set(HARDENED_CONSTITUTION, WHITEPAPER_PARAMS, ["payment.str_burn_bps"])
    assert dict(core) == {"proposals": 1, "voters": 1, "yes_share": "167/500"}
    mixed = get_voter_set(
        HARDENED_CONSTITUTION,
        WHITEPAPER_PARAMS,
        ["payment.str_burn_bps", "slashing.slash_base_bps"],
    )
    assert dict(mixed) == {"proposals": 2, "voters": 1, "yes_share": "3/5"}
    assert dict(get_voter_set(LITERAL_CONSTITUTION, WHITEPAPER_PARAMS, [])) == {
        "voters": 0,
        "yes_ustr": 0,
    }
