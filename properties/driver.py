"""The machine's driver: one chain from genesis, every action applied through
`properties.replay` (which runs every checker on the transition), and a violation raised as an
exception class of its own per ID, carrying the trace (genesis and actions) ready to replay.

A refused action is recorded as evidence of the refusal, never dropped. The rules that build
actions live in `properties.rules`, one module per part of the protocol; `properties.machine`
joins them and asserts one catalogue ID per invariant.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import ClassVar, Concatenate, ParamSpec, TypeVar

from hypothesis.errors import HypothesisException
from hypothesis.stateful import RuleBasedStateMachine, initialize

from model.chain.actions import Action, AdvanceTime, CastVote, SubmitProposal, Tally, Transfer
from model.chain.state import APPS, Genesis, get_developer
from model.governance import AmendmentPhase, ParamChange, VoteOption
from model.ledger import Token, get_balance
from model.params import WHITEPAPER_PARAMS, Params
from model.profile import HARDENED, Profile
from model.units import AccountId, Rejected
from oracle.governance import held_str, total_voting_power, voting_power
from properties.catalogue import Engine, get_ids_for
from properties.edges import EdgeTracker
from properties.evidence import Recorder, Witness
from properties.invariants.allowed import check_genesis_refused
from properties.invariants.base import Observation
from properties.invariants.total import (
    check_genesis_raised,
    check_model_call_raised,
    raised_in_model,
)
from properties.replay import Checked, start_and_check
from properties.step_memo import Step, StepMemo
from properties.strategies import SIGNERS, genesis_strategy

DEVELOPERS: tuple[AccountId, ...] = tuple(get_developer(app) for app in APPS)
"""The apps' developers, the two largest holders of a drawn genesis."""

MACHINE_IDS: tuple[str, ...] = get_ids_for(Engine.HYPOTHESIS)
"""Every ID the Hypothesis engine claims: the machine asserts each after every step."""


class InvariantViolationError(AssertionError):
    """Raised by a machine invariant that broke; carries the trace that broke it."""

    invariant_id: ClassVar[str] = ""

    def __init__(self, detail: str, genesis: Genesis, actions: tuple[Action, ...]) -> None:
        super().__init__(f"{self.invariant_id}: {detail}")
        self.detail = detail
        self.genesis = genesis
        self.actions = actions


VIOLATIONS: dict[str, type[InvariantViolationError]] = {
    invariant_id: type(
        "Violation_" + invariant_id.replace("-", "_"),
        (InvariantViolationError,),
        {"invariant_id": invariant_id},
    )
    for invariant_id in MACHINE_IDS
}
"""One exception class per ID: Hypothesis tells failures apart by type, and shrinks each."""


Driver = TypeVar("Driver", bound="ChainDriver")
Args = ParamSpec("Args")


def guarded(
    body: Callable[Concatenate[Driver, Args], None],
) -> Callable[Concatenate[Driver, Args], None]:
    """A rule whose model calls are judged: the rules ask the model questions outside its
    transitions (a balance, the active set, the next mint, to aim at a boundary), and an
    exception from the model there breaks ACT-TOTAL with the trace so far, as one in a
    transition does. Put it under `@rule`; an exception from the machine's own code is left
    to end the engine (a bug of the tool, not of the model)."""

    @functools.wraps(body)
    def run(self: Driver, /, *args: Args.args, **kwargs: Args.kwargs) -> None:
        try:
            body(self, *args, **kwargs)
        except (InvariantViolationError, HypothesisException):
            raise
        except Exception as error:
            if not raised_in_model(error) or self.genesis is None:
                raise
            observation = check_model_call_raised(f"the rule {body.__name__}", error)
            witness = Witness(observation.detail, self.genesis, tuple(self.actions))
            self.recorder.record_observation(observation)
            self.recorder.record_witness("ACT-TOTAL", witness)
            raise VIOLATIONS["ACT-TOTAL"](
                observation.detail, self.genesis, tuple(self.actions)
            ) from error

    return run


