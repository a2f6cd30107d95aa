"""Chain invariants: what must hold after every step of the whole chain.

This module holds conservation, escrow and payment checks, runs the round checkers on every
round a step ran, and joins every family (slashing, governance) into `check_step`.
"""

from __future__ import annotations

from collections.abc import Callable

from model.chain.actions import (
    DepositUsdc,
    RedeemStb,
    RoundEffect,
    SwapReserve,
)
from model.chain.state import get_trusted_chain
from model.escrow import is_escrow_solvent
from model.ledger import (
    SUBCOMMITTEE_POOL,
    SWAP_RESERVE,
    get_balance,
    get_escrow_account,
    get_total_stb_holdings,
    get_total_str_holdings,
)
from model.params import WHITEPAPER_PARAMS
from model.payment import compute_payment_split
from model.staking import is_bonded_pool_consistent
from model.trusted.settlement import is_node_stake_pool_consistent
from model.units import BPS_DENOMINATOR
from properties.invariants.base import Observation, observe
from properties.invariants.governance import (
    check_gov_complaint,
    check_gov_params,
    check_gov_subcommittee,
    check_gov_supermajority,
    check_rep_outbound,
    check_sup_inflation,
)
from properties.invariants.round import RoundView, check_round, check_round_live
from properties.invariants.slashing import (
    check_bft_accountable,
    check_slash_bounds,
    check_slash_decay,
    check_slash_delegators,
    check_slash_doubling,
    check_slash_stake,
)
from properties.invariants.step import ChainStep, History, record_action, record_effects

__all__ = ["ChainStep", "History", "check_step", "record_action", "record_effects"]

GOLDEN_COST = 100_000_000
"""§6.3.3's example: a $100 cost, in micro-USD."""


# --- Conservation --------------------------------------------------------------------------------


def check_cons_str(step: ChainStep) -> Observation | None:
    """CONS-STR: all STR holdings + burned = genesis + minted; bonds and stakes match pools."""
    state = step.after
    ledger = state.ledger
    held, issued = (
        get_total_str_holdings(ledger) + ledger.str_burned,
        ledger.str_genesis + ledger.str_minted,
    )
    problems = []
    if held != issued:
        problems.append(f"holdings + burned = {held} but genesis + minted = {issued}")
    if not is_bonded_pool_consistent(ledger, state.staking):
        problems.append("the bonded pool does not hold exactly the delegations")
    if not is_node_stake_pool_consistent(get_trusted_chain(state)):
        problems.append("the node stake pool does not hold exactly the node stakes")
    delegated = sum(state.governance.subcommittee_delegations.values())
    if get_balance(ledger, SUBCOMMITTEE_POOL).ustr != delegated:
        problems.append("the subcommittee pool does not hold exactly the delegations")
    negative = sorted(str(a) for a, b in ledger.balances.items() if b.ustr < 0 or b.ustb < 0)
    if negative:
        problems.append(f"negative balances: {negative}")
    return observe("CONS-STR", not problems, "; ".join(problems))


def check_cons_stb(step: ChainStep) -> Observation | None:
    """CONS-STB: all STB holdings = USDC locked in the bridge, and both move only by the
    bridge: by a deposit the checker has not seen before (its own record, not the model's) and
    by a redemption."""
    ledger = step.after.ledger
    held = get_total_stb_holdings(ledger)
    problems = []
    if held != ledger.usdc_locked:
        problems.append(f"STB held {held} but USDC locked {ledger.usdc_locked}")
    if step.before is not None:
        expected = 0
        action = step.action
        if isinstance(action, DepositUsdc):
            if action.deposit_id in step.history.deposits:
                problems.append(f"bridge deposit {action.deposit_id!r} was accepted twice")
            expected = action.amount
        elif isinstance(action, RedeemStb):
            expected = -action.amount
        moved = held - get_total_stb_holdings(step.before.ledger)
        if moved != expected:
            problems.append(f"STB supply moved by {moved}, the bridge by {expected}")
    return observe("CONS-STB", not problems, "; ".join(problems))


def _round_effects(step: ChainStep) -> list[RoundEffect]:
    return [effect for effect in step.effects if isinstance(effect, RoundEffect)]


