"""Mechanical mutants: every cosmic-ray mutation of `model/`, and a seeded sample of them checked.

cosmic-ray's operators list the mutation points of a parso tree apart from any test runner, so
every mutant of `model/` can be enumerated, named stably (file, operator, occurrence and the hash
of the mutated text) and a reproducible sample run through the catalogue's harness: a copy of the
tree, the shadowing probe, `check --effort quick`. Mutants that cannot run, or that compile to the
same program, are told apart before the check runs, so they never count as survivors. `main`
exits 0 when no mutant survives, 1 otherwise, 3 when the unmutated tree does not pass.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import importlib.metadata
import json
import random
import shutil
import sys
import tempfile
import time
import types
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

import attrs
from attrs import field, frozen
from cosmic_ray import plugins  # type: ignore[import-untyped]
from cosmic_ray.ast import ast_nodes, get_ast  # type: ignore[import-untyped]
from cosmic_ray.mutating import mutate_code  # type: ignore[import-untyped]

from mutation.equivalence import CallIndex, is_enum_identity_swap, is_marker_swap_equivalent
from mutation.harness import (
    ENGINES,
    REPO_ROOT,
    MutantResult,
    MutatedFile,
    Outcome,
    run_in_copy,
    run_mutant,
)
from mutation.known import KNOWN_EQUIVALENTS, KnownEquivalent

DEFAULT_SAMPLE = 150
EXIT_DONE = 0
EXIT_SURVIVORS = 1
EXIT_UNMUTATED_FAILS = 3
MUTATED_PACKAGE = "model"
EXCLUDED_OPERATORS: Mapping[str, str] = {
    "core/VariableReplacer": (
        "takes a cause variable per run and swaps it for random.randint(-100, 100) drawn from "
        "the unseeded global generator, so (file, operator, occurrence) does not fix the mutant"
    ),
    "core/VariableInserter": (
        "takes a cause and an effect variable per run and joins them with an operator drawn "
        "by random.choice, unseeded: the same objection, and it models causal edits, not bugs"
    ),
}
"""Core operators left out, and why. The rest of cosmic-ray's core set is used; `NoOp` is never
listed by cosmic-ray itself (it exists for a baseline run, which the harness does on its own)."""
EXCEPTION_OPERATOR = "core/ExceptionReplacer"
EXCEPTION_CLASS = (
    "\n\nclass CosmicRayTestingException(Exception):\n"
    '    """Never raised: what an exception handler catches once mutated."""\n'
)
"""cosmic-ray's worker defines this name in `builtins`; the check never imports cosmic-ray, so the
mutated module defines it after its last line (no line moves), and a handler for it catches
nothing, as under cosmic-ray, instead of failing with a NameError."""
DEFAULT_MECHANICAL_TIMEOUT_SECONDS = 300.0
"""A mechanical mutant of a loop condition often hangs; 300 s is still twice the slowest kill the
catalogue has measured (149 s, most of it Hypothesis shrinking)."""
IMPORT_TIMEOUT_SECONDS = 120.0
IMPORT_PROBE = """\
import importlib
import json
import os
import sys

failure, outside = "", []
for name in sys.argv[1:]:
    try:
        module = importlib.import_module(name)
    except BaseException as error:  # a mutant may raise anything at import
        failure = f"{name}: {type(error).__name__}: {error}"
        break
    if not os.path.realpath(module.__file__).startswith(os.path.realpath(os.getcwd())):
        outside.append(name)
print(json.dumps({"failure": failure[:300], "outside": outside}))
"""
"""Run as `python -c` in a copy of `model/`: imports every module, names the first that raises."""
CLASS_VARIABLE_HEADS = ("ClassVar", "typing.ClassVar", "t.ClassVar")
"""attrs reads a postponed annotation's text only to tell a class variable from a field."""


class MechanicalError(Exception):
    """Raised when an operator, a mutant id or the table of known equivalents is unusable."""


