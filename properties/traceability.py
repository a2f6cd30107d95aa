"""The traceability matrix: for every catalogue ID, its whitepaper section, the model functions
that implement the rule, and everything that checks it.

Only `MODEL_RULES` (`properties/model_rules.py`) is written by hand; the rest is read from the
code: machine invariants and checkers by inspecting their source, proofs and executor checks from
their registries, tests by scanning `tests/`. `docs/traceability.md` is this module's output, and a test keeps the two equal.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from attrs import frozen

from executor.checks import EXECUTOR_CHECKS
from executor.grounding import EXECUTOR_IDS, compare
from properties.catalogue import CATALOGUE, Engine, Invariant
from properties.explore import ROUND_INVARIANT_IDS
from properties.machine import STEP_CHECK_MARKER, ChainMachine
from properties.model_rules import MODEL_RULES
from solver.registry import CLAIM_BUILDERS
from solver.safety import GOV_SAFE, prove_gov_safe

ROOT = Path(__file__).resolve().parents[1]
"""The repository root: every path in the matrix is relative to it."""

DOC_PATH = "docs/traceability.md"
REGENERATE_COMMAND = ".venv/bin/python -m properties.traceability > docs/traceability.md"


ENGINE_LETTERS: dict[Engine, str] = {Engine.HYPOTHESIS: "H", Engine.Z3: "Z", Engine.EXECUTOR: "X"}
"""DESIGN.md's letters, in its order."""

CHECKER_CALLS = frozenset({"observe", "holds", "violated"})
"""The constructors of `properties.invariants.base` that name the ID a checker observes."""

GROUNDING_CHECK: Callable[..., object] = compare
"""GROUNDED has no entry in EXECUTOR_CHECKS: it is the comparison of the executor's whole record
with the model's prediction, made on every call."""


class TraceabilityError(ValueError):
    """Raised when MODEL_RULES names something that is not a function defined in `model`."""


@frozen(order=True)
class CodeRef:
    """A function in the repository: its dotted import name and the file that defines it."""

    dotted: str
    path: str
    """Relative to the repository root, with `/` separators."""

    @property
    def short(self) -> str:
        """The last two parts of the dotted name: enough to tell functions apart in a table."""
        return ".".join(self.dotted.split(".")[-2:])


@frozen
class TraceRow:
    """One catalogue ID and everything that implements or checks it."""

    invariant_id: str
    statement: str
    section: str
    engines: frozenset[Engine]
    """The engines the catalogue says check the ID."""
    model_rules: tuple[CodeRef, ...]
    machine_invariants: tuple[CodeRef, ...]
    checkers: tuple[CodeRef, ...]
    """Functions in properties/invariants/ that observe the ID."""
    explored: bool
    """Reported on by the bounded exhaustive round exploration."""
    proof: CodeRef | None
    executor_check: CodeRef | None
    test_files: tuple[str, ...]

    def found_engines(self) -> frozenset[Engine]:
        """The engines the code shows checking the ID."""
        found = set()
        if self.machine_invariants or self.explored:
            found.add(Engine.HYPOTHESIS)
        if self.proof is not None:
            found.add(Engine.Z3)
        if self.executor_check is not None:
            found.add(Engine.EXECUTOR)
        return frozenset(found)


# --- Reading the code ----------------------------------------------------------------------------


def _relative(path: str | Path) -> str:
    return Path(path).resolve().relative_to(ROOT).as_posix()


def get_code_ref(function: Callable[..., object]) -> CodeRef:
    """The CodeRef of a function object, from its own module and qualified name."""
    unwrapped = inspect.unwrap(function)
    source = inspect.getsourcefile(unwrapped)
    if source is None:
        raise TraceabilityError(f"{unwrapped!r} has no source file")
    return CodeRef(f"{unwrapped.__module__}.{unwrapped.__qualname__}", _relative(source))


def resolve_model_rule(dotted: str) -> CodeRef:
    """The CodeRef of a MODEL_RULES name: a callable defined (not re-exported) in a `model` module."""
    module_name, _, attribute = dotted.rpartition(".")
    if module_name != "model" and not module_name.startswith("model."):
        raise TraceabilityError(f"{dotted}: expected a name in the model package")
    try:
        target: Any = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise TraceabilityError(f"{dotted} does not resolve: {error}") from None
    # A re-export would link the doc to the importing module, not to the rule's own file.
    if not callable(target) or getattr(target, "__module__", None) != module_name:
        raise TraceabilityError(f"{dotted} is not a function defined in {module_name}")
    return get_code_ref(target)


