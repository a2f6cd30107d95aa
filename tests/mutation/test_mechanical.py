"""Mechanical mutants are enumerated, named and drawn reproducibly, and the trivial ones told apart.

Enumeration and sampling read the source only. The judging tests plant known cases in a scratch
tree (a constant cosmic-ray's mutation folds to the same bytecode, an annotation, a SyntaxError)
next to one that must run. One end-to-end test runs the Z3 engine alone on a mutant of the slash
decay formula, which the proofs read, after the unmutated copy passes.
"""

from __future__ import annotations

import ast
import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from mutation import mechanical
from mutation.__main__ import main
from mutation.harness import REPO_ROOT, MutationError, copy_tree, verify_isolation
from mutation.known import KNOWN_EQUIVALENTS, KnownEquivalent
from mutation.mechanical import (
    Kind,
    MutationPoint,
    _score_detected,
    draw_sample,
    enumerate_points,
    find_import_failure,
    find_points,
    get_operator_names,
    judge,
    list_model_files,
    make_mutant,
)

DECAY_BELOW_ZERO = "model/arith.py:NumberReplacer:3"
"""`alg.lit(0)` in `decayed_level` becomes `alg.lit( -1)`: the catalogue's M28, made by cosmic-ray."""
UNION_BROKEN = "model/chain/actions.py:ReplaceBinaryOperator_BitOr_LShift:5"
"""The `Action` union's `|` becomes `<<`, which raises TypeError while the module loads."""


@pytest.fixture(scope="module")
def points() -> tuple[MutationPoint, ...]:
    return enumerate_points(REPO_ROOT)


def make_tree(root: Path, source: str) -> str:
    """A scratch tree with one model module holding `source`; return that module's path."""
    (root / "model").mkdir()
    (root / "model" / "__init__.py").write_text("", encoding="utf-8")
    (root / "model" / "scratch.py").write_text(source, encoding="utf-8")
    return "model/scratch.py"


def mutant_of(
    root: Path, file: str, operator: str, occurrence: int = 0
) -> mechanical.MechanicalMutant:
    (point,) = [
        point
        for point in enumerate_points(root, files=[file], operators=[operator])
        if point.occurrence == occurrence
    ]
    return make_mutant(point, (root / file).read_text(encoding="utf-8"))


def has_mutable_syntax(path: Path) -> bool:
    """Whether any core operator has something to mutate in the file, read with `ast`."""
    kinds = (ast.BinOp, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.If, ast.For, ast.IfExp)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, kinds) or (isinstance(node, ast.Constant) and type(node.value) is int):
            return True
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.decorator_list:
            return True
    return False


# --- Enumeration ---------------------------------------------------------------------------------


def test_operators__core_set_without_the_unseeded_ones() -> None:
    names = get_operator_names()
    assert len(names) > 200 and names == tuple(sorted(names))
    assert "core/NumberReplacer" in names and "core/RemoveDecorator" in names
    assert not set(names) & set(mechanical.EXCLUDED_OPERATORS)
    assert "core/NoOp" not in names


@pytest.mark.slow
def test_enumeration_covers_every_model_file(points: tuple[MutationPoint, ...]) -> None:
    files = {path.relative_to(REPO_ROOT).as_posix() for path in (REPO_ROOT / "model").rglob("*.py")}
    assert set(list_model_files(REPO_ROOT)) == files
    # Every file with an operator, a number, a branch, a loop or a decorator holds points.
    mutated = {point.file for point in points}
    assert {file for file in files if has_mutable_syntax(REPO_ROOT / file)} == mutated
    assert len({point.id for point in points}) == len(points) > 5000


@pytest.mark.slow
def test_enumeration_is_deterministic(points: tuple[MutationPoint, ...]) -> None:
    files = ["model/slashing.py", "model/trusted/round.py"]
    again = enumerate_points(REPO_ROOT, files=files)
    assert again == tuple(point for point in points if point.file in files)
    assert again == enumerate_points(REPO_ROOT, files=files)


