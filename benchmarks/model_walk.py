"""Benchmark: whole-chain model transitions per second on seeded random walks, no Hypothesis.

Run: .venv/bin/python benchmarks/model_walk.py [--walks N] [--rules S] [--repeat R] [--seed K]
Each walk starts from a seeded genesis and draws rules of the Hypothesis machine uniformly with a
local `random.Random(seed)`, each rule giving the actions the machine's rule applies. The traces
are drawn first, then replayed on the clock through the bare `process_action` and through
`apply_and_check` (every checker), so drawing costs nothing; one JSON line per mode, best of R
repeats of a loop that only steps. The per-kind mix (microseconds per action kind) comes from one
more replay that times each step on its own. A refused action counts as a transition: the model decided it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeVar

from attrs import frozen

from model.chain.actions import (
    Action,
    AdvanceTime,
    CastVote,
    CommitBlock,
    Delegate,
    DelegateToSubcommittee,
    DepositUsdc,
    Equivocate,
    GrantNetworkSupport,
    MintInflation,
    OutboundRequest,
    Prepay,
    RedeemStb,
    ResolveComplaint,
    ResolveLocked,
    RunRound,
    SetAppProfile,
    SlashValidator,
    SubmitComplaint,
    SubmitProposal,
    SwapReserve,
    Tally,
    Transfer,
    Undelegate,
    UndelegateFromSubcommittee,
    WithdrawPrepayment,
)
from model.chain.state import APPS, ChainState, Genesis, create_chain, get_developer
from model.chain.transitions import process_action
from model.governance import INITIAL_SUBCOMMITTEES, ParamChange, VoteOption
from model.ledger import Token
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from model.trusted.behaviour import Behaviour, NodePlan
from model.units import AccountId, AppId, NodeId, Rejected, ValidatorId
from properties.replay import Checked, apply_and_check, start_and_check
from properties.strategies import (
    EVERY_ACCOUNT,
    GOLDEN_COST,
    MICRO,
    NODES,
    PAYMENT_KEYS,
    SIGNERS,
    SUPERMAJORITY_PAYMENT_KEYS,
    USERS,
    VALIDATORS,
)

TARGET_PER_SECOND = 50_000
"""The target for the bare model's walk on the 2-core reference machine."""
CLOCK_STEPS = (1, 30, 59, 61, 3_600, 86_400, 1_209_601, 31_536_000, 63_072_000, 94_608_000)
"""The machine's clock steps (`properties.strategies.seconds`)."""


@frozen
class Trace:
    """One walk: its genesis and the actions drawn along it, accepted or refused."""

    genesis: Genesis
    actions: tuple[Action, ...]


def draw_amount(rng: random.Random) -> int:
    """An amount as the machine draws one: small, large, huge or a round figure."""
    bound = rng.choice((1_000, 10**9, 10**13, 0))
    return rng.choice((MICRO, 10 * MICRO, 10**12)) if bound == 0 else rng.randint(0, bound)


def draw_price(rng: random.Random) -> Fraction:
    """An STR price from $0.05 to $50."""
    return Fraction(rng.randint(1, 50), rng.randint(1, 20))


def draw_validator_set(rng: random.Random) -> frozenset[ValidatorId]:
    """Any subset of the validators."""
    return frozenset(v for v in VALIDATORS if rng.random() < 0.5)


def draw_plans(rng: random.Random) -> tuple[NodePlan, ...]:
    """1 to 4 nodes with behaviours, copiers copying another node of the round."""
    nodes = rng.sample(NODES, rng.randint(1, len(NODES)))
    collude = rng.random() < 0.5
    plans = []
    for node in nodes:
        behaviour = rng.choice(list(Behaviour))
        others = [other for other in nodes if other != node]
        copy_from: NodeId | None = None
        if behaviour is Behaviour.COPY_COMMIT:
            if others:
                copy_from = rng.choice(others)
            else:
                behaviour = Behaviour.HONEST
        wrong = (
            b"colluding wrong output" if behaviour is Behaviour.WRONG_OUTPUT and collude else None
        )
        plans.append(NodePlan(node, behaviour, copy_from, wrong, rng.random() < 0.25))
    return tuple(plans)


def _app(rng: random.Random) -> AppId:
    return rng.choice(APPS)


def _prepay(rng: random.Random, _: ChainState) -> Rule:
    app = _app(rng)
    payer: AccountId = get_developer(app) if rng.random() < 0.5 else rng.choice(USERS)
    return (Prepay(app, payer, draw_amount(rng), draw_amount(rng), draw_price(rng)),)


