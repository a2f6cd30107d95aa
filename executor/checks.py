"""The executor's checks of the catalogue's X invariants, on rounds really run.

Each check reads one settled round as observed (what the nodes sent, what the executor's
validators decided and moved) beside the truth the harness knows (each node's real behaviour and
salt, the function's output run on its own), and returns an `Observation` under the catalogue's
ID, or None when the round gives it nothing to check. Same IDs, same meanings as the Hypothesis
invariants and the Z3 proofs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from fractions import Fraction

from attrs import frozen

from executor import wire
from executor.books import get_deposit_weighted_price
from executor.committee import is_byzantine_bounded, paid_hash
from executor.records import DEFAULT_FUNDING, Funding, RoundLog, get_node_account
from executor.scenario import ExecRound
from executor.validators import Decision
from model.ledger import (
    BURN_ADDRESS,
    NETWORK_SUPPORT,
    NODE_STAKE_POOL,
    SWAP_RESERVE,
    Token,
    get_escrow_account,
    get_locked_escrow_account,
)
from model.params import Params
from model.profile import Profile
from model.trusted.behaviour import Behaviour, ValidatorBehaviour
from model.trusted.settlement import RoundOutcome
from model.units import NodeId
from oracle import validation
from oracle.payment import StrPayout, split_payment, str_payout


@frozen
class Observation:
    """One invariant checked once on one real round."""

    invariant_id: str
    holds: bool
    detail: str = ""


@frozen
class SettledRound:
    """A round the executor ran and settled, with the truth beside it."""

    round: ExecRound
    log: RoundLog
    outcome: RoundOutcome
    decision: Decision
    reference_output: bytes | None
    params: Params
    profile: Profile
    funding: Funding = DEFAULT_FUNDING
    """The call's funding: its deposits price the escrow's STR (§6.3.3)."""
    validated: bool = False
    """The round carries the call's validation prefund (§4.4): the main round does."""

    @property
    def algorithm(self) -> str:
        return self.round.scenario.algorithm.value

    def real_salt(self, node: str) -> bytes:
        """The salt the node really drew (the harness knows the node's derivation)."""
        scenario = self.round.scenario
        return wire.derive(
            scenario.seed, b"node-salt", str(scenario.round_id).encode(), node.encode()
        )

    def sent_app_salt(self, node: str) -> bytes:
        """The app salt the node was really sent."""
        scenario = self.round.scenario
        plan = next((p for p in scenario.plans if p.node == node), None)
        if plan is not None and plan.gets_wrong_app_salt:
            return wire.derive(scenario.seed, b"wrong-app-salt", node.encode())
        return wire.derive(
            scenario.seed,
            b"app-salt",
            str(scenario.round_id).encode(),
            node.encode(),
            algorithm=self.algorithm,
        )

    def opens(self, node: str) -> bool:
        """The truth: the node's revealed output hash, with its real salts, recomputes its commit."""
        reveal = self.log.reveals[node]
        app_salt = self.sent_app_salt(node)
        if wire.digest(app_salt, self.algorithm) != reveal.app_salt_hash:
            return False
        recomputed = wire.commitment(
            node=node,
            app_salt=app_salt,
            node_salt=self.real_salt(node),
            output_hash=reveal.output_hash,
            encoding=self.profile.composite_encoding.value,
            algorithm=self.algorithm,
        )
        return recomputed == self.log.commits[node]

    def faulty(self) -> set[str]:
        """Nodes that deviate: a misbehaviour or a process fault (a wronged node is not faulty)."""
        deviating = {
            plan.node
            for plan in self.round.scenario.plans
            if plan.behaviour is not Behaviour.HONEST
        }
        return deviating | {fault.node for fault in self.round.faults} | set(self.log.faulty)


def _observe(invariant_id: str, holds: bool, detail: str) -> Observation:
    return Observation(invariant_id, holds, "" if holds else detail)


