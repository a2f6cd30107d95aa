"""The executor's checks of the catalogue's X invariants, on rounds really run.

Each check reads one settled round as observed (what the nodes sent, what the executor's
validators decided and moved) beside the truth the harness knows (each node's real behaviour and
salt, the function's output run on its own), and returns an `Observation` under the catalogue's
ID, or None when the round gives it nothing to check. Same IDs, same meanings as the Hypothesis
invariants and the Z3 proofs.
"""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from executor import wire
from executor.round import RoundLog
from executor.scenario import ExecRound, get_node_account
from executor.validators import Decision
from model.ledger import get_escrow_account, get_locked_escrow_account
from model.params import Params
from model.profile import Profile
from model.trusted.behaviour import Behaviour
from model.trusted.settlement import RoundOutcome
from model.units import NodeId


@frozen
class Observation:
    """One invariant checked once on one real round."""

    invariant_id: str
    holds: bool
    detail: str = ""


@frozen
class SettledRound:
    """A round the executor ran and settled, with the truth beside it."""

    round: ExecRound
    log: RoundLog
    outcome: RoundOutcome
    decision: Decision
    reference_output: bytes | None
    params: Params
    profile: Profile

    @property
    def algorithm(self) -> str:
        return self.round.scenario.algorithm.value

    def real_salt(self, node: str) -> bytes:
        """The salt the node really drew (the harness knows the node's derivation)."""
        scenario = self.round.scenario
        return wire.derive(
            scenario.seed, b"node-salt", str(scenario.round_id).encode(), node.encode()
        )

    def sent_app_salt(self, node: str) -> bytes:
        """The app salt the node was really sent."""
        scenario = self.round.scenario
        if scenario.plan_of(NodeId(node)).gets_wrong_app_salt:
            return wire.derive(scenario.seed, b"wrong-app-salt", node.encode())
        return wire.derive(
            scenario.seed,
            b"app-salt",
            str(scenario.round_id).encode(),
            node.encode(),
            algorithm=self.algorithm,
        )

    def opens(self, node: str) -> bool:
        """The truth: the node's revealed output hash, with its real salts, recomputes its commit."""
        reveal = self.log.reveals[node]
        app_salt = self.sent_app_salt(node)
        if wire.digest(app_salt, self.algorithm) != reveal.app_salt_hash:
            return False
        recomputed = wire.commitment(
            node=node,
            app_salt=app_salt,
            node_salt=self.real_salt(node),
            output_hash=reveal.output_hash,
            encoding=self.profile.composite_encoding.value,
            algorithm=self.algorithm,
        )
        return recomputed == self.log.commits[node]

    def faulty(self) -> set[str]:
        """Nodes that deviate: a misbehaviour or a process fault (a wronged node is not faulty)."""
        deviating = {
            plan.node
            for plan in self.round.scenario.plans
            if plan.behaviour is not Behaviour.HONEST
        }
        return deviating | {fault.node for fault in self.round.faults} | set(self.log.faulty)


def _observe(invariant_id: str, holds: bool, detail: str) -> Observation:
    return Observation(invariant_id, holds, "" if holds else detail)


def _passes(agree: int, base: int, params: Params) -> bool:
    return agree * params.consensus.threshold_den > params.consensus.threshold_num * base


def check_escrow_solvent(r: SettledRound) -> Observation | None:
    """ESCROW-SOLVENT: the round's payouts leave only its own app's escrow."""
    if not (r.outcome.paid or r.outcome.escrow_locked):
        return None
    app = r.round.scenario.app
    own = {str(get_escrow_account(app)), str(get_locked_escrow_account(app))}
    foreign = sorted(
        m.account
        for m in r.outcome.movements
        if m.delta < 0 and m.account.startswith("escrow") and m.account not in own
    )
    return _observe("ESCROW-SOLVENT", not foreign, f"the round drew on {foreign}")


def check_pay_only_majority(r: SettledRound) -> Observation | None:
    """PAY-ONLY-MAJORITY: only the supermajority is paid, only under consensus TRUE."""
    problems = []
    if r.outcome.paid and not r.outcome.consensus:
        problems.append(f"{list(r.outcome.paid)} paid without consensus")
    outside = sorted(set(r.outcome.paid) - set(r.decision.supermajority))
    if outside:
        problems.append(f"{outside} paid outside the supermajority")
    accounts = {str(get_node_account(n)): n for n in r.round.scenario.assigned}
    gained = sorted(
        {accounts[m.account] for m in r.outcome.movements if m.account in accounts and m.delta > 0}
        - set(r.outcome.paid)
    )
    if gained:
        problems.append(f"{gained} received tokens without being paid")
    return _observe("PAY-ONLY-MAJORITY", not problems, "; ".join(problems))


def check_bft_sound(r: SettledRound) -> Observation | None:
    """BFT-SOUND: with 3f < N faulty nodes, a TRUE consensus is on the function's real output."""
    faulty, n = r.faulty(), len(r.round.scenario.assigned)
    if not r.decision.consensus or 3 * len(faulty) >= n or r.reference_output is None:
        return None
    correct = wire.digest(r.reference_output, r.algorithm)
    return _observe(
        "BFT-SOUND",
        r.decision.agreed_output_hash == correct,
        f"consensus on a wrong output with f={len(faulty)} faulty of N={n} ({sorted(faulty)})",
    )


