"""Chain invariants: what must hold after every step of the whole chain.

This module holds the payment checks, runs the round checkers on every round a step ran, and
joins every family (conservation, slashing, governance) into `check_step`.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from model.chain.actions import (
    ResolveLocked,
    RoundEffect,
    RunRound,
    SwapReserve,
)
from model.ledger import (
    BURN_ADDRESS,
    NETWORK_SUPPORT,
    NODE_STAKE_POOL,
    STRATOSWAP_POOL,
    SWAP_RESERVE,
    get_escrow_account,
    get_locked_escrow_account,
)
from model.units import AccountId, AppId, NodeId, ValidatorId
from oracle.ledger import (
    STB,
    STR,
    Movements,
    add_movement,
    balance,
    movement_differences,
    movements,
    ustr_of,
)
from oracle.payment import (
    BPS,
    GOLDEN_VECTOR,
    MICRO,
    PaymentSplit,
    StrPayout,
    bid_of,
    golden_split_micro,
    is_whitepaper_payment,
    node_split,
    read_locked,
    split_payment,
    str_payout,
    usd_to_ustr,
    validation_payment_each,
    validation_selected_count,
)
from properties.invariants.actions import check_action_contracts
from properties.invariants.allowed import check_allowed_applied
from properties.invariants.app_validators import (
    check_app_validators_step,
    check_resolution_pays_majority,
    resolution_outcome,
)
from properties.invariants.base import Observation, observe
from properties.invariants.committees import check_ins_pool, check_rep_recorded, check_sub_powers
from properties.invariants.conservation import check_cons_stb, check_cons_str, check_escrow_solvent
from properties.invariants.governance import (
    check_gov_complaint,
    check_gov_params,
    check_gov_subcommittee,
    check_gov_supermajority,
    check_rep_outbound,
    check_sup_inflation,
)
from properties.invariants.market import check_pay_burn_market
from properties.invariants.price import check_pay_funded, check_pay_usd, payout_price
from properties.invariants.round import RoundView, check_round, check_round_live
from properties.invariants.services import check_app_settings, check_bft_deviation_step
from properties.invariants.slashing import (
    check_bft_accountable,
    check_slash_bounds,
    check_slash_decay,
    check_slash_delegators,
    check_slash_doubling,
    check_slash_stake,
)
from properties.invariants.stake_lifecycle import (
    check_rew_prorata,
    check_slash_avoided,
    check_val_standing,
)
from properties.invariants.step import ChainStep, History, record_action, record_effects
from properties.invariants.total import check_transition_answered
from properties.invariants.validation_pay import check_pay_external, check_val_pay

__all__ = ["ChainStep", "History", "check_step", "record_action", "record_effects"]

GOLDEN_COST = GOLDEN_VECTOR.cost_usd * MICRO
"""§6.3.3's example: a $100 cost, in micro-USD."""


def _round_effects(step: ChainStep) -> list[RoundEffect]:
    if not step.effects:  # most steps have none: no list to filter
        return []
    return [effect for effect in step.effects if isinstance(effect, RoundEffect)]


# --- Payments: who receives what -----------------------------------------------------------------


def _pay_node(
    moved: Movements,
    *,
    source: AccountId,
    node_account: AccountId | str,
    split: PaymentSplit,
    payout: StrPayout,
) -> None:
    """§6.3-§6.7: one node's payment out of `source`: the node's STB (cost basis and STB profit)
    and its STR profit to the node operator, the swap-reserve STB to the swap reserve, network
    support's STR to its pool, the burn's STR to the burn address."""
    add_movement(moved, source, STB, -split.stb_total)
    add_movement(moved, source, STR, -payout.total)
    add_movement(moved, node_account, STB, split.node_stb)
    add_movement(moved, node_account, STR, payout.node)
    add_movement(moved, SWAP_RESERVE, STB, split.stb_swap_reserve)
    add_movement(moved, NETWORK_SUPPORT, STR, payout.network_support)
    add_movement(moved, BURN_ADDRESS, STR, payout.burn)


