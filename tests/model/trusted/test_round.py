"""Tests of model/trusted/round.py: each step of §3.2-§3.3, its basic case and its refusals."""

from __future__ import annotations

import attrs
import pytest

from model.hashing import HashAlgorithm, compute_hash
from model.params import WHITEPAPER_PARAMS, with_values
from model.profile import HARDENED, WHITEPAPER, Profile, ThresholdBase
from model.trusted.round import (
    Decision,
    Phase,
    Reveal,
    RevealCheck,
    RoundState,
    check_reveal,
    compute_decision,
    compute_node_commit,
    generate_app_salts,
    generate_node_salt,
    is_app_salt_deadline_passed,
    is_app_salt_valid,
    is_supermajority,
    process_app_verification,
    process_close_commit_phase,
    process_commit,
    process_complain_app_salt,
    process_decide,
    process_expire_app_salts,
    process_open_round,
    process_post_node_salt_hash,
    process_reveal,
    process_reveal_app_salts,
    process_send_output,
    process_send_wrong_app_salt,
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


# Step 6, hardened: the app's deadline ---------------------------------------------------------

SALT_TIMEOUT = P.consensus.app_salt_timeout_seconds


def closed(profile: Profile) -> RoundState:
    """All three nodes committed and the commit phase closed at 101; the app's salts are due."""
    return ok(process_close_commit_phase(committed(profile), now=101, params=P))


def test_expire_app_salts_basic() -> None:
    state = closed(HARDENED)
    assert not is_app_salt_deadline_passed(state, now=101 + SALT_TIMEOUT, params=P)
    assert is_app_salt_deadline_passed(state, now=101 + SALT_TIMEOUT + 1, params=P)
    expired = ok(
        process_expire_app_salts(state, now=101 + SALT_TIMEOUT + 1, params=P, profile=HARDENED)
    )
    assert expired.phase is Phase.DECIDED
    assert expired.decision == Decision(
        consensus=False,
        agreed_output_hash=None,
        supermajority=(),
        counted=(),
        mismatched=(),
        base=len(NODES),
        groups_over_threshold=0,
        app_withheld_salts=True,
    )
    assert expired.reveals == {} and expired.app_salts == {}
    assert expired.commits == state.commits


def test_expire_app_salts__base_follows_the_threshold_base() -> None:
    """With N read as the committed nodes, the expired round's base counts only those."""
    profile = attrs.evolve(HARDENED, threshold_base=ThresholdBase.COMMITTED)
    partial = with_salt_hashes(opened())
    commit = commit_of(partial, NODES[0], profile)
    partial = ok(process_commit(partial, node=NODES[0], commit=commit, now=101, params=P))
    state = ok(process_close_commit_phase(partial, now=161, params=P))
    expired = ok(
        process_expire_app_salts(state, now=161 + SALT_TIMEOUT + 1, params=P, profile=profile)
    )
    assert expired.decision is not None and expired.decision.base == 1


def test_expire_app_salts__follows_the_parameter() -> None:
    params = with_values(P, {("consensus", "app_salt_timeout_seconds"): 3_600})
    state = closed(HARDENED)
    refused(
        process_expire_app_salts(state, now=101 + 3_600, params=params, profile=HARDENED),
        "process_expire_app_salts",
        "may still reveal its salts (until 3701)",
    )
    ok(process_expire_app_salts(state, now=101 + 3_601, params=params, profile=HARDENED))


def test_invalid_expire_app_salts__whitepaper_gives_no_deadline() -> None:
    refused(
        process_expire_app_salts(closed(WHITEPAPER), now=10**9, params=P, profile=WHITEPAPER),
        "process_expire_app_salts",
        "gives the app no deadline",
    )


def test_invalid_expire_app_salts__at_the_deadline_the_app_may_still_reveal() -> None:
    refused(
        process_expire_app_salts(
            closed(HARDENED), now=101 + SALT_TIMEOUT, params=P, profile=HARDENED
        ),
        "process_expire_app_salts",
        "may still reveal",
    )


def test_invalid_expire_app_salts__wrong_phase() -> None:
    late = 101 + SALT_TIMEOUT + 1
    refused(
        process_expire_app_salts(committed(HARDENED), now=late, params=P, profile=HARDENED),
        "process_expire_app_salts",
        "phase is commit)",
    )
    revealed = revealing(HARDENED)
    assert not is_app_salt_deadline_passed(revealed, now=late, params=P)
    refused(
        process_expire_app_salts(revealed, now=late, params=P, profile=HARDENED),
        "process_expire_app_salts",
        "phase is reveal)",
    )
    expired = ok(process_expire_app_salts(closed(HARDENED), now=late, params=P, profile=HARDENED))
    refused(
        process_expire_app_salts(expired, now=late + 1, params=P, profile=HARDENED),
        "process_expire_app_salts",
        "phase is decided)",
    )
    refused(
        process_reveal_app_salts(expired, salts=SALTS, now=late + 1),
        "process_reveal_app_salts",
        "phase is decided",
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
