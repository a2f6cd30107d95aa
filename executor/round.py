"""One Trusted Function round with real node processes: the executor plays the app and the chain.

The executor keeps the protocol clock. Nodes act in slots: the commit phase has slots at t0 + 1,
t0 + 2 and just past the commit timeout; the reveal phase at tc + 1, tc + 2 and just past the
reveal timeout; each node's own code decides in which slot it acts (an honest node at once, a
late one after the timeout, a copier once there is something to copy). What a node sends is
checked the way validators check it, with the executor's own hashing (`executor.wire`), never
the model's. A node that fails as a process is faulty from then on and the round goes on. The
log keeps the times GROUNDED compares: each accepted reveal's slot, the commit phase's close,
the decision or expiry, and each refused late commit or reveal with its slot (`why` names the
step first).
"""

from __future__ import annotations

from executor import wire
from executor.pool import Fault, NodePool, Reply
from executor.records import Node, Revealed, RoundLog
from executor.scenario import ExecRound
from executor.wire import Message
from model.params import Params
from model.profile import Profile


class _Round:
    """The evolving state of one round as the executor drives it."""

    def __init__(
        self,
        pool: NodePool,
        round_: ExecRound,
        params: Params,
        profile: Profile,
        sys_path: tuple[str, ...],
    ) -> None:
        self.pool, self.round, self.params, self.profile = pool, round_, params, profile
        self.scenario = round_.scenario
        self.sys_path = sys_path
        self.algorithm = self.scenario.algorithm.value
        self.salt_hashes: dict[Node, bytes] = {}
        self.abstained: set[Node] = set()
        self.commits: dict[Node, bytes] = {}
        self.reveals: dict[Node, Revealed] = {}
        self.outputs: dict[Node, bytes] = {}
        self.faulty: dict[Node, str] = {}
        self.errors: dict[Node, str] = {}
        self.refused: list[tuple[int, Node, str]] = []
        seed, round_id = self.scenario.seed, str(self.scenario.round_id).encode()
        self.app_salts: dict[Node, bytes] = {
            str(node): wire.derive(
                seed, b"app-salt", round_id, node.encode(), algorithm=self.algorithm
            )
            for node in self.scenario.assigned
        }

    def ask(self, requests: dict[Node, Message]) -> dict[Node, Message]:
        """Exchange with live nodes; a fault or an error reply makes the node faulty."""
        replies: dict[Node, Reply] = self.pool.exchange(requests) if requests else {}
        answered: dict[Node, Message] = {}
        for node, reply in replies.items():
            if isinstance(reply, Fault):
                self.faulty[node] = f"{reply.code}: {reply.detail}" if reply.detail else reply.code
            elif "error" in reply:
                self.faulty[node] = "function-error"
                self.errors[node] = str(reply["error"])
            else:
                answered[node] = reply
        return answered

    def open(self) -> None:
        """Steps 1-4: hashes of the app salts on-chain, salts sent, node salt hashes posted."""
        scenario, t0 = self.scenario, self.scenario.start
        requests: dict[Node, Message] = {}
        sent_salts: dict[Node, bytes] = {}
        for plan in scenario.plans:
            node: Node = str(plan.node)
            sent = self.app_salts[node]
            if plan.gets_wrong_app_salt:
                sent = wire.derive(scenario.seed, b"wrong-app-salt", node.encode())
            sent_salts[node] = sent
            fault = self.round.fault_of(plan.node)
            requests[node] = {
                "op": "open",
                "round": scenario.round_id,
                "node": node,
                "seed": scenario.seed.hex(),
                "algorithm": self.algorithm,
                "encoding": self.profile.composite_encoding.value,
                "reveal_contents": self.profile.reveal_contents.value,
                "opened_at": t0,
                "commit_timeout": self.params.consensus.commit_timeout_seconds,
                "reveal_timeout": self.params.consensus.reveal_timeout_seconds,
                "app_salt_hash": wire.digest(self.app_salts[node], self.algorithm).hex(),
                "app_salt": sent.hex(),
                "behaviour": plan.behaviour.value,
                "copy_from": plan.copy_from,
                "wrong_output": None if plan.wrong_output is None else plan.wrong_output.hex(),
                "fault": None if fault is None else fault.fault.value,
                "fault_phase": None if fault is None else fault.phase.value,
                "function": self.round.function,
                "app": str(scenario.app),
                "sys_path": list(self.sys_path),
                "input": self.round.input.hex(),
            }
        for node, reply in self.ask(requests).items():
            self.salt_hashes[node] = wire.get_hex(reply, "salt_hash")
            sent = sent_salts[node]
            # The chain accepts a complaint only with grounds: the salt does not open its hash.
            if reply.get("complain") and wire.digest(sent, self.algorithm) != wire.digest(
                self.app_salts[node], self.algorithm
            ):
                self.abstained.add(node)

    def participants(self) -> list[Node]:
        return [
            n
            for n in self.scenario.assigned
            if n not in self.abstained and n not in self.faulty and n in self.salt_hashes
        ]

    def commit_slot(self, now: int, *, repeat: bool) -> None:
        """Ask every node yet to commit; with `repeat`, again while new commits appear."""
        deadline = self.scenario.start + self.params.consensus.commit_timeout_seconds
        while True:
            waiting = [n for n in self.participants() if n not in self.commits]
            on_chain = {n: c.hex() for n, c in self.commits.items()}
            request = {"op": "commit", "now": now, "commits": on_chain}
            new = 0
            for node, reply in self.ask({n: request for n in waiting}).items():
                if "commit" not in reply:
                    continue
                # Verify the commit arrives within the commit timeout (F5).
                if now > deadline:
                    self.refused.append((now, node, "commit after the commit timeout"))
                    continue
                self.commits[node] = wire.get_hex(reply, "commit")
                new += 1
            if not repeat or new == 0:
                return

    def commit_phase(self) -> int:
        """F4-F5: run the commit slots; the phase closes when all committed or past the timeout."""
        t0, timeout = self.scenario.start, self.params.consensus.commit_timeout_seconds
        self.commit_slot(t0 + 1, repeat=False)
        self.commit_slot(t0 + 2, repeat=True)
        everyone = [n for n in self.scenario.assigned if n not in self.abstained]
        if all(n in self.commits for n in everyone):
            return t0 + 2
        self.commit_slot(t0 + timeout + 1, repeat=False)
        return t0 + timeout + 1

    def reveal_slot(self, now: int, closed_at: int, *, one_by_one: bool) -> None:
        """Ask committed nodes yet to reveal; `one_by_one` lets each see the reveals before it."""
        deadline = closed_at + self.params.consensus.reveal_timeout_seconds
        waiting = [
            n
            for n in self.scenario.assigned
            if n in self.commits and n not in self.reveals and n not in self.faulty
        ]
        batches = [[n] for n in waiting] if one_by_one else [waiting]
        for batch in batches:
            on_chain = {n: r.output_hash.hex() for n, r in self.reveals.items()}
            request = {"op": "reveal", "now": now, "opened_at": closed_at, "reveals": on_chain}
            for node, reply in self.ask({n: request for n in batch}).items():
                if "reveal" not in reply:
                    continue
                # Verify the reveal arrives within the reveal timeout (F7).
                if now > deadline:
                    self.refused.append((now, node, "reveal after the reveal timeout"))
                    continue
                revealed = reply["reveal"]
                self.reveals[node] = Revealed(
                    app_salt_hash=wire.get_hex(revealed, "app_salt_hash"),
                    output_hash=wire.get_hex(revealed, "output_hash"),
                    node_salt=wire.get_hex(revealed, "node_salt"),
                    revealed_at=now,
                )
                if reply.get("output") is not None:
                    self.outputs[node] = wire.get_hex(reply, "output")  # F8, off-chain to the app

    def reveal_phase(self, closed_at: int) -> int:
        """F7: run the reveal slots; the phase is over when all revealed or past the timeout."""
        timeout = self.params.consensus.reveal_timeout_seconds
        self.reveal_slot(closed_at + 1, closed_at, one_by_one=False)
        self.reveal_slot(closed_at + 2, closed_at, one_by_one=True)
        if all(n in self.reveals for n in self.commits):
            return closed_at + 2
        self.reveal_slot(closed_at + timeout + 1, closed_at, one_by_one=False)
        return closed_at + timeout + 1

    def log(
        self, *, closed_at: int, revealed_salts: bool, decided_at: int | None, expired: bool
    ) -> RoundLog:
        return RoundLog(
            assigned=tuple(str(n) for n in self.scenario.assigned),
            app_salt_hashes={n: wire.digest(s, self.algorithm) for n, s in self.app_salts.items()},
            app_salts=dict(self.app_salts) if revealed_salts else {},
            salt_hashes=dict(self.salt_hashes),
            abstained=frozenset(self.abstained),
            commits=dict(self.commits),
            reveals=dict(self.reveals),
            outputs=dict(self.outputs),
            faulty=dict(self.faulty),
            refused=tuple(self.refused),
            app_revealed_salts=revealed_salts,
            decided_at=decided_at,
            expired=expired,
            function_errors=dict(self.errors),
            commit_closed_at=closed_at,
        )


def run_round(
    pool: NodePool,
    round_: ExecRound,
    *,
    params: Params,
    profile: Profile,
    sys_path: tuple[str, ...],
) -> RoundLog:
    """Steps 1-10 of §3.2-§3.3 with real node processes, up to the moment of decision."""
    run = _Round(pool, round_, params, profile, sys_path)
    try:
        run.open()
        closed_at = run.commit_phase()
        if not run.scenario.app_reveals_salts:
            # F6 withheld: the literal text waits forever; the hardened chain expires the round.
            if not profile.app_salt_timeout:
                return run.log(
                    closed_at=closed_at, revealed_salts=False, decided_at=None, expired=False
                )
            expired_at = closed_at + params.consensus.app_salt_timeout_seconds + 1
            return run.log(
                closed_at=closed_at, revealed_salts=False, decided_at=expired_at, expired=True
            )
        decided_at = run.reveal_phase(closed_at)
        return run.log(
            closed_at=closed_at, revealed_salts=True, decided_at=decided_at, expired=False
        )
    finally:
        pool.end_round()
