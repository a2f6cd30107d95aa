"""The chain's governance parameters: every key, its domain, and the whitepaper's defaults.

A `Params` value is always inside its domain (construction checks it); whether its shares are
coherent (GOV-PARAMS, §6.8) is computed as data in `model.coherence`, so a proposal that breaks
coherence is reported as a failed invariant rather than refused as bad input (the hardened
profile's governance refuses it at the vote instead). Reading a parameter document or a
proposal's changes into a `Params` is `reports.param_documents`' job.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, ClassVar

import attrs
from attrs import field, frozen

from model.records import evolve
from model.units import BPS_DENOMINATOR


class ParamsError(ValueError):
    """Root of the errors a parameter set or proposal raises: always bad input, never a bug."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class MalformedParamsError(ParamsError):
    """Raised when a document does not have the shape of a parameter set or a change list."""


class UnknownParamError(ParamsError):
    """Raised for a subspace or key that the parameter set does not have."""


class NotAnIntegerError(ParamsError):
    """Raised when a value is neither a JSON integer nor a decimal integer string."""


class OutOfDomainError(ParamsError):
    """Raised when an integer value lies outside its key's allowed range."""


class DuplicateChangeError(ParamsError):
    """Raised when one change list sets the same key twice."""


@frozen
class ParamSpec:
    """One key of the parameter set: where it lives, its default, its domain, its section."""

    subspace: str
    key: str
    default: int
    minimum: int
    maximum: int
    section: str
    meaning: str

    @property
    def name(self) -> str:
        return f"{self.subspace}.{self.key}"


def _domain(minimum: int, maximum: int, section: str, meaning: str) -> dict[str, Any]:
    return {"minimum": minimum, "maximum": maximum, "section": section, "meaning": meaning}


def _check_domain(instance: Any, attribute: attrs.Attribute[int], value: object) -> None:
    where = f"{type(instance).SUBSPACE}.{attribute.name}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise NotAnIntegerError(where, f"expected an integer, got {value!r}")
    low, high = attribute.metadata["minimum"], attribute.metadata["maximum"]
    if not low <= value <= high:
        raise OutOfDomainError(where, f"{value} is outside the allowed range {low}..{high}")


_BPS = (0, BPS_DENOMINATOR)
_AMOUNT_MAX = 10**24
_SECONDS_MAX = 100 * 365 * 86_400


@frozen
class PaymentParams:
    """§6.3 and §6.8: the node payment rate and the shares of the total payment T."""

    SUBSPACE: ClassVar[str] = "payment"

    payment_rate_bps: int = field(
        default=20_000,
        validator=_check_domain,
        metadata=_domain(0, 1_000_000, "4.4, 6.3", "node payment T as a multiple of cost C"),
    )
    stb_profit_margin_bps: int = field(
        default=1_000,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.8", "STB profit margin, share of T"),
    )
    stb_node_profit_bps: int = field(
        default=500,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.8", "of the STB margin, to the node"),
    )
    stb_reserve_swap_bps: int = field(
        default=500,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.7, 6.8", "of the STB margin, to the swap reserve"),
    )
    str_profit_margin_bps: int = field(
        default=4_000,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.8", "STR profit margin, share of T"),
    )
    str_node_profit_bps: int = field(
        default=2_000,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.8", "of the STR margin, to the node"),
    )
    str_burn_bps: int = field(
        default=1_000,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.4, 6.8", "of the STR margin, burned"),
    )
    str_network_support_bps: int = field(
        default=1_000,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.5, 6.8", "of the STR margin, to network support"),
    )
    validation_floor_ustr: int = field(
        default=1,
        validator=_check_domain,
        metadata=_domain(0, _AMOUNT_MAX, "4.4", "least validation payment a validator accepts"),
    )


@frozen
class SlashingParams:
    """§6.10: the exponentially time-weighted slash schedule."""

    SUBSPACE: ClassVar[str] = "slashing"

    slash_base_bps: int = field(
        default=500,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.10", "rate of the first slash in a window"),
    )
    slash_factor: int = field(
        default=2,
        validator=_check_domain,
        metadata=_domain(1, 100, "6.10", "multiplier per repeat slash within a window"),
    )
    slash_cap_bps: int = field(
        default=10_000,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.10", "highest slash rate (profile hardened only)"),
    )
    slash_window_seconds: int = field(
        default=63_072_000,
        validator=_check_domain,
        metadata=_domain(1, _SECONDS_MAX, "6.10", "window after which the level decays"),
    )


