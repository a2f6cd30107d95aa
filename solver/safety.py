"""GOV-SAFE (§6.8): no proposal governance can adopt leads to a set under which an invariant fails.

The constitution (`model.constitution`) says which values governance can give each key: its
row's range, the bounds of the fractions two keys form (`RatioBound`), and, where the profile's
tally refuses incoherent shares (`governance_checks_coherence`), §6.8's coherence
(`solver.goals.governance.is_coherent`). A set inside all of these is adoptable: every key that
moves by parameter change can be set to any value of its range by one proposal, and a protocol
constant by one amendment, each step coherent where the tally checks it.

GOV-SAFE is proved one invariant at a time: each covered invariant's claim is built in
`ParamMode.ADOPTABLE` (every parameter it reads a variable, with no assumption but its domain,
so the claim at each value means what the CONCRETE claim of that set means) and bounded by the
constitution here (`get_adoptable_claim`): a key the constitution pins (range min = max) becomes
its numeral, so the hardened slash schedule (factor 2, cap 100%) is linear in the base. PROVED
iff every query is PROVED. REFUTED names the first refuted invariant (catalogue order) and the
smallest proposal that breaks it: the fewest keys changed from the checked set (a cardinality
bound k = 0, 1, 2, ... on "key != its value"), with the voter set its vote needs
(`get_voter_set`). UNKNOWN otherwise, never a pass.

The Z3 part covers every invariant with a claim builder (`solver.registry.GOV_SAFE_COVERED`).
The invariants only the machine checks read keys the hardened constitution pins or bounds in
their favour (the supermajority >= 2/3, the subcommittee's 1%, the 80/20 complaint split, the
outbound cap at most 10); the machine's GOV-SAFE checker covers them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction as Rational
from typing import Any

import attrs
import z3

from model.constitution import (
    AMENDMENT_VOTE,
    Constitution,
    Process,
    get_constitution,
)
from model.params import Params, get_param_by_name, param_specs
from model.profile import Profile
from solver.algebra import Formula
from solver.claim import Claim, CounterexampleValue, ParamMode, ProofResult, ProofStatus
from solver.goals import governance
from solver.proofs import ClaimBuilder
from solver.prove import DEFAULT_SETTINGS, SolverSettings, build_query, prove
from solver.terms import get_free_constants

GOV_SAFE = "GOV-SAFE"
"""The invariant this module proves."""

_SPECS = {spec.name: spec for spec in param_specs()}

LINEAR_LOGICS = ("QF_LIA", "QF_NIA")
"""The logics whose queries `get_logic` may narrow to linear arithmetic after folding."""


# --- Linearity --------------------------------------------------------------------------------


def _is_numeral(term: Any) -> bool:
    return bool(z3.is_int_value(term) or z3.is_rational_value(term))


_NONLINEAR_DIVISORS = (z3.Z3_OP_IDIV, z3.Z3_OP_MOD, z3.Z3_OP_REM, z3.Z3_OP_DIV)


def is_linear(formulas: Sequence[Any]) -> bool:
    """Whether `formulas` (constants folded) are linear arithmetic: every product has at most one
    factor that is not a numeral, and every division or remainder a numeral divisor."""
    seen: set[int] = set()
    stack = list(formulas)
    while stack:
        term = stack.pop()
        if term.get_id() in seen:
            continue
        seen.add(term.get_id())
        if z3.is_app(term):
            kind = term.decl().kind()
            children = term.children()
            if kind == z3.Z3_OP_MUL and sum(not _is_numeral(c) for c in children) > 1:
                return False
            if kind in _NONLINEAR_DIVISORS and not _is_numeral(children[1]):
                return False
            if kind == z3.Z3_OP_POWER:
                return False
            stack.extend(children)
    return True


def get_logic(claim: Claim) -> str:
    """The claim's logic, narrowed to QF_LIA where its folded query is linear."""
    if claim.logic not in LINEAR_LOGICS:
        return claim.logic
    return "QF_LIA" if is_linear(build_query(claim)) else "QF_NIA"


