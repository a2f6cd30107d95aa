"""Machine rules for escrows and Trusted Function rounds (§3, §4.3.1, §6.3, §6.7)."""

from __future__ import annotations

from fractions import Fraction

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from model.chain.actions import (
    Prepay,
    ResolveLocked,
    RunRound,
    SetAppValidatorCount,
    SwapReserve,
    WithdrawPrepayment,
)
from model.chain.state import get_developer
from model.governance import ParamChange
from model.ledger import get_escrow_account
from model.trusted.behaviour import Behaviour, NodePlan, ValidatorBehaviour, ValidatorPlan
from model.units import NodeId, ValidatorId
from oracle.ledger import balance
from oracle.payment import split_payment, usd_to_ustr
from oracle.staking import active_set
from properties.driver import ChainDriver, guarded
from properties.invariants.allowed_rounds import correct_output
from properties.strategies import (
    GOLDEN_COST,
    MICRO,
    NODE_COUNT,
    NODES,
    USERS,
    VALIDATORS,
    amounts,
    apps,
    costs,
    node_plans,
    prices,
    users,
)

ON_THRESHOLD: tuple[int, int] = (3, 2)
"""(size, agree) of a round exactly at 2/3."""

MALFORMED: tuple[str, ...] = (
    "wrong output equal to the correct one",
    "a node twice",
    "copies itself",
    "copies an unassigned node",
    "unregistered node",
    "wrong_output on an honest plan",
    "copy_from on an honest plan",
    "negative cost",
    "negative prefund",
)
"""The malformed rounds `process_malformed_rounds` tries: each a caller's error (§3.2, §4.3.1,
§4.4)."""

UNREGISTERED = NodeId("n-unregistered")

NO_PRICES: tuple[Fraction | None, ...] = (None, Fraction(0), Fraction(-1, 2))
"""STR prices that value nothing: none at all, zero and negative (§6.3.3 needs a positive one)."""


BEHAVIOURS = st.sampled_from(
    [ValidatorBehaviour.HONEST] * 3
    + [ValidatorBehaviour.LIE, ValidatorBehaviour.ABSTAIN, ValidatorBehaviour.EQUIVOCATE]
)
"""A validator's behaviour: honest half the time, else one of the byzantine ones."""


_WITHHOLDS_SECRET = st.sampled_from([False] * 5 + [True])
"""One validator in six withholds its beacon secret (built once, not at every plan drawn)."""


@st.composite
def validator_plans(draw: st.DrawFn) -> tuple[ValidatorPlan, ...]:
    """§3.3 Steps 10, 12: plans for some of the validators: any mix of honest, lying,
    abstaining and equivocating ones, now and then one that withholds its beacon secret (the
    rule keeps those of the voting validators); often none (all honest)."""
    if draw(st.integers(0, 2)) == 0:
        return ()
    named = draw(st.lists(st.sampled_from(VALIDATORS), unique=True, max_size=len(VALIDATORS)))
    return tuple(ValidatorPlan(v, draw(BEHAVIOURS), draw(_WITHHOLDS_SECRET)) for v in named)


def keep_plans(
    plans: tuple[ValidatorPlan, ...], voters: tuple[ValidatorId, ...]
) -> tuple[ValidatorPlan, ...]:
    """The plans that name a validator that votes (the active set, or a lock's committee)."""
    return tuple(plan for plan in plans if plan.validator in voters)


def _fresh(node: NodeId) -> NodeId:
    """`node` as a distinct str object equal to it, so `is` and `==` tell apart."""
    return NodeId("".join(list(node)))


def _malformed_plans(kind: str, round_run: RunRound, correct: bytes) -> tuple[NodePlan, ...]:
    """`round_run`'s honest plans with the last one made into the malformed `kind`."""
    plans = list(round_run.plans)
    last = plans[-1].node
    if kind == "wrong output equal to the correct one":
        # A distinct bytes object equal to the correct output: `is` and `==` tell apart.
        plans[-1] = NodePlan(last, Behaviour.WRONG_OUTPUT, wrong_output=bytes(bytearray(correct)))
    elif kind == "a node twice":
        plans[-1] = NodePlan(plans[0].node)
    elif kind == "copies itself":
        plans[-1] = NodePlan(last, Behaviour.COPY_COMMIT, _fresh(last))
    elif kind == "copies an unassigned node":
        plans[-1] = NodePlan(last, Behaviour.COPY_COMMIT, NODES[len(plans) % NODE_COUNT])
    elif kind == "unregistered node":
        plans[-1] = NodePlan(UNREGISTERED)
    elif kind == "wrong_output on an honest plan":
        plans[-1] = NodePlan(last, wrong_output=b"another output")
    else:
        plans[-1] = NodePlan(last, copy_from=plans[0].node)
    return tuple(plans)


