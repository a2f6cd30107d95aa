"""The machine's rules aim at boundaries, and `properties.edges` recognises them, with the
oracle's readings of the raw state, never with the model's derived quantities.

A rule that tops a subcommittee up to "exactly its activation share" by asking the model for the
circulating supply moves its aim with a model that misreads the supply, and the boundary still
counts as reached in the model's own terms. So the rule modules and the edge tracker may take
from `model/` only what the oracle may: classes, ids, enums, constants, the id constructors
`oracle.boundary.MODEL_ID_FUNCTIONS` lists and the tables of `oracle.boundary.MODEL_DATA` (the
model's transitions run through the driver).
"""

from __future__ import annotations

import ast
import importlib
import types
import typing
from fractions import Fraction
from pathlib import Path

import pytest

from oracle.boundary import FORBIDDEN_MODEL_MODULES, MODEL_DATA, MODEL_ID_FUNCTIONS

ROOT = Path(__file__).resolve().parents[2]
NAMING: dict[str, str] = {
    "model.params.param_specs": "the catalogue of governable keys names the proposal.key.*"
    " boundaries; their bounds and defaults are read from oracle.domains and oracle.defaults",
}
"""Model functions the aiming modules may import, each with why it decides no edge."""
AIMING = [*sorted((ROOT / "properties" / "rules").glob("*.py")), ROOT / "properties" / "edges.py"]


def _is_vocabulary(value: object) -> bool:
    if isinstance(value, type | typing.NewType):
        return True
    if typing.get_origin(value) is not None or isinstance(value, types.UnionType):
        return True
    plain = (int, str, Fraction, bool)
    if isinstance(value, plain):
        return True
    return isinstance(value, tuple | frozenset) and all(isinstance(v, plain) for v in value)


def _model_imports(path: Path) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, None) for a in node.names if a.name.split(".")[0] == "model"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "model":
            found += [(str(node.module), a.name) for a in node.names]
    return found


def _problem(module: str, name: str | None) -> str | None:
    if name is None:
        return f"imports the whole module {module}"
    if module in FORBIDDEN_MODEL_MODULES:
        return f"imports {name} from {module}, which holds only rules"
    value = getattr(importlib.import_module(module), name)
    if isinstance(value, types.ModuleType):
        return f"imports the whole module {module}.{name}"
    qualified = f"{module}.{name}"
    known = qualified in MODEL_ID_FUNCTIONS or qualified in MODEL_DATA or qualified in NAMING
    if known or _is_vocabulary(value):
        return None
    return f"imports {module}.{name}, a rule or derived quantity of the model"


def test_the_aiming_modules_are_found() -> None:
    names = {path.name for path in AIMING}
    assert {"governance.py", "staking.py", "economy.py", "rounds.py", "edges.py"} <= names


@pytest.mark.parametrize("path", AIMING, ids=lambda path: path.name)
def test_rules_and_edges_take_only_the_model_vocabulary(path: Path) -> None:
    problems = [p for m, n in _model_imports(path) if (p := _problem(m, n)) is not None]
    assert problems == [], f"{path.relative_to(ROOT)}: {problems}"


def test_a_derived_quantity_is_refused() -> None:
    assert _problem("model.ledger", "get_str_circulating_supply") is not None
    assert _problem("model.staking", "get_active_set") is not None
    assert _problem("model.ledger", "BURN_ADDRESS") is None
    assert _problem("model.chain.state", "get_developer") is None
    assert _problem("model.constitution", "HARDENED_CONSTITUTION") is None
    assert _problem("model.constitution", "get_constitution") is not None
