"""The house rules of model/, checked on its source: pure, integer-only, one documented rule each.

DESIGN.md: no floats, no clocks, no global randomness and no I/O in the model; one function
per protocol rule with a docstring citing its section. These tests read the source with `ast`,
so a change that breaks a rule fails here rather than in review.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL_FILES = sorted((ROOT / "model").rglob("*.py"))
SOLVER_FILES = sorted((ROOT / "solver").rglob("*.py"))
IMPURE_MODULES = {
    "time",
    "datetime",
    "random",
    "secrets",
    "os",
    "io",
    "pathlib",
    "socket",
    "subprocess",
    "sys",
    "uuid",
}


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def public_functions(tree: ast.Module) -> Iterator[ast.FunctionDef]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            yield node


def is_fraction_call(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Fraction"
    )


def integer_violations(tree: ast.Module) -> list[str]:
    """Float literals, float() and true division outside an explicit Fraction."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            found.append(f"line {node.lineno}: float literal")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "float"
        ):
            found.append(f"line {node.lineno}: float()")
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)
            and not (is_fraction_call(node.left) or is_fraction_call(node.right))
        ):
            found.append(f"line {node.lineno}: true division outside an explicit Fraction")
    return found


def purity_violations(tree: ast.Module) -> list[str]:
    """Imports of clocks, randomness or I/O, and calls of open/print/input."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt | ast.expr):
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names = [node.module.split(".")[0]]
        found += [f"line {node.lineno}: imports {name}" for name in names if name in IMPURE_MODULES]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"open", "print", "input"}
        ):
            found.append(f"line {node.lineno}: calls {node.func.id}")
    return found


def documentation_violations(tree: ast.Module) -> list[str]:
    """A missing module or function docstring, or a transition that cites no section."""
    found = [] if ast.get_docstring(tree) else ["no module docstring"]
    for function in public_functions(tree):
        doc = ast.get_docstring(function)
        if not doc:
            found.append(f"{function.name}: no docstring")
        elif function.name.startswith("process_") and "§" not in doc:
            found.append(f"{function.name}: cites no section")
    return found


def test_model_files_are_found() -> None:
    assert len(MODEL_FILES) >= 15


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_model_follows_the_house_rules(path: Path) -> None:
    tree = parse(path)
    assert integer_violations(tree) == []
    assert purity_violations(tree) == []
    assert documentation_violations(tree) == []


@pytest.mark.parametrize("path", SOLVER_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_solver_is_pure_and_documented(path: Path) -> None:
    """solver/ builds and checks queries only: no clocks, randomness or I/O (the solver's own
    time comes from Z3's statistics; files are written by reports/). `/` builds Z3's `div`."""
    tree = parse(path)
    assert [v for v in integer_violations(tree) if "float literal" in v] == []
    assert purity_violations(tree) == []
    assert documentation_violations(tree) == []


def test_the_checks_catch_each_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import time\n\n\ndef process_x():\n    print(1 / 2 + 0.5)\n")
    tree = parse(bad)
    assert sorted(integer_violations(tree)) == [
        "line 5: float literal",
        "line 5: true division outside an explicit Fraction",
    ]
    assert purity_violations(tree) == ["line 1: imports time", "line 5: calls print"]
    assert documentation_violations(tree) == ["no module docstring", "process_x: no docstring"]
    undocumented = ast.parse('"""m."""\ndef process_y():\n    """No section."""\n')
    assert documentation_violations(undocumented) == ["process_y: cites no section"]
