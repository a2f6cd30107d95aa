"""ACT-REPUTATION on rounds: each settled round moves every node's track record by its entry, adds
its app's complaints, and starts the app's active use (§3.4, §3.5.2, §4.5).

A short trace runs rounds whose nodes end up in the majority, the minority (a wrong output, a
provable mismatch), absent, or wronged by their app (a false app salt, salts withheld until the
round expires), then asks an outbound request. Under the correct model it breaks nothing; with
one reputation rule broken it breaks ACT-REPUTATION. The checker's memory of when an app's active
use began is checked on its own too.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs
import pytest
from broken_fixtures import APP, GENESIS, OTHER_APP, plan, run_trace
from broken_rules import DEFAULTS, P

from model.chain.actions import Action, AdvanceTime, OutboundRequest, RunRound, SetAppProfile
from model.params import Params
from model.profile import HARDENED, Profile
from model.reputation import (
    ReputationState,
    RoundParticipation,
    get_app_reputation,
    process_record_round,
)
from model.trusted import settlement
from model.trusted.behaviour import Behaviour
from model.units import MICRO, AppId, NodeId
from oracle.reputation import (
    ABSENT,
    MAJORITY,
    MINORITY,
    app_complaints_of_round,
    first_active,
    round_entries,
)
from properties.replay import replay

HONEST = (plan(0), plan(1), plan(2))

TRACE: tuple[Action, ...] = (
    # 2 of 4 agree: consensus FALSE. The counted n0-n2 get no entry; n3 (no commit) is absent.
    RunRound(
        APP,
        (plan(0), plan(1), plan(2, Behaviour.WRONG_OUTPUT), plan(3, Behaviour.NO_COMMIT)),
        MICRO,
    ),
    AdvanceTime(100),
    # TRUE: n0-n2 in the majority, n3 in the minority (a wrong output).
    RunRound(APP, (*HONEST, plan(3, Behaviour.WRONG_OUTPUT)), MICRO),
    # TRUE: n3 absent (no commit).
    RunRound(APP, (*HONEST, plan(3, Behaviour.NO_COMMIT)), MICRO),
    # TRUE: n3 got a false app salt: no entry for it, one complaint on the app (§3.5.2).
    RunRound(APP, (*HONEST, plan(3, gets_wrong_app_salt=True)), MICRO),
    AdvanceTime(100),
    # The other app withholds its salts: its committed nodes get no entry, the app a complaint.
    RunRound(OTHER_APP, HONEST, MICRO, app_reveals_salts=False),
    SetAppProfile(APP, False, 5),
    OutboundRequest(APP, Fraction(1)),
)


def _run(params: Params, profile: Profile) -> Any:
    return run_trace(GENESIS, TRACE, params=params, profile=profile)


def test_trace__exercises_act_reputation_and_holds() -> None:
    correct = _run(P, HARDENED)
    assert "ACT-REPUTATION" in correct.observed
    assert not correct.violations, correct.violations
    assert correct.refused_by == ()
    final = replay(GENESIS, TRACE, params=P, profile=HARDENED).final
    assert final is not None
    nodes = final.reputation.nodes
    tracks = {
        str(node): (r.rounds_assigned, r.rounds_in_majority, r.rounds_in_minority, r.rounds_absent)
        for node, r in nodes.items()
    }
    n0, n1, n2, n3 = (str(node) for node in sorted(nodes))
    assert tracks == {n0: (3, 3, 0, 0), n1: (3, 3, 0, 0), n2: (3, 3, 0, 0), n3: (3, 0, 1, 2)}
    apps = final.reputation.apps
    assert (apps[APP].node_complaints, apps[OTHER_APP].node_complaints) == (1, 1)
    first_round_decided = apps[APP].first_active_time
    assert first_round_decided is not None
    assert first_round_decided < apps[OTHER_APP].first_active_time  # type: ignore[operator]


def majority_recorded_as_minority(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A node in the TRUE supermajority is counted in the minority."""
    real = process_record_round

    def broken(rep: ReputationState, **kwargs: Any) -> Any:
        if kwargs["outcome"] is RoundParticipation.MAJORITY:
            kwargs = kwargs | {"outcome": RoundParticipation.MINORITY}
        return real(rep, **kwargs)

    monkeypatch.setattr(settlement, "process_record_round", broken)
    return DEFAULTS


