"""The constitution's votes (§6.8): the oracle's reading of a tally against the model's, at
each edge, and ACT-GOVERNANCE catching a model that tallies wrong there.

Each case sets the voters' STR (liquid and held) just before the tally so one quantity sits
exactly on an edge of x/gov's quorum, threshold or veto, or of Tezos' upvote quorum, ballot
quorum and 80%; the edge is computed here from the constitution's own numbers (x/gov: 334/1000,
1/2, 334/1000; Tezos: 5%, 20% + ema x 50%, 80%), and the expected outcome written out. The
model's tally, the oracle's `read_tally` and the ACT-GOVERNANCE contract must agree; a model
broken at one edge (quorum skipped, a veto refunded, the threshold reached at equality, testing
skipped, the participation average frozen, held STR left out of the total) breaks the contract.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest
from broken_fixtures import APP, fresh_machine

from model import governance
from model.chain.actions import (
    AdvanceTime,
    CastVote,
    Delegate,
    DelegateToSubcommittee,
    SubmitProposal,
    Tally,
)
from model.chain.state import get_developer
from model.constitution import Fraction as Share
from model.constitution import VoteRule
from model.governance import (
    NETWORK_SUPPORT_COMMITTEE,
    AmendmentPhase,
    ParamChange,
    TallyResult,
    VoteOption,
)
from model.ledger import (
    GOVERNANCE_DEPOSITS,
    get_balance,
    get_escrow_account,
    get_locked_escrow_account,
)
from model.units import MICRO, AccountId
from oracle.governance import (
    TallyReading,
    held_str,
    read_tally,
    total_voting_power,
    voting_power,
)
from properties.driver import DEVELOPERS, VIOLATIONS
from properties.machine import ChainMachine
from properties.strategies import USERS

YES, NO, ABSTAIN, VETO = (
    VoteOption.YES,
    VoteOption.NO,
    VoteOption.ABSTAIN,
    VoteOption.NO_WITH_VETO,
)
OPERATIONAL = (ParamChange("governance", "complaint_min_deposit_ustr", 2 * MICRO),)
"""An operational key in its range: x/gov's plain rule (quorum 334/1000, yes > 1/2, veto
334/1000)."""
PROTOCOL = (ParamChange("slashing", "slash_base_bps", 101),)
"""A protocol constant in its range: Tezos' amendment."""
DEPOSIT = 5 * MICRO
DAYS_90 = 90 * 86_400


