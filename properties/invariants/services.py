"""Checks of the free market (§4.3.3, §4.4, §6.3.2): APP-SETTINGS and BFT-DEVIATION.

APP-SETTINGS holds the chain to the developer's settings: a launch stakes exactly its STR in the
app-stake pool, a bid records only itself, a choice takes the lowest bids and pays each new
node the initiation fee, a use pays the usage fee, and a round of an app with a service runs
only its chosen nodes, at most `max_nodes`, no sooner than its frequency after the last, paying
each node by its own bid. BFT-DEVIATION reads §4.3.3 (c) literally: an output agrees when
agree * 10^4 >= (10^4 - d) * N, N the round's nodes; at most one output may agree. Oracle code:
it reads raw state (balances, the service and bid records, the reveals) and no model rule.
"""

from __future__ import annotations

from itertools import pairwise

from model.chain.actions import (
    BidService,
    ChooseNodes,
    LaunchService,
    RoundEffect,
    RunRound,
    UseService,
)
from model.chain.state import ChainState
from model.ledger import APP_STAKE_POOL, Ledger, Token
from model.market import MarketState
from model.profile import Profile
from model.reputation import ReputationState
from model.units import AccountId, AppId, NodeId
from oracle.payment import bid_split, str_payout
from oracle.persistent import remember_last
from properties.invariants.base import Observation, observe
from properties.invariants.contract_frame import (
    Expected,
    _frame,
    _ledger,
    _move,
    _verdict,
)
from properties.invariants.price import payout_price
from properties.invariants.round import RoundView
from properties.invariants.step import ChainStep

BPS = 10_000
"""§4.3.3 (c)'s "complete consensus": all of the nodes, 10^4 bps."""
STR = Token.STR


def agrees_within(agree: int, nodes: int, deviation_bps: int) -> bool:
    """§4.3.3 (c): `agree` of `nodes` deviate from complete consensus by at most the allowed
    share: agree * 10^4 >= (10^4 - deviation) * nodes."""
    return agree * BPS >= (BPS - deviation_bps) * nodes


def is_stricter_than_two_thirds(deviation_bps: int) -> bool:
    """§3.3 F10 beside §4.3.3 (c): agreeing within `deviation_bps` needs more than 2/3 of the
    nodes iff 3 * (10^4 - d) > 2 * 10^4."""
    return 3 * (BPS - deviation_bps) > 2 * BPS


# --- BFT-DEVIATION -------------------------------------------------------------------------------


def check_bft_deviation(view: RoundView) -> Observation | None:
    """BFT-DEVIATION: in a round of an app that set a deviation, at most one output agrees
    within it (N: every node of the round), and a TRUE consensus is on an output that does."""
    deviation = view.scenario.deviation_bps
    decision = view.state.decision
    if deviation is None or decision is None:
        return None
    nodes = len(view.state.assigned)
    groups: dict[bytes, int] = {}
    for node in decision.counted:
        output_hash = view.state.reveals[node].output_hash
        groups[output_hash] = groups.get(output_hash, 0) + 1
    agreeing = sorted(h.hex()[:12] for h, n in groups.items() if agrees_within(n, nodes, deviation))
    problems = []
    if len(agreeing) > 1:
        problems.append(
            f"{len(agreeing)} outputs agree within a deviation of {deviation} bps over"
            f" N={nodes}: {agreeing} (groups {sorted(groups.values())})"
        )
    agreed = decision.agreed_output_hash
    if decision.consensus and (
        agreed is None or not agrees_within(groups.get(agreed, 0), nodes, deviation)
    ):
        problems.append(
            f"consensus TRUE on {agreed.hex()[:12] if agreed else None} with"
            f" {groups.get(agreed, 0) if agreed else 0} of {nodes} nodes, outside a deviation of"
            f" {deviation} bps"
        )
    return observe("BFT-DEVIATION", not problems, "; ".join(problems))


