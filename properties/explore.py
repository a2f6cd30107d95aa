"""Bounded exhaustive exploration of one Trusted Function round, as a networkx state graph.

For every assignment of behaviours to 1..max_nodes nodes (up to node relabelling), every order of
the nodes', the app's and the validators' steps and of the timeouts is run through the model's own
`process_*` transitions; each reachable state is checked with `check_round`, and ROUND-LIVE asks
of the whole graph that every state can still reach a settlement. A violation comes with the
shortest path from the opened round to a violating state.

Time: every step of the commit window happens at `start + 1`, every step of the reveal window at
the instant the app revealed its salts, and a timeout moves the clock one second past its
deadline. Timeliness: a deadline passes only once no step due before it is still possible, so
honest nodes and an honest app meet their deadlines and missing one is a behaviour (NO_COMMIT,
LATE_COMMIT, LATE_REVEAL, a silent app). Once the validators decide, only settlement follows.
"""

from __future__ import annotations

import itertools
from collections import deque
from enum import Enum
from fractions import Fraction
from typing import Any

import attrs
import networkx as nx
from attrs import frozen

from model.escrow import process_open_escrow, process_prepayment
from model.hashing import compute_hash
from model.ledger import Ledger, create_genesis
from model.params import Params
from model.profile import Profile, RevealContents
from model.trusted.behaviour import Behaviour, NodePlan, Scenario
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
    process_decide,
    process_expire_app_salts,
    process_open_round,
    process_post_node_salt_hash,
    process_reveal,
    process_reveal_app_salts,
    process_send_output,
    process_send_wrong_app_salt,
)
from model.trusted.scenario import get_guessed_output, get_node_output, get_wrong_app_salt
from model.trusted.settlement import (
    RoundOutcome,
    TrustedChain,
    process_register_node,
    process_settle_round,
)
from model.units import AccountId, AppId, NodeId, Outcome, Rejected, Seconds, UsdMicro
from properties.invariants.base import Observation, violated
from properties.invariants.round import RoundView, check_round

ROUND_INVARIANT_IDS: tuple[str, ...] = (
    "BFT-SOUND",
    "BFT-TIMEOUT",
    "BFT-UNIQUE",
    "CR-APP-SALT",
    "CR-BINDING",
    "CR-NO-COPY",
    "CR-PHASES",
    "CR-VERIFIABLE",
    "ESCROW-SOLVENT",
    "PAY-COST",
    "PAY-ONLY-MAJORITY",
    "ROUND-LIVE",
)
"""The IDs the exploration reports on, even when a bound leaves one unobserved (sorted)."""

APP = AppId("app")
DEVELOPER = AccountId("developer")
CORRECT_OUTPUT = b"f(a) = b"
SHARED_WRONG_OUTPUT = b"wrong: the colluders' output"
MAX_NODES = 4
ROUND_COST: UsdMicro = 1_000_000
NODE_STAKE = 1_000_000_000
_FUNDS = 10**15
_PRICE = Fraction(1, 2)
_WATCHERS = (Behaviour.COPY_COMMIT, Behaviour.REVEAL_MISMATCH)
_COMMITS_OWN = (
    Behaviour.HONEST,
    Behaviour.WRONG_OUTPUT,
    Behaviour.NO_REVEAL,
    Behaviour.LATE_REVEAL,
    Behaviour.REVEAL_MISMATCH,
)
_REVEALS_OWN = (Behaviour.HONEST, Behaviour.WRONG_OUTPUT)


class Kind(Enum):
    """What one node of an assignment is: one of the eight behaviours, or honest but wronged."""

    HONEST = "honest"
    WRONG_OUTPUT = "wrong-output"
    NO_COMMIT = "no-commit"
    LATE_COMMIT = "late-commit"
    NO_REVEAL = "no-reveal"
    LATE_REVEAL = "late-reveal"
    REVEAL_MISMATCH = "reveal-mismatch"
    COPY_COMMIT = "copy-commit"
    WRONGED = "honest-wrong-app-salt"
    """§3.5.2: an honest node the app sends a salt not matching its on-chain hash."""

    @property
    def behaviour(self) -> Behaviour:
        return Behaviour.HONEST if self is Kind.WRONGED else Behaviour(self.value)


_KINDS = tuple(Kind)


@frozen
class InvariantExploration:
    """One invariant over the whole exploration: states that exercised it, states that broke it."""

    invariant_id: str
    observed: int
    violations: int
    counterexample: ExplorationCounterexample | None


@frozen
class ExplorationCounterexample:
    """The shortest run found from an opened round to a state that breaks an invariant."""

    assignment: str
    steps: tuple[str, ...]
    detail: str


