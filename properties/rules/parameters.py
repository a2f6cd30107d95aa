"""Machine rules for the parameter set: each key's documented domain, and proposals that keep the
shares coherent one by one but not together (§6.8, docs/model.md).

A proposal is the one door through which a parameter changes, so the bounds of each key's domain
are judged where a proposal meets them: one past a bound must be refused (GOV-PARAMS fails on an
accepted proposal holding a value outside its domain), and exactly at a bound must not be refused
for that reason (ACT-ALLOWED judges the refusal). There are 31 keys and four edges each; a rule
that draws one key a firing leaves keys untried in a quick run, so the sweep below asks the model
about every key at one edge in one firing and keeps in the trace only the proposals whose fate a
checker would judge wrong.

The shares of T must add up (GOV-PARAMS). A proposal is judged coherent against the parameters
of its submission; two proposals open at once can each be coherent there and break the sums
together, so the second tally must judge against the parameters the first one left.
"""

from __future__ import annotations

from hypothesis.stateful import precondition, rule

from model.chain.actions import (
    AdvanceTime,
    CastVote,
    CommitBlock,
    Delegate,
    SubmitProposal,
    Tally,
)
from model.constitution import HARDENED_CONSTITUTION
from model.governance import ParamChange, VoteOption
from model.params import Params
from oracle.domains import DOMAINS, param_values
from oracle.governance import constitution_problems, with_changes
from oracle.staking import validator_stakes
from properties.driver import ChainDriver, guarded
from properties.strategies import GOVERNABLE

DOMAIN_EDGES: tuple[str, ...] = ("above-maximum", "below-minimum", "maximum", "minimum")
"""Where the sweep puts each key, one edge a firing in this order: one past each documented
bound, then at each bound."""


def domain_edge_value(name: str, edge: str) -> int:
    """The value of key `name` at `edge` of its documented domain (`oracle.domains`)."""
    domain = DOMAINS[name]
    return {
        "below-minimum": domain.minimum - 1,
        "minimum": domain.minimum,
        "maximum": domain.maximum,
        "above-maximum": domain.maximum + 1,
    }[edge]