def absent_recorded_as_majority(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A node that never committed is counted in the majority."""
    real = process_record_round

    def broken(rep: ReputationState, **kwargs: Any) -> Any:
        if kwargs["outcome"] is RoundParticipation.ABSENT:
            kwargs = kwargs | {"outcome": RoundParticipation.MAJORITY}
        return real(rep, **kwargs)

    monkeypatch.setattr(settlement, "process_record_round", broken)
    return DEFAULTS


def round_recorded_on_the_wrong_app(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A node's round is recorded as hosting the other app."""
    real = process_record_round

    def broken(rep: ReputationState, **kwargs: Any) -> Any:
        return real(rep, **(kwargs | {"app": AppId("app-elsewhere")}))

    monkeypatch.setattr(settlement, "process_record_round", broken)
    return DEFAULTS


def wronged_node_recorded(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A node that abstained over its false app salt gets an absent entry all the same."""
    real = settlement.get_participation

    def broken(state: Any, node: NodeId) -> Any:
        if node in state.abstentions:
            return RoundParticipation.ABSENT
        return real(state, node)

    monkeypatch.setattr(settlement, "get_participation", broken)
    return DEFAULTS


def app_complaint_dropped(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A node's complaint on its app is not added to the app's record."""
    monkeypatch.setattr(settlement, "process_record_app_complaint", lambda rep, **_: rep)
    return DEFAULTS


def activity_restarts_every_round(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """Every settled round restarts the app's active use, not only its first."""

    def broken(rep: ReputationState, *, app: AppId, now: int) -> ReputationState:
        record = attrs.evolve(get_app_reputation(rep, app), first_active_time=now)
        return attrs.evolve(rep, apps=rep.apps.set(app, record))

    monkeypatch.setattr(settlement, "process_record_app_activity", broken)
    return DEFAULTS


def activity_never_recorded(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """No round starts its app's active use (the open finding this reading closed)."""
    monkeypatch.setattr(settlement, "process_record_app_activity", lambda rep, **_: rep)
    return DEFAULTS


@pytest.mark.parametrize(
    "breaks",
    [
        majority_recorded_as_minority,
        absent_recorded_as_majority,
        round_recorded_on_the_wrong_app,
        wronged_node_recorded,
        app_complaint_dropped,
        activity_restarts_every_round,
        activity_never_recorded,
    ],
    ids=lambda breaks: breaks.__name__,
)
def test_broken_reputation__caught(breaks: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    params, profile = breaks(monkeypatch)
    broken = _run(params, profile)
    assert "ACT-REPUTATION" in broken.violated, (breaks.__doc__, broken.violations)
    # REP-RECORDED states the start of an app's active use as well.
    assert broken.violated - {"REP-RECORDED"} == {"ACT-REPUTATION"}, broken.violations


# --- The oracle's reading, on its own ------------------------------------------------------------


def _entries(**overrides: Any) -> dict[str, str]:
    round_record: dict[str, Any] = {
        "assigned": ("a", "b", "c", "d", "e"),
        "abstained": frozenset(),
        "committed": frozenset({"a", "b", "c", "d"}),
        "consensus": True,
        "supermajority": ("a", "b"),
        "counted": ("a", "b", "c"),
        "mismatched": ("d",),
        "app_withheld_salts": False,
    }
    return round_entries(**(round_record | overrides))


def test_entries__a_true_round() -> None:
    assert _entries() == {"a": MAJORITY, "b": MAJORITY, "c": MINORITY, "d": MINORITY, "e": ABSENT}


def test_entries__a_false_round_records_only_mismatches_and_absences() -> None:
    entries = _entries(consensus=False, supermajority=())
    assert entries == {"d": MINORITY, "e": ABSENT}


def test_entries__nodes_wronged_by_their_app_get_none() -> None:
    assert "e" not in _entries(abstained=frozenset({"e"}))
    withheld = _entries(
        consensus=False, supermajority=(), counted=(), mismatched=(), app_withheld_salts=True
    )
    assert withheld == {"e": ABSENT}


def test_app_complaints__one_per_abstention_and_one_for_withheld_salts() -> None:
    assert app_complaints_of_round(abstained=frozenset(), app_withheld_salts=False) == 0
    assert app_complaints_of_round(abstained=frozenset({"a", "b"}), app_withheld_salts=True) == 3


def test_first_active__the_first_settled_round_only() -> None:
    assert first_active(None, settled_at=None) is None
    assert first_active(None, settled_at=50) == 50
    assert first_active(50, settled_at=90) == 50
    assert first_active(50, settled_at=None) == 50
