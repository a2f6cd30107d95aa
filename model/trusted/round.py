"""One Trusted Function round, Steps 1 to 10 of §3.2 and §3.3, as pure transitions.

The round state holds what the chain records (salt hashes, commits, revealed salts, reveals) and
the two off-chain messages the protocol relies on (the salt the app sent each node, F2, and the
output each node sent the app, F8). Time is the caller's `now`; the commit and reveal timeouts
are parameters, and so is the hardened profile's deadline for the app's salts (F6). Settlement
(F11, F12) lives in `model.trusted.settlement`; the consensus decision (F10) in
`model.trusted.decision`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from attrs import field, frozen
from pyrsistent import PMap

from model.hashing import HashAlgorithm, compute_composite_hash, compute_hash, derive_bytes
from model.maps import dmap
from model.params import Params
from model.profile import Profile, RevealContents, ThresholdBase
from model.records import evolve
from model.units import AppId, NodeId, Outcome, Rejected, Seconds


class Phase(Enum):
    """Where a round stands."""

    COMMIT = "commit"
    """F1-F5: app salt hashes on-chain; nodes post salt hashes and commit."""
    COMMIT_CLOSED = "commit-closed"
    """F5 passed: waiting for the app to reveal its salts (F6)."""
    REVEAL = "reveal"
    """F6 done: nodes reveal (F7), send outputs (F8), the app verifies (F9)."""
    DECIDED = "decided"
    """F10 done: consensus is recorded."""


class RevealCheck(Enum):
    """What validators can establish about one node's reveal against its commit (F9, F11)."""

    MATCH = "match"
    MISMATCH = "mismatch"
    UNVERIFIABLE = "unverifiable"
    """The literal F7 reveals h(S_N), so commit(n) cannot be recomputed from public data."""


@frozen
class Reveal:
    """§3.2 F7: what a node writes on-chain at the reveal."""

    app_salt_hash: bytes
    output_hash: bytes
    node_salt_or_hash: bytes
    """S_N under the hardened profile, h(S_N) under the literal one."""
    revealed_at: Seconds


@frozen
class Decision:
    """§3.3 F10: the validators' consensus and how it was counted."""

    consensus: bool
    agreed_output_hash: bytes | None
    supermajority: tuple[NodeId, ...]
    """Nodes whose counted reveal carries the agreed output hash (sorted)."""
    counted: tuple[NodeId, ...]
    """Nodes whose reveals were counted (sorted)."""
    mismatched: tuple[NodeId, ...]
    """Nodes whose reveal provably does not open their commit (sorted)."""
    base: int
    """The N of `agree * den > num * N`."""
    groups_over_threshold: int
    """How many distinct output hashes passed the threshold (BFT-UNIQUE says at most one)."""
    app_withheld_salts: bool = False
    """The app never revealed its salts (F6) and the round expired without reveals (hardened)."""


def _empty_map() -> PMap[NodeId, bytes]:
    return dmap()


def _empty_reveals() -> PMap[NodeId, Reveal]:
    return dmap()


@frozen
class RoundState:
    """A Trusted Function round: the on-chain record plus the off-chain messages F2 and F8."""

    round_id: int
    app: AppId
    assigned: tuple[NodeId, ...]
    opened_at: Seconds
    algorithm: HashAlgorithm
    app_salt_hashes: PMap[NodeId, bytes]
    sent_app_salts: PMap[NodeId, bytes] = field(factory=_empty_map)
    node_salt_hashes: PMap[NodeId, bytes] = field(factory=_empty_map)
    commits: PMap[NodeId, bytes] = field(factory=_empty_map)
    abstentions: frozenset[NodeId] = frozenset()
    phase: Phase = Phase.COMMIT
    commit_closed_at: Seconds | None = None
    app_salts: PMap[NodeId, bytes] = field(factory=_empty_map)
    reveal_opened_at: Seconds | None = None
    reveals: PMap[NodeId, Reveal] = field(factory=_empty_reveals)
    outputs: PMap[NodeId, bytes] = field(factory=_empty_map)
    app_complaints: frozenset[NodeId] = frozenset()
    app_verified: bool = False
    decision: Decision | None = None


def _check_assigned(state: RoundState, node: NodeId, rule: str) -> Rejected | None:
    if node not in state.assigned:
        return Rejected(rule, f"{node} is not assigned to round {state.round_id}")
    return None


def generate_app_salts(
    *, seed: bytes, round_id: int, assigned: tuple[NodeId, ...], algorithm: HashAlgorithm
) -> dict[NodeId, bytes]:
    """§3.2 F1: the app's random salt for each node, drawn from an explicit seed."""
    return {
        node: derive_bytes(
            seed, b"app-salt", str(round_id).encode(), node.encode(), algorithm=algorithm
        )
        for node in assigned
    }


