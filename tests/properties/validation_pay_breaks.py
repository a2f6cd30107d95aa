"""Broken models aimed at VAL-PAY and PAY-EXTERNAL, for `test_broken_models.py`."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from broken_fixtures import APP, plan, replace_rule
from broken_rules import P

from model import arith, reputation
from model.chain.actions import Action, OutboundRequest, RunRound, SetAppValidatorCount
from model.chain.state import get_developer
from model.params import Params
from model.profile import HARDENED, Profile
from model.units import Rejected

PREFUNDED: tuple[Action, ...] = (
    SetAppValidatorCount(APP, get_developer(APP), 3),
    RunRound(APP, tuple(plan(i) for i in range(3)), 0, True, 30_000),
)
"""A committee of three and a no-cost round prefunding 30,000 ustr of validation."""
PAID_CALL: tuple[Action, ...] = (OutboundRequest(APP, Fraction(1), plan(0).node),)
"""One outbound request made by node 0, paid from app-0's escrow."""


def validators_paid_prefund_minus_count(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Params, Profile]:
    """Each selected validator is paid prefund - count where §4.4 divides: prefund // count."""

    def broken(alg: Any, prefund: int, count: int) -> Any:
        each = prefund - count
        return arith.ShareTerms(each=each, remainder=prefund - each * count)

    replace_rule(monkeypatch, arith.divide_validation_payment, broken)
    return P, HARDENED


def external_request_paid_twice(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """An outbound request moves the base payout to its node twice."""
    real = reputation.process_external_request_payout

    def broken(ledger: Any, **kwargs: Any) -> Any:
        once = real(ledger, **kwargs)
        return once if isinstance(once, Rejected) else real(once[0], **kwargs)

    replace_rule(monkeypatch, real, broken)
    return P, HARDENED
