"""Tests for model/supply.py: the STB bridge (§6.1), STR inflation (§6.9), supply accounting."""

from __future__ import annotations

import itertools

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import (
    compute_supply_summary,
    is_inflation_schedule_sound,
    is_stb_conserved,
    is_str_conserved,
)

from model.ledger import (
    BURN_ADDRESS,
    REWARDS_POOL,
    Ledger,
    create_genesis,
    get_balance,
    process_burn,
)
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.supply import (
    SupplyState,
    compute_age_doublings,
    compute_inflation_rate_bps,
    create_supply_state,
    process_inflation_mint,
    process_stb_redeem,
    process_usdc_deposit,
)
from model.units import SECONDS_PER_YEAR, AccountId, Rejected

ALICE = AccountId("alice")
BOB = AccountId("bob")
GENESIS_TIME = 1_000
SUPPLY = 1_000_000_000_000


def genesis(str_supply: int = SUPPLY) -> Ledger:
    ledger = create_genesis({ALICE: str_supply})
    assert not isinstance(ledger, Rejected), ledger
    return ledger


def mint_params(initial: int, step: int, minimum: int) -> Params:
    return with_values(
        WHITEPAPER_PARAMS,
        {
            ("mint", "inflation_initial_bps"): initial,
            ("mint", "inflation_step_bps"): step,
            ("mint", "inflation_min_bps"): minimum,
        },
    )


# --- §6.1 bridge --------------------------------------------------------------------------------


def run_usdc_deposit(
    ledger: Ledger, supply: SupplyState, *, deposit_id: str, recipient: AccountId, amount: int
) -> tuple[Ledger, SupplyState]:
    result = process_usdc_deposit(
        ledger, supply, deposit_id=deposit_id, recipient=recipient, amount=amount
    )
    assert not isinstance(result, Rejected), result
    new_ledger, new_supply = result
    assert get_balance(new_ledger, recipient).ustb == get_balance(ledger, recipient).ustb + amount
    assert new_ledger.usdc_locked == ledger.usdc_locked + amount
    assert deposit_id in new_supply.processed_deposits
    assert is_stb_conserved(new_ledger)
    return new_ledger, new_supply


def run_stb_redeem(ledger: Ledger, *, holder: AccountId, amount: int) -> Ledger:
    result = process_stb_redeem(ledger, holder=holder, amount=amount)
    assert not isinstance(result, Rejected), result
    assert get_balance(result, holder).ustb == get_balance(ledger, holder).ustb - amount
    assert result.usdc_locked == ledger.usdc_locked - amount
    assert is_stb_conserved(result)
    return result


def test_bridge_basic() -> None:
    ledger, supply = genesis(), create_supply_state(genesis_time=GENESIS_TIME)
    assert is_stb_conserved(ledger)
    ledger, supply = run_usdc_deposit(
        ledger, supply, deposit_id="eth:0xa1", recipient=ALICE, amount=5_000_000
    )
    ledger, supply = run_usdc_deposit(
        ledger, supply, deposit_id="eth:0xa2", recipient=BOB, amount=1
    )
    ledger = run_stb_redeem(ledger, holder=ALICE, amount=3_000_001)
    ledger = run_stb_redeem(ledger, holder=BOB, amount=1)
    assert get_balance(ledger, ALICE).ustb == 1_999_999
    assert ledger.usdc_locked == 1_999_999
    assert compute_supply_summary(ledger).stb_supply == 1_999_999


def test_bridge_very_large_amount() -> None:
    ledger, supply = genesis(), create_supply_state(genesis_time=GENESIS_TIME)
    ledger, _ = run_usdc_deposit(ledger, supply, deposit_id="big", recipient=ALICE, amount=10**30)
    ledger = run_stb_redeem(ledger, holder=ALICE, amount=10**30)
    assert ledger.usdc_locked == 0


def test_invalid_deposit_replayed() -> None:
    ledger, supply = genesis(), create_supply_state(genesis_time=GENESIS_TIME)
    ledger, supply = run_usdc_deposit(ledger, supply, deposit_id="d1", recipient=ALICE, amount=7)
    replay = process_usdc_deposit(ledger, supply, deposit_id="d1", recipient=BOB, amount=7)
    assert isinstance(replay, Rejected)
    assert replay.rule == "process_usdc_deposit"
    assert "d1" in replay.reason


def test_invalid_deposit_negative_amount() -> None:
    ledger, supply = genesis(), create_supply_state(genesis_time=GENESIS_TIME)
    result = process_usdc_deposit(ledger, supply, deposit_id="d", recipient=ALICE, amount=-1)
    assert isinstance(result, Rejected)


def test_invalid_redeem_more_than_held() -> None:
    ledger, supply = genesis(), create_supply_state(genesis_time=GENESIS_TIME)
    ledger, supply = run_usdc_deposit(ledger, supply, deposit_id="d", recipient=ALICE, amount=10)
    ledger, supply = run_usdc_deposit(ledger, supply, deposit_id="e", recipient=BOB, amount=10)
    result = process_stb_redeem(ledger, holder=ALICE, amount=11)
    assert isinstance(result, Rejected)
    assert is_stb_conserved(ledger)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 10**12)), max_size=20))
