"""Shared builders for the round tests: three nodes, their salts, and rounds at each phase."""

from __future__ import annotations

from model.hashing import HashAlgorithm, compute_hash
from model.params import WHITEPAPER_PARAMS
from model.profile import WHITEPAPER, Profile
from model.trusted.round import (
    Reveal,
    RoundState,
    compute_node_commit,
    generate_app_salts,
    generate_node_salt,
    process_close_commit_phase,
    process_commit,
    process_open_round,
    process_post_node_salt_hash,
    process_reveal_app_salts,
)
from model.units import AppId, NodeId, Rejected

P = WHITEPAPER_PARAMS
ALGO = HashAlgorithm.SHA256
NODES = (NodeId("n0"), NodeId("n1"), NodeId("n2"))
SEED = b"seed"
OUTPUT = b"the answer"
SALTS = generate_app_salts(seed=SEED, round_id=7, assigned=NODES, algorithm=ALGO)


def node_salt(node: NodeId) -> bytes:
    return generate_node_salt(seed=SEED, round_id=7, node=node, algorithm=ALGO)


def opened() -> RoundState:
    state = process_open_round(
        round_id=7, app=AppId("app"), assigned=NODES, app_salts=SALTS, now=100, algorithm=ALGO
    )
    assert isinstance(state, RoundState)
    return state


def ok(result: RoundState | Rejected) -> RoundState:
    assert isinstance(result, RoundState), result
    return result


def refused(result: RoundState | Rejected, rule: str, fragment: str) -> None:
    assert isinstance(result, Rejected), result
    assert result.rule == rule
    assert fragment in result.reason


def with_salt_hashes(state: RoundState) -> RoundState:
    for node in NODES:
        salt_hash = compute_hash(node_salt(node), ALGO)
        state = ok(
            process_post_node_salt_hash(state, node=node, salt_hash=salt_hash, now=100, params=P)
        )
    return state


def commit_of(state: RoundState, node: NodeId, profile: Profile, output: bytes = OUTPUT) -> bytes:
    return compute_node_commit(
        state,
        node=node,
        app_salt=SALTS[node],
        node_salt=node_salt(node),
        output=output,
        profile=profile,
    )


def committed(profile: Profile, outputs: dict[NodeId, bytes] | None = None) -> RoundState:
    state = with_salt_hashes(opened())
    for node in NODES:
        output = (outputs or {}).get(node, OUTPUT)
        commit = commit_of(state, node, profile, output)
        state = ok(process_commit(state, node=node, commit=commit, now=101, params=P))
    return state


def revealing(profile: Profile, outputs: dict[NodeId, bytes] | None = None) -> RoundState:
    state = ok(process_close_commit_phase(committed(profile, outputs), now=101, params=P))
    return ok(process_reveal_app_salts(state, salts=SALTS, now=102))


def reveal_for(node: NodeId, profile: Profile, *, output: bytes = OUTPUT, at: int = 103) -> Reveal:
    salt = node_salt(node)
    if profile is WHITEPAPER:
        salt = compute_hash(salt, ALGO)
    return Reveal(
        app_salt_hash=compute_hash(SALTS[node], ALGO),
        output_hash=compute_hash(output, ALGO),
        node_salt_or_hash=salt,
        revealed_at=at,
    )


# Step 1-2 ------------------------------------------------------------------------------------
