"""Tests of model.payment: the §6.3 split, its dust, its STR payout and where the parts go."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import (
    compute_total_burn_usd,
    has_no_negative_balance,
    is_split_exact,
    is_split_nonnegative,
    is_stb_conserved,
    is_str_conserved,
    str_withdrawn_usd,
)

from model.coherence import check_coherence
from model.ledger import (
    BURN_ADDRESS,
    NETWORK_SUPPORT,
    STRATOSWAP_POOL,
    SWAP_RESERVE,
    Ledger,
    create_genesis,
    get_balance,
    get_escrow_account,
    is_user_account,
)
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.payment import (
    SupportPurpose,
    compute_payment_split,
    compute_str_payout,
    get_str_payout,
    process_network_support_grant,
    process_payment_split,
    process_swap_reserve,
)
from model.units import AccountId, AppId, Rejected, StrPrice, usd_to_ustr
from reports.plots import compute_burn_share_bps

SOURCE = AccountId("payer")
NODE = AccountId("node-1")
DOLLARS_100 = 100_000_000
HALF_DOLLAR = Fraction(1, 2)


def make_ledger(ustr: int, ustb: int, *, holder: AccountId = SOURCE) -> Ledger:
    ledger = create_genesis({holder: ustr}, stb_deposits={holder: ustb})
    assert isinstance(ledger, Ledger)
    return ledger


def incoherent(**values: int) -> Params:
    params = with_values(WHITEPAPER_PARAMS, {("payment", k): v for k, v in values.items()})
    assert check_coherence(params)
    return params


def run_process_payment_split(
    ledger: Ledger,
    *,
    cost: int,
    params: Params = WHITEPAPER_PARAMS,
    price: StrPrice | None = HALF_DOLLAR,
    node: AccountId = NODE,
    valid: bool = True,
) -> Ledger | Rejected:
    split = compute_payment_split(cost, params)
    result = process_payment_split(
        ledger, source=SOURCE, node_account=node, split=split, price=price
    )
    if not valid:
        assert isinstance(result, Rejected)
        assert result.rule == "process_payment_split"
        return result
    assert isinstance(result, Ledger)
    payout = get_str_payout(split, price, rule="test")
    assert not isinstance(payout, Rejected)
    before, after = get_balance(ledger, SOURCE), get_balance(result, SOURCE)
    assert before.ustb - after.ustb == split.stb_withdrawn
    assert before.ustr - after.ustr == payout.total_ustr
    assert get_balance(result, NODE).ustb - get_balance(ledger, NODE).ustb == split.node_stb
    assert get_balance(result, NODE).ustr - get_balance(ledger, NODE).ustr == payout.node_ustr
    assert result.str_burned - ledger.str_burned == payout.burn_ustr
    assert is_str_conserved(result) and is_stb_conserved(result)
    assert has_no_negative_balance(result)
    return result


# --- compute_payment_split ----------------------------------------------------------------------


def test_golden_vector__split() -> None:
    """PAY-VECTOR (§6.3.3): $100 of cost withdraws 120 STB and $80 of STR, split as the text says."""
    split = compute_payment_split(DOLLARS_100, WHITEPAPER_PARAMS)
    assert split.total == 200_000_000
    assert split.stb_withdrawn == 120_000_000
    assert split.stb_cost_basis == 100_000_000
    assert split.stb_node_profit == 10_000_000
    assert split.node_stb == 110_000_000
    assert split.stb_swap_reserve == 10_000_000
    assert str_withdrawn_usd(split) == 80_000_000
    assert split.str_node_profit_usd == 40_000_000
    assert split.str_network_support_usd == 20_000_000
    assert split.str_burn_usd == 20_000_000
    assert is_split_nonnegative(split) and is_split_exact(split)


def test_golden_vector__str_payout_at_half_dollar() -> None:
    """At $0.50 per STR, $80 of STR is 160 STR: node 80, network support 40, burn 40."""
    split = compute_payment_split(DOLLARS_100, WHITEPAPER_PARAMS)
    payout = compute_str_payout(split, HALF_DOLLAR)
    assert payout.total_ustr == 160_000_000
    assert payout.node_ustr == 80_000_000
    assert payout.network_ustr == 40_000_000
    assert payout.burn_ustr == 40_000_000


def test_golden_vector__burn_share() -> None:
    """PAY-BURN (§6.4): 15% of total spend is burned: $20 of STR plus the $10 swap reserve."""
    assert compute_burn_share_bps(WHITEPAPER_PARAMS) == 1_500
    split = compute_payment_split(DOLLARS_100, WHITEPAPER_PARAMS)
    assert compute_total_burn_usd(split) == 30_000_000
    assert compute_total_burn_usd(split) * 10_000 == 1_500 * split.total


def test_zero_cost() -> None:
    split = compute_payment_split(0, WHITEPAPER_PARAMS)
    assert split.parts() == (0, 0, 0, 0, 0, 0)
    assert split.total == 0


def test_odd_costs__dust() -> None:
    """Odd costs: parts sum to T exactly, none negative, the node gets at least C in STB."""
    for cost in (1, 3, 7, 19, 10**30 + 7):
        split = compute_payment_split(cost, WHITEPAPER_PARAMS)
        assert split.total == 2 * cost
        assert sum(split.parts()) == split.total
        assert is_split_nonnegative(split)
        assert split.node_stb >= cost


def test_one_micro_unit() -> None:
    """C = 1: T = 2, both margins (0.2 and 0.8) floor to 0, so the cost basis is all of T."""
    split = compute_payment_split(1, WHITEPAPER_PARAMS)
    assert split.parts() == (2, 0, 0, 0, 0, 0)


def test_payment_rate__floor_of_t() -> None:
    """A rate that is not a whole multiple floors T; the fraction of a micro-unit is not withdrawn."""
    params = with_values(WHITEPAPER_PARAMS, {("payment", "payment_rate_bps"): 15_000})
    split = compute_payment_split(3, params)
    assert split.total == 4
    assert sum(split.parts()) == 4


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**128))
def test_whitepaper_params__split_is_exact_and_nonnegative(cost: int) -> None:
    """CONS-SPLIT and PAY-COST for every cost at the whitepaper's parameters."""
    split = compute_payment_split(cost, WHITEPAPER_PARAMS)
    assert is_split_exact(split)
    assert is_split_nonnegative(split)
    assert split.node_stb >= cost


