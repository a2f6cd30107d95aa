"""Whole Trusted Function rounds: every behaviour and every §3.5 attack under both profiles."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import (
    is_escrow_solvent,
    is_node_stake_pool_consistent,
    is_stb_conserved,
    is_str_conserved,
)
from trusted_fixtures import (
    APP,
    COST,
    PRICE,
    STAKE,
    make_chain,
    make_scenario,
    node_account,
    node_id,
)

from model.hashing import compute_composite_hash, compute_hash
from model.ledger import BURN_ADDRESS, get_balance, get_locked_escrow_account
from model.params import WHITEPAPER_PARAMS
from model.payment import compute_payment_split, compute_str_payout
from model.profile import HARDENED, WHITEPAPER, CompositeEncoding, Profile
from model.reputation import get_app_reputation, get_node_reputation
from model.trusted.behaviour import Behaviour, NodePlan, Scenario
from model.trusted.billing import run_trusted_function
from model.trusted.round import Phase
from model.trusted.scenario import RoundRun, run_round_to_decision
from model.trusted.settlement import RoundOutcome, TrustedChain, process_settle_round
from model.units import Rejected

P = WHITEPAPER_PARAMS
B = Behaviour
PROFILES = [HARDENED, WHITEPAPER]
CORRECT_HASH = compute_hash(b"f(a) = b").hex()


def settle(
    scenario: Scenario, profile: Profile, *, nodes: int | None = None, cost: int = COST
) -> tuple[TrustedChain, RoundOutcome]:
    run = run_round_to_decision(scenario, params=P, profile=profile)
    assert isinstance(run, RoundRun), run
    assert run.decided_at is not None, run.state.phase
    chain = make_chain(nodes if nodes is not None else len(scenario.plans))
    settled = process_settle_round(
        chain, run.state, cost=cost, now=run.decided_at, params=P, profile=profile
    )
    assert not isinstance(settled, Rejected), settled
    new_chain, outcome = settled
    assert is_str_conserved(new_chain.ledger) and is_stb_conserved(new_chain.ledger)
    assert is_escrow_solvent(new_chain.ledger, new_chain.escrows)
    assert is_node_stake_pool_consistent(new_chain)
    return new_chain, outcome


def first_slash(outcome: RoundOutcome) -> int:
    return outcome.slashed[0].burned_ustr


# Expected outcome per behaviour of node 3 among three honest nodes, per profile:
# (in paid set, slashed, consensus)
EXPECTED: dict[Behaviour, dict[str, tuple[bool, bool, bool]]] = {
    B.HONEST: {"hardened": (True, False, True), "whitepaper": (True, False, True)},
    B.WRONG_OUTPUT: {"hardened": (False, False, True), "whitepaper": (False, False, True)},
    B.NO_COMMIT: {"hardened": (False, False, True), "whitepaper": (False, False, True)},
    B.LATE_COMMIT: {"hardened": (False, False, True), "whitepaper": (False, False, True)},
    B.NO_REVEAL: {"hardened": (False, False, True), "whitepaper": (False, False, True)},
    B.LATE_REVEAL: {"hardened": (False, False, True), "whitepaper": (False, False, True)},
    # The literal reveal (h(S_N)) cannot be checked against the commit: the cheat is paid.
    B.REVEAL_MISMATCH: {"hardened": (False, True, True), "whitepaper": (True, False, True)},
    B.COPY_COMMIT: {"hardened": (False, True, True), "whitepaper": (True, False, True)},
    # Its reveal opens its commit on the correct output: paid; only the app's F9 complaint names it.
    B.SENDS_OTHER_OUTPUT: {"hardened": (True, False, True), "whitepaper": (True, False, True)},
}


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
@pytest.mark.parametrize("behaviour", list(Behaviour), ids=lambda b: b.value)
def test_each_behaviour_beside_three_honest_nodes(behaviour: Behaviour, profile: Profile) -> None:
    _, outcome = settle(make_scenario([B.HONEST, B.HONEST, B.HONEST, behaviour]), profile)
    paid, slashed, consensus = EXPECTED[behaviour][profile.name]
    node = node_id(3)
    assert (node in outcome.paid) is paid
    assert (node in {s.node for s in outcome.slashed}) is slashed
    assert outcome.consensus is consensus
    assert {node_id(0), node_id(1), node_id(2)} <= set(outcome.paid)
    assert outcome.agreed_output_hash == compute_hash(b"f(a) = b").hex()


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_paid_nodes_receive_the_split_from_the_app_escrow(profile: Profile) -> None:
    chain, outcome = settle(make_scenario([B.HONEST] * 4), profile)
    split = compute_payment_split(COST, P)
    payout = compute_str_payout(split, PRICE)
    for index in range(4):
        balance = get_balance(chain.ledger, node_account(node_id(index)))
        assert balance.ustb == split.node_stb
        assert balance.ustr == payout.node_ustr  # the stake went to the pool at registration
    assert get_balance(chain.ledger, BURN_ADDRESS).ustr == 4 * payout.burn_ustr
    assert sum(m.delta for m in outcome.movements if m.token == "str") == 0
    assert sum(m.delta for m in outcome.movements if m.token == "stb") == 0


def test_slashed_stake_is_burned_at_the_base_rate() -> None:
    chain, outcome = settle(make_scenario([B.HONEST, B.HONEST, B.HONEST, B.COPY_COMMIT]), HARDENED)
    (slash,) = outcome.slashed
    assert slash.rate_bps == 500
    assert slash.burned_ustr == STAKE * 500 // 10_000
    assert chain.nodes[node_id(3)].ustr == STAKE - slash.burned_ustr


# §3.5 attacks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_attack_3_5_2__app_sends_false_salts(profile: Profile) -> None:
    """CR-APP-SALT: targeted nodes complain and do not serve; the app's record carries it."""
    chain, outcome = settle(make_scenario([B.HONEST] * 4, wrong_salt=frozenset({1})), profile)
    assert outcome.abstained == (node_id(1),)
    assert node_id(1) not in outcome.committed
    assert outcome.consensus  # 3 of 4 still pass the threshold
    assert chain.reputation.apps[outcome.app].node_complaints == 1  # type: ignore[index]