def substitute_params(claim: Claim, values: Mapping[str, int]) -> Claim:
    """`claim` with each parameter of `values` ("subspace.key" -> value) replaced by its numeral
    in the assumptions, the goal and the inputs (a counterexample then reports the value)."""
    if not values:
        return claim
    pairs = [(z3.Int(name), z3.IntVal(value)) for name, value in sorted(values.items())]

    def put(term: Any) -> Any:
        return z3.substitute(term, *pairs)

    return attrs.evolve(
        claim,
        assumptions=tuple(put(a) for a in claim.assumptions),
        goal=put(claim.goal),
        inputs=tuple((name, put(term)) for name, term in claim.inputs),
    )


def get_param_inputs(claim: Claim) -> tuple[str, ...]:
    """The parameters ("subspace.key") among the claim's inputs that are still variables."""
    return tuple(
        name for name, term in claim.inputs if name in _SPECS and not _is_numeral(z3.simplify(term))
    )


# --- The adoptable sets -------------------------------------------------------------------------


def _keys_of(formula: Any) -> frozenset[str]:
    """The parameters a formula reads (its constants named like keys)."""
    return frozenset(name for name in get_free_constants([formula]) if name in _SPECS)


def get_ratio_bounds(constitution: Constitution) -> tuple[Formula, ...]:
    """Each fraction of two keys within `[least, 1)`, as the constitution bounds it."""
    bounds = []
    for bound in constitution.ratio_bounds:
        num, den = z3.Int(bound.num_key), z3.Int(bound.den_key)
        bounds.append(z3.And(bound.least.den * num >= bound.least.num * den, num < den))
    return tuple(bounds)


def get_guards(profile: Profile, constitution: Constitution) -> tuple[Formula, ...]:
    """What the constitution and the tally require of a set beyond each key's range: the
    fractions' bounds, and §6.8's coherence (each conjunct apart) where the tally checks it."""
    guards = list(get_ratio_bounds(constitution))
    if profile.governance_checks_coherence:
        coherent = governance.is_coherent(z3.Int)
        guards += coherent.children() if z3.is_and(coherent) else [coherent]
    return tuple(guards)


def get_range(constitution: Constitution, name: str) -> tuple[int, int]:
    """The values governance can give key `name`: its row's range (its domain if no row)."""
    row = constitution.rows.get(name)
    spec = _SPECS[name]
    if row is None:
        return spec.minimum, spec.maximum
    return max(row.minimum, spec.minimum), min(row.maximum, spec.maximum)


def get_pinned(constitution: Constitution) -> dict[str, int]:
    """The keys whose range holds one value, with it."""
    pinned = {}
    for name in _SPECS:
        low, high = get_range(constitution, name)
        if low == high:
            pinned[name] = low
    return pinned


def get_adoptable_claim(claim: Claim, profile: Profile, constitution: Constitution) -> Claim:
    """`claim` (built in ADOPTABLE mode) for every set `constitution` lets governance adopt.

    Each parameter the claim reads ranges over its row's range (a pinned key becomes its
    numeral); the guards that reach a key the claim reads (the fractions' bounds, coherence
    where the tally checks it) are assumed, with the keys they bring in (those ranging over
    their rows too). Guards that reach no key the claim reads are left out: they constrain
    other keys only, which the defaults satisfy, so leaving them out changes no answer."""
    pinned = get_pinned(constitution)
    read = set(get_param_inputs(claim))
    ratios = get_ratio_bounds(constitution)
    guards = [(guard, _keys_of(guard)) for guard in get_guards(profile, constitution)]
    taken: set[int] = set()
    keys = set(read)
    grew = True
    while grew:
        grew = False
        for index, (_, reads) in enumerate(guards):
            if index not in taken and reads & keys:
                taken.add(index)
                grew = grew or not reads <= keys
                keys |= reads
    ranges = []
    for name in sorted(keys - set(pinned)):
        low, high = get_range(constitution, name)
        ranges.append(z3.And(low <= z3.Int(name), z3.Int(name) <= high))
    brought = sorted(keys - read)
    words = ["every key it reads in its range"]
    if any(index < len(ratios) for index in taken):
        words.append("the fractions' bounds (num/den >= least, num < den)")
    if any(index >= len(ratios) for index in taken):
        words.append("the shares coherent (§6.8: the tally refuses others)")
    adoptable = attrs.evolve(
        claim,
        statement=(
            f"{claim.statement}; for every parameter set the {constitution.name} constitution "
            f"lets governance adopt: {', '.join(words)}"
        ),
        inputs=tuple(sorted((*claim.inputs, *((n, z3.Int(n)) for n in brought)))),
        assumptions=(*claim.assumptions, *ranges, *(guards[i][0] for i in sorted(taken))),
    )
    # The logic stays the builder's (QF_NIA for parameters as variables): pinning may leave a
    # linear query, which that logic still names rightly, and the general solver proves it.
    return substitute_params(adoptable, {k: v for k, v in pinned.items() if k in keys})