# Payment rates for which the cost basis rest = 10**8 / rate is a whole number of bps.
_COHERENT_RATES = (10_000, 12_500, 16_000, 20_000, 25_000, 40_000, 50_000, 100_000)


@st.composite
def coherent_payment_params(draw: st.DrawFn) -> Params:
    rate = draw(st.sampled_from(_COHERENT_RATES))
    margins = 10_000 - 100_000_000 // rate
    stb_margin = draw(st.integers(0, margins))
    str_margin = margins - stb_margin
    stb_node = draw(st.integers(0, stb_margin))
    str_burn = draw(st.integers(0, str_margin))
    str_network = draw(st.integers(0, str_margin - str_burn))
    values = {
        "payment_rate_bps": rate,
        "stb_profit_margin_bps": stb_margin,
        "stb_node_profit_bps": stb_node,
        "stb_reserve_swap_bps": stb_margin - stb_node,
        "str_profit_margin_bps": str_margin,
        "str_node_profit_bps": str_margin - str_burn - str_network,
        "str_burn_bps": str_burn,
        "str_network_support_bps": str_network,
    }
    params = with_values(WHITEPAPER_PARAMS, {("payment", k): v for k, v in values.items()})
    assert not check_coherence(params)
    return params


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**128), coherent_payment_params())
def test_coherent_params__split_is_exact_and_pays_cost(cost: int, params: Params) -> None:
    """CONS-SPLIT and PAY-COST for every coherent parameter set, not only the defaults."""
    split = compute_payment_split(cost, params)
    assert is_split_exact(split)
    assert is_split_nonnegative(split)
    assert split.node_stb >= cost


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=-(2**64), max_value=2**64),
    st.integers(0, 1_000_000),
    st.lists(st.integers(0, 10_000), min_size=6, max_size=6),
)
def test_any_params__parts_sum_to_total(cost: int, rate: int, shares: list[int]) -> None:
    """Whatever the parameters (coherent or not) and the cost, the parts sum to T: never raises."""
    keys = (
        "stb_profit_margin_bps",
        "stb_reserve_swap_bps",
        "str_profit_margin_bps",
        "str_burn_bps",
        "str_network_support_bps",
        "stb_node_profit_bps",
    )
    values = {("payment", key): value for key, value in zip(keys, shares, strict=True)}
    values[("payment", "payment_rate_bps")] = rate
    split = compute_payment_split(cost, with_values(WHITEPAPER_PARAMS, values))
    assert is_split_exact(split)