def is_two_thirds_of(agree: int, assigned: int) -> bool:
    """BFT-TIMEOUT's own bar: more than 2/3 of the assigned nodes (3·agree > 2·N)."""
    # Not the governed threshold: a parameter change that lets fewer than 2/3 of the assigned
    # nodes decide is what BFT-TIMEOUT must catch, as its Z3 claim does (one ID, one meaning).
    return 3 * agree > 2 * assigned


def check_bft_timeout(r: SettledRound) -> Observation | None:
    """BFT-TIMEOUT: a TRUE consensus has more than 2/3 of all assigned nodes behind it."""
    if not r.decision.consensus:
        return None
    agree, assigned = len(r.decision.supermajority), len(r.round.scenario.assigned)
    return _observe(
        "BFT-TIMEOUT",
        is_two_thirds_of(agree, assigned),
        f"consensus with {agree} of {assigned} assigned nodes, not more than 2/3",
    )


def check_cr_binding(r: SettledRound) -> Observation | None:
    """CR-BINDING: every reveal that does not open its commit is slashed and unpaid."""
    broken = [n for n in sorted(r.log.reveals) if not r.opens(n)]
    if not broken:
        return None
    slashed = {s.node for s in r.outcome.slashed}
    escaped = [n for n in broken if n not in slashed or n in r.outcome.paid]
    return _observe("CR-BINDING", not escaped, f"reveals of {escaped} do not open their commits")


def check_cr_no_copy(r: SettledRound) -> Observation | None:
    """CR-NO-COPY: a node that copied another's commit is neither counted nor paid."""
    copiers = [
        p.node
        for p in r.round.scenario.plans
        if p.behaviour is Behaviour.COPY_COMMIT and p.node in r.log.reveals
    ]
    if not copiers:
        return None
    passed = [n for n in copiers if n in r.decision.counted or n in r.outcome.paid]
    return _observe("CR-NO-COPY", not passed, f"{passed} copied a commit and passed verification")


def check_cr_app_salt(r: SettledRound) -> Observation | None:
    """CR-APP-SALT: a node sent a bad app salt complains and neither commits nor is paid."""
    wronged = [p.node for p in r.round.scenario.plans if p.gets_wrong_app_salt]
    wronged = [n for n in wronged if n not in r.log.faulty]
    if not wronged:
        return None
    served = [n for n in wronged if n in r.log.commits or n not in r.log.abstained]
    return _observe("CR-APP-SALT", not served, f"{served} got a bad app salt and did not abstain")


def check_cr_injective(r: SettledRound) -> Observation | None:
    """CR-INJECTIVE: moving the boundary between the app salt and the node salt by one byte
    (other fields, the same bytes) changes the node's commitment."""
    committed = [n for n in sorted(r.log.commits) if n in r.log.reveals and r.opens(n)]
    if not committed:
        return None
    collisions = []
    for node in committed:
        app_salt, node_salt = r.sent_app_salt(node), r.real_salt(node)
        output_hash = r.log.reveals[node].output_hash

        def commit_of(
            app: bytes, salt: bytes, node: str = node, output: bytes = output_hash
        ) -> bytes:
            return wire.commitment(
                node=node,
                app_salt=app,
                node_salt=salt,
                output_hash=output,
                encoding=r.profile.composite_encoding.value,
                algorithm=r.algorithm,
            )

        real = commit_of(app_salt, node_salt)
        shifted = commit_of(app_salt[:-1], app_salt[-1:] + node_salt)
        if real == shifted:
            collisions.append(node)
    return _observe(
        "CR-INJECTIVE",
        not collisions,
        f"the commitments of {collisions} equal those of different salts (one byte moved from "
        "the app salt to the node salt)",
    )


def check_cr_verifiable(r: SettledRound) -> Observation | None:
    """CR-VERIFIABLE: from public data alone, anyone recomputes an honest node's commit."""
    if not r.log.app_revealed_salts:
        return None
    honest = [n for n in sorted(r.log.reveals) if r.opens(n)]
    if not honest:
        return None
    unverifiable = []
    for node in honest:
        reveal = r.log.reveals[node]
        recomputed = wire.commitment(
            node=node,
            app_salt=r.log.app_salts[node],
            node_salt=reveal.node_salt,
            output_hash=reveal.output_hash,
            encoding=r.profile.composite_encoding.value,
            algorithm=r.algorithm,
        )
        salt_matches = wire.digest(reveal.node_salt, r.algorithm) == r.log.salt_hashes[node]
        if not salt_matches or recomputed != r.log.commits[node]:
            unverifiable.append(node)
    return _observe(
        "CR-VERIFIABLE", not unverifiable, f"the commits of {unverifiable} cannot be recomputed"
    )


EXECUTOR_CHECKS: dict[str, Callable[[SettledRound], Observation | None]] = {
    "ESCROW-SOLVENT": check_escrow_solvent,
    "PAY-ONLY-MAJORITY": check_pay_only_majority,
    "BFT-SOUND": check_bft_sound,
    "BFT-TIMEOUT": check_bft_timeout,
    "CR-BINDING": check_cr_binding,
    "CR-NO-COPY": check_cr_no_copy,
    "CR-APP-SALT": check_cr_app_salt,
    "CR-INJECTIVE": check_cr_injective,
    "CR-VERIFIABLE": check_cr_verifiable,
}
"""Invariant ID -> the executor's check of it on a settled round (GROUNDED is checked per call)."""


def check_settled_round(r: SettledRound) -> tuple[Observation, ...]:
    """Every executor check the round exercises."""
    observations = (check(r) for check in EXECUTOR_CHECKS.values())
    return tuple(o for o in observations if o is not None)
