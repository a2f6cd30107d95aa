"""Round invariants: what must hold of one Trusted Function round, checked against the truth.

A `RoundView` carries what the chain saw (the round state, the settlement outcome) beside what
really happened (the scenario: who was honest, the correct output, every node's real salt).
The checkers compare the two; none trusts the model's own verdict on a reveal. The stateful
machine and the exhaustive round exploration both build views and call `check_round`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from attrs import frozen

from model.ledger import Token, get_escrow_account, get_locked_escrow_account
from model.params import Params
from model.profile import Profile, RevealContents
from model.trusted.behaviour import Behaviour, Scenario
from model.trusted.round import Phase, RoundState
from model.trusted.settlement import RoundOutcome, TrustedChain
from model.units import NodeId
from oracle.commit import ENCODINGS, commit, composite, digest
from properties.invariants.app_validators import (
    byzantine_share_below_third,
    check_app_validators,
    check_bft_validators,
)
from properties.invariants.base import Observation, holds, observe, violated

# A round's checks hash the same salts and preimages many times over (each node's salt for
# every checker, its commit for binding, verifiability and injectivity): pure functions of
# their bytes, so each is computed once.
hashed = lru_cache(maxsize=1 << 16)(digest)
committed = lru_cache(maxsize=1 << 16)(commit)


@frozen
class RoundView:
    """One round as the checkers see it: the truth (scenario) beside the chain's record."""

    scenario: Scenario
    state: RoundState
    params: Params
    profile: Profile
    outcome: RoundOutcome | None = None
    """Set once the round is settled (F11, F12)."""
    chain_before: TrustedChain | None = None
    chain_after: TrustedChain | None = None


def get_node_salt(view: RoundView, node: NodeId) -> bytes:
    """The salt `node` really drew (F3), known to the checker but not to the validators.

    A scenario's randomness is its seed: S_N is h(seed, "node-salt", the round id in decimal,
    the node id), the four fields each behind its 8-byte big-endian length, hashed with the
    round's algorithm. The model's scenarios and the executor's nodes draw it the same way.
    """
    scenario = view.scenario
    fields = (scenario.seed, b"node-salt", str(scenario.round_id).encode(), node.encode())
    return hashed(composite(fields, "length-prefixed"), scenario.algorithm.value)


def recompute_commit(
    view: RoundView, node: NodeId, *, app_salt: bytes, node_salt: bytes, output_hash: bytes
) -> bytes:
    """§3.2 F4: commit(n) = h(nodeID + S_a + S_N + h(output)) under the profile's encoding."""
    return committed(
        node=node,
        app_salt=app_salt,
        node_salt=node_salt,
        output_hash=output_hash,
        encoding=view.profile.composite_encoding.value,
        algorithm=view.state.algorithm.value,
    )


def does_reveal_open_commit(view: RoundView, node: NodeId) -> bool:
    """The truth: `node`'s revealed output hash, with its real salts, recomputes its commit."""
    state = view.state
    reveal = state.reveals[node]
    app_salt = state.sent_app_salts[node]
    if hashed(app_salt, state.algorithm.value) != reveal.app_salt_hash:
        return False
    recomputed = recompute_commit(
        view,
        node,
        app_salt=app_salt,
        node_salt=get_node_salt(view, node),
        output_hash=reveal.output_hash,
    )
    return recomputed == state.commits[node]


def get_faulty_nodes(view: RoundView) -> frozenset[NodeId]:
    """Nodes that deviate from the protocol (a node wronged by the app is not faulty)."""
    return frozenset(
        plan.node for plan in view.scenario.plans if plan.behaviour is not Behaviour.HONEST
    )


def _passes(agree: int, base: int, params: Params) -> bool:
    # Written out here rather than imported, so the check does not share the model's code.
    consensus = params.consensus
    return agree * consensus.threshold_den > consensus.threshold_num * base


def _node_accounts(view: RoundView) -> dict[str, NodeId]:
    chain = view.chain_before
    if chain is None:
        return {}
    return {
        str(chain.nodes[node].account): node for node in view.state.assigned if node in chain.nodes
    }


# --- Consensus -----------------------------------------------------------------------------------


def check_bft_unique(view: RoundView) -> Observation | None:
    """BFT-UNIQUE: among the reveals the decision counted, at most one output passes."""
    decision = view.state.decision
    if decision is None:
        return None
    groups: dict[bytes, int] = {}
    for node in decision.counted:
        output_hash = view.state.reveals[node].output_hash
        groups[output_hash] = groups.get(output_hash, 0) + 1
    passing = sorted(
        h.hex()[:12] for h, n in groups.items() if _passes(n, decision.base, view.params)
    )
    return observe(
        "BFT-UNIQUE",
        len(passing) <= 1,
        f"{len(passing)} outputs pass the threshold over N={decision.base}: {passing}",
    )