def test_incoherent_params__negative_stb_node_profit() -> None:
    """A swap-reserve share above the STB margin leaves the node a negative STB profit."""
    split = compute_payment_split(DOLLARS_100, incoherent(stb_reserve_swap_bps=1_200))
    assert split.stb_node_profit == -4_000_000
    assert not is_split_nonnegative(split)
    assert is_split_exact(split)


def test_incoherent_params__negative_str_node_profit() -> None:
    split = compute_payment_split(DOLLARS_100, incoherent(str_burn_bps=4_000))
    assert split.str_node_profit_usd == -20_000_000
    assert is_split_exact(split)


def test_node_profit_bps_only_enter_through_coherence() -> None:
    """The node's sub-shares are not read: the node gets what the other sub-shares leave."""
    params = incoherent(stb_node_profit_bps=0, str_node_profit_bps=0)
    assert compute_payment_split(DOLLARS_100, params) == compute_payment_split(
        DOLLARS_100, WHITEPAPER_PARAMS
    )


# --- compute_str_payout -------------------------------------------------------------------------


def test_str_payout__node_absorbs_conversion_dust() -> None:
    """At $3 per STR, $80.000001 does not divide: burn and network floor, the node gets the rest."""
    split = compute_payment_split(DOLLARS_100 + 7, WHITEPAPER_PARAMS)
    price = Fraction(3)
    payout = compute_str_payout(split, price)
    assert payout.total_ustr == usd_to_ustr(str_withdrawn_usd(split), price)
    assert payout.burn_ustr == split.str_burn_usd // 3
    assert payout.network_ustr == split.str_network_support_usd // 3
    assert payout.node_ustr == payout.total_ustr - payout.burn_ustr - payout.network_ustr
    assert payout.node_ustr >= usd_to_ustr(split.str_node_profit_usd, price)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**96),
    st.fractions(min_value=Fraction(1, 10**9), max_value=10**6),
)
def test_str_payout__parts_sum_and_nonnegative(cost: int, price: Fraction) -> None:
    payout = compute_str_payout(compute_payment_split(cost, WHITEPAPER_PARAMS), price)
    parts = (payout.node_ustr, payout.burn_ustr, payout.network_ustr)
    assert sum(parts) == payout.total_ustr
    assert min(parts) >= 0


def test_get_str_payout__no_price_needed_without_str() -> None:
    split = compute_payment_split(0, WHITEPAPER_PARAMS)
    payout = get_str_payout(split, None, rule="r")
    assert not isinstance(payout, Rejected)
    assert payout.total_ustr == 0


def test_invalid_get_str_payout__no_price() -> None:
    split = compute_payment_split(DOLLARS_100, WHITEPAPER_PARAMS)
    for price in (None, Fraction(0), Fraction(-1, 2)):
        refused = get_str_payout(split, price, rule="r")
        assert isinstance(refused, Rejected)
        assert refused.rule == "r"


# --- process_payment_split ----------------------------------------------------------------------


def test_basic() -> None:
    """The golden vector end to end: every account's balance after one payment."""
    ledger = make_ledger(ustr=500_000_000, ustb=300_000_000)
    result = run_process_payment_split(ledger, cost=DOLLARS_100)
    assert isinstance(result, Ledger)
    assert get_balance(result, NODE).ustb == 110_000_000
    assert get_balance(result, NODE).ustr == 80_000_000
    assert get_balance(result, SWAP_RESERVE).ustb == 10_000_000
    assert get_balance(result, NETWORK_SUPPORT).ustr == 40_000_000
    assert get_balance(result, BURN_ADDRESS).ustr == 40_000_000
    assert result.str_burned == 40_000_000
    assert get_balance(result, SOURCE).ustb == 180_000_000
    assert get_balance(result, SOURCE).ustr == 340_000_000


def test_exact_funds() -> None:
    ledger = make_ledger(ustr=160_000_000, ustb=120_000_000)
    result = run_process_payment_split(ledger, cost=DOLLARS_100)
    assert isinstance(result, Ledger)
    assert get_balance(result, SOURCE).ustr == 0 and get_balance(result, SOURCE).ustb == 0