def check_bft_deviation_step(step: ChainStep) -> Observation | None:
    """BFT-DEVIATION on every round the step ran."""
    found = []
    for effect in step.effects:
        if isinstance(effect, RoundEffect):
            view = RoundView(
                scenario=effect.run.scenario,
                state=effect.run.state,
                params=effect.params,
                profile=step.after.profile,
            )
            observation = check_bft_deviation(view)
            if observation is not None:
                found.append(observation)
    if not found:
        return None
    broken = [o.detail for o in found if not o.holds]
    return observe("BFT-DEVIATION", not broken, "; ".join(broken))


# --- APP-SETTINGS: the state, every step -----------------------------------------------------------


def _stake_problems(state: ChainState) -> list[str]:
    """§4.3.3: the app-stake pool holds exactly the stakes the services record; under
    `app_stake_locked` each launched app's §4.5 stake is the STR it locked."""
    return list(_stakes_read(state.market, state.ledger, state.profile, state.reputation))


# A function of the very parts it reads: most steps touch none of them.
@remember_last(2)
def _stakes_read(
    market: MarketState, ledger: Ledger, profile: Profile, reputation: ReputationState
) -> tuple[str, ...]:
    services = market.services
    held = ledger.balances.get(APP_STAKE_POOL)
    pool = held.ustr if held is not None else 0
    staked = sum(service.stake_ustr for service in services.values())
    problems = []
    if pool != staked:
        problems.append(f"{APP_STAKE_POOL} holds {pool} ustr, the services stake {staked}")
    if profile.app_stake_locked:
        for app, service in sorted(services.items()):
            record = reputation.apps.get(app)
            declared = record.staked_ustr if record is not None else 0
            if declared != service.stake_ustr:
                problems.append(
                    f"app {app}'s §4.5 stake is {declared} ustr, it locked {service.stake_ustr}"
                )
    return tuple(problems)


def _paid_str(step: ChainStep, effect: RoundEffect, node: NodeId) -> int:
    """The STR `node`'s operator received in the round (its STR profit)."""
    account = effect.before.nodes[node].account
    old = step.before.ledger.balances.get(account) if step.before is not None else None
    new = step.after.ledger.balances.get(account)
    return (new.ustr if new is not None else 0) - (old.ustr if old is not None else 0)


def _round_problems(step: ChainStep, action: RunRound) -> list[str]:
    """§4.3.3 (a), (b), §4.4: a round of an app with a service runs only its chosen nodes (at
    most `max_nodes`), no sooner than its frequency after the last, each paid by its own bid:
    each paid node receives exactly the STR profit of the split at the margin it was chosen at
    (§6.3.2), at the round's payout price; so nodes that bid alike receive alike STR, and a
    lower bid never receives more STR than a higher one."""
    before = step.before
    assert before is not None
    service = before.market.services.get(action.app)
    effects = [e for e in step.effects if isinstance(e, RoundEffect)]
    if service is None or not effects:
        return []
    effect = effects[0]
    assigned = effect.run.state.assigned
    problems = []
    outside = sorted(set(assigned) - set(service.chosen))
    if outside or len(assigned) > service.max_nodes:
        problems.append(
            f"the round ran {list(assigned)}; the service chose {list(service.chosen)}, at most"
            f" {service.max_nodes}"
        )
    start = effect.run.scenario.start
    last = service.last_round_at
    if last is not None and start < last + service.frequency_seconds:
        problems.append(
            f"the round started at {start}, {start - last} s after the last, frequency"
            f" {service.frequency_seconds} s"
        )
    after = step.after.market.services.get(action.app)
    if after is None or after.last_round_at != start:
        problems.append(f"the service does not record the round's start {start}")
    outcome = effect.outcome
    if outcome is not None and len(outcome.paid) > 1:
        bids = dict(service.margins)
        paid = sorted(outcome.paid, key=lambda node: (bids.get(node, -1), node))
        got = [(node, bids.get(node), _paid_str(step, effect, node)) for node in paid]
        for (low, low_bid, low_str), (high, high_bid, high_str) in pairwise(got):
            if low_bid is None or high_bid is None:
                continue
            if low_str > high_str or (low_bid == high_bid and low_str != high_str):
                problems.append(
                    f"{low} bid {low_bid} bps and was paid {low_str} ustr, {high} bid"
                    f" {high_bid} bps and was paid {high_str} ustr"
                )
    if outcome is not None and outcome.cost > 0:
        problems += _bid_pay_problems(step, effect, dict(service.margins))
    return problems