def check_bft_sound(view: RoundView) -> Observation | None:
    """BFT-SOUND: with 3f < N faulty nodes, a TRUE consensus agrees on the correct output."""
    decision = view.state.decision
    faulty = get_faulty_nodes(view)
    n = len(view.state.assigned)
    if decision is None or not decision.consensus or 3 * len(faulty) >= n:
        return None
    correct = hashed(view.scenario.correct_output, view.scenario.algorithm.value)
    return observe(
        "BFT-SOUND",
        decision.agreed_output_hash == correct,
        f"consensus on a wrong output with f={len(faulty)} faulty of N={n}"
        f" (faulty: {sorted(faulty)}; agreeing: {list(decision.supermajority)})",
    )


def is_two_thirds_of(agree: int, assigned: int) -> bool:
    """BFT-TIMEOUT's own bar: more than 2/3 of the assigned nodes (3·agree > 2·N)."""
    # Not the governed threshold: a parameter change that lets fewer than 2/3 of the assigned
    # nodes decide is what BFT-TIMEOUT must catch, as its Z3 claim does (one ID, one meaning).
    return 3 * agree > 2 * assigned


def check_bft_timeout(view: RoundView) -> Observation | None:
    """BFT-TIMEOUT: a TRUE consensus has more than 2/3 of all assigned nodes behind it."""
    decision = view.state.decision
    if decision is None or not decision.consensus:
        return None
    agree, assigned = len(decision.supermajority), len(view.state.assigned)
    silent = sorted(set(view.state.assigned) - set(decision.counted))
    return observe(
        "BFT-TIMEOUT",
        is_two_thirds_of(agree, assigned),
        f"consensus with {agree} of {assigned} assigned nodes agreeing, not more than 2/3;"
        f" nodes that did not commit or reveal: {silent}",
    )


# --- Commit-reveal -------------------------------------------------------------------------------


def _settled_revealers(view: RoundView) -> tuple[RoundOutcome, tuple[NodeId, ...]] | None:
    if view.outcome is None:
        return None
    return view.outcome, tuple(sorted(view.state.reveals))


def check_cr_binding(view: RoundView) -> Observation | None:
    """CR-BINDING: every reveal that does not open its commit is slashed and unpaid."""
    settled = _settled_revealers(view)
    if settled is None:
        return None
    outcome, revealers = settled
    broken = [node for node in revealers if not does_reveal_open_commit(view, node)]
    if not broken:
        return None
    slashed = {slash.node for slash in outcome.slashed}
    escaped = [node for node in broken if node not in slashed or node in outcome.paid]
    return observe(
        "CR-BINDING",
        not escaped,
        f"reveals of {escaped} do not open their commits, yet they were"
        f" {'paid' if set(escaped) & set(outcome.paid) else 'not slashed'}",
    )


def check_cr_no_copy(view: RoundView) -> Observation | None:
    """CR-NO-COPY: a node that copied another's commit is neither counted nor paid."""
    decision = view.state.decision
    if decision is None:
        return None
    copiers = [
        plan.node
        for plan in view.scenario.plans
        if plan.behaviour is Behaviour.COPY_COMMIT and plan.node in view.state.reveals
    ]
    if not copiers:
        return None
    paid = set(view.outcome.paid) if view.outcome is not None else set()
    passed = [node for node in copiers if node in decision.counted or node in paid]
    return observe(
        "CR-NO-COPY",
        not passed,
        f"{passed} copied another node's commit and passed verification",
    )


def check_cr_app_salt(view: RoundView) -> Observation | None:
    """CR-APP-SALT: a node sent a bad app salt complains, and neither commits nor is paid."""
    state = view.state
    wronged = [plan.node for plan in view.scenario.plans if plan.gets_wrong_app_salt]
    if not wronged or state.phase is Phase.COMMIT:
        return None
    served = [node for node in wronged if node in state.commits or node not in state.abstentions]
    return observe(
        "CR-APP-SALT",
        not served,
        f"{served} received a salt not matching its on-chain hash but did not abstain",
    )