def malformed_round(kind: str, honest: RunRound, correct: bytes) -> RunRound:
    """`honest` made into the malformed `kind` of `MALFORMED`."""
    if kind == "negative cost":
        return attrs.evolve(honest, cost=-1)
    if kind == "negative prefund":
        return attrs.evolve(honest, validation_prefund_ustr=-1)
    return attrs.evolve(honest, plans=_malformed_plans(kind, honest, correct))


class RoundRules(ChainDriver):
    """Prepayments, rounds of any mix of behaviours, the deterministic rounds, locked payments,
    withdrawals, and the swap reserve the paid rounds fill."""

    # --- Escrow and rounds -----------------------------------------------------------------------

    @rule(app=apps, own=st.booleans(), payer=users, ustb=amounts, ustr=amounts, price=prices)
    @guarded
    def process_prepayment(
        self, *, app: str, own: bool, payer: str, ustb: int, ustr: int, price: object
    ) -> None:
        source = get_developer(app) if own else payer  # type: ignore[arg-type]
        self.apply(Prepay(app, source, ustb, ustr, price))  # type: ignore[arg-type]

    @precondition(lambda self: "priceless-prepayments" not in self.swept)
    @rule(app=apps)
    @guarded
    def process_prepayment_without_a_price(self, *, app: str) -> None:
        """§4.3.1, §6.3.3: the developer prepays one ustr of STR, then one ustb of STB, with no
        price, a zero and a negative one: STR valued at no positive price must be refused (the
        escrow could not value its payouts), STB needs no price. Every price each firing, once
        an example."""
        self.swept.add("priceless-prepayments")
        developer = get_developer(app)  # type: ignore[arg-type]
        for price in NO_PRICES:
            self.apply_unless_rightly_refused(Prepay(app, developer, 0, 1, price))  # type: ignore[arg-type]
            self.apply_unless_rightly_refused(Prepay(app, developer, 1, 0, price))  # type: ignore[arg-type]

    @rule(
        app=apps,
        plans=node_plans(),
        cost=costs,
        app_reveals=st.booleans() | st.just(True),
        prefund=st.sampled_from([0, 0, 10, 1_000_000]),
    )
    @guarded
    def process_round(
        self, *, app: str, plans: tuple[object, ...], cost: int, app_reveals: bool, prefund: int
    ) -> None:
        self.apply(RunRound(app, plans, cost, app_reveals, prefund))  # type: ignore[arg-type]

    @precondition(lambda self: "malformed-rounds" not in self.swept)
    @rule(app=apps, size=st.integers(2, 3))
    @guarded
    def process_malformed_rounds(self, *, app: str, size: int) -> None:
        """§3.2, §4.3.1, §4.4: a round with each caller's error of `MALFORMED` in turn, which
        the chain must refuse (ACT-ALLOWED fails on one it applies); the wrong output equal to
        the correct one is the round's own correct output, as the chain derives it, in another
        bytes object. Every kind a firing, once an example: a drawn kind left some kinds
        undrawn in a quick run, and a refused round costs no more than its checks. Then the
        app's validator count from a non-developer and out of range (refused), and the
        committees of `_sweep_committees`."""
        assert self.checked is not None
        self.swept.add("malformed-rounds")
        honest = RunRound(app, tuple(NodePlan(node) for node in NODES[:size]), GOLDEN_COST)  # type: ignore[arg-type]
        correct = correct_output(self.checked.state.next_round_id)
        for kind in MALFORMED:
            self.apply_unless_rightly_refused(malformed_round(kind, honest, correct))
        # §3.3: only the developer sets the app's validator count, and only to a count of them.
        for signer, count in ((USERS[0], 1), (get_developer(app), 0)):  # type: ignore[arg-type]
            self.apply_unless_rightly_refused(SetAppValidatorCount(app, signer, count))  # type: ignore[arg-type]
        self._sweep_committees(app, size)

    def _sweep_committees(self, app: str, size: int) -> None:
        """§3.3 Steps 10-12, §4.3.2: the developer sets the app's validator count to `size`,
        then two $100 rounds of four nodes, one wrong output (consensus TRUE) and two
        independent ones (FALSE), under committees whose members, in active-set order, lie,
        abstain, equivocate, withhold their beacon secret or stay honest, in turn from a
        different start each round; a lock left behind is resolved by an honest committee.
        Byzantine committees this way take no draws of their own: the drawn genesis (1 to 6
        validators, their stakes) and `size` vary them, so the other rules' draws are as
        before (a rule of their own moved the quick run's reach of unrelated boundaries)."""
        assert self.checked is not None
        developer = get_developer(app)  # type: ignore[arg-type]
        self.apply(SetAppValidatorCount(app, developer, size))  # type: ignore[arg-type]
        cycle = (
            ValidatorPlan(VALIDATORS[0], ValidatorBehaviour.LIE),
            ValidatorPlan(VALIDATORS[0], ValidatorBehaviour.ABSTAIN),
            ValidatorPlan(VALIDATORS[0], ValidatorBehaviour.EQUIVOCATE),
            ValidatorPlan(VALIDATORS[0], withholds_beacon=True),
            ValidatorPlan(VALIDATORS[0]),
        )
        for wrong in (1, 2):
            state = self.checked.state
            seats = state.params.consensus.max_validators
            active = active_set(state.staking, max_validators=seats)
            start = size + wrong
            voting = tuple(
                attrs.evolve(cycle[(start + index) % len(cycle)], validator=validator)
                for index, validator in enumerate(active)
            )
            plans = (
                *(NodePlan(node) for node in NODES[: 4 - wrong]),
                *(NodePlan(node, Behaviour.WRONG_OUTPUT) for node in NODES[4 - wrong :]),
            )
            round_id = state.next_round_id
            self.apply(Prepay(app, developer, 4 * GOLDEN_COST, 10**12, Fraction(1)))  # type: ignore[arg-type]
            self.apply(RunRound(app, plans, GOLDEN_COST, validator_plans=voting))  # type: ignore[arg-type]
            escrow = self.checked.state.escrows.escrows.get(app)  # type: ignore[call-overload]
            if escrow is not None and round_id in escrow.locked:
                self.apply(ResolveLocked(app, round_id))  # type: ignore[arg-type]

    @rule(
        app=apps,
        size=st.integers(1, NODE_COUNT),
        price=prices,
        cost=st.sampled_from([0, 1, MICRO, GOLDEN_COST]),
        prefund=st.sampled_from([0, 0, MICRO]),
        short=st.sampled_from(["", "", "ustb", "ustr"]),
    )
    @guarded
    def process_round_at_the_funds(
        self, *, app: str, size: int, price: Fraction, cost: int, prefund: int, short: str
    ) -> None:
        """§4.3.1, §4.4, §6.3: the escrow emptied, then prepaid exactly one split per node plus
        the validation prefund (or one micro-unit less of STB or STR) before an honest round:
        allowed at the funds, and refused one micro-unit short."""
        assert self.checked is not None
        held = balance(self.checked.state.ledger, get_escrow_account(app))  # type: ignore[arg-type]
        self.apply(WithdrawPrepayment(app, held.ustb, held.ustr))  # type: ignore[arg-type]
        split = split_payment(cost, self.checked.state.params)
        ustb = size * split.stb_total - (short == "ustb")
        ustr = size * usd_to_ustr(split.str_total_usd, price) + prefund - (short == "ustr")
        developer = get_developer(app)  # type: ignore[arg-type]
        self.apply(Prepay(app, developer, max(ustb, 0), max(ustr, 0), price))  # type: ignore[arg-type]
        plans = tuple(NodePlan(node) for node in NODES[:size])
        self.apply(RunRound(app, plans, cost, True, prefund))  # type: ignore[arg-type]

    @rule(app=apps, size=st.integers(1, 4), price=prices)
    @guarded
    def process_golden_round(self, *, app: str, size: int, price: object) -> None:
        # §6.3.3's worked example: honest nodes, a $100 cost, at a fresh STR price.
        plans = tuple(NodePlan(node) for node in NODES[:size])
        self.apply(Prepay(app, get_developer(app), 0, 0, price))  # type: ignore[arg-type]
        self.apply(RunRound(app, plans, GOLDEN_COST))  # type: ignore[arg-type]

    @rule(
        app=apps,
        price=prices,
        minority=st.sampled_from([Behaviour.WRONG_OUTPUT, Behaviour.COPY_COMMIT]),
    )
    @guarded
    def process_dissent_round(self, *, app: str, price: object, minority: Behaviour) -> None:
        # §3.3 F11, §3.5.3: 3 of 4 agree (consensus TRUE); n3 reveals another output or copies
        # n0's commit, and is not paid.
        copy_from = NODES[0] if minority is Behaviour.COPY_COMMIT else None
        plans = (
            *(NodePlan(node) for node in NODES[:3]),
            NodePlan(NODES[3], minority, copy_from),
        )
        self.apply(Prepay(app, get_developer(app), 4 * GOLDEN_COST, 10**12, price))  # type: ignore[arg-type]
        self.apply(RunRound(app, plans, GOLDEN_COST))  # type: ignore[arg-type]

    @rule(app=apps, price=prices, ustb=st.sampled_from([1, MICRO]))
    @guarded
    def process_withdraw_beside_a_lock(self, *, app: str, price: object, ustb: int) -> None:
        # §3.3 F12, §4.3.1: a round without consensus (2 honest, 2 independent wrong outputs)
        # locks its payment; the developer then withdraws prepayment, which must leave the
        # locked escrow as it was.
        plans = (
            *(NodePlan(node) for node in NODES[:2]),
            *(NodePlan(node, Behaviour.WRONG_OUTPUT) for node in NODES[2:4]),
        )
        self.apply(Prepay(app, get_developer(app), 4 * GOLDEN_COST, 10**12, price))  # type: ignore[arg-type]
        self.apply(RunRound(app, plans, GOLDEN_COST))  # type: ignore[arg-type]
        self.apply(WithdrawPrepayment(app, ustb, 0))  # type: ignore[arg-type]

    @rule(app=apps, price=prices)
    @guarded
    def process_threshold_round(self, *, app: str, price: object) -> None:
        """§3.3 F10: 2 of 3 nodes honest, the third a wrong output: the largest agreeing group is
        exactly 2/3 of the nodes (the live threshold may move it). A round one node below or
        above comes from the dissent, lock and golden rounds; this one is not left to a draw."""
        size, agree = ON_THRESHOLD
        self._run_threshold_round(app, price, size, agree)

    def _run_threshold_round(self, app: str, price: object, size: int, agree: int) -> None:
        plans = (
            *(NodePlan(node) for node in NODES[:agree]),
            *(NodePlan(node, Behaviour.WRONG_OUTPUT) for node in NODES[agree:size]),
        )
        self.apply(Prepay(app, get_developer(app), 4 * GOLDEN_COST, 10**12, price))  # type: ignore[arg-type]
        self.apply(RunRound(app, plans, GOLDEN_COST))  # type: ignore[arg-type]

    @rule(
        app=apps,
        key=st.sampled_from(["commit_timeout_seconds", "reveal_timeout_seconds"]),
        timeout=st.sampled_from([1, 2, 2]),
        last=st.sampled_from([Behaviour.LATE_COMMIT, Behaviour.LATE_REVEAL]),
    )
    @guarded
    def process_round_at_timeout(
        self, *, app: str, key: str, timeout: int, last: Behaviour
    ) -> None:
        """§3.2 F5, F7: governance shortens a phase to one or two seconds, so that a round's
        commits (one second after opening, copiers a second later) or reveals (one second after
        the reveal phase opens, watchers a second later) fall one second before, exactly on and
        one second after the timeout; a late node steps past it."""
        assert self.checked is not None
        if getattr(self.checked.state.params.consensus, key) != timeout:
            self.enact((ParamChange("consensus", key, timeout),))
        plans = (
            NodePlan(NODES[0]),
            NodePlan(NODES[1]),
            NodePlan(NODES[2], Behaviour.COPY_COMMIT, NODES[0]),
            NodePlan(NODES[3], last),
        )
        self.apply(Prepay(app, get_developer(app), 4 * GOLDEN_COST, 0, None))  # type: ignore[arg-type]
        self.apply(RunRound(app, plans, GOLDEN_COST))  # type: ignore[arg-type]

    @rule(
        data=st.data(),
        votes=validator_plans(),
        again=st.booleans(),
        which=st.sampled_from(["locked", "locked", "unknown"]),
    )
    @guarded
    def process_resolve_locked_payment(
        self,
        *,
        data: st.DataObject,
        votes: tuple[ValidatorPlan, ...],
        again: bool,
        which: str,
    ) -> None:
        """§3.3 Step 12: a locked payment resolved by its round's committee voting by the drawn
        plans (honest, lying, abstaining, equivocating: with no supermajority it stays locked),
        sometimes a second time (nothing is locked any more), or a round id never locked."""
        assert self.checked is not None
        state = self.checked.state
        locked = sorted(
            (app, round_id)
            for app, escrow in state.escrows.escrows.items()
            for round_id in escrow.locked
        )
        if which == "unknown" or not locked:
            app, round_id = data.draw(apps), state.next_round_id + data.draw(st.integers(0, 1))
        else:
            app, round_id = data.draw(st.sampled_from(locked))
        escrow = state.escrows.escrows.get(app)
        record = escrow.locked.get(round_id) if escrow is not None else None
        plans = keep_plans(votes, record.validators) if record is not None else ()
        self.apply(ResolveLocked(app, round_id, plans))
        if again:
            self.apply(ResolveLocked(app, round_id))

    @rule(app=apps, ustb=amounts, ustr=amounts)
    @guarded
    def process_withdraw_prepayment(self, *, app: str, ustb: int, ustr: int) -> None:
        self.apply(WithdrawPrepayment(app, ustb, ustr))  # type: ignore[arg-type]

    @rule(app=apps, size=st.integers(0, 4), price=prices)
    @guarded
    def process_swap_reserve(self, *, app: str, size: int, price: object) -> None:
        # §6.7: paid rounds fill the swap reserve; `size` honest nodes run a $100 round first.
        if size:
            self.process_golden_round(app=app, size=size, price=price)
        self.apply(SwapReserve())
