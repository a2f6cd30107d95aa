"""Node behaviours and round scenarios as plain data, shared by the tests and the executor.

A `Scenario` names the nodes of a round, what each does (honest, one of the misbehaviours of
§3.5, or sending the app an output other than the one it revealed, §3.2 F8-F9), whether the app sends it a wrong salt, whether the app reveals its salts at all (F6), the
function's correct output and the seed all salts derive from. `model.trusted.scenario` runs it
through the model; the executor runs it with real processes; both must reach the same outcome.
"""

from __future__ import annotations

from enum import Enum

from attrs import frozen

from model.hashing import DEFAULT_ALGORITHM, HashAlgorithm
from model.units import AppId, NodeId, Seconds, ValidatorId


class Behaviour(Enum):
    """What one node does in a round."""

    HONEST = "honest"
    WRONG_OUTPUT = "wrong-output"
    """Computes, commits and reveals an output other than the correct one."""
    NO_COMMIT = "no-commit"
    """Posts its salt hash and never commits."""
    LATE_COMMIT = "late-commit"
    """Commits after the commit timeout (F5)."""
    NO_REVEAL = "no-reveal"
    """Commits honestly and never reveals (§3.5.4)."""
    LATE_REVEAL = "late-reveal"
    """Commits honestly and reveals after the reveal timeout (§3.5.4)."""
    REVEAL_MISMATCH = "reveal-mismatch"
    """Commits to a guess without computing, then reveals the output hash others revealed (§3.5.5)."""
    COPY_COMMIT = "copy-commit"
    """Copies another node's on-chain commit, then reveals that node's output hash (§3.5.3)."""
    SENDS_OTHER_OUTPUT = "sends-other-output"
    """Computes, commits and reveals the correct output honestly, then sends the app another
    output at §3.2 F8, which the app's F9 check finds does not match the reveal."""


BEHAVIOURS_THAT_COMPUTE = frozenset(
    {
        Behaviour.HONEST,
        Behaviour.WRONG_OUTPUT,
        Behaviour.LATE_COMMIT,
        Behaviour.NO_REVEAL,
        Behaviour.LATE_REVEAL,
        Behaviour.SENDS_OTHER_OUTPUT,
    }
)
"""Behaviours whose node really runs the function (the others only pretend)."""


@frozen
class NodePlan:
    """One node of a scenario: its behaviour and the app's treatment of it."""

    node: NodeId
    behaviour: Behaviour = Behaviour.HONEST
    copy_from: NodeId | None = None
    """COPY_COMMIT only: whose commit is copied."""
    wrong_output: bytes | None = None
    """WRONG_OUTPUT only: the output returned; colluding nodes share one, else each differs."""
    gets_wrong_app_salt: bool = False
    """§3.5.2: the app sends this node a salt whose hash is not the one on-chain."""


class ValidatorBehaviour(Enum):
    """What one app-layer validator does in a round's votes (§3.3 Steps 10 and 12)."""

    HONEST = "honest"
    """Votes the decision F10 gives over the nodes' reveals; approves only that block."""
    LIE = "lie"
    """Votes the round's lie value (all liars agree on it); approves only the lie block."""
    ABSTAIN = "abstain"
    """Casts no vote and proposes nothing."""
    EQUIVOCATE = "equivocate"
    """Casts two conflicting votes (the truth and the lie): evidence, and neither counts."""


@frozen
class ValidatorPlan:
    """One eligible validator of a round: what it votes and whether it reveals its beacon secret."""

    validator: ValidatorId
    behaviour: ValidatorBehaviour = ValidatorBehaviour.HONEST
    withholds_beacon: bool = False
    """Commits h(secret) to the selection beacon and never reveals the secret."""


HONEST_VALIDATORS: tuple[ValidatorPlan, ...] = tuple(
    ValidatorPlan(ValidatorId(f"v{index}")) for index in range(4)
)
"""The validators of a scenario that names none: four honest ones, v0 to v3."""


@frozen
class Scenario:
    """A whole Trusted Function round, as data."""

    round_id: int
    app: AppId
    plans: tuple[NodePlan, ...]
    correct_output: bytes
    seed: bytes
    start: Seconds = 0
    algorithm: HashAlgorithm = DEFAULT_ALGORITHM
    app_reveals_salts: bool = True
    """The app's behaviour at F6: `False` means it never reveals its salts, stalling the round."""
    validators: tuple[ValidatorPlan, ...] = HONEST_VALIDATORS
    """§3.3, §4.3.2: the validators eligible for the round (the active set, in set order) and
    what each does; the app's committee is drawn from them (`model.trusted.validation`)."""
    validator_count: int | None = None
    """§3.3: the developer's number of validators for the app (None: every eligible one)."""
    deviation_bps: int | None = None
    """§4.3.3 (c): the app's allowed deviation from complete consensus (None: F10 alone)."""

    @property
    def assigned(self) -> tuple[NodeId, ...]:
        return tuple(plan.node for plan in self.plans)

    def plan_of(self, node: NodeId) -> NodePlan:
        for plan in self.plans:
            if plan.node == node:
                return plan
        raise KeyError(node)


def get_scenario_problems(scenario: Scenario) -> tuple[str, ...]:
    """What makes a scenario unusable (empty when it can run): a caller's error, not a protocol one."""
    problems: list[str] = []
    nodes = scenario.assigned
    if not nodes:
        problems.append("a scenario needs at least one node")
    if len(set(nodes)) != len(nodes):
        problems.append("a node appears twice")
    for plan in scenario.plans:
        if plan.behaviour is Behaviour.COPY_COMMIT:
            if plan.copy_from is None or plan.copy_from not in nodes:
                problems.append(f"{plan.node} copies a commit but names no assigned node to copy")
            elif plan.copy_from == plan.node:
                problems.append(f"{plan.node} cannot copy its own commit")
        elif plan.copy_from is not None:
            problems.append(f"{plan.node} names copy_from but does not copy")
        if plan.wrong_output is not None and plan.behaviour is not Behaviour.WRONG_OUTPUT:
            problems.append(f"{plan.node} names wrong_output but is not WRONG_OUTPUT")
        if plan.wrong_output == scenario.correct_output and plan.wrong_output is not None:
            problems.append(f"{plan.node}'s wrong output equals the correct output")
    validators = [plan.validator for plan in scenario.validators]
    if not validators:
        problems.append("a scenario needs at least one eligible validator")
    if len(set(validators)) != len(validators):
        problems.append("a validator appears twice")
    if scenario.validator_count is not None and scenario.validator_count < 1:
        problems.append(f"the validator count {scenario.validator_count} is not positive")
    return tuple(problems)
