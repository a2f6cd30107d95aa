"""The round search cut into parts merges to the report one search gives, counterexamples
included (a cluster runs the parts at once: sweep/shards.py)."""

from __future__ import annotations

import pytest

from model.params import WHITEPAPER_PARAMS
from model.profile import PROFILES
from properties.explore import (
    ExplorationBoundError,
    explore_part,
    explore_rounds,
    merge_exploration,
)


@pytest.mark.parametrize("profile_name", ["whitepaper", "hardened"])
def test_parts_merge_to_the_whole_search(profile_name: str) -> None:
    profile = PROFILES[profile_name]
    whole = explore_rounds(params=WHITEPAPER_PARAMS, profile=profile, max_nodes=2, seed=1)
    parts = [
        explore_part(
            params=WHITEPAPER_PARAMS, profile=profile, max_nodes=2, seed=1, part=k, parts=3
        )
        for k in range(3)
    ]
    # The parts share the work: none is empty and together they cover every state once.
    assert all(part.states > 0 for part in parts)
    assert sum(part.states for part in parts) == whole.states
    # In any order, the merge is the whole search, field for field.
    for ordered in (parts, parts[::-1]):
        assert merge_exploration(ordered, profile=profile, max_nodes=2) == whole
    if profile_name == "whitepaper":  # the literal text breaks a round invariant at two nodes
        assert any(row.counterexample is not None for row in whole.invariants)


def test_a_part_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ExplorationBoundError, match="part 3 of 3 does not exist"):
        explore_part(
            params=WHITEPAPER_PARAMS, profile=PROFILES["hardened"], max_nodes=1, part=3, parts=3
        )