def generate_node_salt(
    *, seed: bytes, round_id: int, node: NodeId, algorithm: HashAlgorithm
) -> bytes:
    """§3.2 F3: a node's own random salt, drawn from the node's explicit seed."""
    return derive_bytes(
        seed, b"node-salt", str(round_id).encode(), node.encode(), algorithm=algorithm
    )


def compute_node_commit(
    state: RoundState,
    *,
    node: NodeId,
    app_salt: bytes,
    node_salt: bytes,
    output: bytes,
    profile: Profile,
) -> bytes:
    """§3.2 F4: commit(n) = hash(nodeID + S_a + S_N + h(output(n))) under the profile's encoding."""
    return compute_composite_hash(
        node_id=node.encode(),
        app_salt=app_salt,
        node_salt=node_salt,
        output_hash=compute_hash(output, state.algorithm),
        encoding=profile.composite_encoding,
        algorithm=state.algorithm,
    )


def process_open_round(
    *,
    round_id: int,
    app: AppId,
    assigned: tuple[NodeId, ...],
    app_salts: Mapping[NodeId, bytes],
    now: Seconds,
    algorithm: HashAlgorithm,
) -> Outcome[RoundState]:
    """§3.2 F1-F2: the app writes [nodeID, h(S_a)] for every assigned node and sends each its salt."""
    rule = "process_open_round"
    # Verify the app assigned at least one node, each once.
    if not assigned:
        return Rejected(rule, "a round needs at least one assigned node")
    if len(set(assigned)) != len(assigned):
        return Rejected(rule, "a node is assigned twice")
    # Verify the app sends exactly one salt to each assigned node.
    if set(app_salts) != set(assigned):
        return Rejected(rule, "app salts must be given for exactly the assigned nodes")
    hashes = {node: compute_hash(app_salts[node], algorithm) for node in assigned}
    return RoundState(
        round_id=round_id,
        app=app,
        assigned=tuple(assigned),
        opened_at=now,
        algorithm=algorithm,
        app_salt_hashes=dmap(hashes),
        sent_app_salts=dmap(dict(app_salts)),
    )


def process_send_wrong_app_salt(
    state: RoundState, *, node: NodeId, salt: bytes
) -> Outcome[RoundState]:
    """§3.5.2: the app sends `node` a salt other than the one whose hash it wrote on-chain."""
    rule = "process_send_wrong_app_salt"
    refused = _check_assigned(state, node, rule)
    if refused is not None:
        return refused
    if state.phase is not Phase.COMMIT or node in state.commits:
        return Rejected(rule, "salts are sent before the node commits")
    return evolve(state, sent_app_salts=state.sent_app_salts.set(node, salt))


def process_post_node_salt_hash(
    state: RoundState, *, node: NodeId, salt_hash: bytes, now: Seconds, params: Params
) -> Outcome[RoundState]:
    """§3.2 F3: a node writes [nodeID, h(S_N)] on-chain."""
    rule = "process_post_node_salt_hash"
    # Verify the node is assigned and still in the commit phase.
    refused = _check_assigned(state, node, rule)
    if refused is not None:
        return refused
    if state.phase is not Phase.COMMIT or _commit_deadline_passed(state, now, params):
        return Rejected(rule, "the commit phase is over")
    if node in state.node_salt_hashes:
        return Rejected(rule, f"{node} already posted its salt hash")
    return evolve(state, node_salt_hashes=state.node_salt_hashes.set(node, salt_hash))


def is_app_salt_valid(state: RoundState, *, node: NodeId) -> bool:
    """§3.2 F4 guard: the salt the app sent `node` hashes to the value on-chain."""
    sent = state.sent_app_salts.get(node)
    return sent is not None and compute_hash(sent, state.algorithm) == state.app_salt_hashes[node]


def process_complain_app_salt(
    state: RoundState, *, node: NodeId, now: Seconds, params: Params
) -> Outcome[RoundState]:
    """§3.2 F4 else-branch, §3.5.2: a node given a bad salt complains and does not participate."""
    rule = "process_complain_app_salt"
    refused = _check_assigned(state, node, rule)
    if refused is not None:
        return refused
    # Verify the complaint has grounds: the salt received does not match its on-chain hash.
    if is_app_salt_valid(state, node=node):
        return Rejected(rule, f"the salt sent to {node} matches its on-chain hash")
    if node in state.abstentions:
        return Rejected(rule, f"{node} already complained")
    if state.phase is not Phase.COMMIT or _commit_deadline_passed(state, now, params):
        return Rejected(rule, "the commit phase is over")
    return evolve(state, abstentions=state.abstentions | {node})


def _commit_deadline_passed(state: RoundState, now: Seconds, params: Params) -> bool:
    return now - state.opened_at > params.consensus.commit_timeout_seconds


