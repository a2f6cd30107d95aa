"""Scheduling of the test files over pytest-xdist's workers.

Each test file runs whole on one worker (`--dist loadfile`, pyproject.toml), so a module's shared
fixture is built once. The files that take longest go first, so no worker is left with a long
file when the other has finished: `LONGEST_FIRST` lists them by the time their tests took on the
project's 2-core machine, longest first; every other file follows in the usual order. It changes
only the order, never what runs.
"""

from __future__ import annotations

import os

import pytest

# No test reads or writes the example database unless it says so (tests/sweep/test_database.py):
# a database shared by every test would let one test's failures be replayed first by another, and
# a report would then depend on which tests ran before it. Child processes inherit this.
os.environ["STRATOVERIFY_DATABASE"] = "off"

LONGEST_FIRST = (
    "tests/reports/test_cli_check_failing.py",
    "tests/reports/test_cli_several.py",
    "tests/reports/test_action.py",
    "tests/reports/test_cli_check.py",
    "tests/executor/test_grounding.py",
    "tests/executor/test_grounding_whitepaper.py",
    "tests/packaging/test_wheel.py",
    "tests/solver/test_recheck.py",
    "tests/reports/test_cli_check_shapes.py",
    "tests/solver/test_region.py",
    "tests/executor/test_grounding_hardened.py",
    "tests/properties/test_runner.py",
    "tests/reports/test_cli_diff.py",
    "tests/reports/test_region_cli.py",
    "tests/reports/test_check_keys.py",
    "tests/mutation/test_mechanical.py",
    "tests/solver/test_gov_safe.py",
    "tests/reports/test_unsafe_proposals.py",
    "tests/sweep/test_cluster.py",
    "tests/sweep/test_database.py",
    "tests/mutation/test_distributed.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, in `LONGEST_FIRST`'s order; the rest keep theirs."""
    rank = {path: index for index, path in enumerate(LONGEST_FIRST)}
    last = len(LONGEST_FIRST)
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], last))
