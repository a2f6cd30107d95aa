"""The bounded exhaustive round exploration: its verdicts under both profiles and on broken models."""

from __future__ import annotations

import itertools
from typing import Any

import attrs
import networkx as nx
import pytest

import model.trusted.round as round_model
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.round import Phase, RoundState
from model.trusted.settlement import RoundOutcome, TrustedChain, process_settle_round
from model.trusted.validation import encode_value
from model.units import Outcome
from properties import explore
from properties.explore import (
    ROUND_INVARIANT_IDS,
    Assignment,
    ExplorationBoundError,
    ExplorationReport,
    Kind,
    RoundPoint,
    build_round_graph,
    explore_rounds,
    generate_assignments,
)
from properties.invariants.round import RoundView, check_round

P = WHITEPAPER_PARAMS


@pytest.fixture(scope="module")
def hardened_report() -> ExplorationReport:
    return explore_rounds(params=P, profile=HARDENED, max_nodes=3)


@pytest.fixture(scope="module")
def whitepaper_report() -> ExplorationReport:
    return explore_rounds(params=P, profile=WHITEPAPER, max_nodes=3)


def find_assignment(description: str, max_nodes: int = 3) -> Assignment:
    matches = [a for a in generate_assignments(max_nodes) if a.describe() == description]
    assert len(matches) == 1, description
    return matches[0]


def follow(graph: Any, root: RoundPoint, steps: tuple[str, ...]) -> RoundPoint:
    """The state reached from `root` by taking the labelled steps in turn."""
    point = root
    for step in steps:
        successors = [s for s in graph.successors(point) if graph.edges[point, s]["label"] == step]
        assert len(successors) == 1, (step, point.state.phase)
        point = successors[0]
    return point


def explore_view(graph: Any, point: RoundPoint, description: str) -> RoundView:
    """The view explore_rounds checks at `point` (settled points carry their outcome)."""
    scenario = explore.make_scenario(find_assignment(description), seed=0)
    outcome = graph.nodes[point].get("outcome")
    if outcome is None:
        return RoundView(scenario, point.state, P, WHITEPAPER)
    chain = explore.make_funded_chain(len(scenario.plans))
    return RoundView(scenario, point.state, P, WHITEPAPER, outcome=outcome, chain_before=chain)


# --- Assignments ---------------------------------------------------------------------------------


def test_assignments__count() -> None:
    """N=1: 9 kinds (a lone copier has no target) x 2 apps; N=2: 55 kind pairs, +1 for the two
    wrong-output nodes colluding or not, each copier's target fixed by symmetry, x 2 apps."""
    assert len(generate_assignments(1)) == 18
    assert len(generate_assignments(2)) == 18 + 56 * 2


def test_assignments__copy_targets_up_to_symmetry() -> None:
    def targets(kinds: tuple[Kind, ...]) -> set[tuple[int | None, ...]]:
        return {a.copy_targets for a in generate_assignments(3) if a.kinds == kinds}

    # Copying either of two honest nodes is the same round; copying honest or wrong is not.
    assert targets((Kind.HONEST, Kind.HONEST, Kind.COPY_COMMIT)) == {(None, None, 0)}
    assert targets((Kind.HONEST, Kind.WRONG_OUTPUT, Kind.COPY_COMMIT)) == {
        (None, None, 0),
        (None, None, 1),
    }
    # Two copiers: each other (a cycle), both the honest node, or a chain.
    assert targets((Kind.HONEST, Kind.COPY_COMMIT, Kind.COPY_COMMIT)) == {
        (None, 0, 0),
        (None, 0, 1),
        (None, 2, 1),
    }


def test_explore_rounds__invalid_bound() -> None:
    for bound in (0, 5):
        with pytest.raises(ExplorationBoundError):
            explore_rounds(params=P, profile=HARDENED, max_nodes=bound)


# --- HARDENED: every round invariant holds -----------------------------------------------------


