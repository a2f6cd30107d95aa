"""Protocol profiles: one named switch per point where the whitepaper is ambiguous or unsafe.

`WHITEPAPER` follows the literal text, `HARDENED` (the default) the repaired reading of
DESIGN.md. The suite runs both, so the literal text's failures show with counterexamples and
the repair is shown to hold.
"""

from __future__ import annotations

from enum import Enum

from attrs import frozen


class CompositeEncoding(Enum):
    """How F4's composite hash joins nodeID, app salt, node salt and output hash."""

    CONCATENATION = "concatenation"
    """Literal §3.2 F4: plain concatenation (not injective)."""
    LENGTH_PREFIXED = "length-prefixed"
    """Each field prefixed by its length: injective."""


class RevealContents(Enum):
    """What a node writes on-chain at the reveal (§3.2 F7)."""

    NODE_SALT_HASH = "node-salt-hash"
    """Literal F7: h(S_N), so commit(n) cannot be recomputed from public data."""
    NODE_SALT = "node-salt"
    """S_N itself, so anyone recomputes commit(n) (F9)."""


class ThresholdBase(Enum):
    """The N of F10's `3 * agreeing > 2 * N`."""

    COMMITTED = "committed"
    """Literal Step 5: only nodes that committed count."""
    ASSIGNED = "assigned"
    """Every node assigned to the app counts."""


@frozen
class Profile:
    """A complete choice of readings for the whitepaper's ambiguous points."""

    name: str
    composite_encoding: CompositeEncoding
    reveal_contents: RevealContents
    threshold_base: ThresholdBase
    slash_capped: bool
    """§6.10 names no cap: `False` lets the rate pass 100%."""
    app_salt_timeout: bool
    """§3.2 F6 gives the app no deadline to reveal its salts: `False` lets a round stall there."""
    beacon_excludes_withholders: bool
    """§4.4's "randomized selection" of an app's validators names no source of randomness; the
    model's commit-reveal beacon among the eligible validators lets a validator that committed
    withhold its secret after seeing the others: `False` keeps it eligible (it picks the seed
    that puts itself on the committee); `True` takes it off this round's committee."""
    governance_checks_coherence: bool
    """§6.8 lets governance set shares without checking they still add up: `False` adopts them."""
    constitution_enforced: bool
    """§6.8 names its processes but no quorum and no range: `False` adopts any in-domain value
    on yes over no (`model.constitution.LITERAL_CONSTITUTION`); `True` enforces the hardened
    constitution's processes, votes and ranges."""
    committee_votes: bool
    """§6.8 gives subcommittees powers (Network Support grants, insurance payouts, node slashing)
    but no way to decide: `False` carries out anyone's request while the committee is active;
    `True` needs the committee's vote, its delegators' signatures holding more than 2/3 of the
    STR delegated to it (`model.committees`)."""
    unbonding_period: bool
    """§4.2 names no unbonding period: `False` returns undelegated STR at once, so stake leaves
    before evidence of an earlier double sign arrives; `True` holds it for Cosmos x/staking's
    21 days (`model.staking.UNBONDING_SECONDS`), slashable for infractions before it left."""
    rewards_whole_active_set: bool
    """§4.2 pays "only validators with a stake greater than the smallest validator in the set":
    `False` reads it literally (the smallest of the active set, and every validator when all
    stakes are equal, earn nothing); `True` pays every validator of the active set."""
    validation_draw_by_beacon: bool
    """§4.4: "a randomized selection will designate the validators" a validation prefund pays
    when it cannot pay every subscriber the floor, with no source of randomness named: `False`
    ranks the subscribers by the public round id, known to all before the round (the paid set
    is predictable); `True` ranks them by the round's commit-reveal beacon seed (§3.3,
    `model.trusted.validation`), which no single validator controls."""
    str_priced_at_payout: bool
    """§6.3.3 values a node's STR "at the time of prepayment deposit", so a price move between
    prepayment and payout changes what the STR is worth: `False` converts at the escrow's
    deposit price (the node bears the move); `True` converts at the chain's market price at
    payout (§6.6), so the node's STR is worth its share of T when paid."""
    rounds_need_escrowed_payment: bool
    """§4.3.1 says resources are prepaid but nothing stops a round the escrow cannot pay:
    `False` runs it and records what the escrow cannot pay as owed to each node; `True` starts
    a round only when the escrow holds every assigned node's payment and the prefund (§4.4)."""
    app_stake_locked: bool
    """§4.3.3: to launch a service "the native token must be ... staked in advance of usage",
    and §4.5 lifts an app's outbound cap on its stake, but the text never says the stake is
    held: `False` takes the stake the app declares (`SetAppProfile`); `True` takes only the STR
    its service locked at launch (`model.market`)."""
    deviation_bounded: bool
    """§4.3.3 (c) lets the developer set the "allowed degrees of deviation from operation output
    vs. complete consensus needed", with no bound: `False` lets any deviation 0..100% stand
    alone as the app's consensus rule (from 50% two outputs can both agree); `True` bounds it by
    `market.max_deviation_bps` (at most 33.33%) and keeps F10's > 2/3 as well."""
    bids_bounded: bool
    """§4.4, §6.3.2: "Payout amount is set by the nodes", with no limit: `False` accepts any
    STR margin a node bids; `True` accepts bids up to `market.max_str_margin_bps` of cost."""
    validator_set_by_arrival: bool
    """§4.2: a full set admits "only validators with a stake greater than the smallest validator
    in the set", so at a tie the incumbent keeps its seat: `True` reads it literally, equal
    stakes ranked by arrival (`model.staking.get_active_set(..., by_arrival=True)`), so the set
    depends on the order in which validators arrived (VAL-SET-ORDER); `False` ranks equal
    stakes by id, so the set is a function of the stakes alone. The VAL-SET-ORDER claim reads
    the switch; the chain's own rules rank by id under both profiles so far."""


HARDENED = Profile(
    name="hardened",
    composite_encoding=CompositeEncoding.LENGTH_PREFIXED,
    reveal_contents=RevealContents.NODE_SALT,
    threshold_base=ThresholdBase.ASSIGNED,
    slash_capped=True,
    app_salt_timeout=True,
    beacon_excludes_withholders=True,
    governance_checks_coherence=True,
    constitution_enforced=True,
    committee_votes=True,
    unbonding_period=True,
    rewards_whole_active_set=True,
    validation_draw_by_beacon=True,
    str_priced_at_payout=True,
    rounds_need_escrowed_payment=True,
    app_stake_locked=True,
    deviation_bounded=True,
    bids_bounded=True,
    validator_set_by_arrival=False,
)

WHITEPAPER = Profile(
    name="whitepaper",
    composite_encoding=CompositeEncoding.CONCATENATION,
    reveal_contents=RevealContents.NODE_SALT_HASH,
    threshold_base=ThresholdBase.COMMITTED,
    slash_capped=False,
    app_salt_timeout=False,
    beacon_excludes_withholders=False,
    governance_checks_coherence=False,
    constitution_enforced=False,
    committee_votes=False,
    unbonding_period=False,
    rewards_whole_active_set=False,
    validation_draw_by_beacon=False,
    str_priced_at_payout=False,
    rounds_need_escrowed_payment=False,
    app_stake_locked=False,
    deviation_bounded=False,
    bids_bounded=False,
    validator_set_by_arrival=True,
)

PROFILES: dict[str, Profile] = {profile.name: profile for profile in (HARDENED, WHITEPAPER)}
DEFAULT_PROFILE = HARDENED