def process_commit(
    state: RoundState, *, node: NodeId, commit: bytes, now: Seconds, params: Params
) -> Outcome[RoundState]:
    """§3.2 F4-F5: a node writes commit(n) on-chain within the commit timeout, once."""
    rule = "process_commit"
    # Verify the node is assigned, has not abstained, and posted its salt hash first (F3).
    refused = _check_assigned(state, node, rule)
    if refused is not None:
        return refused
    if node in state.abstentions:
        return Rejected(rule, f"{node} complained about its app salt and does not participate")
    if node not in state.node_salt_hashes:
        return Rejected(rule, f"{node} must post h(S_N) before committing")
    # Verify one commit per node, inside the commit phase.
    if node in state.commits:
        return Rejected(rule, f"{node} already committed")
    if state.phase is not Phase.COMMIT:
        return Rejected(rule, "the commit phase is closed")
    if now < state.opened_at:
        return Rejected(rule, "a commit cannot precede the round")
    if _commit_deadline_passed(state, now, params):
        return Rejected(rule, f"commit at {now} is after the commit timeout")
    return evolve(state, commits=state.commits.set(node, commit))


def is_commit_phase_over(state: RoundState, *, now: Seconds, params: Params) -> bool:
    """§3.2 F5: the commit timeout passed, or every participating node committed."""
    participating = set(state.assigned) - state.abstentions
    return _commit_deadline_passed(state, now, params) or participating <= set(state.commits)


def process_close_commit_phase(
    state: RoundState, *, now: Seconds, params: Params
) -> Outcome[RoundState]:
    """§3.2 F5: the app continues the round with the committed nodes only."""
    rule = "process_close_commit_phase"
    if state.phase is not Phase.COMMIT:
        return Rejected(rule, "the commit phase is already closed")
    # Verify the timeout passed or all nodes committed.
    if not is_commit_phase_over(state, now=now, params=params):
        return Rejected(rule, f"at {now} the commit timeout has not passed and nodes are missing")
    return evolve(state, phase=Phase.COMMIT_CLOSED, commit_closed_at=now)


def process_reveal_app_salts(
    state: RoundState, *, salts: Mapping[NodeId, bytes], now: Seconds
) -> Outcome[RoundState]:
    """§3.2 F6: the app writes its salts on-chain, each checked against its F1 hash; reveal opens."""
    rule = "process_reveal_app_salts"
    if state.phase is not Phase.COMMIT_CLOSED:
        return Rejected(
            rule, f"app salts are revealed after the commit phase (phase is {state.phase.value})"
        )
    # Verify one salt per assigned node, each opening its on-chain hash.
    if set(salts) != set(state.assigned):
        return Rejected(rule, "salts must be revealed for exactly the assigned nodes")
    for node in state.assigned:
        if compute_hash(salts[node], state.algorithm) != state.app_salt_hashes[node]:
            return Rejected(rule, f"the salt revealed for {node} does not match its on-chain hash")
    return evolve(state, app_salts=dmap(dict(salts)), phase=Phase.REVEAL, reveal_opened_at=now)


def is_app_salt_deadline_passed(state: RoundState, *, now: Seconds, params: Params) -> bool:
    """§3.2 F6 (hardened): the commit phase closed more than the app salt timeout before `now`."""
    if state.phase is not Phase.COMMIT_CLOSED or state.commit_closed_at is None:
        return False
    return now - state.commit_closed_at > params.consensus.app_salt_timeout_seconds


def process_expire_app_salts(
    state: RoundState, *, now: Seconds, params: Params, profile: Profile
) -> Outcome[RoundState]:
    """§3.2 F6 (hardened): an app that has not revealed its salts in time ends the round FALSE."""
    rule = "process_expire_app_salts"
    # Verify the profile sets a deadline at all: the literal F6 waits for the app forever.
    if not profile.app_salt_timeout:
        return Rejected(
            rule, f"profile {profile.name} follows §3.2 F6, which gives the app no deadline"
        )
    # Verify the round is waiting for the app's salts.
    if state.phase is not Phase.COMMIT_CLOSED or state.commit_closed_at is None:
        return Rejected(
            rule, f"only a round waiting for the app salts expires (phase is {state.phase.value})"
        )
    # Verify the app's deadline has passed: until then it may still reveal.
    if not is_app_salt_deadline_passed(state, now=now, params=params):
        deadline = state.commit_closed_at + params.consensus.app_salt_timeout_seconds
        return Rejected(rule, f"at {now} the app may still reveal its salts (until {deadline})")
    decision = Decision(
        consensus=False,
        agreed_output_hash=None,
        supermajority=(),
        counted=(),
        mismatched=(),
        base=get_threshold_base(state, profile=profile),
        groups_over_threshold=0,
        app_withheld_salts=True,
    )
    return evolve(state, phase=Phase.DECIDED, decision=decision)


