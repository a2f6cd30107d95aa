"""Tests of model/trusted/round.py: each step of §3.2-§3.3, its basic case and its refusals."""

from __future__ import annotations

import attrs
import pytest
from round_fixtures import (
    ALGO,
    NODES,
    OUTPUT,
    SALTS,
    SEED,
    P,
    commit_of,
    committed,
    ok,
    opened,
    refused,
    reveal_for,
    revealing,
    with_salt_hashes,
)

from model.hashing import compute_hash
from model.params import with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.decision import compute_decision, is_supermajority, process_decide
from model.trusted.round import (
    Phase,
    RevealCheck,
    RoundState,
    check_reveal,
    generate_app_salts,
    is_app_salt_valid,
    process_app_verification,
    process_close_commit_phase,
    process_commit,
    process_complain_app_salt,
    process_open_round,
    process_post_node_salt_hash,
    process_reveal,
    process_reveal_app_salts,
    process_send_output,
    process_send_wrong_app_salt,
)
from model.units import AppId, NodeId


def test_open_round_basic() -> None:
    state = opened()
    assert state.phase is Phase.COMMIT
    assert state.app_salt_hashes[NODES[0]] == compute_hash(SALTS[NODES[0]], ALGO)
    assert all(is_app_salt_valid(state, node=node) for node in NODES)


def test_app_salts_are_seeded_and_distinct() -> None:
    again = generate_app_salts(seed=SEED, round_id=7, assigned=NODES, algorithm=ALGO)
    assert again == SALTS
    assert len(set(SALTS.values())) == len(NODES)
    other = generate_app_salts(seed=b"other", round_id=7, assigned=NODES, algorithm=ALGO)
    assert other[NODES[0]] != SALTS[NODES[0]]


@pytest.mark.parametrize(
    ("assigned", "salts", "fragment"),
    [
        ((), {}, "at least one"),
        ((NODES[0], NODES[0]), {NODES[0]: b"s"}, "assigned twice"),
        (NODES, {NODES[0]: b"s"}, "exactly the assigned"),
    ],
)
def test_invalid_open_round(
    assigned: tuple[NodeId, ...], salts: dict[NodeId, bytes], fragment: str
) -> None:
    result = process_open_round(
        round_id=1, app=AppId("a"), assigned=assigned, app_salts=salts, now=0, algorithm=ALGO
    )
    refused(result, "process_open_round", fragment)


# Step 3-4 ------------------------------------------------------------------------------------


def test_invalid_post_node_salt_hash() -> None:
    state = with_salt_hashes(opened())
    refused(
        process_post_node_salt_hash(state, node=NODES[0], salt_hash=b"x", now=100, params=P),
        "process_post_node_salt_hash",
        "already posted",
    )
    refused(
        process_post_node_salt_hash(
            opened(), node=NodeId("stranger"), salt_hash=b"x", now=100, params=P
        ),
        "process_post_node_salt_hash",
        "not assigned",
    )
    refused(
        process_post_node_salt_hash(opened(), node=NODES[0], salt_hash=b"x", now=161, params=P),
        "process_post_node_salt_hash",
        "commit phase is over",
    )


def test_wrong_app_salt__node_complains_and_abstains() -> None:
    state = ok(
        process_send_wrong_app_salt(with_salt_hashes(opened()), node=NODES[1], salt=b"bogus")
    )
    assert not is_app_salt_valid(state, node=NODES[1])
    state = ok(process_complain_app_salt(state, node=NODES[1], now=101, params=P))
    assert state.abstentions == {NODES[1]}
    commit = commit_of(state, NODES[1], HARDENED)
    refused(
        process_commit(state, node=NODES[1], commit=commit, now=101, params=P),
        "process_commit",
        "does not participate",
    )
    refused(
        process_complain_app_salt(state, node=NODES[1], now=101, params=P),
        "process_complain_app_salt",
        "already complained",
    )


def test_invalid_complaint__salt_is_fine() -> None:
    refused(
        process_complain_app_salt(opened(), node=NODES[0], now=100, params=P),
        "process_complain_app_salt",
        "matches its on-chain hash",
    )


def test_commit_basic() -> None:
    state = committed(HARDENED)
    assert set(state.commits) == set(NODES)


