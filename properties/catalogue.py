"""The invariant catalogue of DESIGN.md as data: every ID, its statement, section and engines.

Tests, proofs, executor checks and reports all name invariants through `CATALOGUE`, so an ID
means one thing everywhere. An engine claims an ID here; `tests/properties/test_catalogue.py`
fails when an engine claims an ID it does not check, or checks one it does not claim.
"""

from __future__ import annotations

from enum import Enum

from attrs import frozen


class Engine(Enum):
    """The three engines that look at the model."""

    HYPOTHESIS = "hypothesis"
    """properties/: stateful machines and the bounded exhaustive round exploration."""
    Z3 = "z3"
    """solver/: proofs for all inputs in a domain."""
    EXECUTOR = "executor"
    """executor/: real functions in node processes, compared with the model."""


H, Z, X = Engine.HYPOTHESIS, Engine.Z3, Engine.EXECUTOR


@frozen
class Invariant:
    """One catalogue row."""

    id: str
    statement: str
    section: str
    engines: frozenset[Engine]


def _row(id: str, statement: str, section: str, *engines: Engine) -> Invariant:
    return Invariant(id=id, statement=statement, section=section, engines=frozenset(engines))


CATALOGUE: tuple[Invariant, ...] = (
    _row(
        "CONS-STR",
        "sum of all STR holdings (accounts, escrows, bonds, delegations, module pools) + burned"
        " = genesis + minted",
        "6.2, 6.4, 6.9",
        H,
        Z,
    ),
    _row("CONS-STB", "sum of all STB holdings = USDC locked in the bridge", "6.1", H, Z),
    _row(
        "CONS-SPLIT",
        "the parts of a node payment sum exactly to the amount withdrawn, none negative, for"
        " every cost and every valid parameter set",
        "6.3",
        H,
        Z,
    ),
    _row(
        "ESCROW-SOLVENT",
        "no escrow goes negative; an app's payouts come only from its own escrow",
        "4.3.1, 4.4",
        H,
        Z,
        X,
    ),
    _row("PAY-COST", "a paid node receives at least its cost in STB", "6.3.1", H, Z),
    _row("PAY-VECTOR", "the §6.3.3 example is reproduced exactly", "6.3.3", H),
    _row(
        "PAY-BURN",
        "total burn share = STR burn bps + STB reserve bps (15% at defaults); the STR the"
        " swap reserve buys is burned",
        "6.4, 6.7",
        Z,
        H,
    ),
    _row(
        "PAY-ONLY-MAJORITY",
        "only nodes in the supermajority group are paid, and only when consensus is TRUE",
        "3.3 F11",
        H,
        X,
    ),
    _row("BFT-THRESHOLD", "consensus TRUE iff 3·agree > 2·N, for all N", "3.3 F10", Z),
    _row("BFT-UNIQUE", "at most one output can reach the threshold", "3.3", Z, H),
    _row(
        "BFT-SOUND",
        "with 3f < N faulty nodes, a TRUE consensus is the honest output",
        "3.3",
        Z,
        H,
        X,
    ),
    _row(
        "BFT-TIMEOUT",
        "nodes that do not commit or reveal cannot help a minority reach consensus",
        "3.2 F5, F7",
        Z,
        H,
        X,
    ),
    _row(
        "BFT-ACCOUNTABLE",
        "two conflicting block commits at one height imply >= 1/3 of voting power"
        " double-signed, all slashable",
        "4.2, 6.10",
        Z,
        H,
    ),
    _row(
        "CR-BINDING",
        "a reveal that does not match its commit is slashed and unpaid",
        "3.2, 3.3 F11",
        H,
        X,
    ),
    _row(
        "CR-NO-COPY",
        "a node that copies another node's commit fails verification",
        "3.5.3",
        H,
        X,
    ),
    _row(
        "CR-APP-SALT",
        "a node given a salt whose hash differs from the on-chain hash does not serve and"
        " complains",
        "3.2 F4, 3.5.2",
        H,
        X,
    ),
    _row("CR-INJECTIVE", "the composite-hash encoding is injective", "3.2 F4", Z, H, X),
    _row(
        "CR-VERIFIABLE",
        "after reveal, commit(n) can be recomputed from public data",
        "3.2 F7, F9",
        H,
        X,
    ),
    _row(
        "CR-PHASES",
        "commit, salt reveal, reveal, consensus happen in order, once per node per round",
        "3.2",
        H,
    ),
    _row(
        "ROUND-LIVE",
        "every reachable round state can still reach an end, a payout or an escrow lock"
        " (no deadlock)",
        "3.2 F5-F7, 3.3 F12",
        H,
    ),
    _row("SLASH-BOUNDS", "base <= rate <= 100% for every slash sequence", "6.10", Z, H),
    _row(
        "SLASH-DOUBLING",
        "within one window the k-th slash rate is min(base·2^(k-1), cap)",
        "6.10",
        Z,
        H,
    ),
    _row(
        "SLASH-DECAY",
        "each expired window halves the rate, never below base",
        "6.10",
        Z,
        H,
    ),
    _row(
        "SLASH-STAKE",
        "stake never goes negative; slashed amounts are conserved (burned)",
        "6.10",
        Z,
        H,
    ),
    _row(
        "SLASH-DELEGATORS",
        "delegators lose the same fraction as their validator",
        "4.2",
        H,
        Z,
    ),
    _row(
        "GOV-PARAMS",
        "every parameter in its domain; shares coherent (cost + STB margin + STR margin = 100%"
        " of T; sub-shares sum to their margin)",
        "6.8",
        Z,
        H,
    ),
    _row(
        "GOV-SUPERMAJORITY",
        "burn % and network support % change only with > 2/3 of STR votes",
        "6.4, 6.5",
        H,
    ),
    _row(
        "GOV-SUBCOMMITTEE",
        "active iff > 1% of STR delegated; each unit in at most one",
        "6.8",
        H,
    ),
    _row(
        "GOV-COMPLAINT",
        "a resolved complaint's MinDeposit returns 80% to the complainant if upheld, else to the"
        " reserve pool; the other 20% pays the validators equally, its remainder to the reserve"
        " pool",
        "6.8",
        H,
    ),
    _row(
        "SUP-INFLATION",
        "inflation rate starts at 11%, never rises, never negative",
        "6.9",
        Z,
        H,
    ),
    _row(
        "REP-OUTBOUND",
        "an unqualified app never exceeds 10 outbound requests per minute",
        "4.5",
        H,
    ),
    _row(
        "GROUNDED",
        "for every scenario, the executor's observed outcome equals the model's prediction",
        "3",
        X,
    ),
)

