"""The oracle stands apart from the model: checked over the import graph of every oracle file.

`oracle.boundary` lists the oracle's files and what they may take from `model/`. This test reads
each of those files with `ast`, resolves every name imported from the model, and fails on a rule
or derived quantity (any function but the listed id constructors), on a whole model module, and
on project code outside the oracle, through which a model rule could come back in.
"""

from __future__ import annotations

import ast
import importlib
import types
import typing
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest

from oracle.boundary import (
    FORBIDDEN_MODEL_MODULES,
    MODEL_DATA,
    MODEL_ID_FUNCTIONS,
    ORACLE_CODE,
    ORACLE_SUPPORT,
)

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = {"model", "oracle", "properties", "solver", "executor", "reports", "mutation"}


def oracle_files() -> list[Path]:
    files: list[Path] = []
    for entry in ORACLE_CODE:
        path = ROOT / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [path for path in files if path.exists()]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


ORACLE_MODULES = frozenset(module_name(path) for path in oracle_files())


def imports_of(tree: ast.Module) -> Iterator[tuple[int, str, str | None]]:
    """Every import as (line, module, name); name is None for `import module`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            for alias in node.names:
                yield node.lineno, node.module, alias.name


def is_vocabulary(value: object) -> bool:
    """A class, a NewType id, a type alias or a plain constant: describes state, decides nothing."""
    if isinstance(value, type | typing.NewType):
        return True
    if typing.get_origin(value) is not None or isinstance(value, types.UnionType):
        return True
    plain = (int, str, Fraction, bool)
    if isinstance(value, plain):
        return True
    return isinstance(value, tuple | frozenset) and all(isinstance(v, plain) for v in value)


def model_import_problem(module: str, name: str | None) -> str | None:
    """Why importing `name` from model module `module` crosses the line, or None."""
    if name is None:
        return f"imports the whole module {module}"
    if module in FORBIDDEN_MODEL_MODULES:
        return f"imports {name} from {module}, which holds only rules"
    value = getattr(importlib.import_module(module), name)
    if isinstance(value, types.ModuleType):
        return f"imports the whole module {module}.{name}"
    if f"{module}.{name}" in MODEL_ID_FUNCTIONS or f"{module}.{name}" in MODEL_DATA:
        return None
    if is_vocabulary(value):
        return None
    return f"imports {module}.{name}, a rule or derived quantity of the model"


def import_problems(source: str) -> list[str]:
    """Every import of `source` that an oracle file may not make."""
    problems = []
    for line, module, name in imports_of(ast.parse(source)):
        package = module.split(".")[0]
        if package == "model":
            problem = model_import_problem(module, name)
        elif package in PROJECT_PACKAGES:
            target = module if name is None else f"{module}.{name}"
            inside = target in ORACLE_MODULES or module in ORACLE_MODULES
            support = target in ORACLE_SUPPORT or module in ORACLE_SUPPORT
            problem = None if inside or support else f"imports {target}, which is not oracle code"
        else:
            problem = None
        if problem is not None:
            problems.append(f"line {line}: {problem}")
    return problems


def test_oracle_files_are_found() -> None:
    assert (ROOT / "oracle" / "boundary.py") in oracle_files()
    assert len(oracle_files()) >= 8
    for entry in ORACLE_CODE:
        assert (ROOT / entry).exists(), f"{entry} is listed as oracle code but does not exist"


@pytest.mark.parametrize("path", oracle_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_oracle_imports_only_the_model_vocabulary(path: Path) -> None:
    assert import_problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "from model.arith import bps_of",
        "from model import arith",
        "import model.ledger",
        "from model.payment import compute_payment_split",
        "from model.ledger import get_str_circulating_supply",
        "from model.params import WHITEPAPER_PARAMS",
        "from properties.driver import apply_action",
        "from model.constitution import get_constitution",
        "from model.constitution import LITERAL_CONSTITUTION",
        "def f():\n    from model.slashing import compute_slash_rate_bps\n",
    ],
)
def test_invalid_import__is_refused(source: str) -> None:
    assert len(import_problems(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        "from model.ledger import Ledger, Token, RESERVE_POOL, get_escrow_account",
        "from model.units import BPS_DENOMINATOR, AccountId, UStr",
        "from model.params import Params",
        "from model.profile import Profile, CompositeEncoding",
        "from model.chain.actions import RunRound, SlashEffect",
        "from properties.catalogue import get_invariant",
        "from model.constitution import HARDENED_CONSTITUTION, Row, RatioBound",
        "from oracle.boundary import ORACLE_CODE",
    ],
)
def test_vocabulary_import__is_allowed(source: str) -> None:
    assert import_problems(source) == []