class Kind(Enum):
    """What a mutant is before it runs."""

    RUNNABLE = "runnable"
    """A different program: it goes to the check."""
    INCOMPETENT = "incompetent"
    """Code that cannot run: a SyntaxError, no change made, or (found just before the check) a
    model that raises while it imports."""
    SAME_BYTECODE = "equivalent-bytecode"
    """Compiles to the same code objects as the original (constant folding, say)."""
    ANNOTATION = "equivalent-annotation"
    """Changes a postponed type annotation only, which no rule ever evaluates."""
    SIGNATURE = "equivalent-signature"
    """Turns a keyword-only marker `*` into the positional-only `/` where no caller in the tree
    passes the parameters before it by keyword (`mutation.equivalence`)."""
    IDENTITY = "equivalent-identity"
    """Swaps `is` and `==` (or `is not` and `!=`) against a member of a plain `Enum`, whose
    equality is identity (`mutation.equivalence`)."""
    KNOWN_EQUIVALENT = "equivalent-known"
    """Listed in `KNOWN_EQUIVALENTS`, with the reason no state tells it apart."""


STATIC_KINDS = frozenset(
    {Kind.INCOMPETENT, Kind.SAME_BYTECODE, Kind.ANNOTATION, Kind.SIGNATURE, Kind.IDENTITY}
)
"""Kinds decided from the source alone: never drawn into a sample."""


@frozen
class MutationPoint:
    """One place where one cosmic-ray operator can mutate one file."""

    file: str
    """Relative to the tree's root, with forward slashes."""
    operator: str
    """cosmic-ray's full name, e.g. `core/ReplaceBinaryOperator_Add_Sub`."""
    occurrence: int
    """The index among this operator's positions in this file, in cosmic-ray's walk order."""
    start: tuple[int, int]
    end: tuple[int, int]

    @property
    def id(self) -> str:
        """`file:operator:occurrence`, the operator without its provider prefix."""
        return f"{self.file}:{self.operator.removeprefix('core/')}:{self.occurrence}"


@frozen
class MechanicalMutant:
    """A mutation point made concrete: the mutated text, its hash and what it is."""

    point: MutationPoint
    sha: str
    """SHA-256 of the mutated text (hex)."""
    kind: Kind
    reason: str
    diff: tuple[str, ...]
    """The changed lines, `-` original then `+` mutated."""
    source: str = field(repr=False, eq=False)

    @property
    def id(self) -> str:
        """The point's id; with `sha` it names the mutant reproducibly."""
        return self.point.id

    @property
    def location(self) -> str:
        """`file:line` of the mutated position."""
        return f"{self.point.file}:{self.point.start[0]}"


@frozen
class Sample:
    """A seeded draw: the mutants to run, and the statically settled ones met on the way."""

    seed: int
    mutants: tuple[MechanicalMutant, ...]
    skipped: tuple[MechanicalMutant, ...]
    """Incompetent or provably equivalent mutants passed over while drawing."""
    enumerated: int
    """How many mutation points the draw was over."""

    @property
    def digest(self) -> str:
        """A hash of the sampled ids and texts: equal digests mean the same mutants."""
        text = "\n".join(f"{mutant.id} {mutant.sha}" for mutant in self.mutants)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@frozen
class MechanicalResult:
    """The outcome of one sampled mutant: a harness outcome, or why it was not run."""

    mutant: MechanicalMutant
    outcome: str
    """An `Outcome` value, or `equivalent` / `incompetent` for a mutant that was not run."""
    result: MutantResult | None = None


# --- Operators and enumeration -------------------------------------------------------------------


def get_operator_names() -> tuple[str, ...]:
    """The core operators used, sorted; an operator needing arguments must be excluded by name."""
    names = []
    for name in sorted(plugins.operator_names()):
        if name in EXCLUDED_OPERATORS:
            continue
        if plugins.get_operator(name).arguments():
            raise MechanicalError(
                f"cosmic-ray operator {name} takes arguments; add it to EXCLUDED_OPERATORS "
                "with a reason, or give it fixed arguments"
            )
        names.append(name)
    return tuple(names)