def _passes(agree: int, base: int, params: Params) -> bool:
    return agree * params.consensus.threshold_den > params.consensus.threshold_num * base


def check_escrow_solvent(r: SettledRound) -> Observation | None:
    """ESCROW-SOLVENT: the round's payouts leave only its own app's escrow."""
    if not (r.outcome.paid or r.outcome.escrow_locked):
        return None
    app = r.round.scenario.app
    own = {str(get_escrow_account(app)), str(get_locked_escrow_account(app))}
    foreign = sorted(
        m.account
        for m in r.outcome.movements
        if m.delta < 0 and m.account.startswith("escrow") and m.account not in own
    )
    return _observe("ESCROW-SOLVENT", not foreign, f"the round drew on {foreign}")


def check_pay_only_majority(r: SettledRound) -> Observation | None:
    """PAY-ONLY-MAJORITY: only the supermajority is paid, only under consensus TRUE; checked
    within the validators' own bound (fewer than a third of the committee deviate), since a
    committee more than 2/3 of which lies passes what it likes."""
    if not is_byzantine_bounded(r.round.scenario.validators, r.outcome.validators):
        return None
    problems = []
    if r.outcome.paid and not r.outcome.consensus:
        problems.append(f"{list(r.outcome.paid)} paid without consensus")
    outside = sorted(set(r.outcome.paid) - set(r.decision.supermajority))
    if outside:
        problems.append(f"{outside} paid outside the supermajority")
    accounts = {str(get_node_account(n)): n for n in _assigned(r)}
    gained = sorted(
        {accounts[m.account] for m in r.outcome.movements if m.account in accounts and m.delta > 0}
        - set(r.outcome.paid)
    )
    if gained:
        problems.append(f"{gained} received tokens without being paid")
    return _observe("PAY-ONLY-MAJORITY", not problems, "; ".join(problems))


def check_bft_sound(r: SettledRound) -> Observation | None:
    """BFT-SOUND: with 3f < N faulty nodes, a TRUE consensus is on the function's real output."""
    faulty, n = r.faulty(), len(_assigned(r))
    if not r.decision.consensus or 3 * len(faulty) >= n or r.reference_output is None:
        return None
    correct = wire.digest(r.reference_output, r.algorithm)
    return _observe(
        "BFT-SOUND",
        r.decision.agreed_output_hash == correct,
        f"consensus on a wrong output with f={len(faulty)} faulty of N={n} ({sorted(faulty)})",
    )


def is_two_thirds_of(agree: int, assigned: int) -> bool:
    """BFT-TIMEOUT's own bar: more than 2/3 of the assigned nodes (3·agree > 2·N)."""
    # Not the governed threshold: a parameter change that lets fewer than 2/3 of the assigned
    # nodes decide is what BFT-TIMEOUT must catch, as its Z3 claim does (one ID, one meaning).
    return 3 * agree > 2 * assigned


def check_bft_timeout(r: SettledRound) -> Observation | None:
    """BFT-TIMEOUT: a TRUE consensus has more than 2/3 of all assigned nodes behind it."""
    if not r.decision.consensus:
        return None
    agree, assigned = len(r.decision.supermajority), len(_assigned(r))
    return _observe(
        "BFT-TIMEOUT",
        is_two_thirds_of(agree, assigned),
        f"consensus with {agree} of {assigned} assigned nodes, not more than 2/3",
    )


def check_cr_binding(r: SettledRound) -> Observation | None:
    """CR-BINDING: every reveal that does not open its commit is slashed and unpaid."""
    broken = [n for n in sorted(r.log.reveals) if not r.opens(n)]
    if not broken:
        return None
    slashed = {s.node for s in r.outcome.slashed}
    escaped = [n for n in broken if n not in slashed or n in r.outcome.paid]
    return _observe("CR-BINDING", not escaped, f"reveals of {escaped} do not open their commits")


