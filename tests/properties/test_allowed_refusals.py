"""ACT-ALLOWED on proposals, tallies, complaints, double signs, subcommittees and grants, and
GOV-PARAMS on a proposal outside the documented domains: a model refusing what §6.8, §6.10 and
§6.5 allow (or accepting a value docs/model.md rules out) fails, the correct model holds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from broken_fixtures import APP, GENESIS, run_trace
from broken_rules import USER_0, V0, VOTING, P
from hypothesis import given, settings

import model.governance
from model.chain import economy, security, society
from model.chain.actions import (
    Action,
    AdvanceTime,
    CastVote,
    CreateSubcommittee,
    DelegateToSubcommittee,
    Equivocate,
    GrantNetworkSupport,
    ResolveComplaint,
    SetAppProfile,
    SubmitComplaint,
    SubmitProposal,
    SwapReserve,
    Tally,
    UndelegateFromSubcommittee,
)
from model.governance import NETWORK_SUPPORT_COMMITTEE, ParamChange, VoteOption
from model.profile import HARDENED, WHITEPAPER
from model.units import MICRO, Rejected
from oracle.domains import DOMAINS
from properties.invariants.allowed import JUDGED
from properties.strategies import GOVERNABLE, edge_value, one_key_past_a_bound

MIN_DEPOSIT = P.governance.complaint_min_deposit_ustr
AT_MAX = (ParamChange("reputation", "outbound_requests_per_minute", 10),)
"""A key at the top of its constitution range: the text's cap of 10 requests a minute (§4.5)."""
PAST_MAX = (ParamChange("slashing", "slash_factor", 101),)
IN_DOMAIN_OUTSIDE_THE_CONSTITUTION = (ParamChange("slashing", "slash_factor", 100),)
"""Inside the documented domain (1..100), outside the hardened range (the text's 2)."""
MIXED = (
    ParamChange("slashing", "slash_base_bps", 101),
    ParamChange("governance", "complaint_min_deposit_ustr", 2 * MICRO),
)
"""A protocol constant and an operational key, each in range: two processes in one proposal."""


def _refuse(*args: Any, **kwargs: Any) -> Rejected:
    return Rejected("broken", "refuses what the text allows")


def _proposal_then(*actions: Action) -> tuple[Action, ...]:
    return (SubmitProposal(USER_0, AT_MAX, MICRO), *actions)


CASES: tuple[tuple[str, object, str, tuple[Action, ...]], ...] = (
    ("proposal", society, "process_submit_proposal", (SubmitProposal(USER_0, AT_MAX, MICRO),)),
    ("tally", society, "process_tally", _proposal_then(AdvanceTime(VOTING), Tally(1))),
    (
        "resolution",
        society,
        "process_resolve_complaint",
        (SubmitComplaint("c0", USER_0, "node:n0", MIN_DEPOSIT), ResolveComplaint("c0", True)),
    ),
    (
        "double sign",
        security,
        "process_double_sign_evidence",
        (Equivocate(frozenset({V0}), frozenset(), frozenset()),),
    ),
    (
        "subcommittee",
        society,
        "process_create_subcommittee",
        (CreateSubcommittee("audits", USER_0),),
    ),
    (
        "subcommittee delegation",
        society,
        "process_delegate_to_subcommittee",
        (DelegateToSubcommittee(USER_0, "audits", MICRO),),
    ),
    (
        "subcommittee undelegation",
        society,
        "process_undelegate_from_subcommittee",
        (
            DelegateToSubcommittee(USER_0, NETWORK_SUPPORT_COMMITTEE, 2 * MICRO),
            UndelegateFromSubcommittee(USER_0, NETWORK_SUPPORT_COMMITTEE, MICRO),
        ),
    ),
    (
        "grant",
        economy,
        "process_network_support_grant",
        (
            # user-0's 600,000 STR is well over 1% of all STR.
            DelegateToSubcommittee(USER_0, NETWORK_SUPPORT_COMMITTEE, 500_000 * MICRO),
            GrantNetworkSupport(USER_0, 0, signers=frozenset({USER_0})),
        ),
    ),
    ("swap", economy, "process_swap_reserve", (SwapReserve(),)),
    ("app profile", society, "process_set_app_profile", (SetAppProfile(APP, True, MICRO),)),
)


