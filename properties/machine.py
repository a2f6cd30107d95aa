"""The whole-chain stateful machine: Hypothesis drives every rule of the model, and after every
step each `@invariant` checks one catalogue ID.

Each rule builds an action (data) and applies it through `properties.replay`, which runs every
checker on the transition; the invariants then assert their own ID's observations. A refused
action is recorded as evidence of the refusal, never dropped. A violation raises an exception
class of its own per ID, so Hypothesis shrinks each broken invariant separately, and it carries
the trace: genesis and the actions, ready to replay.
"""

from __future__ import annotations

from typing import ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from model.chain.actions import (
    Action,
    AdvanceTime,
    CastVote,
    CommitBlock,
    Delegate,
    DelegateToSubcommittee,
    DepositUsdc,
    Equivocate,
    GrantNetworkSupport,
    MintInflation,
    OutboundRequest,
    Prepay,
    RedeemStb,
    ResolveComplaint,
    ResolveLocked,
    RunRound,
    SetAppProfile,
    SlashValidator,
    SubmitComplaint,
    SubmitProposal,
    SwapReserve,
    Tally,
    Transfer,
    Undelegate,
    UndelegateFromSubcommittee,
    WithdrawPrepayment,
)
from model.chain.common import get_bonded_by_account
from model.chain.state import APPS, Genesis, get_developer
from model.governance import (
    INITIAL_SUBCOMMITTEES,
    ParamChange,
    VoteOption,
    compute_changed_params,
    get_incoherence_reason,
    get_subcommittee_delegated,
    get_voting_power,
)
from model.ledger import Token, get_balance, get_str_circulating_supply
from model.params import WHITEPAPER_PARAMS, Params
from model.profile import HARDENED, Profile
from model.supply import process_inflation_mint
from model.trusted.behaviour import Behaviour, NodePlan
from model.units import BPS_DENOMINATOR, AccountId, Rejected
from properties.catalogue import Engine, get_ids_for
from properties.evidence import Recorder, Witness
from properties.invariants.base import Observation
from properties.replay import Checked, apply_and_check, start_and_check
from properties.strategies import (
    GOLDEN_COST,
    MICRO,
    NODES,
    PAYMENT_KEYS,
    USERS,
    amounts,
    any_account,
    apps,
    costs,
    genesis_strategy,
    node_plans,
    payment_changes,
    prices,
    seconds,
    signers,
    users,
    validator_sets,
    validators,
)

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