def test_hardened__every_round_invariant_holds_and_is_observed(
    hardened_report: ExplorationReport,
) -> None:
    report = hardened_report
    assert tuple(r.invariant_id for r in report.invariants) == ROUND_INVARIANT_IDS
    for result in report.invariants:
        assert result.observed > 0, result.invariant_id
        assert result.violations == 0, result
        assert result.counterexample is None
    assert report.assignments == len(generate_assignments(3))
    assert 0 < report.ends < report.states < report.edges


def test_hardened__silent_app_round_expires_and_settles() -> None:
    assignment = Assignment((Kind.HONEST,), (None,), colluding=False, app_reveals_salts=False)
    graph, root = build_round_graph(assignment, params=P, profile=HARDENED)
    path = nx.shortest_path(graph, root, next(p for p in graph if p.settled))
    labels = [graph.edges[a, b]["label"] for a, b in itertools.pairwise(path)]
    assert labels == [
        "n0 posts h(S_N)",
        "n0 commits",
        "app closes the commit phase",
        "app-salt timeout passes",
        "validators expire the round",
        "validators settle the round",
    ]
    outcome: RoundOutcome = graph.nodes[path[-1]]["outcome"]
    assert not outcome.consensus
    assert outcome.paid == ()
    assert path[-1].state.decision is not None and path[-1].state.decision.app_withheld_salts


def test_hardened__every_graph_is_acyclic_and_ends_settled() -> None:
    for kinds in ((Kind.HONEST, Kind.NO_COMMIT), (Kind.COPY_COMMIT, Kind.COPY_COMMIT)):
        targets = (None, None) if Kind.NO_COMMIT in kinds else (1, 0)
        for app in (True, False):
            assignment = Assignment(kinds, targets, colluding=False, app_reveals_salts=app)
            graph, root = build_round_graph(assignment, params=P, profile=HARDENED)
            assert nx.is_directed_acyclic_graph(graph)
            sinks = [p for p in graph if graph.out_degree(p) == 0]
            assert sinks and all(p.settled for p in sinks)
            assert root.state.phase is Phase.COMMIT and not root.state.commits


# --- WHITEPAPER: the literal text's failures, each with its shortest run -----------------------

WHITEPAPER_FAILURES = [
    # CR-VERIFIABLE: the one honest node's reveal carries h(S_N), so nobody recomputes its commit.
    (
        "CR-VERIFIABLE",
        "n0 honest; app honest",
        (
            "n0 posts h(S_N)",
            "n0 commits",
            "app closes the commit phase",
            "app reveals its salts",
            "n0 reveals",
        ),
    ),
    # ROUND-LIVE: the app closes the commit phase and never reveals its salts; nothing follows.
    (
        "ROUND-LIVE",
        "n0 honest; app silent (never reveals its salts)",
        ("n0 posts h(S_N)", "n0 commits", "app closes the commit phase"),
    ),
    # BFT-TIMEOUT: the node that did not commit is left out of N, so 1 of 2 is a "supermajority".
    (
        "BFT-TIMEOUT",
        "n0 honest, n1 no-commit; app honest",
        (
            "n0 posts h(S_N)",
            "n0 commits",
            "n1 posts h(S_N)",
            "commit timeout passes",
            "app closes the commit phase",
            "app reveals its salts",
            "n0 reveals",
            "validators decide",
        ),
    ),
    # CR-NO-COPY: the copier reveals h(S_N), so its copied commit is never recomputed.
    (
        "CR-NO-COPY",
        "n0 honest, n1 copy-commit of n0; app honest",
        (
            "n0 posts h(S_N)",
            "n0 commits",
            "n1 posts h(S_N)",
            "n1 copies n0's commit",
            "app closes the commit phase",
            "app reveals its salts",
            "n0 reveals",
            "n1 reveals",
            "validators decide",
        ),
    ),
    # CR-BINDING: a guesser reveals n0's output hash; unverifiable, it is counted and paid.
    (
        "CR-BINDING",
        "n0 honest, n1 reveal-mismatch; app honest",
        (
            "n0 posts h(S_N)",
            "n0 commits",
            "n1 posts h(S_N)",
            "n1 commits",
            "app closes the commit phase",
            "app reveals its salts",
            "n0 reveals",
            "n1 reveals",
            "validators decide",
            "validators settle the round",
        ),
    ),
]


