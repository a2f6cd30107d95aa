"""Walks over Z3 terms through Z3's C interface: free constants, and numerals folded.

Every proof walks its query twice (folding arithmetic on numerals, then listing the constants it
declares), and the z3 package's Python objects cost a wrapper, a reference count and a type check
per node visited. These walks read the nodes through the C functions the package itself calls
and build Python objects only for what they return, so a query of tens of thousands of nodes is
walked in a fraction of the time, with the same result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import z3
from z3.z3 import _to_expr_ref  # the typed wrapper z3's own accessors build

_FOLDABLE: dict[int, Callable[[list[int]], int | None]] = {
    z3.Z3_OP_ADD: sum,
    z3.Z3_OP_SUB: lambda args: args[0] - sum(args[1:]),
    z3.Z3_OP_MUL: math.prod,
    z3.Z3_OP_UMINUS: lambda args: -args[0],
    z3.Z3_OP_IDIV: lambda args: args[0] // args[1] if args[1] > 0 else None,
}


def _children(ref: Any, ast: Any) -> list[Any]:
    """The sub-terms of `ast` as `ExprRef.children()` lists them: an application's arguments, a
    quantifier's body, nothing for a numeral or a bound variable."""
    kind = z3.Z3_get_ast_kind(ref, ast)
    if kind == z3.Z3_APP_AST:
        return [z3.Z3_get_app_arg(ref, ast, i) for i in range(z3.Z3_get_app_num_args(ref, ast))]
    if kind == z3.Z3_QUANTIFIER_AST:
        return [z3.Z3_get_quantifier_body(ref, ast)]
    return []


def get_free_constants(formulas: Sequence[Any]) -> dict[str, Any]:
    """Every free (uninterpreted) constant of `formulas`, by name."""
    found: dict[str, Any] = {}
    for formula in formulas:
        ctx = formula.ctx
        ref = ctx.ref()
        seen: set[int] = set()
        stack = [formula.as_ast()]
        while stack:
            ast = stack.pop()
            key = z3.Z3_get_ast_id(ref, ast)
            if key in seen:
                continue
            seen.add(key)
            if z3.Z3_get_ast_kind(ref, ast) == z3.Z3_APP_AST:
                arity = z3.Z3_get_app_num_args(ref, ast)
                if arity == 0:
                    decl = z3.Z3_get_app_decl(ref, ast)
                    if z3.Z3_get_decl_kind(ref, decl) == z3.Z3_OP_UNINTERPRETED:
                        name = z3.Z3_get_symbol_string(ref, z3.Z3_get_decl_name(ref, decl))
                        if name not in found:
                            found[name] = _to_expr_ref(ast, ctx)
                    continue
            stack.extend(_children(ref, ast))
    return found


def _int_value(ref: Any, ast: Any) -> int | None:
    """The integer a numeral term stands for (None: not an integer numeral)."""
    if z3.Z3_get_ast_kind(ref, ast) != z3.Z3_NUMERAL_AST:
        return None
    if z3.Z3_get_sort_kind(ref, z3.Z3_get_sort(ref, ast)) != z3.Z3_INT_SORT:
        return None
    return int(z3.Z3_get_numeral_string(ref, ast))


def fold_constants(term: Any, memo: dict[int, Any]) -> Any:
    """`term` with every arithmetic operation on numerals replaced by its value, and nothing else
    changed: unlike `z3.simplify`, which reorders arguments by internal term ids, the result
    depends on the term alone, so the exported query is the same in every run. `memo` maps a
    term's id to its folded term (None: unchanged) and may be shared by the terms of a query."""
    ctx = term.ctx
    folded = _fold(ctx, ctx.ref(), term.as_ast(), memo)
    return term if folded is None else folded


def _fold(ctx: Any, ref: Any, ast: Any, memo: dict[int, Any]) -> Any:
    """The folded term of `ast`, or None if folding changes nothing in it."""
    key = z3.Z3_get_ast_id(ref, ast)
    if key in memo:
        return memo[key]
    result = None
    if z3.Z3_get_ast_kind(ref, ast) == z3.Z3_APP_AST and z3.Z3_get_app_num_args(ref, ast) > 0:
        originals = _children(ref, ast)
        changed = [_fold(ctx, ref, child, memo) for child in originals]
        if any(new is not None for new in changed):
            children = [
                _to_expr_ref(old, ctx) if new is None else new
                for new, old in zip(changed, originals, strict=True)
            ]
            values = [_int_value(ref, child.as_ast()) for child in children]
        else:
            children = []
            values = [_int_value(ref, child) for child in originals]
        kind = z3.Z3_get_decl_kind(ref, z3.Z3_get_app_decl(ref, ast))
        if kind in _FOLDABLE and all(value is not None for value in values):
            value = _FOLDABLE[kind]([v for v in values if v is not None])
            if value is not None:
                result = z3.IntVal(value, ctx)
            elif children:
                result = _to_expr_ref(ast, ctx).decl()(*children)
        elif children:
            result = _to_expr_ref(ast, ctx).decl()(*children)
    memo[key] = result
    return result
