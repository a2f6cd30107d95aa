"""The equivalences proved from the source: a keyword-only marker no caller can tell from a
positional-only one, and `is`/`==` against a plain Enum member."""

from __future__ import annotations

from mutation.equivalence import CallIndex, is_enum_identity_swap, is_marker_swap_equivalent
from mutation.harness import REPO_ROOT
from mutation.mechanical import Kind, find_points, make_mutant

MODULE = """\
from enum import Enum, IntEnum


class Phase(Enum):
    COMMIT = "commit"


class Level(IntEnum):
    LOW = 0


def pay(ledger, amount, *, recipient):
    return ledger, amount, recipient


def is_commit(phase):
    return phase is Phase.COMMIT


def is_low(level):
    return level == Level.LOW


def is_zero(count):
    return count == 0
"""

SWAPPED = MODULE.replace(
    "def pay(ledger, amount, *, recipient)", "def pay(ledger, amount, /, recipient)"
)


def _index(*callers: str) -> CallIndex:
    return CallIndex.of_sources([MODULE, *callers])


def test_a_marker_swap__is_equivalent_when_every_caller_passes_by_position() -> None:
    index = _index("pay(book, 5, recipient='a')\nx = pay(book, amount, recipient=r)\n")
    assert is_marker_swap_equivalent(MODULE, SWAPPED, index)


def test_a_marker_swap__is_not_equivalent_when_a_caller_names_a_positional_parameter() -> None:
    index = _index("pay(book, amount=5, recipient='a')\n")
    assert not is_marker_swap_equivalent(MODULE, SWAPPED, index)


def test_a_marker_swap__is_not_equivalent_when_the_function_escapes() -> None:
    assert not is_marker_swap_equivalent(MODULE, SWAPPED, _index("handlers = {'pay': pay}\n"))
    assert not is_marker_swap_equivalent(MODULE, SWAPPED, _index("pay(*args, **options)\n"))


def test_a_marker_swap__with_another_change_is_not_equivalent() -> None:
    also = SWAPPED.replace("return ledger, amount, recipient", "return ledger, amount")
    assert not is_marker_swap_equivalent(MODULE, also, _index())


def test_is_and_eq_on_a_plain_enum_member__are_the_same() -> None:
    index = _index()
    eq = MODULE.replace("phase is Phase.COMMIT", "phase == Phase.COMMIT")
    assert is_enum_identity_swap(MODULE, eq, index)
    ne = MODULE.replace("phase is Phase.COMMIT", "phase is not Phase.COMMIT")
    assert not is_enum_identity_swap(MODULE, ne, index)


def test_is_and_eq__differ_on_an_int_enum_and_on_numbers() -> None:
    index = _index()
    assert not is_enum_identity_swap(
        MODULE, MODULE.replace("level == Level.LOW", "level is Level.LOW"), index
    )
    assert not is_enum_identity_swap(MODULE, MODULE.replace("count == 0", "count is 0"), index)


def test_the_models_marker_swaps_and_phase_tests__are_judged_statically() -> None:
    """On the real tree: a `*` made `/` in the staking module and the round's phase tests."""
    index = CallIndex.of_tree(REPO_ROOT)
    sources: dict[str, str] = {}
    kinds = {}
    for point in find_points(
        [
            "model/trusted/round.py:ReplaceComparisonOperator_IsNot_NotEq:0",
            "model/staking.py:ReplaceBinaryOperator_Mul_Div:3",
        ]
    ):
        source = sources.setdefault(
            point.file, (REPO_ROOT / point.file).read_text(encoding="utf-8")
        )
        kinds[point.id] = make_mutant(point, source, index=index).kind
    assert kinds == {
        "model/trusted/round.py:ReplaceComparisonOperator_IsNot_NotEq:0": Kind.IDENTITY,
        "model/staking.py:ReplaceBinaryOperator_Mul_Div:3": Kind.SIGNATURE,
    }