INVARIANTS: dict[str, Invariant] = {invariant.id: invariant for invariant in CATALOGUE}
INVARIANT_IDS: tuple[str, ...] = tuple(invariant.id for invariant in CATALOGUE)


class UnknownInvariantError(KeyError):
    """Raised when a caller names an invariant ID that is not in the catalogue."""


def get_invariant(invariant_id: str) -> Invariant:
    """The catalogue row of `invariant_id`; an unknown ID raises UnknownInvariantError."""
    try:
        return INVARIANTS[invariant_id]
    except KeyError:
        known = ", ".join(INVARIANT_IDS)
        raise UnknownInvariantError(f"unknown invariant {invariant_id!r}; known: {known}") from None


def get_ids_for(engine: Engine) -> tuple[str, ...]:
    """The IDs `engine` claims, in catalogue order."""
    return tuple(invariant.id for invariant in CATALOGUE if engine in invariant.engines)


# --- The parameters each invariant reads ----------------------------------------------------------

# The six shares `model.arith.split_payment` reads; a negative part also refuses the payment.
_SPLIT_SHARES = (
    "payment.payment_rate_bps",
    "payment.stb_profit_margin_bps",
    "payment.stb_reserve_swap_bps",
    "payment.str_profit_margin_bps",
    "payment.str_burn_bps",
    "payment.str_network_support_bps",
)
# `model.arith.COHERENCE_KEYS`: every key a coherence rule of §6.8 reads.
_COHERENCE = (
    "payment.payment_rate_bps",
    "payment.stb_profit_margin_bps",
    "payment.stb_node_profit_bps",
    "payment.stb_reserve_swap_bps",
    "payment.str_profit_margin_bps",
    "payment.str_node_profit_bps",
    "payment.str_burn_bps",
    "payment.str_network_support_bps",
    "consensus.threshold_num",
    "consensus.threshold_den",
    "governance.supermajority_num",
    "governance.supermajority_den",
)
# Every key of the payment subspace.
_PAYMENT = (*_COHERENCE[:8], "payment.validation_floor_ustr")
_THRESHOLD = ("consensus.threshold_num", "consensus.threshold_den")
_TIMEOUTS = (
    "consensus.commit_timeout_seconds",
    "consensus.reveal_timeout_seconds",
    "consensus.app_salt_timeout_seconds",
)
_SCHEDULE = ("slashing.slash_base_bps", "slashing.slash_factor", "slashing.slash_cap_bps")