def _run_round(rng: random.Random, _: ChainState) -> Rule:
    cost = rng.choice((GOLDEN_COST, MICRO, 1, rng.randint(0, 10**10)))
    reveals = rng.random() < 0.75
    return (RunRound(_app(rng), draw_plans(rng), cost, reveals, rng.choice((0, 0, 10, 10**6))),)


def _golden_round(rng: random.Random, _: ChainState) -> Rule:
    # §6.3.3's worked example: honest nodes, a $100 cost, at a fresh STR price.
    app = _app(rng)
    plans = tuple(NodePlan(node) for node in NODES[: rng.randint(1, len(NODES))])
    return Prepay(app, get_developer(app), 0, 0, draw_price(rng)), RunRound(app, plans, GOLDEN_COST)


def _resolve_locked(rng: random.Random, state: ChainState) -> Rule:
    locked = sorted(
        (app, round_id)
        for app, escrow in state.escrows.escrows.items()
        for round_id in escrow.locked
    )
    app, round_id = rng.choice(locked) if locked else (APPS[0], 1)
    return (ResolveLocked(app, round_id),)


def _equivocate(rng: random.Random, _: ChainState) -> Rule:
    double, side_a, side_b = (draw_validator_set(rng) for _side in range(3))
    return (Equivocate(double, side_a - double, side_b - double - side_a),)


def _slash_validator(rng: random.Random, _: ChainState) -> Rule:
    # Repeated faults, `gap` seconds apart: within one window, or across one or two.
    validator = rng.choice(VALIDATORS)
    gap = rng.choice((0, 0, 86_400, 63_072_000, 126_144_000))
    actions: list[Action] = []
    for index in range(rng.randint(1, 8)):
        if index and gap:
            actions.append(AdvanceTime(gap))
        actions.append(SlashValidator(validator))
    return tuple(actions)


def _submit_proposal(rng: random.Random, state: ChainState) -> Rule:
    payment = state.params.payment
    first = rng.choice(rng.choice((SUPERMAJORITY_PAYMENT_KEYS, PAYMENT_KEYS)))
    delta = rng.choice((-500, -100, -1, 1, 100, 500))
    changes = [ParamChange("payment", first, getattr(payment, first) + delta)]
    # Mostly two shares moved against each other, which keeps their sum (GOV-PARAMS).
    if rng.randint(0, 3):
        second = rng.choice([key for key in PAYMENT_KEYS if key != first])
        changes.append(ParamChange("payment", second, getattr(payment, second) - delta))
    deposit = rng.choice((0, 1_000_000))
    return (SubmitProposal(rng.choice(SIGNERS), tuple(changes), deposit),)


def _vote(rng: random.Random, state: ChainState) -> Rule:
    proposal_id = rng.choice(sorted(state.governance.proposals))
    option = rng.choice(list(VoteOption))
    voters = [rng.choice(SIGNERS) for _ in range(rng.randint(1, 4))]
    return tuple(CastVote(proposal_id, voter, option) for voter in voters)


def _tally(rng: random.Random, state: ChainState) -> Rule:
    proposal_id = rng.choice(sorted(state.governance.proposals))
    if rng.random() < 0.5:
        return (Tally(proposal_id),)
    # Let the vote run its course before the tally.
    wait = max(0, state.governance.proposals[proposal_id].voting_end - state.now)
    return AdvanceTime(wait), Tally(proposal_id)


def _outbound_requests(rng: random.Random, _: ChainState) -> Rule:
    app, count, gap, price = _app(rng), rng.randint(1, 15), rng.choice((0, 1, 5)), draw_price(rng)
    actions: list[Action] = []
    for _request in range(count):
        actions.append(OutboundRequest(app, price))
        if gap:
            actions.append(AdvanceTime(gap))
    return tuple(actions)


def _has_proposals(state: ChainState) -> bool:
    return bool(state.governance.proposals)


def _always(_: ChainState) -> bool:
    return True