def test_attack_3_5_2__false_salts_to_two_of_four_block_consensus_only_when_hardened() -> None:
    scenario = make_scenario([B.HONEST] * 4, wrong_salt=frozenset({1, 2}))
    _, hardened = settle(scenario, HARDENED)
    _, literal = settle(scenario, WHITEPAPER)
    assert not hardened.consensus and hardened.escrow_locked == (node_id(0), node_id(3))
    assert literal.consensus and literal.paid == (node_id(0), node_id(3))


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_attack_3_5_3__copied_commit(profile: Profile) -> None:
    """CR-NO-COPY: a copier fails verification when the reveal carries S_N; the literal reveal pays it."""
    _, outcome = settle(make_scenario([B.HONEST, B.HONEST, B.HONEST, B.COPY_COMMIT]), profile)
    if profile is HARDENED:
        assert node_id(3) not in outcome.paid
        assert [s.node for s in outcome.slashed] == [node_id(3)]
    else:
        assert node_id(3) in outcome.paid
        assert outcome.slashed == ()


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_attack_3_5_4__stalled_reveals_are_unpaid(profile: Profile) -> None:
    _, outcome = settle(make_scenario([B.HONEST, B.HONEST, B.NO_REVEAL, B.LATE_REVEAL]), profile)
    assert not outcome.consensus  # 2 of 4 revealed: no supermajority in either reading
    assert outcome.paid == ()
    assert outcome.escrow_locked == (node_id(0), node_id(1))
    assert outcome.slashed == ()


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_attack_3_5_5__reveal_does_not_open_the_commit(profile: Profile) -> None:
    """CR-BINDING: the hardened reveal exposes the mismatch; the literal one cannot."""
    _, outcome = settle(make_scenario([B.HONEST, B.HONEST, B.HONEST, B.REVEAL_MISMATCH]), profile)
    caught = profile is HARDENED
    assert (node_id(3) in {s.node for s in outcome.slashed}) is caught
    assert (node_id(3) in outcome.paid) is not caught


