"""Running a model rule on Z3 terms: parameters as terms, and the rule's `arith.INTS` as Z3's.

A rule such as `model.trusted.decision.is_supermajority` computes with `arith.INTS` through its
module's global `arith`, and reads its parameters from a `Params`. Handing it a stand-in for
`Params` whose every key is a term of a `ParamTerms`, while its module sees an `arith` whose INTS
builds terms, runs the very rule the chain runs, so the claim sees which keys it reads: a key
mixed up with another becomes a variable of its own for all parameters.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from model import arith
from model.params import Params, param_specs
from solver.algebra import Z3_TERMS

_SUBSPACES = frozenset(spec.subspace for spec in param_specs())


class _Subspace:
    """One subspace of the stand-in: reading `key` asks the getter for "subspace.key"."""

    def __init__(self, name: str, get: Callable[[str], Any]) -> None:
        self._name = name
        self._get = get

    def __getattr__(self, key: str) -> Any:
        return self._get(f"{self._name}.{key}")


def make_symbolic_params(get: Callable[[str], Any]) -> Params:
    """A stand-in for `Params` whose key "subspace.key" reads as `get("subspace.key")`."""
    return cast(
        Params, types.SimpleNamespace(**{name: _Subspace(name, get) for name in _SUBSPACES})
    )


class ArithWith(types.ModuleType):
    """`model.arith` as a rule's module sees it while run on terms: `INTS` is `algebra`, every
    other name the real module's (so a formula patched in a test is the one run)."""

    def __init__(self, algebra: Any) -> None:
        super().__init__("model.arith")
        self.INTS = algebra

    def __getattr__(self, name: str) -> Any:
        return getattr(arith, name)


@contextmanager
def arith_as(module: types.ModuleType, algebra: Any = Z3_TERMS) -> Iterator[None]:
    """While open, `module`'s global `arith` computes with `algebra` (Z3 terms by default)."""
    namespace = vars(module)
    real = namespace["arith"]
    namespace["arith"] = ArithWith(algebra)
    try:
        yield
    finally:
        namespace["arith"] = real