Rule = tuple[Action, ...]
Drawer = Callable[[random.Random, ChainState], Rule]
RULES: dict[str, Drawer] = {
    "deposit_usdc": lambda r, s: (
        DepositUsdc(r.choice(("d0", "d1", "d2", "d3")), r.choice(USERS), draw_amount(r)),
    ),
    "redeem_stb": lambda r, s: (RedeemStb(r.choice(SIGNERS), draw_amount(r)),),
    "transfer": lambda r, s: (
        Transfer(
            r.choice(EVERY_ACCOUNT), r.choice(EVERY_ACCOUNT), r.choice(list(Token)), draw_amount(r)
        ),
    ),
    "prepayment": _prepay,
    "round": _run_round,
    "golden_round": _golden_round,
    "resolve_locked_payment": _resolve_locked,
    "withdraw_prepayment": lambda r, s: (
        WithdrawPrepayment(_app(r), draw_amount(r), draw_amount(r)),
    ),
    "delegate": lambda r, s: (Delegate(r.choice(SIGNERS), r.choice(VALIDATORS), draw_amount(r)),),
    "undelegate": lambda r, s: (
        Undelegate(r.choice(SIGNERS), r.choice(VALIDATORS), draw_amount(r)),
    ),
    "block_commit": lambda r, s: (CommitBlock(draw_validator_set(r)),),
    "double_sign_evidence": _equivocate,
    "slash_validator": _slash_validator,
    "advance_time": lambda r, s: (AdvanceTime(r.choice(CLOCK_STEPS)),),
    "inflation_mint": lambda r, s: (MintInflation(),),
    "swap_reserve": lambda r, s: (SwapReserve(),),
    "network_support_grant": lambda r, s: (GrantNetworkSupport(r.choice(USERS), draw_amount(r)),),
    "submit_proposal": _submit_proposal,
    "vote": _vote,
    "tally": _tally,
    "delegate_to_subcommittee": lambda r, s: (
        DelegateToSubcommittee(r.choice(SIGNERS), r.choice(INITIAL_SUBCOMMITTEES), draw_amount(r)),
    ),
    "undelegate_from_subcommittee": lambda r, s: (
        UndelegateFromSubcommittee(
            r.choice(SIGNERS), r.choice(INITIAL_SUBCOMMITTEES), draw_amount(r)
        ),
    ),
    "submit_complaint": lambda r, s: (
        SubmitComplaint(
            r.choice(("c0", "c1", "c2")),
            r.choice(SIGNERS),
            r.choice(("app:app-0", "node:n0")),
            r.choice((0, 1_000_000, 10_000_001)),
        ),
    ),
    "resolve_complaint": lambda r, s: (
        ResolveComplaint(r.choice(("c0", "c1", "c2")), r.random() < 0.5),
    ),
    "set_app_profile": lambda r, s: (SetAppProfile(_app(r), r.random() < 0.5, draw_amount(r)),),
    "outbound_request": _outbound_requests,
}
"""One drawer per rule of `properties.machine.ChainMachine`, drawing what its rule applies."""
PRECONDITIONS: dict[str, Callable[[ChainState], bool]] = {
    "vote": _has_proposals,
    "tally": _has_proposals,
}
"""The machine's preconditions: a rule whose precondition fails is not drawn."""


def draw_genesis(rng: random.Random) -> Genesis:
    """A genesis as `properties.strategies.genesis_strategy` draws one."""
    return Genesis(
        user_ustr=tuple(rng.randint(0, 10**13) for _ in range(3)),
        user_ustb=tuple(rng.randint(0, 10**13) for _ in range(3)),
        validator_bonds=tuple(rng.randint(1, 10**12) for _ in range(3)),
        node_stakes=tuple(rng.randint(1, 10**10) for _ in range(4)),
        developer_ustr=10**15,
        developer_ustb=10**15,
        prepay_ustr=rng.choice((10**14, 10**9)),
        prepay_ustb=rng.choice((10**14, 10**9)),
        price=draw_price(rng),
    )


def draw_traces(seed: int, walks: int, rules: int) -> list[Trace]:
    """`walks` seeded walks of `rules` machine rules each (a rule may apply several actions);
    drawing reads the state the walk reached, as the machine's rules do."""
    rng = random.Random(seed)
    names = sorted(RULES)
    traces = []
    for _ in range(walks):
        genesis = draw_genesis(rng)
        state = create_chain(genesis, params=WHITEPAPER_PARAMS, profile=HARDENED)
        assert not isinstance(state, Rejected), state
        actions: list[Action] = []
        for _ in range(rules):
            name = rng.choice([n for n in names if PRECONDITIONS.get(n, _always)(state)])
            for action in RULES[name](rng, state):
                actions.append(action)
                result = process_action(state, action)
                if not isinstance(result, Rejected):
                    state = result[0]
        traces.append(Trace(genesis, tuple(actions)))
    return traces


