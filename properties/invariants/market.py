"""Stratoswap's checks (§6.4, §6.6, §6.7): PAY-BURN-MARKET and the market's action contracts.

PAY-BURN-MARKET reads a swap-reserve step from the pool's and the reserve's raw balances before
it: the STR burned must be what the constant-product curve pays for the reserve's STB after the
live commission (`oracle.stratoswap`), within the shortfall bound of its statement. The
contracts of a deposit, a redemption and a market order (ACT-TRANSFER) recompute every balance
and share from the pool's reserves and the share book before the step.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from model.chain.actions import AddLiquidity, RemoveLiquidity, Swap, SwapReserve
from model.chain.state import ChainState
from model.ledger import STRATOSWAP_POOL, SWAP_RESERVE, Token
from model.units import AccountId
from oracle.effects import is_user_account
from oracle.ledger import balance, ustr_of
from oracle.stratoswap import curve_payout, is_within_shortfall
from properties.invariants.base import Observation, observe
from properties.invariants.contract_frame import (
    STB,
    STR,
    Expected,
    _amount_problems,
    _frame,
    _ledger,
    _map_change,
    _move,
    _verdict,
)
from properties.invariants.step import ChainStep, History


def _reserves(state: ChainState) -> tuple[int, int]:
    """The pool's STB and STR: its ledger balances (§6.6)."""
    held = balance(state.ledger, STRATOSWAP_POOL)
    return held.ustb, held.ustr


def _fee(state: ChainState) -> int:
    """The commission Stratoswap charges, in bps (the live governed key)."""
    return state.params.market.stratoswap_fee_bps


def check_pay_burn_market(step: ChainStep) -> Observation | None:
    """PAY-BURN-MARKET (§6.4, §6.6, §6.7): the reserve's market order burns exactly the curve's
    payout for all its STB, within the shortfall bound, and leaves the pool some STR."""
    if not isinstance(step.action, SwapReserve) or step.before is None:
        return None
    before, after = step.before, step.after
    spent = balance(before.ledger, SWAP_RESERVE).ustb
    if spent == 0:
        return None
    pool_stb, pool_str = _reserves(before)
    fee = _fee(before)
    owed = curve_payout(pool_stb, pool_str, spent, fee)
    burned = after.ledger.str_burned - before.ledger.str_burned
    problems = []
    if burned != owed:
        problems.append(
            f"the reserve's {spent} ustb against a pool of {pool_stb} ustb / {pool_str} ustr at"
            f" {fee} bps should burn {owed} ustr, {burned} were burned"
        )
    if not is_within_shortfall(pool_stb, pool_str, spent, fee, burned):
        problems.append(
            f"{burned} ustr for {spent} ustb at the pool's price {pool_str}/{pool_stb} is"
            " outside the fee-and-impact bound"
        )
    if ustr_of(after.ledger, STRATOSWAP_POOL) <= 0:
        problems.append("the order drained the pool's STR")
    return observe("PAY-BURN-MARKET", not problems, "; ".join(problems))


def _book_problems(
    before: ChainState, after: ChainState, provider: AccountId, delta: int
) -> list[str]:
    """The provider's shares moved by `delta`, no one else's, and the total with them."""
    problems = _map_change(
        before.pool.shares, after.pool.shares, provider, delta, f"{provider}'s pool shares"
    )
    if after.pool.total != before.pool.total + delta:
        problems.append(
            f"the pool's total shares went {before.pool.total} -> {after.pool.total},"
            f" expected a change of {delta}"
        )
    if sum(after.pool.shares.values()) != after.pool.total:
        problems.append("the pool's total is not the sum of its providers' shares")
    return problems