def constitution_probes(params: Params) -> list[tuple[ParamChange, ...]]:
    """§6.8: the proposals at and around the hardened constitution's bounds (read from its
    table): each key alone at its range's ends and one past them (kept inside the key's
    documented domain, whose own edges the domain sweep asks), each fraction of two keys at
    its bounds on today's denominator, and one proposal mixing the two processes."""
    probes: list[tuple[ParamChange, ...]] = []
    for name, row in HARDENED_CONSTITUTION.rows.items():
        subspace, key = name.split(".")
        domain = DOMAINS[name]
        for value in sorted({row.minimum - 1, row.minimum, row.maximum, row.maximum + 1}):
            # A domain bound is the domain sweep's; one outside the domain is refused for it.
            if domain.minimum < value < domain.maximum:
                probes.append((ParamChange(subspace, key, value),))
    values = param_values(params)
    for bound in HARDENED_CONSTITUTION.ratio_bounds:
        (num_space, num_key), (den_space, den_key) = (
            bound.num_key.split("."),
            bound.den_key.split("."),
        )
        # Today's denominator, and a larger one where the least share and one apart differ.
        current = values[bound.den_key]
        for den in sorted({current, current * 10 if current * 10 <= 1_000 else current}):
            smallest = -(-bound.least.num * den // bound.least.den)
            for num in sorted({smallest - 1, smallest, den - 1, den}):
                if DOMAINS[bound.num_key].contains(num):
                    probes.append(
                        (ParamChange(num_space, num_key, num), ParamChange(den_space, den_key, den))
                    )
    base = values["slashing.slash_base_bps"]
    deposit = values["governance.complaint_min_deposit_ustr"]
    probes.append(
        (
            ParamChange("slashing", "slash_base_bps", base + 1 if base < 5_000 else base - 1),
            ParamChange("governance", "complaint_min_deposit_ustr", deposit + 1),
        )
    )
    return probes


def _staked_count(machine: ChainDriver) -> int:
    """§4.2: how many validators hold stake on the machine's chain (0 before genesis)."""
    if machine.checked is None:
        return 0
    return sum(1 for s in validator_stakes(machine.checked.state.staking).values() if s > 0)


class ParameterRules(ChainDriver):
    """Every key at its documented bounds, and proposals that only break the shares together."""

    def __init__(self) -> None:
        super().__init__()
        self.swept_edges = 0
        """How many of `DOMAIN_EDGES` this example has swept, in their order."""

    @precondition(lambda self: self.swept_edges < len(DOMAIN_EDGES))
    @rule()
    @guarded
    def process_every_key_at_a_bound(self) -> None:
        """§6.8, docs/model.md's domains: every key alone at the next of `DOMAIN_EDGES`, asked
        of the model on the current state without being applied. A proposal the model accepts
        outside the domain, refuses inside it where ACT-ALLOWED says it was allowed, or raises
        on, is then applied for real, so the trace holds it and its checker fails on it; the
        others leave the chain as it was (a refusal changes nothing, and an accepted in-domain
        proposal only opens a vote the other rules already open). One edge a firing, each at
        most once an example, keeps the sweep under a second of a quick run."""
        assert self.checked is not None
        edge = DOMAIN_EDGES[self.swept_edges]
        self.swept_edges += 1
        proposer = self._richest_developer()
        for spec in GOVERNABLE:
            value = domain_edge_value(spec.name, edge)
            action = SubmitProposal(proposer, (ParamChange(spec.subspace, spec.key, value),), 0)
            # Accepted outside the domain, it is kept: GOV-PARAMS fails on it.
            self.apply_unless_rightly_refused(
                action, keep_if_applied=not DOMAINS[spec.name].contains(value)
            )

    @precondition(lambda self: self.is_sweep_example and "constitution-bounds" not in self.swept)
    @rule()
    @guarded
    def process_every_key_at_its_constitution_range(self) -> None:
        """§6.8, docs/constitution.md: every key of the hardened constitution alone one below,
        at, and one above each end of its range; each fraction of two keys one below and at its
        least share, one below one and at one; and one proposal mixing an amendment key with a
        parameter-change key, each in range. Each is asked of the model on the current state
        without being applied, as the domain sweep does: a proposal the hardened chain accepts
        outside the constitution is applied for real (ACT-GOVERNANCE fails on it), and a
        refusal ACT-ALLOWED judges wrong stays in the trace. Once an example, in a sweep example
        (`is_sweep_example`)."""
        assert self.checked is not None
        self.swept.add("constitution-bounds")
        enforced = self.checked.state.profile.constitution_enforced
        proposer = self._richest_developer()
        for changes in constitution_probes(self.checked.state.params):
            outside = bool(constitution_problems(with_changes(self.checked.state.params, changes)))
            action = SubmitProposal(proposer, changes, 0)
            self.apply_unless_rightly_refused(action, keep_if_applied=enforced and outside)

    @precondition(
        lambda self: (
            self.state_ready
            and "validator-floor" not in self.swept
            and _staked_count(self) > HARDENED_CONSTITUTION.rows["consensus.max_validators"].minimum
        )
    )
    @rule()
    @guarded
    def process_validator_count_at_its_floor(self) -> None:
        """§4.2, §6.8: governance adopts max_validators at the least the hardened constitution
        allows (4, the fewest that tolerate a fault) while more validators hold stake; the
        richest developer first bonds to the first validator the set would cut until it holds
        as much as the last one kept, so the cut falls between equal stakes; then every
        validator signs a block. The cut and the tie at the cut are reached under either
        reading. Once an example."""
        assert self.checked is not None
        self.swept.add("validator-floor")
        floor = HARDENED_CONSTITUTION.rows["consensus.max_validators"].minimum
        stakes = validator_stakes(self.checked.state.staking)
        ranked = sorted((v for v, s in stakes.items() if s > 0), key=lambda v: (-stakes[v], v))
        kept, cut = ranked[floor - 1], ranked[floor]
        if stakes[kept] > stakes[cut]:
            funder = self._richest_developer()
            self.apply(Delegate(funder, cut, stakes[kept] - stakes[cut]))
        if self.checked.state.params.consensus.max_validators != floor:
            self.enact((ParamChange("consensus", "max_validators", floor),))
        self.apply(CommitBlock(frozenset(stakes)))

    @precondition(lambda self: "joint-incoherence" not in self.swept)
    @rule()
    @guarded
    def process_two_proposals_incoherent_together(self) -> None:
        """§6.8: two STR sub-share proposals open at once, each keeping the three sub-shares'
        sum on today's parameters (node +1, burn -1; then burn +1, network support -1), both
        voted YES and tallied in turn. Together they raise the sum by one bps: the hardened
        chain must refuse the second at its tally (GOV-PARAMS fails on live shares that do not
        add up); the literal one adopts both, a finding. Once an example."""
        assert self.checked is not None
        self.swept.add("joint-incoherence")
        pay = self.checked.state.params.payment
        node, burn = pay.str_node_profit_bps, pay.str_burn_bps
        support = pay.str_network_support_bps
        if burn < 1 or support < 1:
            return
        first = (
            ParamChange("payment", "str_node_profit_bps", node + 1),
            ParamChange("payment", "str_burn_bps", burn - 1),
        )
        second = (
            ParamChange("payment", "str_burn_bps", burn + 1),
            ParamChange("payment", "str_network_support_bps", support - 1),
        )
        proposer = self._richest_developer()
        opened = []
        for changes in (first, second):
            proposal_id = self.checked.state.governance.next_proposal_id
            if self.apply(SubmitProposal(proposer, changes, 0)):
                self.apply(CastVote(proposal_id, proposer, VoteOption.YES))
                opened.append(proposal_id)
        proposals = self.checked.state.governance.proposals
        ends = [proposals[i].voting_end for i in opened if i in proposals]
        if not ends:
            return
        self.apply(AdvanceTime(max(0, max(ends) - self.checked.state.now)))
        for proposal_id in opened:
            self.apply(Tally(proposal_id))