def check_cr_no_copy(r: SettledRound) -> Observation | None:
    """CR-NO-COPY: a node that copied another's commit is neither counted nor paid."""
    copiers = [
        p.node
        for p in r.round.scenario.plans
        if p.behaviour is Behaviour.COPY_COMMIT and p.node in r.log.reveals
    ]
    if not copiers:
        return None
    passed = [n for n in copiers if n in r.decision.counted or n in r.outcome.paid]
    return _observe("CR-NO-COPY", not passed, f"{passed} copied a commit and passed verification")


def check_cr_app_salt(r: SettledRound) -> Observation | None:
    """CR-APP-SALT: a node sent a bad app salt complains and neither commits nor is paid."""
    wronged = [p.node for p in r.round.scenario.plans if p.gets_wrong_app_salt]
    wronged = [n for n in wronged if n not in r.log.faulty]
    if not wronged:
        return None
    served = [n for n in wronged if n in r.log.commits or n not in r.log.abstained]
    return _observe("CR-APP-SALT", not served, f"{served} got a bad app salt and did not abstain")


def check_cr_injective(r: SettledRound) -> Observation | None:
    """CR-INJECTIVE: moving the boundary between the app salt and the node salt by one byte
    (other fields, the same bytes) changes the node's commitment."""
    committed = [n for n in sorted(r.log.commits) if n in r.log.reveals and r.opens(n)]
    if not committed:
        return None
    collisions = []
    for node in committed:
        app_salt, node_salt = r.sent_app_salt(node), r.real_salt(node)
        output_hash = r.log.reveals[node].output_hash

        def commit_of(
            app: bytes, salt: bytes, node: str = node, output: bytes = output_hash
        ) -> bytes:
            return wire.commitment(
                node=node,
                app_salt=app,
                node_salt=salt,
                output_hash=output,
                encoding=r.profile.composite_encoding.value,
                algorithm=r.algorithm,
            )

        real = commit_of(app_salt, node_salt)
        shifted = commit_of(app_salt[:-1], app_salt[-1:] + node_salt)
        if real == shifted:
            collisions.append(node)
    return _observe(
        "CR-INJECTIVE",
        not collisions,
        f"the commitments of {collisions} equal those of different salts (one byte moved from "
        "the app salt to the node salt)",
    )


def check_cr_verifiable(r: SettledRound) -> Observation | None:
    """CR-VERIFIABLE: from public data alone, anyone recomputes an honest node's commit."""
    if not r.log.app_revealed_salts:
        return None
    honest = [n for n in sorted(r.log.reveals) if r.opens(n)]
    if not honest:
        return None
    unverifiable = []
    for node in honest:
        reveal = r.log.reveals[node]
        recomputed = wire.commitment(
            node=node,
            app_salt=r.log.app_salts[node],
            node_salt=reveal.node_salt,
            output_hash=reveal.output_hash,
            encoding=r.profile.composite_encoding.value,
            algorithm=r.algorithm,
        )
        salt_matches = wire.digest(reveal.node_salt, r.algorithm) == r.log.salt_hashes[node]
        if not salt_matches or recomputed != r.log.commits[node]:
            unverifiable.append(node)
    return _observe(
        "CR-VERIFIABLE", not unverifiable, f"the commits of {unverifiable} cannot be recomputed"
    )


def get_escrow_price(funding: Funding) -> Fraction | None:
    """§6.3.3: the price the escrow's STR was deposited at, weighted by each deposit's STR."""
    price: Fraction | None = None
    held = 0
    for deposit in funding.deposits:
        price = get_deposit_weighted_price(held, price, deposit)
        held += deposit.ustr
    return price


