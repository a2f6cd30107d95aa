"""The traceability matrix: complete, resolvable, backing every catalogue claim, and the same as
docs/traceability.md."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from properties.catalogue import INVARIANT_IDS, Engine
from properties.machine import CHECKED_BY_MACHINE
from properties.model_rules import MODEL_RULES
from properties.traceability import (
    DOC_PATH,
    ENGINE_LETTERS,
    REGENERATE_COMMAND,
    ROOT,
    CodeRef,
    TraceabilityError,
    TraceRow,
    build_matrix,
    find_machine_invariants,
    find_test_files,
    get_summary,
    render_matrix_markdown,
    resolve_model_rule,
)

RULE_NAMES = sorted((key, name) for key, names in MODEL_RULES.items() for name in names)


@pytest.fixture(scope="module")
def matrix() -> tuple[TraceRow, ...]:
    """The matrix, built once for the module (it scans the model, the tests and the docs)."""
    return build_matrix()


@pytest.fixture(scope="module")
def rows(matrix: tuple[TraceRow, ...]) -> dict[str, TraceRow]:
    return {row.invariant_id: row for row in matrix}


def _letters(engines: frozenset[Engine]) -> str:
    return " ".join(letter for engine, letter in ENGINE_LETTERS.items() if engine in engines)


def test_every_catalogue_id_has_one_row_in_catalogue_order(matrix: tuple[TraceRow, ...]) -> None:
    assert [row.invariant_id for row in matrix] == list(INVARIANT_IDS)


def test_model_rules_name_one_to_four_functions_for_every_catalogue_id() -> None:
    assert set(MODEL_RULES) == set(INVARIANT_IDS)
    for key, names in MODEL_RULES.items():
        assert 1 <= len(names) <= 4, key
        assert len(set(names)) == len(names), key


@pytest.mark.parametrize(("key", "name"), RULE_NAMES, ids=[f"{k}:{n}" for k, n in RULE_NAMES])
def test_model_rule_resolves_to_a_model_callable(key: str, name: str) -> None:
    module_name, _, attribute = name.rpartition(".")
    assert module_name.startswith("model."), f"{key}: {name} is not in model/"
    target = getattr(importlib.import_module(module_name), attribute)
    assert callable(target), f"{key}: {name} is not callable"
    assert resolve_model_rule(name).path.startswith("model/")


def test_resolving_refuses_re_exports_and_names_outside_the_model() -> None:
    """A re-export would link to the wrong file; a name outside model/ is not a rule."""
    with pytest.raises(TraceabilityError, match="not a function defined in"):
        resolve_model_rule("model.slashing.process_burn")
    with pytest.raises(TraceabilityError, match="model package"):
        resolve_model_rule("properties.catalogue.get_invariant")
    with pytest.raises(TraceabilityError, match="does not resolve"):
        resolve_model_rule("model.slashing.no_such_rule")


@pytest.mark.parametrize("key", INVARIANT_IDS)
def test_engines_the_catalogue_claims_are_the_engines_found(
    key: str, rows: dict[str, TraceRow]
) -> None:
    """Z needs a proof builder, X an executor check, H a machine invariant or the round
    exploration; and an engine found checking an ID must be claimed for it."""
    row = rows[key]
    claimed, found = _letters(row.engines), _letters(row.found_engines())
    assert claimed == found, f"{key}: the catalogue claims {claimed!r}, the code checks {found!r}"


def test_introspected_machine_invariants_match_the_machines_own_map() -> None:
    found = {
        key: tuple(ref.dotted.rsplit(".", 1)[1] for ref in refs)
        for key, refs in find_machine_invariants().items()
    }
    assert found == {key: (method,) for key, method in CHECKED_BY_MACHINE.items()}


@pytest.mark.parametrize("key", INVARIANT_IDS)
def test_every_machine_invariant_has_a_checker(key: str, rows: dict[str, TraceRow]) -> None:
    """A machine invariant with no checker observing its ID would always be vacuous."""
    row = rows[key]
    if row.machine_invariants:
        assert row.checkers, f"{key}: no function in properties/invariants/ observes it"


@pytest.mark.parametrize("key", INVARIANT_IDS)
def test_every_id_is_named_by_a_test_file(key: str, rows: dict[str, TraceRow]) -> None:
    assert rows[key].test_files, f"{key}: no file under tests/ names it"


def test_the_test_scan_matches_whole_ids_only(tmp_path: Path) -> None:
    key = INVARIANT_IDS[0]
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_longer.py").write_text(f'"{key}X {key}-2 X{key}"\n', encoding="utf-8")
    (tests / "test_exact.py").write_text(f'check("{key}")\n', encoding="utf-8")
    assert find_test_files([key], root=tmp_path) == {key: ("tests/test_exact.py",)}


@pytest.mark.slow
def test_the_doc_is_the_generated_matrix(matrix: tuple[TraceRow, ...]) -> None:
    generated = render_matrix_markdown(matrix)
    path = ROOT / DOC_PATH
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    assert current == generated, f"{DOC_PATH} is stale; regenerate it with: {REGENERATE_COMMAND}"


@pytest.mark.slow
def test_rendering_is_deterministic(matrix: tuple[TraceRow, ...]) -> None:
    """A second build, from scratch, renders the same as the module's."""
    assert render_matrix_markdown(build_matrix()) == render_matrix_markdown(matrix)


def test_every_check_says_in_its_docstring_which_id_it_checks(rows: dict[str, TraceRow]) -> None:
    """One ID, one meaning: each checker, proof and executor check names the ID it establishes in
    the first paragraph of its docstring, which docs/traceability.md quotes as how it is checked
    (GROUNDED's comparison covers the whole record and is named by the catalogue)."""
    unnamed = []
    for key, row in rows.items():
        refs = [*row.checkers, *(ref for ref in (row.proof, row.executor_check) if ref)]
        for ref in refs:
            if key != "GROUNDED" and key not in get_summary(ref):
                unnamed.append(f"{key}: {ref.dotted}")
    assert unnamed == []


def test_a_check_without_a_docstring_is_refused() -> None:
    ref = CodeRef("properties.traceability.get_code_ref", "properties/traceability.py")
    assert get_summary(ref)  # documented helper: fine
    with pytest.raises(TraceabilityError, match="no docstring"):
        get_summary(CodeRef("properties.traceability.no_such_function", "x.py"))
