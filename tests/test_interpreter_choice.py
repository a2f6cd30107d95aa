"""The interpreter the set-up makes its environment from: `tools/pick-python` prefers the
distribution's own CPython, and the Makefile makes the environment again when the choice changes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PICK = ROOT / "tools" / "pick-python"
SHELLCHECK = Path(sys.executable).parent / "shellcheck"
CAN_MAKE_A_VENV = "import ensurepip, sys, venv; sys.exit(sys.version_info < (3, 11))"


def run(command: list[str | Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def qualifies(python: str) -> bool:
    """Whether `python` is 3.11 or newer and can make a venv (what the script asks of it)."""
    found = shutil.which(python)
    return found is not None and run([found, "-c", CAN_MAKE_A_VENV]).returncode == 0


def test_pick_python_names_the_distribution_interpreter_when_it_qualifies() -> None:
    picked = run([PICK])
    assert picked.returncode == 0, picked.stderr
    choice = picked.stdout.strip()
    if qualifies("/usr/bin/python3"):
        assert choice == "/usr/bin/python3"
    else:
        assert choice == "python3"
    assert choice == "python3" or qualifies(choice)


def test_pick_python_passes_shellcheck() -> None:
    checked = run([SHELLCHECK, "--shell=bash", "--severity=style", PICK])
    assert checked.returncode == 0, checked.stdout


def make_interpreter_mark(venv: Path, python: str) -> subprocess.CompletedProcess[str]:
    """Only the Makefile's rule that records the environment's interpreter, on `venv`."""
    return run(["make", "-C", ROOT, f"VENV={venv}", f"PYTHON={python}", f"{venv}/.interpreter"])


@pytest.mark.parametrize(
    ("recorded", "kept"),
    [("/usr/bin/python3", True), ("/some/other/python3", False), (None, False)],
    ids=["same-interpreter", "another-interpreter", "made-before-the-mark"],
)
def test_the_environment_is_made_again_only_for_another_interpreter(
    tmp_path: Path, recorded: str | None, kept: bool
) -> None:
    venv = tmp_path / "venv"
    venv.mkdir()
    if recorded is not None:
        (venv / ".interpreter").write_text(f"{recorded}\n")
    (venv / ".installed").write_text("")
    made = make_interpreter_mark(venv, "/usr/bin/python3")
    assert made.returncode == 0, made.stderr
    assert (venv / ".interpreter").read_text() == "/usr/bin/python3\n"
    assert (venv / ".installed").exists() is kept