def _reveal_deadline_passed(state: RoundState, now: Seconds, params: Params) -> bool:
    assert state.reveal_opened_at is not None
    return now - state.reveal_opened_at > params.consensus.reveal_timeout_seconds


def process_reveal(
    state: RoundState, *, node: NodeId, reveal: Reveal, params: Params
) -> Outcome[RoundState]:
    """§3.2 F7: a committed node writes [nodeID, h(S_a), h(output), S_N or h(S_N)] in time, once."""
    rule = "process_reveal"
    now = reveal.revealed_at
    # Verify the app salts are on-chain: a reveal before them could be tailored to them.
    if state.phase is not Phase.REVEAL:
        return Rejected(
            rule, f"reveals open after the app salts are on-chain (phase is {state.phase.value})"
        )
    # Verify only committed nodes reveal, once, within the reveal timeout.
    if node not in state.commits:
        return Rejected(rule, f"{node} did not commit")
    if node in state.reveals:
        return Rejected(rule, f"{node} already revealed")
    if _reveal_deadline_passed(state, now, params):
        return Rejected(rule, f"reveal at {now} is after the reveal timeout")
    assert state.reveal_opened_at is not None
    if now < state.reveal_opened_at:
        return Rejected(rule, "a reveal cannot precede the reveal phase")
    return evolve(state, reveals=state.reveals.set(node, reveal))


def process_send_output(state: RoundState, *, node: NodeId, output: bytes) -> Outcome[RoundState]:
    """§3.2 F8: a node sends output(n) to the app (off-chain), once, after committing."""
    rule = "process_send_output"
    if node not in state.commits:
        return Rejected(rule, f"{node} did not commit")
    if node in state.outputs:
        return Rejected(rule, f"{node} already sent its output")
    return evolve(state, outputs=state.outputs.set(node, output))


def check_reveal(state: RoundState, *, node: NodeId, profile: Profile) -> RevealCheck:
    """§3.2 F9, §3.3 F11: whether `node`'s reveal opens its commit, as far as public data tells."""
    reveal = state.reveals[node]
    # Verify the revealed app salt hash is the one the app wrote for this node (F1).
    if reveal.app_salt_hash != state.app_salt_hashes[node]:
        return RevealCheck.MISMATCH
    if profile.reveal_contents is RevealContents.NODE_SALT_HASH:
        if reveal.node_salt_or_hash != state.node_salt_hashes[node]:
            return RevealCheck.MISMATCH
        return RevealCheck.UNVERIFIABLE
    node_salt = reveal.node_salt_or_hash
    if compute_hash(node_salt, state.algorithm) != state.node_salt_hashes[node]:
        return RevealCheck.MISMATCH
    recomputed = compute_composite_hash(
        node_id=node.encode(),
        app_salt=state.app_salts[node],
        node_salt=node_salt,
        output_hash=reveal.output_hash,
        encoding=profile.composite_encoding,
        algorithm=state.algorithm,
    )
    return RevealCheck.MATCH if recomputed == state.commits[node] else RevealCheck.MISMATCH


def is_output_consistent(state: RoundState, *, node: NodeId, profile: Profile) -> bool:
    """§3.2 F9: the output `node` sent the app agrees with what it revealed (and, where the
    reveal allows it, with its commit)."""
    output = state.outputs.get(node)
    if output is None:
        return True
    output_hash = compute_hash(output, state.algorithm)
    if output_hash != state.reveals[node].output_hash:
        return False
    return check_reveal(state, node=node, profile=profile) is not RevealCheck.MISMATCH


def process_app_verification(state: RoundState, *, profile: Profile) -> Outcome[RoundState]:
    """§3.2 F9: the app checks each revealed node's output and complains where it does not match."""
    rule = "process_app_verification"
    if state.phase is not Phase.REVEAL:
        return Rejected(rule, "the app verifies outputs during the reveal phase")
    if state.app_verified:
        return Rejected(rule, "the app already verified this round")
    complaints = frozenset(
        node
        for node in state.reveals
        if not is_output_consistent(state, node=node, profile=profile)
    )
    return evolve(state, app_complaints=complaints, app_verified=True)


def is_reveal_phase_over(state: RoundState, *, now: Seconds, params: Params) -> bool:
    """§3.2 F7: the reveal timeout passed, or every committed node revealed."""
    if state.phase is not Phase.REVEAL:
        return False
    return _reveal_deadline_passed(state, now, params) or set(state.commits) <= set(state.reveals)


def get_threshold_base(state: RoundState, *, profile: Profile) -> int:
    """§3.3 F10: N is every assigned node (hardened) or only the committed ones (literal Step 5)."""
    if profile.threshold_base is ThresholdBase.ASSIGNED:
        return len(state.assigned)
    return len(state.commits)