def _string_args(node: ast.AST, names: Callable[[ast.expr], bool]) -> list[str]:
    found = []
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and names(call.func)
            and call.args
            and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)
        ):
            found.append(call.args[0].value)
    return found


def _is_self_check(func: ast.expr) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "check"
        and isinstance(func.value, ast.Name)
        and func.value.id == "self"
    )


def find_machine_invariants(
    machine: type[ChainMachine] = ChainMachine,
) -> dict[str, tuple[CodeRef, ...]]:
    """ID -> the machine invariants (`@step_check` methods) whose source calls
    `self.check("<ID>")`."""
    found: dict[str, list[CodeRef]] = {}
    for name, member in sorted(vars(machine).items()):
        if not getattr(member, STEP_CHECK_MARKER, False):
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(member)))
        for invariant_id in _string_args(tree, _is_self_check):
            found.setdefault(invariant_id, []).append(get_code_ref(getattr(machine, name)))
    return {key: tuple(sorted(refs)) for key, refs in found.items()}


def _is_checker_call(func: ast.expr) -> bool:
    return isinstance(func, ast.Name) and func.id in CHECKER_CALLS


def find_checkers(
    directory: Path = ROOT / "properties" / "invariants",
) -> dict[str, tuple[CodeRef, ...]]:
    """ID -> the top-level functions of properties/invariants/ that observe it by name."""
    found: dict[str, set[CodeRef]] = {}
    for path in sorted(directory.glob("*.py")):
        module = _relative(path).removesuffix(".py").replace("/", ".")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            ref = CodeRef(f"{module}.{node.name}", _relative(path))
            for invariant_id in _string_args(node, _is_checker_call):
                found.setdefault(invariant_id, set()).add(ref)
    return {key: tuple(sorted(refs)) for key, refs in found.items()}


def find_executor_checks() -> dict[str, CodeRef]:
    """ID -> the executor's check of it: EXECUTOR_CHECKS, and the grounding comparison."""
    checks = {key: get_code_ref(check) for key, check in EXECUTOR_CHECKS.items()}
    for invariant_id in EXECUTOR_IDS:
        checks.setdefault(invariant_id, get_code_ref(GROUNDING_CHECK))
    return checks


