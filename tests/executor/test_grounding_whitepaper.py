"""GROUNDED on more than a thousand generated calls under the whitepaper profile."""

from __future__ import annotations

import pytest
from executor_fixtures import no_orphan_nodes  # noqa: F401 - autouse: no node left behind
from thousand_calls import check_a_thousand_calls

from model.profile import WHITEPAPER


@pytest.mark.slow
def test_grounded_agrees_on_a_thousand_calls() -> None:
    check_a_thousand_calls(WHITEPAPER)