def check_add_liquidity_contract(step: ChainStep, action: AddLiquidity) -> list[Observation]:
    """ACT-TRANSFER (§6.6): a first deposit mints floor(sqrt(STB * STR)) shares for all of it;
    a later one mints the lesser side's floor-proportional shares and takes each token's
    worth of them, rounded up; the provider signs."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "pool")
    problems += _amount_problems(ustb=action.ustb, ustr=action.ustr)
    if not is_user_account(action.provider):
        problems.append(f"provider {action.provider} is a module or escrow account")
    pool_stb, pool_str = _reserves(before)
    total = before.pool.total
    if total == 0:
        minted = math.isqrt(action.ustb * action.ustr)
        taken = (action.ustb, action.ustr)
    else:
        minted = min(action.ustb * total // pool_stb, action.ustr * total // pool_str)
        taken = (-(-minted * pool_stb // total), -(-minted * pool_str // total))
    if minted <= 0:
        problems.append(f"a deposit earning {minted} shares was accepted")
    expected: Expected = {}
    for token, amount in zip((STB, STR), taken, strict=True):
        _move(expected, action.provider, token, -amount)
        _move(expected, STRATOSWAP_POOL, token, amount)
    problems += _ledger(before.ledger, after.ledger, expected)
    problems += _book_problems(before, after, action.provider, minted)
    return [observe("ACT-TRANSFER", *_verdict(problems))]


def check_remove_liquidity_contract(step: ChainStep, action: RemoveLiquidity) -> list[Observation]:
    """ACT-TRANSFER (§6.6): a redemption of shares the provider holds pays each reserve's
    floor(shares * reserve / total) and retires the shares."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "pool")
    if not is_user_account(action.provider):
        problems.append(f"provider {action.provider} is a module or escrow account")
    held = before.pool.shares.get(action.provider, 0)
    if not 0 < action.shares <= held:
        return [
            observe(
                "ACT-TRANSFER",
                *_verdict([*problems, f"{action.shares} of {held} shares were redeemed"]),
            )
        ]
    total = before.pool.total
    expected: Expected = {}
    for token, reserve in zip((STB, STR), _reserves(before), strict=True):
        paid = action.shares * reserve // total
        _move(expected, STRATOSWAP_POOL, token, -paid)
        _move(expected, action.provider, token, paid)
    problems += _ledger(before.ledger, after.ledger, expected)
    problems += _book_problems(before, after, action.provider, -action.shares)
    return [observe("ACT-TRANSFER", *_verdict(problems))]


def check_swap_contract(step: ChainStep, action: Swap) -> list[Observation]:
    """ACT-TRANSFER (§6.6): a market order pays exactly the curve's amount for what it sells,
    at least its limit and at least one unit, and moves nothing else; the trader signs."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger")
    if not is_user_account(action.trader):
        problems.append(f"trader {action.trader} is a module or escrow account")
    pool_stb, pool_str = _reserves(before)
    token_out = STR if action.token_in is Token.STB else STB
    reserve_in, reserve_out = (
        (pool_stb, pool_str) if action.token_in is Token.STB else (pool_str, pool_stb)
    )
    out = curve_payout(reserve_in, reserve_out, action.amount_in, _fee(before))
    if out <= 0 or out < action.min_out:
        problems.append(
            f"an order paying {out} (limit {action.min_out}) for {action.amount_in} was accepted"
        )
    expected: Expected = {}
    _move(expected, action.trader, action.token_in, -action.amount_in)
    _move(expected, STRATOSWAP_POOL, action.token_in, action.amount_in)
    _move(expected, STRATOSWAP_POOL, token_out, -out)
    _move(expected, action.trader, token_out, out)
    problems += _ledger(before.ledger, after.ledger, expected)
    return [observe("ACT-TRANSFER", *_verdict(problems))]


RESERVE_DEEP = 1_000
"""A pool at least this many times the reserve's order deep is "deep" (impact under 0.1%)."""


