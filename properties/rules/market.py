"""Machine rules for Stratoswap (§6.6) and the swap reserve's market order on it (§6.7).

Providers add and remove liquidity, traders send market orders with their limit exactly met or
one unit above what the curve pays, and the reserve's order runs against pools a few times to
a thousand times deeper than itself, so the fee-and-impact bound of PAY-BURN-MARKET is
exercised where impact dominates and where the fee does.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from model.chain.actions import AddLiquidity, Prepay, RemoveLiquidity, RunRound, Swap, SwapReserve
from model.chain.state import APPS, get_developer
from model.ledger import STRATOSWAP_POOL, SWAP_RESERVE, Token
from model.trusted.behaviour import NodePlan
from model.units import MICRO
from oracle.ledger import ustb_of, ustr_of
from oracle.stratoswap import curve_payout
from properties.driver import ChainDriver, guarded
from properties.strategies import GOLDEN_COST, NODES, USERS, amounts, users

DEPTHS = (1, 10, 1_000)
"""Pool STB depth as a multiple of the reserve's order."""

SIZES: dict[str, int] = {"drawn": 0, "1%": 1, "10%": 10, "all": 100}
"""A market order's size: a drawn amount, or a percentage of the pool's side it sells."""


class MarketRules(ChainDriver):
    """Liquidity added and removed, market orders, and the reserve's order at chosen depths."""

    @rule(provider=users, ustb=amounts, ustr=amounts)
    @guarded
    def process_add_liquidity(self, *, provider: str, ustb: int, ustr: int) -> None:
        self.apply(AddLiquidity(provider, ustb, ustr))  # type: ignore[arg-type]

    @rule(provider=users, part=st.sampled_from(["all", "half", "one", "one-more", "every"]))
    @guarded
    def process_remove_liquidity(self, *, provider: str, part: str) -> None:
        """§6.6: all of a provider's shares, half, one, or one more than it holds; or ("every")
        every provider redeems all its shares in turn (a pool without providers first gets a
        deposit of one STB and one STR), so the last redemption empties the pool."""
        assert self.checked is not None
        if part == "every":
            if self.checked.state.pool.total == 0:
                self.apply(AddLiquidity(provider, MICRO, MICRO))  # type: ignore[arg-type]
            for holder, held in sorted(self.checked.state.pool.shares.items()):
                self.apply(RemoveLiquidity(holder, held))
            return
        held = self.checked.state.pool.shares.get(provider, 0)  # type: ignore[call-overload]
        shares = {"all": held, "half": held // 2, "one": 1, "one-more": held + 1}[part]
        self.apply(RemoveLiquidity(provider, shares))  # type: ignore[arg-type]

    @rule(
        trader=users,
        token_in=st.sampled_from(Token),
        size=st.sampled_from(tuple(SIZES)),
        amount=amounts,
    )
    @guarded
    def process_swap(self, *, trader: str, token_in: Token, size: str, amount: int) -> None:
        """§6.6: a market order of a drawn amount, or of a share of the pool's side it sells,
        first with its limit one above what the curve pays (refused), then exactly at it."""
        self._swap_at_its_limit(trader, token_in, amount if size == "drawn" else -SIZES[size])

    @precondition(lambda self: not self.is_sweep_example and "section-6.6-pool" not in self.swept)
    @rule()
    @guarded
    def process_pool_at_its_edges(self) -> None:
        """§6.6: once an example, the pool's edges without a draw of their own: a provider with
        tokens tops the pool up (or opens it), a trader sells 1% of the pool's STB side with
        its limit one above what the curve pays and then exactly at it, and every provider
        redeems all its shares in turn, which empties the pool."""
        assert self.checked is not None
        self.swept.add("section-6.6-pool")
        ledger = self.checked.state.ledger
        rich = [u for u in USERS if ustb_of(ledger, u) >= MICRO and ustr_of(ledger, u) >= MICRO]
        if not rich:
            return
        provider = rich[0]
        pool_ustb, pool_ustr = ustb_of(ledger, STRATOSWAP_POOL), ustr_of(ledger, STRATOSWAP_POOL)
        ustr = MICRO * pool_ustr // pool_ustb if pool_ustb > 0 and pool_ustr > 0 else MICRO
        self.apply(AddLiquidity(provider, MICRO, max(ustr, 1)))
        self._swap_at_its_limit(provider, Token.STB, -SIZES["1%"])
        for holder, held in sorted(self.checked.state.pool.shares.items()):
            self.apply(RemoveLiquidity(holder, held))

    def _swap_at_its_limit(self, trader: str, token_in: Token, amount: int) -> None:
        """A market order of `amount` (a negative amount: that percentage of the pool's side it
        sells), first with its limit one above what the curve pays, then exactly at it."""
        assert self.checked is not None
        state = self.checked.state
        pool_ustb, pool_ustr = (
            ustb_of(state.ledger, STRATOSWAP_POOL),
            ustr_of(state.ledger, STRATOSWAP_POOL),
        )
        reserve_in, reserve_out = (
            (pool_ustb, pool_ustr) if token_in is Token.STB else (pool_ustr, pool_ustb)
        )
        amount_in = amount if amount >= 0 else max(1, reserve_in * -amount // 100)
        fee = state.params.market.stratoswap_fee_bps
        out = (
            curve_payout(reserve_in, reserve_out, amount_in, fee)
            if pool_ustb > 0 and pool_ustr > 0 and amount_in > 0
            else 0
        )
        self.apply(Swap(trader, token_in, amount_in, out + 1))  # type: ignore[arg-type]
        self.apply(Swap(trader, token_in, amount_in, out))  # type: ignore[arg-type]

    @rule(provider=users, depth=st.sampled_from(DEPTHS))
    @guarded
    def process_swap_reserve_at_depth(self, *, provider: str, depth: int) -> None:
        """§6.7: the reserve's order against a pool `depth` times its STB deep: an honest $100
        round of four nodes fills an empty reserve (§6.3.1), and a provider tops the pool up at
        its ratio first, when it holds the tokens."""
        assert self.checked is not None
        if ustb_of(self.checked.state.ledger, SWAP_RESERVE) == 0:
            app = APPS[0]
            self.apply(Prepay(app, get_developer(app), 0, 0, Fraction(1)))
            self.apply(RunRound(app, tuple(NodePlan(node) for node in NODES), GOLDEN_COST))
        state = self.checked.state
        order = ustb_of(state.ledger, SWAP_RESERVE)
        pool_ustb = ustb_of(state.ledger, STRATOSWAP_POOL)
        pool_ustr = ustr_of(state.ledger, STRATOSWAP_POOL)
        missing = depth * order - pool_ustb
        if order and missing > 0:
            ustr = missing * pool_ustr // pool_ustb if pool_ustb > 0 and pool_ustr > 0 else missing
            self.apply(AddLiquidity(provider, missing, ustr))  # type: ignore[arg-type]
        self.apply(SwapReserve())