class ChainDriver(RuleBasedStateMachine):
    """The chain from genesis: applying actions, recording what the checkers saw, and failing on
    a violation; the rules live in `properties.rules`, the invariants in `properties.machine`."""

    params: ClassVar[Params] = WHITEPAPER_PARAMS
    profile: ClassVar[Profile] = HARDENED
    recorder: ClassVar[Recorder] = Recorder()
    asserted: ClassVar[frozenset[str]] = frozenset(MACHINE_IDS)
    """IDs whose violation fails the run; the others are still observed for evidence."""
    step_memo: ClassVar[StepMemo] = StepMemo(limit=0)
    """The steps of this seed stream, kept by the chain they started from
    (`properties.step_memo`): the runner gives the runs of a stream one memo; a machine built
    alone keeps nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.recorder.start_example()
        self.checked: Checked | None = None
        self.genesis: Genesis | None = None
        self.actions: list[Action] = []
        self.observations: dict[str, list[Observation]] = {}
        self.edges: EdgeTracker | None = None
        self.swept: set[str] = set()
        """The sweeps (rules that try every case of a list in one firing) done in this example:
        each runs once an example, so its many steps do not crowd out the other rules."""

    # --- Applying actions ------------------------------------------------------------------------

    def _observe(self, observations: tuple[Observation, ...]) -> None:
        # Observations pile up over every action of a rule until each ID's invariant takes its
        # own (`check`): a rule that applies several actions is judged on all of them.
        for observation in observations:
            self.recorder.record_observation(observation)
            if not observation.holds and self.genesis is not None:
                witness = Witness(observation.detail, self.genesis, tuple(self.actions))
                self.recorder.record_witness(observation.invariant_id, witness)
            self.observations.setdefault(observation.invariant_id, []).append(observation)

    def apply(self, action: Action) -> bool:
        """Apply `action`; a refusal is recorded and leaves the chain unchanged. Either way the
        boundaries the step reached are counted (`properties.edges`)."""
        assert self.checked is not None
        return self._apply_step(action, self.step_memo.step(self.checked, action))

    def _apply_step(self, action: Action, step: Step) -> bool:
        """`apply`, given the model's answer to `action` from the current chain."""
        assert self.checked is not None and self.edges is not None
        kind = type(action).__name__
        current = self.checked
        # As `properties.replay.apply_and_check`, keeping the effects for the boundary evidence;
        # a step an earlier example took from this very chain is answered as it was then.
        result = step.answer
        if isinstance(result, Rejected):
            self.recorder.record_step(kind, result.rule)
            self.recorder.record_boundaries(
                self.step_memo.reach(
                    step, self.edges, current.state, action, after=None, effects=()
                )
            )
            judged = self.step_memo.judge_refusal(current, action, step)
            if any(not observation.holds for observation in judged):
                # A refusal of an allowed action: the trace keeps it (replaying it is refused
                # again and changes nothing), so the witness shows it.
                self.actions.append(action)
            self._observe(judged)
            return False
        if isinstance(result, Checked):
            # The model raised: the action stays in the trace (replaying it raises again, and
            # leaves the chain as it was, as here), and ACT-TOTAL fails on it.
            self.recorder.record_step(kind, "raised")
            self.actions.append(action)
            self._observe(result.observations)
            return False
        after, effects = result
        self.checked = self.step_memo.apply(current, action, step)
        self.recorder.record_step(kind, None)
        self.recorder.record_boundaries(
            self.step_memo.reach(
                step, self.edges, current.state, action, after=after, effects=tuple(effects)
            )
        )
        self.actions.append(action)
        self._observe(self.checked.observations)
        return True

    def apply_unless_rightly_refused(self, action: Action, *, keep_if_applied: bool = True) -> bool:
        """Apply `action`, unless the model refuses it and ACT-ALLOWED judges that refusal
        right: then the chain stays as it was and only the evidence is kept (the judgement and
        the boundaries reached), not a step. With `keep_if_applied` False, an action the model
        applies is likewise only counted, not kept (the sweep judges it acceptable as it is).
        For sweeps of actions most of which must be refused; True iff the action was applied
        to the chain. A model that raises is always applied, so ACT-TOTAL fails on it."""
        assert self.checked is not None and self.edges is not None
        current = self.checked
        step = self.step_memo.step(current, action)
        answer = step.answer
        if isinstance(answer, Rejected):
            judged = self.step_memo.judge_refusal(current, action, step)
            if all(observation.holds for observation in judged):
                for observation in judged:
                    self.recorder.record_observation(observation)
                self.recorder.record_boundaries(
                    self.step_memo.reach(
                        step, self.edges, current.state, action, after=None, effects=()
                    )
                )
                return False
        elif isinstance(answer, tuple) and not keep_if_applied:
            after, effects = answer
            self.recorder.record_boundaries(
                self.step_memo.reach(
                    step, self.edges, current.state, action, after=after, effects=effects
                )
            )
            return False
        return self._apply_step(action, step)

    def enact(self, changes: tuple[ParamChange, ...]) -> bool:
        """§6.8: the richest developer proposes `changes`, the largest holders vote YES on it
        (`_backers`: three quarters of all STR votes, past every quorum and threshold), and
        the vote runs to its tally; an amendment runs through its four periods, voted YES on
        each that holds a vote. True iff the changes were adopted."""
        assert self.checked is not None
        funder = self._richest_developer()
        proposal_id = self.checked.state.governance.next_proposal_id
        if not self.apply(SubmitProposal(funder, changes, 0)):
            return False
        # One period for a parameter change, four for an amendment.
        for _ in range(4):
            proposal = self.checked.state.governance.proposals.get(proposal_id)
            if proposal is None or proposal.result is not None:
                break
            if proposal.phase is not AmendmentPhase.TESTING:
                for voter in self._backers():
                    self.apply(CastVote(proposal_id, voter, VoteOption.YES))
            before = proposal.voting_end
            self.run_to_tally(proposal_id)
            moved = self.checked.state.governance.proposals.get(proposal_id)
            if moved is None or (moved.voting_end == before and moved.result is None):
                break  # the tally was refused: the proposal stands where it was
        proposal = self.checked.state.governance.proposals.get(proposal_id)
        return proposal is not None and proposal.result is not None and proposal.result.passed

    def _backers(self) -> list[AccountId]:
        """The fewest signers, largest first, whose STR votes (the oracle's `voting_power`)
        make up three quarters of all STR votes, or every signer."""
        assert self.checked is not None
        state = self.checked.state
        held = held_str(state)
        total = total_voting_power(state, held)
        ranked = sorted(SIGNERS, key=lambda a: (-voting_power(state, a, held), a))
        backers, power = [], 0
        for account in ranked:
            if 4 * power >= 3 * total:
                break
            backers.append(account)
            power += voting_power(state, account, held)
        return backers

    def set_voting_powers(self, targets: Mapping[AccountId, int], funder: AccountId) -> bool:
        """§6.8: move liquid STR between the voters of `targets` and the other signers (the
        funder first) until each voter's STR votes (the oracle's `voting_power`: liquid and
        held) are exactly its target; the total is unchanged, as STR only moves between user
        accounts. False if a voter holds more than its target outside its liquid balance, or
        the others cannot pay."""
        assert self.checked is not None
        state = self.checked.state
        held = held_str(state)
        for voter, target in targets.items():
            power = voting_power(state, voter, held)
            if power > target:
                self.apply(Transfer(voter, funder, Token.STR, power - target))
        # Transfers move liquid STR only: what each account holds elsewhere stays `held`.
        sources = [funder, *(a for a in SIGNERS if a != funder)]
        for voter, target in targets.items():
            state = self.checked.state
            missing = target - voting_power(state, voter, held)
            for source in sources:
                if missing <= 0:
                    break
                liquid = get_balance(state.ledger, source).ustr
                if source in targets or liquid <= 0:
                    continue
                moved = min(liquid, missing)
                self.apply(Transfer(source, voter, Token.STR, moved))
                missing -= moved
                state = self.checked.state
        state = self.checked.state
        held = held_str(state)
        return all(voting_power(state, v, held) == t for v, t in targets.items())

    def run_to_tally(self, proposal_id: int) -> None:
        """Let proposal `proposal_id`'s vote run to its end, and tally it."""
        assert self.checked is not None
        proposal = self.checked.state.governance.proposals.get(proposal_id)
        if proposal is None:  # an accepted proposal the model did not record: ACT-GOVERNANCE
            return
        self.apply(AdvanceTime(max(0, proposal.voting_end - self.checked.state.now)))
        self.apply(Tally(proposal_id))

    def check(self, invariant_id: str) -> None:
        """Fail on a violation of `invariant_id` by any action of the last rule, if it is
        asserted; either way the rule's observations of it are consumed."""
        observations = self.observations.pop(invariant_id, ())
        if invariant_id not in self.asserted:
            return
        for observation in observations:
            if not observation.holds:
                assert self.genesis is not None
                raise VIOLATIONS[invariant_id](
                    observation.detail, self.genesis, tuple(self.actions)
                )

    @property
    def state_ready(self) -> bool:
        return self.checked is not None

    @property
    def is_sweep_example(self) -> bool:
        """True in the examples whose chain starts late (a third of the drawn geneses): the
        sweeps of many steps run only there, so they leave room for every other rule in a
        quick run, and each reaches its boundaries in the examples it runs in."""
        return self.genesis is not None and self.genesis.time != 0

    # --- Genesis ---------------------------------------------------------------------------------

    @initialize(genesis=genesis_strategy)
    def create_chain(self, genesis: Genesis) -> None:
        try:
            started = self.step_memo.start(
                genesis,
                lambda: start_and_check(genesis, params=self.params, profile=self.profile),
            )
        except Exception as error:  # the model's bug: ACT-TOTAL fails on the genesis alone
            # Raised even when found in an earlier run (the runner then stops re-running): with
            # no chain, the example says nothing more, and passing over every genesis could
            # leave Hypothesis nothing it can run.
            observation = check_genesis_raised(error)
            self.recorder.record_witness("ACT-TOTAL", Witness(observation.detail, genesis, ()))
            raise VIOLATIONS["ACT-TOTAL"](observation.detail, genesis, ()) from error
        if isinstance(started, Rejected):
            # Genesis amounts are drawn in range: a refusal breaks ACT-ALLOWED.
            refused = check_genesis_refused(started)
            self.recorder.record_witness("ACT-ALLOWED", Witness(refused.detail, genesis, ()))
            raise VIOLATIONS["ACT-ALLOWED"](refused.detail, genesis, ())
        self.genesis = genesis
        self.checked = started
        self.edges = EdgeTracker(genesis)
        self._observe(started.observations)

    def _richest_developer(self) -> AccountId:
        assert self.checked is not None
        ledger = self.checked.state.ledger
        return max((get_developer(app) for app in APPS), key=lambda d: get_balance(ledger, d).ustr)