class ChainMachine(RuleBasedStateMachine):
    """The chain from genesis, driven by every rule the model has."""

    params: ClassVar[Params] = WHITEPAPER_PARAMS
    profile: ClassVar[Profile] = HARDENED
    recorder: ClassVar[Recorder] = Recorder()
    asserted: ClassVar[frozenset[str]] = frozenset(MACHINE_IDS)
    """IDs whose violation fails the run; the others are still observed for evidence."""

    def __init__(self) -> None:
        super().__init__()
        self.recorder.start_example()
        self.checked: Checked | None = None
        self.genesis: Genesis | None = None
        self.actions: list[Action] = []
        self.observations: dict[str, list[Observation]] = {}

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
        """Apply `action`; a refusal is recorded and leaves the chain unchanged."""
        assert self.checked is not None
        kind = type(action).__name__
        result = apply_and_check(self.checked, action)
        if isinstance(result, Rejected):
            self.recorder.record_step(kind, result.rule)
            return False
        self.recorder.record_step(kind, None)
        self.actions.append(action)
        self.checked = result
        self._observe(result.observations)
        return True

    def check(self, invariant_id: str) -> None:
        """Fail on a violation of `invariant_id` by any action of the last rule, if it is
        asserted; either way the rule's observations of it are consumed."""
        observations = self.observations.pop(invariant_id, [])
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

    # --- Genesis ---------------------------------------------------------------------------------

    @initialize(genesis=genesis_strategy)
    def create_chain(self, genesis: Genesis) -> None:
        started = start_and_check(genesis, params=self.params, profile=self.profile)
        # Genesis amounts are drawn in range: a refusal is a model bug, not a rejected action.
        assert not isinstance(started, Rejected), started
        self.genesis = genesis
        self.checked = started
        self._observe(started.observations)

    # --- Tokens and the bridge -------------------------------------------------------------------

    @rule(deposit_id=st.sampled_from(["d0", "d1", "d2", "d3"]), recipient=users, amount=amounts)
    def process_usdc_deposit(self, *, deposit_id: str, recipient: str, amount: int) -> None:
        self.apply(DepositUsdc(deposit_id, recipient, amount))  # type: ignore[arg-type]

    @rule(holder=signers, amount=amounts)
    def process_stb_redeem(self, *, holder: str, amount: int) -> None:
        self.apply(RedeemStb(holder, amount))  # type: ignore[arg-type]

    @rule(sender=any_account, recipient=any_account, token=st.sampled_from(Token), amount=amounts)
    def process_transfer(self, *, sender: str, recipient: str, token: Token, amount: int) -> None:
        self.apply(Transfer(sender, recipient, token, amount))  # type: ignore[arg-type]

    # --- Escrow and rounds -----------------------------------------------------------------------

    @rule(app=apps, own=st.booleans(), payer=users, ustb=amounts, ustr=amounts, price=prices)
    def process_prepayment(
        self, *, app: str, own: bool, payer: str, ustb: int, ustr: int, price: object
    ) -> None:
        source = get_developer(app) if own else payer  # type: ignore[arg-type]
        self.apply(Prepay(app, source, ustb, ustr, price))  # type: ignore[arg-type]

    @rule(
        app=apps,
        plans=node_plans(),
        cost=costs,
        app_reveals=st.booleans() | st.just(True),
        prefund=st.sampled_from([0, 0, 10, 1_000_000]),
    )
    def process_round(
        self, *, app: str, plans: tuple[object, ...], cost: int, app_reveals: bool, prefund: int
    ) -> None:
        self.apply(RunRound(app, plans, cost, app_reveals, prefund))  # type: ignore[arg-type]

    @rule(app=apps, size=st.integers(1, 4), price=prices)
    def process_golden_round(self, *, app: str, size: int, price: object) -> None:
        # §6.3.3's worked example: honest nodes, a $100 cost, at a fresh STR price.
        plans = tuple(NodePlan(node) for node in NODES[:size])
        self.apply(Prepay(app, get_developer(app), 0, 0, price))  # type: ignore[arg-type]
        self.apply(RunRound(app, plans, GOLDEN_COST))  # type: ignore[arg-type]

    @rule(
        app=apps,
        price=prices,
        minority=st.sampled_from([Behaviour.WRONG_OUTPUT, Behaviour.COPY_COMMIT]),
    )
    def process_dissent_round(self, *, app: str, price: object, minority: Behaviour) -> None:
        # §3.3 F11, §3.5.3: 3 of 4 agree (consensus TRUE); n3 reveals another output or copies
        # n0's commit, and is not paid.
        copy_from = NODES[0] if minority is Behaviour.COPY_COMMIT else None
        plans = (
            *(NodePlan(node) for node in NODES[:3]),
            NodePlan(NODES[3], minority, copy_from),
        )
        self.apply(Prepay(app, get_developer(app), 4 * GOLDEN_COST, 10**12, price))  # type: ignore[arg-type]
        self.apply(RunRound(app, plans, GOLDEN_COST))  # type: ignore[arg-type]

    @rule(app=apps, price=prices, ustb=st.sampled_from([1, MICRO]))
    def process_withdraw_beside_a_lock(self, *, app: str, price: object, ustb: int) -> None:
        # §3.3 F12, §4.3.1: a round without consensus (2 honest, 2 independent wrong outputs)
        # locks its payment; the developer then withdraws prepayment, which must leave the
        # locked escrow as it was.
        plans = (
            *(NodePlan(node) for node in NODES[:2]),
            *(NodePlan(node, Behaviour.WRONG_OUTPUT) for node in NODES[2:4]),
        )
        self.apply(Prepay(app, get_developer(app), 4 * GOLDEN_COST, 10**12, price))  # type: ignore[arg-type]
        self.apply(RunRound(app, plans, GOLDEN_COST))  # type: ignore[arg-type]
        self.apply(WithdrawPrepayment(app, ustb, 0))  # type: ignore[arg-type]

    @rule(data=st.data(), pay_nodes=st.booleans())
    def process_resolve_locked_payment(self, *, data: st.DataObject, pay_nodes: bool) -> None:
        assert self.checked is not None
        locked = sorted(
            (app, round_id)
            for app, escrow in self.checked.state.escrows.escrows.items()
            for round_id in escrow.locked
        )
        app, round_id = data.draw(st.sampled_from(locked)) if locked else ("app-0", 1)
        self.apply(ResolveLocked(app, round_id, pay_nodes))  # type: ignore[arg-type]

    @rule(app=apps, ustb=amounts, ustr=amounts)
    def process_withdraw_prepayment(self, *, app: str, ustb: int, ustr: int) -> None:
        self.apply(WithdrawPrepayment(app, ustb, ustr))  # type: ignore[arg-type]

    # --- Staking, blocks, slashing ---------------------------------------------------------------

    @rule(delegator=signers, validator=validators, amount=amounts)
    def process_delegate(self, *, delegator: str, validator: str, amount: int) -> None:
        self.apply(Delegate(delegator, validator, amount))  # type: ignore[arg-type]

    @rule(delegator=signers, validator=validators, amount=amounts)
    def process_undelegate(self, *, delegator: str, validator: str, amount: int) -> None:
        self.apply(Undelegate(delegator, validator, amount))  # type: ignore[arg-type]

    @rule(signers=validator_sets)
    def process_block_commit(self, *, signers: frozenset[str]) -> None:
        self.apply(CommitBlock(signers))  # type: ignore[arg-type]

    @rule(double=validator_sets, side_a=validator_sets, side_b=validator_sets)
    def process_double_sign_evidence(
        self, *, double: frozenset[str], side_a: frozenset[str], side_b: frozenset[str]
    ) -> None:
        self.apply(Equivocate(double, side_a - double, side_b - double - side_a))  # type: ignore[arg-type]

    @rule(
        validator=validators,
        times=st.integers(1, 8),
        gap=st.sampled_from([0, 0, 86_400, 63_072_000, 126_144_000]),
    )
    def process_slash_validator(self, *, validator: str, times: int, gap: int) -> None:
        # Repeated faults, `gap` seconds apart: within one window, or across one or two.
        for index in range(times):
            if index and gap:
                self.apply(AdvanceTime(gap))
            self.apply(SlashValidator(validator))  # type: ignore[arg-type]

    # --- Time and supply -------------------------------------------------------------------------

    @rule(seconds=seconds)
    def advance_time(self, *, seconds: int) -> None:
        self.apply(AdvanceTime(seconds))

    @rule()
    def process_inflation_mint(self) -> None:
        self.apply(MintInflation())

    @rule(app=apps, size=st.integers(0, 4), price=prices)
    def process_swap_reserve(self, *, app: str, size: int, price: object) -> None:
        # §6.7: paid rounds fill the swap reserve; `size` honest nodes run a $100 round first.
        if size:
            self.process_golden_round(app=app, size=size, price=price)
        self.apply(SwapReserve(price))  # type: ignore[arg-type]

    @rule(recipient=users, amount=amounts)
    def process_network_support_grant(self, *, recipient: str, amount: int) -> None:
        self.apply(GrantNetworkSupport(recipient, amount))  # type: ignore[arg-type]

    # --- Governance ------------------------------------------------------------------------------

    @rule(data=st.data(), proposer=signers, deposit=st.sampled_from([0, 1_000_000]))
    def process_submit_proposal(self, *, data: st.DataObject, proposer: str, deposit: int) -> None:
        assert self.checked is not None
        payment = self.checked.state.params.payment
        current = {key: getattr(payment, key) for key in PAYMENT_KEYS}
        changes = data.draw(payment_changes(current))
        self.apply(SubmitProposal(proposer, changes, deposit))  # type: ignore[arg-type]

    def _proposal_ids(self) -> list[int]:
        assert self.checked is not None
        return sorted(self.checked.state.governance.proposals)

    @precondition(lambda self: self.state_ready and bool(self._proposal_ids()))
    @rule(
        data=st.data(),
        voters=st.lists(signers, min_size=1, max_size=4),
        option=st.sampled_from(VoteOption),
    )
    def process_vote(self, *, data: st.DataObject, voters: list[str], option: VoteOption) -> None:
        proposal_id = data.draw(st.sampled_from(self._proposal_ids()))
        for voter in voters:
            self.apply(CastVote(proposal_id, voter, option))  # type: ignore[arg-type]

    @precondition(lambda self: self.state_ready and bool(self._proposal_ids()))
    @rule(data=st.data(), wait=st.booleans())
    def process_tally(self, *, data: st.DataObject, wait: bool) -> None:
        assert self.checked is not None
        proposal_id = data.draw(st.sampled_from(self._proposal_ids()))
        if wait:
            # Let the vote run its course before the tally.
            proposal = self.checked.state.governance.proposals[proposal_id]
            self.apply(AdvanceTime(max(0, proposal.voting_end - self.checked.state.now)))
        self.apply(Tally(proposal_id))

    @rule(delegator=signers, name=st.sampled_from(INITIAL_SUBCOMMITTEES), amount=amounts)
    def process_delegate_to_subcommittee(self, *, delegator: str, name: str, amount: int) -> None:
        self.apply(DelegateToSubcommittee(delegator, name, amount))  # type: ignore[arg-type]

    @rule(delegator=signers, name=st.sampled_from(INITIAL_SUBCOMMITTEES), amount=amounts)
    def process_undelegate_from_subcommittee(
        self, *, delegator: str, name: str, amount: int
    ) -> None:
        self.apply(UndelegateFromSubcommittee(delegator, name, amount))  # type: ignore[arg-type]

    def _richest_developer(self) -> AccountId:
        assert self.checked is not None
        ledger = self.checked.state.ledger
        return max((get_developer(app) for app in APPS), key=lambda d: get_balance(ledger, d).ustr)

    @rule(key=st.sampled_from(PAYMENT_KEYS), delta=st.sampled_from([-100, -1, 1, 100]))
    def process_lone_share_proposal(self, *, key: str, delta: int) -> None:
        """§6.8: one payment share moved alone, the others kept, so the shares stop adding up;
        the richest holder proposes it, votes YES, and the vote runs to its tally. A governance
        that checks coherence refuses it; one that does not adopts it (GOV-PARAMS)."""
        assert self.checked is not None
        value = getattr(self.checked.state.params.payment, key) + delta
        funder = self._richest_developer()
        proposal_id = self.checked.state.governance.next_proposal_id
        if not self.apply(SubmitProposal(funder, (ParamChange("payment", key, value),), 0)):
            return
        self.apply(CastVote(proposal_id, funder, VoteOption.YES))
        proposal = self.checked.state.governance.proposals[proposal_id]
        self.apply(AdvanceTime(max(0, proposal.voting_end - self.checked.state.now)))
        self.apply(Tally(proposal_id))

    @rule(voters=st.permutations(USERS))
    def process_narrow_supermajority_vote(self, *, voters: list[AccountId]) -> None:
        """§6.4, §6.8: a burn-share change backed by more than 1/2 but at most 2/3 of the votes."""
        assert self.checked is not None
        state = self.checked.state
        payment = state.params.payment
        for delta in (100, -100):
            changes = (
                ParamChange("payment", "str_burn_bps", payment.str_burn_bps + delta),
                ParamChange("payment", "str_node_profit_bps", payment.str_node_profit_bps - delta),
            )
            changed = compute_changed_params(state.params, changes)
            if not isinstance(changed, Rejected) and get_incoherence_reason(changed) is None:
                break
        else:
            return
        yes_voter, no_voter = voters[0], voters[1]
        bonded = get_bonded_by_account(state)
        held_yes = get_voting_power(state.ledger, yes_voter, bonded)
        held_no = get_voting_power(state.ledger, no_voter, bonded)
        # YES weight y and NO weight n with n < y <= 2n: a YES share in (1/2, 2/3].
        yes = max(held_yes, held_no + 1, 3 * MICRO)
        no = max(held_no, (yes + 1) // 2)
        funder = self._richest_developer()
        for voter, top_up in ((yes_voter, yes - held_yes), (no_voter, no - held_no)):
            if top_up:
                self.apply(Transfer(funder, voter, Token.STR, top_up))
        proposal_id = self.checked.state.governance.next_proposal_id
        if not self.apply(SubmitProposal(funder, changes, 0)):
            return
        self.apply(CastVote(proposal_id, yes_voter, VoteOption.YES))
        self.apply(CastVote(proposal_id, no_voter, VoteOption.NO))
        proposal = self.checked.state.governance.proposals[proposal_id]
        self.apply(AdvanceTime(max(0, proposal.voting_end - self.checked.state.now)))
        self.apply(Tally(proposal_id))

    def _mint_delay_to_whole_share(self, share: int) -> int | None:
        """Seconds to wait so that a mint leaves `share` bps of the supply a whole ustr amount."""
        assert self.checked is not None
        state = self.checked.state
        for delay in range(5_000):
            minted = process_inflation_mint(
                state.ledger, state.supply, now=state.now + delay, params=state.params
            )
            if isinstance(minted, Rejected):
                return None
            if share * get_str_circulating_supply(minted[0]) % BPS_DENOMINATOR == 0:
                return delay
        return None

    @rule(name=st.sampled_from(INITIAL_SUBCOMMITTEES), offset=st.sampled_from([0, 1, -1]))
    def process_subcommittee_at_threshold(self, *, name: str, offset: int) -> None:
        """§6.8: bring a subcommittee's delegated STR to exactly its activation share (inactive),
        or one ustr either side."""
        assert self.checked is not None
        share = self.checked.state.params.governance.subcommittee_activation_bps
        # An inflation mint (§6.9) at the right second makes the boundary a whole ustr amount.
        delay = self._mint_delay_to_whole_share(share)
        if delay is None:
            return
        if delay:
            self.apply(AdvanceTime(delay))
        self.apply(MintInflation())
        state = self.checked.state
        boundary = share * get_str_circulating_supply(state.ledger) // BPS_DENOMINATOR
        missing = boundary + offset - get_subcommittee_delegated(state.governance, name)
        if missing > 0:
            self.apply(DelegateToSubcommittee(self._richest_developer(), name, missing))

    # --- Complaints and reputation ---------------------------------------------------------------

    @rule(
        complaint_id=st.sampled_from(["c0", "c1", "c2"]),
        complainant=signers,
        accused=st.sampled_from(["app:app-0", "node:n0"]),
        deposit=st.sampled_from([0, 1_000_000, 10_000_001]),
    )
    def process_submit_complaint(
        self, *, complaint_id: str, complainant: str, accused: str, deposit: int
    ) -> None:
        self.apply(SubmitComplaint(complaint_id, complainant, accused, deposit))  # type: ignore[arg-type]

    @rule(
        complaint_id=st.sampled_from(["c0", "c1", "c2"]),
        upheld=st.booleans(),
        complainant=signers,
        extra=st.sampled_from([0, 1, 7, 999_999]),
    )
    def process_resolve_complaint(
        self, *, complaint_id: str, upheld: bool, complainant: str, extra: int
    ) -> None:
        # §6.8: a complaint not filed yet is filed first, at the MinDeposit plus `extra`, so the
        # validators always have a deposit to split.
        assert self.checked is not None
        state = self.checked.state
        if complaint_id not in state.complaints.complaints:
            deposit = state.params.governance.complaint_min_deposit_ustr + extra
            filed = SubmitComplaint(complaint_id, complainant, "node:n0", deposit)  # type: ignore[arg-type]
            self.apply(filed)
        self.apply(ResolveComplaint(complaint_id, upheld))

    @rule(app=apps, open_source=st.booleans(), staked=amounts)
    def process_set_app_profile(self, *, app: str, open_source: bool, staked: int) -> None:
        self.apply(SetAppProfile(app, open_source, staked))  # type: ignore[arg-type]

    @rule(app=apps, count=st.integers(1, 15), gap=st.sampled_from([0, 1, 5]), price=prices)
    def process_outbound_request(self, *, app: str, count: int, gap: int, price: object) -> None:
        for _ in range(count):
            self.apply(OutboundRequest(app, price))  # type: ignore[arg-type]
            if gap:
                self.apply(AdvanceTime(gap))

    # --- One invariant per catalogue ID, each a claim -------------------------------------------

    @invariant()
    def str_supply_is_conserved(self) -> None:
        self.check("CONS-STR")

    @invariant()
    def stb_is_backed_by_usdc(self) -> None:
        self.check("CONS-STB")

    @invariant()
    def payment_split_is_exact(self) -> None:
        self.check("CONS-SPLIT")

    @invariant()
    def escrows_are_solvent(self) -> None:
        self.check("ESCROW-SOLVENT")

    @invariant()
    def paid_nodes_cover_their_cost(self) -> None:
        self.check("PAY-COST")

    @invariant()
    def golden_vector_is_reproduced(self) -> None:
        self.check("PAY-VECTOR")

    @invariant()
    def the_swap_reserve_burns_what_it_buys(self) -> None:
        self.check("PAY-BURN")

    @invariant()
    def only_the_majority_is_paid(self) -> None:
        self.check("PAY-ONLY-MAJORITY")

    @invariant()
    def one_output_at_most_passes(self) -> None:
        self.check("BFT-UNIQUE")

    @invariant()
    def consensus_is_the_honest_output(self) -> None:
        self.check("BFT-SOUND")

    @invariant()
    def silent_nodes_cannot_help_a_minority(self) -> None:
        self.check("BFT-TIMEOUT")

    @invariant()
    def conflicting_commits_are_accountable(self) -> None:
        self.check("BFT-ACCOUNTABLE")

    @invariant()
    def broken_reveals_are_slashed(self) -> None:
        self.check("CR-BINDING")

    @invariant()
    def copied_commits_fail(self) -> None:
        self.check("CR-NO-COPY")

    @invariant()
    def nodes_with_bad_app_salts_abstain(self) -> None:
        self.check("CR-APP-SALT")

    @invariant()
    def commits_are_publicly_verifiable(self) -> None:
        self.check("CR-VERIFIABLE")

    @invariant()
    def commits_tell_their_fields_apart(self) -> None:
        self.check("CR-INJECTIVE")

    @invariant()
    def round_phases_are_ordered(self) -> None:
        self.check("CR-PHASES")

    @invariant()
    def rounds_always_end(self) -> None:
        self.check("ROUND-LIVE")

    @invariant()
    def slash_rates_are_bounded(self) -> None:
        self.check("SLASH-BOUNDS")

    @invariant()
    def slash_rates_double_within_a_window(self) -> None:
        self.check("SLASH-DOUBLING")

    @invariant()
    def slash_rates_halve_per_expired_window(self) -> None:
        self.check("SLASH-DECAY")

    @invariant()
    def slashes_burn_at_most_the_stake(self) -> None:
        self.check("SLASH-STAKE")

    @invariant()
    def delegators_lose_the_same_fraction(self) -> None:
        self.check("SLASH-DELEGATORS")

    @invariant()
    def parameters_are_coherent(self) -> None:
        self.check("GOV-PARAMS")

    @invariant()
    def burn_changes_need_a_supermajority(self) -> None:
        self.check("GOV-SUPERMAJORITY")

    @invariant()
    def subcommittees_activate_at_their_share(self) -> None:
        self.check("GOV-SUBCOMMITTEE")

    @invariant()
    def complaint_deposits_split_80_20(self) -> None:
        self.check("GOV-COMPLAINT")

    @invariant()
    def inflation_never_rises(self) -> None:
        self.check("SUP-INFLATION")

    @invariant()
    def outbound_requests_respect_the_cap(self) -> None:
        self.check("REP-OUTBOUND")


CHECKED_BY_MACHINE: dict[str, str] = {
    "CONS-STR": "str_supply_is_conserved",
    "CONS-STB": "stb_is_backed_by_usdc",
    "CONS-SPLIT": "payment_split_is_exact",
    "ESCROW-SOLVENT": "escrows_are_solvent",
    "PAY-COST": "paid_nodes_cover_their_cost",
    "PAY-VECTOR": "golden_vector_is_reproduced",
    "PAY-BURN": "the_swap_reserve_burns_what_it_buys",
    "PAY-ONLY-MAJORITY": "only_the_majority_is_paid",
    "BFT-UNIQUE": "one_output_at_most_passes",
    "BFT-SOUND": "consensus_is_the_honest_output",
    "BFT-TIMEOUT": "silent_nodes_cannot_help_a_minority",
    "BFT-ACCOUNTABLE": "conflicting_commits_are_accountable",
    "CR-BINDING": "broken_reveals_are_slashed",
    "CR-NO-COPY": "copied_commits_fail",
    "CR-APP-SALT": "nodes_with_bad_app_salts_abstain",
    "CR-VERIFIABLE": "commits_are_publicly_verifiable",
    "CR-INJECTIVE": "commits_tell_their_fields_apart",
    "CR-PHASES": "round_phases_are_ordered",
    "ROUND-LIVE": "rounds_always_end",
    "SLASH-BOUNDS": "slash_rates_are_bounded",
    "SLASH-DOUBLING": "slash_rates_double_within_a_window",
    "SLASH-DECAY": "slash_rates_halve_per_expired_window",
    "SLASH-STAKE": "slashes_burn_at_most_the_stake",
    "SLASH-DELEGATORS": "delegators_lose_the_same_fraction",
    "GOV-PARAMS": "parameters_are_coherent",
    "GOV-SUPERMAJORITY": "burn_changes_need_a_supermajority",
    "GOV-SUBCOMMITTEE": "subcommittees_activate_at_their_share",
    "GOV-COMPLAINT": "complaint_deposits_split_80_20",
    "SUP-INFLATION": "inflation_never_rises",
    "REP-OUTBOUND": "outbound_requests_respect_the_cap",
}
"""Catalogue ID -> the machine invariant that asserts it (a test checks it is complete)."""
