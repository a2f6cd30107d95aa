"""Re-check exported SMT-LIB2 queries in two solvers, as an auditor would.

The first is the `z3` binary (a separate process reading the file, not the Python API that made
it); the second is cvc5 from PyPI, an independent solver, driven through its SMT-LIB parser.
Each answers "sat", "unsat" or "unknown" for the script's one `check-sat`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import cvc5

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