def test_whitepaper_threshold_is_true_while_most_assigned_nodes_never_committed() -> None:
    """Counting only committed nodes (literal Step 5) lets 2 of 7 assigned nodes decide."""
    scenario = make_scenario([B.HONEST, B.HONEST] + [B.NO_COMMIT] * 5)
    _, literal = settle(scenario, WHITEPAPER)
    _, hardened = settle(scenario, HARDENED)
    assert literal.consensus and literal.paid == (node_id(0), node_id(1))
    assert len(literal.committed) == 2 < len(literal.assigned) // 2
    assert not hardened.consensus and hardened.paid == ()


# The app withholds its salts (F6) ------------------------------------------------------------


def withholding(
    behaviours: list[Behaviour], *, wrong_salt: frozenset[int] = frozenset()
) -> Scenario:
    return attrs.evolve(make_scenario(behaviours, wrong_salt=wrong_salt), app_reveals_salts=False)


def test_app_withholds_salts__whitepaper_round_is_stuck() -> None:
    """Literal F6 sets no deadline: the round waits between F5 and F7 forever."""
    run = run_round_to_decision(withholding([B.HONEST] * 4), params=P, profile=WHITEPAPER)
    assert isinstance(run, RoundRun)
    assert run.decided_at is None
    assert run.state.phase is Phase.COMMIT_CLOSED
    assert run.state.decision is None
    assert set(run.state.commits) == {node_id(i) for i in range(4)}
    assert run.state.app_salts == {} and run.state.reveals == {}
    assert run.refused == ()
    stuck = process_settle_round(
        make_chain(4), run.state, cost=COST, now=10**9, params=P, profile=WHITEPAPER
    )
    assert isinstance(stuck, Rejected) and "after its decision" in stuck.reason


def test_app_withholds_salts__hardened_round_expires() -> None:
    run = run_round_to_decision(withholding([B.HONEST] * 4), params=P, profile=HARDENED)
    assert isinstance(run, RoundRun)
    # All four commit at t0 + 1, so the commit phase closes at t0 + 2.
    assert run.state.commit_closed_at == 2
    assert run.decided_at == 2 + P.consensus.app_salt_timeout_seconds + 1
    assert run.state.phase is Phase.DECIDED
    decision = run.state.decision
    assert decision is not None and decision.app_withheld_salts and not decision.consensus


def test_app_withholds_salts__hardened_settlement_locks_payment_and_marks_the_app() -> None:
    scenario = withholding([B.HONEST, B.HONEST, B.NO_COMMIT, B.HONEST], wrong_salt=frozenset({3}))
    chain, outcome = settle(scenario, HARDENED)
    assert outcome.app_withheld_salts
    assert not outcome.consensus and outcome.paid == () and outcome.slashed == ()
    assert outcome.committed == (node_id(0), node_id(1))
    assert outcome.revealed == ()
    assert outcome.escrow_locked == (node_id(0), node_id(1))
    locked = chain.escrows.escrows[APP].locked[1]
    assert locked.node_accounts == (node_account(node_id(0)), node_account(node_id(1)))
    split = compute_payment_split(COST, P)
    assert get_balance(chain.ledger, get_locked_escrow_account(APP)).ustb == 2 * split.stb_withdrawn
    # One complaint for the withheld salts, one for the wrong salt node 3 complained about.
    assert get_app_reputation(chain.reputation, APP).node_complaints == 2
    for node in (node_id(0), node_id(1), node_id(3)):
        assert node not in chain.reputation.nodes  # not the node's fault
    absent = get_node_reputation(chain.reputation, node_id(2))
    assert (absent.rounds_assigned, absent.rounds_absent) == (1, 1)


def test_app_withholds_salts__no_cost_locks_nothing() -> None:
    chain, outcome = settle(withholding([B.HONEST] * 3), HARDENED, cost=0)
    assert outcome.app_withheld_salts and outcome.escrow_locked == ()
    assert outcome.movements == ()
    assert get_app_reputation(chain.reputation, APP).node_complaints == 1


