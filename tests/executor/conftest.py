"""Every executor test leaves no node process behind: checked after each test and at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from executor.pool import get_live_groups


@pytest.fixture(autouse=True)
def no_orphan_nodes() -> Iterator[None]:
    """After the test, no process group the executor started has a process left in it."""
    yield
    assert get_live_groups() == []