@frozen
class ConsensusParams:
    """§3.2, §3.3, §4.2: thresholds, the validator set size and the round timeouts."""

    SUBSPACE: ClassVar[str] = "consensus"

    threshold_num: int = field(
        default=2,
        validator=_check_domain,
        metadata=_domain(1, 1_000, "3.3, 4.2", "consensus iff agree * den > num * N"),
    )
    threshold_den: int = field(
        default=3,
        validator=_check_domain,
        metadata=_domain(1, 1_000, "3.3, 4.2", "denominator of the threshold"),
    )
    max_validators: int = field(
        default=100,
        validator=_check_domain,
        metadata=_domain(1, 10_000, "4.2", "size of the active validator set"),
    )
    commit_timeout_seconds: int = field(
        default=60,
        validator=_check_domain,
        metadata=_domain(1, 30 * 86_400, "3.2 F5", "commit phase length"),
    )
    reveal_timeout_seconds: int = field(
        default=60,
        validator=_check_domain,
        metadata=_domain(1, 30 * 86_400, "3.2 F7", "reveal phase length"),
    )
    app_salt_timeout_seconds: int = field(
        default=60,
        validator=_check_domain,
        metadata=_domain(
            1,
            30 * 86_400,
            "3.2 F6",
            "time the app has to reveal its salts once the commit phase closes (hardened)",
        ),
    )


@frozen
class MintParams:
    """§6.9: STR inflation, 11% a year at genesis, decreasing logarithmically (docs/model.md)."""

    SUBSPACE: ClassVar[str] = "mint"

    inflation_initial_bps: int = field(
        default=1_100,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.9", "yearly inflation rate at genesis"),
    )
    inflation_step_bps: int = field(
        default=100,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.9", "rate drop each time the age in years doubles"),
    )
    inflation_min_bps: int = field(
        default=200,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.9", "floor of the yearly inflation rate"),
    )


@frozen
class GovernanceParams:
    """§6.4, §6.5, §6.8: votes, subcommittees and complaints."""

    SUBSPACE: ClassVar[str] = "governance"

    supermajority_num: int = field(
        default=2,
        validator=_check_domain,
        metadata=_domain(
            1, 1_000, "6.4, 6.5", "burn and network-support changes need yes > num/den"
        ),
    )
    supermajority_den: int = field(
        default=3,
        validator=_check_domain,
        metadata=_domain(1, 1_000, "6.4, 6.5", "denominator of the supermajority"),
    )
    subcommittee_activation_bps: int = field(
        default=100,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.8", "share of all STR delegated that activates a subcommittee"),
    )
    complaint_refund_bps: int = field(
        default=8_000,
        validator=_check_domain,
        metadata=_domain(*_BPS, "6.8", "MinDeposit share returned to the app or sent to reserve"),
    )
    complaint_min_deposit_ustr: int = field(
        default=1_000_000,
        validator=_check_domain,
        metadata=_domain(0, _AMOUNT_MAX, "6.8, 6.9", "MinDeposit of a complaint"),
    )
    voting_period_seconds: int = field(
        default=1_209_600,
        validator=_check_domain,
        metadata=_domain(1, _SECONDS_MAX, "6.8", "how long a parameter-change vote stays open"),
    )


@frozen
class ReputationParams:
    """§4.5: the outbound-request cap and the three ways an app is exempt from it."""

    SUBSPACE: ClassVar[str] = "reputation"

    outbound_requests_per_minute: int = field(
        default=10,
        validator=_check_domain,
        metadata=_domain(0, 1_000_000, "4.5", "outbound requests per minute of an unqualified app"),
    )
    uncapped_min_stake_usd: int = field(
        default=10_000,
        validator=_check_domain,
        metadata=_domain(0, 10**15, "4.5", "stake (whole USD of STR) above which the cap lifts"),
    )
    uncapped_min_active_seconds: int = field(
        default=15_552_000,
        validator=_check_domain,
        metadata=_domain(0, _SECONDS_MAX, "4.5", "active time above which the cap lifts"),
    )


@frozen
class MarketParams:
    """§6.6, §6.7: Stratoswap, the STR / STB pool the swap reserve's market order trades with."""

    SUBSPACE: ClassVar[str] = "market"

    stratoswap_fee_bps: int = field(
        default=30,
        validator=_check_domain,
        metadata=_domain(
            0, 1_000, "6.6", "exchange commission kept by the pool for its providers (no number)"
        ),
    )
    initiation_fee_ustr: int = field(
        default=1_000_000,
        validator=_check_domain,
        metadata=_domain(
            0, _AMOUNT_MAX, "4.3.3, 4.4", "initiation payment per node launched (no number)"
        ),
    )
    max_deviation_bps: int = field(
        default=3_333,
        validator=_check_domain,
        metadata=_domain(*_BPS, "4.3.3", "largest allowed deviation an app may set (hardened)"),
    )
    max_str_margin_bps: int = field(
        default=8_000,
        validator=_check_domain,
        metadata=_domain(
            0, 1_000_000, "4.4, 6.3.2", "largest STR margin a node may bid, bps of cost (hardened)"
        ),
    )
    external_request_payout_ustb: int = field(
        default=1_000,
        validator=_check_domain,
        metadata=_domain(
            0, _AMOUNT_MAX, "4.4", "minimum base payout per external request, in ustb (no number)"
        ),
    )


