"""Soundness checks on model states and outcomes, for the unit tests: conservation, pool and
escrow consistency, the payment split, the slash outcome, accountability of conflicting commits.

These were self-checks the model ran on itself. The checkers read the whitepaper through
`oracle/` instead, so nothing but the tests calls them, and they live with the tests, leaving
`model/` with its rules only. Where the oracle has a reading of the same quantity (balances,
holdings, issuance, bonds), a check is written on it, so a test does not judge the model by the
model's own sums; a check about a model value (a split, a slash outcome, the rate schedule, voting
power) reads that value as the model defines it.

A few readings the tests use to check a rule live here too, since no rule of the model needs
them: the supply summary, a payout from an escrow, the equivocators of two conflicting commits and
the share of voting power a set of validators holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from attrs import frozen

from model.escrow import AppEscrow, EscrowBook
from model.governance import GovernanceState
from model.ledger import (
    BONDED_POOL,
    BURN_ADDRESS,
    NODE_STAKE_POOL,
    SUBCOMMITTEE_POOL,
    Ledger,
    get_escrow_account,
    get_locked_escrow_account,
    process_transfer_str,
)
from model.params import Params
from model.payment import PaymentSplit
from model.profile import Profile
from model.reputation import AppReputation, get_outbound_window, is_outbound_uncapped
from model.slashing import SlashOutcome
from model.staking import (
    BlockCommit,
    StakingState,
    get_active_set,
    get_power_of,
    get_total_voting_power,
    get_validator_stake,
    is_block_committed,
)
from model.supply import compute_inflation_rate_bps
from model.trusted.settlement import TrustedChain
from model.units import (
    BPS_DENOMINATOR,
    AccountId,
    AppId,
    Bps,
    Outcome,
    Seconds,
    UStb,
    UStr,
    ValidatorId,
)
from oracle.ledger import (
    balance,
    negative_accounts,
    str_circulating,
    str_issued,
    total_stb_held,
    total_str_held,
    ustr_of,
)
from oracle.staking import bonded_total

# --- The ledger (CONS-STR, CONS-STB) -------------------------------------------------------------


def is_str_conserved(ledger: Ledger) -> bool:
    """CONS-STR (§6.2, §6.4): holdings + burned = genesis + minted, and the burn address holds all
    burned STR."""
    return (
        total_str_held(ledger) + ledger.str_burned == str_issued(ledger)
        and ustr_of(ledger, BURN_ADDRESS) == ledger.str_burned
    )


def is_stb_conserved(ledger: Ledger) -> bool:
    """CONS-STB (§6.1): every STB is backed one-to-one by USDC locked in the bridge."""
    return total_stb_held(ledger) == ledger.usdc_locked


def has_no_negative_balance(ledger: Ledger) -> bool:
    """No account holds a negative amount of either token."""
    return not negative_accounts(ledger)


def get_total_str_holdings(ledger: Ledger) -> int:
    """§6.2, §6.4: STR held anywhere but the burn address, as the oracle reads it."""
    return total_str_held(ledger)


@frozen
class SupplySummary:
    """§6.2, §6.4, §6.1: the STR issuance counters and the STB backing at one ledger state."""

    str_genesis: UStr
    str_minted: UStr
    str_burned: UStr
    str_circulating: UStr
    usdc_locked: UStb
    stb_supply: UStb


def compute_supply_summary(ledger: Ledger) -> SupplySummary:
    """§6.4: genesis, minted, burned and circulating STR, and USDC locked against STB supply."""
    return SupplySummary(
        str_genesis=ledger.str_genesis,
        str_minted=ledger.str_minted,
        str_burned=ledger.str_burned,
        str_circulating=str_circulating(ledger),
        usdc_locked=ledger.usdc_locked,
        stb_supply=total_stb_held(ledger),
    )


# --- Module pools --------------------------------------------------------------------------------


def is_bonded_pool_consistent(ledger: Ledger, staking: StakingState) -> bool:
    """§4.2: BONDED_POOL holds exactly the sum of all bonds, and no bond is negative."""
    return all(amount >= 0 for amount in staking.delegations.values()) and ustr_of(
        ledger, BONDED_POOL
    ) == bonded_total(staking)


def is_subcommittee_pool_consistent(ledger: Ledger, gov: GovernanceState) -> bool:
    """GOV-SUBCOMMITTEE (§6.8): the pool holds exactly the delegations, each positive, each to a
    known one."""
    delegations = gov.subcommittee_delegations
    if any(amount <= 0 for amount in delegations.values()):
        return False
    if any(name not in gov.subcommittees for (_, name) in delegations):
        return False
    return ustr_of(ledger, SUBCOMMITTEE_POOL) == sum(delegations.values())


def is_node_stake_pool_consistent(chain: TrustedChain) -> bool:
    """§4.3.1, §6.9: NODE_STAKE_POOL holds exactly the stakes the registry records, none
    negative."""
    stakes = [stake.ustr for stake in chain.nodes.values()]
    return all(s >= 0 for s in stakes) and sum(stakes) == ustr_of(chain.ledger, NODE_STAKE_POOL)


# --- Escrows (ESCROW-SOLVENT) --------------------------------------------------------------------


def get_locked_totals(escrow: AppEscrow) -> tuple[UStb, UStr]:
    """§3.3 Step 12: the STB and STR the locked escrow must hold: the sum over the app's locked
    records."""
    records = escrow.locked.values()
    return sum(r.locked_ustb for r in records), sum(r.locked_ustr for r in records)


def is_escrow_solvent(ledger: Ledger, book: EscrowBook) -> bool:
    """ESCROW-SOLVENT (§4.3.1, §4.4): no escrow negative; locked accounts match their records."""
    for app, escrow in book.escrows.items():
        held = balance(ledger, get_escrow_account(app))
        locked = balance(ledger, get_locked_escrow_account(app))
        if min(held.ustb, held.ustr, locked.ustb, locked.ustr) < 0:
            return False
        if (locked.ustb, locked.ustr) != get_locked_totals(escrow):
            return False
    return True


def pay_from_escrow(
    ledger: Ledger, *, app: AppId, node_account: AccountId, ustr: UStr
) -> Outcome[Ledger]:
    """§4.3.3, §4.4: `ustr` STR paid out of `app`'s escrow to a node, as an initiation fee is."""
    return process_transfer_str(
        ledger, sender=get_escrow_account(app), recipient=node_account, amount=ustr
    )