def test_invalid_settlement__withheld_salts_with_an_unregistered_committed_node() -> None:
    run = run_round_to_decision(withholding([B.HONEST] * 3), params=P, profile=HARDENED)
    assert isinstance(run, RoundRun) and run.decided_at is not None
    refused = process_settle_round(
        make_chain(2), run.state, cost=COST, now=run.decided_at, params=P, profile=HARDENED
    )
    assert isinstance(refused, Rejected) and f"{node_id(2)} is not a registered" in refused.reason


@settings(max_examples=40, deadline=None)
@given(plans=st.lists(st.sampled_from(list(Behaviour)), min_size=1, max_size=12))
def test_app_withholds_salts__any_round(plans: list[Behaviour]) -> None:
    """Whatever the nodes do, a withheld F6 stalls the literal round and locks the hardened one."""
    behaviours = [B.HONEST if plans[0] is B.COPY_COMMIT else plans[0], *plans[1:]]
    scenario = withholding(behaviours)
    stuck = run_round_to_decision(scenario, params=P, profile=WHITEPAPER)
    assert isinstance(stuck, RoundRun) and stuck.decided_at is None
    assert stuck.state.phase is Phase.COMMIT_CLOSED
    _, outcome = settle(scenario, HARDENED)
    assert outcome.paid == () and outcome.slashed == () and outcome.revealed == ()
    assert outcome.escrow_locked == outcome.committed


def test_plain_concatenation_collides_and_length_prefixing_does_not() -> None:
    """CR-INJECTIVE: shifting one byte from nodeID to app salt leaves the concatenation unchanged."""
    output_hash = compute_hash(b"output")
    fields = [(b"node1", b"2salt"), (b"node12", b"salt")]  # same bytes, split differently
    plain: list[bytes] = []
    prefixed: list[bytes] = []
    for node, app_salt in fields:
        for encoding, found in (
            (CompositeEncoding.CONCATENATION, plain),
            (CompositeEncoding.LENGTH_PREFIXED, prefixed),
        ):
            found.append(
                compute_composite_hash(
                    node_id=node,
                    app_salt=app_salt,
                    node_salt=b"ns",
                    output_hash=output_hash,
                    encoding=encoding,
                )
            )
    assert plain[0] == plain[1]
    assert prefixed[0] != prefixed[1]


def test_attack_3_5_1__the_app_cannot_compute_a_commit_without_the_node_salt() -> None:
    """The app knows nodeID, S_a and the output, but commit(n) also binds the node's secret salt."""
    run = run_round_to_decision(make_scenario([B.HONEST] * 3), params=P, profile=HARDENED)
    assert isinstance(run, RoundRun)
    state, node = run.state, node_id(0)
    guess = compute_composite_hash(
        node_id=node.encode(),
        app_salt=state.sent_app_salts[node],
        node_salt=b"",
        output_hash=compute_hash(b"f(a) = b"),
        encoding=HARDENED.composite_encoding,
    )
    assert guess != state.commits[node]


def test_billing_then_main_round() -> None:
    chain = make_chain(4)
    scenario = make_scenario([B.HONEST] * 4)
    result = run_trusted_function(
        chain, billing=scenario, main=scenario, usage=COST, params=P, profile=HARDENED
    )
    assert not isinstance(result, Rejected), result
    _, both = result
    assert both.billing.consensus and both.billing.movements == ()
    assert both.main.cost == COST and len(both.main.paid) == 4


def test_billing_without_consensus_pays_nothing() -> None:
    chain = make_chain(4)
    billing = make_scenario([B.HONEST, B.WRONG_OUTPUT, B.WRONG_OUTPUT, B.HONEST])
    result = run_trusted_function(
        chain,
        billing=billing,
        main=make_scenario([B.HONEST] * 4),
        usage=COST,
        params=P,
        profile=HARDENED,
    )
    assert not isinstance(result, Rejected), result
    _, both = result
    assert not both.billing.consensus
    assert both.main.cost == 0 and both.main.movements == ()


@pytest.mark.parametrize("which", ["billing", "main"])
def test_invalid_trusted_function__whitepaper_round_never_decides(which: str) -> None:
    chain = make_chain(4)
    stalled, honest = withholding([B.HONEST] * 4), make_scenario([B.HONEST] * 4)
    billing, main = (stalled, honest) if which == "billing" else (honest, stalled)
    result = run_trusted_function(
        chain, billing=billing, main=main, usage=COST, params=P, profile=WHITEPAPER
    )
    assert isinstance(result, Rejected)
    assert result.rule == "run_trusted_function"
    assert f"the {which} round 1 never decided" in result.reason
    assert "commit-closed" in result.reason


