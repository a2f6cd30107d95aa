"""The constitution (§6.8): which process may change each key, by which vote, within which range.

§6.8 names two processes. Core network parameters (the payment rate and the seven shares) change
by "the parameter upgrade model built by Cosmos", and "major protocol proposals" by "a
conservative amendment system, based on the governance structure of the Tezos Blockchain": four
steps of 90 days each. §6.4 and §6.5 add that the burn and network-support shares need a
supermajority. The text names no quorum, no veto and no range, and does not list which keys are
"protocol" keys.

The constitution is data: one row a key, one bound a pair of keys that form a fraction, and the
vote rules the rows name. `HARDENED_CONSTITUTION` is the repaired reading (docs/constitution.md):
the core parameters by the Cosmos x/gov tally with the SDK's default quorum, threshold and veto,
burn and network support by more than 2/3; protocol constants by the Tezos amendment with Tezos'
participation quorum and 80% supermajority, and only inside the range the invariants need;
operational keys by the x/gov tally, inside bounds. `LITERAL_CONSTITUTION` is what the text
literally allows: every key by one vote of yes over no, no quorum, any value in the key's domain,
more than 2/3 for the five keys §6.4 and §6.5 protect. The profile's `constitution_enforced`
switch picks one. The chain enforces the rows (`model.governance`); GOV-SAFE proves that nothing
the rows let governance adopt breaks an invariant.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from attrs import frozen
from pyrsistent import PMap

from model.maps import dmap
from model.params import param_specs
from model.profile import Profile

DAY = 86_400
"""Seconds in a day."""


class Process(Enum):
    """§6.8: the two ways a key may change."""

    PARAMETER_CHANGE = "parameter-change"
    """Cosmos' parameter-change proposal: one voting period, then the tally applies it."""
    AMENDMENT = "amendment"
    """Tezos' amendment: proposal, exploration vote, testing, promotion vote, 90 days each."""


@frozen
class Fraction:
    """A share as an exact fraction `num / den` (den > 0)."""

    num: int
    den: int

    def __str__(self) -> str:
        return f"{self.num}/{self.den}"


@frozen
class VoteRule:
    """How a tally decides, every share a fraction of STR voting power (one STR, one vote).

    A parameter change passes iff the votes cast reach `quorum` of all voting power, the
    no-with-veto votes are at most `veto` of the votes cast, and the yes votes are more than
    `threshold` of the votes cast that are not abstentions (`counts_abstain` False, as x/gov) or
    of every vote cast (`counts_abstain` True). `threshold` None means the governed
    supermajority `governance.supermajority_num / supermajority_den`. An amendment's votes follow
    `AmendmentRule` instead."""

    name: str
    quorum: Fraction | None
    """Least share of all voting power that must vote (reached at equality), or None."""
    threshold: Fraction | None
    """Share of the counted votes that yes must exceed; None: the governed supermajority."""
    counts_abstain: bool
    """True: abstentions count in the threshold's base (they weigh against)."""
    veto: Fraction | None
    """Share of the votes cast that no-with-veto must exceed to reject, or None (no veto)."""
    source: str


@frozen
class AmendmentRule:
    """Tezos' amendment periods and votes, as §6.8 adopts them (90 days each).

    Proposal period: the proposal moves on iff its upvotes (yes votes) reach `proposal_quorum`
    of all voting power. Exploration and promotion votes: it moves on iff participation (yes,
    no and abstain, Tezos' yay, nay and pass) reaches the quorum, and yes is at least
    `supermajority` of yes + no. The quorum is `quorum_min + ema * (quorum_max - quorum_min)`,
    `ema` the participation's moving average, which each of these votes updates to
    `(1 - ema_weight) * ema + ema_weight * participation`. Testing holds no vote."""

    period_seconds: int
    proposal_quorum: Fraction
    supermajority: Fraction
    quorum_min: Fraction
    quorum_max: Fraction
    ema_weight: Fraction
    initial_ema_bps: int
    source: str


@frozen
class Row:
    """One key: the process that changes it, the vote it needs, its range, and why."""

    key: str
    process: Process
    vote: str
    """Name of the `VoteRule` (a parameter change) or "amendment"."""
    minimum: int
    maximum: int
    section: str
    reason: str