PARAMETERS_READ: dict[str, tuple[str, ...]] = {
    # One Z3 query encodes every transition kind: the split and the complaint refund (slash
    # rates are symbolic there, so no slashing key enters).
    "CONS-STR": (*_SPLIT_SHARES, "governance.complaint_refund_bps"),
    "CONS-STB": (*_SPLIT_SHARES, "governance.complaint_refund_bps"),
    "CONS-SPLIT": _SPLIT_SHARES,
    # The validation floor decides how many validators an escrow pays.
    "ESCROW-SOLVENT": (
        *_SPLIT_SHARES,
        "payment.validation_floor_ustr",
        "governance.complaint_refund_bps",
    ),
    "PAY-COST": _SPLIT_SHARES,
    # §6.3.3's example applies only where every payment key has its whitepaper value.
    "PAY-VECTOR": _PAYMENT,
    "PAY-BURN": _SPLIT_SHARES,
    # The threshold decides consensus, so who is paid.
    "PAY-ONLY-MAJORITY": _THRESHOLD,
    "BFT-THRESHOLD": _THRESHOLD,
    "BFT-UNIQUE": _THRESHOLD,
    "BFT-SOUND": _THRESHOLD,
    "BFT-TIMEOUT": _THRESHOLD,
    "BFT-ACCOUNTABLE": _THRESHOLD,
    # A reveal the profile cannot check is counted, and paid if its group passes the threshold.
    "CR-BINDING": _THRESHOLD,
    "CR-NO-COPY": _THRESHOLD,
    # The profile's encoding and reveal contents decide these three, not a parameter.
    "CR-APP-SALT": (),
    "CR-INJECTIVE": (),
    "CR-VERIFIABLE": (),
    "CR-PHASES": _TIMEOUTS,
    "ROUND-LIVE": _TIMEOUTS,
    "SLASH-BOUNDS": _SCHEDULE,
    "SLASH-DOUBLING": _SCHEDULE,
    # Decay is stated on the uncapped rate, so the cap does not enter it.
    "SLASH-DECAY": (
        "slashing.slash_base_bps",
        "slashing.slash_factor",
        "slashing.slash_window_seconds",
    ),
    "SLASH-STAKE": _SCHEDULE,
    "SLASH-DELEGATORS": _SCHEDULE,
    "GOV-PARAMS": _COHERENCE,
    "GOV-SUPERMAJORITY": ("governance.supermajority_num", "governance.supermajority_den"),
    "GOV-SUBCOMMITTEE": ("governance.subcommittee_activation_bps",),
    "GOV-COMPLAINT": ("governance.complaint_refund_bps",),
    "SUP-INFLATION": (
        "mint.inflation_initial_bps",
        "mint.inflation_step_bps",
        "mint.inflation_min_bps",
    ),
    "REP-OUTBOUND": (
        "reputation.outbound_requests_per_minute",
        "reputation.uncapped_min_stake_usd",
        "reputation.uncapped_min_active_seconds",
    ),
    # The executor's rounds run on the threshold and the phase timeouts.
    "GROUNDED": (*_THRESHOLD, *_TIMEOUTS),
}
"""Invariant ID -> the parameters ("subspace.key") whose value can change its verdict.

Read from the model and the proofs (`solver/proofs/*.py` reads them through `ParamTerms`); an
empty tuple means only the profile decides the invariant. Reports locate a failure at the
proposal lines that changed one of these.
"""


def get_parameters_read(invariant_id: str) -> tuple[str, ...]:
    """The parameters whose value can change `invariant_id`'s verdict, in parameter-set order."""
    get_invariant(invariant_id)
    return PARAMETERS_READ[invariant_id]
