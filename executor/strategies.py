"""Hypothesis strategies for grounding scenarios: whole Trusted Function calls with real inputs.

A call has 1 to 7 nodes; each is honest, one of the other eight behaviours (the misbehaviours
of §3.5, and sending the app an output other than the one it revealed, §3.2 F8-F9), honest but
sent a wrong app salt, or honest but its process fails (crash, garbage, huge output, memory
bomb; hang and sleep too when `slow_faults`, since each costs a wall-clock timeout). Inputs are
real inputs of the fixture functions: a prime bound, a SQLite command log, a put/get log of blobs,
a usage report. The escrow is prepaid at drawn STR prices, topped up at others, and the main round
may carry a validation prefund for up to four validators. The app's validators are 1 to 7 eligible
ones, each honest, a liar, an abstainer or an equivocator, some withholding their beacon secret,
and the developer's count of them (so committees of one liar, and liars holding a third or two
thirds of the committee, are drawn); the billing round has the same validators, honest or
acting as in the main round. Everything shrinks towards one honest node, no faults, the compute
function, small inputs, the default funding and four honest validators.

Strategies that do not depend on what was drawn are built once, at import or once per argument
(`functools.cache`), not inside the composite functions on every draw: a strategy is validated
when first drawn from, which cost more than the draw itself. Each is built by the same calls with
the same arguments as before, so its structure and labels, and with them the choices drawn and
the shrinker's moves on them, are the same.
"""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from functools import cache
from typing import Any

from hypothesis import strategies as st

from executor.engine import resolve_function
from executor.records import DEFAULT_FUNDING, ESCROW_FUNDS, Deposit, Funding
from executor.scenario import ExecRound, FaultPhase, NodeFault, ProcessFault, TrustedCall
from model.hashing import HashAlgorithm
from model.params import Params
from model.trusted.behaviour import (
    HONEST_VALIDATORS,
    Behaviour,
    NodePlan,
    Scenario,
    ValidatorBehaviour,
    ValidatorPlan,
)
from model.units import AppId, NodeId, ValidatorId

APP = AppId("app")
SHARED_WRONG_OUTPUT = b"wrong: the colluders' output"
FAST_FAULTS = (
    ProcessFault.CRASH,
    ProcessFault.GARBAGE,
    ProcessFault.HUGE_OUTPUT,
    ProcessFault.MEMORY_BOMB,
)
SLOW_FAULTS = (ProcessFault.HANG, ProcessFault.SLEEP)

NodeKind = tuple[str, Any, Any]
"""('behaviour', Behaviour, None), ('wronged', None, None) or ('fault', ProcessFault, FaultPhase)."""

HONEST_KIND: NodeKind = ("behaviour", Behaviour.HONEST, None)
_OTHER_KINDS: list[NodeKind] = [
    *(("behaviour", b, None) for b in Behaviour if b is not Behaviour.HONEST),
    ("wronged", None, None),
    ("fault", None, None),
]
_KINDS = st.one_of(st.just(HONEST_KIND), st.sampled_from([HONEST_KIND, *_OTHER_KINDS]))
_FAULTS = {
    slow: st.sampled_from(FAST_FAULTS + (SLOW_FAULTS if slow else ())) for slow in (False, True)
}
_FAULT_PHASES = st.sampled_from(tuple(FaultPhase))


@st.composite
def node_kinds(draw: st.DrawFn, *, slow_faults: bool) -> NodeKind:
    """What one node is: about half plain honest, one in twenty a process fault."""
    kind = draw(_KINDS)
    if kind[0] != "fault":
        return kind
    return ("fault", draw(_FAULTS[bool(slow_faults)]), draw(_FAULT_PHASES))


def compute_inputs() -> st.SearchStrategy[bytes]:
    """Proof of Compute: a prime bound."""
    return st.integers(0, 3000).map(lambda n: json.dumps({"n": n}).encode())


@st.composite
def database_inputs(draw: st.DrawFn) -> bytes:
    """Proof of Database: a command log over one key-value table."""
    commands = ["CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"]
    for _ in range(draw(st.integers(0, 8))):
        key = draw(st.integers(0, 9))
        value = draw(st.text("abcxyz", max_size=6))
        kind = draw(st.sampled_from(("upsert", "update", "delete")))
        if kind == "upsert":
            commands.append(f"INSERT OR REPLACE INTO kv VALUES ({key}, '{value}')")
        elif kind == "update":
            commands.append(f"UPDATE kv SET v = v || '{value}' WHERE k = {key}")
        else:
            commands.append(f"DELETE FROM kv WHERE k = {key}")
    return json.dumps(commands).encode()


@st.composite
def storage_inputs(draw: st.DrawFn) -> bytes:
    """Proof of Storage: puts of blobs and gets of what was put (or of nothing)."""
    blobs = draw(st.lists(st.binary(max_size=48), max_size=4))
    ops: list[list[str]] = [["put", blob.hex()] for blob in blobs]
    for blob in draw(st.lists(st.sampled_from(blobs), max_size=3)) if blobs else []:
        ops.append(["get", hashlib.sha256(blob).hexdigest()])
    if draw(st.booleans()):
        ops.append(["get", hashlib.sha256(b"never put").hexdigest()])
    return json.dumps({"ops": ops}).encode()


