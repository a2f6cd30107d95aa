"""Tests of model.stratoswap: the constant-product curve, liquidity and market orders (§6.6)."""

from __future__ import annotations

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import is_stb_conserved, is_str_conserved

from model.chain.actions import AddLiquidity, RemoveLiquidity, Swap, SwapReserve
from model.chain.state import ChainState, Genesis, create_chain, get_user
from model.chain.transitions import process_action
from model.ledger import STRATOSWAP_POOL, SWAP_RESERVE, Ledger, Token, create_genesis, get_balance
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from model.stratoswap import (
    GENESIS_PROVIDER,
    PoolBook,
    compute_swap_output,
    get_reserves,
    process_add_liquidity,
    process_remove_liquidity,
    process_swap,
)
from model.units import AccountId, Rejected

ALICE = AccountId("alice")
BOB = AccountId("bob")
FEE = 30


def make_ledger(*, pool_ustb: int = 0, pool_ustr: int = 0, held: int = 10**15) -> Ledger:
    ledger = create_genesis(
        {ALICE: held, BOB: held, STRATOSWAP_POOL: pool_ustr},
        stb_deposits={ALICE: held, BOB: held, STRATOSWAP_POOL: pool_ustb},
    )
    assert isinstance(ledger, Ledger)
    return ledger


def seeded(ustb: int, ustr: int) -> tuple[Ledger, PoolBook]:
    """A pool whose first provider, alice, deposited `ustb` and `ustr`."""
    result = process_add_liquidity(make_ledger(), PoolBook(), provider=ALICE, ustb=ustb, ustr=ustr)
    assert not isinstance(result, Rejected)
    return result


# --- compute_swap_output ---------------------------------------------------------------------------


def test_swap_output__doubling_one_side_halves_the_other() -> None:
    """With no fee, selling as much as the pool holds takes half the other side (X * Y kept)."""
    assert compute_swap_output(1_000, 1_000, 1_000, 0) == 500


def test_swap_output__fee_lowers_the_payout() -> None:
    # 1000 * 997 / (1000 + 997) = 499.24...
    assert compute_swap_output(1_000, 1_000, 1_000, 30) == 499


@given(
    x=st.integers(1, 10**15),
    y=st.integers(1, 10**15),
    a=st.integers(0, 10**15),
    fee=st.integers(0, 1_000),
)
@settings(max_examples=300, deadline=None)
def test_swap_output__keeps_the_product_and_is_the_most_that_does(
    x: int, y: int, a: int, fee: int
) -> None:
    """§6.6: (X * 10^4 + a(10^4 - f)) * (Y - out) >= X * Y * 10^4, and out + 1 breaks it."""
    out = compute_swap_output(x, y, a, fee)
    grown = x * 10_000 + a * (10_000 - fee)
    assert 0 <= out < y
    assert grown * (y - out) >= x * y * 10_000
    assert grown * (y - out - 1) < x * y * 10_000


# --- process_add_liquidity -------------------------------------------------------------------------


def test_add_liquidity__first_deposit_mints_the_geometric_mean() -> None:
    ledger, pool = seeded(4_000, 9_000)
    assert pool.total == 6_000 and pool.shares[ALICE] == 6_000
    assert get_reserves(ledger).ustb == 4_000 and get_reserves(ledger).ustr == 9_000
    assert is_str_conserved(ledger) and is_stb_conserved(ledger)


def test_add_liquidity__later_deposit_takes_only_the_ratio() -> None:
    """Off-ratio, the lesser side sets the shares and the excess stays with the provider."""
    ledger, pool = seeded(1_000, 2_000)
    result = process_add_liquidity(ledger, pool, provider=BOB, ustb=500, ustr=5_000)
    assert not isinstance(result, Rejected)
    after, book = result
    # 500 ustb is a half of X: half of S (= isqrt(2 * 10^6) = 1414) rounded down.
    assert book.shares[BOB] == 707
    # 707 shares are worth ceil(707 * 1000 / 1414) ustb and ceil(707 * 2000 / 1414) ustr.
    assert get_reserves(after).ustb == 1_000 + 500
    assert get_reserves(after).ustr == 2_000 + 1_000
    assert book.total == pool.total + 707


def test_invalid_add_liquidity__earns_no_share() -> None:
    ledger, pool = seeded(10**9, 10**9)
    refused = process_add_liquidity(ledger, pool, provider=BOB, ustb=0, ustr=10**6)
    assert isinstance(refused, Rejected) and refused.rule == "process_add_liquidity"


def test_invalid_add_liquidity__more_than_held() -> None:
    refused = process_add_liquidity(
        make_ledger(held=10), PoolBook(), provider=ALICE, ustb=100, ustr=100
    )
    assert isinstance(refused, Rejected)


# --- process_remove_liquidity ----------------------------------------------------------------------


