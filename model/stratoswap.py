"""Stratoswap (§6.6) as a constant-product liquidity pool for the STR / STB pair.

§6.6 promises "an order book and liquidity pool" where "market makers may contribute STR or STB
to the liquidity pool, in exchange for fees from exchange commission", and §6.7's swap reserve
places "a market order for STR with STB" on it. The text gives no pricing rule; the model takes
the constant-product curve (Uniswap v2): the reserves are the pool account's ledger balances, a
trade keeps X * Y from falling, the commission stays in the pool for its providers, and every
division rounds in the pool's favour. Providers' claims are shares recorded in a `PoolBook`.
"""

from __future__ import annotations

import math

from attrs import field, frozen
from pyrsistent import PMap

from model import arith
from model.ledger import (
    STRATOSWAP_POOL,
    Ledger,
    Token,
    get_balance,
    process_transfer,
)
from model.maps import dmap
from model.records import evolve
from model.units import AccountId, Bps, Outcome, Rejected

GENESIS_PROVIDER = AccountId("stratoswap-genesis")
"""The account credited with the shares of the pool's genesis liquidity (§6.6: "the Stratosphere
Network will launch" the pool); a wallet like any other, which traces never draw."""


def _empty_shares() -> PMap[AccountId, int]:
    return dmap()


@frozen
class PoolBook:
    """§6.6: the liquidity providers' shares of the pool's reserves; `total` is their sum."""

    shares: PMap[AccountId, int] = field(factory=_empty_shares)
    total: int = 0


@frozen
class Reserves:
    """The pool's two reserves: its ledger balances of STB and STR."""

    ustb: int
    ustr: int

    def of(self, token: Token) -> int:
        """The reserve of `token`."""
        return self.ustr if token is Token.STR else self.ustb


def create_genesis_pool(ustb: int, ustr: int) -> PoolBook:
    """§6.6: the pool's book at genesis: its first shares, floor(sqrt(ustb * ustr)), held by
    `GENESIS_PROVIDER` (none when a side is empty)."""
    minted = compute_initial_shares(ustb, ustr)
    if minted == 0:
        return PoolBook()
    return PoolBook(shares=dmap({GENESIS_PROVIDER: minted}), total=minted)


def get_reserves(ledger: Ledger) -> Reserves:
    """§6.6: the pool's reserves are what the pool account holds."""
    held = get_balance(ledger, STRATOSWAP_POOL)
    return Reserves(ustb=held.ustb, ustr=held.ustr)


def get_other_token(token: Token) -> Token:
    """The other side of the STR / STB pair."""
    return Token.STB if token is Token.STR else Token.STR


def get_provider_shares(pool: PoolBook, provider: AccountId) -> int:
    """The shares `provider` holds (none if never seen)."""
    return pool.shares.get(provider, 0)


def is_pool_empty(reserves: Reserves) -> bool:
    """§6.6: a pool missing either side cannot quote a price, so it cannot trade."""
    return reserves.ustb == 0 or reserves.ustr == 0


def compute_swap_output(reserve_in: int, reserve_out: int, amount_in: int, fee_bps: Bps) -> int:
    """§6.6: what the pool pays for `amount_in` on the constant-product curve after its
    commission: floor(Y * a * (10^4 - f) / (X * 10^4 + a * (10^4 - f))); the fee stays in the
    pool, with its providers."""
    return arith.swap_output(arith.INTS, reserve_in, reserve_out, amount_in, fee_bps)


def compute_initial_shares(ustb: int, ustr: int) -> int:
    """§6.6: the shares of a pool's first deposit: floor(sqrt(ustb * ustr)), so a share measures
    liquidity whatever the price the first provider sets."""
    return math.isqrt(ustb * ustr)