def _bid_pay_problems(step: ChainStep, effect: RoundEffect, bids: dict[NodeId, int]) -> list[str]:
    """§4.4 "Payout amount is set by the nodes", §6.3.2 "The node can set this amount to be
    received": each paid node's STR is its bid's STR profit, converted at the payout price."""
    before, outcome = step.before, effect.outcome
    assert before is not None and outcome is not None
    escrow = before.escrows.escrows.get(AppId(outcome.app))
    price = payout_price(before, escrow.str_price if escrow is not None else None)
    problems = []
    for node in outcome.paid:
        bid = bids.get(node)
        if bid is None:
            continue
        own = bid_split(outcome.cost, effect.params, bid)
        if own.str_total_usd == 0:
            owed = 0
        elif price is None or price <= 0:
            problems.append(f"{node} was paid its bid of {bid} bps without a positive STR price")
            continue
        else:
            owed = str_payout(own, price).node
        got = _paid_str(step, effect, node)
        if got != owed:
            problems.append(
                f"{node} bid {bid} bps of cost {outcome.cost}: owed {owed} ustr of STR profit"
                f" (STR worth {own.str_node_profit_usd} micro-USD at {price}), paid {got} ustr"
            )
    return problems


def check_app_settings(step: ChainStep) -> Observation | None:
    """APP-SETTINGS on the state (the app-stake pool and, hardened, the §4.5 stakes) and on a
    round of an app with a service."""
    state = step.after
    action = step.action
    problems = []
    if state.market.services:
        problems += _stake_problems(state)
    if isinstance(action, RunRound) and step.before is not None:
        problems += _round_problems(step, action)
    if not state.market.services:
        return None
    return observe("APP-SETTINGS", not problems, "; ".join(problems))


# --- APP-SETTINGS: the market's actions --------------------------------------------------------------


def check_launch_contract(step: ChainStep, action: LaunchService) -> list[Observation]:
    """APP-SETTINGS (§4.3.3): a launch by the app's developer records its settings and moves
    exactly its stake from the developer into the app-stake pool; hardened, its deviation is
    stricter than F10's 2/3."""
    before, after = step.before, step.after
    assert before is not None
    allowed = ("ledger", "market", "reputation")
    problems = _frame(before, after, *allowed)
    escrow = before.escrows.escrows.get(action.app)
    if escrow is None or escrow.developer != action.developer:
        problems.append(f"{action.developer} launched app {action.app}, not its developer")
    if action.app in before.market.services:
        problems.append(f"app {action.app} launched a second time")
    expected: Expected = {}
    _move(expected, action.developer, STR, -action.stake_ustr)
    _move(expected, APP_STAKE_POOL, STR, action.stake_ustr)
    problems += _ledger(before.ledger, after.ledger, expected)
    service = after.market.services.get(action.app)
    settings = (
        action.max_nodes,
        action.frequency_seconds,
        action.deviation_bps,
        action.usage_fee_ustr,
        action.stake_ustr,
    )
    if (
        service is None
        or (
            service.max_nodes,
            service.frequency_seconds,
            service.deviation_bps,
            service.usage_fee_ustr,
            service.stake_ustr,
        )
        != settings
        or service.chosen
    ):
        problems.append(f"app {action.app}'s service is {service!r}, launched with {settings}")
    if action.max_nodes < 1 or not 0 <= action.deviation_bps <= BPS:
        problems.append(f"settings {settings} are not a number of nodes and a share")
    if before.profile.deviation_bounded and not is_stricter_than_two_thirds(action.deviation_bps):
        problems.append(f"a deviation of {action.deviation_bps} bps agrees with 2/3 or less")
    if not before.profile.app_stake_locked and after.reputation is not before.reputation:
        problems.append("the launch changed the app's declared reputation")
    return [observe("APP-SETTINGS", *_verdict(problems))]