@pytest.mark.parametrize(("name", "module", "rule", "actions"), CASES, ids=[c[0] for c in CASES])
def test_refusing_an_allowed_action__breaks_act_allowed(
    name: str,
    module: object,
    rule: str,
    actions: Sequence[Action],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if name == "subcommittee delegation":
        actions = (CreateSubcommittee("audits", USER_0), *actions)
    correct = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert not correct.violations, correct.violations
    assert correct.refused_by == ()
    monkeypatch.setattr(module, rule, _refuse)
    broken = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert "ACT-ALLOWED" in broken.violated, broken.violations
    assert any("refused by broken" in v for v in broken.violations)


@pytest.mark.parametrize(
    "actions",
    [
        (SubmitProposal(USER_0, PAST_MAX, MICRO),),
        (SubmitProposal(USER_0, (ParamChange("payment", "str_burn_bps", 1_200),), MICRO),),
        (SubmitProposal(USER_0, (*AT_MAX, *AT_MAX), MICRO),),
        (SubmitProposal(USER_0, (ParamChange("slashing", "slash_factr", 2),), MICRO),),
        (SubmitProposal(USER_0, AT_MAX, 10**30),),
        (SubmitProposal(USER_0, IN_DOMAIN_OUTSIDE_THE_CONSTITUTION, MICRO),),
        (SubmitProposal(USER_0, MIXED, MICRO),),
        _proposal_then(Tally(1)),
        _proposal_then(AdvanceTime(VOTING), Tally(1), Tally(1)),
        (ResolveComplaint("c0", True),),
        (Equivocate(frozenset(), frozenset(), frozenset()),),
        (Equivocate(frozenset({"validator-9"}), frozenset(), frozenset()),),  # type: ignore[arg-type]
        (GrantNetworkSupport(USER_0, 0),),
        (CreateSubcommittee(NETWORK_SUPPORT_COMMITTEE, USER_0),),
        (AdvanceTime(-1),),
        (SetAppProfile(APP, False, -1),),
    ],
)
def test_refusal_the_text_allows__holds(actions: Sequence[Action]) -> None:
    """Out of domain, incoherent (hardened), a key twice, an unknown key, a deposit not held,
    outside the hardened constitution's range, two processes mixed, a tally early or twice, no complaint, nobody or an unknown validator double-signing, a grant
    while the committee is inactive, a name taken, the clock back: refused, and rightly."""
    run = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert run.refused_by, "the correct model accepted it"
    assert "ACT-ALLOWED" in run.observed
    assert not run.violations, run.violations


def test_incoherent_proposal__is_allowed_under_the_literal_text() -> None:
    """§6.8 read literally adopts whatever passes: there, a refused incoherent proposal breaks
    ACT-ALLOWED."""
    change = (ParamChange("payment", "str_burn_bps", 1_200),)
    run = run_trace(GENESIS, [SubmitProposal(USER_0, change, MICRO)], params=P, profile=WHITEPAPER)
    assert run.refused_by == ()


@pytest.mark.parametrize("changes", [IN_DOMAIN_OUTSIDE_THE_CONSTITUTION, MIXED])
def test_constitution_refusal__is_allowed_under_the_literal_text(
    changes: tuple[ParamChange, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """§6.8 read literally lets any in-domain value and any mix of keys be proposed: there the
    chain accepts them, and a chain refusing them breaks ACT-ALLOWED."""
    actions = [SubmitProposal(USER_0, changes, MICRO)]
    assert run_trace(GENESIS, actions, params=P, profile=WHITEPAPER).refused_by == ()
    monkeypatch.setattr(society, "process_submit_proposal", _refuse)
    broken = run_trace(GENESIS, actions, params=P, profile=WHITEPAPER)
    assert "ACT-ALLOWED" in broken.violated, broken.violations


def test_constitution_refusal_naming_no_key__breaks_act_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A proposal the constitution alone refuses is refused for a reason that names the key."""
    actions = [SubmitProposal(USER_0, IN_DOMAIN_OUTSIDE_THE_CONSTITUTION, MICRO)]

    def unnamed(*args: Any, **kwargs: Any) -> Rejected:
        return Rejected("process_submit_proposal", "outside the constitution")

    monkeypatch.setattr(society, "process_submit_proposal", unnamed)
    broken = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert "ACT-ALLOWED" in broken.violated, broken.violations
    assert any("names none of ['slashing.slash_factor']" in v for v in broken.violations)


def _accept_any_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model without its domain check: any integer is proposed."""
    original: Callable[..., Any] = model.governance.compute_changed_params

    def unchecked(params: Any, changes: Any) -> Any:
        inside = tuple(change for change in changes if change.value <= 100)
        return original(params, inside) if inside else params

    monkeypatch.setattr(model.governance, "compute_changed_params", unchecked)


def test_accepted_proposal_outside_the_domain__breaks_gov_params(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    actions = (SubmitProposal(USER_0, PAST_MAX, MICRO), CastVote(1, USER_0, VoteOption.YES))
    assert not run_trace(GENESIS, actions, params=P, profile=HARDENED).violations
    _accept_any_value(monkeypatch)
    broken = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert "GOV-PARAMS" in broken.violated, broken.violations
    assert any("slashing.slash_factor is 101" in v for v in broken.violations)


def test_judged_kinds__include_governance_and_safety() -> None:
    names = {kind.__name__ for kind in JUDGED}
    assert names >= {
        "SubmitProposal",
        "Tally",
        "ResolveComplaint",
        "Equivocate",
        "GrantNetworkSupport",
        "CreateSubcommittee",
        "DelegateToSubcommittee",
        "UndelegateFromSubcommittee",
        "SlashValidator",
        "CommitBlock",
        "AdvanceTime",
        "MintInflation",
        "SwapReserve",
        "SetAppProfile",
    }


@pytest.mark.parametrize("edge", ["minimum", "maximum", "below-minimum", "above-maximum"])
def test_edge_values__come_from_the_documented_domains(edge: str) -> None:
    for spec in GOVERNABLE:
        domain = DOMAINS[spec.name]
        value = edge_value(spec, edge)
        if edge == "below-minimum":
            assert value == domain.minimum - 1
        elif edge == "above-maximum":
            assert value == domain.maximum + 1
        else:
            assert domain.contains(value)


@given(changes=one_key_past_a_bound())
@settings(max_examples=50, deadline=None)
def test_one_key_past_a_bound__is_a_single_out_of_domain_change(
    changes: tuple[ParamChange, ...],
) -> None:
    (change,) = changes
    name = f"{change.subspace}.{change.key}"
    assert not DOMAINS[name].contains(change.value)
    assert change.value in (DOMAINS[name].minimum - 1, DOMAINS[name].maximum + 1)
