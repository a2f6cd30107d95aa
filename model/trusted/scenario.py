"""Running a `Scenario` through Steps 1 to 10 on a fixed timeline, recording every refusal.

The timeline is part of the contract with the executor: salt hashes at t0, commits at t0 + 1,
copied commits at t0 + 2, late commits just past the commit timeout; app salts revealed when the
commit phase closes (tc); reveals at tc + 1, copied reveals at tc + 2, late reveals just past the
reveal timeout, each node that computed sending the app its output (F8) as it reveals; the app's
check of those outputs (F9) and the decision as soon as the reveal phase is over. An app that
never reveals its salts (F6) leaves the round waiting at tc: the literal text waits forever (no
decision), the hardened profile expires the round just past the app salt timeout, at
tc + timeout + 1. Once decided, the app's committee of validators votes the decision and its
block (§3.3 Steps 10 and 12, `model.trusted.validation`) at the decision's time.
"""

from __future__ import annotations

from attrs import frozen

from model.hashing import compute_hash, derive_bytes
from model.params import Params
from model.profile import Profile, RevealContents
from model.trusted.behaviour import Behaviour, NodePlan, Scenario, get_scenario_problems
from model.trusted.decision import process_decide
from model.trusted.round import (
    Reveal,
    RoundState,
    compute_node_commit,
    generate_app_salts,
    generate_node_salt,
    is_app_salt_valid,
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
from model.trusted.validation import AppValidation, process_validate_round
from model.units import NodeId, Outcome, Rejected, Seconds


@frozen
class Attempt:
    """A step a node or the app tried and the chain refused (a late commit, say)."""

    time: Seconds
    actor: str
    refusal: Rejected


@frozen
class RoundRun:
    """A round run to its decision, with the refusals met on the way."""

    scenario: Scenario
    state: RoundState
    refused: tuple[Attempt, ...]
    decided_at: Seconds | None
    """When the validators decided; None when the round never decides (the app stalls F6)."""
    validation: AppValidation | None = None
    """§3.3 Steps 10 and 12: the app's validators' votes on the decision and its block (None:
    the round never decided)."""


def get_node_output(scenario: Scenario, plan: NodePlan) -> bytes:
    """What a computing node's function returns: the correct output, or its wrong one."""
    if plan.behaviour is not Behaviour.WRONG_OUTPUT:
        return scenario.correct_output
    if plan.wrong_output is not None:
        return plan.wrong_output
    return b"wrong:" + derive_bytes(scenario.seed, b"wrong-output", plan.node.encode())


def get_sent_output(scenario: Scenario, plan: NodePlan) -> bytes:
    """§3.2 F8: what a computing node sends the app: the output it revealed, except that a
    SENDS_OTHER_OUTPUT node sends another one (which the app's F9 check must catch)."""
    if plan.behaviour is Behaviour.SENDS_OTHER_OUTPUT:
        return b"other:" + derive_bytes(scenario.seed, b"other-output", plan.node.encode())
    return get_node_output(scenario, plan)


def get_guessed_output(scenario: Scenario, plan: NodePlan) -> bytes:
    """What a node that never computes commits to: a guess that is not the correct output."""
    return b"guess:" + derive_bytes(scenario.seed, b"guess", plan.node.encode())


def get_wrong_app_salt(scenario: Scenario, node: NodeId) -> bytes:
    """§3.5.2: the salt a cheating app sends instead of the one it committed to on-chain."""
    return derive_bytes(
        scenario.seed, b"wrong-app-salt", node.encode(), algorithm=scenario.algorithm
    )


class _Runner:
    """Holds the evolving state of one run; each method is one step of the timeline."""

    def __init__(
        self, scenario: Scenario, state: RoundState, params: Params, profile: Profile
    ) -> None:
        self.scenario = scenario
        self.state = state
        self.params = params
        self.profile = profile
        self.refused: list[Attempt] = []
        # Each node's salt, derived once: a node uses it at its salt hash, commit and reveal.
        self.node_salts: dict[NodeId, bytes] = {}

    def apply(self, time: Seconds, actor: str, result: Outcome[RoundState]) -> bool:
        if isinstance(result, Rejected):
            self.refused.append(Attempt(time, actor, result))
            return False
        self.state = result
        return True

    def node_salt(self, node: NodeId) -> bytes:
        salt = self.node_salts.get(node)
        if salt is None:
            salt = self.node_salts[node] = generate_node_salt(
                seed=self.scenario.seed,
                round_id=self.scenario.round_id,
                node=node,
                algorithm=self.scenario.algorithm,
            )
        return salt

    def commit_value(self, plan: NodePlan) -> bytes | None:
        if plan.behaviour is Behaviour.COPY_COMMIT:
            assert plan.copy_from is not None
            return self.state.commits.get(plan.copy_from)
        if plan.behaviour is Behaviour.REVEAL_MISMATCH:
            output = get_guessed_output(self.scenario, plan)
        else:
            output = get_node_output(self.scenario, plan)
        return compute_node_commit(
            self.state,
            node=plan.node,
            app_salt=self.state.sent_app_salts[plan.node],
            node_salt=self.node_salt(plan.node),
            output=output,
            profile=self.profile,
        )

    def reveal_of(self, plan: NodePlan, time: Seconds) -> Reveal | None:
        node = plan.node
        if plan.behaviour in (Behaviour.COPY_COMMIT, Behaviour.REVEAL_MISMATCH):
            # A node that never computed reveals an output hash another node already revealed.
            source = plan.copy_from if plan.behaviour is Behaviour.COPY_COMMIT else None
            output_hash = self._revealed_hash_to_copy(source)
            if output_hash is None:
                return None
        else:
            output_hash = compute_hash(
                get_node_output(self.scenario, plan), self.scenario.algorithm
            )
        node_salt = self.node_salt(node)
        if self.profile.reveal_contents is RevealContents.NODE_SALT_HASH:
            node_salt = compute_hash(node_salt, self.scenario.algorithm)
        return Reveal(
            app_salt_hash=compute_hash(self.state.sent_app_salts[node], self.scenario.algorithm),
            output_hash=output_hash,
            node_salt_or_hash=node_salt,
            revealed_at=time,
        )

    def _revealed_hash_to_copy(self, source: NodeId | None) -> bytes | None:
        if source is not None:
            reveal = self.state.reveals.get(source)
            return reveal.output_hash if reveal is not None else None
        # Without a named source, copy the most common revealed hash (ties: smallest hash).
        counts: dict[bytes, int] = {}
        for reveal in self.state.reveals.values():
            counts[reveal.output_hash] = counts.get(reveal.output_hash, 0) + 1
        if not counts:
            return None
        return min(counts, key=lambda output_hash: (-counts[output_hash], output_hash))


def _commit_order(plans: tuple[NodePlan, ...]) -> list[NodePlan]:
    # Copiers commit after their targets; a copier of a copier after that one (cycles never commit).
    ordered = [plan for plan in plans if plan.behaviour is not Behaviour.COPY_COMMIT]
    pending = [plan for plan in plans if plan.behaviour is Behaviour.COPY_COMMIT]
    placed = {plan.node for plan in ordered}
    while pending:
        ready = [plan for plan in pending if plan.copy_from in placed]
        if not ready:
            ordered.extend(pending)
            break
        for plan in ready:
            ordered.append(plan)
            placed.add(plan.node)
            pending.remove(plan)
    return ordered


def _steps_2_to_4(run: _Runner) -> None:
    scenario, params, t0 = run.scenario, run.params, run.scenario.start
    # Step 2: the app sends the salts; a cheating app sends targeted nodes a wrong one.
    for plan in scenario.plans:
        if plan.gets_wrong_app_salt:
            wrong = get_wrong_app_salt(scenario, plan.node)
            run.apply(t0, "app", process_send_wrong_app_salt(run.state, node=plan.node, salt=wrong))
    # Step 3: every node posts the hash of its own salt.
    for plan in scenario.plans:
        salt_hash = compute_hash(run.node_salt(plan.node), scenario.algorithm)
        posted = process_post_node_salt_hash(
            run.state, node=plan.node, salt_hash=salt_hash, now=t0, params=params
        )
        run.apply(t0, plan.node, posted)
    # Step 4: a node checks its app salt; a bad one means complain and abstain.
    for plan in scenario.plans:
        if not is_app_salt_valid(run.state, node=plan.node):
            complaint = process_complain_app_salt(
                run.state, node=plan.node, now=t0 + 1, params=params
            )
            run.apply(t0 + 1, plan.node, complaint)
    late = t0 + params.consensus.commit_timeout_seconds + 1
    for plan in _commit_order(scenario.plans):
        if plan.node in run.state.abstentions or plan.behaviour is Behaviour.NO_COMMIT:
            continue
        time = {Behaviour.LATE_COMMIT: late, Behaviour.COPY_COMMIT: t0 + 2}.get(
            plan.behaviour, t0 + 1
        )
        commit = run.commit_value(plan)
        if commit is not None:
            committed = process_commit(
                run.state, node=plan.node, commit=commit, now=time, params=params
            )
            run.apply(time, plan.node, committed)


def _steps_5_and_6(run: _Runner, salts: dict[NodeId, bytes]) -> Seconds:
    t0, params = run.scenario.start, run.params
    # Step 5: the commit phase closes when all committed, else just past the timeout.
    closed_at = t0 + 2
    if not is_commit_phase_over(run.state, now=closed_at, params=params):
        closed_at = t0 + params.consensus.commit_timeout_seconds + 1
    run.apply(closed_at, "app", process_close_commit_phase(run.state, now=closed_at, params=params))
    # Step 6: the app reveals its salts (unless it withholds them); the reveal phase opens.
    if run.scenario.app_reveals_salts:
        run.apply(closed_at, "app", process_reveal_app_salts(run.state, salts=salts, now=closed_at))
    return closed_at


def _expire_or_stall(run: _Runner, tc: Seconds) -> Outcome[RoundRun]:
    # F6 withheld: nothing can be revealed; only the hardened deadline ends the round.
    if not run.profile.app_salt_timeout:
        return RoundRun(
            scenario=run.scenario, state=run.state, refused=tuple(run.refused), decided_at=None
        )
    expired_at = tc + run.params.consensus.app_salt_timeout_seconds + 1
    expired = process_expire_app_salts(
        run.state, now=expired_at, params=run.params, profile=run.profile
    )
    if not run.apply(expired_at, "validators", expired):
        return run.refused[-1].refusal
    return RoundRun(
        scenario=run.scenario,
        state=run.state,
        refused=tuple(run.refused),
        decided_at=expired_at,
        validation=_validate(run),
    )


def _validate(run: _Runner) -> AppValidation | None:
    # Steps 10 and 12: the app's committee of validators votes the decision and its block.
    scenario = run.scenario
    return process_validate_round(
        run.state,
        plans=scenario.validators,
        count=scenario.validator_count,
        seed=scenario.seed,
        params=run.params,
        profile=run.profile,
    )


_WATCHERS = (Behaviour.COPY_COMMIT, Behaviour.REVEAL_MISMATCH)


def _steps_7_and_8(run: _Runner, tc: Seconds) -> None:
    late_reveal = tc + run.params.consensus.reveal_timeout_seconds + 1
    committed = [plan for plan in run.scenario.plans if plan.node in run.state.commits]
    # Nodes that never computed reveal last, having watched the others' reveals.
    first = [plan for plan in committed if plan.behaviour not in _WATCHERS]
    second = [plan for plan in committed if plan.behaviour in _WATCHERS]
    for wave, time in ((first, tc + 1), (second, tc + 2)):
        for plan in wave:
            if plan.behaviour is Behaviour.NO_REVEAL:
                continue
            at = late_reveal if plan.behaviour is Behaviour.LATE_REVEAL else time
            reveal = run.reveal_of(plan, at)
            if reveal is None:
                continue
            revealed = process_reveal(run.state, node=plan.node, reveal=reveal, params=run.params)
            if run.apply(at, plan.node, revealed) and plan.behaviour not in _WATCHERS:
                # F8: the output sent to the app (off-chain), which F9 checks against the reveal.
                output = get_sent_output(run.scenario, plan)
                run.apply(
                    at, plan.node, process_send_output(run.state, node=plan.node, output=output)
                )


def run_round_to_decision(
    scenario: Scenario, *, params: Params, profile: Profile
) -> Outcome[RoundRun]:
    """Steps 1-10 of §3.2-§3.3 for `scenario`; a malformed scenario is Rejected as a whole."""
    problems = get_scenario_problems(scenario)
    if problems:
        return Rejected("run_round_to_decision", "; ".join(problems))
    salts = generate_app_salts(
        seed=scenario.seed,
        round_id=scenario.round_id,
        assigned=scenario.assigned,
        algorithm=scenario.algorithm,
    )
    # Step 1: the app writes the hash of every node's salt on-chain.
    opened = process_open_round(
        round_id=scenario.round_id,
        app=scenario.app,
        assigned=scenario.assigned,
        app_salts=salts,
        now=scenario.start,
        algorithm=scenario.algorithm,
    )
    if isinstance(opened, Rejected):
        return opened
    run = _Runner(scenario, opened, params, profile)
    _steps_2_to_4(run)
    tc = _steps_5_and_6(run, salts)
    if not scenario.app_reveals_salts:
        return _expire_or_stall(run, tc)
    _steps_7_and_8(run, tc)
    # Steps 9-10: the app verifies; validators decide once the reveal phase is over.
    decided_at = tc + 2
    if not is_reveal_phase_over(run.state, now=decided_at, params=params):
        decided_at = tc + params.consensus.reveal_timeout_seconds + 1
    run.apply(decided_at, "app", process_app_verification(run.state, profile=profile))
    decided = process_decide(
        run.state,
        now=decided_at,
        params=params,
        profile=profile,
        deviation_bps=scenario.deviation_bps,
    )
    if not run.apply(decided_at, "validators", decided):
        return run.refused[-1].refusal
    return RoundRun(
        scenario=scenario,
        state=run.state,
        refused=tuple(run.refused),
        decided_at=decided_at,
        validation=_validate(run),
    )