@frozen
class ExplorationReport:
    """What `explore_rounds` found: the graph's size and a verdict per round invariant."""

    profile: str
    max_nodes: int
    assignments: int
    states: int
    edges: int
    ends: int
    invariants: tuple[InvariantExploration, ...]
    """Sorted by invariant ID."""

    def get_result(self, invariant_id: str) -> InvariantExploration:
        """The result for `invariant_id` (KeyError if the exploration does not report it)."""
        for result in self.invariants:
            if result.invariant_id == invariant_id:
                return result
        raise KeyError(invariant_id)


@frozen
class Assignment:
    """One round to explore: each node's kind, whom copiers copy, and how the app behaves."""

    kinds: tuple[Kind, ...]
    copy_targets: tuple[int | None, ...]
    colluding: bool
    """WRONG_OUTPUT nodes share one wrong output (else each returns its own)."""
    app_reveals_salts: bool

    def describe(self) -> str:
        """A one-line human-readable form: 'n0 honest, n1 copy-commit of n0; app honest'."""
        parts = []
        for index, kind in enumerate(self.kinds):
            text = f"{get_node_name(index)} {kind.value}"
            target = self.copy_targets[index]
            if target is not None:
                text += f" of {get_node_name(target)}"
            if kind is Kind.WRONG_OUTPUT and self.kinds.count(Kind.WRONG_OUTPUT) > 1:
                text += " (shared)" if self.colluding else " (own)"
            parts.append(text)
        app = "app honest" if self.app_reveals_salts else "app silent (never reveals its salts)"
        return ", ".join(parts) + "; " + app


def get_node_name(index: int) -> NodeId:
    """The id of the index-th node of an explored round."""
    return NodeId(f"n{index}")


def _canonical_targets(kinds: tuple[Kind, ...], targets: tuple[int, ...]) -> tuple[int, ...]:
    # Relabel nodes by every permutation that keeps each node's kind; keep the smallest labelling.
    n = len(kinds)
    best = targets
    for perm in itertools.permutations(range(n)):
        if any(kinds[perm[i]] is not kinds[i] for i in range(n)):
            continue
        relabelled = [-1] * n
        for i in range(n):
            relabelled[perm[i]] = perm[targets[i]] if targets[i] >= 0 else -1
        best = min(best, tuple(relabelled))
    return best


def generate_assignments(max_nodes: int) -> tuple[Assignment, ...]:
    """Every assignment of 1..max_nodes nodes, one per class of node relabellings, in a fixed order."""
    assignments = []
    for n in range(1, max_nodes + 1):
        for combo in itertools.combinations_with_replacement(_KINDS, n):
            choices = [
                [j for j in range(n) if j != i] if kind is Kind.COPY_COMMIT else [-1]
                for i, kind in enumerate(combo)
            ]
            labellings = sorted(
                {_canonical_targets(combo, targets) for targets in itertools.product(*choices)}
            )
            if not labellings:
                continue  # a lone copier has nobody to copy
            collusion = [False, True] if combo.count(Kind.WRONG_OUTPUT) > 1 else [False]
            for targets, colluding, app in itertools.product(labellings, collusion, (True, False)):
                assignments.append(
                    Assignment(
                        kinds=combo,
                        copy_targets=tuple(t if t >= 0 else None for t in targets),
                        colluding=colluding,
                        app_reveals_salts=app,
                    )
                )
    return tuple(assignments)


def make_scenario(assignment: Assignment, *, seed: int) -> Scenario:
    """The scenario an assignment stands for; `seed` only feeds the salts' seed bytes."""
    plans = []
    for index, kind in enumerate(assignment.kinds):
        target = assignment.copy_targets[index]
        wrong = kind is Kind.WRONG_OUTPUT and assignment.colluding
        plans.append(
            NodePlan(
                node=get_node_name(index),
                behaviour=kind.behaviour,
                copy_from=get_node_name(target) if target is not None else None,
                wrong_output=SHARED_WRONG_OUTPUT if wrong else None,
                gets_wrong_app_salt=kind is Kind.WRONGED,
            )
        )
    return Scenario(
        round_id=1,
        app=APP,
        plans=tuple(plans),
        correct_output=CORRECT_OUTPUT,
        seed=b"explore:" + str(seed).encode(),
        app_reveals_salts=assignment.app_reveals_salts,
    )


def _account_of(node: NodeId) -> AccountId:
    return AccountId(f"acct-{node}")


