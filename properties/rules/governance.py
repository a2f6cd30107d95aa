"""Machine rules for governance, subcommittees, complaints and reputation (§4.5, §6.4, §6.8)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from model.chain.actions import (
    AdvanceTime,
    CastVote,
    CreateSubcommittee,
    DelegateToSubcommittee,
    FundInsurance,
    GrantNetworkSupport,
    MintInflation,
    OutboundRequest,
    PayInsurance,
    Prepay,
    ResolveComplaint,
    RunRound,
    SetAppProfile,
    SlashNode,
    SubmitComplaint,
    SubmitProposal,
    Tally,
    Transfer,
    UndelegateFromSubcommittee,
)
from model.chain.state import get_developer
from model.constitution import HARDENED_CONSTITUTION, AmendmentRule
from model.governance import (
    INITIAL_SUBCOMMITTEES,
    NETWORK_SUPPORT_COMMITTEE,
    ParamChange,
    VoteOption,
)
from model.insurance import InsuranceClaim
from model.ledger import INSURANCE_POOL, NETWORK_SUPPORT, Token
from model.params import ParamSpec
from model.payment import SupportPurpose
from model.reputation import AppReputation
from model.trusted.behaviour import NodePlan
from model.units import BPS_DENOMINATOR, SECONDS_PER_MINUTE, AccountId, AppId, NodeId
from oracle.committees import COMPLAINT_NETWORK, INSURANCE_PAYOUTS, delegated_to, grant_committees
from oracle.domains import value_problem
from oracle.governance import (
    amendment_quorum_bps,
    held_str,
    incoherences,
    least_at_least,
    least_reaching,
    most_not_over,
    parameter_rule,
    total_voting_power,
    voting_power,
    with_changes,
)
from oracle.ledger import str_circulating, ustr_of
from oracle.reputation import requests_in_minute
from oracle.supply import minted_amount
from properties.driver import DEVELOPERS, ChainDriver, guarded
from properties.invariants.actions import fresh_app_record
from properties.strategies import (
    GOLDEN_COST,
    GOVERNABLE,
    MICRO,
    NODES,
    PAYMENT_KEYS,
    USERS,
    amounts,
    apps,
    edge_value,
    edge_values,
    named_accounts,
    payment_changes,
    prices,
    signers,
    users,
)

NEW_SUBCOMMITTEES = ("audits", "network-support-2", "zk-research", "complaint-network")
"""Subcommittees the machine creates: before and after `network-support` in name order, one
that extends its name, and an initial one (its creation is refused)."""


class GovernanceRules(ChainDriver):
    """Proposals, votes and tallies, subcommittee delegation, complaints, app profiles and
    outbound requests."""

    # --- Governance ------------------------------------------------------------------------------

    @rule(data=st.data(), proposer=signers, deposit=st.sampled_from([0, 1_000_000]))
    @guarded
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
    @guarded
    def process_vote(self, *, data: st.DataObject, voters: list[str], option: VoteOption) -> None:
        proposal_id = data.draw(st.sampled_from(self._proposal_ids()))
        for voter in voters:
            self.apply(CastVote(proposal_id, voter, option))  # type: ignore[arg-type]

    @precondition(lambda self: self.state_ready and bool(self._proposal_ids()))
    @rule(data=st.data(), wait=st.booleans())
    @guarded
    def process_tally(self, *, data: st.DataObject, wait: bool) -> None:
        assert self.checked is not None
        proposal_id = data.draw(st.sampled_from(self._proposal_ids()))
        if wait:
            # Let the vote run its course before the tally.
            proposal = self.checked.state.governance.proposals.get(proposal_id)
            if proposal is None:  # an accepted proposal the model did not record: ACT-GOVERNANCE
                return
            self.apply(AdvanceTime(max(0, proposal.voting_end - self.checked.state.now)))
        self.apply(Tally(proposal_id))

    @rule(creator=signers, name=st.sampled_from(NEW_SUBCOMMITTEES), amount=amounts)
    @guarded
    def process_new_subcommittee(self, *, creator: str, name: str, amount: int) -> None:
        """§6.8: anyone creates a subcommittee and backs it; names sort on both sides of the
        Network Support Committee's, so STR delegated to another subcommittee is never counted
        for it by a name comparison gone wrong (one name is an initial one: refused)."""
        self.apply(CreateSubcommittee(name, creator))  # type: ignore[arg-type]
        self.apply(DelegateToSubcommittee(creator, name, amount))  # type: ignore[arg-type]

    @rule(delegator=named_accounts, name=st.sampled_from(INITIAL_SUBCOMMITTEES), amount=amounts)
    @guarded
    def process_delegate_to_subcommittee(self, *, delegator: str, name: str, amount: int) -> None:
        self.apply(DelegateToSubcommittee(delegator, name, amount))  # type: ignore[arg-type]

    @rule(
        delegator=signers,
        name=st.sampled_from(INITIAL_SUBCOMMITTEES),
        amount=amounts,
        share=st.sampled_from([None, None, 1, 2]),
    )
    @guarded
    def process_undelegate_from_subcommittee(
        self, *, delegator: str, name: str, amount: int, share: int | None
    ) -> None:
        """§6.8: take subcommittee backing back: a drawn amount, or (`share` set) all or half of
        a delegation that exists, so that taking back exactly what was delegated is common."""
        assert self.checked is not None
        held = sorted(self.checked.state.governance.subcommittee_delegations.items())
        if share is not None and held:
            (backer, backed), delegated = held[amount % len(held)]
            self.apply(UndelegateFromSubcommittee(backer, backed, delegated // share))
            return
        self.apply(UndelegateFromSubcommittee(delegator, name, amount))  # type: ignore[arg-type]

    @rule(key=st.sampled_from(PAYMENT_KEYS), delta=st.sampled_from([-100, -1, 1, 100]))
    @guarded
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
        self.run_to_tally(proposal_id)

    @rule(voters=st.permutations(USERS))
    @guarded
    def process_narrow_supermajority_vote(self, *, voters: list[AccountId]) -> None:
        """§6.4, §6.8: a burn-share change backed by more than 1/2 but at most 2/3 of the votes."""
        assert self.checked is not None
        changes = self._burn_change()
        if changes is None:
            return
        state = self.checked.state
        yes_voter, no_voter = voters[0], voters[1]
        held_yes = voting_power(state, yes_voter)
        held_no = voting_power(state, no_voter)
        # YES weight y and NO weight n with n < y <= 2n: a YES share in (1/2, 2/3], the votes
        # cast reaching the quorum (hardened), so the threshold decides.
        cast = self._least_cast(changes)
        yes = max(held_yes, held_no + 1, 3 * MICRO, -(-2 * cast // 3) + 1)
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
        self.run_to_tally(proposal_id)

    @rule(
        data=st.data(),
        specs=st.lists(st.sampled_from(GOVERNABLE), min_size=2, max_size=8, unique=True),
        enact=st.booleans(),
    )
    @guarded
    def process_param_proposal(
        self, *, data: st.DataObject, specs: list[ParamSpec], enact: bool
    ) -> None:
        """§6.8: a proposal over two to eight governable keys, each at its domain's bounds or one
        away from its default; one moving each default by one (the consensus keys apart) is,
        half the time, voted through."""
        changes = tuple(
            ParamChange(spec.subspace, spec.key, data.draw(edge_values(spec))) for spec in specs
        )
        # The consensus threshold stays the whitepaper's 2/3 when adopted: BFT-SOUND and
        # BFT-TIMEOUT state that fraction, and a governed one is another claim.
        mild = all(
            abs(change.value - spec.default) == 1 and spec.subspace != "consensus"
            for change, spec in zip(changes, specs, strict=True)
        )
        if enact and mild:
            self.enact(changes)
        else:
            self.apply(SubmitProposal(self._richest_developer(), changes, 0))

    @rule(edge=st.sampled_from(["minimum", "maximum", "default-1", "default+1"]))
    @guarded
    def process_proposal_over_every_key(self, *, edge: str) -> None:
        """§6.8: one proposal over every governable key, each at the same edge of its domain (a
        bound, or one away from its default, kept in domain), submitted and left to its vote:
        every key is proposed in every example that runs the rule, not only those Hypothesis'
        draws happen to pick. One draw for all keys keeps the rule cheap."""
        changes = tuple(
            ParamChange(spec.subspace, spec.key, edge_value(spec, edge)) for spec in GOVERNABLE
        )
        self.apply(SubmitProposal(self._richest_developer(), changes, 0))

    @rule(offset=st.sampled_from([-1, 0, 1]), voter=signers, option=st.sampled_from(VoteOption))
    @guarded
    def process_vote_at_deadline(self, *, offset: int, voter: str, option: VoteOption) -> None:
        """§6.8: a proposal whose vote is cast, then tallied, one second before, exactly at, or
        one second after its voting period ends (votes close and tallies open at the end)."""
        assert self.checked is not None
        key = "complaint_min_deposit_ustr"
        current = self.checked.state.params.governance.complaint_min_deposit_ustr
        change = ParamChange("governance", key, current + 1 if current < 10**6 else current - 1)
        proposal_id = self.checked.state.governance.next_proposal_id
        if not self.apply(SubmitProposal(self._richest_developer(), (change,), 0)):
            return
        proposal = self.checked.state.governance.proposals.get(proposal_id)
        if proposal is None:  # an accepted proposal the model did not record: ACT-GOVERNANCE
            return
        self.apply(AdvanceTime(max(0, proposal.voting_end + offset - self.checked.state.now)))
        self.apply(CastVote(proposal_id, voter, option))  # type: ignore[arg-type]
        self.apply(Tally(proposal_id))
        if offset < 0:
            self.run_to_tally(proposal_id)

    @precondition(lambda self: self.state_ready and "vote-mix" not in self.swept)
    @rule(voters=st.permutations(USERS), abstain=st.sampled_from([0, 1, 3 * MICRO]))
    @guarded
    def process_vote_mix(self, *, voters: list[AccountId], abstain: int) -> None:
        """§6.4, §6.5, §6.8: YES, NO and ABSTAIN weights set so YES is one ustr below, exactly
        at, and one ustr above the threshold: num/den of all votes cast for a burn-share change,
        NO for another key. Every level and both kinds each firing, once an example: a drawn
        kind came out a supermajority in nearly every firing of a quick run, and a drawn level
        left "one above" unreached, both leaving edges unreached."""
        self.swept.add("vote-mix")
        for level in (-1, 0, 1):
            for supermajority in (False, True):
                self._vote_mix(voters, level=level, supermajority=supermajority, abstain=abstain)

    def _vote_mix(
        self, voters: list[AccountId], *, level: int, supermajority: bool, abstain: int
    ) -> None:
        assert self.checked is not None
        state = self.checked.state
        gov = state.params.governance
        if supermajority:
            changes = self._burn_change()
            if changes is None:
                return
        else:
            current = gov.complaint_min_deposit_ustr
            value = current + 1 if current < 10**6 else current - 1
            changes = (ParamChange("governance", "complaint_min_deposit_ustr", value),)
        yes_voter, no_voter, abstain_voter = voters
        # A simple majority always hears an abstention: it must not count (§6.8).
        abstain = abstain if supermajority else max(abstain, 1)
        num, den = gov.supermajority_num, gov.supermajority_den
        if supermajority and den <= num:
            return
        # YES at the threshold exactly: y * den == num * (y + n + a), i.e. y = k * num and
        # n + a = k * (den - num); a simple majority's threshold is y == n. The votes cast
        # reach the quorum (hardened), so the threshold decides.
        unit_yes, unit_rest = (num, den - num) if supermajority else (1, 1)
        need = max(abstain + 1, 3 * MICRO)
        need = max(need, -(-self._least_cast(changes) // (unit_yes + unit_rest)) + 1)
        k = -(-need // min(unit_yes, unit_rest))
        yes = k * unit_yes + level
        no = k * unit_rest - (abstain if supermajority else 0)
        funder = self._richest_developer()
        weights = ((yes_voter, yes), (no_voter, no), (abstain_voter, abstain))
        # Each voter's STR set to its weight exactly (moved in or out): a voter left heavier by
        # an earlier vote of the example would otherwise tip the tally off its edge.
        if not self.set_voting_powers({v: w for v, w in weights if w}, funder):
            return
        proposal_id = self.checked.state.governance.next_proposal_id
        if not self.apply(SubmitProposal(funder, changes, 0)):
            return
        options = (VoteOption.YES, VoteOption.NO, VoteOption.ABSTAIN)
        for (voter, weight), option in zip(weights, options, strict=True):
            if weight or option is not VoteOption.ABSTAIN:
                self.apply(CastVote(proposal_id, voter, option))
        self.run_to_tally(proposal_id)

    def _least_cast(self, changes: tuple[ParamChange, ...]) -> int:
        """§6.8: the fewest ustr of votes that reach the quorum of the vote `changes` need (the
        oracle's reading of the constitution; 0 without a quorum)."""
        assert self.checked is not None
        state = self.checked.state
        quorum = parameter_rule(state, changes).quorum
        return 0 if quorum is None else least_reaching(quorum, total_voting_power(state))

    def _burn_change(self) -> tuple[ParamChange, ...] | None:
        """A coherent change of the burn share (a supermajority key), moved against the node's:
        each value inside its documented domain and the shares still adding up (§6.8), judged by
        the oracle's reading, not the model's."""
        assert self.checked is not None
        params = self.checked.state.params
        payment = params.payment
        for delta in (100, -100):
            changes = (
                ParamChange("payment", "str_burn_bps", payment.str_burn_bps + delta),
                ParamChange("payment", "str_node_profit_bps", payment.str_node_profit_bps - delta),
            )
            in_domain = all(
                value_problem(f"{change.subspace}.{change.key}", change.value) is None
                for change in changes
            )
            if in_domain and not incoherences(with_changes(params, changes)):
                return changes
        return None

    def _mint_delay_to_whole_share(self, share: int) -> int | None:
        """Seconds to wait so that a mint leaves `share` bps of the supply a whole ustr amount:
        the mint is §6.9's accrual since the last mint, rounded down (`oracle.supply`), over the
        circulating STR of the ledger's counters (`oracle.ledger`)."""
        assert self.checked is not None
        state = self.checked.state
        supply, now = state.supply, state.now
        if not supply.genesis_time <= supply.last_mint_time <= now:
            return None
        circulating = str_circulating(state.ledger)
        for delay in range(5_000):
            minted = minted_amount(
                circulating,
                genesis=supply.genesis_time,
                start=supply.last_mint_time,
                end=now + delay,
                params=state.params,
            )
            if share * (circulating + minted) % BPS_DENOMINATOR == 0:
                return delay
        return None

    @rule(name=st.sampled_from(INITIAL_SUBCOMMITTEES), offset=st.sampled_from([0, 1, -1]))
    @guarded
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
        # §6.8 "greater than 1% of all STR", read by the oracle from the ledger's counters and
        # the delegation records, so a model's own reading cannot move the aim with it.
        boundary = share * str_circulating(state.ledger) // BPS_DENOMINATOR
        missing = boundary + offset - delegated_to(state.governance, name)
        if missing > 0:
            self.apply(DelegateToSubcommittee(self._richest_developer(), name, missing))
        # §6.5: the Network Support Committee grants only while active, so a grant right at the
        # boundary is refused on it and below, and paid one ustr above (a grant of nothing when
        # Network Support holds nothing yet: activation is what is tested).
        if name == NETWORK_SUPPORT_COMMITTEE:
            held = ustr_of(state.ledger, NETWORK_SUPPORT)
            voters = self._committee_voters(NETWORK_SUPPORT_COMMITTEE)
            self.apply(GrantNetworkSupport(USERS[0], min(1, held), signers=voters))

    @rule(
        offset=st.sampled_from([-1, 0, 1]),
        recipient=users | named_accounts,
        quarters=st.sampled_from([0, 1, 2, 4]),
        other=st.sampled_from([None, None, *INITIAL_SUBCOMMITTEES[1:], "zk-research"]),
    )
    @guarded
    def process_grant_at_activation(
        self, *, offset: int, recipient: str, quarters: int, other: str | None
    ) -> None:
        """§6.5, §6.8: Network Support's subcommittee brought to one ustr under or exactly its
        activation share (a grant is refused) or one ustr over it (a grant is paid), then a grant
        of a quarter, half or all of what Network Support holds (or nothing). With `other`, the
        backer first backs that subcommittee too (`_back_another_subcommittee`)."""
        if other is not None:
            self._back_another_subcommittee(other)
        self.process_subcommittee_at_threshold(name=NETWORK_SUPPORT_COMMITTEE, offset=offset)
        assert self.checked is not None
        held = ustr_of(self.checked.state.ledger, NETWORK_SUPPORT)
        voters = self._committee_voters(NETWORK_SUPPORT_COMMITTEE)
        grant = GrantNetworkSupport(recipient, held * quarters // 4, signers=voters)  # type: ignore[arg-type]
        self.apply(grant)

    def _back_another_subcommittee(self, other: str) -> None:
        """§6.8: "an STR token can be delegated to only one Subcommittee". The developer who will
        bring Network Support to its activation share first backs another subcommittee with half
        its STR, which must not count for Network Support."""
        assert self.checked is not None
        backer = self._richest_developer()
        if other not in self.checked.state.governance.subcommittees:
            # A subcommittee named after Network Support's in name order, created first.
            self.apply(CreateSubcommittee(other, backer))
        held = ustr_of(self.checked.state.ledger, backer)
        self.apply(DelegateToSubcommittee(backer, other, held // 2))

    # --- The constitution's votes at their edges (§6.8) -----------------------------------------

    def _sweep_change(self) -> tuple[ParamChange, ...]:
        """An operational key moved by one (the MinDeposit of a complaint): a parameter change
        under either reading, by x/gov's vote (hardened) or yes over no (literal)."""
        assert self.checked is not None
        current = self.checked.state.params.governance.complaint_min_deposit_ustr
        value = current + 1 if current < 10**6 else current - 1
        return (ParamChange("governance", "complaint_min_deposit_ustr", value),)

    def _vote_edge_cases(
        self, changes: tuple[ParamChange, ...], floor: int
    ) -> list[tuple[str, dict[VoteOption, int]]]:
        """§6.8: the weights of each option that put one vote of `changes` exactly at, or one
        ustr past, each edge of its rule (the oracle's reading): the votes cast one ustr below
        and exactly at the quorum, yes exactly at the threshold (not over it) and one ustr
        above, no-with-veto exactly at the veto share and one ustr above. Every weight is at
        least `floor` (or none), so the voters' STR held outside their balances fits."""
        assert self.checked is not None
        state = self.checked.state
        rule = parameter_rule(state, changes)
        total = total_voting_power(state)
        least = 0 if rule.quorum is None else least_reaching(rule.quorum, total)
        yes_, no_, abstain_, veto_ = (
            VoteOption.YES,
            VoteOption.NO,
            VoteOption.ABSTAIN,
            VoteOption.NO_WITH_VETO,
        )
        cases: list[tuple[str, dict[VoteOption, int]]] = []
        if rule.quorum is not None:
            for name, cast in (("quorum-below", least - 1), ("quorum-on", least)):
                no = max(floor, cast // 4)
                cases.append((name, {yes_: cast - no, no_: no}))
        # Yes against a fixed no and abstain, the votes cast past the quorum.
        share = rule.threshold
        no = max(floor, least_reaching(1 - share, least + 1))
        rest = no + (floor if rule.counts_abstain else 0)
        on = most_not_over(share, rest)
        for name, yes in (("threshold-on", on), ("threshold-above", on + 1)):
            cases.append((name, {yes_: yes, no_: no, abstain_: floor}))
        if rule.veto is not None:
            yes = max(floor, least_reaching(1 - rule.veto, least + 1))
            on = most_not_over(rule.veto, yes)
            for name, veto in (("veto-on", on), ("veto-above", on + 1)):
                cases.append((name, {yes_: yes, veto_: veto}))
        return cases

    @precondition(lambda self: self.is_sweep_example and "vote-edges" not in self.swept)
    @rule()
    @guarded
    def process_votes_at_the_constitution_edges(self) -> None:
        """§6.8: one proposal for each edge of its vote (`_vote_edge_cases`): the votes cast one
        ustr below and exactly at the quorum, yes exactly at the threshold and one ustr above,
        no-with-veto exactly at the veto share and one ustr above, each voter's STR votes set by
        transfers from the richest developer just before the tally (votes weigh the STR held
        then). All proposals are open at once and tallied in turn; the literal reading has no
        quorum and no veto, so only its threshold is swept. Once an example, in a sweep example
        (`is_sweep_example`)."""
        assert self.checked is not None
        self.swept.add("vote-edges")
        funder = self._richest_developer()
        voters = dict(zip((VoteOption.YES, VoteOption.NO), USERS[:2], strict=True))
        voters[VoteOption.ABSTAIN] = voters[VoteOption.NO_WITH_VETO] = USERS[2]
        state = self.checked.state
        held = held_str(state)
        floor = max(3 * MICRO, *(held.get(voter, 0) + 1 for voter in USERS))
        changes = self._sweep_change()
        opened: list[tuple[int, dict[VoteOption, int]]] = []
        for _, weights in self._vote_edge_cases(changes, floor):
            proposal_id = self.checked.state.governance.next_proposal_id
            if not self.apply(SubmitProposal(funder, changes, 0)):
                return
            for option in weights:
                self.apply(CastVote(proposal_id, voters[option], option))
            opened.append((proposal_id, weights))
        self._tally_at_weights(opened, voters, funder)

    def _tally_at_weights(
        self,
        opened: list[tuple[int, dict[VoteOption, int]]],
        voters: dict[VoteOption, AccountId],
        funder: AccountId,
    ) -> None:
        """Run every proposal of `opened` to the end of its vote, then tally each with its
        voters' STR votes set to its weights first."""
        assert self.checked is not None
        proposals = self.checked.state.governance.proposals
        ends = [proposals[i].voting_end for i, _ in opened if i in proposals]
        if not ends:
            return
        self.apply(AdvanceTime(max(0, max(ends) - self.checked.state.now)))
        for proposal_id, weights in opened:
            targets = {voters[option]: weight for option, weight in weights.items()}
            if self.set_voting_powers(targets, funder):
                self.apply(Tally(proposal_id))

    @precondition(
        lambda self: (
            self.state_ready
            and self.profile.constitution_enforced
            and "amendment-periods" not in self.swept
        )
    )
    @rule()
    @guarded
    def process_amendment_through_its_periods(self) -> None:
        """§6.8, as Tezos: four amendments of one protocol constant run through their four
        90-day periods together, each tally at the end of a period with its voters' STR set
        around the edge it tests: upvotes one ustr below Tezos' proposal quorum (the first ends
        there) and exactly at it (the others move on); at the exploration ballot, participation
        one ustr below its quorum (ends), exactly at it with yay exactly at 80% of yay and nay
        (moves on), and exactly at it with yay one ustr below (ends); the survivor passes
        testing (no vote) and its promotion ballot, one ustr above both, and is adopted. The
        quorum follows the participation average each ballot moves, read from the oracle just
        before each tally. Once an example, under the hardened constitution only."""
        assert self.checked is not None
        self.swept.add("amendment-periods")
        amendment = HARDENED_CONSTITUTION.amendment
        if amendment is None:
            return
        params = self.checked.state.params
        base = params.slashing.slash_base_bps
        change = (
            ParamChange("slashing", "slash_base_bps", base + 1 if base < 5_000 else base - 1),
        )
        funder = self._richest_developer()
        ids = []
        for _ in range(4):
            proposal_id = self.checked.state.governance.next_proposal_id
            if not self.apply(SubmitProposal(funder, change, 0)):
                return
            ids.append(proposal_id)
        self._proposal_period(amendment, ids, funder)
        # Exploration: (participation, yay) edges; promotion: one above both.
        self._ballot_periods(
            amendment, {ids[1]: [(-1, 1), (1, 1)], ids[2]: [(0, 0), (1, 1)], ids[3]: [(0, -1)]}
        )

    def _proposal_period(self, amendment: AmendmentRule, ids: list[int], funder: AccountId) -> None:
        """Tezos' proposal period: one upvoter, its STR one ustr below the proposal quorum for
        the first proposal and exactly at it for the others, just before each tally."""
        assert self.checked is not None
        upvoter = USERS[0]
        for proposal_id in ids:
            self.apply(CastVote(proposal_id, upvoter, VoteOption.YES))
        self._advance_to_end(ids)
        quorum = Fraction(amendment.proposal_quorum.num, amendment.proposal_quorum.den)
        for index, proposal_id in enumerate(ids):
            least = least_reaching(quorum, total_voting_power(self.checked.state))
            if self.set_voting_powers({upvoter: least - (index == 0)}, funder):
                self.apply(Tally(proposal_id))

    def _ballot_periods(
        self, amendment: AmendmentRule, ballots: dict[int, list[tuple[int, int]]]
    ) -> None:
        """Exploration, testing and promotion: each live proposal voted yes by the developer
        that does not fund, no and abstain by two users, with each ballot's STR placed at its
        next (participation, yay) edge just before its tally; testing holds no vote."""
        assert self.checked is not None
        funder = self._richest_developer()
        other = next(d for d in DEVELOPERS if d != funder)
        for period in range(3):
            live = self._live(list(ballots))
            if not live:
                return
            ballot = period != 1
            if ballot:
                for proposal_id in live:
                    for voter, option in (
                        (other, VoteOption.YES),
                        (USERS[0], VoteOption.NO),
                        (USERS[1], VoteOption.ABSTAIN),
                    ):
                        self.apply(CastVote(proposal_id, voter, option))
            self._advance_to_end(live)
            for proposal_id in live:
                edges = ballots[proposal_id]
                if ballot and edges:
                    participation, yay = edges.pop(0)
                    if not self._ballot_at(amendment, other, funder, participation, yay):
                        del ballots[proposal_id]  # its STR cannot be placed: left open
                        continue
                self.apply(Tally(proposal_id))

    def _live(self, ids: list[int]) -> list[int]:
        """The proposals of `ids` still open (not ended by a tally)."""
        assert self.checked is not None
        proposals = self.checked.state.governance.proposals
        return [i for i in ids if i in proposals and proposals[i].result is None]

    def _advance_to_end(self, ids: list[int]) -> None:
        """Advance the clock to the latest end of the proposals' current periods."""
        assert self.checked is not None
        proposals = self.checked.state.governance.proposals
        ends = [proposals[i].voting_end for i in ids if i in proposals]
        if ends:
            self.apply(AdvanceTime(max(0, max(ends) - self.checked.state.now)))

    def _ballot_at(
        self, amendment: AmendmentRule, yes_voter: AccountId, funder: AccountId, part: int, yay: int
    ) -> bool:
        """Tezos' ballot: set the voters' STR so participation is `part` ustr off its quorum at
        today's participation average, and yay `yay` ustr off 80% of yay and nay (the oracle's
        reading); False if the STR cannot be placed so."""
        assert self.checked is not None
        state = self.checked.state
        total = total_voting_power(state)
        quorum_bps = amendment_quorum_bps(amendment, state.governance.participation_ema_bps)
        cast = -(-quorum_bps * total // BPS_DENOMINATOR) + part
        majority = Fraction(amendment.supermajority.num, amendment.supermajority.den)
        no = cast // 10
        yes = least_at_least(majority, no) + yay
        targets = {yes_voter: yes, USERS[0]: no, USERS[1]: cast - yes - no}
        return min(targets.values()) >= 0 and self.set_voting_powers(targets, funder)

    # --- Subcommittee powers (§4.5, §6.5, §6.8, §6.10) ------------------------------------------

    def _committee_voters(self, name: str) -> frozenset[AccountId]:
        """§6.8: every delegator of committee `name`: a vote of all the STR delegated to it."""
        assert self.checked is not None
        delegations = self.checked.state.governance.subcommittee_delegations
        return frozenset(d for (d, n), amount in delegations.items() if n == name and amount)

    def _committee_minority(self, name: str) -> frozenset[AccountId]:
        """§6.8: the smallest delegators of `name` while they hold at most 2/3 of its STR: a
        vote that must not pass (empty when one delegator holds more)."""
        assert self.checked is not None
        delegations = self.checked.state.governance.subcommittee_delegations
        mine = sorted((amount, d) for (d, n), amount in delegations.items() if n == name)
        total = sum(amount for amount, _ in mine)
        chosen: set[AccountId] = set()
        weight = 0
        for amount, delegator in mine:
            if 3 * (weight + amount) > 2 * total:
                break
            weight += amount
            chosen.add(delegator)
        return frozenset(chosen)

    def _activate_committee(self, name: str) -> None:
        """§6.8: bring committee `name` one ustr past its activation share, if it is not."""
        assert self.checked is not None
        state = self.checked.state
        share = state.params.governance.subcommittee_activation_bps
        boundary = share * str_circulating(state.ledger) // BPS_DENOMINATOR
        missing = boundary + 1 - delegated_to(state.governance, name)
        if missing > 0:
            self.apply(DelegateToSubcommittee(self._richest_developer(), name, missing))

    @rule(
        power=st.sampled_from([*SupportPurpose, "insurance", "slash"]),
        unvoted=st.sampled_from(["minority", "none", "pool"]),
        recipient=users | named_accounts,
        quarters=st.sampled_from([0, 1, 2, 4]),
        node=st.sampled_from(NODES),
        contributor=named_accounts,
    )
    @guarded
    def process_committee_power(
        self,
        *,
        power: SupportPurpose | str,
        unvoted: str,
        recipient: AccountId,
        quarters: int,
        node: NodeId,
        contributor: AccountId,
    ) -> None:
        """§4.5, §6.5, §6.8, §6.10: the committees holding a power brought past their
        activation share, then the power used twice: first without the committee's vote
        (signed by a minority of its delegated STR, by nobody, or by a pool: refused under
        hardened), then signed by every delegator (passes). The power is a grant for one
        purpose, an insurance payout (after a contribution, refused from a pool or an escrow)
        or a node slash, of a quarter, half or all of what there is."""
        committees: tuple[str, ...]
        if isinstance(power, SupportPurpose):
            committees = grant_committees(power)
        else:
            committees = (INSURANCE_PAYOUTS,) if power == "insurance" else (COMPLAINT_NETWORK,)
        for name in committees:
            self._activate_committee(name)
        assert self.checked is not None
        if power == "insurance":
            # §4.5: a contribution of at most what the contributor holds (a pool or an escrow
            # is refused), and the richest developer's if the pool is still empty.
            held = ustr_of(self.checked.state.ledger, contributor)
            self.apply(FundInsurance(contributor, min(MICRO, held)))
            if not ustr_of(self.checked.state.ledger, INSURANCE_POOL):
                self.apply(FundInsurance(self._richest_developer(), MICRO))
        minority = frozenset(v for name in committees for v in self._committee_minority(name))
        failed = {"minority": minority, "none": frozenset(), "pool": frozenset({INSURANCE_POOL})}
        voted = frozenset(v for name in committees for v in self._committee_voters(name))
        for voters in (failed[unvoted], voted):
            self._use_power(power, voters, recipient=recipient, quarters=quarters, node=node)

    def _use_power(
        self,
        power: SupportPurpose | str,
        voters: frozenset[AccountId],
        *,
        recipient: AccountId,
        quarters: int,
        node: NodeId,
    ) -> None:
        """§4.5, §6.5, §6.10: one grant, insurance payout or node slash signed by `voters`."""
        assert self.checked is not None
        state = self.checked.state
        if power == "insurance":
            held = ustr_of(state.ledger, INSURANCE_POOL)
            claim = (
                InsuranceClaim.CYBERCRIME_BOUNTY
                if quarters % 2
                else InsuranceClaim.NODE_REIMBURSEMENT
            )
            self.apply(PayInsurance(recipient, held * quarters // 4, claim, voters))
        elif power == "slash":
            stake = state.nodes.get(node)
            amount = stake.ustr * quarters // 4 if stake is not None else 1
            self.apply(SlashNode(node, amount, voters))
        else:
            assert isinstance(power, SupportPurpose)
            held = ustr_of(state.ledger, NETWORK_SUPPORT)
            self.apply(GrantNetworkSupport(recipient, held * quarters // 4, power, voters))

    # --- Complaints and reputation ---------------------------------------------------------------

    @rule(
        complaint_id=st.sampled_from(["c0", "c1", "c2"]),
        complainant=signers,
        accused=st.sampled_from(["app:app-0", "node:n0"]),
        deposit=st.sampled_from([0, 1_000_000, 10_000_001]),
    )
    @guarded
    def process_submit_complaint(
        self, *, complaint_id: str, complainant: str, accused: str, deposit: int
    ) -> None:
        self.apply(SubmitComplaint(complaint_id, complainant, accused, deposit))  # type: ignore[arg-type]

    @rule(
        complaint_id=st.sampled_from(["c0", "c1", "c2"]),
        upheld=st.booleans(),
        complainant=signers,
        extra=st.sampled_from([0, 1, 7, 999_999]),
        again=st.sampled_from([None, None, None, False, True]),
    )
    @guarded
    def process_resolve_complaint(
        self, *, complaint_id: str, upheld: bool, complainant: str, extra: int, again: bool | None
    ) -> None:
        """§6.8: resolve a complaint (filed first if needed); with `again` set, two fresh
        complaints and the first resolved twice (`_resolve_complaint_twice`)."""
        if again is not None:
            self._resolve_complaint_twice(upheld=upheld, again=again, complainant=complainant)
            return
        # §6.8: a complaint not filed yet is filed first, at the MinDeposit plus `extra`, so the
        # validators always have a deposit to split.
        assert self.checked is not None
        state = self.checked.state
        if complaint_id not in state.complaints.complaints:
            deposit = state.params.governance.complaint_min_deposit_ustr + extra
            filed = SubmitComplaint(complaint_id, complainant, "node:n0", deposit)  # type: ignore[arg-type]
            self.apply(filed)
        self.apply(ResolveComplaint(complaint_id, upheld))

    def _resolve_complaint_twice(self, *, upheld: bool, again: bool, complainant: str) -> None:
        """§6.8: a complaint is resolved once. Two complaints are filed, so the deposits hold
        enough to pay a second resolution of the first; resolving it again must be refused,
        whether it was upheld or rejected."""
        assert self.checked is not None
        state = self.checked.state
        deposit = state.params.governance.complaint_min_deposit_ustr
        fresh = [c for c in ("c3", "c4", "c5", "c6") if c not in state.complaints.complaints]
        if len(fresh) < 2:
            return
        first, second = fresh[:2]
        for complaint_id in (first, second):
            filed = SubmitComplaint(complaint_id, complainant, "node:n0", deposit)  # type: ignore[arg-type]
            self.apply(filed)
        self.apply(ResolveComplaint(first, upheld))
        self.apply(ResolveComplaint(first, again))

    @rule(app=apps, open_source=st.booleans(), staked=amounts)
    @guarded
    def process_set_app_profile(self, *, app: str, open_source: bool, staked: int) -> None:
        self.apply(SetAppProfile(app, open_source, staked))  # type: ignore[arg-type]

    @rule(app=apps, price=prices)
    @guarded
    def process_outbound_at_minute(self, *, app: AppId, price: object) -> None:
        """§4.5: an unqualified app fills its cap at one second, then asks again one second
        before and exactly a minute later (the minute is (t - 60, t]); then fills it again and
        asks one second after: all three offsets in one rule, so none is left to Hypothesis'
        draws. (The request on the minute is accepted and empties the window, hence the second
        fill.)"""
        self.fill_outbound_cap_then_ask(app, price, -1)
        self.ask_outbound(app, price, 1)
        self.fill_outbound_cap_then_ask(app, price, 1)

    def fill_outbound_cap_then_ask(self, app: AppId, price: object, offset: int) -> None:
        """An unqualified `app` fills its cap now, and asks once more a minute plus `offset`
        seconds later."""
        assert self.checked is not None
        cap = self.checked.state.params.reputation.outbound_requests_per_minute
        if not 0 < cap <= 20:
            return
        record = self._app_record(app)
        if record.open_source or record.staked_ustr:
            self.apply(SetAppProfile(app, False, 0))
        record = self._app_record(app)
        if record.outbound_log and record.outbound_log[-1] > self.checked.state.now - 61:
            self.apply(AdvanceTime(SECONDS_PER_MINUTE + 1))
        for _ in range(cap):
            self.apply(OutboundRequest(app, price))  # type: ignore[arg-type]
        self.ask_outbound(app, price, SECONDS_PER_MINUTE + offset)

    def _app_record(self, app: AppId) -> AppReputation:
        """`app`'s reputation record as the state holds it (none yet: closed, unstaked, new)."""
        assert self.checked is not None
        record = self.checked.state.reputation.apps.get(app)
        return fresh_app_record(app) if record is None else record

    def ask_outbound(self, app: AppId, price: object, after: int) -> None:
        """`app` asks once more `after` seconds from now."""
        self.apply(AdvanceTime(after))
        self.apply(OutboundRequest(app, price))  # type: ignore[arg-type]

    @rule(
        app=apps,
        numerator=st.sampled_from([1, 2, 4, 5, 8, 10, 16, 20, 25, 40, 50]),
        denominator=st.integers(1, 20),
    )
    @guarded
    def process_outbound_at_stake(self, *, app: AppId, numerator: int, denominator: int) -> None:
        """§4.5: an app's stake worth one ustr less than, exactly, and one ustr more than the
        exemption's USD at the request's STR price (the price divides the threshold, so
        "exactly" exists), each time asking once more than the cap within one second: only the
        stake above the threshold may make the last request."""
        assert self.checked is not None
        price = Fraction(numerator, denominator)
        usd = self.checked.state.params.reputation.uncapped_min_stake_usd
        cap = self.checked.state.params.reputation.outbound_requests_per_minute
        # The cap is filled once, at the lowest stake; then one more request at each stake,
        # all within the same second: each of them is the one past the cap.
        self.apply(AdvanceTime(SECONDS_PER_MINUTE + 1))
        for offset in (-1, 0, 1):
            staked = usd * MICRO * denominator // numerator + offset
            if staked < 0:
                continue
            self.apply(SetAppProfile(app, False, staked))
            state = self.checked.state
            log = self._app_record(app).outbound_log
            filled = sum(1 for time in log if time > state.now - SECONDS_PER_MINUTE)
            for _ in range(max(0, cap - filled) + 1 if 0 <= cap <= 20 else 1):
                self.apply(OutboundRequest(app, price))

    @rule(app=apps, offset=st.sampled_from([-1, 0, 1, None, None]), price=prices)
    @guarded
    def process_outbound_at_active_age(
        self, *, app: AppId, offset: int | None, price: Fraction
    ) -> None:
        """§4.5: "in active use for > 6 months": an app with no other exemption (closed source,
        nothing staked) asks once more than its cap within one second, one second before,
        exactly when, or one second after its active use reaches the minimum (`offset`; None:
        all three in turn, so none is left to Hypothesis' draws once the clock has passed the
        app's start); only the last may make the extra request. Active use begins at the decision time of the app's first settled round
        (docs/model.md, "Active use"), read from the checker's memory; an app not active yet
        first runs an honest, paid round."""
        assert self.checked is not None
        cap = self.checked.state.params.reputation.outbound_requests_per_minute
        if not 0 < cap <= 20:
            return
        start = self.checked.history.first_active.get(app)
        if start is None:
            plans = tuple(NodePlan(node) for node in NODES[:3])
            self.apply(Prepay(app, get_developer(app), 4 * GOLDEN_COST, 10**12, price))
            self.apply(RunRound(app, plans, GOLDEN_COST))
            start = self.checked.history.first_active.get(app)
            if start is None:
                return
        minimum = start + self.checked.state.params.reputation.uncapped_min_active_seconds
        now = self.checked.state.now
        targets = [minimum + side for side in ((-1, 0, 1) if offset is None else (offset,))]
        targets = [target for target in targets if target >= now]
        if not targets:
            return
        self.apply(SetAppProfile(app, False, 0))
        for target in targets:
            if target > self.checked.state.now:
                self.apply(AdvanceTime(target - self.checked.state.now))
            # The cap is filled in this one second, then one request more: the one past the cap.
            seen = self.checked.history.outbound.get(app, ())
            filled = requests_in_minute(seen, now=self.checked.state.now)
            for _ in range(max(0, cap - filled) + 1):
                self.apply(OutboundRequest(app, price))

    @rule(app=apps, count=st.integers(1, 15), gap=st.sampled_from([0, 1, 5]), price=prices)
    @guarded
    def process_outbound_request(self, *, app: str, count: int, gap: int, price: object) -> None:
        for _ in range(count):
            self.apply(OutboundRequest(app, price))  # type: ignore[arg-type]
            if gap:
                self.apply(AdvanceTime(gap))