def test_remove_liquidity__all_shares_empty_the_pool() -> None:
    ledger, pool = seeded(4_000, 9_000)
    result = process_remove_liquidity(ledger, pool, provider=ALICE, shares=6_000)
    assert not isinstance(result, Rejected)
    after, book = result
    assert book == PoolBook()
    assert get_balance(after, STRATOSWAP_POOL).ustb == 0
    assert get_balance(after, STRATOSWAP_POOL).ustr == 0


def test_remove_liquidity__floors_leave_dust_in_the_pool() -> None:
    ledger, pool = seeded(1_000, 2_000)
    result = process_remove_liquidity(ledger, pool, provider=ALICE, shares=1)
    assert not isinstance(result, Rejected)
    after, book = result
    # One of 1414 shares: floor(1000 / 1414) = 0 ustb, floor(2000 / 1414) = 1 ustr.
    assert get_reserves(after).ustb == 1_000 and get_reserves(after).ustr == 1_999
    assert book.total == 1_413


def test_invalid_remove_liquidity__more_than_held() -> None:
    ledger, pool = seeded(1_000, 2_000)
    refused = process_remove_liquidity(ledger, pool, provider=BOB, shares=1)
    assert isinstance(refused, Rejected) and refused.rule == "process_remove_liquidity"


# --- process_swap ----------------------------------------------------------------------------------


def run_swap(ledger: Ledger, amount_in: int, min_out: int) -> Ledger | Rejected:
    return process_swap(
        ledger, trader=BOB, token_in=Token.STB, amount_in=amount_in, min_out=min_out, fee_bps=FEE
    )


def test_swap__limit_exactly_met() -> None:
    ledger = make_ledger(pool_ustb=1_000, pool_ustr=1_000)
    after = run_swap(ledger, 1_000, 499)
    assert isinstance(after, Ledger)
    assert get_balance(after, BOB).ustr == get_balance(ledger, BOB).ustr + 499
    assert get_reserves(after).ustb == 2_000 and get_reserves(after).ustr == 501


def test_invalid_swap__limit_one_above() -> None:
    refused = run_swap(make_ledger(pool_ustb=1_000, pool_ustr=1_000), 1_000, 500)
    assert isinstance(refused, Rejected) and refused.rule == "process_swap"


def test_invalid_swap__empty_pool() -> None:
    refused = run_swap(make_ledger(pool_ustb=0, pool_ustr=1_000), 1_000, 0)
    assert isinstance(refused, Rejected)


def test_invalid_swap__buys_nothing() -> None:
    refused = run_swap(make_ledger(pool_ustb=10**9, pool_ustr=10), 1, 0)
    assert isinstance(refused, Rejected)


# --- The chain: genesis and the actions ------------------------------------------------------------

GENESIS = Genesis(
    user_ustr=(10**12, 10**12, 10**12),
    user_ustb=(10**12, 10**12, 10**12),
    validator_bonds=(10**9,),
    node_stakes=(10**6,),
    stratoswap_ustr=4 * 10**12,
    stratoswap_ustb=10**12,
)


def make_chain(genesis: Genesis = GENESIS) -> ChainState:
    chain = create_chain(genesis, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert isinstance(chain, ChainState)
    return chain


def test_genesis__credits_the_pool_and_its_shares() -> None:
    chain = make_chain()
    assert get_reserves(chain.ledger).ustb == 10**12
    assert chain.pool.shares == {GENESIS_PROVIDER: 2 * 10**12}
    assert chain.ledger.usdc_locked == 4 * 10**12


def test_genesis__one_sided_pool_has_no_shares() -> None:
    chain = make_chain(attrs.evolve(GENESIS, stratoswap_ustb=0))
    assert chain.pool == PoolBook()


def test_chain__add_swap_remove() -> None:
    user = get_user(0)
    chain = make_chain()
    step = process_action(chain, AddLiquidity(user, 10**9, 4 * 10**9))
    assert not isinstance(step, Rejected)
    chain = step[0]
    assert chain.pool.shares[user] == 2 * 10**9
    step = process_action(chain, Swap(get_user(1), Token.STR, 10**6, 1))
    assert not isinstance(step, Rejected)
    step = process_action(step[0], RemoveLiquidity(user, 2 * 10**9))
    assert not isinstance(step, Rejected)
    assert user not in step[0].pool.shares


def test_invalid_chain__module_cannot_add_liquidity() -> None:
    refused = process_action(make_chain(), AddLiquidity(SWAP_RESERVE, 1, 1))
    assert isinstance(refused, Rejected)


def test_chain__swap_reserve_with_nothing_to_sell_is_unchanged() -> None:
    chain = make_chain()
    step = process_action(chain, SwapReserve())
    assert not isinstance(step, Rejected)
    assert step[0].ledger == chain.ledger
