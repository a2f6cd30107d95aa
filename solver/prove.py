"""Run a claim through Z3: one seeded solver factory, one query, one frozen result.

The factory fixes every random seed, the timeout and the memory cap, so a proof answers the same
on every machine that runs the same Z3. The query is exported as standalone SMT-LIB2 text (plain
asserts, `set-logic`, `check-sat`, no tracked labels) whose sha256 the result records, so an
auditor can re-check exactly the query that was proved.
"""

from __future__ import annotations

import hashlib
from typing import Any

import z3
from attrs import frozen

from solver.claim import Claim, CounterexampleValue, ParamMode, ProofResult, ProofStatus
from solver.terms import fold_constants, get_free_constants


@frozen
class SolverSettings:
    """The knobs of every solver this package makes: seeds, timeout and memory cap."""

    seed: int = 0
    timeout_ms: int = 60_000
    memory_mb: int = 4_096


DEFAULT_SETTINGS = SolverSettings()

_SEED_PARAMS = ("smt.random_seed", "sat.random_seed", "nlsat.seed", "fp.spacer.random_seed")


def get_solver_version() -> str:
    """The solver's name and version, as results and reports record it."""
    return f"z3 {z3.get_version_string()}"


def make_solver(
    logic: str | None, settings: SolverSettings = DEFAULT_SETTINGS, ctx: Any = None
) -> Any:
    """A fresh Z3 solver for `logic` (None: Z3's general solver, which picks its own tactics)
    with fixed seeds, a timeout and a memory cap, in `ctx` (Z3's main context if None)."""
    z3.set_param("memory_max_size", settings.memory_mb)
    for name in _SEED_PARAMS:
        z3.set_param(name, settings.seed)
    solver = z3.Solver(ctx=ctx) if logic is None else z3.SolverFor(logic, ctx=ctx)
    solver.set("random_seed", settings.seed)
    solver.set("timeout", settings.timeout_ms)
    return solver


def build_query(claim: Claim) -> tuple[Any, ...]:
    """The formulas the solver checks: the assumptions and the negated goal, constants folded
    (so a linear claim is linear in the SMT-LIB sense: a product always has a numeral factor)."""
    memo: dict[int, Any] = {}
    return tuple(fold_constants(f, memo) for f in (*claim.assumptions, z3.Not(claim.goal)))


def _collect_constants(formulas: tuple[Any, ...]) -> list[Any]:
    """The free constants of `formulas` (the query's inputs), each once, by name."""
    found = get_free_constants(formulas)
    return [found[name] for name in sorted(found)]


def export_smt2(claim: Claim, query: tuple[Any, ...] | None = None) -> str:
    """The claim's query as a standalone SMT-LIB2 script: set-logic, declarations, asserts.

    Each term is printed on its own (`sexpr`), so its let-bindings depend only on the term; Z3's
    whole-solver printer names them after term ids, which change with whatever the process built
    before, and would make the query's sha256 irreproducible. `query` is `build_query(claim)`
    if the caller has it already."""
    query = build_query(claim) if query is None else query
    lines = [
        f"; stratoverify {claim.invariant_id}: unsat means PROVED, sat means REFUTED",
        f"(set-logic {claim.logic})",
    ]
    lines += [
        f"(declare-fun {constant.sexpr()} () {constant.sort().sexpr()})"
        for constant in _collect_constants(query)
    ]
    lines += [f"(assert {formula.sexpr()})" for formula in query]
    lines += ["(check-sat)", "(exit)"]
    return "\n".join(lines) + "\n"


def get_query_sha256(smt2: str) -> str:
    """The sha256 of the exported query text, as reports record it."""
    return hashlib.sha256(smt2.encode("utf-8")).hexdigest()


def read_value(value: Any) -> CounterexampleValue:
    """A model value as an integer, or as hex for byte sequences; other sorts as their text."""
    if z3.is_int_value(value) or z3.is_bv_value(value):
        return int(value.as_long())
    if z3.is_seq(value):
        return _read_byte_sequence(value).hex()
    return str(value)


def _read_byte_sequence(value: Any) -> bytes:
    """The bytes of a concrete sequence of 8-bit vectors (Empty, Unit or Concat of those),
    read without recursion so a long counterexample cannot exhaust Python's stack."""
    out = bytearray()
    stack = [z3.simplify(value)]
    while stack:
        term = stack.pop()
        if z3.is_app_of(term, z3.Z3_OP_SEQ_EMPTY):
            continue
        if z3.is_app_of(term, z3.Z3_OP_SEQ_UNIT):
            out.append(int(z3.simplify(term.arg(0)).as_long()) & 0xFF)
        elif z3.is_app_of(term, z3.Z3_OP_SEQ_CONCAT):
            stack.extend(reversed(term.children()))
        else:
            raise ValueError(f"not a concrete byte sequence: {term}")
    return bytes(out)


def get_milliseconds(solver: Any) -> int:
    """The solver's own time for its last check, in milliseconds (0 if it reports none)."""
    statistics = solver.statistics()
    keys: list[str] = statistics.keys()
    if "time" not in keys:
        return 0
    seconds = statistics.get_key_value("time")
    return int(seconds * 1000)


def prove(
    claim: Claim,
    *,
    mode: ParamMode = ParamMode.CONCRETE,
    settings: SolverSettings = DEFAULT_SETTINGS,
    general: bool = False,
) -> ProofResult:
    """Check `claim`: PROVED (query unsat), REFUTED with a counterexample, or UNKNOWN.

    With `general` the query goes to Z3's general solver rather than the one for the claim's
    logic (the exported text still names the logic): for the adoptable claims, whose pinned
    parameters leave products of a numeral-bounded key and an input, it answers several times
    faster than the nonlinear tactic.

    The solver reads the exported SMT-LIB2 text in a context of its own, so it checks exactly the
    query whose sha256 the result records, and its search (which follows the ids of the terms it
    is given) does not depend on what the process built before: the same claim takes the same
    path and the same time in a whole test run as on its own."""
    query = build_query(claim)
    smt2 = export_smt2(claim, query)
    context = z3.Context()
    solver = make_solver(None if general else claim.logic, settings, context)
    solver.from_string(smt2)
    answer = solver.check()
    counterexample: tuple[tuple[str, CounterexampleValue], ...] = ()
    reason = ""
    if answer == z3.unsat:
        status = ProofStatus.PROVED
    elif answer == z3.sat:
        status = ProofStatus.REFUTED
        model = solver.model()
        values = {
            name: read_value(model.eval(term.translate(context), model_completion=True))
            for name, term in claim.inputs
        }
        for name, choices in claim.labels:
            number = values[name]
            if isinstance(number, int) and 0 <= number < len(choices):
                values[f"{name}.name"] = choices[number]
        counterexample = tuple(sorted(values.items()))
    else:
        status = ProofStatus.UNKNOWN
        reason = solver.reason_unknown() or "unknown"
    return ProofResult(
        invariant_id=claim.invariant_id,
        status=status,
        mode=mode,
        statement=claim.statement,
        counterexample=counterexample,
        reason=reason,
        solver=get_solver_version(),
        logic=claim.logic,
        smt2=smt2,
        query_sha256=get_query_sha256(smt2),
        milliseconds=get_milliseconds(solver),
    )