# --- The vote a proposal needs ---------------------------------------------------------------


def _amendment_share(constitution: Constitution) -> Rational:
    """The least share of all voting power that, voting yes alone, carries an amendment
    through its proposal period and both ballots (the ema moves towards its participation)."""
    rule = constitution.amendment
    assert rule is not None
    low = Rational(rule.quorum_min.num, rule.quorum_min.den)
    high = Rational(rule.quorum_max.num, rule.quorum_max.den)
    weight = Rational(rule.ema_weight.num, rule.ema_weight.den)
    ema = Rational(rule.initial_ema_bps, 10_000)
    share = Rational(rule.proposal_quorum.num, rule.proposal_quorum.den)
    for _ballot in range(2):
        share = max(share, low + ema * (high - low))
        ema = (1 - weight) * ema + weight * share
    return share


def get_voter_set(
    constitution: Constitution, params: Params, changed: Sequence[str]
) -> tuple[tuple[str, CounterexampleValue], ...]:
    """The smallest voter set that adopts a change of `changed` from `params`: one holder voting
    yes, nobody else. With no quorum one ustr carries it (`yes_ustr = 1`), if yes over the
    votes cast can pass every threshold the keys' votes name (the governed supermajority read
    from `params`); else the share of all voting power the quorums need (`yes_share`).
    `proposals` counts the proposals (one a process where they cannot mix)."""
    if not changed:
        return (("voters", 0), ("yes_ustr", 0))
    share = Rational(0)
    passable = True
    processes = set()
    for name in changed:
        row = constitution.rows[name]
        processes.add(row.process)
        if row.vote == AMENDMENT_VOTE or row.process is Process.AMENDMENT:
            share = max(share, _amendment_share(constitution))
            continue
        rule = constitution.votes[row.vote]
        if rule.quorum is not None:
            share = max(share, Rational(rule.quorum.num, rule.quorum.den))
        if rule.threshold is None:
            num = get_param_by_name(params, "governance.supermajority_num")
            den = get_param_by_name(params, "governance.supermajority_den")
        else:
            num, den = rule.threshold.num, rule.threshold.den
        passable = passable and num < den
    proposals = 1 if constitution.mixed_processes else len(processes)
    votes: list[tuple[str, CounterexampleValue]] = [("proposals", proposals)]
    if not passable:
        return (*votes, ("voters", 0), ("yes_ustr", 0))
    if share == 0:
        return (*votes, ("voters", 1), ("yes_ustr", 1))
    return (*votes, ("voters", 1), ("yes_share", f"{share.numerator}/{share.denominator}"))


# --- GOV-SAFE -----------------------------------------------------------------------------------


def prove_adoptable(claim: Claim, settings: SolverSettings = DEFAULT_SETTINGS) -> ProofResult:
    """Prove an adoptable claim: with Z3's general solver where at most one parameter is left
    a variable (the pinned slash schedule is then linear in its base, and the general solver
    answers it several times faster), else with the solver for its logic."""
    general = len(get_param_inputs(claim)) <= 1
    return prove(claim, mode=ParamMode.ADOPTABLE, settings=settings, general=general)


def _with_bound(claim: Claim, params: Params, keys: Sequence[str], most: int) -> Claim:
    """`claim` with at most `most` of `keys` changed from their values in `params`."""
    changed = z3.Sum(
        *(z3.If(z3.Int(n) != get_param_by_name(params, n), 1, 0) for n in keys), z3.IntVal(0)
    )
    return attrs.evolve(
        claim,
        invariant_id=GOV_SAFE,
        statement=(
            f"{claim.invariant_id}, adoptable sets that change at most {most} of its keys from "
            f"the checked set: {claim.statement}"
        ),
        assumptions=(*claim.assumptions, changed <= most),
    )


