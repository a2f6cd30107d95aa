"""The fixed Trusted Function calls every executor search runs first, whatever it draws: a
dissenting node, the money's edges (a slash, a top-up at another price, a validation prefund
that leaves dust or is drawn) and byzantine validator committees (§3.3, §4.4, §6.3.3, §6.10)."""

from __future__ import annotations

from fractions import Fraction

import attrs

from executor.committee import Validator, draw_committee, run_beacon
from executor.engine import resolve_function
from executor.records import Deposit, Funding
from executor.scenario import ExecRound, TrustedCall
from executor.strategies import APP, as_honest, get_round_span
from model.params import Params
from model.profile import Profile
from model.trusted.behaviour import (
    HONEST_VALIDATORS,
    Behaviour,
    NodePlan,
    Scenario,
    ValidatorBehaviour,
    ValidatorPlan,
)
from model.units import NodeId, ValidatorId


def get_dissent_call(params: Params) -> TrustedCall:
    """§3.3 F11: a paid main round where n0-n2 agree and n3 reveals another output (unpaid)."""
    nodes = tuple(NodeId(f"n{index}") for index in range(4))
    billing = Scenario(1, APP, tuple(NodePlan(node) for node in nodes), b"", b"bill")
    plans = (*(NodePlan(node) for node in nodes[:3]), NodePlan(nodes[3], Behaviour.WRONG_OUTPUT))
    main = Scenario(2, APP, plans, b"", b"main", start=get_round_span(params))
    return TrustedCall(
        billing=ExecRound(billing, resolve_function("billing"), DISSENT_USAGE),
        main=ExecRound(main, resolve_function("compute"), b'{"n": 100}'),
    )


DISSENT_USAGE = b'{"cpu_ms": 1000, "memory_mb_s": 1000, "requests": 10, "bytes_out": 1000}'


def get_money_calls(params: Params) -> tuple[TrustedCall, ...]:
    """Two paid calls that reach the money's edges on every run, whatever the draws.

    The first: n3 of four reveals what it never committed (slashed, §6.10), the escrow was topped
    up at another price (the payout is valued at the deposit-weighted price, §6.3.3), and three
    validators share a prefund that leaves one ustr in the escrow (§4.4). The second: four
    validators subscribe to a prefund of 3 ustr, under the floor of 1 each, so three are drawn.
    """
    nodes = tuple(NodeId(f"n{index}") for index in range(4))
    billing = Scenario(1, APP, tuple(NodePlan(node) for node in nodes), b"", b"bill")
    cheat = NodePlan(nodes[3], Behaviour.REVEAL_MISMATCH)
    plans = (*(NodePlan(node) for node in nodes[:3]), cheat)
    main = Scenario(2, APP, plans, b"", b"main", start=get_round_span(params))
    first = Deposit(10**15, 10**15, Fraction(1, 2))
    topped_up = Funding(
        deposits=(first, Deposit(0, 3 * 10**14, Fraction(7, 3))),
        validators=3,
        prefund_ustr=10**6 + 1,
    )
    drawn = Funding(
        deposits=(Deposit(10**15, 10**15, Fraction(3, 7)),), validators=4, prefund_ustr=3
    )
    honest = Scenario(2, APP, billing.plans, b"", b"main", start=get_round_span(params))
    return (
        TrustedCall(
            billing=ExecRound(billing, resolve_function("billing"), DISSENT_USAGE),
            main=ExecRound(main, resolve_function("compute"), b'{"n": 100}'),
            funding=topped_up,
        ),
        TrustedCall(
            billing=ExecRound(billing, resolve_function("billing"), DISSENT_USAGE),
            main=ExecRound(honest, resolve_function("storage"), b'{"ops": []}'),
            funding=drawn,
        ),
    )


def get_committee_calls(params: Params, profile: Profile) -> tuple[TrustedCall, ...]:
    """Two paid calls whose main round's committee is byzantine, on every run (§3.3 Steps 10
    and 12), the billing round's committee honest so the main round has a cost.

    The first: four agreeing nodes, four validators, and the top of the beacon's ranking (the
    proposer) a liar: the truth passes Step 10 with 3 of 4, the liar proposes the FALSE block,
    the honest three reject it: recourse, the payment locked. The second: no node supermajority
    (n0 honest, n1 another output, n2 never reveals, n3 never commits), three liars, one honest
    validator and an equivocator that withholds its beacon secret: under the hardened profile the
    withholder is out and 3 of 4 liars pass a TRUE the nodes never reached; under the literal
    one it sits, and neither value has more than 2/3 of five.
    """
    nodes = tuple(NodeId(f"n{index}") for index in range(4))
    billing = Scenario(1, APP, tuple(NodePlan(node) for node in nodes), b"", b"bill")
    main = Scenario(2, APP, billing.plans, b"", b"main", start=get_round_span(params))
    eligible = HONEST_VALIDATORS
    players = [Validator(plan) for plan in eligible]
    algorithm = main.algorithm.value
    beacon = run_beacon(players, seed=main.seed, round_id=main.round_id, algorithm=algorithm)
    top = draw_committee(players, beacon, count=None, profile=profile, algorithm=algorithm)[0]
    lying_proposer = tuple(
        ValidatorPlan(plan.validator, ValidatorBehaviour.LIE) if plan.validator == top.id else plan
        for plan in eligible
    )
    liars = (
        *(ValidatorPlan(ValidatorId(f"v{i}"), ValidatorBehaviour.LIE) for i in range(3)),
        ValidatorPlan(ValidatorId("v3")),
        ValidatorPlan(ValidatorId("v4"), ValidatorBehaviour.EQUIVOCATE, withholds_beacon=True),
    )
    split = (
        NodePlan(nodes[0]),
        NodePlan(nodes[1], Behaviour.WRONG_OUTPUT),
        NodePlan(nodes[2], Behaviour.NO_REVEAL),
        NodePlan(nodes[3], Behaviour.NO_COMMIT),
    )
    usage, compute = resolve_function("billing"), resolve_function("compute")
    return tuple(
        TrustedCall(
            billing=ExecRound(
                attrs.evolve(billing, validators=as_honest(validators)), usage, DISSENT_USAGE
            ),
            main=ExecRound(
                attrs.evolve(main, plans=plans, validators=validators), compute, b'{"n": 100}'
            ),
        )
        for plans, validators in ((main.plans, lying_proposer), (split, liars))
    )