def test_billing_withheld_salts__hardened_expires_and_the_main_round_pays_nothing() -> None:
    chain = make_chain(4)
    result = run_trusted_function(
        chain,
        billing=withholding([B.HONEST] * 4),
        main=make_scenario([B.HONEST] * 4),
        usage=COST,
        params=P,
        profile=HARDENED,
    )
    assert not isinstance(result, Rejected), result
    _, both = result
    assert both.billing.app_withheld_salts and not both.billing.consensus
    assert both.billing.escrow_locked == ()  # billing rounds are settled at cost 0
    assert both.main.cost == 0 and both.main.movements == ()


def test_invalid_scenario_is_rejected_as_a_whole() -> None:
    bad = Scenario(1, make_scenario([]).app, (NodePlan(node_id(0), B.COPY_COMMIT),), b"x", b"s")
    assert isinstance(run_round_to_decision(bad, params=P, profile=HARDENED), Rejected)


def test_invalid_settlement__before_decision_or_unregistered_node() -> None:
    run = run_round_to_decision(make_scenario([B.HONEST] * 3), params=P, profile=HARDENED)
    assert isinstance(run, RoundRun)
    refused = process_settle_round(
        make_chain(1), run.state, cost=COST, now=0, params=P, profile=HARDENED
    )
    assert isinstance(refused, Rejected) and "not a registered node" in refused.reason


def test_outcomes_are_deterministic() -> None:
    scenario = make_scenario([B.HONEST, B.WRONG_OUTPUT, B.COPY_COMMIT, B.LATE_REVEAL, B.HONEST])
    assert settle(scenario, HARDENED)[1] == settle(scenario, HARDENED)[1]


plans_strategy = st.lists(
    st.tuples(st.sampled_from(list(Behaviour)), st.booleans()), min_size=1, max_size=50
)


@settings(max_examples=60, deadline=None)
@given(plans=plans_strategy, hardened=st.booleans())
def test_any_round_of_1_to_50_nodes_yields_a_consistent_outcome(
    plans: list[tuple[Behaviour, bool]], hardened: bool
) -> None:
    profile = HARDENED if hardened else WHITEPAPER
    behaviours = [behaviour for behaviour, _ in plans]
    if behaviours[0] is B.COPY_COMMIT:
        behaviours[0] = B.HONEST  # node 0 is the one copiers copy
    wrong_salt = frozenset(i for i, (_, wrong) in enumerate(plans) if wrong)
    _, outcome = settle(make_scenario(behaviours, wrong_salt=wrong_salt), profile)
    assigned = set(outcome.assigned)
    assert set(outcome.paid) <= set(outcome.revealed) <= set(outcome.committed) <= assigned
    assert not (set(outcome.abstained) & set(outcome.committed))
    assert outcome.abstained == tuple(sorted(node_id(i) for i in wrong_salt))
    assert outcome.consensus == bool(outcome.paid)
    assert not (outcome.consensus and outcome.escrow_locked)
    slashed = {s.node for s in outcome.slashed}
    assert not (slashed & set(outcome.paid))
    if profile is WHITEPAPER:
        assert all(
            behaviours[int(s[1:])] not in (B.COPY_COMMIT, B.REVEAL_MISMATCH) for s in slashed
        )
    for index, behaviour in enumerate(behaviours):
        node = node_id(index)
        if behaviour in (B.NO_COMMIT, B.LATE_COMMIT):
            assert node not in outcome.committed
        if behaviour in (B.NO_REVEAL, B.LATE_REVEAL):
            assert node not in outcome.paid
        if behaviour is B.WRONG_OUTPUT and outcome.agreed_output_hash == CORRECT_HASH:
            assert node not in outcome.paid
        if (
            profile is HARDENED
            and behaviour in (B.COPY_COMMIT, B.REVEAL_MISMATCH)
            and node in outcome.revealed
        ):
            assert node in slashed
