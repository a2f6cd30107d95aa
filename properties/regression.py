"""Counterexamples as ready-to-run pytest files: the trace written as Python that replays it.

`to_python` writes attrs records, enums, fractions, bytes and containers as constructor calls,
so the file imports exactly the classes it names and runs without stratoverify's runner.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from fractions import Fraction
from typing import Any

import attrs

from model.chain.actions import Action
from model.chain.state import Genesis
from model.params import Params, params_to_document
from properties.catalogue import get_invariant


def to_python(value: object, imports: set[tuple[str, str]]) -> str:
    """`value` as a Python expression; `imports` collects the (module, name) pairs it needs."""
    if value is None or isinstance(value, (bool, int, str, bytes)):
        return repr(value)
    if isinstance(value, Enum):
        enum_class = type(value)
        imports.add((enum_class.__module__, enum_class.__name__))
        return f"{enum_class.__name__}.{value.name}"
    if isinstance(value, Fraction):
        imports.add(("fractions", "Fraction"))
        return f"Fraction({value.numerator}, {value.denominator})"
    if isinstance(value, tuple):
        items = [to_python(item, imports) for item in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(to_python(item, imports) for item in value) + "]"
    if isinstance(value, frozenset):
        if not value:
            return "frozenset()"
        items = sorted(to_python(item, imports) for item in value)
        return "frozenset({" + ", ".join(items) + "})"
    record_class: type[Any] = type(value)
    if attrs.has(record_class):
        imports.add((record_class.__module__, record_class.__name__))
        arguments = []
        for field in attrs.fields(record_class):
            current = getattr(value, field.name)
            # Defaults are left out so the test reads like hand-written code.
            default = field.default
            if not isinstance(default, attrs.Factory) and current == default:  # type: ignore[arg-type]
                continue
            arguments.append(f"{field.name}={to_python(current, imports)}")
        return f"{record_class.__name__}({', '.join(arguments)})"
    raise TypeError(f"cannot write {type(value).__name__} as Python")


def get_test_name(invariant_id: str) -> str:
    """`test_<id>_holds`, in snake case."""
    return "test_" + invariant_id.lower().replace("-", "_") + "_holds"


def render_regression_test(
    *,
    invariant_id: str,
    detail: str,
    genesis: Genesis,
    actions: Sequence[Action],
    params: Params,
    profile_name: str,
    seed: int,
) -> str:
    """A pytest module that replays the trace and asserts `invariant_id` holds on every step."""
    invariant = get_invariant(invariant_id)
    imports: set[tuple[str, str]] = {
        ("model.chain.state", "Genesis"),
        ("reports.param_documents", "parse_param_set"),
        ("model.profile", "PROFILES"),
        ("properties.replay", "replay"),
    }
    genesis_source = to_python(genesis, imports)
    action_lines = [f"    {to_python(action, imports)}," for action in actions]
    document = params_to_document(params)
    params_lines = [f"        {subspace!r}: {values!r}," for subspace, values in document.items()]
    names_by_module: dict[str, set[str]] = {}
    for module, name in imports:
        names_by_module.setdefault(module, set()).add(name)
    import_lines = sorted(
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in names_by_module.items()
        if module != "fractions"
    )
    if ("fractions", "Fraction") in imports:
        import_lines.insert(0, "from fractions import Fraction\n")
    body = [
        f'"""Regression for {invariant_id} (§{invariant.section}): {invariant.statement}.',
        "",
        f"Found by stratoverify under profile {profile_name!r}, seed {seed}. It fails until the",
        "rule is repaired; the broken step said:",
        f"    {detail}",
        '"""',
        "",
        *import_lines,
        "",
        "PARAMS = parse_param_set(",
        "    {",
        *params_lines,
        "    }",
        ")",
        f"PROFILE = PROFILES[{profile_name!r}]",
        f"GENESIS = {genesis_source}",
        "ACTIONS = (",
        *action_lines,
        ")",
        "",
        "",
        f"def {get_test_name(invariant_id)}() -> None:",
        "    result = replay(GENESIS, ACTIONS, params=PARAMS, profile=PROFILE)",
        f"    broken = [v.detail for v in result.violations if v.invariant_id == {invariant_id!r}]",
        "    assert not broken, broken",
        "",
    ]
    return "\n".join(body)
