"""GOV-SAFE (§6.8): no proposal governance can adopt leads to a parameter set under which an
invariant fails.

The Z3 engine proves every invariant over the parameter sets the hardened constitution allows:
each key inside its row's range, each fraction two keys form in [least, 1), the shares coherent
(docs/constitution.md). The machine's side of the claim is that governance can only reach that
proven region: every tally that adopts changes must leave a parameter set inside it, read from
the table `model.constitution.HARDENED_CONSTITUTION` as data (`oracle.governance.
constitution_problems`) and the oracle's coherence (`oracle.governance.incoherences`). The
literal §6.8 adopts any in-domain value on one yes vote, so under the whitepaper profile this
fails with the proposal, its keys, the values and ranges, and the votes that adopted it.
"""

from __future__ import annotations

from model.chain.actions import Tally
from model.chain.state import ChainState
from model.governance import Proposal
from oracle.governance import constitution_problems, held_str, incoherences, voting_power
from properties.invariants.base import Observation, observe
from properties.invariants.step import ChainStep


def _adopted(step: ChainStep) -> Proposal | None:
    """The proposal a tally step adopted (its parameters moved, or its result says it passed),
    as it stood before the tally; None for any other step."""
    action, before, after = step.action, step.before, step.after
    if not isinstance(action, Tally) or before is None:
        return None
    proposal = before.governance.proposals.get(action.proposal_id)
    proposal_after = after.governance.proposals.get(action.proposal_id)
    passed = (
        proposal_after is not None
        and proposal_after.result is not None
        and proposal_after.result.passed
    )
    if proposal is None or not (passed or after.params != before.params):
        return None
    return proposal


def describe_vote(state: ChainState, proposal: Proposal) -> str:
    """§6.8: who voted how on `proposal`, each voter with its STR votes at the tally."""
    held = held_str(state)
    votes = [
        f"{voter} {option.value} {voting_power(state, voter, held)} ustr"
        for voter, option in sorted(proposal.votes.items())
    ]
    return ", ".join(votes) or "no votes"


def check_gov_safe(step: ChainStep) -> Observation | None:
    """GOV-SAFE: a tally that adopts changes leaves the parameters inside the hardened
    constitution's ranges and ratio bounds with coherent shares, the region where every
    invariant is proven; a tally that adopts nothing is no evidence (None)."""
    proposal = _adopted(step)
    if proposal is None:
        return None
    assert step.before is not None
    params = step.after.params
    problems = constitution_problems(params)
    problems += [f"{found.rule}: {found.message}" for found in incoherences(params)]
    if not problems:
        return observe("GOV-SAFE", True, "")
    keys = ", ".join(f"{c.subspace}.{c.key} = {c.value}" for c in proposal.changes)
    return observe(
        "GOV-SAFE",
        False,
        f"the tally of proposal {proposal.proposal_id} ({proposal.process.value}: {keys})"
        f" adopted a parameter set outside the proven region: {'; '.join(problems)}; adopted by"
        f" {describe_vote(step.before, proposal)}",
    )