def get_round_contract(r: SettledRound) -> tuple[dict[tuple[str, str], int], list[str]]:
    """ACT-ROUND's effects as (account, token) -> change: the §6.3 split to each counted node
    that revealed h when the committee applied `TRUE:h` (Steps 10 and 12), the counted nodes'
    payment locked on FALSE or recourse, what each mismatched node's slash burned, the
    validators' equal parts; with the problems found on the way."""
    expected: Counter[tuple[str, str]] = Counter()
    problems: list[str] = []
    stb, str_ = Token.STB.value, Token.STR.value
    app = r.round.scenario.app
    escrow, locked = str(get_escrow_account(app)), str(get_locked_escrow_account(app))
    decision, cost = r.decision, r.outcome.cost
    if cost > 0:
        split = split_payment(cost, r.params)
        price = get_escrow_price(r.funding)
        payout = StrPayout(total=0, node=0, burn=0, network_support=0)
        if split.str_total_usd:
            assert price is not None, "every drawn funding deposits STR at a price"
            payout = str_payout(split, price)
        applied = r.outcome.decision_passed if r.outcome.block_passed else None
        paying = paid_hash(applied)
        if paying is not None:
            for node in decision.counted:
                if r.log.reveals[node].output_hash != paying:
                    continue
                account = str(get_node_account(NodeId(node)))
                expected[(escrow, stb)] -= split.stb_total
                expected[(escrow, str_)] -= payout.total
                expected[(account, stb)] += split.node_stb
                expected[(account, str_)] += payout.node
                expected[(str(SWAP_RESERVE), stb)] += split.stb_swap_reserve
                expected[(str(NETWORK_SUPPORT), str_)] += payout.network_support
                expected[(str(BURN_ADDRESS), str_)] += payout.burn
        else:
            nodes = len(r.log.commits) if r.log.expired else len(decision.counted)
            for token, amount in ((stb, split.stb_total), (str_, payout.total)):
                expected[(escrow, token)] -= nodes * amount
                expected[(locked, token)] += nodes * amount
    for slash in r.outcome.slashed:
        if slash.node not in decision.mismatched:
            problems.append(f"{slash.node} was slashed without a mismatched reveal")
        if not 0 <= slash.burned_ustr <= slash.requested_ustr:
            problems.append(f"{slash.node} lost {slash.burned_ustr} of {slash.requested_ustr}")
        expected[(str(NODE_STAKE_POOL), str_)] -= slash.burned_ustr
        expected[(str(BURN_ADDRESS), str_)] += slash.burned_ustr
    unslashed = set(decision.mismatched) - {slash.node for slash in r.outcome.slashed}
    if unslashed:
        problems.append(f"{sorted(unslashed)} revealed what they never committed, unslashed")
    if r.validated and r.funding.prefund_ustr > 0:
        problems += _validators_paid(r, expected)
    return expected, problems


def _validators_paid(r: SettledRound, expected: Counter[tuple[str, str]]) -> list[str]:
    """§4.4: the prefund divided equally among the validators, or among as many as it pays at
    the floor; which ones is the chain's random draw, so any of the subscribers may be."""
    prefund, subscribers = r.funding.prefund_ustr, r.funding.validator_accounts
    floor = r.params.payment.validation_floor_ustr
    count = len(subscribers)
    if count and floor > 0 and prefund // count < floor:
        count = prefund // floor
    if count == 0:
        return [f"a prefund of {prefund} ustr was settled with no validator to pay"]
    each = prefund // count
    escrow = str(get_escrow_account(r.round.scenario.app))
    expected[(escrow, Token.STR.value)] -= each * count
    moved = {(m.account, m.token): m.delta for m in r.outcome.movements}
    credited = [v for v in subscribers if moved.get((str(v), Token.STR.value), 0) == each]
    for validator in credited[:count]:
        expected[(str(validator), Token.STR.value)] += each
    if each and len(credited) != count:
        return [f"{len(credited)} validators were paid {each} ustr each, §4.4 pays {count}"]
    return []