# --- The payment split (CONS-SPLIT) --------------------------------------------------------------


def is_split_nonnegative(split: PaymentSplit) -> bool:
    """CONS-SPLIT (§6.3): no part of the split is negative."""
    return all(part >= 0 for part in split.parts())


def is_split_exact(split: PaymentSplit) -> bool:
    """CONS-SPLIT (§6.3): the parts sum exactly to the total payment T."""
    return sum(split.parts()) == split.total


# --- Inflation (SUP-INFLATION) -------------------------------------------------------------------


def is_inflation_schedule_sound(params: Params, *, years: int = 1_024) -> bool:
    """SUP-INFLATION (§6.9): the rate starts at the initial rate, never rises, never goes negative."""
    previous = compute_inflation_rate_bps(0, params)
    # Verify the schedule starts at the initial rate (a floor above it would lift year 0).
    if previous != params.mint.inflation_initial_bps:
        return False
    for year in range(years + 1):
        rate = compute_inflation_rate_bps(year, params)
        # Verify the rate is never negative and never rises from one year to the next.
        if rate < 0 or rate > previous:
            return False
        previous = rate
    return True


# --- Outbound requests (REP-OUTBOUND) ------------------------------------------------------------


def is_outbound_within_cap(
    app: AppReputation, *, now: Seconds, params: Params, str_price: Fraction
) -> bool:
    """REP-OUTBOUND (§4.5): an unqualified app has made at most the cap in the minute up to now."""
    if is_outbound_uncapped(app, now=now, params=params, str_price=str_price):
        return True
    window = get_outbound_window(app, now=now)
    return len(window) <= params.reputation.outbound_requests_per_minute


# --- Slashing (SLASH-*) --------------------------------------------------------------------------


def is_rate_in_bounds(rate: Bps, params: Params) -> bool:
    """SLASH-BOUNDS (§6.10): base <= rate <= 100%."""
    return params.slashing.slash_base_bps <= rate <= BPS_DENOMINATOR


def get_expected_kth_rate(k: int, params: Params, profile: Profile) -> Bps:
    """SLASH-DOUBLING (§6.10): the k-th slash in one window is min(base * factor**(k-1), cap)."""
    slashing = params.slashing
    cap = slashing.slash_cap_bps
    exponent = max(0, k - 1)
    if profile.slash_capped and slashing.slash_factor > 1:
        # factor**e > cap once e reaches cap's bit length, so larger e give the cap as well.
        exponent = min(exponent, cap.bit_length())
    rate: Bps = slashing.slash_base_bps * slashing.slash_factor**exponent
    return min(rate, cap) if profile.slash_capped else rate


