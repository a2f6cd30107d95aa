"""Breaks of the app-layer validators (§3.3 Steps 10-12, §4.3.2) for the broken-model tables."""

from __future__ import annotations

from typing import Any

import pytest
from broken_fixtures import replace_rule
from broken_rules import DEFAULTS

from model.params import Params
from model.profile import Profile
from model.trusted import validation


def committee_count_ignored(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The committee is every eligible validator, whatever count the developer set."""
    real = validation.process_select_committee

    def broken(plans: Any, *, count: int | None, **kwargs: Any) -> Any:
        return real(plans, count=None, **kwargs)

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS


def validator_votes_at_half(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A validator vote passes with half of the committee, not more than 2/3."""
    real = validation.is_validator_supermajority

    def broken(votes: int, committee: int, params: Params) -> bool:
        return 2 * votes >= committee

    replace_rule(monkeypatch, real, broken)
    return DEFAULTS
