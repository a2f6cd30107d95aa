"""Re-check exported SMT-LIB2 queries in two solvers, as an auditor would.

The first is the `z3` binary (a separate process reading the file, not the Python API that made
it); the second is cvc5 from PyPI, an independent solver, driven through its SMT-LIB parser.
Each answers "sat", "unsat" or "unknown" for the script's one `check-sat`. `recheck_report`
re-runs every query of a report folder and compares the answers with the report's verdicts.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cvc5
from attrs import frozen

ANSWERS = ("sat", "unsat", "unknown")


class RecheckError(RuntimeError):
    """Raised when a solver cannot be run or gives no answer to the script."""


def find_z3_binary() -> Path:
    """The `z3` executable: the one the z3-solver wheel installs beside Python, else on PATH."""
    beside = Path(sys.executable).parent / "z3"
    if beside.is_file():
        return beside
    found = shutil.which("z3")
    if found is None:
        raise RecheckError("no z3 executable beside Python or on PATH")
    return Path(found)


def _answer(output: str, solver: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("(error")]
    # Verify the solver read the whole script: an assert it rejected would make "sat" meaningless.
    if errors:
        raise RecheckError(f"{solver} rejected the script: {errors[0][:200]}")
    for line in lines:
        if line in ANSWERS:
            return line
    raise RecheckError(f"{solver} gave no answer: {' | '.join(lines)[:200]}")


def recheck_with_z3_binary(script: Path, *, timeout_seconds: int = 120) -> str:
    """The z3 binary's answer to the SMT-LIB2 file `script`."""
    try:
        completed = subprocess.run(
            [str(find_z3_binary()), "-smt2", f"-T:{timeout_seconds}", str(script)],
            capture_output=True,
            text=True,
            timeout=timeout_seconds + 10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RecheckError(f"z3 on {script}: {error}") from error
    return _answer(completed.stdout, "z3")


def recheck_with_cvc5(script: Path, *, timeout_seconds: int = 120) -> str:
    """cvc5's answer to the SMT-LIB2 file `script`."""
    terms = cvc5.TermManager()
    solver = cvc5.Solver(terms)
    solver.setOption("tlimit-per", str(timeout_seconds * 1000))
    symbols = cvc5.SymbolManager(terms)
    parser = cvc5.InputParser(solver, symbols)
    parser.setFileInput(cvc5.InputLanguage.SMT_LIB_2_6, str(script))
    outputs: list[str] = []
    try:
        while True:
            command = parser.nextCommand()
            if command.isNull():
                break
            outputs.append(str(command.invoke(solver, symbols)))
    except RuntimeError as error:
        raise RecheckError(f"cvc5 on {script}: {error}") from error
    return _answer("\n".join(outputs), "cvc5")


EXPECTED_ANSWER = {"proved": "unsat", "refuted": "sat"}
"""The answer a re-check must give to a query whose proof had this verdict."""

RECHECK_SOLVERS = ("z3", "cvc5")


@frozen
class RecheckRow:
    """One report query re-checked in one solver: what the report says, what the solver said."""

    invariant_id: str
    solver: str
    query: str
    verdict: str
    answer: str
    """`sat`, `unsat`, `unknown`, or `error: ...`."""

    @property
    def agrees(self) -> bool:
        """The solver confirms the proof's verdict (an `unknown` verdict confirms nothing)."""
        return EXPECTED_ANSWER.get(self.verdict) == self.answer

    @property
    def gave_up(self) -> bool:
        """The solver answered `unknown` (a timeout, or incompleteness on a nonlinear query): it
        neither confirms nor contradicts the proof."""
        return self.answer == "unknown"


def is_confirmed(rows: tuple[RecheckRow, ...]) -> bool:
    """Every query is confirmed by at least one solver and contradicted by none: each row
    agrees or gave up (never the other answer, never an error)."""
    if not rows:
        return False
    confirmed = {row.query for row in rows if row.agrees}
    settled = all(row.agrees or row.gave_up for row in rows)
    return settled and all(row.query in confirmed for row in rows)


def recheck_report(
    folder: Path,
    document: Mapping[str, Any],
    *,
    solvers: tuple[str, ...] = RECHECK_SOLVERS,
    timeout_seconds: int = 120,
) -> tuple[RecheckRow, ...]:
    """Every Z3 query of the report in `folder`, re-run in each of `solvers`, hash-checked first."""
    rows = []
    for invariant in document["invariants"]:
        z3_evidence = invariant["engines"].get("z3")
        if z3_evidence is None or z3_evidence["smt2"] is None:
            continue
        # Every query of the invariant's plan (a report without the list has just the one).
        queries = z3_evidence.get("queries") or [z3_evidence]
        for recorded in queries:
            query = folder / recorded["smt2"]
            try:
                text = query.read_bytes()
            except OSError as error:
                raise RecheckError(f"{query}: cannot read ({error.strerror or error})") from None
            if hashlib.sha256(text).hexdigest() != recorded["smt2_sha256"]:
                raise RecheckError(f"{query}: its sha256 is not the one report.json records")
            for solver in solvers:
                run = recheck_with_z3_binary if solver == "z3" else recheck_with_cvc5
                try:
                    answer = run(query, timeout_seconds=timeout_seconds)
                except RecheckError as error:
                    # A solver that read the whole script and gave up answers `unknown`.
                    gave_up = "gave no answer: unknown" in str(error)
                    answer = "unknown" if gave_up else f"error: {error}"
                rows.append(
                    RecheckRow(
                        invariant["id"], solver, recorded["smt2"], recorded["verdict"], answer
                    )
                )
    return tuple(rows)