def _payout_at(split: PaymentSplit, price: Fraction | None) -> StrPayout | str:
    """The STR side of `split` at the escrow's price, or why it cannot be paid (§6.3.3)."""
    if price is None or price <= 0:
        if split.str_total_usd:
            return f"${split.str_total_usd} micro-USD of STR owed but the escrow has no price"
        return StrPayout(total=0, node=0, burn=0, network_support=0)
    return str_payout(split, price)


def _validation_movements(
    step: ChainStep, effect: RoundEffect, got: Movements, moved: Movements
) -> list[str]:
    """§4.4: a round's validation prefund paid from the app's escrow, prefund // k to each of
    the k validators it pays (all of the round's committee, or as many as the floor allows)."""
    action = step.action
    prefund = action.validation_prefund_ustr if isinstance(action, RunRound) else 0
    if prefund <= 0 or step.before is None or effect.outcome is None:
        return []
    staking = step.before.staking
    # §4.4, §3.3: the validators that offer for the round are its committee, as recorded.
    operators = {
        str(staking.validators[ValidatorId(v)].operator)
        for v in effect.outcome.validators
        if ValidatorId(v) in staking.validators
    }
    count = validation_selected_count(
        prefund, len(operators), effect.params.payment.validation_floor_ustr
    )
    if count == 0:
        return [f"a validation prefund of {prefund} ustr paid nobody and was not refused"]
    each = validation_payment_each(prefund, count)
    paid = sorted(a for (a, token), delta in got.items() if token == STR and a in operators)
    problems = []
    if len(paid) != count:
        problems.append(f"validation paid {paid}, {count} of {sorted(operators)} expected")
    for account in paid:
        add_movement(moved, account, STR, each)
    escrow = get_escrow_account(AppId(effect.outcome.app if effect.outcome else ""))
    add_movement(moved, escrow, STR, -each * len(paid))
    return problems


def _expected_round(step: ChainStep, effect: RoundEffect) -> tuple[Movements, list[str]]:
    """Every token movement a settled round should make, from the oracle's split at the
    escrow's price (§6.3, §6.3.3), its slashes (§3.3 F11) and locks (§3.3 Step 12)."""
    outcome = effect.outcome
    assert outcome is not None
    app = AppId(outcome.app)
    escrow = get_escrow_account(app)
    book = effect.before.escrows.escrows.get(app)
    price = book.str_price if book is not None else None
    # §6.3.3, §6.6: the STR is converted at the price the profile pays at.
    price = payout_price(step.before, price) if step.before is not None else price
    split = split_payment(outcome.cost, effect.params)
    problems: list[str] = []
    moved: Movements = {}
    nodes = effect.before.nodes
    payout = _payout_at(split, price)
    if isinstance(payout, str):
        if outcome.escrow_locked and outcome.cost > 0:
            problems.append(payout)
        payout = StrPayout(total=0, node=0, burn=0, network_support=0)
    if outcome.cost > 0:
        for node in outcome.paid:
            account = nodes[node].account if node in nodes else f"unregistered {node}"
            # §4.4, §6.3.2: each node is paid at the STR margin it bid, else the network's.
            own = _node_split(step, effect, node)
            own_payout = _payout_at(own, price)
            if isinstance(own_payout, str):
                problems.append(own_payout)
                own_payout = StrPayout(total=0, node=0, burn=0, network_support=0)
            _pay_node(moved, source=escrow, node_account=account, split=own, payout=own_payout)
        if outcome.escrow_locked:
            # §3.3 Step 12, §6.3.2: each locked node's own split moves to the locked escrow.
            owed: list[tuple[PaymentSplit, StrPayout]] = []
            for node in outcome.escrow_locked:
                own = _node_split(step, effect, node)
                own_payout = _payout_at(own, price)
                if isinstance(own_payout, str):
                    problems.append(own_payout)
                    own_payout = StrPayout(total=0, node=0, burn=0, network_support=0)
                owed.append((own, own_payout))
            locked = get_locked_escrow_account(app)
            for token, amount in (
                (STB, sum(own.stb_total for own, _ in owed)),
                (STR, sum(own_payout.total for _, own_payout in owed)),
            ):
                add_movement(moved, escrow, token, -amount)
                add_movement(moved, locked, token, amount)
            problems.extend(_lock_record_problems(effect, owed, price))
    for slash in outcome.slashed:
        add_movement(moved, NODE_STAKE_POOL, STR, -slash.burned_ustr)
        add_movement(moved, BURN_ADDRESS, STR, slash.burned_ustr)
    return moved, problems