def make_funded_chain(nodes: int) -> TrustedChain:
    """The chain every explored round settles against: a funded escrow and `nodes` staked nodes."""
    allocations = {DEVELOPER: _FUNDS * 10}
    allocations.update({_account_of(get_node_name(i)): NODE_STAKE for i in range(nodes)})
    ledger = create_genesis(allocations, stb_deposits={DEVELOPER: _FUNDS * 10})
    assert isinstance(ledger, Ledger), ledger
    chain = TrustedChain(ledger=ledger)
    book = process_open_escrow(chain.escrows, app=APP, developer=DEVELOPER)
    assert not isinstance(book, Rejected), book
    funded = process_prepayment(
        chain.ledger, book, app=APP, payer=DEVELOPER, ustb=_FUNDS, ustr=_FUNDS, price=_PRICE
    )
    assert not isinstance(funded, Rejected), funded
    chain = attrs.evolve(chain, ledger=funded[0], escrows=funded[1])
    for i in range(nodes):
        node = get_node_name(i)
        registered = process_register_node(
            chain, node=node, account=_account_of(node), stake=NODE_STAKE
        )
        assert isinstance(registered, TrustedChain), registered
        chain = registered
    return chain


@frozen(cache_hash=True)
class RoundPoint:
    """A state of the graph: the round state, the clock, and whether the round is settled (END)."""

    state: RoundState
    now: Seconds
    settled: bool = False


_Step = tuple[str, RoundPoint]
_Attempt = tuple[str, bool, Outcome[RoundState]]


class ExplorationBoundError(ValueError):
    """Raised when `explore_rounds` is asked for a bound it does not explore (1 to 4 nodes)."""