@frozen
class RatioBound:
    """A fraction formed by two keys that must stay in `[least, 1)`: `num/den >= least` and
    `num < den` (a threshold can only be met below one)."""

    num_key: str
    den_key: str
    least: Fraction
    section: str
    reason: str


@frozen
class Constitution:
    """A complete constitution: a row per key, the fractions' bounds and the vote rules."""

    name: str
    rows: PMap[str, Row]
    ratio_bounds: tuple[RatioBound, ...]
    votes: PMap[str, VoteRule]
    amendment: AmendmentRule | None
    """None: no key changes by amendment."""
    mixed_processes: bool
    """True: one proposal may change keys of both processes (the literal text is silent)."""


# --- The vote rules ----------------------------------------------------------------------------

X_GOV = "x/gov"
X_GOV_SUPERMAJORITY = "x/gov supermajority"
SIMPLE_MAJORITY = "simple majority"
LITERAL_SUPERMAJORITY = "supermajority"
AMENDMENT_VOTE = "amendment"

_COSMOS = (
    "Cosmos SDK x/gov default tally parameters (quorum 0.334, threshold 0.5, veto 0.334): the"
    " votes cast must reach a third of all voting power, no-with-veto must not pass a third of"
    " them, yes must pass half of those that are not abstentions"
)

HARDENED_VOTES: Mapping[str, VoteRule] = {
    X_GOV: VoteRule(
        name=X_GOV,
        quorum=Fraction(334, 1000),
        threshold=Fraction(1, 2),
        counts_abstain=False,
        veto=Fraction(334, 1000),
        source="§6.8; " + _COSMOS,
    ),
    X_GOV_SUPERMAJORITY: VoteRule(
        name=X_GOV_SUPERMAJORITY,
        quorum=Fraction(334, 1000),
        threshold=None,
        counts_abstain=True,
        veto=Fraction(334, 1000),
        source="§6.4, §6.5: the x/gov quorum and veto, and yes more than the governed"
        " supermajority (2/3, never less) of every vote cast, abstentions included",
    ),
}

LITERAL_VOTES: Mapping[str, VoteRule] = {
    SIMPLE_MAJORITY: VoteRule(
        name=SIMPLE_MAJORITY,
        quorum=None,
        threshold=Fraction(1, 2),
        counts_abstain=False,
        veto=None,
        source="§6.8 as written: one STR one vote; the text names no quorum, threshold or veto,"
        " so yes must outweigh no",
    ),
    LITERAL_SUPERMAJORITY: VoteRule(
        name=LITERAL_SUPERMAJORITY,
        quorum=None,
        threshold=None,
        counts_abstain=True,
        veto=None,
        source="§6.4, §6.5 as written: more than the governed supermajority of the votes cast,"
        " no quorum",
    ),
}

TEZOS_AMENDMENT = AmendmentRule(
    period_seconds=90 * DAY,
    proposal_quorum=Fraction(5, 100),
    supermajority=Fraction(80, 100),
    quorum_min=Fraction(20, 100),
    quorum_max=Fraction(70, 100),
    ema_weight=Fraction(20, 100),
    initial_ema_bps=8_000,
    source="§6.8: four steps of 90 days, as Tezos; Tezos' rules: a proposal needs upvotes of 5%"
    " of the voting power; a ballot needs participation at the quorum, 20% + ema x (70% - 20%),"
    " and yay at least 80% of yay + nay; each ballot moves the ema 20% of the way to its"
    " participation; the ema starts at 80%, Tezos' first quorum",
)


CORE_KEYS: frozenset[str] = frozenset(
    {
        "payment.payment_rate_bps",
        "payment.stb_profit_margin_bps",
        "payment.stb_node_profit_bps",
        "payment.stb_reserve_swap_bps",
        "payment.str_profit_margin_bps",
        "payment.str_node_profit_bps",
        "payment.str_burn_bps",
        "payment.str_network_support_bps",
    }
)
"""§6.8's core network parameters: the payment rate and the seven shares it lists. Validators
must vote on their changes "or risk time-out penalization"."""


# --- The hardened rows ----------------------------------------------------------------------

_CORE = "§6.8: a core network parameter, changed by the Cosmos parameter-change vote"
_SHARE = "a share in bps; GOV-PARAMS keeps the shares coherent"
_PROTOCOL = "§6.8: a protocol constant, changed only by the Tezos-style amendment"
_OPERATIONAL = "DESIGN.md: an operational key, changed by parameter change within bounds"

