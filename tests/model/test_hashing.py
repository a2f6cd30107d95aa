"""Tests of model/hashing.py: known digests, the two composite encodings, and seeded bytes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from model.hashing import HashAlgorithm, compute_hash, derive_bytes, encode_fields
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, CompositeEncoding
from model.trusted.behaviour import Behaviour, NodePlan, Scenario
from model.trusted.scenario import RoundRun, run_round_to_decision
from model.units import AppId, NodeId


def test_sha256_known_vector() -> None:
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert compute_hash(b"abc", HashAlgorithm.SHA256).hex() == expected


def test_keccak256_known_vector_is_not_sha3() -> None:
    expected = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert compute_hash(b"", HashAlgorithm.KECCAK256).hex() == expected


def test_length_prefixed_encoding_marks_field_boundaries() -> None:
    assert encode_fields((b"ab", b"c"), CompositeEncoding.CONCATENATION) == b"abc"
    assert encode_fields((b"a", b"bc"), CompositeEncoding.CONCATENATION) == b"abc"
    assert encode_fields((b"ab", b"c"), CompositeEncoding.LENGTH_PREFIXED) != encode_fields(
        (b"a", b"bc"), CompositeEncoding.LENGTH_PREFIXED
    )


fields = st.lists(st.binary(max_size=12), min_size=4, max_size=4)


@settings(max_examples=300, deadline=None)
@given(first=fields, second=fields)
def test_length_prefixed_encoding_is_injective(first: list[bytes], second: list[bytes]) -> None:
    if first != second:
        assert encode_fields(first, CompositeEncoding.LENGTH_PREFIXED) != encode_fields(
            second, CompositeEncoding.LENGTH_PREFIXED
        )


def test_derive_bytes_depends_on_seed_and_labels() -> None:
    assert derive_bytes(b"s", b"a") == derive_bytes(b"s", b"a")
    assert derive_bytes(b"s", b"a") != derive_bytes(b"t", b"a")
    assert derive_bytes(b"s", b"ab") != derive_bytes(b"s", b"a", b"b")


def test_a_round_runs_under_keccak256() -> None:
    plans = tuple(NodePlan(NodeId(f"n{i}"), Behaviour.HONEST) for i in range(4))
    scenario = Scenario(1, AppId("app"), plans, b"out", b"seed", algorithm=HashAlgorithm.KECCAK256)
    run = run_round_to_decision(scenario, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert isinstance(run, RoundRun)
    assert run.state.decision is not None and run.state.decision.consensus
    assert run.state.decision.agreed_output_hash == compute_hash(b"out", HashAlgorithm.KECCAK256)