def test_odd_costs__payment() -> None:
    ledger = make_ledger(ustr=10**40, ustb=10**40)
    for cost in (1, 3, 7, 19, 10**30 + 7):
        result = run_process_payment_split(ledger, cost=cost, price=Fraction(7, 3))
        assert isinstance(result, Ledger)
        assert get_balance(result, NODE).ustb >= cost


def test_zero_cost__no_price_needed() -> None:
    ledger = make_ledger(ustr=0, ustb=0)
    result = run_process_payment_split(ledger, cost=0, price=None)
    assert result == ledger


def test_invalid_incoherent_params__nothing_moves() -> None:
    """An incoherent split has a negative part; the payment is refused and no balance changes."""
    ledger = make_ledger(ustr=10**12, ustb=10**12)
    snapshot = ledger
    refused = run_process_payment_split(
        ledger, cost=DOLLARS_100, params=incoherent(stb_reserve_swap_bps=1_200), valid=False
    )
    assert isinstance(refused, Rejected)
    assert "stb_node_profit" in refused.reason
    assert ledger == snapshot


def test_invalid_no_price() -> None:
    ledger = make_ledger(ustr=10**12, ustb=10**12)
    refused = run_process_payment_split(ledger, cost=DOLLARS_100, price=None, valid=False)
    assert isinstance(refused, Rejected)
    assert "price" in refused.reason


def test_invalid_zero_price() -> None:
    ledger = make_ledger(ustr=10**12, ustb=10**12)
    run_process_payment_split(ledger, cost=DOLLARS_100, price=Fraction(0), valid=False)


def test_invalid_source_lacks_stb() -> None:
    ledger = make_ledger(ustr=10**12, ustb=120_000_000 - 1)
    refused = run_process_payment_split(ledger, cost=DOLLARS_100, valid=False)
    assert isinstance(refused, Rejected)
    assert "119999999 ustb" in refused.reason


def test_invalid_source_lacks_str() -> None:
    ledger = make_ledger(ustr=160_000_000 - 1, ustb=10**12)
    run_process_payment_split(ledger, cost=DOLLARS_100, valid=False)


def test_invalid_node_is_module_or_escrow_account() -> None:
    ledger = make_ledger(ustr=10**12, ustb=10**12)
    for node in (BURN_ADDRESS, NETWORK_SUPPORT, get_escrow_account(AppId("other"))):
        assert not is_user_account(node)
        run_process_payment_split(ledger, cost=DOLLARS_100, node=node, valid=False)


# --- process_swap_reserve -----------------------------------------------------------------------


def make_swap_ledger(*, reserve_ustb: int, pool_ustb: int, pool_ustr: int) -> Ledger:
    ledger = create_genesis(
        {STRATOSWAP_POOL: pool_ustr},
        stb_deposits={SWAP_RESERVE: reserve_ustb, STRATOSWAP_POOL: pool_ustb},
    )
    assert isinstance(ledger, Ledger)
    return ledger


def test_swap_reserve__basic() -> None:
    """§6.6, §6.7: with no fee, 100 ustb into a 100/100 pool doubles its STB, so the pool pays
    half its STR (50 ustr) and keeps X * Y; those 50 ustr are burned."""
    ledger = make_swap_ledger(reserve_ustb=100, pool_ustb=100, pool_ustr=100)
    result = process_swap_reserve(ledger, fee_bps=0)
    assert isinstance(result, Ledger)
    assert get_balance(result, SWAP_RESERVE) == get_balance(Ledger(), SWAP_RESERVE)
    assert get_balance(result, STRATOSWAP_POOL).ustb == 200
    assert get_balance(result, STRATOSWAP_POOL).ustr == 50
    assert result.str_burned == 50
    assert is_str_conserved(result) and is_stb_conserved(result)


def test_swap_reserve__fee_stays_in_the_pool() -> None:
    """§6.6: a fee lowers what the reserve gets, so the pool's product grows."""
    ledger = make_swap_ledger(reserve_ustb=100, pool_ustb=100, pool_ustr=100)
    result = process_swap_reserve(ledger, fee_bps=30)
    assert isinstance(result, Ledger)
    # 100 * 99.7 / (100 + 99.7) = 49.92..., floored.
    assert result.str_burned == 49
    pool = get_balance(result, STRATOSWAP_POOL)
    assert pool.ustb * pool.ustr > 100 * 100