def get_market_edges(before: ChainState, action: object, *, applied: bool) -> Iterator[str]:
    """The Stratoswap boundaries a step reaches (`properties.edges`): a market order's limit
    exactly at or one over the curve's payout, a redemption of every share of the pool, and
    the reserve's order against a pool at most as deep as itself or a thousand times deeper."""
    pool_stb, pool_str = _reserves(before)
    if isinstance(action, Swap):
        reserve_in, reserve_out = (
            (pool_stb, pool_str) if action.token_in is Token.STB else (pool_str, pool_stb)
        )
        out = curve_payout(reserve_in, reserve_out, action.amount_in, _fee(before))
        if out > 0 and action.min_out in (out, out + 1):
            yield "market.swap-limit." + ("on" if action.min_out == out else "above")
    elif isinstance(action, RemoveLiquidity):
        if applied and action.shares == before.pool.total:
            yield "market.pool-emptied"
    elif isinstance(action, SwapReserve) and applied:
        order = balance(before.ledger, SWAP_RESERVE).ustb
        if order > 0 and pool_stb <= order:
            yield "market.reserve-order.shallow"
        elif order > 0 and pool_stb >= RESERVE_DEEP * order:
            yield "market.reserve-order.deep"


# --- ACT-ALLOWED: what the text lets Stratoswap refuse ---------------------------------------------


def _reasons(*checks: tuple[str, bool]) -> list[str]:
    return [reason for reason, applies in checks if applies]


def _held(state: ChainState, account: AccountId, token: Token) -> int:
    held = balance(state.ledger, account)
    return held.ustr if token is Token.STR else held.ustb


def add_liquidity_allowed(state: ChainState, history: History, action: AddLiquidity) -> list[str]:
    """§6.6: a market maker may deposit both tokens it holds for at least one share."""
    pool_stb, pool_str = _reserves(state)
    total = state.pool.total
    ustb, ustr = action.ustb, action.ustr
    if ustb < 0 or ustr < 0:
        return ["an amount is negative"]
    if total == 0:
        minted, taken = math.isqrt(ustb * ustr), (ustb, ustr)
    elif pool_stb == 0 or pool_str == 0:
        return ["the pool has shares but lacks a side"]
    else:
        minted = min(ustb * total // pool_stb, ustr * total // pool_str)
        taken = (-(-minted * pool_stb // total), -(-minted * pool_str // total))
    return _reasons(
        ("the provider is not a user account", not is_user_account(action.provider)),
        ("the deposit earns no share", minted <= 0),
        (
            "the provider holds less STB than the deposit takes",
            _held(state, action.provider, STB) < taken[0],
        ),
        (
            "the provider holds less STR than the deposit takes",
            _held(state, action.provider, STR) < taken[1],
        ),
    )


def remove_liquidity_allowed(
    state: ChainState, history: History, action: RemoveLiquidity
) -> list[str]:
    """§6.6: a market maker may redeem any positive number of the shares it holds."""
    held = state.pool.shares.get(action.provider, 0)
    return _reasons(
        ("the provider is not a user account", not is_user_account(action.provider)),
        ("the shares are not positive", action.shares <= 0),
        ("the provider holds fewer shares", action.shares > held),
    )


def swap_allowed(state: ChainState, history: History, action: Swap) -> list[str]:
    """§6.6: a market order of tokens the trader holds fills whenever the pool has both sides
    and the curve pays at least one unit and at least the order's limit."""
    pool_stb, pool_str = _reserves(state)
    reserve_in, reserve_out = (
        (pool_stb, pool_str) if action.token_in is Token.STB else (pool_str, pool_stb)
    )
    out = curve_payout(reserve_in, reserve_out, action.amount_in, _fee(state))
    return _reasons(
        ("the trader is not a user account", not is_user_account(action.trader)),
        ("the pool lacks a side, so it has no price", pool_stb == 0 or pool_str == 0),
        ("the order sells nothing", action.amount_in <= 0),
        ("the curve pays nothing for it", out <= 0),
        ("the curve pays less than the limit", out < action.min_out),
        (
            "the trader holds less than it sells",
            _held(state, action.trader, action.token_in) < action.amount_in,
        ),
    )