@pytest.mark.parametrize(
    ("invariant_id", "assignment", "steps"),
    WHITEPAPER_FAILURES,
    ids=[case[0] for case in WHITEPAPER_FAILURES],
)
def test_whitepaper__finds_failure_with_shortest_run(
    whitepaper_report: ExplorationReport,
    invariant_id: str,
    assignment: str,
    steps: tuple[str, ...],
) -> None:
    """The counterexample is the known minimal run: no shorter run reaches such a state."""
    result = whitepaper_report.get_result(invariant_id)
    assert result.violations > 0
    counterexample = result.counterexample
    assert counterexample is not None
    assert counterexample.assignment == assignment
    assert counterexample.steps == steps
    assert counterexample.detail


@pytest.mark.parametrize(
    ("invariant_id", "assignment", "steps"),
    [case for case in WHITEPAPER_FAILURES if case[0] != "ROUND-LIVE"],
    ids=[case[0] for case in WHITEPAPER_FAILURES if case[0] != "ROUND-LIVE"],
)
def test_whitepaper__counterexample_replays(
    invariant_id: str, assignment: str, steps: tuple[str, ...]
) -> None:
    """Following the counterexample's labels in the graph reaches a state the checker rejects."""
    graph, root = build_round_graph(find_assignment(assignment), params=P, profile=WHITEPAPER)
    point = follow(graph, root, steps)
    observations = {o.invariant_id: o for o in check_round(explore_view(graph, point, assignment))}
    assert not observations[invariant_id].holds
    assert nx.shortest_path_length(graph, root, point) == len(steps)


def test_whitepaper__wronged_nodes_let_one_faulty_node_decide() -> None:
    """Found at max_nodes=4: an app that sends three honest nodes bad salts leaves one wrong
    node as the whole committed base, so f=1 of N=4 decides a wrong output (BFT-SOUND)."""
    kinds = (Kind.WRONG_OUTPUT, Kind.WRONGED, Kind.WRONGED, Kind.WRONGED)
    assignment = Assignment(kinds, (None,) * 4, colluding=False, app_reveals_salts=True)
    steps = (
        *(
            f"n{i} {step}"
            for i in (1, 2, 3)
            for step in ("posts h(S_N)", "complains about its app salt")
        ),
        "n0 posts h(S_N)",
        "n0 commits",
        "app closes the commit phase",
        "app reveals its salts",
        "n0 reveals",
        "validators decide",
    )
    scenario = explore.make_scenario(assignment, seed=0)
    for profile, sound in ((WHITEPAPER, False), (HARDENED, True)):
        graph, root = build_round_graph(assignment, params=P, profile=profile)
        point = follow(graph, root, steps)
        assert point.state.decision is not None
        assert point.state.decision.consensus is not sound
        view = RoundView(scenario, point.state, P, profile)
        verdicts = {o.invariant_id: o.holds for o in check_round(view)}
        assert verdicts.get("BFT-SOUND", True) is sound


def test_whitepaper__holds_elsewhere(whitepaper_report: ExplorationReport) -> None:
    for invariant_id in ("BFT-SOUND", "BFT-UNIQUE", "CR-APP-SALT", "CR-PHASES", "PAY-COST"):
        result = whitepaper_report.get_result(invariant_id)
        assert result.observed > 0 and result.violations == 0, result


# --- Broken models are caught --------------------------------------------------------------------