@pytest.mark.slow
def test_occurrences_match_cosmic_rays_own_numbering(points: tuple[MutationPoint, ...]) -> None:
    """The point's position is where `mutate_code` really changes the text."""
    (point,) = find_points([DECAY_BELOW_ZERO])
    assert point in points
    mutant = make_mutant(point, (REPO_ROOT / point.file).read_text(encoding="utf-8"))
    assert mutant.location == f"model/arith.py:{point.start[0]}"
    assert mutant.diff == (
        "-    return maximum(alg, alg.lit(0), alg.sub(level, expired))",
        "+    return maximum(alg, alg.lit( -1), alg.sub(level, expired))",
    )
    assert mutant.kind is Kind.RUNNABLE and len(mutant.sha) == 64


def test_find_points__invalid_id() -> None:
    with pytest.raises(mechanical.MechanicalError, match="unknown mechanical mutant"):
        find_points(["model/arith.py:NumberReplacer:99999"])


# --- The sample ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_sample_is_reproducible_for_a_seed(points: tuple[MutationPoint, ...]) -> None:
    first = draw_sample(REPO_ROOT, size=12, seed=0, points=points)
    again = draw_sample(REPO_ROOT, size=12, seed=0, points=tuple(reversed(points)))
    other = draw_sample(REPO_ROOT, size=12, seed=1, points=points)
    assert [(m.id, m.sha) for m in first.mutants] == [(m.id, m.sha) for m in again.mutants]
    assert first.digest == again.digest != other.digest
    assert len(first.mutants) == 12 and first.enumerated == len(points)
    # Passed-over mutants are the statically settled ones, and none of them is in the sample.
    assert all(m.kind in mechanical.STATIC_KINDS for m in first.skipped)
    assert all(m.kind not in mechanical.STATIC_KINDS for m in first.mutants)


# --- Judging before running ----------------------------------------------------------------------


def test_equivalent_by_bytecode(tmp_path: Path) -> None:
    """cosmic-ray turns `2 ** 1` into `2 * 1`; both fold to the constant 2."""
    file = make_tree(tmp_path, "WIDTH = 2 ** 1\nDEPTH = 2 ** 3\n")
    folded = mutant_of(tmp_path, file, "core/ReplaceBinaryOperator_Pow_Mul", 0)
    assert folded.diff == ("-WIDTH = 2 ** 1", "+WIDTH = 2 * 1")
    assert folded.kind is Kind.SAME_BYTECODE
    changed = mutant_of(tmp_path, file, "core/ReplaceBinaryOperator_Pow_Mul", 1)
    assert changed.kind is Kind.RUNNABLE


def test_equivalent_annotation_only(tmp_path: Path) -> None:
    source = (
        "from __future__ import annotations\n\n"
        "def pick(x: int | None, y: int) -> int:\n    return y | 1\n"
    )
    file = make_tree(tmp_path, source)
    annotation = mutant_of(tmp_path, file, "core/ReplaceBinaryOperator_BitOr_BitAnd", 0)
    assert annotation.kind is Kind.ANNOTATION
    body = mutant_of(tmp_path, file, "core/ReplaceBinaryOperator_BitOr_BitAnd", 1)
    assert body.kind is Kind.RUNNABLE


def test_annotation_evaluated_at_runtime_is_not_equivalent() -> None:
    """Without postponed annotations the changed hint is evaluated when the function is defined."""
    kind, _ = judge("def f(x: int | None): pass\n", "def f(x: int & None): pass\n", "f.py")
    assert kind is Kind.RUNNABLE


def test_incompetent_syntax_error(tmp_path: Path) -> None:
    file = make_tree(tmp_path, "MERGED = {**{}, 'k': 1}\n")
    broken = mutant_of(tmp_path, file, "core/ReplaceBinaryOperator_Pow_Add", 0)
    assert broken.diff == ("-MERGED = {**{}, 'k': 1}", "+MERGED = {+{}, 'k': 1}")
    assert broken.kind is Kind.INCOMPETENT and broken.reason.startswith("SyntaxError")