def test_bridge_keeps_stb_backed__random_sequence(steps: list[tuple[bool, int]]) -> None:
    ledger, supply = genesis(), create_supply_state(genesis_time=GENESIS_TIME)
    for index, (deposit, amount) in enumerate(steps):
        if deposit:
            result = process_usdc_deposit(
                ledger, supply, deposit_id=str(index), recipient=ALICE, amount=amount
            )
            assert not isinstance(result, Rejected)
            ledger, supply = result
        else:
            redeemed = process_stb_redeem(ledger, holder=ALICE, amount=amount)
            assert isinstance(redeemed, Rejected) == (amount > get_balance(ledger, ALICE).ustb)
            if not isinstance(redeemed, Rejected):
                ledger = redeemed
        assert is_stb_conserved(ledger)


# --- §6.9 inflation rate ------------------------------------------------------------------------


def test_age_doublings() -> None:
    years = (0, 1, 2, 3, 4, 7, 8, 1023, 1024, 2**200 - 1, 2**200)
    assert [compute_age_doublings(y) for y in years] == [0, 1, 2, 2, 3, 3, 4, 10, 11, 200, 201]


def test_inflation_rate__defaults() -> None:
    expected = {0: 1100, 1: 1000, 2: 900, 3: 900, 4: 800, 7: 800, 8: 700, 15: 700, 16: 600}
    for year, rate in expected.items():
        assert compute_inflation_rate_bps(year, WHITEPAPER_PARAMS) == rate, year
    # Ten doublings by year 1000: 1100 - 1000 = 100, lifted to the 200 floor.
    assert compute_inflation_rate_bps(1000, WHITEPAPER_PARAMS) == 200
    assert compute_inflation_rate_bps(10**9, WHITEPAPER_PARAMS) == 200


def test_inflation_schedule_sound__defaults() -> None:
    assert is_inflation_schedule_sound(WHITEPAPER_PARAMS)


def test_inflation_schedule_unsound__min_above_initial() -> None:
    params = mint_params(initial=500, step=100, minimum=800)
    assert compute_inflation_rate_bps(0, params) == 800
    assert not is_inflation_schedule_sound(params)


@settings(max_examples=200, deadline=None)
@given(
    initial=st.integers(0, 10_000),
    step=st.integers(0, 10_000),
    minimum=st.integers(0, 10_000),
)
def test_inflation_never_rises(initial: int, step: int, minimum: int) -> None:
    params = mint_params(initial, step, min(minimum, initial))
    assert is_inflation_schedule_sound(params, years=200)
    rates = [compute_inflation_rate_bps(year, params) for year in range(200)]
    assert rates[0] == initial
    assert all(later <= earlier for earlier, later in itertools.pairwise(rates))
    assert all(rate >= 0 for rate in rates)


# --- §6.9 inflation mint ------------------------------------------------------------------------


def run_inflation_mint(
    ledger: Ledger, supply: SupplyState, *, now: int, params: Params = WHITEPAPER_PARAMS
) -> tuple[Ledger, SupplyState, int]:
    result = process_inflation_mint(ledger, supply, now=now, params=params)
    assert not isinstance(result, Rejected), result
    new_ledger, new_supply, minted = result
    assert new_ledger.str_minted == ledger.str_minted + minted
    assert get_balance(new_ledger, REWARDS_POOL).ustr == get_balance(ledger, REWARDS_POOL).ustr + (
        minted
    )
    assert new_supply.last_mint_time == now
    assert is_str_conserved(new_ledger)
    return new_ledger, new_supply, minted


def test_inflation_mint_basic__one_year() -> None:
    ledger, supply = genesis(), create_supply_state(genesis_time=GENESIS_TIME)
    _, _, minted = run_inflation_mint(ledger, supply, now=GENESIS_TIME + SECONDS_PER_YEAR)
    assert minted == 110_000_000_000


def test_inflation_mint__across_year_boundary() -> None:
    ledger = genesis()
    half = SECONDS_PER_YEAR // 2
    supply = attrs.evolve(
        create_supply_state(genesis_time=GENESIS_TIME), last_mint_time=GENESIS_TIME + half
    )
    _, _, minted = run_inflation_mint(ledger, supply, now=GENESIS_TIME + SECONDS_PER_YEAR + half)
    # Half a year at 11% then half a year at 10%: 10.5% of the supply.
    assert minted == 105_000_000_000


def test_inflation_mint__across_several_rate_changes() -> None:
    ledger, supply = genesis(), create_supply_state(genesis_time=GENESIS_TIME)
    _, _, minted = run_inflation_mint(ledger, supply, now=GENESIS_TIME + 5 * SECONDS_PER_YEAR)
    # Years 0..4 at 11%, 10%, 9%, 9%, 8% on the supply at the call (no compounding in one mint).
    assert minted == SUPPLY * (1100 + 1000 + 900 + 900 + 800) // 10_000