def check_act_round(r: SettledRound) -> Observation | None:
    """ACT-ROUND: the settlement debits only the app's escrow (and a slashed stake), credits
    exactly the contract's accounts by the contract's amounts, and moves nothing else."""
    expected, problems = get_round_contract(r)
    moved = {(m.account, m.token): m.delta for m in r.outcome.movements}
    wanted = {key: delta for key, delta in expected.items() if delta}
    for key in sorted(moved.keys() | wanted.keys()):
        if moved.get(key, 0) != wanted.get(key, 0):
            account, token = key
            problems.append(
                f"{account} {token} moved {moved.get(key, 0)}, the contract says "
                f"{wanted.get(key, 0)}"
            )
    return _observe("ACT-ROUND", not problems, "; ".join(problems))


def check_app_validators(r: SettledRound) -> Observation | None:
    """APP-VALIDATORS: the committee is the developer's count of the eligible validators,
    ranked by the seed of the beacon secrets they revealed (each validator's real secret, which
    the harness knows), and none of it withheld its secret; the proposer is the first drawn;
    only members vote."""
    scenario, outcome = r.round.scenario, r.outcome
    algorithm = r.algorithm
    plans = scenario.validators
    revealed = {
        str(p.validator): validation.beacon_secret(
            scenario.seed, scenario.round_id, str(p.validator), algorithm
        )
        for p in plans
        if not p.withholds_beacon
    }
    seed = validation.beacon_seed(scenario.round_id, revealed, algorithm)
    excluded = r.profile.beacon_excludes_withholders
    eligible = [str(p.validator) for p in plans if not (excluded and p.withholds_beacon)]
    order = validation.ranked(eligible, seed, algorithm)
    committee = order[: validation.committee_size(scenario.validator_count, len(order))]
    withheld = tuple(sorted(str(p.validator) for p in plans if p.withholds_beacon))
    problems = []
    if outcome.beacon_seed != seed.hex():
        problems.append(f"beacon seed {outcome.beacon_seed}, the secrets give {seed.hex()}")
    if outcome.beacon_withheld != withheld:
        problems.append(f"withholders recorded {outcome.beacon_withheld}, planned {withheld}")
    if outcome.validators != committee:
        problems.append(f"committee {outcome.validators}, the beacon draws {committee}")
    # A withholder saw the others' secrets first: seated, it may have picked the seed.
    seated = sorted(set(outcome.validators) & set(withheld))
    if seated:
        problems.append(f"{seated} withheld their beacon secrets and sit on the committee")
    proposer = committee[0] if committee else None
    if outcome.proposer != proposer:
        problems.append(f"proposer {outcome.proposer}, the first drawn is {proposer}")
    voters = {v for v, _ in outcome.decision_votes} | {v for v, _ in outcome.block_votes}
    strangers = sorted(voters - set(outcome.validators))
    if strangers:
        problems.append(f"{strangers} voted without being on the committee")
    return _observe("APP-VALIDATORS", not problems, "; ".join(problems))


def _cast_as_planned(r: SettledRound, truth: str) -> list[str]:
    """Each member's Step 10 votes are what its real plan casts: the truth, one other value,
    both, or nothing."""
    behaviours = {str(p.validator): p.behaviour for p in r.round.scenario.validators}
    cast: dict[str, list[str]] = {}
    for validator, value in r.outcome.decision_votes:
        cast.setdefault(validator, []).append(value)
    problems = []
    for validator in r.outcome.validators:
        behaviour = behaviours.get(validator, ValidatorBehaviour.HONEST)
        got = sorted(cast.get(validator, []))
        expected = {
            ValidatorBehaviour.HONEST: got == [truth],
            ValidatorBehaviour.ABSTAIN: got == [],
            ValidatorBehaviour.LIE: len(got) == 1 and got[0] != truth,
            ValidatorBehaviour.EQUIVOCATE: len(got) == 2 and truth in got and len(set(got)) == 2,
        }[behaviour]
        if not expected:
            problems.append(f"{validator} ({behaviour.value}) cast {got}, the truth is {truth}")
    return problems