_BPS_MAX = 10_000
_AMOUNT_MAX = 10**24
_SECONDS_MAX = 100 * 365 * DAY


_P, _A = Process.PARAMETER_CHANGE, Process.AMENDMENT

_HARDENED_ROWS: tuple[Row, ...] = (
    Row(
        "payment.payment_rate_bps",
        _P,
        X_GOV,
        10_000,
        1_000_000,
        "6.3, 6.8",
        f"{_CORE}; at least 1x the cost (PAY-COST: a paid node receives its cost), at most 100x",
    ),
    Row("payment.stb_profit_margin_bps", _P, X_GOV, 0, _BPS_MAX, "6.8", f"{_CORE}; {_SHARE}"),
    Row("payment.stb_node_profit_bps", _P, X_GOV, 0, _BPS_MAX, "6.8", f"{_CORE}; {_SHARE}"),
    Row(
        "payment.stb_reserve_swap_bps",
        _P,
        X_GOV_SUPERMAJORITY,
        0,
        _BPS_MAX,
        "6.4, 6.7, 6.8",
        f"{_CORE}; the STB burn: more than 2/3 (§6.4); {_SHARE}",
    ),
    Row("payment.str_profit_margin_bps", _P, X_GOV, 0, _BPS_MAX, "6.8", f"{_CORE}; {_SHARE}"),
    Row("payment.str_node_profit_bps", _P, X_GOV, 0, _BPS_MAX, "6.8", f"{_CORE}; {_SHARE}"),
    Row(
        "payment.str_burn_bps",
        _P,
        X_GOV_SUPERMAJORITY,
        0,
        _BPS_MAX,
        "6.4, 6.8",
        f"{_CORE}; the STR burn: more than 2/3 (§6.4); {_SHARE}",
    ),
    Row(
        "payment.str_network_support_bps",
        _P,
        X_GOV_SUPERMAJORITY,
        0,
        _BPS_MAX,
        "6.5, 6.8",
        f"{_CORE}; network support: more than 2/3 (§6.5); {_SHARE}",
    ),
    Row(
        "payment.validation_floor_ustr",
        _P,
        X_GOV,
        1,
        _AMOUNT_MAX,
        "4.4",
        f"{_OPERATIONAL}; at least one ustr, so a validation pays something",
    ),
    Row(
        "slashing.slash_base_bps",
        _A,
        AMENDMENT_VOTE,
        1,
        _BPS_MAX,
        "6.10",
        f"{_PROTOCOL}; a first slash takes something and at most all (SLASH-BOUNDS)",
    ),
    Row(
        "slashing.slash_factor",
        _A,
        AMENDMENT_VOTE,
        2,
        2,
        "6.10",
        f"{_PROTOCOL}; the text's factor 2 (SLASH-DOUBLING, SLASH-DECAY state it)",
    ),
    Row(
        "slashing.slash_cap_bps",
        _A,
        AMENDMENT_VOTE,
        _BPS_MAX,
        _BPS_MAX,
        "6.10",
        f"{_PROTOCOL}; 100%, so the doubling runs to the whole stake and never past it"
        " (SLASH-BOUNDS)",
    ),
    Row(
        "slashing.slash_window_seconds",
        _A,
        AMENDMENT_VOTE,
        30 * DAY,
        10 * 365 * DAY,
        "6.10",
        f"{_PROTOCOL}; the text's two years may be amended, to between a month and ten years",
    ),
    Row(
        "consensus.threshold_num",
        _A,
        AMENDMENT_VOTE,
        2,
        2,
        "3.3, 4.2",
        f"{_PROTOCOL}; F10's 3 x agree > 2 x N, which BFT-THRESHOLD states: a higher threshold"
        " would keep the BFT family safe but decide other rounds",
    ),
    Row(
        "consensus.threshold_den",
        _A,
        AMENDMENT_VOTE,
        3,
        3,
        "3.3, 4.2",
        f"{_PROTOCOL}; F10's 3 x agree > 2 x N, which BFT-THRESHOLD states",
    ),
    Row(
        "consensus.max_validators",
        _P,
        X_GOV,
        4,
        10_000,
        "4.2",
        f"{_OPERATIONAL}; at least 4, the fewest validators that tolerate one fault (3f < N)",
    ),
    Row(
        "consensus.commit_timeout_seconds",
        _P,
        X_GOV,
        1,
        DAY,
        "3.2 F5",
        f"{_OPERATIONAL}; the text gives no length: any whole second up to a day",
    ),
    Row(
        "consensus.reveal_timeout_seconds",
        _P,
        X_GOV,
        1,
        DAY,
        "3.2 F7",
        f"{_OPERATIONAL}; the text gives no length: any whole second up to a day",
    ),
    Row(
        "consensus.app_salt_timeout_seconds",
        _P,
        X_GOV,
        1,
        DAY,
        "3.2 F6",
        f"{_OPERATIONAL}; the text gives no length: any whole second up to a day",
    ),
    Row(
        "mint.inflation_initial_bps",
        _A,
        AMENDMENT_VOTE,
        1_100,
        1_100,
        "6.9",
        f"{_PROTOCOL}; the text's 11% at genesis, a fact no later vote changes (SUP-INFLATION)",
    ),
    Row(
        "mint.inflation_step_bps",
        _A,
        AMENDMENT_VOTE,
        1,
        1_100,
        "6.9",
        f"{_PROTOCOL}; the curve falls (at least 0.01% a step) and never below zero",
    ),
    Row(
        "mint.inflation_min_bps",
        _A,
        AMENDMENT_VOTE,
        0,
        1_100,
        "6.9",
        f"{_PROTOCOL}; a floor at most the initial 11%, so the rate never rises (SUP-INFLATION)",
    ),
    Row(
        "governance.supermajority_num",
        _A,
        AMENDMENT_VOTE,
        1,
        1_000,
        "6.4, 6.5",
        f"{_PROTOCOL}; with its denominator, never below the text's 2/3 (GOV-SUPERMAJORITY)",
    ),
    Row(
        "governance.supermajority_den",
        _A,
        AMENDMENT_VOTE,
        1,
        1_000,
        "6.4, 6.5",
        f"{_PROTOCOL}; with its numerator, never below the text's 2/3 (GOV-SUPERMAJORITY)",
    ),
    Row(
        "governance.subcommittee_activation_bps",
        _A,
        AMENDMENT_VOTE,
        100,
        100,
        "6.8",
        f"{_PROTOCOL}; the text's 'greater than 1%' (GOV-SUBCOMMITTEE)",
    ),
    Row(
        "governance.complaint_refund_bps",
        _A,
        AMENDMENT_VOTE,
        8_000,
        8_000,
        "6.8",
        f"{_PROTOCOL}; the text's 80/20 split (GOV-COMPLAINT)",
    ),
    Row(
        "governance.complaint_min_deposit_ustr",
        _P,
        X_GOV,
        1,
        _AMOUNT_MAX,
        "6.8, 6.9",
        f"{_OPERATIONAL}; a complaint stakes something (§6.9)",
    ),
    Row(
        "governance.voting_period_seconds",
        _P,
        X_GOV,
        DAY,
        90 * DAY,
        "6.8",
        f"{_OPERATIONAL}; a day at least, so holders can vote; at most one amendment period",
    ),
    Row(
        "reputation.outbound_requests_per_minute",
        _P,
        X_GOV,
        1,
        10,
        "4.5",
        f"{_OPERATIONAL}; the text's cap of 10 may be tightened, never loosened (REP-OUTBOUND)",
    ),
    Row(
        "reputation.uncapped_min_stake_usd",
        _P,
        X_GOV,
        10_000,
        10**15,
        "4.5",
        f"{_OPERATIONAL}; the text's $10,000 may be raised, never lowered",
    ),
    Row(
        "reputation.uncapped_min_active_seconds",
        _P,
        X_GOV,
        180 * DAY,
        _SECONDS_MAX,
        "4.5",
        f"{_OPERATIONAL}; the text's six months may be lengthened, never shortened",
    ),
    Row(
        "market.stratoswap_fee_bps",
        _P,
        X_GOV,
        0,
        1_000,
        "6.6",
        f"{_OPERATIONAL}; the text names no commission: 0% to 10% (PAY-BURN-MARKET)",
    ),
    Row(
        "market.initiation_fee_ustr",
        _P,
        X_GOV,
        0,
        _AMOUNT_MAX,
        "4.3.3, 4.4",
        f"{_OPERATIONAL}; the text names no fee: any amount of ustr",
    ),
    Row(
        "market.max_deviation_bps",
        _A,
        AMENDMENT_VOTE,
        0,
        3_333,
        "4.3.3",
        f"{_PROTOCOL}; an app's allowed deviation is at most 33.33%, so agreeing is at least"
        " as strict as F10's > 2/3 and two outputs never both agree (BFT-DEVIATION)",
    ),
    Row(
        "market.max_str_margin_bps",
        _P,
        X_GOV,
        0,
        8_000,
        "4.4, 6.3.2",
        f"{_OPERATIONAL}; a node bids at most the network's own STR margin (§4.4: 40% of T at"
        " 2x, 80% of cost): nodes compete by bidding under the network's rate (APP-SETTINGS)",
    ),
    Row(
        "market.external_request_payout_ustb",
        _P,
        X_GOV,
        0,
        _AMOUNT_MAX,
        "4.4",
        f"{_OPERATIONAL}; the text names no payout: any amount of ustb (PAY-EXTERNAL)",
    ),
)