def _node_split(step: ChainStep, effect: RoundEffect, node: NodeId) -> PaymentSplit:
    """§4.4 "Payout amount is set by the nodes", §6.3.2: the split `node` is owed for the
    round's cost: at the STR margin it was chosen at, or the network's split without one."""
    outcome = effect.outcome
    assert outcome is not None
    before = step.before
    margin = bid_of(before.market, AppId(outcome.app), node) if before is not None else None
    return node_split(outcome.cost, effect.params, margin)


def _lock_record_problems(
    effect: RoundEffect, owed: list[tuple[PaymentSplit, StrPayout]], price: Fraction | None
) -> list[str]:
    """§3.3 Step 12, §6.3.2: the locked record owes each locked node the oracle's split at its
    own bid (`owed`, in the locked nodes' order) at the price in force when it was locked."""
    outcome = effect.outcome
    assert outcome is not None
    book = effect.after.escrows.escrows.get(AppId(outcome.app))
    record = book.locked.get(outcome.round_id) if book is not None else None
    if record is None:
        return [f"round {outcome.round_id} locked a payment but left no record"]
    nodes = effect.before.nodes
    accounts = tuple(nodes[n].account for n in outcome.escrow_locked if n in nodes)
    recorded = [(split.parts, payout) for split, payout in read_locked(record)]
    expected = [(split.parts, payout) for split, payout in owed]
    owes_str = any(split.str_total_usd for split, _ in owed)
    got = (record.node_accounts, recorded, record.price)
    want = (accounts, expected, price if owes_str else record.price)
    if got != want:
        return [f"round {outcome.round_id}'s locked record {got}, expected {want}"]
    # Step 12 recourse: the lock keeps the committee that resolves it and each node's reveal.
    reveals = effect.run.state.reveals
    hashes = tuple(reveals[n].output_hash if n in reveals else None for n in outcome.escrow_locked)
    kept = record.output_hashes
    if (
        tuple(map(str, record.validators)) != outcome.validators
        or len(kept) != len(hashes)
        or any(h is not None and h != r for h, r in zip(kept, hashes, strict=False))
    ):
        return [
            f"round {outcome.round_id}'s lock keeps {record.validators} and {kept},"
            f" the round had {outcome.validators} and {hashes}"
        ]
    return []


def _resolve_problems(step: ChainStep, action: ResolveLocked) -> list[str]:
    """§3.3 Step 12: a resolved lock pays each recorded node its split at the locked price, or
    returns everything it holds to the app's escrow; nothing else moves."""
    assert step.before is not None
    book = step.before.escrows.escrows.get(action.app)
    record = book.locked.get(action.round_id) if book is not None else None
    if record is None:
        return [f"round {action.round_id} of {action.app} was resolved but had no lock"]
    locked = get_locked_escrow_account(action.app)
    moved: Movements = {}
    consensus = step.before.params.consensus
    _, paid = resolution_outcome(
        record, action.validator_plans, consensus.threshold_num, consensus.threshold_den
    )
    escrow = get_escrow_account(action.app)
    # §6.3.2: each node account is owed its own split (its bid's), at the locked price.
    for account, (split, _) in zip(record.node_accounts, read_locked(record), strict=True):
        payout = _payout_at(split, record.price)
        if isinstance(payout, str):
            return [payout]
        if account in paid:
            _pay_node(moved, source=locked, node_account=account, split=split, payout=payout)
            continue
        for token, amount in ((STB, split.stb_total), (STR, payout.total)):
            add_movement(moved, locked, token, -amount)
            add_movement(moved, escrow, token, amount)
    got = movements(step.before.ledger, step.after.ledger)
    return movement_differences(moved, got)