def check_cons_split(step: ChainStep) -> Observation | None:
    """CONS-SPLIT: a paid round's split sums to the amount withdrawn, no part negative."""
    paid = [e for e in _round_effects(step) if e.outcome is not None and e.outcome.paid]
    if not paid:
        return None
    problems = []
    for effect in paid:
        assert effect.outcome is not None
        cost, params = effect.outcome.cost, effect.params
        split = compute_payment_split(cost, params)
        parts = (
            split.stb_cost_basis,
            split.stb_node_profit,
            split.stb_swap_reserve,
            split.str_node_profit_usd,
            split.str_burn_usd,
            split.str_network_support_usd,
        )
        total = cost * params.payment.payment_rate_bps // BPS_DENOMINATOR
        if sum(parts) != total or min(parts) < 0 or split.total != total:
            problems.append(f"cost {cost}: parts {parts} for a total of {total}")
        escrow = str(get_escrow_account(effect.run.scenario.app))
        withdrawn_stb = -sum(
            m.delta for m in effect.outcome.movements if m.account == escrow and m.token == "stb"
        )
        expected_stb = len(effect.outcome.paid) * sum(parts[:3])
        if withdrawn_stb != expected_stb:
            problems.append(f"escrow paid {withdrawn_stb} ustb, the split says {expected_stb}")
    return observe("CONS-SPLIT", not problems, "; ".join(problems))


def check_escrow_solvent(step: ChainStep) -> Observation | None:
    """ESCROW-SOLVENT: no escrow negative; locked escrow accounts match their records."""
    state = step.after
    return observe(
        "ESCROW-SOLVENT",
        is_escrow_solvent(state.ledger, state.escrows),
        "an escrow is negative or its locked account differs from its locked payments",
    )


def check_pay_vector(step: ChainStep) -> Observation | None:
    """PAY-VECTOR: at the whitepaper's payment parameters, a $100 round pays as §6.3.3 says."""
    golden = [
        e
        for e in _round_effects(step)
        if e.outcome is not None
        and e.outcome.paid
        and e.outcome.cost == GOLDEN_COST
        and e.params.payment == WHITEPAPER_PARAMS.payment
    ]
    if not golden:
        return None
    problems = []
    for effect in golden:
        assert effect.outcome is not None
        split = compute_payment_split(GOLDEN_COST, effect.params)
        got = (
            split.total,
            split.stb_cost_basis,
            split.stb_node_profit,
            split.stb_swap_reserve,
            split.str_node_profit_usd,
            split.str_burn_usd,
            split.str_network_support_usd,
        )
        want = (200, 100, 10, 10, 40, 20, 20)
        if got != tuple(usd * 1_000_000 for usd in want):
            problems.append(f"split of $100 is {got}")
        accounts = {str(effect.before.nodes[n].account) for n in effect.outcome.paid}
        stb = {
            m.account: m.delta
            for m in effect.outcome.movements
            if m.account in accounts and m.token == "stb"
        }
        if any(stb.get(account, 0) != 110_000_000 for account in accounts):
            problems.append(f"paid nodes received {stb} ustb, §6.3.3 says 110 STB each")
    return observe("PAY-VECTOR", not problems, "; ".join(problems))


def check_pay_burn(step: ChainStep) -> Observation | None:
    """PAY-BURN (§6.4, 6.7): the swap reserve spends all its STB on STR at the step's price,
    and all of that STR is burned: nothing stays in the reserve."""
    action = step.action
    if not isinstance(action, SwapReserve) or step.before is None:
        return None
    reserve_ustb = get_balance(step.before.ledger, SWAP_RESERVE).ustb
    if reserve_ustb == 0:
        return None
    # ustb are micro-dollars; the price is USD per STR: the floor of ustb * den / num.
    price = action.price
    bought = reserve_ustb * price.denominator // price.numerator
    burned = step.after.ledger.str_burned - step.before.ledger.str_burned
    left = get_balance(step.after.ledger, SWAP_RESERVE)
    problems = []
    if burned != bought:
        problems.append(f"{reserve_ustb} ustb bought {bought} ustr at {price}, {burned} burned")
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
    check_pay_burn,
    check_bft_accountable,
    check_slash_bounds,
    check_slash_doubling,
    check_slash_decay,
    check_slash_stake,
    check_slash_delegators,
    check_gov_params,
    check_gov_supermajority,
    check_gov_subcommittee,
    check_gov_complaint,
    check_sup_inflation,
    check_rep_outbound,
)


def check_step(step: ChainStep) -> tuple[Observation, ...]:
    """Every invariant the step exercises: the chain checkers, then every round it ran."""
    observations = [obs for checker in STEP_CHECKERS if (obs := checker(step)) is not None]
    observations.extend(check_rounds(step))
    return tuple(observations)
