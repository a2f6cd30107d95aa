"""The two tiers of the test suite: `make test` and CI run every test, `make test-fast` all but
the tests marked `slow`, and nothing else is left out."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def recipe(target: str) -> tuple[list[str], list[list[str]]]:
    """A Makefile target's prerequisites and its recipe's commands, each split into words."""
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:([^\n]*)\n((?:\t[^\n]*\n)*)", text, re.MULTILINE)
    assert match is not None, f"no target {target} in the Makefile"
    commands = [shlex.split(line.strip()) for line in match.group(2).splitlines()]
    return match.group(1).split(), commands


def pytest_commands(target: str) -> list[list[str]]:
    """The recipe's pytest commands, each without the environment assignments before it."""
    commands = []
    for line in recipe(target)[1]:
        words = list(line)
        while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
            del words[0]
        if words and words[0].endswith("/pytest"):
            commands.append(words)
    return commands


def test_ci_runs_make_test() -> None:
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert [line for line in lines if line and not line.startswith(("#", "set ", "cd "))] == [
        "make test"
    ]


def test_make_test_runs_every_test() -> None:
    prerequisites, _ = recipe("test")
    assert "unit" in prerequisites and "unit-fast" not in prerequisites
    commands = pytest_commands("unit")
    assert commands == [[commands[0][0]]], "`make test` runs pytest with no selection"
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    addopts = shlex.split(options["addopts"])
    assert not {"-m", "-k", "--deselect", "--ignore"} & set(addopts)
    assert not any(word.startswith(("-m", "-k", "--deselect", "--ignore")) for word in addopts)


def test_make_test_fast_leaves_out_only_the_slow_tests() -> None:
    prerequisites, _ = recipe("test-fast")
    assert "unit-fast" in prerequisites and "unit" not in prerequisites
    assert [command[1:] for command in pytest_commands("unit-fast")] == [["-m", "not slow"]]
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert [marker.split(":")[0] for marker in options["markers"]] == ["slow"]


def test_bytecode_is_compiled_for_every_package_before_the_tool_runs() -> None:
    text = (ROOT / "Makefile").read_text()
    match = re.search(r"^PACKAGES := (.*)$", text, re.MULTILINE)
    assert match is not None
    compiled = set(match.group(1).split())
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = {name for name in find["packages"]["find"]["include"] if "." not in name}
    assert shipped <= compiled
    assert recipe("bytecode")[1] == [
        ["$(BIN)/python", "-m", "compileall", "-q", "-x", "node_modules", "$(PACKAGES)"]
    ]
    for target in ("run", "unit", "unit-fast", "bench"):
        assert "bytecode" in recipe(target)[0], target
