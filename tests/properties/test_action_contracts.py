"""Each action contract (ACT-*) catches a model whose action does something other than it says.

For every ID a rule of the model is replaced by a broken version (a deposit minted to the wrong
account, a deposit id accepted twice, an undelegation that delegates, a mint one ustr short, a
vote accepted at the end of its period, ...) and a short trace is replayed through every checker:
under the correct model the trace exercises the contract and breaks nothing; under the broken one
it breaks that contract (and only the IDs listed beside it). The exhaustive round search runs the
round contract too, and the contracts cover every kind of action the chain has.
"""

from __future__ import annotations

import typing
from typing import Any

import attrs
import pytest
from attrs import frozen
from broken_fixtures import (
    APP,
    GENESIS,
    Break,
    credit,
    honest_round,
    plan,
    replace_rule,
    run_trace,
)
from broken_rules import DEFAULTS, GOLDEN_COST, USER_0, USER_1, USER_2, V0, V1, VOTING, P

import model.chain.economy
import model.chain.state
import model.committees
import model.trusted.decision
import model.trusted.round as round_model
import properties.replay
import properties.round_graph
from model import payment, supply
from model.chain import economy, security, society
from model.chain.actions import (
    Action,
    AdvanceTime,
    CastVote,
    Delegate,
    DelegateToSubcommittee,
    DepositUsdc,
    GrantNetworkSupport,
    MintInflation,
    ResolveComplaint,
    RunRound,
    SetAppProfile,
    SlashValidator,
    SubmitComplaint,
    SubmitProposal,
    Tally,
    Transfer,
    Undelegate,
    UndelegateFromSubcommittee,
    WithdrawPrepayment,
)
from model.chain.state import Genesis
from model.complaints import ComplaintBook, process_resolve_complaint, process_submit_complaint
from model.escrow import process_validation_payment, process_withdraw_prepayment
from model.governance import (
    NETWORK_SUPPORT_COMMITTEE,
    GovernanceState,
    ParamChange,
    VoteOption,
    process_delegate_to_subcommittee,
    process_tally,
    process_undelegate_from_subcommittee,
    process_vote,
)
from model.ledger import (
    BONDED_POOL,
    COMPLAINT_DEPOSITS,
    NETWORK_SUPPORT,
    NODE_STAKE_POOL,
    REWARDS_POOL,
    SWAP_RESERVE,
    Ledger,
    Token,
    get_escrow_account,
    get_locked_escrow_account,
    process_transfer,
)
from model.params import Params
from model.profile import HARDENED, Profile
from model.reputation import ReputationState, process_set_app_profile
from model.slashing import process_slash_validator
from model.staking import process_delegate, process_undelegate
from model.supply import SupplyState, process_inflation_mint, process_usdc_deposit
from model.trusted import settlement
from model.trusted.behaviour import Behaviour
from model.units import MICRO, SECONDS_PER_YEAR, AccountId, Rejected
from properties.catalogue import CATALOGUE, Engine
from properties.effort import Effort
from properties.explore import ROUND_INVARIANT_IDS, explore_rounds
from properties.invariants.actions import ACT_IDS, CONTRACTS
from properties.machine import CHECKED_BY_MACHINE
from properties.replay import replay
from properties.runner import Verdict, run_properties

MIN_DEPOSIT = P.governance.complaint_min_deposit_ustr
SUBCOMMITTEE = "flagged-activity-list"

# --- Broken rules, one sentence each -------------------------------------------------------------


