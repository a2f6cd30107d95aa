"""The machine reaches every boundary state, an unreached one leaves its invariants vacuous, and
a bug that shows only on a boundary is caught there and nowhere else.

Boundaries are read from the engine's own evidence (`PropertyReport.boundaries`); the
boundary-only bugs patch one comparison of the model by one second and drive the machine's own
boundary rule to the second before, on and after the edge.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import pytest
from hypothesis import Phase

from model import reputation, slashing
from model.chain.actions import Action, Delegate, DelegateToSubcommittee, DepositUsdc, RedeemStb
from model.chain.state import Genesis
from model.governance import NETWORK_SUPPORT_COMMITTEE
from model.ledger import NODE_STAKE_POOL, get_escrow_account, get_locked_escrow_account
from model.params import WHITEPAPER_PARAMS, Params
from model.profile import HARDENED
from model.reputation import AppReputation
from model.slashing import SlashRecord
from model.units import SECONDS_PER_MINUTE, AppId, Seconds, ValidatorId
from properties.driver import VIOLATIONS
from properties.edges import BOUNDARIES, BY_NAME, get_boundaries_of
from properties.effort import EFFORTS, Effort, get_settings
from properties.evidence import Recorder
from properties.machine import ChainMachine
from properties.replay import replay
from properties.runner import PropertyReport, Verdict, run_properties

APP = AppId("app-0")
GENESIS = Genesis(
    user_ustr=(10**9,) * 3,
    user_ustb=(10**9,) * 3,
    validator_bonds=(10**9,) * 3,
    node_stakes=(10**9,) * 4,
    developer_ustr=10**15,
    developer_ustb=10**15,
    prepay_ustr=10**12,
    prepay_ustb=10**12,
    price=Fraction(1),
)


@pytest.fixture(scope="module")
def quick() -> PropertyReport:
    return run_properties(WHITEPAPER_PARAMS, HARDENED, EFFORTS["quick"], 0, explore=False)


@pytest.mark.slow
def test_every_boundary_is_reached_at_quick_effort(quick: PropertyReport) -> None:
    reached = {row.name: row.reached for row in quick.boundaries}
    assert set(reached) == {boundary.name for boundary in BOUNDARIES}
    missed = [b.name for b in BOUNDARIES if not b.unreachable and not reached[b.name]]
    assert missed == []
    # The examples that reached a boundary are counted apart from its steps.
    assert all(row.examples <= row.reached for row in quick.boundaries)


@pytest.mark.slow
def test_unreachable_boundaries_stay_unreached_until_the_chain_changes(
    quick: PropertyReport,
) -> None:
    # §4.5's active-time exemption was the last unreachable edge: a settled round now starts an
    # app's active use (docs/model.md "Active use"), and `process_outbound_at_active_age` asks
    # past the cap a second before, on and after six months of it. The round deadlines are
    # reached with governed timeouts of one or two seconds, which the constitution allows.
    unreachable = [row for row in quick.boundaries if row.unreachable]
    assert unreachable == []
    reached = {row.name: row.reached for row in quick.boundaries}
    for side in ("before", "on", "after"):
        assert reached[f"outbound-active.{side}"] > 0, side


@pytest.mark.slow
def test_quick_effort_passes_every_invariant_with_its_boundaries(quick: PropertyReport) -> None:
    verdicts = {row.invariant_id: row.verdict for row in quick.results}
    assert {v for v in verdicts.values()} == {Verdict.PASS}, verdicts


def test_every_boundary_names_invariants_the_machine_checks() -> None:
    checked = set(ChainMachine.asserted)
    for boundary in BOUNDARIES:
        assert boundary.invariants and set(boundary.invariants) <= checked, boundary.name
    # Each deadline and threshold is reached from both sides and exactly on it.
    for prefix in ("commit-timeout", "reveal-timeout", "voting-end.vote", "slash-window"):
        assert {f"{prefix}.{side}" for side in ("before", "on", "after")} <= set(BY_NAME)
    for prefix in ("supermajority", "majority", "subcommittee", "round-threshold"):
        assert {f"{prefix}.{level}" for level in ("below", "on", "above")} <= set(BY_NAME)


class WithoutTheMinuteRule(ChainMachine):
    """The machine with its outbound-minute rule taken away (a plain method is no rule)."""

    def process_outbound_at_minute(self) -> None:
        raise AssertionError("not a rule any more")


def test_a_boundary_never_reached_makes_its_invariant_vacuous() -> None:
    small = Effort("small", max_examples=60, steps_per_example=20, explore_max_nodes=1)
    only = frozenset({"REP-OUTBOUND"})
    report = run_properties(
        WHITEPAPER_PARAMS, HARDENED, small, 0, only=only, machine=WithoutTheMinuteRule
    )
    (result,) = report.results
    assert result.observations > 0  # checked, but never on the minute's edge
    assert result.verdict is Verdict.VACUOUS
    missed = [row.name for row in report.boundaries if row.name.startswith("outbound-minute.")]
    assert any(name in result.note for name in missed)
    assert "outbound-minute" in result.note
    assert {b.name for b in get_boundaries_of("REP-OUTBOUND")} >= set(missed)


# --- Bugs that show only on a boundary ----------------------------------------------------------


def _machine() -> ChainMachine:
    machine_class: type[ChainMachine] = type("EdgeRun", (ChainMachine,), {"recorder": Recorder()})
    machine = machine_class()
    machine.create_chain(genesis=GENESIS)
    return machine


def _caught(rule: object, invariant: str, **arguments: object) -> bool:
    machine = _machine()
    getattr(machine, rule)(**arguments)  # type: ignore[call-overload]
    try:
        machine.check(invariant)
    except VIOLATIONS[invariant]:
        return True
    return False


@pytest.fixture
def minute_ends_a_second_early(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """§4.5: the outbound window forgets a request 59 seconds old, a second too soon."""

    def broken(app: AppReputation, *, now: Seconds) -> tuple[Seconds, ...]:
        return tuple(time for time in app.outbound_log if time > now - SECONDS_PER_MINUTE + 1)

    monkeypatch.setattr(reputation, "get_outbound_window", broken)
    yield


@pytest.mark.usefixtures("minute_ends_a_second_early")
def test_a_minute_a_second_short_is_caught_only_a_second_before_its_end() -> None:
    caught = {
        offset: _caught(
            "fill_outbound_cap_then_ask",
            "REP-OUTBOUND",
            app=APP,
            offset=offset,
            price=Fraction(1),
        )
        for offset in (-1, 0, 1)
    }
    assert caught == {-1: True, 0: False, 1: False}


def test_the_minute_rule_breaks_nothing_on_the_correct_model() -> None:
    for offset in (-1, 0, 1):
        assert not _caught(
            "fill_outbound_cap_then_ask", "REP-OUTBOUND", app=APP, offset=offset, price=1
        )


@pytest.fixture
def window_ends_a_second_early(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """§6.10: a slash window counts as expired a second before it ends."""

    def broken(record: SlashRecord, now: Seconds, params: Params) -> int:
        if record.last_slash_time is None or now < record.last_slash_time:
            return 0
        return (now - record.last_slash_time + 1) // params.slashing.slash_window_seconds

    monkeypatch.setattr(slashing, "get_expired_windows", broken)
    yield


@pytest.mark.usefixtures("window_ends_a_second_early")
def test_a_window_a_second_short_is_caught_only_a_second_before_its_end() -> None:
    caught = {
        offset: _caught("process_slash_at_window", "SLASH-DOUBLING", index=0, offset=offset)
        for offset in (-1, 0, 1)
    }
    assert caught == {-1: True, 0: False, 1: False}


def test_the_window_rule_breaks_nothing_on_the_correct_model() -> None:
    for offset in (-1, 0, 1):
        for invariant in ("SLASH-DOUBLING", "SLASH-DECAY"):
            assert not _caught("process_slash_at_window", invariant, index=0, offset=offset), (
                offset,
                invariant,
            )


@pytest.mark.slow
@pytest.mark.usefixtures("minute_ends_a_second_early")
def test_the_machine_finds_the_short_minute_by_itself() -> None:
    small = Effort("small", max_examples=100, steps_per_example=20, explore_max_nodes=1)
    report = run_properties(
        WHITEPAPER_PARAMS, HARDENED, small, 0, only=frozenset({"REP-OUTBOUND"}), explore=False
    )
    (result,) = report.results
    assert result.verdict is Verdict.FAIL
    assert result.counterexample is not None
    assert "requests in the minute" in result.counterexample.detail


def test_second_before_on_and_after_are_told_apart() -> None:
    machine = _machine()
    machine.process_outbound_at_minute(app=APP, price=Fraction(1))
    reached = machine.recorder.boundaries
    assert [reached[f"outbound-minute.{side}"] for side in ("before", "on", "after")] == [1, 1, 1]
    assert reached["outbound-stake.on"] == 0
    assert SECONDS_PER_MINUTE == 60


# --- Module and escrow accounts as parties (docs/findings.md) -----------------------------------


def test_module_and_escrow_parties__refused() -> None:
    """Nobody signs for a pool or an escrow, and only a wallet receives a bridge deposit: the
    machine offers those accounts in every action that names a party, and the model refuses
    them (docs/findings.md)."""
    refused: tuple[Action, ...] = (
        Delegate(NODE_STAKE_POOL, ValidatorId("v0"), 1),
        DelegateToSubcommittee(get_escrow_account(APP), NETWORK_SUPPORT_COMMITTEE, 1),
        DepositUsdc("d9", get_locked_escrow_account(APP), 1),
        RedeemStb(get_escrow_account(APP), 10**12),
    )
    for action in refused:
        result = replay(GENESIS, (action,), params=WHITEPAPER_PARAMS, profile=HARDENED)
        assert len(result.refused) == 1, action
        assert result.violations == (), action


def test_efforts_skip_the_explain_phase() -> None:
    """Explaining a failure only annotates Hypothesis' printout; the runner never shows it."""
    for effort in EFFORTS.values():
        phases = get_settings(effort).phases
        assert Phase.shrink in phases and Phase.generate in phases
        assert Phase.explain not in phases