def usage_reports() -> st.SearchStrategy[bytes]:
    """The billing function's input: a usage report."""
    counter = st.integers(0, 100_000)
    return st.fixed_dictionaries(
        {"cpu_ms": counter, "memory_mb_s": counter, "requests": counter, "bytes_out": counter}
    ).map(lambda report: json.dumps(report).encode())


_USAGE_REPORTS = usage_reports()


FUNCTION_INPUTS: dict[str, st.SearchStrategy[bytes]] = {
    "compute": compute_inputs(),
    "database": database_inputs(),
    "storage": storage_inputs(),
}


def str_prices() -> st.SearchStrategy[Fraction]:
    """USD per STR at a deposit: round prices, or any ratio of two integers up to 10^4 (so
    conversions leave dust), never so low that a paid round empties the escrow."""
    return st.one_of(
        st.sampled_from((Fraction(1, 2), Fraction(1), Fraction(3, 2))),
        st.builds(Fraction, st.integers(1, 10_000), st.integers(1, 10_000)),
    )


_FIRST_USTR = st.integers(ESCROW_FUNDS // 10, ESCROW_FUNDS)
_FIRST_PRICE = str_prices()
_TOP_UPS: st.SearchStrategy[list[Deposit]] = st.one_of(
    st.just([]),
    st.lists(
        st.builds(
            Deposit,
            st.integers(0, ESCROW_FUNDS),
            st.one_of(st.just(0), st.integers(1, ESCROW_FUNDS)),
            str_prices(),
        ),
        min_size=1,
        max_size=2,
    ),
)
_PREFUND_VALIDATORS = st.integers(0, 4)
_PREFUNDS = {
    validators: st.one_of(st.just(0), st.integers(1, 2 * validators + 2), st.integers(10**6, 10**9))
    for validators in range(5)
}


@st.composite
def fundings(draw: st.DrawFn) -> Funding:
    """The escrow's prepayment at one price, top-ups at others (§6.3.3: the payout is valued at
    the prices deposited), and a validation prefund (§4.4): none, a few ustr (down to fewer than
    the validators, so the floor selects some; or none to pay), or a large one."""
    first = Deposit(ESCROW_FUNDS, draw(_FIRST_USTR), draw(_FIRST_PRICE))
    top_ups = draw(_TOP_UPS)
    validators = draw(_PREFUND_VALIDATORS)
    prefund = draw(_PREFUNDS[validators])
    return Funding(deposits=(first, *top_ups), validators=validators, prefund_ustr=prefund)


_FUNDINGS = st.one_of(st.just(DEFAULT_FUNDING), fundings())


_VALIDATOR_LISTS = st.one_of(
    st.just(None),
    st.lists(
        st.tuples(
            st.sampled_from(tuple(ValidatorBehaviour)),
            st.one_of(st.just(False), st.sampled_from((False, False, False, True))),
        ),
        min_size=1,
        max_size=7,
    ),
)


@st.composite
def validator_plans(draw: st.DrawFn) -> tuple[tuple[ValidatorPlan, ...], int | None]:
    """The round's eligible validators (in active-set order) and the developer's count: the
    default four honest ones, or 1 to 7 drawn, each of the four behaviours alike, one in eight
    withholding its beacon secret, with no count or a count of 1 up to all of them."""
    chosen = draw(_VALIDATOR_LISTS)
    if chosen is None:
        return HONEST_VALIDATORS, None
    plans = tuple(
        ValidatorPlan(ValidatorId(f"v{index}"), behaviour, withholds_beacon=withheld)
        for index, (behaviour, withheld) in enumerate(chosen)
    )
    count = draw(_VALIDATOR_COUNTS[len(plans)])
    return plans, count


_VALIDATOR_COUNTS = {size: st.one_of(st.just(None), st.integers(1, size)) for size in range(1, 8)}
_VALIDATOR_PLANS = validator_plans()


def as_honest(plans: tuple[ValidatorPlan, ...]) -> tuple[ValidatorPlan, ...]:
    """The same validators, each honest and revealing its beacon secret."""
    return tuple(ValidatorPlan(plan.validator) for plan in plans)


_BOOLEANS = st.booleans()
_ROUND_SEEDS = st.binary(min_size=4, max_size=4)
_ALGORITHMS = st.sampled_from(tuple(HashAlgorithm))
_APP_REVEALS = st.one_of(st.just(True), st.booleans())


@st.composite
def exec_rounds(
    draw: st.DrawFn,
    *,
    kinds: list[NodeKind],
    round_id: int,
    start: int,
    function: str,
    data: bytes,
    validators: tuple[ValidatorPlan, ...] = HONEST_VALIDATORS,
    validator_count: int | None = None,
) -> ExecRound:
    """One round whose i-th node is `kinds[i]`, on `function(data)`, validated by the eligible
    `validators`, the developer's `validator_count` of them."""
    nodes = len(kinds)
    wrong = [i for i, k in enumerate(kinds) if k[1] is Behaviour.WRONG_OUTPUT]
    colluding = len(wrong) > 1 and draw(_BOOLEANS)
    plans, faults = [], []
    for index, (what, value, phase) in enumerate(kinds):
        node = NodeId(f"n{index}")
        behaviour = value if what == "behaviour" else Behaviour.HONEST
        copy_from = None
        if behaviour is Behaviour.COPY_COMMIT:
            others = [i for i in range(nodes) if i != index]
            if not others:
                behaviour = Behaviour.HONEST
            else:
                copy_from = NodeId(f"n{draw(st.sampled_from(others))}")
        plans.append(
            NodePlan(
                node=node,
                behaviour=behaviour,
                copy_from=copy_from,
                wrong_output=SHARED_WRONG_OUTPUT if colluding and index in wrong else None,
                gets_wrong_app_salt=what == "wronged",
            )
        )
        if what == "fault":
            faults.append(NodeFault(node, value, phase))
    scenario = Scenario(
        round_id=round_id,
        app=APP,
        plans=tuple(plans),
        correct_output=b"",  # filled from the function's own run when the model predicts
        seed=draw(_ROUND_SEEDS),
        start=start,
        algorithm=draw(_ALGORITHMS),
        app_reveals_salts=draw(_APP_REVEALS),
        validators=validators,
        validator_count=validator_count,
    )
    return ExecRound(scenario, resolve_function(function), data, tuple(faults))


def get_round_span(params: Params) -> int:
    """A bound on how long one round lasts on the protocol clock, to start the next after it."""
    consensus = params.consensus
    longest_wait = max(consensus.app_salt_timeout_seconds, consensus.reveal_timeout_seconds)
    return consensus.commit_timeout_seconds + longest_wait + 10


def user_inputs() -> st.SearchStrategy[bytes]:
    """Inputs for a user's own function, whose input language the executor does not know: the
    empty input, short JSON objects and arbitrary bytes."""
    return st.one_of(
        st.just(b""),
        st.dictionaries(
            st.sampled_from(("n", "key", "ops")), st.integers(0, 1_000), max_size=2
        ).map(lambda value: json.dumps(value, sort_keys=True).encode()),
        st.binary(max_size=64),
    )


_USER_INPUTS = user_inputs()


@cache
def _node_lists(slow_faults: bool) -> st.SearchStrategy[list[NodeKind]]:
    """A round's nodes: 1 to 7 of `node_kinds`."""
    return st.lists(node_kinds(slow_faults=slow_faults), min_size=1, max_size=7)


@cache
def _billing_node_lists(slow_faults: bool, nodes: int) -> st.SearchStrategy[list[NodeKind]]:
    """The billing round's nodes: `nodes` honest ones (the main round's count), or a list drawn
    apart. The list of honest ones is one object shared by the draws; nothing changes it."""
    return st.one_of(st.just([HONEST_KIND] * nodes), _node_lists(slow_faults))


@cache
def _function_names(functions: tuple[str, ...]) -> st.SearchStrategy[str]:
    """The main round's function: a fixture's name or one of the user's `functions`."""
    return st.sampled_from((*FUNCTION_INPUTS, *functions))


@st.composite
def trusted_calls(
    draw: st.DrawFn,
    params: Params,
    *,
    slow_faults: bool = False,
    functions: tuple[str, ...] = (),
) -> TrustedCall:
    """A billing round on a usage report, then the main round on a service function: a fixture,
    or one of `functions`, the user's own (`file.py:callable` or `module:callable`).

    Each round's nodes are drawn as a list, so shrinking deletes nodes one by one; the billing
    round shrinks towards the main round's nodes, all honest.
    """
    main_kinds = draw(_node_lists(bool(slow_faults)))
    billing_kinds = draw(_billing_node_lists(bool(slow_faults), len(main_kinds)))
    function = draw(_function_names(tuple(functions)))
    data = draw(FUNCTION_INPUTS.get(function, _USER_INPUTS))
    usage = draw(_USAGE_REPORTS)
    validators, count = draw(_VALIDATOR_PLANS)
    billing_validators = draw(st.sampled_from((as_honest(validators), validators)))
    billing = draw(
        exec_rounds(
            kinds=billing_kinds,
            round_id=1,
            start=0,
            function="billing",
            data=usage,
            validators=billing_validators,
            validator_count=count,
        )
    )
    main = draw(
        exec_rounds(
            kinds=main_kinds,
            round_id=2,
            start=get_round_span(params),
            function=function,
            data=data,
            validators=validators,
            validator_count=count,
        )
    )
    funding = draw(_FUNDINGS)
    return TrustedCall(billing=billing, main=main, funding=funding)