def check_cr_verifiable(view: RoundView) -> Observation | None:
    """CR-VERIFIABLE: from public data alone, anyone recomputes an honest node's commit."""
    state = view.state
    if state.phase not in (Phase.REVEAL, Phase.DECIDED) or not state.app_salts:
        return None
    honest = [node for node in sorted(state.reveals) if does_reveal_open_commit(view, node)]
    if not honest:
        return None
    unverifiable = []
    for node in honest:
        reveal = state.reveals[node]
        # Public data: the revealed salt field, the app salt on-chain, the posted h(S_N).
        salt = reveal.node_salt_or_hash
        recomputed = recompute_commit(
            view,
            node,
            app_salt=state.app_salts[node],
            node_salt=salt,
            output_hash=reveal.output_hash,
        )
        salt_matches = hashed(salt, state.algorithm.value) == state.node_salt_hashes[node]
        if not salt_matches or recomputed != state.commits[node]:
            unverifiable.append(node)
    return observe(
        "CR-VERIFIABLE",
        not unverifiable,
        f"the commits of {unverifiable} cannot be recomputed from what they revealed",
    )


def is_reveal_refuted_in_public(view: RoundView, node: NodeId) -> bool:
    """§3.2 F9 as the app can check it: public data shows `node`'s reveal does not open its
    commit. The revealed h(S_a) is not the one written at F1; the revealed salt field is not the
    posted h(S_N) (literal F7) or does not hash to it; or, S_N revealed, commit(n) recomputed from
    the on-chain app salt and the revealed fields is not the on-chain commit."""
    state = view.state
    reveal = state.reveals[node]
    if reveal.app_salt_hash != state.app_salt_hashes[node]:
        return True
    salt = reveal.node_salt_or_hash
    if view.profile.reveal_contents is RevealContents.NODE_SALT_HASH:
        return salt != state.node_salt_hashes[node]
    if hashed(salt, state.algorithm.value) != state.node_salt_hashes[node]:
        return True
    recomputed = recompute_commit(
        view, node, app_salt=state.app_salts[node], node_salt=salt, output_hash=reveal.output_hash
    )
    return recomputed != state.commits[node]


def check_cr_app_complaints(view: RoundView) -> Observation | None:
    """CR-VERIFIABLE: once the app has checked the outputs sent to it (§3.2 F9), it complains
    about exactly the revealed nodes whose output sent at F8 does not hash to their revealed
    output hash, or whose reveal public data shows does not open their commit."""
    state = view.state
    if not state.app_verified:
        return None
    algorithm = state.algorithm.value
    expected = {
        node
        for node, output in state.outputs.items()
        if node in state.reveals
        and (
            hashed(output, algorithm) != state.reveals[node].output_hash
            or is_reveal_refuted_in_public(view, node)
        )
    }
    problems: list[str] = []
    recorded = {"the round": set(state.app_complaints)}
    if view.outcome is not None:
        recorded["the settlement"] = set(view.outcome.app_complaints)
    for where, complaints in recorded.items():
        missed, wrongly = sorted(expected - complaints), sorted(complaints - expected)
        if missed:
            problems.append(f"{where} has no complaint about {missed}, whose outputs mismatch")
        if wrongly:
            problems.append(f"{where} complains about {wrongly}, whose outputs match")
    return observe("CR-VERIFIABLE", not problems, "; ".join(problems))


def check_cr_injective(view: RoundView) -> Observation | None:
    """CR-INJECTIVE: commit(n) as the model built it tells its fields apart. For every node that
    revealed, the encoding its on-chain commit was built with is found by recomputing it from the
    true fields (node id, the app salt sent, the node's real salt, the revealed output hash) under
    each encoding F4 may mean; moving one byte across any boundary between two fields (the same
    bytes in the same order) must then change the commitment."""
    state = view.state
    if state.phase not in (Phase.REVEAL, Phase.DECIDED):
        return None
    algorithm = state.algorithm.value
    checked, collisions = 0, []
    for node in sorted(state.reveals):
        fields = (
            node.encode(),
            state.sent_app_salts[node],
            get_node_salt(view, node),
            state.reveals[node].output_hash,
        )
        on_chain = state.commits[node]
        used = [e for e in ENCODINGS if hashed(composite(fields, e), algorithm) == on_chain]
        if not used:
            # The commit is not of these fields under any encoding: CR-BINDING's concern.
            continue
        checked += 1
        for encoding in used:
            for boundary in range(len(fields) - 1):
                left, right = fields[boundary], fields[boundary + 1]
                if not left:
                    continue
                shifted = list(fields)
                shifted[boundary], shifted[boundary + 1] = left[:-1], left[-1:] + right
                if hashed(composite(shifted, encoding), algorithm) == on_chain:
                    collisions.append(
                        f"{node} ({encoding}: byte moved across boundary {boundary + 1})"
                    )
    if not checked:
        return None
    return observe(
        "CR-INJECTIVE",
        not collisions,
        f"commit(n) is the same for different fields: {collisions}",
    )