# --- The stake exemption of §4.5, from both sides ------------------------------------------------


def _violated_by_stake_rule(invariant: str) -> bool:
    machine = _machine()
    machine.process_outbound_at_stake(app=APP, numerator=1, denominator=1)
    try:
        machine.check(invariant)
    except VIOLATIONS[invariant]:
        return True
    return False


def test_the_stake_rule_breaks_nothing_on_the_correct_model() -> None:
    for invariant in ("REP-OUTBOUND", "ACT-ALLOWED"):
        assert not _violated_by_stake_rule(invariant), invariant


def test_a_stake_exactly_at_the_threshold_treated_as_exempt_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """§4.5 says "greater than": an app staking exactly $10,000 stays capped; a model that
    exempts it lets its eleventh request through."""
    real = reputation.is_outbound_uncapped

    def at_or_above(
        app: AppReputation, *, now: Seconds, params: Params, str_price: Fraction
    ) -> bool:
        worth = app.staked_ustr * str_price
        at = worth == params.reputation.uncapped_min_stake_usd * 1_000_000
        return at or real(app, now=now, params=params, str_price=str_price)

    monkeypatch.setattr(reputation, "is_outbound_uncapped", at_or_above)
    assert _violated_by_stake_rule("REP-OUTBOUND")


def test_an_inverted_exemption_is_caught_from_both_sides(monkeypatch: pytest.MonkeyPatch) -> None:
    """`not is_outbound_uncapped(...)`: a capped app runs free (REP-OUTBOUND) and an exempt one
    is refused its eleventh request (ACT-ALLOWED)."""
    real = reputation.is_outbound_uncapped

    def inverted(app: AppReputation, *, now: Seconds, params: Params, str_price: Fraction) -> bool:
        return not real(app, now=now, params=params, str_price=str_price)

    monkeypatch.setattr(reputation, "is_outbound_uncapped", inverted)
    assert _violated_by_stake_rule("REP-OUTBOUND")
    assert _violated_by_stake_rule("ACT-ALLOWED")