def _ceil(num: int, den: int) -> int:
    return -(-num // den)


class Vote:
    """One proposal on a fresh hardened machine, tallied with chosen STR behind each option."""

    def __init__(self, machine: ChainMachine, changes: tuple[ParamChange, ...]) -> None:
        self.machine = machine
        assert machine.checked is not None
        self.funder = machine._richest_developer()
        self.other = next(d for d in DEVELOPERS if d != self.funder)
        self.voters: dict[VoteOption, AccountId] = {
            YES: USERS[0],
            NO: USERS[1],
            ABSTAIN: USERS[2],
            VETO: USERS[2],
        }
        self.proposal_id = machine.checked.state.governance.next_proposal_id
        assert machine.apply(SubmitProposal(self.funder, changes, DEPOSIT))

    @property
    def total(self) -> int:
        assert self.machine.checked is not None
        return total_voting_power(self.machine.checked.state)

    def tally(self, weights: dict[VoteOption, int]) -> tuple[TallyReading, TallyResult]:
        """Vote `weights` (each option by its voter), run the period out, set each voter's STR
        to its weight, and tally: the oracle's reading and the model's result."""
        machine = self.machine
        assert machine.checked is not None
        for option in weights:
            assert machine.apply(CastVote(self.proposal_id, self.voters[option], option))
        end = machine.checked.state.governance.proposals[self.proposal_id].voting_end
        machine.apply(AdvanceTime(max(0, end - machine.checked.state.now)))
        targets = {self.voters[option]: weight for option, weight in weights.items()}
        assert machine.set_voting_powers(targets, self.funder)
        before = machine.checked.state
        reading = read_tally(before, before.governance.proposals[self.proposal_id])
        assert machine.apply(Tally(self.proposal_id))
        result = machine.checked.state.governance.proposals[self.proposal_id].history[-1]
        machine.check("ACT-GOVERNANCE")
        machine.check("ACT-ALLOWED")
        machine.check("GOV-SAFE")
        return reading, result


def _agree(reading: TallyReading, result: TallyResult) -> None:
    """The oracle's reading and the model's record of one tally say the same."""
    assert result.total_power == reading.total
    assert (result.yes, result.no, result.abstain, result.no_with_veto) == tuple(
        reading.weights[o] for o in (YES, NO, ABSTAIN, VETO)
    )
    assert result.rule == reading.rule
    assert (result.failed_because is None) == (reading.failure is None)
    assert result.vetoed == reading.vetoed
    assert result.next_phase == reading.next_phase
    assert result.passed == reading.adopts


# --- x/gov: quorum, threshold, veto ----------------------------------------------------------


def _least_quorum(total: int) -> int:
    """x/gov's quorum: the fewest ustr that are 334/1000 of all STR votes."""
    return _ceil(334 * total, 1000)


@pytest.mark.parametrize(("offset", "passes"), [(-1, False), (0, True)])
def test_quorum__one_ustr_below_fails_exactly_at_passes(offset: int, passes: bool) -> None:
    vote = Vote(fresh_machine(), OPERATIONAL)
    cast = _least_quorum(vote.total) + offset
    reading, result = vote.tally({YES: cast - cast // 4, NO: cast // 4})
    _agree(reading, result)
    assert result.rule == "x/gov"
    assert result.passed is passes
    assert ("quorum" in (result.failed_because or "")) is not passes


@pytest.mark.parametrize(("offset", "passes"), [(0, False), (1, True)])
def test_threshold__yes_at_half_fails_one_ustr_above_passes(offset: int, passes: bool) -> None:
    vote = Vote(fresh_machine(), OPERATIONAL)
    no = _least_quorum(vote.total) // 2 + 1
    # Abstentions are left out of x/gov's base: yes must be more than half of yes + no.
    reading, result = vote.tally({YES: no + offset, NO: no, ABSTAIN: 3 * MICRO})
    _agree(reading, result)
    assert result.passed is passes
    assert result.vetoed is False


@pytest.mark.parametrize(("offset", "vetoed"), [(0, False), (1, True)])
def test_veto__at_the_share_passes_one_ustr_above_burns_the_deposit(
    offset: int, vetoed: bool
) -> None:
    machine = fresh_machine()
    vote = Vote(machine, OPERATIONAL)
    yes = _least_quorum(vote.total)
    # Vetoed iff veto > 334/1000 of (yes + veto): the most that is not is floor(334 yes / 666).
    veto = 334 * yes // 666 + offset
    assert machine.checked is not None
    burned = machine.checked.state.ledger.str_burned
    reading, result = vote.tally({YES: yes, VETO: veto})
    _agree(reading, result)
    assert (result.vetoed, result.passed) == (vetoed, not vetoed)
    after = machine.checked.state.ledger
    assert after.str_burned - burned == (DEPOSIT if vetoed else 0)
    assert get_balance(after, GOVERNANCE_DEPOSITS).ustr == 0


def test_core_change__names_the_validators_that_did_not_vote() -> None:
    machine = fresh_machine()
    assert machine.checked is not None
    payment = machine.checked.state.params.payment
    # A coherent core change: the node's STR share up by one bps, the burn's down by one.
    changes = (
        ParamChange("payment", "str_node_profit_bps", payment.str_node_profit_bps + 1),
        ParamChange("payment", "str_burn_bps", payment.str_burn_bps - 1),
    )
    vote = Vote(machine, changes)
    cast = _least_quorum(vote.total) + MICRO
    reading, result = vote.tally({YES: cast})
    _agree(reading, result)
    assert result.rule == "x/gov supermajority"
    assert result.passed
    assert set(result.absent_validators) == set(reading.absent) and result.absent_validators


# --- Tezos' amendment ------------------------------------------------------------------------


def _ballot(vote: Vote, participation: int, yay: int) -> dict[VoteOption, int]:
    """Ballot weights: participation `participation` ustr off Tezos' quorum at today's average,
    yay `yay` ustr off 80% of yay + nay."""
    machine = vote.machine
    assert machine.checked is not None
    ema = machine.checked.state.governance.participation_ema_bps
    quorum_bps = 2_000 + ema * (7_000 - 2_000) // 10_000
    cast = _ceil(quorum_bps * vote.total, 10_000) + participation
    nay = cast // 10
    # yay >= 80% of yay + nay iff yay >= 4 nay.
    return {YES: 4 * nay + yay, NO: nay, ABSTAIN: cast - 5 * nay - yay}


def test_upvotes__one_ustr_below_the_proposal_quorum_end_the_amendment() -> None:
    vote = Vote(fresh_machine(), PROTOCOL)
    reading, result = vote.tally({YES: _ceil(5 * vote.total, 100) - 1})
    _agree(reading, result)
    assert (result.phase, result.next_phase, result.passed) == (
        AmendmentPhase.PROPOSAL,
        None,
        False,
    )


def test_amendment__runs_its_four_periods_and_is_adopted() -> None:
    machine = fresh_machine()
    assert machine.checked is not None
    vote = Vote(machine, PROTOCOL)
    vote.voters[YES] = vote.other
    start_end = machine.checked.state.governance.proposals[vote.proposal_id].voting_end
    reading, result = vote.tally({YES: _ceil(5 * vote.total, 100)})
    _agree(reading, result)
    assert result.next_phase is AmendmentPhase.EXPLORATION
    proposal = machine.checked.state.governance.proposals[vote.proposal_id]
    assert (proposal.phase, proposal.result, proposal.voting_end) == (
        AmendmentPhase.EXPLORATION,
        None,
        start_end + DAYS_90,
    )
    assert get_balance(machine.checked.state.ledger, GOVERNANCE_DEPOSITS).ustr == DEPOSIT
    # Exploration: participation and yay exactly at their edges move it on; the average moves
    # 20% of the way to the participation.
    ema = machine.checked.state.governance.participation_ema_bps
    weights = _ballot(vote, 0, 0)
    total = vote.total
    reading, result = vote.tally(weights)
    _agree(reading, result)
    assert result.next_phase is AmendmentPhase.TESTING
    participation = sum(weights.values()) * 10_000 // total
    moved = machine.checked.state.governance.participation_ema_bps
    assert moved == (ema * 80 + participation * 20) // 100 == reading.ema_bps
    # Testing holds no vote: a vote is refused, and rightly.
    assert not machine.apply(CastVote(vote.proposal_id, USERS[0], YES))
    machine.check("ACT-ALLOWED")
    end = machine.checked.state.governance.proposals[vote.proposal_id].voting_end
    machine.apply(AdvanceTime(end - machine.checked.state.now))
    assert machine.apply(Tally(vote.proposal_id))
    machine.check("ACT-GOVERNANCE")
    assert machine.checked.state.governance.proposals[vote.proposal_id].phase is (
        AmendmentPhase.PROMOTION
    )
    # Promotion: one ustr above both edges adopts it.
    reading, result = vote.tally(_ballot(vote, 1, 1))
    _agree(reading, result)
    assert result.passed and reading.adopts
    assert machine.checked.state.params.slashing.slash_base_bps == 101
    assert get_balance(machine.checked.state.ledger, GOVERNANCE_DEPOSITS).ustr == 0


@pytest.mark.parametrize(("participation", "yay"), [(-1, 0), (0, -1)])
def test_ballot__one_ustr_below_either_edge_ends_the_amendment(
    participation: int, yay: int
) -> None:
    machine = fresh_machine()
    vote = Vote(machine, PROTOCOL)
    vote.voters[YES] = vote.other
    vote.tally({YES: _ceil(5 * vote.total, 100)})
    reading, result = vote.tally(_ballot(vote, participation, yay))
    _agree(reading, result)
    assert (result.phase, result.next_phase, result.passed) == (
        AmendmentPhase.EXPLORATION,
        None,
        False,
    )


# --- A model that tallies wrong at an edge -----------------------------------------------------


def quorum_skipped(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """x/gov's tally without its quorum: a vote one ustr short of it passes."""
    real = governance.get_vote_failure

    def broken(rule: VoteRule, *args: Any) -> tuple[str | None, bool]:
        return real(attrs.evolve(rule, quorum=None), *args)

    monkeypatch.setattr(governance, "get_vote_failure", broken)

    def scenario() -> None:
        vote = Vote(fresh_machine(), OPERATIONAL)
        cast = _least_quorum(vote.total) - 1
        vote.tally({YES: cast - cast // 4, NO: cast // 4})

    return scenario


def threshold_at_equality(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Yes at exactly half of yes + no passes (a threshold read as >=)."""
    real = governance.get_vote_failure

    def broken(rule: VoteRule, *args: Any) -> tuple[str | None, bool]:
        return real(attrs.evolve(rule, threshold=Share(4_999, 10_000)), *args)

    monkeypatch.setattr(governance, "get_vote_failure", broken)

    def scenario() -> None:
        vote = Vote(fresh_machine(), OPERATIONAL)
        no = _least_quorum(vote.total) // 2 + 1
        vote.tally({YES: no, NO: no})

    return scenario


def veto_refunded(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """A vetoed proposal's deposit goes back to its proposer instead of being burned."""
    real = governance.process_settle_deposit

    def broken(ledger: Any, proposal: Any, *, vetoed: bool) -> Any:
        return real(ledger, proposal, vetoed=False)

    monkeypatch.setattr(governance, "process_settle_deposit", broken)

    def scenario() -> None:
        vote = Vote(fresh_machine(), OPERATIONAL)
        yes = _least_quorum(vote.total)
        vote.tally({YES: yes, VETO: 334 * yes // 666 + 1})

    return scenario


def held_left_out_of_the_total(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """The quorum's base counts liquid STR only: bonds, node stakes and escrows do not vote."""
    real = governance.get_total_voting_power
    monkeypatch.setattr(governance, "get_total_voting_power", lambda ledger, held: real(ledger, {}))

    def scenario() -> None:
        vote = Vote(fresh_machine(), OPERATIONAL)
        cast = _least_quorum(vote.total)
        vote.tally({YES: cast - cast // 4, NO: cast // 4})

    return scenario


def _to_exploration(machine: ChainMachine) -> Vote:
    vote = Vote(machine, PROTOCOL)
    vote.voters[YES] = vote.other
    vote.tally({YES: _ceil(5 * vote.total, 100)})
    return vote


def amendment_without_testing(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """An amendment goes from its exploration vote straight to promotion, with no testing."""
    monkeypatch.setitem(
        governance._NEXT_PHASE, AmendmentPhase.EXPLORATION, AmendmentPhase.PROMOTION
    )

    def scenario() -> None:
        vote = _to_exploration(fresh_machine())
        vote.tally(_ballot(vote, 0, 0))

    return scenario


def participation_average_frozen(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """A ballot leaves Tezos' participation average where it was."""
    monkeypatch.setattr(governance, "compute_next_ema_bps", lambda rule, ema, cast, total: ema)

    def scenario() -> None:
        vote = _to_exploration(fresh_machine())
        vote.tally(_ballot(vote, 0, 0))

    return scenario


BROKEN: tuple[Callable[[pytest.MonkeyPatch], Callable[[], None]], ...] = (
    quorum_skipped,
    threshold_at_equality,
    veto_refunded,
    held_left_out_of_the_total,
    amendment_without_testing,
    participation_average_frozen,
)


@pytest.mark.parametrize("breaks", BROKEN, ids=lambda b: b.__name__)
def test_broken_tally__breaks_act_governance(
    breaks: Callable[[pytest.MonkeyPatch], Callable[[], None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = breaks(monkeypatch)
    with pytest.raises(VIOLATIONS["ACT-GOVERNANCE"]):
        scenario()


@pytest.mark.parametrize("breaks", BROKEN, ids=lambda b: b.__name__)
def test_broken_tally__its_scenario_holds_on_the_correct_model(
    breaks: Callable[[pytest.MonkeyPatch], Callable[[], None]],
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        scenario = breaks(patch)
    scenario()


# --- Every STR votes (§6.8) --------------------------------------------------------------------


def test_voting_power__str_moved_into_a_bond_a_subcommittee_or_an_escrow_still_votes() -> None:
    machine = fresh_machine()
    assert machine.checked is not None
    voter = USERS[0]
    state = machine.checked.state
    power, total = voting_power(state, voter), total_voting_power(state)
    validator = sorted(state.staking.validators)[0]
    assert machine.apply(Delegate(voter, validator, 3 * MICRO))
    assert machine.apply(DelegateToSubcommittee(voter, NETWORK_SUPPORT_COMMITTEE, 2 * MICRO))
    state = machine.checked.state
    assert (voting_power(state, voter), total_voting_power(state)) == (power, total)
    assert held_str(state)[voter] == 5 * MICRO
    # An app's escrow, open or locked, votes with its developer; a node's stake with its account.
    developer = get_developer(APP)
    escrowed = get_balance(state.ledger, get_escrow_account(APP)).ustr
    escrowed += get_balance(state.ledger, get_locked_escrow_account(APP)).ustr
    liquid = get_balance(state.ledger, developer).ustr
    assert escrowed > 0
    assert voting_power(state, developer) == liquid + held_str(state)[developer]
    assert held_str(state)[developer] >= escrowed
    stake = next(iter(state.nodes.values()))
    assert held_str(state)[stake.account] >= stake.ustr > 0
    # A module pool has no vote: the governance deposits are not counted.
    assert voting_power(state, GOVERNANCE_DEPOSITS) == 0


def test_voting_power__a_tally_counting_liquid_str_only_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The model's tally weighing each voter by its liquid STR only (its bonds forgotten)."""
    real = governance.get_voting_power
    monkeypatch.setattr(
        governance, "get_voting_power", lambda ledger, voter, held: real(ledger, voter, {})
    )
    machine = fresh_machine()
    assert machine.checked is not None
    validator = sorted(machine.checked.state.staking.validators)[0]
    assert machine.apply(Delegate(USERS[0], validator, 3 * MICRO))
    vote = Vote(machine, OPERATIONAL)
    with pytest.raises(VIOLATIONS["ACT-GOVERNANCE"], match="the voters hold"):
        vote.tally({YES: _least_quorum(vote.total)})