def check_bid_contract(step: ChainStep, action: BidService) -> list[Observation]:
    """APP-SETTINGS (§4.4, §6.3.2): a bid of a registered node on a launched service records
    exactly its margin (hardened: at most the governed cap) and moves no token."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "market")
    if action.node not in before.nodes or action.app not in before.market.services:
        problems.append(f"{action.node} bid on app {action.app} without node or service")
    if after.market.services != before.market.services:
        problems.append("a bid changed a service")
    expected = before.market.bids.set((action.app, action.node), action.str_margin_bps)
    if after.market.bids != expected:
        problems.append(f"the bids after are not the bids before with {action!r}")
    cap = before.params.market.max_str_margin_bps
    if action.str_margin_bps < 0 or (before.profile.bids_bounded and action.str_margin_bps > cap):
        problems.append(f"a bid of {action.str_margin_bps} bps was accepted (cap {cap})")
    return [observe("APP-SETTINGS", *_verdict(problems))]


def lowest_bids(state: ChainState, app: str, count: int) -> tuple[NodeId, ...]:
    """§4.4: the `count` lowest bids of registered nodes on `app` (tie: node id)."""
    bids = [
        (bid, node)
        for (bid_app, node), bid in state.market.bids.items()
        if bid_app == app and node in state.nodes
    ]
    return tuple(node for _, node in sorted(bids)[:count])


def check_choice_contract(step: ChainStep, action: ChooseNodes) -> list[Observation]:
    """APP-SETTINGS (§4.4): the developer's choice is the `max_nodes` lowest bids, and each node
    not chosen before is paid the initiation fee by the developer; nothing else moves."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "market")
    service = before.market.services.get(action.app)
    chosen = after.market.services.get(action.app)
    if service is None or chosen is None or action.developer != service.developer:
        problems.append(f"{action.developer} chose nodes of app {action.app} without a service")
        return [observe("APP-SETTINGS", *_verdict(problems))]
    want = lowest_bids(before, action.app, service.max_nodes)
    if chosen.chosen != want:
        problems.append(f"chose {list(chosen.chosen)}, the lowest bids are {list(want)}")
    fee = before.params.market.initiation_fee_ustr
    expected: Expected = {}
    for node in want:
        if node not in service.chosen:
            account: AccountId = before.nodes[node].account
            _move(expected, service.developer, STR, -fee)
            _move(expected, account, STR, fee)
    problems += _ledger(before.ledger, after.ledger, expected)
    return [observe("APP-SETTINGS", *_verdict(problems))]


def check_use_contract(step: ChainStep, action: UseService) -> list[Observation]:
    """APP-SETTINGS (§4.3.3 (d)): a use moves exactly the usage fee from the user to the app's
    developer; nothing else moves."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger")
    service = before.market.services.get(action.app)
    if service is None:
        problems.append(f"app {action.app} has no service to use")
        return [observe("APP-SETTINGS", *_verdict(problems))]
    expected: Expected = {}
    _move(expected, action.user, STR, -service.usage_fee_ustr)
    _move(expected, service.developer, STR, service.usage_fee_ustr)
    problems += _ledger(before.ledger, after.ledger, expected)
    return [observe("APP-SETTINGS", *_verdict(problems))]


def service_round_reasons(state: ChainState, action: RunRound) -> list[str]:
    """ACT-ALLOWED (§4.3.3 (a), (b), §4.4): why a round of an app with a service may be
    refused: a node it did not choose, more than `max_nodes`, or sooner than its frequency."""
    service = state.market.services.get(action.app)
    if service is None:
        return []
    nodes = [plan.node for plan in action.plans]
    reasons = []
    if set(nodes) - set(service.chosen) or len(nodes) > service.max_nodes:
        reasons.append("the round runs nodes the service did not choose (§4.3.3 (a), §4.4)")
    last = service.last_round_at
    if last is not None and state.now < last + service.frequency_seconds:
        reasons.append("the round comes sooner than the service's frequency (§4.3.3 (b))")
    return reasons