def is_pro_rata(outcome: SlashOutcome) -> bool:
    """SLASH-DELEGATORS (§4.2): every bond lost the fraction min(rate, 100%), less < 1 ustr."""
    fraction_bps = min(outcome.rate_bps, BPS_DENOMINATOR)
    return (
        all(
            loss.requested == loss.amount_before * outcome.rate_bps // BPS_DENOMINATOR
            and 0
            <= loss.amount_before * fraction_bps - loss.burned * BPS_DENOMINATOR
            < BPS_DENOMINATOR
            for loss in outcome.losses
        )
        and outcome.total_burned == sum(loss.burned for loss in outcome.losses)
        and outcome.total_requested == sum(loss.requested for loss in outcome.losses)
    )


def is_slash_within_stake(outcome: SlashOutcome) -> bool:
    """SLASH-STAKE (§6.10): no bond lost more than it held, so none goes negative."""
    return all(0 <= loss.burned <= loss.amount_before for loss in outcome.losses)


def is_slash_request_covered(outcome: SlashOutcome) -> bool:
    """SLASH-STAKE (§6.10): everything the rate asks for could be burned (false past 100%)."""
    return outcome.total_requested == outcome.total_burned


# --- Conflicting commits (BFT-ACCOUNTABLE) -------------------------------------------------------


def get_equivocators(commit_a: BlockCommit, commit_b: BlockCommit) -> frozenset[ValidatorId]:
    """§6.10: the validators that signed both of two conflicting commits (none if no conflict)."""
    if not is_conflicting(commit_a, commit_b):
        return frozenset()
    return commit_a.signers & commit_b.signers


def get_power_share(
    staking: StakingState, params: Params, validators: Iterable[ValidatorId]
) -> Fraction:
    """§4.2: the exact share of total voting power `validators` hold (the total must be > 0)."""
    return Fraction(
        get_power_of(staking, params, validators), get_total_voting_power(staking, params)
    )


def is_accountable(
    staking: StakingState, params: Params, commit_a: BlockCommit, commit_b: BlockCommit
) -> bool:
    """BFT-ACCOUNTABLE (§4.2, §6.10): two conflicting commits imply equivocators hold >= 1/3."""
    # Only two commits that both passed and conflict have to be accounted for.
    if not (
        is_conflicting(commit_a, commit_b)
        and is_block_committed(staking, params, commit_a.signers)
        and is_block_committed(staking, params, commit_b.signers)
    ):
        return True
    equivocating = get_power_of(staking, params, get_equivocators(commit_a, commit_b))
    return 3 * equivocating >= get_total_voting_power(staking, params)


def is_quorum_intersection_bounded(
    staking: StakingState, params: Params, commit_a: BlockCommit, commit_b: BlockCommit
) -> bool:
    """§4.2: at threshold num/den, conflicting commits share power I with I*den > (2num-den)*T.

    Each commit has power S with S*den > num*T, and the two signer sets together hold at most T,
    so I >= S_a + S_b - T and I*den > (2*num - den)*T. At 2/3 this is 3*I > T, BFT-ACCOUNTABLE;
    at num/den <= 1/2 the bound says nothing, so two commits need not share a third.
    """
    if not (
        is_conflicting(commit_a, commit_b)
        and is_block_committed(staking, params, commit_a.signers)
        and is_block_committed(staking, params, commit_b.signers)
    ):
        return True
    consensus = params.consensus
    equivocating = get_power_of(staking, params, get_equivocators(commit_a, commit_b))
    total = get_total_voting_power(staking, params)
    bound = (2 * consensus.threshold_num - consensus.threshold_den) * total
    return equivocating * consensus.threshold_den > bound


def compute_total_burn_usd(split: PaymentSplit) -> int:
    """§6.4: the USD value burned by one payment: the STR burn and the reserve swapped and burned."""
    return split.str_burn_usd + split.stb_swap_reserve


def str_withdrawn_usd(split: PaymentSplit) -> int:
    """The USD value of the STR a split takes from the payer (§6.3: the three STR shares)."""
    return split.str_node_profit_usd + split.str_burn_usd + split.str_network_support_usd


def is_conflicting(commit_a: BlockCommit, commit_b: BlockCommit) -> bool:
    """§6.10: two commits conflict iff they are at one height and round for different blocks
    (a test's reading: the chain builds its conflicting commits itself and never asks)."""
    return (
        commit_a.height == commit_b.height
        and commit_a.round == commit_b.round
        and commit_a.block_hash != commit_b.block_hash
    )


def get_voting_power(staking: StakingState, params: Params, validator: ValidatorId) -> UStr:
    """§4.2: vote weight is bonded stake; a validator outside the active set has none (a test's
    reading: the chain weighs commits with `get_power_of` over the active set)."""
    if validator not in get_active_set(staking, params):
        return 0
    return get_validator_stake(staking, validator)