class _RoundExplorer:
    """Builds the state graph of one assignment: every step each actor may take, in every order."""

    def __init__(
        self,
        assignment: Assignment,
        *,
        params: Params,
        profile: Profile,
        chain: TrustedChain,
        seed: int,
    ) -> None:
        self.assignment = assignment
        self.scenario = make_scenario(assignment, seed=seed)
        self.params = params
        self.profile = profile
        self.chain = chain
        scenario = self.scenario
        self.app_salts = generate_app_salts(
            seed=scenario.seed,
            round_id=scenario.round_id,
            assigned=scenario.assigned,
            algorithm=scenario.algorithm,
        )
        self.node_salts = {
            node: generate_node_salt(
                seed=scenario.seed,
                round_id=scenario.round_id,
                node=node,
                algorithm=scenario.algorithm,
            )
            for node in scenario.assigned
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
            assigned=scenario.assigned,
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
            output = get_node_output(self.scenario, plan)
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
            expired = process_expire_app_salts(state, now=now, params=params, profile=profile)
            attempts.append(("validators expire the round", expired))
            return attempts
        if state.phase is Phase.REVEAL:
            attempts = []
            if not state.app_verified:
                verified = process_app_verification(state, profile=profile)
                attempts.append(("app verifies the outputs", verified))
            decided = process_decide(state, now=now, params=params, profile=profile)
            attempts.append(("validators decide", decided))
            return attempts
        return []

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
        settled = process_settle_round(
            self.chain,
            point.state,
            cost=ROUND_COST,
            now=point.now,
            params=self.params,
            profile=self.profile,
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


@frozen
class _Candidate:
    """The best counterexample so far for one invariant: shortest, then earliest found."""

    length: int
    order: int
    counterexample: ExplorationCounterexample


class _Tally:
    """Per invariant ID: states observed, states violating, best counterexample."""

    def __init__(self) -> None:
        self.observed: dict[str, int] = dict.fromkeys(ROUND_INVARIANT_IDS, 0)
        self.violations: dict[str, int] = dict.fromkeys(ROUND_INVARIANT_IDS, 0)
        self.best: dict[str, _Candidate] = {}

    def offer(self, invariant_id: str, candidate: _Candidate) -> None:
        current = self.best.get(invariant_id)
        if current is None or (candidate.length, candidate.order) < (current.length, current.order):
            self.best[invariant_id] = candidate

    def results(self) -> tuple[InvariantExploration, ...]:
        ids = sorted(set(self.observed) | set(self.violations))
        return tuple(
            InvariantExploration(
                invariant_id=invariant_id,
                observed=self.observed.get(invariant_id, 0),
                violations=self.violations.get(invariant_id, 0),
                counterexample=(
                    self.best[invariant_id].counterexample if invariant_id in self.best else None
                ),
            )
            for invariant_id in ids
        )


def _path_labels(graph: Any, path: list[RoundPoint]) -> tuple[str, ...]:
    return tuple(str(graph.edges[a, b]["label"]) for a, b in itertools.pairwise(path))


def _check_states(
    explorer: _RoundExplorer, graph: Any, root: RoundPoint, order: int, tally: _Tally
) -> None:
    """Run every round checker on every state; offer the nearest violation of each ID."""
    distances: dict[RoundPoint, int] = nx.single_source_shortest_path_length(graph, root)
    nearest: dict[str, tuple[int, int, RoundPoint, Observation]] = {}
    for index, point in enumerate(graph.nodes):
        for observation in check_round(explorer.view_of(point)):
            invariant_id = observation.invariant_id
            tally.observed[invariant_id] = tally.observed.get(invariant_id, 0) + 1
            if observation.holds:
                continue
            tally.violations[invariant_id] = tally.violations.get(invariant_id, 0) + 1
            key = (distances[point], index)
            if invariant_id not in nearest or key < nearest[invariant_id][:2]:
                nearest[invariant_id] = (*key, point, observation)
    for invariant_id, (length, _, point, observation) in nearest.items():
        path = nx.shortest_path(graph, root, point)
        counterexample = ExplorationCounterexample(
            explorer.assignment.describe(), _path_labels(graph, path), observation.detail
        )
        tally.offer(invariant_id, _Candidate(length, order, counterexample))


def _check_liveness(
    explorer: _RoundExplorer, graph: Any, root: RoundPoint, order: int, tally: _Tally
) -> None:
    """ROUND-LIVE: every state reaches a settled END; the others are deadlocked."""
    ends = [point for point in graph.nodes if point.settled]
    sink = "every END"
    graph.add_node(sink)
    graph.add_edges_from((end, sink) for end in ends)
    live = nx.ancestors(graph, sink)
    graph.remove_node(sink)
    tally.observed["ROUND-LIVE"] += graph.number_of_nodes()
    dead = [point for point in graph.nodes if point not in live and not point.settled]
    if not dead:
        return
    tally.violations["ROUND-LIVE"] += len(dead)
    # The counterexample runs to where the round stops: a state with no step left.
    stuck = [point for point in dead if graph.out_degree(point) == 0] or dead
    distances: dict[RoundPoint, int] = nx.single_source_shortest_path_length(graph, root)
    target = min(stuck, key=lambda point: distances[point])
    path = nx.shortest_path(graph, root, target)
    state = target.state
    refusal = explorer.settle_refusals.get(target)
    detail = (
        f"round {state.round_id} stops in phase {state.phase.value} at t={target.now}: no step"
        " leads to a payout, an escrow lock or a settlement"
        + (f" (settlement refused: {refusal})" if refusal else "")
    )
    observation = violated("ROUND-LIVE", detail)
    counterexample = ExplorationCounterexample(
        explorer.assignment.describe(), _path_labels(graph, path), observation.detail
    )
    tally.offer("ROUND-LIVE", _Candidate(distances[target], order, counterexample))


def build_round_graph(
    assignment: Assignment, *, params: Params, profile: Profile, seed: int = 0
) -> tuple[Any, RoundPoint]:
    """The state graph (a networkx.DiGraph, edges labelled, ENDs carrying their `outcome`) and root."""
    explorer = _RoundExplorer(
        assignment,
        params=params,
        profile=profile,
        chain=make_funded_chain(len(assignment.kinds)),
        seed=seed,
    )
    return explorer.build()


def explore_rounds(
    *, params: Params, profile: Profile, max_nodes: int, seed: int = 0
) -> ExplorationReport:
    """Every assignment of up to `max_nodes` nodes, every order of its steps, every state checked."""
    if not 1 <= max_nodes <= MAX_NODES:
        raise ExplorationBoundError(f"max_nodes must be between 1 and {MAX_NODES}, got {max_nodes}")
    assignments = generate_assignments(max_nodes)
    chains = {n: make_funded_chain(n) for n in range(1, max_nodes + 1)}
    tally = _Tally()
    states = edges = ends = 0
    for order, assignment in enumerate(assignments):
        explorer = _RoundExplorer(
            assignment,
            params=params,
            profile=profile,
            chain=chains[len(assignment.kinds)],
            seed=seed,
        )
        graph, root = explorer.build()
        states += graph.number_of_nodes()
        edges += graph.number_of_edges()
        ends += len(explorer.outcomes)
        _check_states(explorer, graph, root, order, tally)
        _check_liveness(explorer, graph, root, order, tally)
    return ExplorationReport(
        profile=profile.name,
        max_nodes=max_nodes,
        assignments=len(assignments),
        states=states,
        edges=edges,
        ends=ends,
        invariants=tally.results(),
    )
