"""The state graph of one explored round: every step each actor may take, in every order.

Each step is one of the model's own `process_*` transitions; a state is the round state and the
clock (`RoundPoint`), and the graph is a networkx.DiGraph whose edges carry the steps' labels.
Time: every step of the commit window happens at `start + 1`, every step of the reveal window at
the instant the app revealed its salts, and a timeout moves the clock one second past its
deadline. Timeliness: a deadline passes only once no step due before it is still possible, so
honest nodes and an honest app meet their deadlines and missing one is a behaviour (NO_COMMIT,
LATE_COMMIT, LATE_REVEAL, a silent app). The app checks the outputs sent to it (§3.2 F9) only once
they are all in: the reveal phase is over and every node that revealed and computed has sent its
output (F8); the validators may decide before or after it. Once the validators decide, only
settlement follows.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import networkx as nx
from attrs import frozen

from model.hashing import compute_hash
from model.params import Params
from model.profile import Profile, RevealContents
from model.trusted.behaviour import Behaviour, NodePlan
from model.trusted.decision import process_decide
from model.trusted.round import (
    Phase,
    Reveal,
    RoundState,
    compute_node_commit,
    generate_app_salts,
    generate_node_salt,
    is_app_salt_deadline_passed,
    is_commit_phase_over,
    is_reveal_phase_over,
    process_app_verification,
    process_close_commit_phase,
    process_commit,
    process_complain_app_salt,
    process_expire_app_salts,
    process_open_round,
    process_post_node_salt_hash,
    process_reveal,
    process_reveal_app_salts,
    process_send_output,
    process_send_wrong_app_salt,
)
from model.trusted.scenario import (
    get_guessed_output,
    get_node_output,
    get_sent_output,
    get_wrong_app_salt,
)
from model.trusted.settlement import RoundOutcome, TrustedChain, process_settle_round
from model.trusted.validation import process_validate_round
from model.units import NodeId, Outcome, Rejected, Seconds
from properties.invariants.round import RoundView
from properties.round_setup import ROUND_COST, Assignment, make_scenario

_WATCHERS = (Behaviour.COPY_COMMIT, Behaviour.REVEAL_MISMATCH)
_COMMITS_OWN = (
    Behaviour.HONEST,
    Behaviour.WRONG_OUTPUT,
    Behaviour.NO_REVEAL,
    Behaviour.LATE_REVEAL,
    Behaviour.REVEAL_MISMATCH,
    Behaviour.SENDS_OTHER_OUTPUT,
)
_REVEALS_OWN = (Behaviour.HONEST, Behaviour.WRONG_OUTPUT, Behaviour.SENDS_OTHER_OUTPUT)


@frozen(cache_hash=True)
class RoundPoint:
    """A state of the graph: the round state, the clock, and whether the round is settled (END)."""

    state: RoundState
    now: Seconds
    settled: bool = False


SettleRound = Callable[..., Outcome[tuple[TrustedChain, RoundOutcome]]]
"""How a decided round is settled against the chain: `process_settle_round` or a stand-in."""

_Step = tuple[str, RoundPoint]
_Attempt = tuple[str, bool, Outcome[RoundState]]


class RoundExplorer:
    """Builds the state graph of one assignment: every step each actor may take, in every order.

    `settle` settles a decided round against `chain`; an END records its answer in `outcomes`.
    """

    def __init__(
        self,
        assignment: Assignment,
        *,
        params: Params,
        profile: Profile,
        chain: TrustedChain,
        seed: int,
        settle: SettleRound = process_settle_round,
    ) -> None:
        self.assignment = assignment
        self.scenario = make_scenario(assignment, seed=seed)
        self.params = params
        self.profile = profile
        self.chain = chain
        self.settle = settle
        scenario = self.scenario
        # The nodes read from the plans themselves, not from the scenario's derived property.
        self.assigned = tuple(plan.node for plan in scenario.plans)
        self.app_salts = generate_app_salts(
            seed=scenario.seed,
            round_id=scenario.round_id,
            assigned=self.assigned,
            algorithm=scenario.algorithm,
        )
        self.node_salts = {
            node: generate_node_salt(
                seed=scenario.seed,
                round_id=scenario.round_id,
                node=node,
                algorithm=scenario.algorithm,
            )
            for node in self.assigned
        }
        self.outcomes: dict[RoundPoint, tuple[TrustedChain, RoundOutcome]] = {}
        self.settle_refusals: dict[RoundPoint, str] = {}
        self._commits: dict[NodeId, bytes] = {}

    # --- The opened round -------------------------------------------------------------------

    def open_round(self) -> RoundPoint:
        """§3.2 F1-F2: the app opens the round and sends each node its salt (a wrong one if so)."""
        scenario = self.scenario
        opened = process_open_round(
            round_id=scenario.round_id,
            app=scenario.app,
            assigned=self.assigned,
            app_salts=self.app_salts,
            now=scenario.start,
            algorithm=scenario.algorithm,
        )
        assert isinstance(opened, RoundState), opened
        state = opened
        for plan in scenario.plans:
            if plan.gets_wrong_app_salt:
                wrong = get_wrong_app_salt(scenario, plan.node)
                sent = process_send_wrong_app_salt(state, node=plan.node, salt=wrong)
                assert isinstance(sent, RoundState), sent
                state = sent
        # Every step of the commit window happens at one instant inside it.
        return RoundPoint(state, scenario.start + 1)

    # --- What each actor does ---------------------------------------------------------------

    def _commit_of(self, state: RoundState, plan: NodePlan) -> bytes | None:
        if plan.behaviour is Behaviour.COPY_COMMIT:
            assert plan.copy_from is not None
            return state.commits.get(plan.copy_from)
        cached = self._commits.get(plan.node)
        if cached is None:
            if plan.behaviour is Behaviour.REVEAL_MISMATCH:
                output = get_guessed_output(self.scenario, plan)
            else:
                output = get_node_output(self.scenario, plan)
            cached = compute_node_commit(
                state,
                node=plan.node,
                app_salt=state.sent_app_salts[plan.node],
                node_salt=self.node_salts[plan.node],
                output=output,
                profile=self.profile,
            )
            self._commits[plan.node] = cached
        return cached

    def _reveal_of(self, state: RoundState, plan: NodePlan, now: Seconds) -> Reveal | None:
        algorithm = self.scenario.algorithm
        if plan.behaviour is Behaviour.COPY_COMMIT:
            assert plan.copy_from is not None
            source = state.reveals.get(plan.copy_from)
            if source is None:
                return None
            output_hash = source.output_hash
        elif plan.behaviour is Behaviour.REVEAL_MISMATCH:
            # As in model.trusted.scenario: the most common revealed hash (ties: the smallest).
            counts: dict[bytes, int] = {}
            for reveal in state.reveals.values():
                counts[reveal.output_hash] = counts.get(reveal.output_hash, 0) + 1
            if not counts:
                return None
            output_hash = min(counts, key=lambda h: (-counts[h], h))
        else:
            output_hash = compute_hash(get_node_output(self.scenario, plan), algorithm)
        node_salt = self.node_salts[plan.node]
        if self.profile.reveal_contents is RevealContents.NODE_SALT_HASH:
            node_salt = compute_hash(node_salt, algorithm)
        return Reveal(
            app_salt_hash=compute_hash(state.sent_app_salts[plan.node], algorithm),
            output_hash=output_hash,
            node_salt_or_hash=node_salt,
            revealed_at=now,
        )

    def _node_attempt(self, state: RoundState, now: Seconds, plan: NodePlan) -> _Attempt | None:
        """The next step `plan`'s node tries now, as (label, timely, the model's answer)."""
        node, params = plan.node, self.params
        if node not in state.node_salt_hashes:
            salt_hash = compute_hash(self.node_salts[node], self.scenario.algorithm)
            posted = process_post_node_salt_hash(
                state, node=node, salt_hash=salt_hash, now=now, params=params
            )
            return f"{node} posts h(S_N)", True, posted
        if plan.gets_wrong_app_salt:
            if node in state.abstentions:
                return None
            complaint = process_complain_app_salt(state, node=node, now=now, params=params)
            return f"{node} complains about its app salt", True, complaint
        if node not in state.commits:
            return self._commit_attempt(state, now, plan)
        if state.phase is not Phase.REVEAL:
            return None
        if node not in state.reveals:
            return self._reveal_attempt(state, now, plan)
        if plan.behaviour not in _WATCHERS and node not in state.outputs:
            # F8: the output sent to the app; SENDS_OTHER_OUTPUT sends another than it revealed.
            output = get_sent_output(self.scenario, plan)
            sent = process_send_output(state, node=node, output=output)
            return f"{node} sends its output", False, sent
        return None

    def _commit_attempt(self, state: RoundState, now: Seconds, plan: NodePlan) -> _Attempt | None:
        node, behaviour = plan.node, plan.behaviour
        commit_deadline = state.opened_at + self.params.consensus.commit_timeout_seconds
        # A late committer tries only once the commit timeout has passed.
        if behaviour is Behaviour.LATE_COMMIT and now > commit_deadline:
            label = f"{node} commits late"
        elif behaviour is Behaviour.COPY_COMMIT:
            label = f"{node} copies {plan.copy_from}'s commit"
        elif behaviour in _COMMITS_OWN:
            label = f"{node} commits"
        else:
            return None
        commit = self._commit_of(state, plan)
        if commit is None:
            return None  # a copier waits for its target's commit
        committed = process_commit(state, node=node, commit=commit, now=now, params=self.params)
        return label, True, committed

    def _reveal_attempt(self, state: RoundState, now: Seconds, plan: NodePlan) -> _Attempt | None:
        assert state.reveal_opened_at is not None
        reveal_deadline = state.reveal_opened_at + self.params.consensus.reveal_timeout_seconds
        # A late revealer tries only once the reveal timeout has passed.
        late = plan.behaviour is Behaviour.LATE_REVEAL and now > reveal_deadline
        if not (late or plan.behaviour in _REVEALS_OWN or plan.behaviour in _WATCHERS):
            return None
        reveal = self._reveal_of(state, plan, now)
        if reveal is None:
            return None  # a watcher waits for a reveal to copy
        revealed = process_reveal(state, node=plan.node, reveal=reveal, params=self.params)
        return f"{plan.node} reveals late" if late else f"{plan.node} reveals", True, revealed

    def _round_attempts(
        self, state: RoundState, now: Seconds
    ) -> list[tuple[str, Outcome[RoundState]]]:
        """The app's and the validators' steps tried now, with the model's answers."""
        params, profile = self.params, self.profile
        if state.phase is Phase.COMMIT:
            closed = process_close_commit_phase(state, now=now, params=params)
            return [("app closes the commit phase", closed)]
        if state.phase is Phase.COMMIT_CLOSED:
            attempts = []
            if self.scenario.app_reveals_salts:
                revealed = process_reveal_app_salts(state, salts=self.app_salts, now=now)
                attempts.append(("app reveals its salts", revealed))
                # §3.2 F6: salts other than those hashed at F1 must be refused.
                first = self.assigned[0]
                tampered = {**self.app_salts, first: get_wrong_app_salt(self.scenario, first)}
                forged = process_reveal_app_salts(state, salts=tampered, now=now)
                attempts.append(("app reveals a salt it did not hash", forged))
            expired = process_expire_app_salts(state, now=now, params=params, profile=profile)
            attempts.append(("validators expire the round", expired))
            return attempts
        if state.phase is Phase.REVEAL:
            attempts = []
            if not state.app_verified and self._outputs_are_in(state, now):
                verified = process_app_verification(state, profile=profile)
                attempts.append(("app verifies the outputs", verified))
            decided = process_decide(state, now=now, params=params, profile=profile)
            attempts.append(("validators decide", decided))
            return attempts
        return []

    def _outputs_are_in(self, state: RoundState, now: Seconds) -> bool:
        """§3.2 F9 follows F7-F8: the app verifies once no reveal can come (the reveal phase is
        over) and every node that revealed and computed has sent it its output."""
        if not is_reveal_phase_over(state, now=now, params=self.params):
            return False
        return all(
            plan.node in state.outputs
            for plan in self.scenario.plans
            if plan.node in state.reveals and plan.behaviour not in _WATCHERS
        )

    def _timeout(self, state: RoundState, now: Seconds) -> _Step | None:
        """The deadline the round is waiting for, passed: the clock jumps just past it."""
        consensus = self.params.consensus
        if state.phase is Phase.COMMIT:
            deadline = state.opened_at + consensus.commit_timeout_seconds
            if now <= deadline and not is_commit_phase_over(state, now=now, params=self.params):
                return "commit timeout passes", RoundPoint(state, deadline + 1)
        elif state.phase is Phase.COMMIT_CLOSED:
            # An honest app reveals in time; only a silent one lets its deadline pass.
            waiting = self.profile.app_salt_timeout and not self.scenario.app_reveals_salts
            closed_at = state.commit_closed_at
            if (
                waiting
                and closed_at is not None
                and not is_app_salt_deadline_passed(state, now=now, params=self.params)
            ):
                deadline = closed_at + consensus.app_salt_timeout_seconds
                return "app-salt timeout passes", RoundPoint(state, max(now, deadline + 1))
        elif state.phase is Phase.REVEAL:
            assert state.reveal_opened_at is not None
            deadline = state.reveal_opened_at + consensus.reveal_timeout_seconds
            if now <= deadline and not is_reveal_phase_over(state, now=now, params=self.params):
                return "reveal timeout passes", RoundPoint(state, deadline + 1)
        return None

    def _settle(self, point: RoundPoint) -> _Step | None:
        # §3.3 Steps 10, 12: the scenario's validators (honest by default) vote, then settle.
        scenario = self.scenario
        validation = process_validate_round(
            point.state,
            plans=scenario.validators,
            count=scenario.validator_count,
            seed=scenario.seed,
            params=self.params,
            profile=self.profile,
        )
        settled = self.settle(
            self.chain,
            point.state,
            cost=ROUND_COST,
            now=point.now,
            params=self.params,
            profile=self.profile,
            validation=validation,
        )
        if isinstance(settled, Rejected):
            self.settle_refusals[point] = str(settled)
            return None
        end = RoundPoint(point.state, point.now, settled=True)
        self.outcomes[end] = settled
        return "validators settle the round", end

    def get_steps(self, point: RoundPoint) -> list[_Step]:
        """Every step the model accepts from `point`, in a fixed order: nodes, round, timeout."""
        if point.settled:
            return []
        state, now = point.state, point.now
        if state.phase is Phase.DECIDED:
            settle = self._settle(point)
            return [settle] if settle is not None else []
        steps: list[_Step] = []
        timely_pending = False
        for plan in self.scenario.plans:
            attempt = self._node_attempt(state, now, plan)
            if attempt is None:
                continue
            label, timely, answer = attempt
            if not isinstance(answer, Rejected):
                steps.append((label, RoundPoint(answer, now)))
                timely_pending = timely_pending or timely
        for label, answer in self._round_attempts(state, now):
            if not isinstance(answer, Rejected):
                steps.append((label, RoundPoint(answer, now)))
        # Timeliness: a deadline passes only once every step due before it has been taken.
        if not timely_pending:
            timeout = self._timeout(state, now)
            if timeout is not None:
                steps.append(timeout)
        return steps

    # --- The graph ----------------------------------------------------------------------------

    def build(self) -> tuple[Any, RoundPoint]:
        """The reachable state graph from the opened round, breadth first; edges carry labels."""
        graph = nx.DiGraph()
        root = self.open_round()
        graph.add_node(root)
        queue = deque([root])
        while queue:
            point = queue.popleft()
            for label, successor in self.get_steps(point):
                if successor not in graph:
                    graph.add_node(successor)
                    queue.append(successor)
                if not graph.has_edge(point, successor):
                    graph.add_edge(point, successor, label=label)
        for end, (_, outcome) in self.outcomes.items():
            graph.nodes[end]["outcome"] = outcome
        return graph, root

    def view_of(self, point: RoundPoint) -> RoundView:
        """What the checkers see of `point`: the truth beside the chain's record."""
        settled = self.outcomes.get(point)
        if settled is None:
            return RoundView(self.scenario, point.state, self.params, self.profile)
        chain_after, outcome = settled
        return RoundView(
            self.scenario,
            point.state,
            self.params,
            self.profile,
            outcome=outcome,
            chain_before=self.chain,
            chain_after=chain_after,
        )