def check_cons_split(step: ChainStep) -> Observation | None:
    """CONS-SPLIT: a settled round's payment is the whitepaper's split (§6.3, §6.8), its parts
    sum exactly to T and none is negative; and every part reaches its recipient: the node
    operator its STB and STR profit, the swap reserve, network support and the burn address
    their shares, at the escrow's price (§6.3.3); a lock holds, and its resolution pays, the
    same amounts (§3.3 Step 12)."""
    problems: list[str] = []
    seen = False
    for effect in _round_effects(step):
        outcome = effect.outcome
        if outcome is None or not (outcome.paid or outcome.escrow_locked):
            continue
        seen = True
        splits = [split_payment(outcome.cost, effect.params)]
        splits += [_node_split(step, effect, node) for node in outcome.paid]
        for split in splits:
            if sum(split.parts) != split.total or min(split.parts) < 0:
                problems.append(
                    f"cost {outcome.cost}: parts {split.parts} for a total of {split.total}"
                )
        expected, found = _expected_round(step, effect)
        problems.extend(found)
        got = {(m.account, m.token): m.delta for m in outcome.movements if m.delta}
        problems.extend(_validation_movements(step, effect, got, expected))
        problems.extend(
            f"round {outcome.round_id}: {d}" for d in movement_differences(expected, got)
        )
    action = step.action
    if isinstance(action, ResolveLocked) and step.before is not None:
        seen = True
        problems.extend(_resolve_problems(step, action))
    if not seen:
        return None
    return observe("CONS-SPLIT", not problems, "; ".join(problems))


GOLDEN_BID = GOLDEN_VECTOR.str_withdrawn_usd * BPS // GOLDEN_VECTOR.cost_usd
"""§6.3.3's STR margin in bps of cost: $80 of STR on a $100 cost at the 2x rate (8000)."""


def _is_paid_at_the_network_rate(step: ChainStep, effect: RoundEffect) -> bool:
    """§6.3.3's example is the network's 2x rate: every paid node of the round either bid no
    margin of its own or bid the example's (§6.3.2 lets a node set its STR margin)."""
    outcome = effect.outcome
    assert outcome is not None
    before = step.before
    bids = [bid_of(before.market, AppId(outcome.app), n) for n in outcome.paid] if before else []
    return all(bid is None or bid == GOLDEN_BID for bid in bids)


def check_pay_vector(step: ChainStep) -> Observation | None:
    """PAY-VECTOR: at the whitepaper's payment parameters, a $100 round paid at the network's
    rate (no node bid a margin of its own, §6.3.2) pays as §6.3.3 says: each paid node receives
    110 STB and $40 of STR, the swap reserve 10 STB, network support and the burn $20 of STR
    each, and the escrow gives up 120 STB and $80 of STR a node."""
    golden = [
        e
        for e in _round_effects(step)
        if e.outcome is not None
        and e.outcome.paid
        and e.outcome.cost == GOLDEN_COST
        and is_whitepaper_payment(e.params)
        and _is_paid_at_the_network_rate(step, e)
    ]
    if not golden:
        return None
    problems = []
    vector = GOLDEN_VECTOR
    if split_payment(GOLDEN_COST, golden[0].params) != golden_split_micro():
        problems.append("the whitepaper's split of $100 is not §6.3.3's (the oracle disagrees)")
    for effect in golden:
        outcome = effect.outcome
        assert outcome is not None
        book = effect.before.escrows.escrows.get(AppId(outcome.app))
        price = book.str_price if book is not None else None
        price = payout_price(step.before, price) if step.before is not None else price
        if price is None:
            problems.append("a $100 round was paid with no STR price in its escrow")
            continue
        count = len(outcome.paid)
        got = {(m.account, m.token): m.delta for m in outcome.movements}
        # The text's $40 of STR at the round's price, the node taking the conversion dust.
        node_str = str_payout(golden_split_micro(), price).node
        for node in outcome.paid:
            account = str(effect.before.nodes[node].account)
            received = (got.get((account, STB), 0), got.get((account, STR), 0))
            if received != (vector.node_stb * MICRO, node_str):
                problems.append(
                    f"{node} received {received} (ustb, ustr), §6.3.3 says 110 STB and $40 of STR"
                    f" = {(vector.node_stb * MICRO, node_str)}"
                )
        reserve = got.get((str(SWAP_RESERVE), STB), 0)
        if reserve != count * vector.split.stb_swap_reserve * MICRO:
            problems.append(f"the swap reserve received {reserve} ustb, §6.3.3 says 10 STB a node")
        escrow = str(get_escrow_account(AppId(outcome.app)))
        if -got.get((escrow, STB), 0) != count * vector.stb_withdrawn * MICRO:
            problems.append(f"the escrow gave {-got.get((escrow, STB), 0)} ustb, 120 STB a node")
        support = got.get((str(NETWORK_SUPPORT), STR), 0)
        if support != count * usd_to_ustr(vector.split.str_network_support_usd * MICRO, price):
            problems.append(f"network support received {support} ustr, §6.3.3 says $20 a node")
    return observe("PAY-VECTOR", not problems, "; ".join(problems))