_HARDENED_RATIOS: tuple[RatioBound, ...] = (
    RatioBound(
        "consensus.threshold_num",
        "consensus.threshold_den",
        Fraction(2, 3),
        "3.3, 4.2",
        "consensus needs more than 2/3 (BFT-SOUND, BFT-UNIQUE, BFT-ACCOUNTABLE); the rows pin"
        " it at 2/3 itself (BFT-THRESHOLD)",
    ),
    RatioBound(
        "governance.supermajority_num",
        "governance.supermajority_den",
        Fraction(2, 3),
        "6.4, 6.5",
        "burn and network support need more than 2/3 (GOV-SUPERMAJORITY)",
    ),
)


def _literal_row(key: str, minimum: int, maximum: int, section: str) -> Row:
    protected = key in LITERAL_SUPERMAJORITY_KEYS
    return Row(
        key=key,
        process=Process.PARAMETER_CHANGE,
        vote=LITERAL_SUPERMAJORITY if protected else SIMPLE_MAJORITY,
        minimum=minimum,
        maximum=maximum,
        section=section,
        reason="§6.8 as written: a parameter change; the text gives no range, so any value"
        " of the key's domain" + ("; §6.4, §6.5: more than 2/3" if protected else ""),
    )


LITERAL_SUPERMAJORITY_KEYS: frozenset[str] = frozenset(
    {
        "payment.str_burn_bps",
        "payment.stb_reserve_swap_bps",
        "payment.str_network_support_bps",
        "governance.supermajority_num",
        "governance.supermajority_den",
    }
)
"""§6.4, §6.5: both burns, network support, and the supermajority itself (else a simple
majority could lower the bar first)."""