def test_incompetent_at_import() -> None:
    """A mutant that raises while its module loads is found before any check runs."""
    (point,) = find_points([UNION_BROKEN])
    mutant = make_mutant(point, (REPO_ROOT / point.file).read_text(encoding="utf-8"))
    assert mutant.kind is Kind.RUNNABLE
    failure = find_import_failure(mutant, REPO_ROOT)
    assert failure.startswith("model.chain.actions: TypeError")


@pytest.mark.slow
def test_known_equivalents_match_the_current_model() -> None:
    """Every entry of the table names a mutant of today's source, with the same text."""
    assert KNOWN_EQUIVALENTS
    for point in find_points([entry.id for entry in KNOWN_EQUIVALENTS]):
        mutant = make_mutant(point, (REPO_ROOT / point.file).read_text(encoding="utf-8"))
        assert mutant.kind is Kind.KNOWN_EQUIVALENT, point.id
        assert mutant.reason


def test_known_equivalent__stale_sha_is_ignored() -> None:
    entry = KNOWN_EQUIVALENTS[0]
    (point,) = find_points([entry.id])
    stale = (KnownEquivalent(entry.id, "000000000000", entry.reason),)
    source = (REPO_ROOT / point.file).read_text(encoding="utf-8")
    assert make_mutant(point, source, known=stale).kind is Kind.RUNNABLE


# --- Another tree ---------------------------------------------------------------------------------


def test_copy_of_an_older_tree_without_some_packages(tmp_path: Path) -> None:
    """A checkout from before `oracle/` existed is copied and probed without it."""
    source, copy = tmp_path / "source", tmp_path / "copy"
    shutil.copytree(REPO_ROOT / "model", source / "model")
    shutil.copy2(REPO_ROOT / "pyproject.toml", source / "pyproject.toml")
    copy.mkdir()
    copy_tree(source, copy)
    assert sorted(path.name for path in copy.iterdir()) == ["model", "pyproject.toml"]
    assert verify_isolation(copy) == {"model": str(copy / "model" / "__init__.py")}


def test_copy_tree__invalid_without_a_model(tmp_path: Path) -> None:
    with pytest.raises(MutationError, match="no model/ package"):
        copy_tree(tmp_path, tmp_path / "copy")


# --- End to end ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_main__mechanical_mutant_killed_after_unmutated_passes(tmp_path: Path) -> None:
    out = io.StringIO()
    report = tmp_path / "report.json"
    only = [DECAY_BELOW_ZERO, UNION_BROKEN, KNOWN_EQUIVALENTS[0].id]
    arguments = ["--mechanical", "--only", *only, "--engines", "z3", "--out", str(report)]
    assert main(arguments, stdout=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("UNMUTATED   passes")
    killed = [line for line in lines if line.startswith("KILLED")]
    assert len(killed) == 1 and DECAY_BELOW_ZERO in killed[0] and "SLASH-DECAY (z3)" in killed[0]
    summary = json.loads(lines[-1])
    assert (summary["killed"], summary["incompetent"], summary["equivalent"]) == (1, 1, 1)
    assert summary["score"] == 1.0 and summary["survivors"] == []
    document = json.loads(report.read_text(encoding="utf-8"))
    outcomes = {result["id"]: result["outcome"] for result in document["results"]}
    assert outcomes == {
        DECAY_BELOW_ZERO: "killed",
        UNION_BROKEN: "incompetent",
        KNOWN_EQUIVALENTS[0].id: "equivalent",
    }


def test_main__mechanical_invalid_usage() -> None:
    assert main(["--mechanical", "--only", "model/nowhere.py:NumberReplacer:0"]) == 2
    with pytest.raises(SystemExit):
        main(["--sample", "10"])


def test_score_detected__counts_timeouts_as_detected_and_leaves_errors_out() -> None:
    """Stryker's definition: (killed + timeout) / (killed + timeout + survived + inconclusive)."""
    counts = Counter({"killed": 6, "timeout": 2, "survived": 1, "inconclusive": 1, "error": 5})
    assert _score_detected(counts) == 0.8
    assert _score_detected(Counter({"error": 3})) == 1.0