def find_test_files(
    invariant_ids: Iterable[str], *, root: Path = ROOT
) -> dict[str, tuple[str, ...]]:
    """ID -> the files under `root`/tests/ whose text names it (as a whole ID, not a prefix)."""
    patterns = {
        # Bounded so CONS-STR is not found inside a longer name such as CONS-STRR.
        invariant_id: re.compile(rf"(?<![A-Z0-9-]){re.escape(invariant_id)}(?![A-Z0-9-])")
        for invariant_id in invariant_ids
    }
    found: dict[str, list[str]] = {invariant_id: [] for invariant_id in patterns}
    for path in sorted((root / "tests").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for invariant_id, pattern in patterns.items():
            if pattern.search(text):
                found[invariant_id].append(path.relative_to(root).as_posix())
    return {key: tuple(sorted(paths)) for key, paths in found.items()}


def _proof_ref(invariant_id: str) -> CodeRef | None:
    if invariant_id == GOV_SAFE:
        # GOV-SAFE has no claim of its own: every claim over every adoptable set.
        return get_code_ref(prove_gov_safe)
    builder = CLAIM_BUILDERS.get(invariant_id)
    return None if builder is None else get_code_ref(builder)


def build_row(
    invariant: Invariant,
    *,
    machine: Mapping[str, tuple[CodeRef, ...]],
    checkers: Mapping[str, tuple[CodeRef, ...]],
    executor: Mapping[str, CodeRef],
    tests: Mapping[str, tuple[str, ...]],
) -> TraceRow:
    """The matrix row of one catalogue invariant, from what the code was found to hold."""
    key = invariant.id
    return TraceRow(
        invariant_id=key,
        statement=invariant.statement,
        section=invariant.section,
        engines=invariant.engines,
        model_rules=tuple(resolve_model_rule(name) for name in MODEL_RULES.get(key, ())),
        machine_invariants=machine.get(key, ()),
        checkers=checkers.get(key, ()),
        explored=key in ROUND_INVARIANT_IDS,
        proof=_proof_ref(key),
        executor_check=executor.get(key),
        test_files=tests.get(key, ()),
    )


def build_matrix() -> tuple[TraceRow, ...]:
    """One row per catalogue ID, in catalogue order (the order of DESIGN.md and the reports)."""
    machine = find_machine_invariants()
    checkers = find_checkers()
    executor = find_executor_checks()
    tests = find_test_files(invariant.id for invariant in CATALOGUE)
    return tuple(
        build_row(invariant, machine=machine, checkers=checkers, executor=executor, tests=tests)
        for invariant in CATALOGUE
    )


# --- Rendering -----------------------------------------------------------------------------------

NONE = "—"


def _link(ref: CodeRef, *, short: bool) -> str:
    # The doc lives in docs/, so every repository path is one level up.
    return f"[`{ref.short if short else ref.dotted}`](../{ref.path})"


def _links(refs: Iterable[CodeRef], *, short: bool, separator: str) -> str:
    rendered = [_link(ref, short=short) for ref in refs]
    return separator.join(rendered) if rendered else NONE


def _anchor(invariant_id: str) -> str:
    # GitHub's heading anchors: lower case, letters, digits and hyphens kept.
    return re.sub(r"[^a-z0-9-]", "", invariant_id.lower())


def _engines(engines: frozenset[Engine]) -> str:
    return " ".join(letter for engine, letter in ENGINE_LETTERS.items() if engine in engines)


def _section(section: str) -> str:
    return f"§{section}"


def _cell(text: str) -> str:
    return text.replace("|", r"\|")


def _table(rows: tuple[TraceRow, ...]) -> list[str]:
    header = (
        "| ID | § | engines | model rules | H: machine invariant | H: checkers | H: explored"
        " | Z: proof | X: executor check | tests |"
    )
    lines = [header, "|" + "---|" * 10]
    for row in rows:
        cells = (
            f"[{row.invariant_id}](#{_anchor(row.invariant_id)})",
            _section(row.section),
            _engines(row.engines),
            _links(row.model_rules, short=True, separator="<br>"),
            _links(row.machine_invariants, short=True, separator="<br>"),
            _links(row.checkers, short=True, separator="<br>"),
            "yes" if row.explored else NONE,
            _link(row.proof, short=True) if row.proof is not None else NONE,
            _link(row.executor_check, short=True) if row.executor_check is not None else NONE,
            str(len(row.test_files)),
        )
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines


def get_summary(ref: CodeRef) -> str:
    """The first paragraph of the docstring of the function `ref` names, on one line: what that
    check or proof says it establishes."""
    module: Any = None
    qualname = ref.dotted
    # The dotted name is module.qualname; find the longest importable module prefix.
    parts = ref.dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        qualname = ".".join(parts[cut:])
        break
    target: Any = module
    for name in qualname.split("."):
        target = getattr(target, name, None)
    doc = inspect.getdoc(target) if target is not None else None
    if not doc:
        raise TraceabilityError(f"{ref.dotted} has no docstring saying what it checks")
    return " ".join(doc.split("\n\n")[0].split())


def find_oracle_readings(ref: CodeRef) -> tuple[str, ...]:
    """The `oracle` modules the file of `ref` imports: the readings of the whitepaper it shares."""
    tree = ast.parse((ROOT / ref.path).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            if node.module == "oracle":
                found.update(f"oracle.{alias.name}" for alias in node.names)
            elif node.module.startswith("oracle."):
                found.add(node.module)
    return tuple(sorted(found - {"oracle.boundary"}))


def _how(row: TraceRow) -> list[str]:
    """How each engine checks the ID, in the words of each check's own docstring."""
    lines = []
    # A machine invariant only raises what the checkers observed: the checkers say what is checked.
    for ref in row.checkers:
        lines.append(f"  - H, `{ref.short}`: {get_summary(ref)}")
    if row.explored:
        lines.append(
            "  - H, exhaustive round search: the same round checkers on every explored round"
        )
    if row.proof is not None:
        lines.append(f"  - Z, `{row.proof.short}`: {get_summary(row.proof)}")
    if row.executor_check is not None:
        lines.append(f"  - X, `{row.executor_check.short}`: {get_summary(row.executor_check)}")
    readings = sorted(
        {
            reading
            for ref in (*row.checkers, *(r for r in (row.proof, row.executor_check) if r))
            for reading in find_oracle_readings(ref)
        }
    )
    lines.append(f"  - Oracle readings used: {', '.join(f'`{r}`' for r in readings) or NONE}")
    return lines


def _details(row: TraceRow) -> list[str]:
    def optional(ref: CodeRef | None) -> str:
        return _link(ref, short=False) if ref is not None else NONE

    tests = [f"  - [`{path}`](../{path})" for path in row.test_files] or [f"  - {NONE}"]
    return [
        f"### {row.invariant_id}",
        "",
        f"> {row.statement}",
        "",
        f"- Whitepaper: {_section(row.section)}",
        f"- Engines claimed: {_engines(row.engines)}",
        f"- Model rules: {_links(row.model_rules, short=False, separator=', ')}",
        f"- Machine invariant: {_links(row.machine_invariants, short=False, separator=', ')}",
        f"- Checkers: {_links(row.checkers, short=False, separator=', ')}",
        f"- Exhaustive round exploration: {'yes' if row.explored else 'no'}",
        f"- Z3 proof: {optional(row.proof)}",
        f"- Executor check: {optional(row.executor_check)}",
        "- How each engine checks it:",
        *_how(row),
        f"- Test files ({len(row.test_files)}):",
        *tests,
        "",
    ]


def _summary(rows: tuple[TraceRow, ...]) -> str:
    def count(engine: Engine) -> int:
        return sum(1 for row in rows if engine in row.engines)

    explored = sum(1 for row in rows if row.explored)
    return (
        f"{len(rows)} invariants: {count(Engine.HYPOTHESIS)} checked by Hypothesis ({explored}"
        f" of them also by the exhaustive round exploration), {count(Engine.Z3)} proved by Z3,"
        f" {count(Engine.EXECUTOR)} checked by the executor."
    )


INTRO = f"""\
# Traceability matrix

<!-- Generated by properties/traceability.py: do not edit by hand. -->

For every invariant ID of the catalogue (`properties/catalogue.py`), this page gives the
whitepaper section it comes from, the model functions that implement the rule, and everything
that checks it. Only the model functions are listed by hand (`MODEL_RULES` in
`properties/traceability.py`); the rest is read from the code:

- **H: machine invariant**: the `@step_check` method of `ChainMachine` (`properties/machine.py`)
  whose source calls `self.check("<ID>")`;
- **H: checkers**: the functions of `properties/invariants/` that observe the ID by name;
- **H: explored**: the ID is in `ROUND_INVARIANT_IDS` (`properties/explore.py`), so the bounded
  exhaustive round exploration reports on it;
- **Z: proof**: the claim builder `CLAIM_BUILDERS[ID]` (`solver/registry.py`);
- **X: executor check**: `EXECUTOR_CHECKS[ID]` (`executor/checks.py`), or for GROUNDED the
  comparison of the executor's record with the model's prediction (`executor/grounding.py`);
- **tests**: the files under `tests/` whose text names the ID.

Under each ID, "How each engine checks it" quotes the first paragraph of every check's and
proof's own docstring, and lists the `oracle/` readings they share: a check is written from the
whitepaper's words and the raw state, apart from the model (`oracle/boundary.py`).

`tests/properties/test_traceability.py` checks that every engine the catalogue claims for an ID is
found here, and that this file is what the code gives today. After changing the code, regenerate:

```
{REGENERATE_COMMAND}
```
"""


def render_matrix_markdown(rows: tuple[TraceRow, ...]) -> str:
    """The whole of docs/traceability.md for `rows`: intro, one table row per ID, then details."""
    lines = [
        INTRO,
        "## Matrix",
        "",
        _summary(rows),
        "",
        *_table(rows),
        "",
        "## Per invariant",
        "",
    ]
    for row in rows:
        lines.extend(_details(row))
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_matrix_markdown(build_matrix()))