class WalkTally:
    """Accepted and refused transitions and seconds spent, per action kind."""

    def __init__(self) -> None:
        self.accepted: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)

    @property
    def transitions(self) -> int:
        """Every action the model decided, accepted or refused."""
        return sum(self.accepted.values()) + sum(self.refused.values())

    def mix(self) -> dict[str, dict[str, float]]:
        """Per action kind: accepted, refused, and microseconds per transition."""
        return {
            kind: {
                "accepted": self.accepted[kind],
                "refused": self.refused[kind],
                "us_each": round(
                    self.seconds[kind] * 1e6 / (self.accepted[kind] + self.refused[kind]), 1
                ),
            }
            for kind in sorted(self.seconds)
        }


def _start_bare(genesis: Genesis) -> ChainState:
    state = create_chain(genesis, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert not isinstance(state, Rejected), state
    return state


def _step_bare(state: ChainState, action: Action) -> ChainState | Rejected:
    result = process_action(state, action)
    return result if isinstance(result, Rejected) else result[0]


def _start_checked(genesis: Genesis) -> Checked:
    checked = start_and_check(genesis, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert not isinstance(checked, Rejected), checked
    return checked


S = TypeVar("S")


def replay(
    traces: list[Trace],
    start: Callable[[Genesis], S],
    step: Callable[[S, Action], S | Rejected],
) -> float:
    """Seconds spent stepping every trace (genesis not timed): the loop does nothing but step,
    so the figure is the model's (or the model's and the checkers') time alone."""
    clock = time.perf_counter
    elapsed = 0.0
    for trace in traces:
        current = start(trace.genesis)
        started = clock()
        for action in trace.actions:
            result = step(current, action)
            if not isinstance(result, Rejected):
                current = result
        elapsed += clock() - started
    return elapsed


def replay_mix(
    traces: list[Trace],
    start: Callable[[Genesis], S],
    step: Callable[[S, Action], S | Rejected],
) -> WalkTally:
    """The same walks, each transition timed on its own and tallied by action kind: where the
    time goes. Its timing of each step costs several percent, so it is a run of its own."""
    tally = WalkTally()
    clock = time.perf_counter
    for trace in traces:
        current = start(trace.genesis)
        for action in trace.actions:
            begun = clock()
            result = step(current, action)
            kind = type(action).__name__
            tally.seconds[kind] += clock() - begun
            if isinstance(result, Rejected):
                tally.refused[kind] += 1
            else:
                current = result
                tally.accepted[kind] += 1
    return tally


Stepper = tuple[Callable[[Genesis], Any], Callable[[Any, Action], Any]]

MODES: dict[str, Stepper] = {
    "bare": (_start_bare, _step_bare),
    "checked": (_start_checked, apply_and_check),
}
"""Each mode's start and step: `process_action` alone, or `apply_and_check` (the model and every
checker, as the machine runs)."""


def main() -> None:
    """Draw the walks, replay them in each mode, print one line of figures per mode."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--walks", type=int, default=200, help="walks, each from its own genesis")
    parser.add_argument("--rules", type=int, default=40, help="machine rules drawn per walk")
    parser.add_argument("--repeat", type=int, default=5, help="timed replays; the best is kept")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--modes", nargs="+", choices=sorted(MODES), default=sorted(MODES))
    args = parser.parse_args()
    if min(args.walks, args.rules, args.repeat) < 1:
        parser.error("walks, rules and repeat must be at least 1")
    traces = draw_traces(args.seed, args.walks, args.rules)
    for mode in args.modes:
        load = os.getloadavg()[0]
        start, step = MODES[mode]
        timings = sorted(replay(traces, start, step) for _ in range(args.repeat))
        seconds = timings[0]
        tally = replay_mix(traces, start, step)
        print(
            json.dumps(
                {
                    "benchmark": "model-walk",
                    "mode": mode,
                    "seed": args.seed,
                    "walks": args.walks,
                    "rules_per_walk": args.rules,
                    "repeat": args.repeat,
                    "transitions": tally.transitions,
                    "accepted": sum(tally.accepted.values()),
                    "refused": sum(tally.refused.values()),
                    "seconds": round(seconds, 4),
                    "median_seconds": round(timings[len(timings) // 2], 4),
                    "transitions_per_second": round(tally.transitions / seconds),
                    "target_per_second": TARGET_PER_SECOND if mode == "bare" else None,
                    "load_1min": round(load, 2),
                    "mix": tally.mix(),
                },
                sort_keys=True,
            )
        )


if __name__ == "__main__":
    main()
