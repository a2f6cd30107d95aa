"""A grounding scenario as data, and what the model predicts for it.

A `TrustedCall` is one Trusted Function (§3.4, §4.3.1): a billing round that runs the billing
function on the app's usage report, then the main round that runs the service's function on its
input. Each round is a model `Scenario` (nodes and their §3.5 behaviours) plus the function, its
input and the process faults some honest nodes suffer. `predict` maps each fault onto the
behaviour the model knows it as (a node that dies while computing never commits: NO_COMMIT; one
that dies at the reveal never reveals: NO_REVEAL) and runs the model on a chain funded exactly
like the executor's own books. A `CallRecord` holds what each round decided and moved and when
(`RoundOutcome`), and the commits and reveals the chain refused, with their times.
"""

from __future__ import annotations

from enum import Enum

import attrs
from attrs import frozen

from executor.records import (
    DEFAULT_FUNDING,
    ESCROW_FUNDS,
    Funding,
    NodeTrack,
    RefusedStep,
    Reputation,
    get_node_account,
)
from model.escrow import process_open_escrow, process_prepayment
from model.ledger import Ledger, create_genesis
from model.params import Params
from model.profile import Profile
from model.reputation import ReputationState
from model.trusted.behaviour import BEHAVIOURS_THAT_COMPUTE, Behaviour, Scenario
from model.trusted.billing import TrustedFunctionResult, encode_usage, run_trusted_function
from model.trusted.scenario import RoundRun, run_round_to_decision
from model.trusted.settlement import RoundOutcome, TrustedChain, process_register_node
from model.units import AccountId, AppId, NodeId, Rejected, UsdMicro

DEVELOPER = AccountId("developer")
NODE_STAKE_USTR = 1_000_000_000
DEVELOPER_FUNDS = ESCROW_FUNDS * 10
"""What the developer holds of each token at genesis, enough for every prepayment drawn."""


class ProcessFault(Enum):
    """What a node process suffers instead of answering."""

    CRASH = "crash"
    HANG = "hang"
    SLEEP = "sleep"
    MEMORY_BOMB = "memory-bomb"
    GARBAGE = "garbage"
    HUGE_OUTPUT = "huge-output"


class FaultPhase(Enum):
    """When the fault strikes: while computing (before the commit) or at the reveal."""

    COMPUTE = "compute"
    REVEAL = "reveal"


FAULT_AS_BEHAVIOUR = {
    FaultPhase.COMPUTE: Behaviour.NO_COMMIT,
    FaultPhase.REVEAL: Behaviour.NO_REVEAL,
}
"""How the model sees a node whose process failed: it stops taking part at that step."""


@frozen
class NodeFault:
    """One honest node's process fault in one round."""

    node: NodeId
    fault: ProcessFault
    phase: FaultPhase


@frozen
class ExecRound:
    """One round as the executor runs it: the model's scenario, the real function and faults."""

    scenario: Scenario
    function: str
    """A function spec: a fixture name (`compute`), `file.py:callable` or `module:callable`."""
    input: bytes
    faults: tuple[NodeFault, ...] = ()

    def fault_of(self, node: NodeId) -> NodeFault | None:
        for fault in self.faults:
            if fault.node == node:
                return fault
        return None


@frozen
class TrustedCall:
    """A billing round on `usage_report`, then the main round it pays for (§4.3.1), on an
    escrow prepaid as `funding` says, with the main round's validation prefund (§4.4)."""

    billing: ExecRound
    main: ExecRound
    funding: Funding = DEFAULT_FUNDING


@frozen
class CallRecord:
    """What one Trusted Function came to; the executor and the model must produce equal records."""

    billing: RoundOutcome | None
    main: RoundOutcome | None
    stalled: str | None = None
    """`billing` or `main`: that round never decided (the app withheld its salts, §3.2 F6)."""
    refused: bool = False
    """The chain refused to settle (incoherent parameters, say)."""
    reputation: Reputation | None = None
    """The track records and app complaints the settled call left (§3.4, §4.5)."""
    billing_refused_steps: tuple[RefusedStep, ...] = ()
    """The billing round's commits and reveals the chain refused, each at the time it was tried
    (§3.2 F5, F7), sorted; for every round that ran to its decision or stalled, left empty when
    the chain refused to settle."""
    main_refused_steps: tuple[RefusedStep, ...] = ()
    """The same for the main round."""


def get_fault_problems(round_: ExecRound) -> tuple[str, ...]:
    """Faults are for honest nodes of the round, at most one per node."""
    problems = []
    nodes = [fault.node for fault in round_.faults]
    if len(set(nodes)) != len(nodes):
        problems.append("a node has two faults in one round")
    for fault in round_.faults:
        if fault.node not in round_.scenario.assigned:
            problems.append(f"fault for {fault.node}, which is not assigned")
        elif round_.scenario.plan_of(fault.node).behaviour is not Behaviour.HONEST:
            problems.append(f"fault for {fault.node}, which is not honest")
    return tuple(problems)


def to_model_scenario(round_: ExecRound, correct_output: bytes | None) -> Scenario:
    """The scenario the model runs: faults as behaviours; a function that fails for everyone
    (`correct_output` None) leaves every node that computes without a commit."""
    plans = []
    for plan in round_.scenario.plans:
        fault = round_.fault_of(plan.node)
        behaviour = plan.behaviour
        if (
            correct_output is None
            and behaviour in BEHAVIOURS_THAT_COMPUTE
            and not plan.gets_wrong_app_salt
        ):
            behaviour = Behaviour.NO_COMMIT
        elif fault is not None and not plan.gets_wrong_app_salt:
            behaviour = FAULT_AS_BEHAVIOUR[fault.phase]
        if behaviour is plan.behaviour:
            plans.append(plan)
        else:
            plans.append(attrs.evolve(plan, behaviour=behaviour, copy_from=None, wrong_output=None))
    output = round_.scenario.correct_output if correct_output is None else correct_output
    return attrs.evolve(round_.scenario, plans=tuple(plans), correct_output=output)


