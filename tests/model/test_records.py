"""`model.records.evolve` gives what `attrs.evolve` gives, validators and errors included."""

from __future__ import annotations

import attrs
import pytest

from model.chain.state import APPS, Genesis, create_chain
from model.ledger import Balance, Ledger
from model.params import WHITEPAPER_PARAMS, OutOfDomainError
from model.profile import HARDENED
from model.records import evolve
from model.slashing import SlashingState
from model.units import Rejected


def test_same_record_as_attrs_evolve() -> None:
    state = create_chain(
        Genesis((1, 2, 3), (0, 0, 0), (5,), (7,), developer_ustr=10),
        params=WHITEPAPER_PARAMS,
        profile=HARDENED,
    )
    assert not isinstance(state, Rejected)
    for record, changes in (
        (state, {"now": 5, "height": 2}),
        (state.ledger, {"str_burned": 3}),
        (Balance(1, 2), {"ustr": 4, "ustb": 5}),
        (SlashingState(), {"records": state.slashing.records}),
        (state.escrows.escrows[APPS[0]], {"str_price": None}),
    ):
        assert evolve(record, **changes) == attrs.evolve(record, **changes)
        assert type(evolve(record, **changes)) is type(record)


def test_unknown_field__type_error() -> None:
    with pytest.raises(TypeError):
        evolve(Ledger(), balance=1)  # type: ignore[call-arg]


def test_validators_run() -> None:
    with pytest.raises(OutOfDomainError):
        evolve(WHITEPAPER_PARAMS.payment, payment_rate_bps=-1)