def list_model_files(root: Path) -> tuple[str, ...]:
    """Every `.py` file of the tree's `model/` package, relative to `root`, sorted."""
    files = sorted(path.relative_to(root).as_posix() for path in (root / "model").rglob("*.py"))
    if not files:
        raise MechanicalError(f"{root} has no model/**/*.py to mutate")
    return tuple(files)


def enumerate_points(
    root: Path = REPO_ROOT,
    *,
    files: Sequence[str] | None = None,
    operators: Sequence[str] | None = None,
) -> tuple[MutationPoint, ...]:
    """Every mutation point of `files` (default: all of `model/`) under `operators` (default: all).

    The order is file, operator, occurrence; occurrences are counted in cosmic-ray's own walk
    order (its `init` command numbers them the same way), so `mutate_code` applies each one.
    """
    names = get_operator_names() if operators is None else tuple(operators)
    points = []
    for file in list_model_files(root) if files is None else files:
        nodes = list(ast_nodes(get_ast((root / file).read_text(encoding="utf-8"))))
        for name in names:
            operator = plugins.get_operator(name)()
            positions = (
                (start, end) for node in nodes for start, end in operator.mutation_positions(node)
            )
            for occurrence, (start, end) in enumerate(positions):
                points.append(MutationPoint(file, name, occurrence, tuple(start), tuple(end)))
    return tuple(points)


def find_points(ids: Iterable[str], root: Path = REPO_ROOT) -> tuple[MutationPoint, ...]:
    """The points named by `ids` (`file:operator:occurrence`), in the order given."""
    wanted = list(ids)
    files = sorted({mutant_id.split(":", 1)[0] for mutant_id in wanted})
    missing = [file for file in files if not (root / file).is_file()]
    if missing:
        raise MechanicalError(f"no such file in {root}: {', '.join(missing)}")
    by_id = {point.id: point for point in enumerate_points(root, files=files)}
    unknown = [mutant_id for mutant_id in wanted if mutant_id not in by_id]
    if unknown:
        raise MechanicalError(
            f"unknown mechanical mutant {', '.join(unknown)}; ids read "
            "model/FILE.py:OPERATOR:OCCURRENCE (see `--mechanical --list`)"
        )
    return tuple(by_id[mutant_id] for mutant_id in wanted)


# --- Making and judging one mutant ---------------------------------------------------------------


def mutate(original: str, point: MutationPoint) -> str | None:
    """The text cosmic-ray makes of `original` at `point` (None: no mutation there)."""
    operator = plugins.get_operator(point.operator)()
    mutated: str | None = mutate_code(original, operator, point.occurrence)
    if mutated is not None and point.operator == EXCEPTION_OPERATOR:
        mutated += EXCEPTION_CLASS
    return mutated


def make_mutant(
    point: MutationPoint,
    original: str,
    *,
    known: Sequence[KnownEquivalent] = KNOWN_EQUIVALENTS,
    index: CallIndex | None = None,
) -> MechanicalMutant:
    """Apply `point` to the file's text `original`, hash the result and say what it is (with
    `index`, the tree's call sites, also the equivalences proved from them)."""
    mutated = mutate(original, point)
    if mutated is None:
        return MechanicalMutant(point, "", Kind.INCOMPETENT, "cosmic-ray made no change", (), "")
    sha = hashlib.sha256(mutated.encode()).hexdigest()
    kind, reason = judge(original, mutated, point.file, index)
    if kind is Kind.RUNNABLE:
        for entry in known:
            if entry.id == point.id and sha.startswith(entry.sha):
                kind, reason = Kind.KNOWN_EQUIVALENT, entry.reason
    return MechanicalMutant(point, sha, kind, reason, get_diff(original, mutated), mutated)