def test_broken_threshold_base__caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting only committed nodes under HARDENED brings back the BFT-TIMEOUT failure."""

    def committed_only(state: RoundState, *, profile: Profile) -> int:
        return len(state.commits)

    monkeypatch.setattr(round_model, "get_threshold_base", committed_only)
    report = explore_rounds(params=P, profile=HARDENED, max_nodes=2)
    result = report.get_result("BFT-TIMEOUT")
    assert result.violations > 0
    assert result.counterexample is not None
    assert len(result.counterexample.steps) == 8


def test_broken_settlement_pays_every_revealer__caught(monkeypatch: pytest.MonkeyPatch) -> None:
    original = process_settle_round

    def pay_every_revealer(
        chain: TrustedChain, state: RoundState, **kwargs: Any
    ) -> Outcome[tuple[TrustedChain, RoundOutcome]]:
        """Decides TRUE on the agreed output (else the first revealer's) with every revealer in
        the supermajority, and has the validators pass that decision, block included."""
        assert state.decision is not None
        everyone = tuple(sorted(state.reveals))
        if not everyone:
            return original(chain, state, **kwargs)
        agreed = state.decision.agreed_output_hash or state.reveals[everyone[0]].output_hash
        decision = attrs.evolve(
            state.decision, consensus=True, agreed_output_hash=agreed, supermajority=everyone
        )
        validation = kwargs.get("validation")
        if validation is not None:
            kwargs["validation"] = attrs.evolve(
                validation, decision_passed=encode_value(True, agreed), block_passed=True
            )
        return original(chain, attrs.evolve(state, decision=decision), **kwargs)

    monkeypatch.setattr(explore, "process_settle_round", pay_every_revealer)
    report = explore_rounds(params=P, profile=HARDENED, max_nodes=2)
    result = report.get_result("PAY-ONLY-MAJORITY")
    assert result.violations > 0
    assert result.counterexample is not None
    assert "paid outside the supermajority" in result.counterexample.detail


def test_broken_commit_deadline__caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit phase that never times out accepts late commits and stalls a NO_COMMIT round."""
    monkeypatch.setattr(round_model, "_commit_deadline_passed", lambda *args: False)
    report = explore_rounds(params=P, profile=HARDENED, max_nodes=1)
    live = report.get_result("ROUND-LIVE")
    assert live.violations > 0
    assert live.counterexample is not None
    assert live.counterexample.steps == ("n0 posts h(S_N)", "commit timeout passes")
    late = Assignment((Kind.LATE_COMMIT,), (None,), colluding=False, app_reveals_salts=True)
    graph, _ = build_round_graph(late, params=P, profile=HARDENED)
    assert "n0 commits late" in {label for _, _, label in graph.edges(data="label")}


def test_late_commit__refused_by_the_model() -> None:
    late = Assignment((Kind.LATE_COMMIT,), (None,), colluding=False, app_reveals_salts=True)
    for profile in (HARDENED, WHITEPAPER):
        graph, _ = build_round_graph(late, params=P, profile=profile)
        labels = {label for _, _, label in graph.edges(data="label")}
        assert "n0 commits late" not in labels
        assert "commit timeout passes" in labels


# --- Determinism ---------------------------------------------------------------------------------


def test_explore_rounds__deterministic() -> None:
    first = explore_rounds(params=P, profile=WHITEPAPER, max_nodes=2, seed=7)
    second = explore_rounds(params=P, profile=WHITEPAPER, max_nodes=2, seed=7)
    assert first == second
    assert first.profile == "whitepaper" and first.max_nodes == 2


def test_hardened_threshold_one_half__two_of_three_decide_with_a_silent_node() -> None:
    """BFT-TIMEOUT means more than 2/3 of the assigned nodes, whatever threshold governance sets:
    at 1/2, two honest nodes of three decide while the third never commits, and the search says so
    (as the Z3 claim does), even though the round follows its parameters faithfully."""
    half = attrs.evolve(P, consensus=attrs.evolve(P.consensus, threshold_num=1, threshold_den=2))
    report = explore_rounds(params=half, profile=HARDENED, max_nodes=3)
    found = report.get_result("BFT-TIMEOUT")
    assert found.violations > 0 and found.counterexample is not None
    assert found.counterexample.assignment == "n0 honest, n1 honest, n2 no-commit; app honest"
    assert "2 of 3 assigned nodes agreeing, not more than 2/3" in found.counterexample.detail
    # The same bound at the whitepaper's 2/3 holds.
    assert (
        explore_rounds(params=P, profile=HARDENED, max_nodes=3).get_result("BFT-TIMEOUT").violations
        == 0
    )