def check_pay_burn(step: ChainStep) -> Observation | None:
    """PAY-BURN (§6.4, 6.7): the swap reserve spends all its STB on Stratoswap, and all of the
    STR the pool pays for it is burned: nothing stays in the reserve (the price it gets is
    PAY-BURN-MARKET's)."""
    action = step.action
    if not isinstance(action, SwapReserve) or step.before is None:
        return None
    reserve_ustb = balance(step.before.ledger, SWAP_RESERVE).ustb
    if reserve_ustb == 0:
        return None
    # What the reserve bought is what left the pool.
    pool = STRATOSWAP_POOL
    bought = ustr_of(step.before.ledger, pool) - ustr_of(step.after.ledger, pool)
    burned = step.after.ledger.str_burned - step.before.ledger.str_burned
    sent = ustr_of(step.after.ledger, BURN_ADDRESS) - ustr_of(step.before.ledger, BURN_ADDRESS)
    left = balance(step.after.ledger, SWAP_RESERVE)
    problems = []
    if burned != bought or sent != bought:
        problems.append(
            f"{reserve_ustb} ustb bought {bought} ustr from the pool, {burned} burned and {sent}"
            " sent to the burn address"
        )
    if left.ustb or left.ustr:
        problems.append(f"the swap reserve still holds {left.ustb} ustb and {left.ustr} ustr")
    return observe("PAY-BURN", not problems, "; ".join(problems))


# --- Rounds --------------------------------------------------------------------------------------


def check_rounds(step: ChainStep) -> tuple[Observation, ...]:
    """Every round invariant on every round the step ran (see properties.invariants.round)."""
    observations: list[Observation] = []
    for effect in _round_effects(step):
        view = RoundView(
            scenario=effect.run.scenario,
            state=effect.run.state,
            params=effect.params,
            profile=step.after.profile,
            outcome=effect.outcome,
            chain_before=effect.before,
            chain_after=effect.after,
        )
        observations.extend(check_round(view))
        live = check_round_live(view)
        if live is not None:
            observations.append(live)
    return tuple(observations)


STEP_CHECKERS: tuple[Callable[[ChainStep], Observation | None], ...] = (
    check_cons_str,
    check_cons_stb,
    check_cons_split,
    check_escrow_solvent,
    check_pay_vector,
    check_pay_usd,
    check_pay_funded,
    check_pay_burn,
    check_pay_burn_market,
    check_bft_accountable,
    check_slash_bounds,
    check_slash_doubling,
    check_slash_decay,
    check_slash_stake,
    check_slash_delegators,
    check_slash_avoided,
    check_rew_prorata,
    check_val_standing,
    check_gov_params,
    check_gov_supermajority,
    check_gov_subcommittee,
    check_gov_complaint,
    check_sup_inflation,
    check_rep_outbound,
    check_rep_recorded,
    check_ins_pool,
    check_sub_powers,
    check_transition_answered,
    check_allowed_applied,
    check_app_validators_step,
    check_resolution_pays_majority,
    check_val_pay,
    check_pay_external,
    check_app_settings,
    check_bft_deviation_step,
)


def check_step(step: ChainStep) -> tuple[Observation, ...]:
    """Every invariant the step exercises: the chain checkers, then every round it ran."""
    observations = [obs for checker in STEP_CHECKERS if (obs := checker(step)) is not None]
    observations.extend(check_rounds(step))
    observations.extend(check_action_contracts(step))
    return tuple(observations)