SUBSPACES: dict[str, type[Any]] = {
    cls.SUBSPACE: cls
    for cls in (
        PaymentParams,
        SlashingParams,
        ConsensusParams,
        MintParams,
        GovernanceParams,
        ReputationParams,
        MarketParams,
    )
}


@frozen
class Params:
    """A complete parameter set, every value inside its domain."""

    payment: PaymentParams = field(factory=PaymentParams)
    slashing: SlashingParams = field(factory=SlashingParams)
    consensus: ConsensusParams = field(factory=ConsensusParams)
    mint: MintParams = field(factory=MintParams)
    governance: GovernanceParams = field(factory=GovernanceParams)
    reputation: ReputationParams = field(factory=ReputationParams)
    market: MarketParams = field(factory=MarketParams)


WHITEPAPER_PARAMS = Params()
"""The whitepaper's defaults (DESIGN.md's table); `fixtures/params/whitepaper.json` mirrors it."""


@cache
def param_specs() -> tuple[ParamSpec, ...]:
    """Every key of the parameter set, in a stable order (subspace, then declaration)."""
    # Built once: the checkers read parameters by name on every step of every machine run.
    return tuple(_iter_specs())


@cache
def _specs_by_name() -> dict[tuple[str, str], ParamSpec]:
    return {(spec.subspace, spec.key): spec for spec in param_specs()}


def _iter_specs() -> Iterator[ParamSpec]:
    for subspace, cls in SUBSPACES.items():
        for attribute in attrs.fields(cls):
            yield ParamSpec(
                subspace=subspace,
                key=attribute.name,
                default=attribute.default,
                minimum=attribute.metadata["minimum"],
                maximum=attribute.metadata["maximum"],
                section=attribute.metadata["section"],
                meaning=attribute.metadata["meaning"],
            )


def get_param(params: Params, subspace: str, key: str) -> int:
    """The value of `subspace.key`; an unknown name is bad input."""
    get_param_spec(subspace, key, where=f"{subspace}.{key}")
    value: int = getattr(getattr(params, subspace), key)
    return value


def get_param_by_name(params: Params, name: str) -> int:
    """The value of parameter `name`, written "subspace.key"."""
    subspace, key = _split_param_name(name)
    value: int = getattr(getattr(params, subspace), key)
    return value


@cache
def _split_param_name(name: str) -> tuple[str, str]:
    # The payment split and the GOV-PARAMS checker read a dozen parameters by name on every
    # step: the name is split and checked once (an unknown one raises, and is not cached).
    subspace, key = name.split(".")
    get_param_spec(subspace, key, where=f"{subspace}.{key}")
    return subspace, key


def params_to_document(params: Params) -> dict[str, dict[str, int]]:
    """The parameter set as JSON-ready nested dicts, keys in the stable order of `param_specs`."""
    document: dict[str, dict[str, int]] = {}
    for spec in param_specs():
        document.setdefault(spec.subspace, {})[spec.key] = get_param(
            params, spec.subspace, spec.key
        )
    return document


def with_values(params: Params, values: Mapping[tuple[str, str], int]) -> Params:
    """`params` with the given `(subspace, key) -> value` replaced, domains checked."""
    by_subspace: dict[str, dict[str, int]] = {}
    for (subspace, key), value in values.items():
        get_param_spec(subspace, key, where=f"{subspace}.{key}")
        by_subspace.setdefault(subspace, {})[key] = value
    updated = {
        subspace: evolve(getattr(params, subspace), **changes)
        for subspace, changes in by_subspace.items()
    }
    return evolve(params, **updated)


def get_param_spec(subspace: object, key: object, *, where: str) -> ParamSpec:
    """The spec of `subspace.key`; an unknown name raises UnknownParamError at `where` (the
    input layer, `reports.param_documents`, words it for users with the names it knows)."""
    if isinstance(subspace, str) and isinstance(key, str):
        found = _specs_by_name().get((subspace, key))
        if found is not None:
            return found
    raise UnknownParamError(where, "unknown parameter")