def deposit_to_the_wrong_account(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A bridged deposit mints its STB to user-1, whoever the deposit names."""
    real = process_usdc_deposit

    def broken(ledger: Ledger, supply: SupplyState, **kwargs: Any) -> Any:
        return real(ledger, supply, **(kwargs | {"recipient": USER_1}))

    monkeypatch.setattr(economy, "process_usdc_deposit", broken)
    return DEFAULTS


def deposit_id_accepted_twice(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The bridge does not look at the deposit ids it processed, so a replay mints again."""
    real = process_usdc_deposit

    def broken(ledger: Ledger, supply: SupplyState, **kwargs: Any) -> Any:
        forgetful = attrs.evolve(supply, processed_deposits=frozenset())
        result = real(ledger, forgetful, **kwargs)
        if isinstance(result, Rejected):
            return result
        minted, after = result
        seen = supply.processed_deposits | after.processed_deposits
        return minted, attrs.evolve(after, processed_deposits=seen)

    monkeypatch.setattr(economy, "process_usdc_deposit", broken)
    return DEFAULTS


def transfer_to_a_third_account(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A transfer debits its sender and credits user-2, whoever the transfer names."""

    def broken(ledger: Ledger, **kwargs: Any) -> Any:
        return process_transfer(ledger, **(kwargs | {"recipient": USER_2}))

    monkeypatch.setattr(economy, "process_transfer", broken)
    return DEFAULTS


def transfer_into_an_escrow(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The chain lets a user send into an app's escrow (it no longer checks for user accounts)."""
    monkeypatch.setattr(economy, "is_user_account", lambda account: True)
    return DEFAULTS


def transfer_divides_by_its_memo(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A transfer of STR raises ZeroDivisionError (a rate computed over an empty denominator)
    instead of moving the tokens or being refused."""

    def broken(ledger: Ledger, **kwargs: Any) -> Any:
        if kwargs["token"] is Token.STR:
            return kwargs["amount"] // 0
        return process_transfer(ledger, **kwargs)

    monkeypatch.setattr(economy, "process_transfer", broken)
    return DEFAULTS


def withdrawal_refused_to_its_developer(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Params, Profile]:
    """The developer check inverted: the app's own developer is refused every withdrawal."""

    def broken(ledger: Ledger, book: Any, **kwargs: Any) -> Any:
        return Rejected("process_withdraw_prepayment", f"{kwargs['developer']} is the developer")

    monkeypatch.setattr(economy, "process_withdraw_prepayment", broken)
    return DEFAULTS


def undelegation_of_part_of_a_bond_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Params, Profile]:
    """An undelegation is refused unless it takes back the whole bond (`!=` for `<`)."""
    real = process_undelegate

    def broken(ledger: Ledger, staking: Any, **kwargs: Any) -> Any:
        bonded = staking.delegations.get((kwargs["delegator"], kwargs["validator"]), 0)
        if bonded != kwargs["amount"]:
            return Rejected("process_undelegate", f"{bonded} bonded, not {kwargs['amount']}")
        return real(ledger, staking, **kwargs)

    monkeypatch.setattr(security, "process_undelegate", broken)
    return DEFAULTS


def withdrawal_paid_to_a_user(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A prepayment withdrawal pays user-0 the STB instead of the app's developer."""
    real = process_withdraw_prepayment

    def broken(ledger: Ledger, book: Any, **kwargs: Any) -> Any:
        result = real(ledger, book, **kwargs)
        if isinstance(result, Rejected):
            return result
        return process_transfer(
            result,
            sender=kwargs["developer"],
            recipient=USER_0,
            token=Token.STB,
            amount=kwargs["ustb"],
        )

    monkeypatch.setattr(economy, "process_withdraw_prepayment", broken)
    return DEFAULTS


def reserve_share_to_network_support(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A paid round sends the swap reserve's STB to Network Support."""
    monkeypatch.setattr(payment, "SWAP_RESERVE", NETWORK_SUPPORT)
    return DEFAULTS


def validation_paid_to_a_user(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A round's validation prefund pays user-0, who validates nothing, not the validators."""
    real = process_validation_payment

    def broken(ledger: Ledger, book: Any, **kwargs: Any) -> Any:
        return real(ledger, book, **(kwargs | {"subscribers": (USER_0,)}))

    monkeypatch.setattr(settlement, "process_validation_payment", broken)
    return DEFAULTS


def undelegate_as_delegate(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """An undelegation bonds the amount once more instead of returning it."""

    def broken(ledger: Any, staking: Any, *, now: int, unbonding: bool, **kwargs: Any) -> Any:
        return process_delegate(ledger, staking, **kwargs)

    replace_rule(monkeypatch, process_undelegate, broken)
    return DEFAULTS


def slash_of_the_wrong_validator(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A fault of one validator slashes the bonds of v1 instead."""
    real = process_slash_validator

    def broken(*args: Any, **kwargs: Any) -> Any:
        return real(*args, **(kwargs | {"validator": V1}))

    monkeypatch.setattr(security, "process_slash_validator", broken)
    return DEFAULTS


def _mint_off_by(monkeypatch: pytest.MonkeyPatch, error: int) -> tuple[Params, Profile]:
    real = process_inflation_mint

    def broken(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        if isinstance(result, Rejected):
            return result
        ledger, supply, amount = result
        ledger = credit(ledger, REWARDS_POOL, Token.STR, error)
        return attrs.evolve(ledger, str_minted=ledger.str_minted + error), supply, amount + error

    monkeypatch.setattr(economy, "process_inflation_mint", broken)
    return DEFAULTS


def mint_too_little(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """An inflation mint mints one ustr less than the curve accrues (and counts it)."""
    return _mint_off_by(monkeypatch, -1)


def mint_too_much(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """An inflation mint mints one ustr more than the curve accrues (and counts it)."""
    return _mint_off_by(monkeypatch, 1)


def mint_into_network_support(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Inflation is minted into Network Support instead of the stakers' rewards pool."""
    monkeypatch.setattr(supply, "REWARDS_POOL", NETWORK_SUPPORT)
    return DEFAULTS


def grant_while_inactive(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Network Support pays grants whether or not its subcommittee is active."""
    monkeypatch.setattr(model.committees, "is_subcommittee_active", lambda *args: True)
    return DEFAULTS


def tally_ignores_bonded_str(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The tally weighs each voter by its liquid STR only: bonded STR loses its vote."""
    real = process_tally

    def broken(ledger: Ledger, gov: GovernanceState, **kwargs: Any) -> Any:
        return real(ledger, gov, **{**kwargs, "held": {}})

    monkeypatch.setattr(society, "process_tally", broken)
    return DEFAULTS


def tally_applies_nothing(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A tally says the proposal passed but leaves the live parameters as they were."""
    real = process_tally

    def broken(ledger: Ledger, gov: GovernanceState, **kwargs: Any) -> Any:
        result = real(ledger, gov, **kwargs)
        if isinstance(result, Rejected):
            return result
        after, changed, tally = result
        return after, attrs.evolve(changed, params=gov.params), tally

    monkeypatch.setattr(society, "process_tally", broken)
    return DEFAULTS


def subcommittee_undelegate_as_delegate(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Params, Profile]:
    """Taking STR back from a subcommittee delegates the amount once more."""
    replace_rule(
        monkeypatch, process_undelegate_from_subcommittee, process_delegate_to_subcommittee
    )
    return DEFAULTS


def complaint_at_the_min_deposit_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Params, Profile]:
    """The MinDeposit test inverted at its edge: a deposit of exactly the MinDeposit is refused
    (`<=` for `<`)."""
    real = process_submit_complaint

    def broken(ledger: Ledger, book: ComplaintBook, **kwargs: Any) -> Any:
        if kwargs["deposit_ustr"] <= kwargs["params"].governance.complaint_min_deposit_ustr:
            return Rejected("process_submit_complaint", "deposit below the MinDeposit")
        return real(ledger, book, **kwargs)

    monkeypatch.setattr(society, "process_submit_complaint", broken)
    return DEFAULTS


def complaint_locks_a_unit_less(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A complaint records its deposit but leaves one ustr of it with the complainant."""
    real = process_submit_complaint

    def broken(ledger: Ledger, book: ComplaintBook, **kwargs: Any) -> Any:
        result = real(ledger, book, **kwargs)
        if isinstance(result, Rejected):
            return result
        locked, filed = result
        back = process_transfer(
            locked,
            sender=COMPLAINT_DEPOSITS,
            recipient=kwargs["complainant"],
            token=Token.STR,
            amount=1,
        )
        return back, filed

    monkeypatch.setattr(society, "process_submit_complaint", broken)
    return DEFAULTS


def complaint_resolved_twice(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A resolved complaint is reopened whenever it is resolved again, and pays out again."""
    real = process_resolve_complaint

    def broken(ledger: Ledger, book: ComplaintBook, **kwargs: Any) -> Any:
        complaint = book.complaints.get(kwargs["complaint_id"])
        if complaint is not None:
            reopened = attrs.evolve(complaint, upheld=None)
            book = attrs.evolve(
                book, complaints=book.complaints.set(complaint.complaint_id, reopened)
            )
        return real(ledger, book, **kwargs)

    monkeypatch.setattr(society, "process_resolve_complaint", broken)
    return DEFAULTS


def profile_flips_open_source(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """An app profile records the opposite of the open-source flag it was given."""
    real = process_set_app_profile

    def broken(rep: ReputationState, **kwargs: Any) -> Any:
        return real(rep, **(kwargs | {"open_source": not kwargs["open_source"]}))

    monkeypatch.setattr(society, "process_set_app_profile", broken)
    return DEFAULTS


def vote_accepted_at_the_end(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Voting stays open one second longer: a vote at the end of the period is accepted."""
    real = process_vote

    def broken(gov: GovernanceState, **kwargs: Any) -> Any:
        return real(gov, **(kwargs | {"now": kwargs["now"] - 1}))

    monkeypatch.setattr(society, "process_vote", broken)
    return DEFAULTS


def tally_one_second_early(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A tally is accepted one second before the voting period ends."""
    real = process_tally

    def broken(ledger: Ledger, gov: GovernanceState, **kwargs: Any) -> Any:
        return real(ledger, gov, **(kwargs | {"now": kwargs["now"] + 1}))

    monkeypatch.setattr(society, "process_tally", broken)
    return DEFAULTS


def reveal_accepted_one_second_late(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A reveal one second past the reveal timeout is still accepted."""

    def broken(state: round_model.RoundState, now: int, params: Params) -> bool:
        assert state.reveal_opened_at is not None
        return now - state.reveal_opened_at > params.consensus.reveal_timeout_seconds + 1

    monkeypatch.setattr(round_model, "_reveal_deadline_passed", broken)
    return DEFAULTS


# --- The cases -----------------------------------------------------------------------------------


@frozen
class ContractCase:
    """One contract, the break aimed at it, and a trace that shows the break."""

    invariant_id: str
    breaks: Break
    actions: tuple[Action, ...]
    also: frozenset[str] = frozenset()
    """Other IDs the break cannot avoid breaking (a comment in the table says why)."""
    refused_by_correct: tuple[str, ...] = ()
    """Rules the correct model refuses the trace's actions with."""


A_CHANGE = (ParamChange("reputation", "outbound_requests_per_minute", 5),)
"""A change inside the constitution's range that no supermajority or coherence rule touches:
x/gov's majority adopts it once the votes cast reach the quorum."""
DEVELOPER = model.chain.state.get_developer(APP)
"""app-0's developer: about 45% of all STR votes (its liquid STR and its escrow), past x/gov's
quorum of a third on its own."""


BACKING = 500_000 * MICRO
"""More than 1% of the genesis' circulating STR (about 22 million STR)."""
ACTIVE_NETWORK_SUPPORT: tuple[Action, ...] = (
    DelegateToSubcommittee(USER_2, NETWORK_SUPPORT_COMMITTEE, BACKING),
    honest_round(cost=GOLDEN_COST),
)
"""Network Support's subcommittee active, and STR paid into Network Support by a round."""
NETWORK_SUPPORT_VOTE = frozenset({USER_2})
"""The signature of Network Support's only delegator: all of its delegated STR votes."""


def _proposal(*, wait: int) -> tuple[Action, ...]:
    return (SubmitProposal(USER_0, A_CHANGE, MICRO), AdvanceTime(wait))


CASES: tuple[ContractCase, ...] = (
    ContractCase(
        "ACT-BRIDGE", deposit_to_the_wrong_account, (DepositUsdc("d0", USER_0, 5 * MICRO),)
    ),
    ContractCase(
        "ACT-ONCE",
        deposit_id_accepted_twice,
        (DepositUsdc("d0", USER_0, 5 * MICRO), DepositUsdc("d0", USER_0, 5 * MICRO)),
        # CONS-STB keeps its own record of the bridge deposits it saw.
        also=frozenset({"CONS-STB"}),
        refused_by_correct=("process_usdc_deposit",),
    ),
    ContractCase(
        "ACT-TRANSFER",
        transfer_to_a_third_account,
        (Transfer(USER_0, USER_1, Token.STR, 1_000),),
    ),
    ContractCase(
        "ACT-TRANSFER",
        transfer_into_an_escrow,
        (
            Transfer(USER_0, USER_1, Token.STR, 1_000),
            Transfer(USER_0, get_escrow_account(APP), Token.STB, 1),
        ),
        refused_by_correct=("process_transfer_action",),
    ),
    ContractCase("ACT-ESCROW", withdrawal_paid_to_a_user, (WithdrawPrepayment(APP, 5 * MICRO, 0),)),
    ContractCase(
        "ACT-ROUND",
        reserve_share_to_network_support,
        (honest_round(cost=MICRO),),
        # CONS-SPLIT checks who receives each part of the split as well.
        also=frozenset({"CONS-SPLIT"}),
    ),
    ContractCase(
        "ACT-ROUND",
        validation_paid_to_a_user,
        (RunRound(APP, tuple(plan(i) for i in range(4)), MICRO, validation_prefund_ustr=MICRO),),
        # CONS-SPLIT and VAL-PAY check the validation payment of a round as well.
        also=frozenset({"CONS-SPLIT", "VAL-PAY"}),
    ),
    ContractCase(
        "ACT-STAKING",
        undelegate_as_delegate,
        (Delegate(USER_0, V0, 10 * MICRO), Undelegate(USER_0, V0, 4 * MICRO)),
    ),
    ContractCase("ACT-SLASH", slash_of_the_wrong_validator, (SlashValidator(V0),)),
    ContractCase(
        "ACT-SUPPLY",
        mint_too_little,
        (AdvanceTime(SECONDS_PER_YEAR), MintInflation()),
        # SUP-INFLATION bounds every mint by the same reading of the curve.
        also=frozenset({"SUP-INFLATION"}),
    ),
    ContractCase(
        "ACT-SUPPLY",
        mint_too_much,
        (AdvanceTime(SECONDS_PER_YEAR), MintInflation()),
        also=frozenset({"SUP-INFLATION"}),
    ),
    ContractCase(
        "ACT-SUPPLY",
        mint_into_network_support,
        (AdvanceTime(SECONDS_PER_YEAR), MintInflation()),
        # SUP-INFLATION checks where a mint goes as well.
        also=frozenset({"SUP-INFLATION"}),
    ),
    ContractCase(
        "ACT-GRANT",
        grant_while_inactive,
        (
            *ACTIVE_NETWORK_SUPPORT,
            GrantNetworkSupport(USER_1, MICRO, signers=NETWORK_SUPPORT_VOTE),
            # Network Support's subcommittee is inactive again (a fifth of its backing left, far
            # below 1%; its one delegator still votes all of it): the next grant must be refused.
            UndelegateFromSubcommittee(USER_2, NETWORK_SUPPORT_COMMITTEE, BACKING * 4 // 5),
            GrantNetworkSupport(USER_1, MICRO, signers=NETWORK_SUPPORT_VOTE),
        ),
        # GOV-SUBCOMMITTEE and SUB-POWERS hold Network Support to its committee's activation.
        also=frozenset({"GOV-SUBCOMMITTEE", "SUB-POWERS"}),
        refused_by_correct=("process_grant_network_support",),
    ),
    ContractCase(
        "ACT-GOVERNANCE",
        tally_applies_nothing,
        (
            SubmitProposal(USER_0, A_CHANGE, MICRO),
            CastVote(1, DEVELOPER, VoteOption.YES),
            AdvanceTime(VOTING),
            Tally(1),
        ),
    ),
    ContractCase(
        "ACT-GOVERNANCE",
        tally_ignores_bonded_str,
        (
            # USER_1 votes with 900 STR bonded: the tally must count them beside its liquid STR.
            Delegate(USER_1, V0, 900 * MICRO),
            SubmitProposal(USER_0, A_CHANGE, MICRO),
            CastVote(1, USER_0, VoteOption.YES),
            CastVote(1, USER_1, VoteOption.NO),
            AdvanceTime(VOTING),
            Tally(1),
        ),
    ),
    ContractCase(
        "ACT-SUBCOMMITTEE",
        subcommittee_undelegate_as_delegate,
        (
            DelegateToSubcommittee(USER_0, SUBCOMMITTEE, 10 * MICRO),
            UndelegateFromSubcommittee(USER_0, SUBCOMMITTEE, 4 * MICRO),
        ),
    ),
    ContractCase(
        "ACT-COMPLAINT",
        complaint_locks_a_unit_less,
        (SubmitComplaint("c0", USER_0, "node:n0", MIN_DEPOSIT),),
    ),
    ContractCase(
        "ACT-ONCE",
        complaint_resolved_twice,
        (
            SubmitComplaint("c0", USER_0, "node:n0", MIN_DEPOSIT),
            SubmitComplaint("c1", USER_1, "app:app-0", MIN_DEPOSIT),
            ResolveComplaint("c0", upheld=True),
            ResolveComplaint("c0", upheld=True),
        ),
        refused_by_correct=("process_resolve_complaint",),
    ),
    ContractCase("ACT-REPUTATION", profile_flips_open_source, (SetAppProfile(APP, True, 0),)),
    ContractCase(
        "ACT-DEADLINE",
        vote_accepted_at_the_end,
        (*_proposal(wait=VOTING), CastVote(1, USER_0, VoteOption.YES)),
        refused_by_correct=("process_vote",),
    ),
    ContractCase(
        "ACT-DEADLINE",
        tally_one_second_early,
        (*_proposal(wait=VOTING - 1), Tally(1)),
        refused_by_correct=("process_tally",),
    ),
    ContractCase(
        "ACT-DEADLINE",
        reveal_accepted_one_second_late,
        (RunRound(APP, (plan(0), plan(1), plan(2), plan(3, Behaviour.LATE_REVEAL)), MICRO),),
    ),
    ContractCase(
        "ACT-ALLOWED",
        withdrawal_refused_to_its_developer,
        (WithdrawPrepayment(APP, 5 * MICRO, 0),),
    ),
    ContractCase(
        "ACT-ALLOWED",
        undelegation_of_part_of_a_bond_refused,
        (Delegate(USER_0, V0, 10 * MICRO), Undelegate(USER_0, V0, 4 * MICRO)),
    ),
    ContractCase(
        "ACT-ALLOWED",
        complaint_at_the_min_deposit_refused,
        (SubmitComplaint("c0", USER_0, "node:n0", MIN_DEPOSIT),),
    ),
    ContractCase(
        "ACT-TOTAL",
        transfer_divides_by_its_memo,
        # The chain stays as it was after the raise, so the second transfer still runs.
        (Transfer(USER_0, USER_1, Token.STR, 1_000), Transfer(USER_0, USER_1, Token.STB, 1_000)),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.invariant_id}:{c.breaks.__name__}")
def test_broken_action__caught(case: ContractCase, monkeypatch: pytest.MonkeyPatch) -> None:
    correct = run_trace(GENESIS, case.actions, params=P, profile=HARDENED)
    assert case.invariant_id in correct.observed, "the trace never exercises the contract"
    assert not correct.violations, correct.violations
    assert correct.refused_by == case.refused_by_correct
    params, profile = case.breaks(monkeypatch)
    broken = run_trace(GENESIS, case.actions, params=params, profile=profile)
    assert case.invariant_id in broken.violated, (case.breaks.__doc__, broken.violations)
    assert broken.violated <= {case.invariant_id} | case.also, broken.violations


def test_cases__cover_every_contract() -> None:
    assert {case.invariant_id for case in CASES} == set(ACT_IDS)
    for case in CASES:
        assert case.breaks.__doc__, case.breaks.__name__


def test_contract_ids__are_the_catalogue_rows_the_machine_asserts() -> None:
    rows = [row for row in CATALOGUE if row.id.startswith("ACT-")]
    assert tuple(row.id for row in rows) == ACT_IDS
    assert all(Engine.HYPOTHESIS in row.engines for row in rows)
    assert all(CHECKED_BY_MACHINE[invariant_id] for invariant_id in ACT_IDS)
    assert {"ACT-ROUND", "ACT-DEADLINE"} <= set(ROUND_INVARIANT_IDS)


def test_contracts__cover_every_kind_of_action() -> None:
    assert set(CONTRACTS) == set(typing.get_args(Action))


# --- The exhaustive round search -----------------------------------------------------------------


def test_exploration__runs_the_round_contract_on_every_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every settled round of the bounded search is held to ACT-ROUND, and every round state
    with reveals to the reveal deadline; a settlement that pays the wrong pool is found."""
    correct = explore_rounds(params=P, profile=HARDENED, max_nodes=2)
    for invariant_id in ("ACT-ROUND", "ACT-DEADLINE"):
        result = correct.get_result(invariant_id)
        assert result.observed > 0 and result.violations == 0, result
    reserve_share_to_network_support(monkeypatch)
    broken = explore_rounds(params=P, profile=HARDENED, max_nodes=2)
    found = broken.get_result("ACT-ROUND")
    assert found.violations > 0 and found.counterexample is not None
    assert "module:network_support" in found.counterexample.detail


# --- A finding, fixed: grants and bridge deposits paid into a pool ------------------------------


def _accept_any_recipient(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model as it was: a grant or a bridge deposit paid to any account."""
    monkeypatch.setattr(model.chain.economy, "is_user_account", lambda account: True)


@pytest.mark.parametrize("pool", [BONDED_POOL, NODE_STAKE_POOL, get_escrow_account(APP)])
def test_grant_into_a_pool__refused_and_caught_without_the_guard(
    pool: AccountId, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/findings.md: §6.5's grants pay people, and a pool's balance must match its own
    records. The chain refuses a grant into a pool; without that guard a grant into the bonded
    pool or the node stake pool leaves them holding more than their bonds and stakes, and
    ACT-GRANT catches every such grant."""
    actions = (
        *ACTIVE_NETWORK_SUPPORT,
        GrantNetworkSupport(pool, 5 * MICRO, signers=NETWORK_SUPPORT_VOTE),
    )
    refused = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert refused.refused_by == ("process_grant_network_support",)
    assert not refused.violations
    _accept_any_recipient(monkeypatch)
    found = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert found.refused_by == ()
    pools_out_of_step = {"CONS-STR"} if pool in (BONDED_POOL, NODE_STAKE_POOL) else set()
    assert found.violated == {"ACT-GRANT", *pools_out_of_step}, found.violations
    to_a_user = run_trace(
        GENESIS,
        (
            *ACTIVE_NETWORK_SUPPORT,
            GrantNetworkSupport(USER_1, 5 * MICRO, signers=NETWORK_SUPPORT_VOTE),
        ),
        params=P,
        profile=HARDENED,
    )
    assert "ACT-GRANT" in to_a_user.observed and not to_a_user.violations


@pytest.mark.parametrize("pool", [SWAP_RESERVE, get_locked_escrow_account(APP)])
def test_bridge_deposit_into_a_pool__refused_and_caught_without_the_guard(
    pool: AccountId, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/findings.md: §6.1 mints a bridged deposit's STB to "the receiving Stratosphere
    wallet address". The chain refuses a pool; without that guard STB minted into the locked
    escrow leaves it holding more than its locked payments (ESCROW-SOLVENT), and into the swap
    reserve it is swapped and burned without anyone paying a node."""
    deposit = (DepositUsdc("d0", pool, 5 * MICRO),)
    refused = run_trace(GENESIS, deposit, params=P, profile=HARDENED)
    assert refused.refused_by == ("process_deposit_usdc",)
    assert not refused.violations
    _accept_any_recipient(monkeypatch)
    found = run_trace(GENESIS, deposit, params=P, profile=HARDENED)
    assert found.refused_by == ()
    locked = {"ESCROW-SOLVENT"} if pool == get_locked_escrow_account(APP) else set()
    assert found.violated == {"ACT-BRIDGE", *locked}, found.violations


# --- A transition that raises is a failed invariant, not a broken engine --------------------------


def test_a_raising_model__fails_act_total_with_a_trace_that_replays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Hypothesis engine reports a model exception as ACT-TOTAL's counterexample (a trace
    with the STR transfer that raises), and the other invariants keep their verdicts."""
    params, profile = transfer_divides_by_its_memo(monkeypatch)
    small = Effort("small", max_examples=60, steps_per_example=12, explore_max_nodes=1)
    report = run_properties(params, profile, small, 0, explore=False)
    by_id = {result.invariant_id: result for result in report.results}
    total = by_id["ACT-TOTAL"]
    assert total.verdict is Verdict.FAIL and total.counterexample is not None
    assert "Transfer raised ZeroDivisionError" in total.counterexample.detail
    assert any(
        isinstance(action, Transfer) and action.token is Token.STR
        for action in total.counterexample.actions
    )
    others = {r.invariant_id for r in report.results if r.verdict is Verdict.FAIL}
    assert others == {"ACT-TOTAL"}, others
    assert total.counterexample.genesis is not None
    replayed = replay(
        total.counterexample.genesis,
        total.counterexample.actions,
        params=params,
        profile=profile,
    )
    assert {v.invariant_id for v in replayed.violations} == {"ACT-TOTAL"}


def test_a_raising_genesis__fails_act_total_on_the_genesis_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A genesis the model cannot build (it raises instead of refusing) is ACT-TOTAL's
    counterexample, with no action, and replaying it shows the same violation."""
    real = model.chain.state.create_chain

    def broken(genesis: Genesis, **kwargs: Any) -> Any:
        if len(genesis.validator_bonds) > 1:
            raise KeyError("validator-1")
        return real(genesis, **kwargs)

    monkeypatch.setattr(properties.replay, "create_chain", broken)
    small = Effort("small", max_examples=30, steps_per_example=5, explore_max_nodes=1)
    report = run_properties(P, HARDENED, small, 0, explore=False)
    total = {result.invariant_id: result for result in report.results}["ACT-TOTAL"]
    assert total.verdict is Verdict.FAIL and total.counterexample is not None
    assert total.counterexample.actions == ()
    assert "the genesis raised KeyError" in total.counterexample.detail
    assert total.counterexample.genesis is not None
    replayed = replay(total.counterexample.genesis, (), params=P, profile=HARDENED)
    assert [v.invariant_id for v in replayed.violations] == ["ACT-TOTAL"]


def test_a_raising_round_transition__fails_act_total_in_the_round_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The exhaustive round search reports a round transition that raises as ACT-TOTAL, naming
    the assignment, and goes on with the other assignments and invariants."""
    real = model.trusted.decision.process_decide

    def broken(state: Any, **kwargs: Any) -> Any:
        if len(state.assigned) > 1:
            raise ZeroDivisionError("integer division or modulo by zero")
        return real(state, **kwargs)

    monkeypatch.setattr(properties.round_graph, "process_decide", broken)
    report = explore_rounds(params=P, profile=HARDENED, max_nodes=2)
    total = report.get_result("ACT-TOTAL")
    assert total.violations > 0 and total.counterexample is not None
    assert "raised ZeroDivisionError" in total.counterexample.detail
    # One-node assignments still ran, and held.
    assert total.observed > total.violations
    assert report.get_result("ACT-ROUND").violations == 0


def test_a_model_that_refuses_every_genesis__fails_act_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A genesis with every amount in range is allowed; a model that refuses them all fails
    ACT-ALLOWED on the genesis alone, and the engine still reports (no chain is ever built, so
    the re-runs for other invariants stop at once instead of finding nothing to run)."""

    def refusing(genesis: Genesis, **kwargs: Any) -> Any:
        return Rejected("create_genesis", "cannot allocate genesis STR to the burn address")

    monkeypatch.setattr(properties.replay, "create_chain", refusing)
    small = Effort("small", max_examples=20, steps_per_example=5, explore_max_nodes=1)
    report = run_properties(P, HARDENED, small, 0, explore=False)
    allowed = {result.invariant_id: result for result in report.results}["ACT-ALLOWED"]
    assert allowed.verdict is Verdict.FAIL and allowed.counterexample is not None
    assert allowed.counterexample.actions == ()
    assert "a genesis with every amount in range was refused" in allowed.counterexample.detail