def test_inflation_mint__floor_drops_fraction() -> None:
    ledger, supply = genesis(str_supply=1), create_supply_state(genesis_time=GENESIS_TIME)
    _, _, minted = run_inflation_mint(ledger, supply, now=GENESIS_TIME + SECONDS_PER_YEAR)
    assert minted == 0
    ledger, supply = genesis(str_supply=1_000), create_supply_state(genesis_time=GENESIS_TIME)
    _, _, minted = run_inflation_mint(ledger, supply, now=GENESIS_TIME + SECONDS_PER_YEAR)
    assert minted == 110


def test_inflation_mint__zero_elapsed() -> None:
    ledger, supply = genesis(), create_supply_state(genesis_time=GENESIS_TIME)
    new_ledger, _, minted = run_inflation_mint(ledger, supply, now=GENESIS_TIME)
    assert minted == 0
    assert new_ledger.str_minted == 0


def test_inflation_mint__base_excludes_burned() -> None:
    ledger = genesis()
    burned = process_burn(ledger, holder=ALICE, amount=SUPPLY // 2)
    assert not isinstance(burned, Rejected)
    supply = create_supply_state(genesis_time=GENESIS_TIME)
    new_ledger, _, minted = run_inflation_mint(burned, supply, now=GENESIS_TIME + SECONDS_PER_YEAR)
    assert minted == 55_000_000_000
    assert get_balance(new_ledger, BURN_ADDRESS).ustr == SUPPLY // 2


def test_inflation_mint__huge_interval_is_fast() -> None:
    ledger, supply = genesis(), create_supply_state(genesis_time=GENESIS_TIME)
    _, _, minted = run_inflation_mint(ledger, supply, now=GENESIS_TIME + 10**6 * SECONDS_PER_YEAR)
    assert minted > SUPPLY * 200 * (10**6 - 1_024) // 10_000


def test_invalid_inflation_mint__time_backwards() -> None:
    ledger = genesis()
    supply = attrs.evolve(create_supply_state(genesis_time=0), last_mint_time=100)
    result = process_inflation_mint(ledger, supply, now=99, params=WHITEPAPER_PARAMS)
    assert isinstance(result, Rejected)
    assert result.rule == "process_inflation_mint"


def test_invalid_inflation_mint__last_mint_before_genesis() -> None:
    supply = SupplyState(processed_deposits=frozenset(), genesis_time=100, last_mint_time=50)
    result = process_inflation_mint(genesis(), supply, now=200, params=WHITEPAPER_PARAMS)
    assert isinstance(result, Rejected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 3 * SECONDS_PER_YEAR), min_size=1, max_size=8))
def test_inflation_mint_conserves_str(steps: list[int]) -> None:
    ledger, supply = genesis(), create_supply_state(genesis_time=GENESIS_TIME)
    now = GENESIS_TIME
    for step in steps:
        now += step
        ledger, supply, _ = run_inflation_mint(ledger, supply, now=now)
    assert is_str_conserved(ledger)


# --- §6.4 supply summary and projection -----------------------------------------------------------


def test_supply_summary() -> None:
    ledger, supply = genesis(), create_supply_state(genesis_time=GENESIS_TIME)
    ledger, supply, minted = run_inflation_mint(ledger, supply, now=GENESIS_TIME + SECONDS_PER_YEAR)
    burned = process_burn(ledger, holder=ALICE, amount=7)
    assert not isinstance(burned, Rejected)
    deposited = process_usdc_deposit(burned, supply, deposit_id="x", recipient=BOB, amount=3)
    assert not isinstance(deposited, Rejected)
    summary = compute_supply_summary(deposited[0])
    assert summary.str_genesis == SUPPLY
    assert summary.str_minted == minted
    assert summary.str_burned == 7
    assert summary.str_circulating == SUPPLY + minted - 7
    assert summary.usdc_locked == summary.stb_supply == 3


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(0, 40 * SECONDS_PER_YEAR),
    length=st.integers(0, 40 * SECONDS_PER_YEAR),
    base=st.integers(0, 10**24),
)
def test_inflation_mint__matches_year_by_year_sum(start: int, length: int, base: int) -> None:
    """The mint equals the per-second sum of each calendar year's rate, computed year by year."""
    ledger = genesis(str_supply=base)
    supply = attrs.evolve(
        create_supply_state(genesis_time=GENESIS_TIME), last_mint_time=GENESIS_TIME + start
    )
    expected_numerator = 0
    cursor, end = start, start + length
    while cursor < end:
        year = cursor // SECONDS_PER_YEAR
        segment_end = min(end, (year + 1) * SECONDS_PER_YEAR)
        rate = compute_inflation_rate_bps(year, WHITEPAPER_PARAMS)
        expected_numerator += base * rate * (segment_end - cursor)
        cursor = segment_end
    _, _, minted = run_inflation_mint(ledger, supply, now=GENESIS_TIME + end)
    assert minted == expected_numerator // (10_000 * SECONDS_PER_YEAR)