def compute_minted_shares(pool: PoolBook, reserves: Reserves, ustb: int, ustr: int) -> int:
    """§6.6: the shares a deposit into a live pool earns: the lesser of its two sides' shares of
    the reserves, floor(min(ustb * S / X, ustr * S / Y)); a first deposit mints
    `compute_initial_shares`."""
    if pool.total == 0:
        return compute_initial_shares(ustb, ustr)
    return min(ustb * pool.total // reserves.ustb, ustr * pool.total // reserves.ustr)


def compute_deposit_taken(pool: PoolBook, reserves: Reserves, minted: int) -> Reserves:
    """§6.6: what a deposit minting `minted` shares of a live pool takes, at the pool's ratio and
    rounded up for the pool: ceil(minted * X / S) STB and ceil(minted * Y / S) STR."""
    return Reserves(
        ustb=-(-minted * reserves.ustb // pool.total),
        ustr=-(-minted * reserves.ustr // pool.total),
    )


def _move(
    ledger: Ledger, sender: AccountId, recipient: AccountId, token: Token, amount: int
) -> Outcome[Ledger]:
    return process_transfer(ledger, sender=sender, recipient=recipient, token=token, amount=amount)


def _credit_shares(pool: PoolBook, provider: AccountId, delta: int) -> PoolBook:
    held = get_provider_shares(pool, provider) + delta
    shares = pool.shares.set(provider, held) if held else pool.shares.discard(provider)
    return evolve(pool, shares=shares, total=pool.total + delta)


def process_add_liquidity(
    ledger: Ledger, pool: PoolBook, *, provider: AccountId, ustb: int, ustr: int
) -> Outcome[tuple[Ledger, PoolBook]]:
    """§6.6: a market maker contributes STB and STR to the pool for shares. The first deposit
    sets the price and mints floor(sqrt(ustb * ustr)) shares; later ones mint the lesser side's
    share of the reserves and take only what those shares are worth at the pool's ratio
    (rounded up), leaving the off-ratio excess with the provider."""
    rule = "process_add_liquidity"
    # Verify both amounts are non-negative.
    if ustb < 0 or ustr < 0:
        return Rejected(rule, f"deposit amounts must be non-negative, got {ustb} ustb, {ustr} ustr")
    reserves = get_reserves(ledger)
    # Verify a live pool still has both sides (it always does: nothing takes a side to zero).
    if pool.total > 0 and is_pool_empty(reserves):
        return Rejected(rule, f"{STRATOSWAP_POOL} has shares but lacks a side: {reserves}")
    minted = compute_minted_shares(pool, reserves, ustb, ustr)
    # Verify the deposit earns at least one share.
    if minted <= 0:
        return Rejected(rule, f"{ustb} ustb and {ustr} ustr earn no share of the pool")
    taken = (
        Reserves(ustb=ustb, ustr=ustr)
        if pool.total == 0
        else compute_deposit_taken(pool, reserves, minted)
    )
    for token in (Token.STB, Token.STR):
        moved = _move(ledger, provider, STRATOSWAP_POOL, token, taken.of(token))
        if isinstance(moved, Rejected):
            return Rejected(rule, str(moved))
        ledger = moved
    return ledger, _credit_shares(pool, provider, minted)


def process_remove_liquidity(
    ledger: Ledger, pool: PoolBook, *, provider: AccountId, shares: int
) -> Outcome[tuple[Ledger, PoolBook]]:
    """§6.6: a market maker redeems `shares` for its pro-rata part of each reserve, each rounded
    down (the dust stays in the pool); redeeming every share empties the pool."""
    rule = "process_remove_liquidity"
    # Verify a positive number of shares is redeemed.
    if shares <= 0:
        return Rejected(rule, f"shares to redeem must be positive, got {shares}")
    # Verify the provider holds the shares.
    held = get_provider_shares(pool, provider)
    if held < shares:
        return Rejected(rule, f"{provider} holds {held} shares, cannot redeem {shares}")
    reserves = get_reserves(ledger)
    for token in (Token.STB, Token.STR):
        paid = shares * reserves.of(token) // pool.total
        moved = _move(ledger, STRATOSWAP_POOL, provider, token, paid)
        if isinstance(moved, Rejected):
            return Rejected(rule, str(moved))
        ledger = moved
    return ledger, _credit_shares(pool, provider, -shares)


def get_swap_refusal(
    rule: str, reserves: Reserves, token_in: Token, *, amount_in: int, out: int, min_out: int
) -> Rejected | None:
    """§6.6, §6.7: why a market order of `amount_in` paying `out` cannot execute, or None."""
    # Verify the pool has both sides, so it has a price.
    if is_pool_empty(reserves):
        return Rejected(rule, f"{STRATOSWAP_POOL} is empty: {reserves}")
    # Verify the order sells a positive amount.
    if amount_in <= 0:
        return Rejected(rule, f"the order must sell a positive amount, got {amount_in}")
    # Verify the order buys something.
    if out <= 0:
        return Rejected(
            rule, f"{amount_in} u{token_in.value} buys nothing from reserves {reserves}"
        )
    # Verify the slippage limit is met.
    if out < min_out:
        return Rejected(rule, f"the order pays {out}, less than its limit {min_out}")
    return None


def process_swap(
    ledger: Ledger,
    *,
    trader: AccountId,
    token_in: Token,
    amount_in: int,
    min_out: int,
    fee_bps: Bps,
) -> Outcome[Ledger]:
    """§6.6: a market order: `trader` sells `amount_in` of `token_in` to the pool at the
    constant-product price after the commission, and is refused when it would receive nothing,
    less than `min_out`, or the pool is empty."""
    rule = "process_swap"
    reserves = get_reserves(ledger)
    token_out = get_other_token(token_in)
    out = (
        compute_swap_output(reserves.of(token_in), reserves.of(token_out), amount_in, fee_bps)
        if not is_pool_empty(reserves) and amount_in > 0
        else 0
    )
    if (
        refused := get_swap_refusal(
            rule, reserves, token_in, amount_in=amount_in, out=out, min_out=min_out
        )
    ) is not None:
        return refused
    moved = _move(ledger, trader, STRATOSWAP_POOL, token_in, amount_in)
    if isinstance(moved, Rejected):
        return Rejected(rule, str(moved))
    paid = _move(moved, STRATOSWAP_POOL, trader, token_out, out)
    return Rejected(rule, str(paid)) if isinstance(paid, Rejected) else paid