def make_model_chain(app: AppId, nodes: tuple[NodeId, ...], funding: Funding) -> TrustedChain:
    """The model chain a call settles on: the app's escrow prepaid deposit by deposit, as
    `funding` says, and the nodes staked."""
    allocations = {DEVELOPER: DEVELOPER_FUNDS}
    allocations.update({get_node_account(node): NODE_STAKE_USTR for node in nodes})
    ledger = create_genesis(allocations, stb_deposits={DEVELOPER: DEVELOPER_FUNDS})
    assert isinstance(ledger, Ledger), ledger
    chain = TrustedChain(ledger=ledger)
    book = process_open_escrow(chain.escrows, app=app, developer=DEVELOPER)
    assert not isinstance(book, Rejected), book
    chain = attrs.evolve(chain, escrows=book)
    for deposit in funding.deposits:
        funded = process_prepayment(
            chain.ledger,
            chain.escrows,
            app=app,
            payer=DEVELOPER,
            ustb=deposit.ustb,
            ustr=deposit.ustr,
            price=deposit.price,
        )
        assert not isinstance(funded, Rejected), funded
        chain = attrs.evolve(chain, ledger=funded[0], escrows=funded[1])
    for node in nodes:
        registered = process_register_node(
            chain, node=node, account=get_node_account(node), stake=NODE_STAKE_USTR
        )
        assert isinstance(registered, TrustedChain), registered
        chain = registered
    return chain


def read_reputation(state: ReputationState) -> Reputation:
    """The model's reputation records in the executor's terms."""
    return Reputation(
        nodes=tuple(
            sorted(
                NodeTrack(
                    str(node),
                    record.rounds_assigned,
                    record.rounds_in_majority,
                    record.rounds_in_minority,
                    record.rounds_absent,
                )
                for node, record in state.nodes.items()
            )
        ),
        app_complaints=tuple(
            sorted(
                (str(app), r.node_complaints) for app, r in state.apps.items() if r.node_complaints
            )
        ),
    )


def decode_usage(output: bytes | None) -> UsdMicro:
    """The usage the app claims: its own billing run's output read as micro-dollars (0 if none)."""
    if output is None or not output.isdigit():
        return 0
    return int(output)


REFUSED_STEP_RULES = {"process_commit": "commit", "process_reveal": "reveal"}
"""The model's rules whose refusals are a node's commit or reveal refused (§3.2 F5, F7)."""


def get_refused_steps(run: RoundRun) -> tuple[RefusedStep, ...]:
    """The commits and reveals the model's chain refused in `run`, each at its time."""
    return tuple(
        sorted(
            RefusedStep(attempt.time, attempt.actor, REFUSED_STEP_RULES[attempt.refusal.rule])
            for attempt in run.refused
            if attempt.refusal.rule in REFUSED_STEP_RULES
        )
    )


def get_model_refused_steps(
    scenario: Scenario, *, params: Params, profile: Profile
) -> tuple[RefusedStep, ...]:
    """The model's refused commits and reveals of one round: `run_trusted_function` keeps its
    `RoundRun`s to itself, so the round is run again the same way (a pure function of its
    scenario) to read them."""
    run = run_round_to_decision(scenario, params=params, profile=profile)
    return () if isinstance(run, Rejected) else get_refused_steps(run)


def predict(
    call: TrustedCall,
    *,
    billing_output: bytes | None,
    main_output: bytes | None,
    params: Params,
    profile: Profile,
) -> CallRecord:
    """The model's record for `call`, given what the function returns when run once on its own."""
    nodes = tuple(sorted(set(call.billing.scenario.assigned) | set(call.main.scenario.assigned)))
    chain = make_model_chain(call.main.scenario.app, nodes, call.funding)
    usage = decode_usage(billing_output)
    billing = to_model_scenario(call.billing, billing_output)
    main = to_model_scenario(call.main, main_output)
    result = run_trusted_function(
        chain,
        billing=billing,
        main=main,
        usage=usage,
        params=params,
        profile=profile,
        validators=call.funding.validator_accounts,
        validation_prefund_ustr=call.funding.prefund_ustr,
    )
    if isinstance(result, Rejected) and "never decided" not in result.reason:
        return CallRecord(billing=None, main=None, refused=True)
    # run_trusted_function bills the usage as its billing round's output (§4.3.1).
    billed = attrs.evolve(billing, correct_output=encode_usage(usage))
    billing_steps = get_model_refused_steps(billed, params=params, profile=profile)
    if isinstance(result, Rejected):
        if "the billing round" in result.reason:
            return CallRecord(None, None, stalled="billing", billing_refused_steps=billing_steps)
        main_steps = get_model_refused_steps(main, params=params, profile=profile)
        return CallRecord(
            None,
            None,
            stalled="main",
            billing_refused_steps=billing_steps,
            main_refused_steps=main_steps,
        )
    settled, outcome = result
    assert isinstance(outcome, TrustedFunctionResult)
    return CallRecord(
        billing=outcome.billing,
        main=outcome.main,
        reputation=read_reputation(settled.reputation),
        billing_refused_steps=billing_steps,
        main_refused_steps=get_model_refused_steps(main, params=params, profile=profile),
    )