HARDENED_CONSTITUTION = Constitution(
    name="hardened",
    rows=dmap({row.key: row for row in _HARDENED_ROWS}),
    ratio_bounds=_HARDENED_RATIOS,
    votes=dmap(HARDENED_VOTES),
    amendment=TEZOS_AMENDMENT,
    mixed_processes=False,
)
"""DESIGN.md's repaired reading (docs/constitution.md renders it)."""

LITERAL_CONSTITUTION = Constitution(
    name="whitepaper",
    rows=dmap(
        {
            spec.name: _literal_row(spec.name, spec.minimum, spec.maximum, spec.section)
            for spec in param_specs()
        }
    ),
    ratio_bounds=(),
    votes=dmap(LITERAL_VOTES),
    amendment=None,
    mixed_processes=True,
)
"""What §6.8 literally allows: every key by yes over no (more than 2/3 for five), any value of
its domain, no quorum."""

CONSTITUTIONS: Mapping[str, Constitution] = {
    HARDENED_CONSTITUTION.name: HARDENED_CONSTITUTION,
    LITERAL_CONSTITUTION.name: LITERAL_CONSTITUTION,
}


def get_constitution(profile: Profile) -> Constitution:
    """§6.8: the constitution `profile` enforces (its `constitution_enforced` switch)."""
    return HARDENED_CONSTITUTION if profile.constitution_enforced else LITERAL_CONSTITUTION
