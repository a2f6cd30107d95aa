"""Two kinds of mechanical mutant proved equivalent from the source, before anything runs.

- **A keyword-only marker made positional-only.** cosmic-ray turns the bare `*` of
  `def f(a, b, *, c)` into `/`: `a` and `b` become positional-only and `c` may now also be passed
  by position. A call that passes `a` or `b` by keyword would fail on the mutant; every other call
  behaves the same. So the mutant is equivalent when no call anywhere in the tree names `a` or
  `b` as a keyword on a function called `f`, and `f` is never used other than called by name
  (passed as a value, it could be called with keywords out of sight). Both tests are made over
  every module of the tree, by name: a method and a function that share a name count together,
  which can only deny an equivalence, never grant a false one.
- **`is` and `==` on a plain `Enum` member.** `Enum` keeps `object`'s identity equality, so
  `x == Phase.COMMIT` is `x is Phase.COMMIT` for every `x` the model holds (members, `None`), and
  `!=` is `is not`. A mutant that swaps one for the other, where one side is a member of a class
  derived from `Enum` itself (not `IntEnum` or `StrEnum`, whose members equal plain values), is
  equivalent.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from attrs import frozen

SCANNED = ("model", "properties", "oracle", "solver", "executor", "reports")
"""The tree's folders that `check` runs: the callers a mutant of the model can meet."""

_IDENTITY_PAIRS = ({ast.Is, ast.Eq}, {ast.IsNot, ast.NotEq})


@frozen
class CallIndex:
    """What every module of a tree does with each name: the keywords it is called with, whether
    it is ever used other than called, and which classes derive from `Enum` itself."""

    keywords: dict[str, frozenset[str]]
    escaping: frozenset[str]
    plain_enums: frozenset[str]

    @classmethod
    def of_tree(cls, root: Path) -> CallIndex:
        """Scan every `.py` file under the folders of `SCANNED` in `root`."""
        files = sorted(
            path
            for folder in SCANNED
            if (root / folder).is_dir()
            for path in (root / folder).rglob("*.py")
        )
        return cls.of_sources(path.read_text(encoding="utf-8") for path in files)

    @classmethod
    def of_sources(cls, sources: Iterable[str]) -> CallIndex:
        keywords: dict[str, set[str]] = defaultdict(set)
        escaping: set[str] = set()
        enums: set[str] = set()
        for source in sources:
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            called: set[int] = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = _name_of(node.func)
                    if name is not None:
                        called.add(id(node.func))
                        keywords[name].update(k.arg for k in node.keywords if k.arg is not None)
                        if any(k.arg is None for k in node.keywords):
                            escaping.add(name)  # `f(**options)`: any keyword at all
                elif isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id == "Enum" for base in node.bases
                ):
                    enums.add(node.name)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Name | ast.Attribute)
                    and id(node) not in called
                    and isinstance(node.ctx, ast.Load)
                ):
                    escaping.add(node.id if isinstance(node, ast.Name) else node.attr)
        return cls(
            keywords={name: frozenset(found) for name, found in keywords.items()},
            escaping=frozenset(escaping),
            plain_enums=frozenset(enums),
        )


def _name_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def is_marker_swap_equivalent(original: str, mutated: str, index: CallIndex) -> bool:
    """Whether `mutated` only turns one function's `*` into `/`, and no caller can tell."""
    before, after = ast.parse(original), ast.parse(mutated)
    old, new = _functions(before), _functions(after)
    if len(old) != len(new):
        return False
    changed = [
        (a, b) for a, b in zip(old, new, strict=True) if ast.dump(a.args) != ast.dump(b.args)
    ]
    if len(changed) != 1:
        return False
    function, swapped = changed[0]
    was, now = function.args, swapped.args
    positional = [arg.arg for arg in was.args]
    if (
        was.posonlyargs
        or was.vararg is not None
        or not was.kwonlyargs
        or [arg.arg for arg in now.posonlyargs] != positional
        or [arg.arg for arg in now.args] != [arg.arg for arg in was.kwonlyargs]
        or now.kwonlyargs
        or now.vararg is not None
    ):
        return False
    swapped.args = function.args  # the rest of the module must be untouched
    if ast.dump(before) != ast.dump(after):
        return False
    name = function.name
    passed_by_keyword = index.keywords.get(name, frozenset()) & set(positional)
    return name not in index.escaping and not passed_by_keyword


def is_enum_identity_swap(original: str, mutated: str, index: CallIndex) -> bool:
    """Whether `mutated` only swaps `is` for `==` (or `is not` for `!=`, either way) in one
    comparison with a member of a plain `Enum`."""
    before, after = ast.parse(original), ast.parse(mutated)
    old = [n for n in ast.walk(before) if isinstance(n, ast.Compare)]
    new = [n for n in ast.walk(after) if isinstance(n, ast.Compare)]
    if len(old) != len(new):
        return False
    changed = [
        (a, b)
        for a, b in zip(old, new, strict=True)
        if [type(op) for op in a.ops] != [type(op) for op in b.ops]
    ]
    if len(changed) != 1:
        return False
    compare, swapped = changed[0]
    differing = [
        position
        for position, (a, b) in enumerate(zip(compare.ops, swapped.ops, strict=True))
        if type(a) is not type(b)
    ]
    if len(differing) != 1:
        return False
    position = differing[0]
    pair = {type(compare.ops[position]), type(swapped.ops[position])}
    if pair not in _IDENTITY_PAIRS:
        return False
    operands = [compare.left, *compare.comparators][position : position + 2]
    if not any(_is_member(operand, index) for operand in operands):
        return False
    swapped.ops = compare.ops
    return ast.dump(before) == ast.dump(after)


def _is_member(node: ast.expr, index: CallIndex) -> bool:
    """`Class.MEMBER` where `Class` derives from `Enum` itself."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in index.plain_enums
        and node.attr.isupper()
    )
