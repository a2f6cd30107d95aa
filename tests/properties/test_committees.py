"""SUB-POWERS, INS-POOL, REP-RECORDED and the contracts of the committees' actions (§4.5, §6.5,
§6.8, §6.10, §3.2 F9): a correct trace exercises each and breaks nothing; a model broken in one
rule breaks the invariant that states it (the first break of each ID is a case of
tests/properties/test_broken_models.py too); the literal text's committees act without a vote
(docs/findings.md)."""

from __future__ import annotations

from typing import Any

import pytest
from broken_fixtures import GENESIS, run_trace
from broken_rules import DEFAULTS, USER_0, USER_1, USER_2, P
from committee_breaks import (
    BACKING,
    COMPLAINTS,
    NETWORK_SUPPORT_BACKED,
    UNVOTED,
    VOTED,
    contribution_to_network_support,
    output_complaints_dropped,
    slash_the_next_node,
)

from model.chain.actions import Action, DelegateToSubcommittee, GrantNetworkSupport
from model.committees import APP_MINING_COMMITTEE
from model.payment import SupportPurpose
from model.profile import HARDENED, WHITEPAPER
from model.units import MICRO
from properties.replay import replay


def test_voted_powers__applied_and_hold() -> None:
    for profile in (HARDENED, WHITEPAPER):
        run = run_trace(GENESIS, VOTED, params=P, profile=profile)
        assert run.refused_by == ()
        assert {"SUB-POWERS", "INS-POOL", "ACT-GRANT"} <= run.observed
        assert not {"SUB-POWERS", "INS-POOL", "ACT-GRANT", "ACT-ALLOWED"} & run.violated, (
            run.violations
        )


def test_unvoted_powers__hardened_refuses_each_and_holds() -> None:
    run = run_trace(GENESIS, UNVOTED, params=P, profile=HARDENED)
    assert run.refused_by == (
        "process_grant_network_support",
        "process_grant_network_support",
        "process_pay_insurance_action",
        "process_slash_node_action",
        "process_grant_network_support",
    )
    assert "ACT-ALLOWED" in run.observed
    assert not run.violations, run.violations


def test_whitepaper__any_account_spends_and_slashes_once_a_committee_is_active() -> None:
    """docs/findings.md: §6.8 gives committees powers but no way to decide, so under the literal
    reading a request nobody voted for is carried out: user-1 (20% of Network Support's STR)
    grants itself Network Support's STR, an unsigned payout empties the insurance pool, an
    unsigned slash burns a node's stake. SUB-POWERS breaks on each; hardened refuses them."""
    minimal = (*NETWORK_SUPPORT_BACKED, GrantNetworkSupport(USER_1, MICRO))
    found = run_trace(GENESIS, minimal, params=P, profile=WHITEPAPER)
    assert found.refused_by == ()
    sub_powers = [v for v in found.violations if v.startswith("SUB-POWERS")]
    assert len(sub_powers) == 1 and "signers hold 0 of" in sub_powers[0], found.violations
    everything = run_trace(GENESIS, UNVOTED[:-1], params=P, profile=WHITEPAPER)
    assert everything.refused_by == ()
    assert sum(v.startswith("SUB-POWERS") for v in everything.violations) == 4
    assert not run_trace(GENESIS, minimal, params=P, profile=HARDENED).violations


def test_complaints__reach_the_nodes_reputation() -> None:
    run = run_trace(GENESIS, COMPLAINTS, params=P, profile=HARDENED)
    assert run.refused_by == ()
    assert "REP-RECORDED" in run.observed
    assert not run.violations, run.violations
    final = replay(GENESIS, COMPLAINTS, params=P, profile=HARDENED).final
    assert final is not None
    nodes = final.reputation.nodes
    counts = {node: (r.upheld_complaints, r.output_complaints) for node, r in nodes.items()}
    assert counts == {"n0": (1, 0), "n1": (0, 0), "n2": (0, 0), "n3": (0, 1)}


BROKEN: tuple[tuple[str, Any, tuple[Action, ...], frozenset[str]], ...] = (
    # SUB-POWERS' vote_ignored, REP-RECORDED's upheld_not_recorded and INS-POOL's
    # payout_one_over are cases of tests/properties/test_broken_models.py.
    ("REP-RECORDED", output_complaints_dropped, COMPLAINTS, frozenset()),
    # The contract of a payout sees the extra debit too.
    ("ACT-GRANT", contribution_to_network_support, VOTED, frozenset({"INS-POOL"})),
    ("ACT-GRANT", slash_the_next_node, VOTED, frozenset()),
)


@pytest.mark.parametrize(
    ("invariant_id", "breaks", "actions", "also"),
    BROKEN,
    ids=[f"{case[0]}:{case[1].__name__}" for case in BROKEN],
)
def test_broken_model__caught(
    invariant_id: str,
    breaks: Any,
    actions: tuple[Action, ...],
    also: frozenset[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    params, profile = DEFAULTS
    correct = run_trace(GENESIS, actions, params=params, profile=profile)
    assert invariant_id in correct.observed and not correct.violations, correct.violations
    params, profile = breaks(monkeypatch)
    broken = run_trace(GENESIS, actions, params=params, profile=profile)
    assert invariant_id in broken.violated, (breaks.__doc__, broken.violations)
    assert broken.violated <= {invariant_id} | also, broken.violations


def test_app_mining__needs_the_app_mining_committee_too() -> None:
    backed = (
        *NETWORK_SUPPORT_BACKED,
        DelegateToSubcommittee(USER_0, APP_MINING_COMMITTEE, BACKING),
        GrantNetworkSupport(USER_1, MICRO, SupportPurpose.APP_MINING, frozenset({USER_2})),
        GrantNetworkSupport(USER_1, MICRO, SupportPurpose.APP_MINING, frozenset({USER_0, USER_2})),
    )
    run = run_trace(GENESIS, backed, params=P, profile=HARDENED)
    assert run.refused_by == ("process_grant_network_support",)
    assert not run.violations, run.violations
