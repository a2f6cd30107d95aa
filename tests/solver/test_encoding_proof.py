"""CR-INJECTIVE: the length-prefixed encoding is proved injective; plain concatenation collides,
and the collision is re-checked with the model's `encode_fields` and composite hash."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
import z3

from model.hashing import (
    LENGTH_PREFIX_BYTES,
    HashAlgorithm,
    compute_composite_hash,
    encode_fields,
)
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, CompositeEncoding, Profile
from reports.recheck import recheck_with_cvc5, recheck_with_z3_binary
from solver.claim import PLAN_MODES, Claim, ParamMode, ProofResult, ProofStatus
from solver.proofs.encoding import (
    CLAIMS,
    FIELD_NAMES,
    LOGIC,
    encode_terms,
    get_bytes_term,
    get_length_prefix,
)
from solver.prove import SolverSettings, prove, read_value

FAST = SolverSettings(timeout_ms=20_000)
SAMPLES: tuple[tuple[bytes, bytes, bytes, bytes], ...] = (
    (b"", b"", b"", b""),
    (b"node1", b"2salt", b"\x00" * 32, bytes(range(32))),
    (b"n", b"\xff" * 300, b"", b"\x01\x02"),
)
"""Concrete tuples, one with a field long enough for a prefix with two non-zero bytes."""


def build(profile: Profile, mode: ParamMode = ParamMode.CONCRETE) -> Claim:
    return CLAIMS["CR-INJECTIVE"](WHITEPAPER_PARAMS, profile, mode)


def run(profile: Profile, mode: ParamMode = ParamMode.CONCRETE) -> ProofResult:
    return prove(build(profile, mode), mode=mode, settings=FAST)


def tuples_of(result: ProofResult) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    assert result.status is ProofStatus.REFUTED, (result.status, result.reason)
    values = dict(result.counterexample)
    first = tuple(bytes.fromhex(str(values[f"a.{name}"])) for name in FIELD_NAMES)
    second = tuple(bytes.fromhex(str(values[f"b.{name}"])) for name in FIELD_NAMES)
    return first, second


def composite(fields: tuple[bytes, ...], encoding: CompositeEncoding) -> bytes:
    node_id, app_salt, node_salt, output_hash = fields
    return compute_composite_hash(
        node_id=node_id,
        app_salt=app_salt,
        node_salt=node_salt,
        output_hash=output_hash,
        encoding=encoding,
        algorithm=HashAlgorithm.SHA256,
    )


@pytest.mark.parametrize("mode", PLAN_MODES, ids=lambda m: m.value)
def test_length_prefixed_is_proved_injective_fast(mode: ParamMode) -> None:
    result = run(HARDENED, mode)
    assert result.status is ProofStatus.PROVED, result.counterexample
    assert result.logic == LOGIC == "ALL"
    assert result.milliseconds < 1000


@pytest.mark.parametrize("mode", PLAN_MODES, ids=lambda m: m.value)
def test_concatenation_is_refuted_and_the_model_collides(mode: ParamMode) -> None:
    first, second = tuples_of(run(WHITEPAPER, mode))
    assert first != second
    plain = CompositeEncoding.CONCATENATION
    assert encode_fields(first, plain) == encode_fields(second, plain)
    assert composite(first, plain) == composite(second, plain)
    # The hardened encoding tells the same two tuples apart.
    prefixed = CompositeEncoding.LENGTH_PREFIXED
    assert encode_fields(first, prefixed) != encode_fields(second, prefixed)
    assert composite(first, prefixed) != composite(second, prefixed)


def test_the_encoding_switch_alone_decides_the_answer() -> None:
    plain_hardened = attrs.evolve(HARDENED, composite_encoding=CompositeEncoding.CONCATENATION)
    prefixed_whitepaper = attrs.evolve(
        WHITEPAPER, composite_encoding=CompositeEncoding.LENGTH_PREFIXED
    )
    assert run(plain_hardened).status is ProofStatus.REFUTED
    assert run(prefixed_whitepaper).status is ProofStatus.PROVED


@pytest.mark.parametrize("encoding", list(CompositeEncoding), ids=lambda e: e.value)
@pytest.mark.parametrize("fields", SAMPLES, ids=range(len(SAMPLES)))
def test_encode_terms_is_encode_fields_on_concrete_tuples(
    fields: tuple[bytes, ...], encoding: CompositeEncoding
) -> None:
    terms = [get_bytes_term(field) for field in fields]
    prefixes = [get_length_prefix(len(field)) for field in fields]
    encoded = encode_terms(terms, encoding, prefixes)
    expected = encode_fields(fields, encoding)
    assert z3.is_true(z3.simplify(encoded == get_bytes_term(expected)))
    assert z3.is_false(z3.simplify(encoded == get_bytes_term(expected + b"\x00")))
    if len(expected) < 200:
        # (read_value recurses once per byte of a simplified sequence: short ones only.)
        assert read_value(z3.simplify(encoded)) == expected.hex()


@pytest.mark.parametrize("fields", SAMPLES[1:], ids=range(1, len(SAMPLES)))
def test_the_real_prefixes_satisfy_the_abstraction(fields: tuple[bytes, ...]) -> None:
    # Sound abstraction: with the real 8 prefix bytes, every assumption of the claim holds.
    claim = build(HARDENED)
    other = (fields[1], fields[0], fields[3] + b"x", fields[2])
    pairs = []
    for side, values in (("a", fields), ("b", other)):
        for name, value in zip(FIELD_NAMES, values, strict=True):
            pairs.append(
                (z3.Const(f"{side}.{name}", z3.SeqSort(z3.BitVecSort(8))), get_bytes_term(value))
            )
            for index, byte in enumerate(len(value).to_bytes(LENGTH_PREFIX_BYTES, "big")):
                variable = z3.BitVec(f"{side}.{name}.length[{index}]", 8)
                pairs.append((variable, z3.BitVecVal(byte, 8)))
    for assumption in claim.assumptions:
        assert z3.is_true(z3.simplify(z3.substitute(assumption, *pairs)))
    # And the goal holds on these (different) tuples: their encodings differ.
    assert z3.is_true(z3.simplify(z3.substitute(claim.goal, *pairs)))


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_both_solvers_accept_the_exported_query(profile: Profile, tmp_path: Path) -> None:
    result = run(profile)
    script = tmp_path / "CR-INJECTIVE.smt2"
    script.write_text(result.smt2, encoding="utf-8")
    expected = "unsat" if result.status is ProofStatus.PROVED else "sat"
    assert recheck_with_z3_binary(script, timeout_seconds=30) == expected
    assert recheck_with_cvc5(script, timeout_seconds=30) == expected