def test_invalid_commit() -> None:
    state = with_salt_hashes(opened())
    commit = commit_of(state, NODES[0], HARDENED)
    refused(
        process_commit(opened(), node=NODES[0], commit=commit, now=101, params=P),
        "process_commit",
        "must post h(S_N)",
    )
    refused(
        process_commit(state, node=NodeId("x"), commit=commit, now=101, params=P),
        "process_commit",
        "not assigned",
    )
    once = ok(process_commit(state, node=NODES[0], commit=commit, now=101, params=P))
    refused(
        process_commit(once, node=NODES[0], commit=commit, now=101, params=P),
        "process_commit",
        "already committed",
    )
    refused(
        process_commit(state, node=NODES[0], commit=commit, now=161, params=P),
        "process_commit",
        "after the commit timeout",
    )
    refused(
        process_commit(state, node=NODES[0], commit=commit, now=99, params=P),
        "process_commit",
        "cannot precede",
    )


def test_commit_at_the_timeout_is_in_time() -> None:
    state = with_salt_hashes(opened())
    commit = commit_of(state, NODES[0], HARDENED)
    assert isinstance(
        process_commit(state, node=NODES[0], commit=commit, now=160, params=P), RoundState
    )


# Step 5-6 ------------------------------------------------------------------------------------


def test_close_commit_phase__all_committed_or_timeout() -> None:
    assert (
        ok(process_close_commit_phase(committed(HARDENED), now=101, params=P)).phase
        is Phase.COMMIT_CLOSED
    )
    partial = with_salt_hashes(opened())
    refused(
        process_close_commit_phase(partial, now=160, params=P),
        "process_close_commit_phase",
        "has not passed",
    )
    assert ok(process_close_commit_phase(partial, now=161, params=P)).phase is Phase.COMMIT_CLOSED


def test_close_commit_phase__records_when() -> None:
    assert opened().commit_closed_at is None
    assert (
        ok(process_close_commit_phase(committed(HARDENED), now=101, params=P)).commit_closed_at
        == 101
    )
    partial = with_salt_hashes(opened())
    assert ok(process_close_commit_phase(partial, now=161, params=P)).commit_closed_at == 161


def test_invalid_reveal_app_salts() -> None:
    refused(
        process_reveal_app_salts(committed(HARDENED), salts=SALTS, now=102),
        "process_reveal_app_salts",
        "after the commit phase",
    )
    closed = ok(process_close_commit_phase(committed(HARDENED), now=101, params=P))
    forged = {**SALTS, NODES[2]: b"forged"}
    refused(
        process_reveal_app_salts(closed, salts=forged, now=102),
        "process_reveal_app_salts",
        "does not match",
    )
    refused(
        process_reveal_app_salts(closed, salts={NODES[0]: SALTS[NODES[0]]}, now=102),
        "process_reveal_app_salts",
        "exactly the assigned",
    )


# Step 7-9 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER])
def test_reveal_basic(profile: Profile) -> None:
    state = revealing(profile)
    state = ok(process_reveal(state, node=NODES[0], reveal=reveal_for(NODES[0], profile), params=P))
    expected = RevealCheck.MATCH if profile is HARDENED else RevealCheck.UNVERIFIABLE
    assert check_reveal(state, node=NODES[0], profile=profile) is expected


def test_invalid_reveal() -> None:
    reveal = reveal_for(NODES[0], HARDENED)
    refused(
        process_reveal(committed(HARDENED), node=NODES[0], reveal=reveal, params=P),
        "process_reveal",
        "after the app salts",
    )
    state = revealing(HARDENED)
    once = ok(process_reveal(state, node=NODES[0], reveal=reveal, params=P))
    refused(
        process_reveal(once, node=NODES[0], reveal=reveal, params=P),
        "process_reveal",
        "already revealed",
    )
    late = reveal_for(NODES[0], HARDENED, at=102 + 61)
    refused(
        process_reveal(state, node=NODES[0], reveal=late, params=P),
        "process_reveal",
        "after the reveal timeout",
    )
    early = reveal_for(NODES[0], HARDENED, at=101)
    refused(
        process_reveal(state, node=NODES[0], reveal=early, params=P),
        "process_reveal",
        "cannot precede",
    )
    uncommitted = ok(process_close_commit_phase(with_salt_hashes(opened()), now=161, params=P))
    uncommitted = ok(process_reveal_app_salts(uncommitted, salts=SALTS, now=162))
    refused(
        process_reveal(
            uncommitted, node=NODES[0], reveal=reveal_for(NODES[0], HARDENED, at=163), params=P
        ),
        "process_reveal",
        "did not commit",
    )


def test_reveal_with_a_different_output__mismatch_hardened_unverifiable_whitepaper() -> None:
    for profile, expected in (
        (HARDENED, RevealCheck.MISMATCH),
        (WHITEPAPER, RevealCheck.UNVERIFIABLE),
    ):
        state = revealing(profile)
        lie = reveal_for(NODES[0], profile, output=b"another answer")
        state = ok(process_reveal(state, node=NODES[0], reveal=lie, params=P))
        assert check_reveal(state, node=NODES[0], profile=profile) is expected