def judge(
    original: str, mutated: str, filename: str, index: CallIndex | None = None
) -> tuple[Kind, str]:
    """Tell an incompetent or provably equivalent mutated text from one worth running."""
    if mutated == original:
        return Kind.SAME_BYTECODE, "the text is unchanged"
    # A mutant such as `x is not 33` draws a SyntaxWarning; it is judged, not reported, here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        try:
            mutated_code = compile(mutated, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            return Kind.INCOMPETENT, f"{type(error).__name__}: {error}"
        original_code = compile(original, filename, "exec", dont_inherit=True)
    if get_code_key(mutated_code) == get_code_key(original_code):
        return Kind.SAME_BYTECODE, "compiles to the same bytecode and constants as the original"
    if is_annotation_only(original, mutated):
        return Kind.ANNOTATION, (
            "changes a type annotation only; under `from __future__ import annotations` it is "
            "a string no rule evaluates (only trace files of a failure resolve hints)"
        )
    if index is not None and is_marker_swap_equivalent(original, mutated, index):
        return Kind.SIGNATURE, (
            "the keyword-only marker `*` becomes the positional-only `/`, and no call in the tree"
            " passes the parameters before it by keyword: every call behaves the same"
        )
    if index is not None and is_enum_identity_swap(original, mutated, index):
        return Kind.IDENTITY, (
            "`is` and `==` swapped against a member of a plain Enum, whose equality is identity"
        )
    return Kind.RUNNABLE, ""


def get_code_key(code: types.CodeType) -> tuple[object, ...]:
    """What a code object does, without where it is: no line table, no file name."""
    constants = tuple(
        get_code_key(constant)
        if isinstance(constant, types.CodeType)
        else (type(constant).__name__, repr(constant))
        for constant in code.co_consts
    )
    return (
        code.co_code,
        constants,
        code.co_names,
        code.co_varnames,
        code.co_freevars,
        code.co_cellvars,
        code.co_argcount,
        code.co_posonlyargcount,
        code.co_kwonlyargcount,
        code.co_flags,
        code.co_qualname,
        code.co_exceptiontable,
    )


def is_annotation_only(original: str, mutated: str) -> bool:
    """True when the two modules postpone annotations and differ in annotations alone."""
    original_tree, mutated_tree = ast.parse(original), ast.parse(mutated)
    if not (_postpones_annotations(original_tree) and _postpones_annotations(mutated_tree)):
        return False
    return ast.dump(_AnnotationEraser().visit(original_tree)) == ast.dump(
        _AnnotationEraser().visit(mutated_tree)
    )


def _postpones_annotations(tree: ast.Module) -> bool:
    return any(
        isinstance(statement, ast.ImportFrom)
        and statement.module == "__future__"
        and any(alias.name == "annotations" for alias in statement.names)
        for statement in tree.body
    )


class _AnnotationEraser(ast.NodeTransformer):
    """Replaces every annotation by a placeholder that keeps only what attrs reads of it."""

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.annotation = None
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.returns = None
        self.generic_visit(node)
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        node.returns = None
        self.generic_visit(node)
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        text = ast.unparse(node.annotation)
        node.annotation = ast.Constant("ClassVar" if text.startswith(CLASS_VARIABLE_HEADS) else "")
        self.generic_visit(node)
        return node


def get_diff(original: str, mutated: str) -> tuple[str, ...]:
    """The lines that differ: each original line with `-`, then each mutated line with `+`."""
    before, after = original.splitlines(), mutated.splitlines()
    lines: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            lines += [f"-{line}" for line in before[i1:i2]]
            lines += [f"+{line}" for line in after[j1:j2]]
    return tuple(lines)


class SourceCache:
    """Each file's text, read once per run (a sample touches the same files again and again)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._texts: dict[str, str] = {}
        self._index: CallIndex | None = None

    @property
    def index(self) -> CallIndex:
        """The tree's call sites and Enum classes, scanned once."""
        if self._index is None:
            self._index = CallIndex.of_tree(self.root)
        return self._index

    def __getitem__(self, file: str) -> str:
        if file not in self._texts:
            self._texts[file] = (self.root / file).read_text(encoding="utf-8")
        return self._texts[file]


def make_mutants(points: Iterable[MutationPoint], root: Path) -> tuple[MechanicalMutant, ...]:
    """Every point made concrete and judged (about 5 ms a mutant)."""
    sources = SourceCache(root)
    return tuple(make_mutant(point, sources[point.file], index=sources.index) for point in points)


# --- The sample ----------------------------------------------------------------------------------


def draw_sample(
    root: Path = REPO_ROOT,
    *,
    size: int = DEFAULT_SAMPLE,
    seed: int = 0,
    points: Sequence[MutationPoint] | None = None,
) -> Sample:
    """The first `size` mutants of a seeded shuffle of every point that are worth running.

    Incompetent and provably equivalent mutants are passed over (and returned apart), so the
    sample is a uniform draw from the mutants that can be judged. Known equivalents stay in it, so
    explaining a survivor later never changes which mutants a seed draws.
    """
    if size < 1:
        raise MechanicalError(f"the sample size must be at least 1, got {size}")
    everything = list(enumerate_points(root) if points is None else points)
    order = sorted(everything, key=lambda point: (point.file, point.operator, point.occurrence))
    random.Random(seed).shuffle(order)
    sources = SourceCache(root)
    chosen: list[MechanicalMutant] = []
    skipped: list[MechanicalMutant] = []
    for point in order:
        if len(chosen) == size:
            break
        mutant = make_mutant(point, sources[point.file], index=sources.index)
        (skipped if mutant.kind in STATIC_KINDS else chosen).append(mutant)
    return Sample(seed, tuple(chosen), tuple(skipped), len(everything))


def get_tree_digest(root: Path) -> str:
    """A hash of every file of `model/`: two trees with equal digests draw equal samples."""
    digest = hashlib.sha256()
    for file in list_model_files(root):
        digest.update(file.encode() + b"\0" + (root / file).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


# --- Running and reporting -----------------------------------------------------------------------


def run_sample(
    mutants: Sequence[MechanicalMutant],
    *,
    root: Path = REPO_ROOT,
    jobs: int = 1,
    effort: str = "quick",
    seed: int = 0,
    engines: Sequence[str] = ENGINES,
    timeout_seconds: float = DEFAULT_MECHANICAL_TIMEOUT_SECONDS,
    stdout: TextIO = sys.stdout,
) -> list[MechanicalResult]:
    """Check every runnable mutant on a copy of `root`; print a line each as it finishes."""
    results: dict[str, MechanicalResult] = {}
    for mutant in mutants:
        if mutant.kind is not Kind.RUNNABLE:
            results[mutant.id] = MechanicalResult(mutant, get_static_outcome(mutant))
            stdout.write(format_line(results[mutant.id]) + "\n")
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {
            pool.submit(
                check_mutant,
                mutant,
                root=root,
                effort=effort,
                seed=seed,
                engines=engines,
                timeout_seconds=timeout_seconds,
            ): mutant
            for mutant in mutants
            if mutant.kind is Kind.RUNNABLE
        }
        for future in as_completed(futures):
            mutant = futures[future]
            results[mutant.id] = future.result()
            stdout.write(format_line(results[mutant.id]) + "\n")
            stdout.flush()
    return [results[mutant.id] for mutant in mutants]


def format_line(result: MechanicalResult) -> str:
    """One line per mutant: outcome, location, id, then what killed it or what went wrong."""
    mutant = result.mutant
    head = f"{result.outcome.upper():<11} {mutant.location}  {mutant.id}"
    if result.result is None:
        return f"{head}  {mutant.reason}"
    if result.result.outcome is Outcome.KILLED:
        tail = "by " + ", ".join(
            f"{failure.invariant_id} ({', '.join(failure.engines)})"
            for failure in result.result.failures
        )
    elif result.result.outcome is Outcome.SURVIVED:
        tail = "no invariant failed"
    else:
        tail = result.result.detail
    return f"{head}  {tail}  [{result.result.seconds:.1f} s]"


def summarise(
    results: Sequence[MechanicalResult], sample: Sample, *, seconds: float, settings: dict[str, Any]
) -> dict[str, Any]:
    """Counts per outcome, the score and the survivors of one sample run."""
    counts = Counter(result.outcome for result in results)
    outcomes = [outcome.value for outcome in Outcome]
    crashed = sum(counts[name] for name in ("inconclusive", "timeout", "error"))
    scored = len(results) - counts["equivalent"] - counts["incompetent"]
    killed = counts[Outcome.KILLED.value]
    return {
        "tool": "cosmic-ray",
        "cosmic_ray_version": importlib.metadata.version("cosmic-ray"),
        "operators": len(get_operator_names()),
        "enumerated": sample.enumerated,
        "sampled": len(results),
        **{name: counts[name] for name in [*outcomes, "equivalent", "incompetent"]},
        "score": round(killed / scored, 4) if scored else 1.0,
        "score_counting_crashes": round((killed + crashed) / scored, 4) if scored else 1.0,
        "score_detected": _score_detected(counts),
        "survivors": [
            result.mutant.id for result in results if result.outcome == Outcome.SURVIVED.value
        ],
        "passed_over": dict(sorted(Counter(m.kind.value for m in sample.skipped).items())),
        "sample_digest": sample.digest,
        "seconds": round(seconds, 1),
        **settings,
    }


def _score_detected(counts: Counter[str]) -> float:
    """The mutation score as Stryker's mutation-testing-elements defines it: detected (killed,
    and timed out: a check that never ends fails any CI job with a time limit) over valid
    (detected and undetected: survived, and here inconclusive too). A run that crashed without a
    report (`error`, Stryker's runtime error) is left out, as are equivalent and incompetent
    mutants."""
    detected = counts[Outcome.KILLED.value] + counts[Outcome.TIMEOUT.value]
    undetected = counts[Outcome.SURVIVED.value] + counts[Outcome.INCONCLUSIVE.value]
    valid = detected + undetected
    return round(detected / valid, 4) if valid else 1.0


def result_document(result: MechanicalResult) -> dict[str, Any]:
    """One mutant in the JSON report: its stable name, the change and what the check said."""
    mutant = result.mutant
    document: dict[str, Any] = {
        "id": mutant.id,
        "file": mutant.point.file,
        "line": mutant.point.start[0],
        "operator": mutant.point.operator,
        "occurrence": mutant.point.occurrence,
        "sha": mutant.sha,
        "kind": mutant.kind.value,
        "outcome": result.outcome,
        "reason": mutant.reason,
        "diff": list(mutant.diff),
    }
    if result.result is not None:
        document.update(
            killed_by=list(result.result.killed_by),
            engines=list(result.result.engines),
            seconds=result.result.seconds,
            detail=result.result.detail,
            exit_code=result.result.exit_code,
        )
    return document


def format_survivors(results: Sequence[MechanicalResult]) -> list[str]:
    """Each survivor at `file:line`, with the lines it changes."""
    survivors = [result for result in results if result.outcome == Outcome.SURVIVED.value]
    lines = [f"Survivors ({len(survivors)}):"] if survivors else []
    for result in survivors:
        lines.append(f"  {result.mutant.location}  {result.mutant.id}")
        lines += [f"      {line.strip()[:1]} {line[1:].strip()}" for line in result.mutant.diff]
    return lines


def list_everything(root: Path) -> dict[str, Any]:
    """Every mutant of the tree judged statically: counts by kind, operator family and file."""
    mutants = make_mutants(enumerate_points(root), root)
    by_family: dict[str, Counter[str]] = {}
    for mutant in mutants:
        family = mutant.point.operator.removeprefix("core/").split("_")[0]
        by_family.setdefault(family, Counter())[mutant.kind.value] += 1
    return {
        "tree": str(root),
        "tree_digest": get_tree_digest(root),
        "cosmic_ray_version": importlib.metadata.version("cosmic-ray"),
        "operators": len(get_operator_names()),
        "excluded_operators": dict(EXCLUDED_OPERATORS),
        "files": len(list_model_files(root)),
        "mutants": len(mutants),
        "by_kind": dict(sorted(Counter(m.kind.value for m in mutants).items())),
        "by_family": {name: dict(sorted(c.items())) for name, c in sorted(by_family.items())},
        "by_file": dict(sorted(Counter(m.point.file for m in mutants).items())),
        "settled": [
            {"id": m.id, "sha": m.sha, "kind": m.kind.value, "reason": m.reason}
            for m in mutants
            if m.kind is not Kind.RUNNABLE
        ],
    }


def get_module_names(root: Path) -> tuple[str, ...]:
    """The dotted names of every module of the tree's `model/` package."""
    names = []
    for file in list_model_files(root):
        parts = file.removesuffix(".py").split("/")
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return tuple(names)


def find_import_failure(mutant: MechanicalMutant, root: Path) -> str:
    """Why the mutated model cannot be imported at all ("" when every module imports).

    A mutant that raises while its module loads (a type alias `A | B` turned into `A << B`) is
    code that cannot run, like a SyntaxError: no check result would say anything about the suite.
    """
    with tempfile.TemporaryDirectory(prefix="stratoverify-import-") as folder:
        copy = Path(folder)
        shutil.copytree(
            root / MUTATED_PACKAGE,
            copy / MUTATED_PACKAGE,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        (copy / mutant.point.file).write_text(mutant.source, encoding="utf-8")
        run = run_in_copy(
            copy,
            ["-c", IMPORT_PROBE, *get_module_names(copy)],
            timeout_seconds=IMPORT_TIMEOUT_SECONDS,
            python=sys.executable,
        )
    if run.exit_code is None:
        return f"importing the model did not finish in {IMPORT_TIMEOUT_SECONDS:.0f} s"
    try:
        probe = json.loads(run.stdout)
    except json.JSONDecodeError:
        return f"the import probe crashed: {run.stderr.strip()[-300:]}"
    if probe["outside"]:
        raise MechanicalError(
            f"the import probe loaded {probe['outside']} from outside its copy; "
            "an import failure there would not be the mutant's"
        )
    return str(probe["failure"])


def check_mutant(
    mutant: MechanicalMutant,
    *,
    root: Path,
    effort: str,
    seed: int,
    engines: Sequence[str],
    timeout_seconds: float,
) -> MechanicalResult:
    """Import the mutated model, then (if it imports) run the check on a copy of `root`."""
    failure = find_import_failure(mutant, root)
    if failure:
        judged = attrs.evolve(mutant, kind=Kind.INCOMPETENT, reason=f"fails at import: {failure}")
        return MechanicalResult(judged, "incompetent")
    result = run_mutant(
        MutatedFile(mutant.id, mutant.point.file, mutant.source),
        effort=effort,
        seed=seed,
        engines=engines,
        timeout_seconds=timeout_seconds,
        source=root,
    )
    return MechanicalResult(mutant, result.outcome.value, result)


# --- The command ---------------------------------------------------------------------------------


def main(
    *,
    root: Path,
    size: int,
    seed: int,
    check_seed: int,
    only: Sequence[str] | None,
    list_only: bool,
    jobs: int,
    effort: str,
    engines: Sequence[str],
    timeout_seconds: float,
    out: Path | None,
    stdout: TextIO = sys.stdout,
) -> int:
    """`python -m mutation --mechanical`: run a sample (or `only`) and report; see the module doc."""
    started = time.monotonic()
    if list_only:
        document = list_everything(root)
        if out is not None:
            out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        document.pop("settled")
        stdout.write(json.dumps(document) + "\n")
        return EXIT_DONE
    sample = select_sample(root, size=size, seed=seed, only=only)
    stdout.write(
        f"{len(sample.mutants)} mechanical mutants of {root / MUTATED_PACKAGE} "
        f"(seed {seed}, digest {sample.digest}; {len(sample.skipped)} passed over)\n"
    )
    stdout.flush()
    unmutated = run_mutant(
        None,
        effort=effort,
        seed=check_seed,
        engines=engines,
        timeout_seconds=timeout_seconds,
        source=root,
    )
    if not report_unmutated(unmutated, stdout):
        return EXIT_UNMUTATED_FAILS
    results = run_sample(
        sample.mutants,
        root=root,
        jobs=jobs,
        effort=effort,
        seed=check_seed,
        engines=engines,
        timeout_seconds=timeout_seconds,
        stdout=stdout,
    )
    settings = get_campaign_settings(
        root, seed=seed, check_seed=check_seed, effort=effort, engines=engines
    )
    settings = {**settings, "jobs": jobs, "timeout_seconds": timeout_seconds}
    return report_campaign(results, sample, settings, started=started, out=out, stdout=stdout)


def get_campaign_settings(
    root: Path, *, seed: int, check_seed: int, effort: str, engines: Sequence[str]
) -> dict[str, Any]:
    """What a campaign's report records of how it ran (the caller adds its own run settings)."""
    return {
        "tree": str(root),
        "tree_digest": get_tree_digest(root),
        "sample_seed": seed,
        "check_seed": check_seed,
        "effort": effort,
        "engines": list(engines),
    }


def select_sample(root: Path, *, size: int, seed: int, only: Sequence[str] | None) -> Sample:
    """The mutants `only` names, or a seeded sample of `size`."""
    if not only:
        return draw_sample(root, size=size, seed=seed)
    points = find_points(only, root)
    sources = SourceCache(root)
    mutants = tuple(
        make_mutant(point, sources[point.file], index=sources.index) for point in points
    )
    return Sample(seed, mutants, (), len(points))


def report_unmutated(unmutated: MutantResult, stdout: TextIO) -> bool:
    """Print the unmutated tree's check; whether it passes (else no mutant can be judged)."""
    verdict = "passes" if unmutated.outcome is Outcome.SURVIVED else unmutated.outcome.value
    stdout.write(f"UNMUTATED   {verdict}  [{unmutated.seconds:.1f} s]\n")
    if unmutated.outcome is Outcome.SURVIVED:
        return True
    stdout.write(
        f"the unmutated tree does not pass ({unmutated.outcome.value}: {unmutated.detail}); "
        "no mutant can be judged against it\n"
    )
    return False


def report_campaign(
    results: Sequence[MechanicalResult],
    sample: Sample,
    settings: dict[str, Any],
    *,
    started: float,
    out: Path | None,
    stdout: TextIO,
) -> int:
    """The summary line (and `out`'s report) of a finished campaign; its exit code."""
    summary = summarise(results, sample, seconds=time.monotonic() - started, settings=settings)
    if out is not None:
        document = {
            "summary": summary,
            "results": [result_document(result) for result in results],
            "passed_over": [
                result_document(MechanicalResult(mutant, get_static_outcome(mutant)))
                for mutant in sample.skipped
            ],
        }
        out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    for line in format_survivors(results):
        stdout.write(line + "\n")
    stdout.write(json.dumps(summary) + "\n")
    return EXIT_SURVIVORS if summary["survivors"] else EXIT_DONE


def get_static_outcome(mutant: MechanicalMutant) -> str:
    """The outcome of a mutant settled without running it."""
    return "incompetent" if mutant.kind is Kind.INCOMPETENT else "equivalent"