def check_cr_phases(view: RoundView) -> Observation | None:
    """CR-PHASES: salt hash before commit before salt reveal before reveal before decision."""
    state = view.state
    if not state.node_salt_hashes:
        return None
    problems: list[str] = []
    if not set(state.commits) <= set(state.node_salt_hashes):
        problems.append("a node committed without posting h(S_N)")
    if set(state.commits) & state.abstentions:
        problems.append("a node that abstained committed")
    if not set(state.reveals) <= set(state.commits):
        problems.append("a node revealed without committing")
    if state.reveals and (state.phase not in (Phase.REVEAL, Phase.DECIDED) or not state.app_salts):
        problems.append("a reveal exists before the app salts are on-chain")
    opened = state.reveal_opened_at
    if opened is not None and any(r.revealed_at < opened for r in state.reveals.values()):
        problems.append("a reveal is timed before the reveal phase opened")
    if (state.decision is None) != (state.phase is not Phase.DECIDED):
        problems.append(f"phase {state.phase.value} with decision {state.decision is not None}")
    return observe("CR-PHASES", not problems, "; ".join(problems))


# --- Settlement ----------------------------------------------------------------------------------


def check_pay_only_majority(view: RoundView) -> Observation | None:
    """PAY-ONLY-MAJORITY: only supermajority nodes are paid, and only under consensus TRUE,
    while the app's byzantine validators hold under 1/3 of its committee (beyond that, more
    than 2/3 of it can vote any value: BFT-VALIDATORS states what they can and cannot do)."""
    outcome, decision = view.outcome, view.state.decision
    if outcome is None or decision is None or not byzantine_share_below_third(view):
        return None
    problems: list[str] = []
    if outcome.paid and not outcome.consensus:
        problems.append(f"{list(outcome.paid)} paid without consensus")
    outside = sorted(set(outcome.paid) - set(decision.supermajority))
    if outside:
        problems.append(f"{outside} paid outside the supermajority")
    accounts = _node_accounts(view)
    gained = sorted(
        {
            accounts[move.account]
            for move in outcome.movements
            if move.account in accounts and move.delta > 0
        }
        - set(outcome.paid)
    )
    if gained:
        problems.append(f"{gained} received tokens without being paid")
    return observe("PAY-ONLY-MAJORITY", not problems, "; ".join(problems))


def check_round_escrow(view: RoundView) -> Observation | None:
    """ESCROW-SOLVENT (round part): the round's payouts leave only its own app's escrow."""
    outcome = view.outcome
    if outcome is None or not (outcome.paid or outcome.escrow_locked):
        return None
    own = {str(get_escrow_account(view.state.app)), str(get_locked_escrow_account(view.state.app))}
    foreign = sorted(
        move.account
        for move in outcome.movements
        if move.delta < 0 and move.account.startswith("escrow") and move.account not in own
    )
    return observe("ESCROW-SOLVENT", not foreign, f"app {view.state.app}'s round drew on {foreign}")


def check_pay_cost(view: RoundView) -> Observation | None:
    """PAY-COST: every paid node receives at least the round's cost in STB."""
    outcome = view.outcome
    if outcome is None or not outcome.paid or outcome.cost == 0:
        return None
    accounts = {node: account for account, node in _node_accounts(view).items()}
    received = {
        move.account: move.delta for move in outcome.movements if move.token == Token.STB.value
    }
    short = [
        (node, received.get(accounts.get(node, ""), 0))
        for node in outcome.paid
        if received.get(accounts.get(node, ""), 0) < outcome.cost
    ]
    return observe(
        "PAY-COST", not short, f"paid nodes received less STB than the cost {outcome.cost}: {short}"
    )


def check_round_live(view: RoundView) -> Observation | None:
    """ROUND-LIVE (machine part): a round the machine ran reached its decision."""
    if view.state.phase is Phase.DECIDED:
        return holds("ROUND-LIVE")
    return violated(
        "ROUND-LIVE",
        f"round {view.state.round_id} stopped in phase {view.state.phase.value} and can never"
        " decide: no payout and no escrow lock",
    )


ROUND_CHECKERS: tuple[Callable[[RoundView], Observation | None], ...] = (
    check_bft_unique,
    check_bft_sound,
    check_bft_timeout,
    check_cr_binding,
    check_cr_no_copy,
    check_cr_app_salt,
    check_cr_verifiable,
    check_cr_app_complaints,
    check_cr_injective,
    check_cr_phases,
    check_pay_only_majority,
    check_round_escrow,
    check_pay_cost,
    check_app_validators,
    check_bft_validators,
)
"""Checkers that apply to any round state; ROUND-LIVE is separate (it needs the whole graph)."""


def check_round(view: RoundView) -> tuple[Observation, ...]:
    """Every round invariant that the view exercises, in catalogue order of the checkers."""
    observations = (checker(view) for checker in ROUND_CHECKERS)
    return tuple(obs for obs in observations if obs is not None)