def find_least_proposal(
    claim: Claim, params: Params, *, settings: SolverSettings = DEFAULT_SETTINGS
) -> ProofResult:
    """The refutation of adoptable `claim` that changes the fewest keys from `params`: the first
    k = 0, 1, ... for which "at most k keys changed" is REFUTED (that query's result, invariant
    ID GOV-SAFE). If a bound comes back UNKNOWN, the unbounded query's refutation."""
    keys = get_param_inputs(claim)
    for most in range(len(keys) + 1):
        bounded = _with_bound(claim, params, keys, most)
        result = prove_adoptable(bounded, settings)
        if result.status is ProofStatus.REFUTED:
            return result
        if result.status is ProofStatus.UNKNOWN:
            break
    unbounded = attrs.evolve(claim, invariant_id=GOV_SAFE)
    return prove_adoptable(unbounded, settings)


def get_proposal(result: ProofResult, params: Params) -> tuple[tuple[str, int], ...]:
    """The keys a refutation's set changes from `params`, with their new values."""
    changes = []
    for name, value in result.counterexample:
        if name in _SPECS and isinstance(value, int) and value != get_param_by_name(params, name):
            changes.append((name, value))
    return tuple(changes)


STATEMENT = (
    "no proposal governance can adopt leads to a parameter set under which an invariant fails: "
    "for every set the profile's constitution lets a vote adopt (each key in its row's range, "
    "the fractions' bounds, coherent shares where the tally checks them), the claim of every Z3 "
    "invariant ({covered}) holds, each one query over all those sets; the invariants only the "
    "machine checks read keys the constitution pins or bounds, and the machine checks them"
)


def prove_gov_safe(
    builders: Sequence[tuple[str, ClaimBuilder]],
    params: Params,
    profile: Profile,
    *,
    constitution: Constitution | None = None,
    settings: SolverSettings = DEFAULT_SETTINGS,
) -> ProofResult:
    """GOV-SAFE for `profile`'s constitution (or `constitution`): one query per covered
    invariant (`builders`, in order), each over every adoptable set.

    PROVED iff every query is. REFUTED: the first refuted invariant, its smallest proposal
    (`find_least_proposal`) and the voter set that adopts it; the counterexample holds
    `breaks` (the ID), `proposal.<key>` for each changed key, `proposal.changes`, the voter set
    (`get_voter_set`) and the refuted claim's own inputs. UNKNOWN: the first undecided query's
    reason. `queries` holds every invariant's query (each named by its own ID); the result's
    SMT-LIB text and sha256 are the deciding query's, one of them: the first refuted (whose
    query the smallest proposal satisfies too), the first undecided, or the first."""
    constitution = get_constitution(profile) if constitution is None else constitution
    claims = [
        get_adoptable_claim(builder(params, profile, ParamMode.ADOPTABLE), profile, constitution)
        for _, builder in builders
    ]
    results = tuple(prove_adoptable(claim, settings) for claim in claims)
    statement = STATEMENT.format(covered=", ".join(invariant_id for invariant_id, _ in builders))
    spent = sum(result.milliseconds for result in results)
    refuted = [i for i, r in enumerate(results) if r.status is ProofStatus.REFUTED]
    if refuted:
        least = find_least_proposal(claims[refuted[0]], params, settings=settings)
        if least.status is ProofStatus.REFUTED:
            proposal = get_proposal(least, params)
            voters = get_voter_set(constitution, params, [name for name, _ in proposal])
            values: dict[str, CounterexampleValue] = dict(least.counterexample)
            values["breaks"] = results[refuted[0]].invariant_id
            values["proposal.changes"] = len(proposal)
            values.update((f"proposal.{name}", value) for name, value in proposal)
            values.update(voters)
            # The deciding query is the refuted ID's own (in `queries`): the smallest proposal's
            # values satisfy it too, its bound being one more assumption.
            return attrs.evolve(
                results[refuted[0]],
                invariant_id=GOV_SAFE,
                statement=statement,
                counterexample=tuple(sorted(values.items())),
                milliseconds=spent + least.milliseconds,
                queries=results,
            )
        return attrs.evolve(
            results[refuted[0]], invariant_id=GOV_SAFE, statement=statement, queries=results
        )
    unknown = [r for r in results if r.status is ProofStatus.UNKNOWN]
    deciding = unknown[0] if unknown else results[0]
    return attrs.evolve(
        deciding,
        invariant_id=GOV_SAFE,
        statement=statement,
        milliseconds=spent,
        queries=results,
    )