def test_swap_reserve__empty_reserve_is_unchanged() -> None:
    ledger = make_swap_ledger(reserve_ustb=0, pool_ustb=0, pool_ustr=0)
    assert process_swap_reserve(ledger, fee_bps=30) == ledger


def test_invalid_swap_reserve__pool_without_stb() -> None:
    ledger = make_swap_ledger(reserve_ustb=10_000_000, pool_ustb=0, pool_ustr=20_000_000)
    refused = process_swap_reserve(ledger, fee_bps=30)
    assert isinstance(refused, Rejected) and refused.rule == "process_swap_reserve"


def test_invalid_swap_reserve__buys_nothing() -> None:
    """One ustb against a pool where a ustr costs a million ustb buys nothing: refused."""
    ledger = make_swap_ledger(reserve_ustb=1, pool_ustb=10**12, pool_ustr=10**6)
    refused = process_swap_reserve(ledger, fee_bps=0)
    assert isinstance(refused, Rejected) and refused.rule == "process_swap_reserve"


def test_payment_then_swap__total_burn_falls_short_of_15_percent() -> None:
    """PAY-BURN, PAY-BURN-MARKET end to end: at $0.50 per STR, the payment burns $20 of STR
    and the reserve's $10 buys STR on the pool; the total reaches §6.4's $30 (15% of $200)
    only up to the fee and the price impact."""
    pool_ustb = 10**12
    ledger = create_genesis(
        {SOURCE: 10**12, STRATOSWAP_POOL: 2 * pool_ustb},
        stb_deposits={SOURCE: 10**12, STRATOSWAP_POOL: pool_ustb},
    )
    assert isinstance(ledger, Ledger)
    paid = run_process_payment_split(ledger, cost=DOLLARS_100)
    assert isinstance(paid, Ledger)
    fee = WHITEPAPER_PARAMS.market.stratoswap_fee_bps
    swapped = process_swap_reserve(paid, fee_bps=fee)
    assert isinstance(swapped, Ledger)
    burned_usd = swapped.str_burned * HALF_DOLLAR
    target = Fraction(compute_burn_share_bps(WHITEPAPER_PARAMS) * 200_000_000, 10_000)
    assert target == 30_000_000
    order = 10_000_000
    # Short by the fee and the impact on $10, plus one ustr ($0.50 micro-dollars) of rounding.
    bound = order * Fraction(fee, 10_000) + Fraction(order * order, pool_ustb) + HALF_DOLLAR
    assert 0 < target - burned_usd <= bound


# --- process_network_support_grant --------------------------------------------------------------


def test_network_support_grant__basic() -> None:
    ledger = make_ledger(ustr=1_000, ustb=0, holder=NETWORK_SUPPORT)
    for purpose in SupportPurpose:
        result = process_network_support_grant(
            ledger, recipient=AccountId("dev"), amount=400, purpose=purpose
        )
        assert isinstance(result, Ledger)
        assert get_balance(result, AccountId("dev")).ustr == 400
        assert get_balance(result, NETWORK_SUPPORT).ustr == 600
        assert is_str_conserved(result)


def test_invalid_network_support_grant__insufficient() -> None:
    ledger = make_ledger(ustr=1_000, ustb=0, holder=NETWORK_SUPPORT)
    refused = process_network_support_grant(
        ledger, recipient=AccountId("dev"), amount=1_001, purpose=SupportPurpose.BUG_BOUNTY
    )
    assert isinstance(refused, Rejected) and "bug-bounty" in refused.reason


def test_invalid_network_support_grant__negative_amount() -> None:
    ledger = make_ledger(ustr=1_000, ustb=0, holder=NETWORK_SUPPORT)
    refused = process_network_support_grant(
        ledger, recipient=AccountId("dev"), amount=-1, purpose=SupportPurpose.APP_MINING
    )
    assert isinstance(refused, Rejected) and refused.rule == "process_network_support_grant"


def test_invalid_network_support_grant__purpose() -> None:
    ledger = make_ledger(ustr=1_000, ustb=0, holder=NETWORK_SUPPORT)
    refused = process_network_support_grant(
        ledger,
        recipient=AccountId("dev"),
        amount=1,
        purpose="marketing",  # type: ignore[arg-type]
    )
    assert isinstance(refused, Rejected) and "marketing" in refused.reason
