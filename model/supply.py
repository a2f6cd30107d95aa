"""Token supply: the STB bridge (§6.1) and STR inflation (§6.9).

Inflation follows the curve the design fixed for §6.9's "logarithmically decreasing" yield: in
year y (whole years since genesis) the yearly rate is
``max(inflation_min_bps, inflation_initial_bps - inflation_step_bps * ceil(log2(y + 1)))``,
so at the defaults (1100, 100, 200) it is 11% in year 0, 10% in year 1, 9% in years 2-3, 8% in
years 4-7, and so on down to a 2% floor; the rate drops one step each time the age doubles.
A mint pays circulating * rate * elapsed / (10_000 * year) for the time since the last mint,
floored: the fraction of a ustr is never minted, and minting more often compounds slightly.
"""

from __future__ import annotations

from attrs import frozen

from model import arith
from model.ledger import (
    REWARDS_POOL,
    Ledger,
    get_str_circulating_supply,
    process_bridge_burn_stb,
    process_bridge_mint_stb,
    process_mint_str,
)
from model.params import Params
from model.records import evolve
from model.units import (
    BPS_DENOMINATOR,
    SECONDS_PER_YEAR,
    AccountId,
    Bps,
    Outcome,
    Rejected,
    Seconds,
    UStb,
    UStr,
)


@frozen
class SupplyState:
    """What the supply rules remember: bridge deposits already minted and the inflation clock."""

    processed_deposits: frozenset[str]
    genesis_time: Seconds
    last_mint_time: Seconds


def create_supply_state(*, genesis_time: Seconds) -> SupplyState:
    """§6.9: the supply state at genesis: no deposit bridged yet, inflation accrues from genesis."""
    return SupplyState(
        processed_deposits=frozenset(), genesis_time=genesis_time, last_mint_time=genesis_time
    )


# --- §6.1 STB: the USDC bridge ------------------------------------------------------------------


def process_usdc_deposit(
    ledger: Ledger, supply: SupplyState, *, deposit_id: str, recipient: AccountId, amount: UStb
) -> Outcome[tuple[Ledger, SupplyState]]:
    """§6.1: a USDC deposit into the STB Minter mints the same amount of STB, once per deposit."""
    # Verify the bridge event has not been processed already (a replay would mint twice).
    if deposit_id in supply.processed_deposits:
        return Rejected("process_usdc_deposit", f"deposit {deposit_id!r} was already processed")
    minted = process_bridge_mint_stb(ledger, recipient=recipient, amount=amount)
    if isinstance(minted, Rejected):
        return minted
    processed = supply.processed_deposits | {deposit_id}
    return minted, evolve(supply, processed_deposits=processed)


def process_stb_redeem(ledger: Ledger, *, holder: AccountId, amount: UStb) -> Outcome[Ledger]:
    """§6.1: `holder` redeems `amount` STB, which is destroyed and released as USDC on Ethereum."""
    return process_bridge_burn_stb(ledger, holder=holder, amount=amount)


# --- §6.9 STR inflation -------------------------------------------------------------------------


def compute_age_doublings(year: int) -> int:
    """§6.9: ceil(log2(year + 1)), exactly: 0 in year 0, 1 in year 1, 2 in years 2-3, 3 in 4-7."""
    return year.bit_length()


def compute_inflation_rate_bps(year: int, params: Params) -> Bps:
    """§6.9: the yearly inflation rate in year `year` since genesis, logarithmically decreasing."""
    mint = params.mint
    return arith.inflation_rate(
        arith.INTS,
        mint.inflation_initial_bps,
        mint.inflation_step_bps,
        mint.inflation_min_bps,
        compute_age_doublings(year),
    )


def get_year_since_genesis(supply: SupplyState, time: Seconds) -> int:
    """§6.9: whole years elapsed between genesis and `time`."""
    return (time - supply.genesis_time) // SECONDS_PER_YEAR


def get_rate_end_time(supply: SupplyState, year: int) -> Seconds:
    """§6.9: the first instant after `year` whose rate may differ: the next power-of-two age."""
    # The rate depends on ceil(log2(y + 1)) only, so it is constant until y reaches a power of 2.
    next_year = 1 << compute_age_doublings(year)
    return supply.genesis_time + next_year * SECONDS_PER_YEAR


def compute_inflation_numerator(
    supply: SupplyState, *, base: UStr, start: Seconds, end: Seconds, params: Params
) -> int:
    """§6.9: sum over [start, end) of base * rate_bps * seconds, split where the yearly rate changes."""
    total = 0
    cursor = start
    while cursor < end:
        year = get_year_since_genesis(supply, cursor)
        rate = compute_inflation_rate_bps(year, params)
        # Years of equal rate are one segment, so a huge interval costs O(log years) steps.
        segment_end = min(end, get_rate_end_time(supply, year))
        total += base * rate * (segment_end - cursor)
        cursor = segment_end
    return total


def process_inflation_mint(
    ledger: Ledger, supply: SupplyState, *, now: Seconds, params: Params
) -> Outcome[tuple[Ledger, SupplyState, UStr]]:
    """§6.9: mint into the rewards pool the inflation accrued since the last mint."""
    # Verify the inflation clock never starts before genesis.
    if supply.last_mint_time < supply.genesis_time:
        return Rejected(
            "process_inflation_mint",
            f"last mint time {supply.last_mint_time} is before genesis {supply.genesis_time}",
        )
    # Verify time does not run backwards.
    if now < supply.last_mint_time:
        return Rejected(
            "process_inflation_mint",
            f"now {now} is before the last mint time {supply.last_mint_time}",
        )
    base = get_str_circulating_supply(ledger)
    numerator = compute_inflation_numerator(
        supply, base=base, start=supply.last_mint_time, end=now, params=params
    )
    # Dust: one floor over the whole interval; the fraction of a ustr is never minted.
    amount = numerator // (BPS_DENOMINATOR * SECONDS_PER_YEAR)
    minted = process_mint_str(ledger, recipient=REWARDS_POOL, amount=amount)
    if isinstance(minted, Rejected):
        return minted
    return minted, evolve(supply, last_mint_time=now), amount