def test_reveal_with_a_wrong_salt_is_a_mismatch_in_both_profiles() -> None:
    for profile in (HARDENED, WHITEPAPER):
        state = revealing(profile)
        lie = attrs.evolve(reveal_for(NODES[0], profile), node_salt_or_hash=b"not my salt")
        state = ok(process_reveal(state, node=NODES[0], reveal=lie, params=P))
        assert check_reveal(state, node=NODES[0], profile=profile) is RevealCheck.MISMATCH


def test_send_output_and_app_verification() -> None:
    state = revealing(HARDENED)
    for node in NODES:
        state = ok(process_reveal(state, node=node, reveal=reveal_for(node, HARDENED), params=P))
    state = ok(process_send_output(state, node=NODES[0], output=OUTPUT))
    state = ok(process_send_output(state, node=NODES[1], output=b"not what I revealed"))
    refused(
        process_send_output(state, node=NODES[0], output=OUTPUT),
        "process_send_output",
        "already sent",
    )
    verified = ok(process_app_verification(state, profile=HARDENED))
    assert verified.app_complaints == {NODES[1]}
    refused(
        process_app_verification(verified, profile=HARDENED),
        "process_app_verification",
        "already verified",
    )


# Step 10 -------------------------------------------------------------------------------------


def test_invalid_decide__before_the_reveal_deadline() -> None:
    state = revealing(HARDENED)
    state = ok(
        process_reveal(state, node=NODES[0], reveal=reveal_for(NODES[0], HARDENED), params=P)
    )
    refused(
        process_decide(state, now=162, params=P, profile=HARDENED),
        "process_decide",
        "has not passed",
    )
    refused(
        process_decide(committed(HARDENED), now=500, params=P, profile=HARDENED),
        "process_decide",
        "follows the reveal phase",
    )
    decided = ok(process_decide(state, now=163, params=P, profile=HARDENED))
    assert decided.decision is not None and not decided.decision.consensus
    refused(
        process_decide(decided, now=200, params=P, profile=HARDENED),
        "process_decide",
        "follows the reveal phase",
    )


def test_decide__all_agree() -> None:
    state = revealing(HARDENED)
    for node in NODES:
        state = ok(process_reveal(state, node=node, reveal=reveal_for(node, HARDENED), params=P))
    decided = ok(process_decide(state, now=103, params=P, profile=HARDENED))
    assert decided.decision is not None
    assert decided.decision.consensus
    assert decided.decision.agreed_output_hash == compute_hash(OUTPUT, ALGO)
    assert decided.decision.supermajority == NODES
    assert not decided.decision.app_withheld_salts


def test_decide__two_of_three_is_not_a_supermajority() -> None:
    outputs = {NODES[2]: b"dissent"}
    state = revealing(HARDENED, outputs)
    for node in NODES:
        reveal = reveal_for(node, HARDENED, output=outputs.get(node, OUTPUT))
        state = ok(process_reveal(state, node=node, reveal=reveal, params=P))
    decision = compute_decision(state, params=P, profile=HARDENED)
    assert not decision.consensus
    assert decision.counted == NODES


@pytest.mark.parametrize(
    ("agree", "base", "expected"),
    [
        (0, 0, False),
        (1, 1, True),
        (2, 3, False),
        (3, 4, True),
        (5, 7, True),
        (4, 6, False),
        (67, 100, True),
        (66, 99, False),
    ],
)
def test_supermajority_boundary(agree: int, base: int, expected: bool) -> None:
    assert is_supermajority(agree, base, P) is expected


def test_threshold_one_half_lets_two_groups_pass() -> None:
    """BFT-UNIQUE needs a threshold of at least 1/2; below it two outputs can both pass."""
    params = with_values(P, {("consensus", "threshold_num"): 1, ("consensus", "threshold_den"): 4})
    outputs = {NODES[0]: b"a", NODES[1]: b"b", NODES[2]: b"b"}
    state = revealing(HARDENED, outputs)
    for node in NODES:
        state = ok(
            process_reveal(
                state,
                node=node,
                reveal=reveal_for(node, HARDENED, output=outputs[node]),
                params=params,
            )
        )
    decision = compute_decision(state, params=params, profile=HARDENED)
    assert decision.groups_over_threshold == 2
    assert decision.agreed_output_hash == compute_hash(b"b", ALGO)