def check_bft_validators(r: SettledRound) -> Observation | None:
    """BFT-VALIDATORS: a decision (Step 10) or a block (Step 12) passes only with more than 2/3
    of the committee, an equivocator counted for neither, so no two decisions both pass; with
    fewer than a third of the members deviating (by their real plans), the decision that passes
    is F10 over the nodes' reveals and an honest proposer's block passes."""
    outcome = r.outcome
    n = len(outcome.validators)
    if n == 0:
        return None
    agreed = outcome.agreed_output_hash
    truth = validation.value_of(outcome.consensus, bytes.fromhex(agreed) if agreed else None)
    counts = validation.tally(outcome.decision_votes, n)
    over = sorted(v for v, count in counts.items() if validation.is_over_two_thirds(count, n))
    problems = _cast_as_planned(r, truth)
    if len(over) > 1:
        problems.append(f"two decisions each have more than 2/3 of {n}: {over}")
    passed = outcome.decision_passed
    if passed is not None and passed not in over:
        problems.append(f"{passed} passed with {counts.get(passed, 0)} of {n}, not over 2/3")
    if passed is None and over:
        problems.append(f"{over[0]} had more than 2/3 of {n} validators and did not pass")
    ballots = [(v, "approve" if approve else "reject") for v, approve in outcome.block_votes]
    approvals = sum(1 for b in validation.single_votes(ballots).values() if b == "approve")
    if outcome.block_passed and not (
        passed is not None and validation.is_over_two_thirds(approvals, n)
    ):
        problems.append(f"the block passed with {approvals} approvals of {n}")
    doubled = validation.double_voters(outcome.decision_votes) | validation.double_voters(
        outcome.block_votes
    )
    if set(outcome.equivocators) != doubled:
        problems.append(f"equivocators {outcome.equivocators}, double votes by {sorted(doubled)}")
    if is_byzantine_bounded(r.round.scenario.validators, outcome.validators):
        if passed != truth:
            problems.append(f"under 1/3 of {n} validators deviate, {passed} passed, F10 {truth}")
        honest_proposer = any(
            p.validator == outcome.proposer and p.behaviour is ValidatorBehaviour.HONEST
            for p in r.round.scenario.validators
        )
        if honest_proposer and not outcome.block_passed:
            problems.append(f"under 1/3 of {n} deviate, {outcome.proposer}'s block failed")
    return _observe("BFT-VALIDATORS", not problems, "; ".join(problems))


EXECUTOR_CHECKS: dict[str, Callable[[SettledRound], Observation | None]] = {
    "ESCROW-SOLVENT": check_escrow_solvent,
    "PAY-ONLY-MAJORITY": check_pay_only_majority,
    "APP-VALIDATORS": check_app_validators,
    "BFT-VALIDATORS": check_bft_validators,
    "BFT-SOUND": check_bft_sound,
    "BFT-TIMEOUT": check_bft_timeout,
    "CR-BINDING": check_cr_binding,
    "CR-NO-COPY": check_cr_no_copy,
    "CR-APP-SALT": check_cr_app_salt,
    "CR-INJECTIVE": check_cr_injective,
    "CR-VERIFIABLE": check_cr_verifiable,
    "ACT-ROUND": check_act_round,
}
"""Invariant ID -> the executor's check of it on a settled round (GROUNDED is checked per call)."""


def _assigned(r: SettledRound) -> tuple[NodeId, ...]:
    """The round's nodes, read from its plans."""
    return tuple(plan.node for plan in r.round.scenario.plans)


def check_settled_round(r: SettledRound) -> tuple[Observation, ...]:
    """Every executor check the round exercises."""
    observations = (check(r) for check in EXECUTOR_CHECKS.values())
    return tuple(o for o in observations if o is not None)
