"""The executor's own books: each amount read from the whitepaper, and each catches a wrong model.

The first half runs the books alone: §6.3.3's example, the deposit-weighted STR price, the §4.4
validation fee with its remainder and its floor, the §6.10 schedule, the §3.4 track records. The
second half runs real calls and breaks one of the model's money rules at a time (the split, the
slash rate, the escrow's price, the validators' share, the track record): the executor, which
never calls the model, disagrees, and GROUNDED names the field; the model as it is agrees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import attrs
import pytest
from executor_fixtures import (
    no_orphan_nodes,  # noqa: F401 - autouse: no node left behind
    predict_run,
)

import model.arith
import model.escrow
import model.payment
import model.slashing
import model.trusted.settlement
from executor.books import Books, SettlementRefusedError, rank_validators
from executor.checks import check_act_round
from executor.engine import CallRun, Executor
from executor.fixed_calls import get_money_calls
from executor.grounding import GROUNDED, compare, run_executor, settled_rounds
from executor.records import Deposit, Funding, NodeTrack, Reputation, get_validator_account
from executor.scenario import CallRecord, TrustedCall
from model.ledger import BURN_ADDRESS, NETWORK_SUPPORT, NODE_STAKE_POOL, SWAP_RESERVE
from model.params import WHITEPAPER_PARAMS, Params
from model.profile import HARDENED, WHITEPAPER, Profile
from model.reputation import RoundParticipation
from model.trusted.settlement import TokenMovement
from model.units import AppId
from oracle.payment import GOLDEN_VECTOR, MICRO

APP = AppId("app")
ESCROW, LOCKED = "escrow:app", "escrow-locked:app"
MONEY_CALLS = get_money_calls(WHITEPAPER_PARAMS)
TOPPED_UP, DRAWN = MONEY_CALLS


def make_books(
    *deposits: Deposit,
    stakes: dict[str, int] | None = None,
    params: Params = WHITEPAPER_PARAMS,
    profile: Profile = HARDENED,
) -> Books:
    funding = Funding(deposits=deposits or (Deposit(10**15, 10**15, Fraction(1, 2)),))
    books = Books(app=APP, funding=funding, stakes=stakes or {}, params=params, profile=profile)
    books.open_settlement()
    return books


def moved(books: Books) -> dict[tuple[str, str], int]:
    return {(m.account, m.token): m.delta for m in books.movements()}


# --- The books alone ----------------------------------------------------------------------------


def test_payment_example_of_the_whitepaper() -> None:
    """§6.3.3: a $100 cost at 2x and $1 per STR: 120 STB and $80 of STR leave the escrow; the
    node gets 110 STB and $40 of STR; 10 STB to the swap reserve; $20 each to support and burn."""
    books = make_books(Deposit(10**15, 10**15, Fraction(1)))
    books.pay("n0", GOLDEN_VECTOR.cost_usd * MICRO)
    v = GOLDEN_VECTOR
    assert moved(books) == {
        (ESCROW, "stb"): -v.stb_withdrawn * MICRO,
        (ESCROW, "str"): -v.str_withdrawn_usd * MICRO,
        ("acct-n0", "stb"): v.node_stb * MICRO,
        ("acct-n0", "str"): v.node_str_usd * MICRO,
        (str(SWAP_RESERVE), "stb"): v.split.stb_swap_reserve * MICRO,
        (str(NETWORK_SUPPORT), "str"): v.split.str_network_support_usd * MICRO,
        (str(BURN_ADDRESS), "str"): v.split.str_burn_usd * MICRO,
    }


def test_str_is_valued_at_the_deposit_weighted_price() -> None:
    """§6.3.3: 100 STR deposited at $0.50 and 300 at $1.50 are worth $1.25 each on average, so
    the $80 of STR of a $100 cost is 64 STR, not 160 (first price) or 53.3 (last price)."""
    books = make_books(
        Deposit(10**15, 100 * MICRO, Fraction(1, 2)), Deposit(0, 300 * MICRO, Fraction(3, 2))
    )
    assert books.price == Fraction(5, 4)
    books.pay("n0", 100 * MICRO)
    assert moved(books)[(ESCROW, "str")] == -64 * MICRO
    assert moved(books)[("acct-n0", "str")] == 32 * MICRO


def test_a_deposit_without_str_keeps_the_price() -> None:
    books = make_books(Deposit(10**15, 10**15, Fraction(3, 7)), Deposit(10**9, 0, Fraction(9)))
    assert books.price == Fraction(3, 7)


def test_the_node_absorbs_the_conversion_dust() -> None:
    """At $7/3 per STR no part converts exactly: burn and support are rounded down, the node
    takes what is left of the STR withdrawn."""
    books = make_books(Deposit(10**15, 10**15, Fraction(7, 3)))
    books.pay("n0", 100 * MICRO)
    m = moved(books)
    total = 80 * MICRO * 3 // 7
    part = 20 * MICRO * 3 // 7
    assert (m[(str(BURN_ADDRESS), "str")], m[(str(NETWORK_SUPPORT), "str")]) == (part, part)
    assert m[("acct-n0", "str")] == total - 2 * part > 40 * MICRO * 3 // 7
    assert -m[(ESCROW, "str")] == total


def test_a_locked_payment_holds_every_counted_nodes_share() -> None:
    books = make_books(Deposit(10**15, 10**15, Fraction(1)))
    books.lock(("n0", "n1", "n2"), 100 * MICRO)
    assert moved(books) == {
        (ESCROW, "stb"): -3 * 120 * MICRO,
        (ESCROW, "str"): -3 * 80 * MICRO,
        (LOCKED, "stb"): 3 * 120 * MICRO,
        (LOCKED, "str"): 3 * 80 * MICRO,
    }


def test_an_escrow_that_cannot_cover_a_payment_refuses_it() -> None:
    books = make_books(Deposit(10**15, 79 * MICRO, Fraction(1)))
    with pytest.raises(SettlementRefusedError, match="withdraws"):
        books.pay("n0", 100 * MICRO)
    assert books.movements() == ()


def test_incoherent_shares_refuse_the_payment() -> None:
    payment = attrs.evolve(WHITEPAPER_PARAMS.payment, str_burn_bps=3500)
    books = make_books(params=attrs.evolve(WHITEPAPER_PARAMS, payment=payment))
    with pytest.raises(SettlementRefusedError, match="negative part"):
        books.pay("n0", 100 * MICRO)


def test_validators_share_the_prefund_and_the_remainder_stays() -> None:
    """§4.4: 10 ustr among 3 validators is 3 each; 1 ustr stays in the escrow."""
    books = make_books()
    validators = tuple(get_validator_account(i) for i in range(3))
    share = books.pay_validators(10, validators, round_id=2)
    assert share is not None
    assert (share.each_ustr, share.remainder_ustr, share.selected) == (3, 1, share.selected)
    assert sorted(share.selected) == sorted(validators)
    assert moved(books) == {(ESCROW, "str"): -9, **{(str(v), "str"): 3 for v in validators}}


def test_a_prefund_under_the_floor_pays_a_drawn_few() -> None:
    """§4.4: 3 ustr cannot pay 4 validators the floor of 1; three of them, drawn, get 1 each."""
    books = make_books()
    validators = tuple(get_validator_account(i) for i in range(4))
    share = books.pay_validators(3, validators, round_id=2)
    assert share is not None
    assert share.each_ustr == 1 and share.remainder_ustr == 0
    assert share.selected == rank_validators(validators, 2)[:3]
    assert len(set(share.selected)) == 3
    assert moved(books)[(ESCROW, "str")] == -3


def test_a_prefund_nobody_can_take_is_refused() -> None:
    books = make_books()
    with pytest.raises(SettlementRefusedError, match="pays none"):
        books.pay_validators(5, (), round_id=2)
    assert books.pay_validators(0, (), round_id=2) is None


def test_slash_rate_doubles_within_a_window_and_decays_after() -> None:
    """§6.10: 5%, then 10% within the window; one expired window lowers the level by one."""
    books = make_books(stakes={"n0": 10_000})
    window = WHITEPAPER_PARAMS.slashing.slash_window_seconds
    first, second = books.slash("n0", now=10), books.slash("n0", now=20)
    assert (first.rate_bps, first.requested_ustr, first.burned_ustr) == (500, 500, 500)
    assert (second.rate_bps, second.burned_ustr) == (1000, 950)
    third = books.slash("n0", now=20 + window)
    assert third.rate_bps == 1000  # level 2 decayed to 1
    assert moved(books) == {
        (str(NODE_STAKE_POOL), "str"): -(500 + 950 + third.burned_ustr),
        (str(BURN_ADDRESS), "str"): 500 + 950 + third.burned_ustr,
    }


@pytest.mark.parametrize(
    ("profile", "rate"), [(HARDENED, 10_000), (WHITEPAPER, 16_000)], ids=["hardened", "whitepaper"]
)
def test_sixth_slash_is_capped_only_under_the_hardened_reading(profile: Profile, rate: int) -> None:
    """5%, 10%, 20%, 40%, 80%, then 160% (the literal text) or the 100% cap."""
    books = make_books(stakes={"n0": 1_000}, profile=profile)
    rates = [books.slash("n0", now=now).rate_bps for now in range(5)]
    assert rates == [500, 1000, 2000, 4000, 8000]
    before = books.stakes["n0"]
    sixth = books.slash("n0", now=5)
    assert sixth.rate_bps == rate
    # Past 100% the text asks for more than the stake; only the stake is burned.
    assert sixth.requested_ustr == before * rate // 10_000
    assert sixth.burned_ustr == min(sixth.requested_ustr, before) == before
    assert books.stakes["n0"] == 0


def test_track_records_of_a_true_round() -> None:
    """§3.4: the supermajority in, the other counted nodes out, a mismatch out, the silent
    absent; a node sent a wrong salt gets no entry and the app a complaint (§3.5.2)."""
    books = make_books()
    books.record_round(
        assigned=("n0", "n1", "n2", "n3", "n4", "n5"),
        abstained=frozenset({"n5"}),
        committed=frozenset({"n0", "n1", "n2", "n3"}),
        consensus=True,
        supermajority=("n0", "n1"),
        counted=("n0", "n1", "n2"),
        mismatched=("n3",),
        app_withheld_salts=False,
    )
    assert books.reputation() == Reputation(
        nodes=(
            NodeTrack("n0", 1, 1, 0, 0),
            NodeTrack("n1", 1, 1, 0, 0),
            NodeTrack("n2", 1, 0, 1, 0),
            NodeTrack("n3", 1, 0, 1, 0),
            NodeTrack("n4", 1, 0, 0, 1),
        ),
        app_complaints=(("app", 1),),
    )


def test_track_records_of_a_false_and_a_stalled_round() -> None:
    """On FALSE the counted nodes were in no TRUE operation: no entry. A round the app stalled
    at F6 gives its committed nodes no entry and the app a complaint."""
    books = make_books()
    books.record_round(
        assigned=("n0", "n1", "n2"),
        abstained=frozenset(),
        committed=frozenset({"n0", "n1"}),
        consensus=False,
        supermajority=(),
        counted=("n0", "n1"),
        mismatched=(),
        app_withheld_salts=False,
    )
    books.record_round(
        assigned=("n0", "n1", "n2"),
        abstained=frozenset(),
        committed=frozenset({"n0", "n1"}),
        consensus=False,
        supermajority=(),
        counted=(),
        mismatched=(),
        app_withheld_salts=True,
    )
    assert books.reputation() == Reputation(
        nodes=(NodeTrack("n2", 2, 0, 0, 2),), app_complaints=(("app", 1),)
    )


# --- Real calls against a model broken one money rule at a time --------------------------------


@pytest.fixture(scope="module")
def money_runs() -> Iterator[dict[str, tuple[TrustedCall, CallRun]]]:
    """Both money calls run once with real processes under the hardened reading."""
    runs = {}
    with Executor() as executor:
        for name, call in (("topped-up", TOPPED_UP), ("drawn", DRAWN)):
            runs[name] = (call, executor.run_call(call, params=WHITEPAPER_PARAMS, profile=HARDENED))
    yield runs


def differences(run: tuple[TrustedCall, CallRun]) -> tuple[str, ...]:
    call, call_run = run
    return compare(call_run.record, predict_run(call, call_run, WHITEPAPER_PARAMS, HARDENED))


def test_the_money_calls_reach_their_edges(
    money_runs: dict[str, tuple[TrustedCall, CallRun]],
) -> None:
    """The topped-up call pays three nodes at the weighted price, slashes n3 and leaves one ustr
    of the prefund; the drawn call pays three of four validators."""
    topped = money_runs["topped-up"][1].record.main
    drawn = money_runs["drawn"][1].record.main
    assert topped is not None and drawn is not None
    assert topped.paid == ("n0", "n1", "n2") and topped.cost > 0
    assert [s.node for s in topped.slashed] == ["n3"]
    paid_validators = [m for m in drawn.movements if m.account.startswith("validator-")]
    assert len(paid_validators) == 3 and {m.delta for m in paid_validators} == {1}
    topped_validators = [m for m in topped.movements if m.account.startswith("validator-")]
    assert {m.delta for m in topped_validators} == {(10**6 + 1) // 3}


def test_the_model_as_it_is_agrees(money_runs: dict[str, tuple[TrustedCall, CallRun]]) -> None:
    for run in money_runs.values():
        assert differences(run) == ()
        for settled in settled_rounds(run[1], run[0], WHITEPAPER_PARAMS, HARDENED):
            observation = check_act_round(settled)
            assert observation is not None and observation.holds, observation


def _wrong_split(cost: int, params: Params) -> Any:
    """The split with the burn and network support parts swapped for more to the burn."""
    split = ORIGINAL["split"](cost, params)
    return attrs.evolve(
        split,
        str_burn_usd=split.str_burn_usd + 1,
        str_network_support_usd=split.str_network_support_usd - 1,
    )


def _doubled_rate(*args: Any, **kwargs: Any) -> Any:
    result = ORIGINAL["slash"](*args, **kwargs)
    slashing, rate = result
    return slashing, rate * 2


def _last_price(held: int, old: Any, deposit: int, price: Fraction) -> Fraction:
    return price


def _one_more_validator(alg: Any, prefund: int, count: int) -> Any:
    return ORIGINAL["share"](alg, prefund, count + 1)


def _mismatch_as_absent(state: Any, node: Any) -> Any:
    participation = ORIGINAL["participation"](state, node)
    decision = state.decision
    if decision is not None and node in decision.mismatched:
        return RoundParticipation.ABSENT
    return participation


ORIGINAL: dict[str, Callable[..., Any]] = {
    "split": model.payment.compute_payment_split,
    "slash": model.slashing.process_slash_offender,
    "price": model.escrow.compute_average_price,
    "share": model.arith.divide_validation_payment,
    "participation": model.trusted.settlement.get_participation,
}

BREAKS = {
    "wrong split": (model.escrow, "compute_payment_split", _wrong_split, "topped-up"),
    "wrong slash rate": (
        model.trusted.settlement,
        "process_slash_offender",
        _doubled_rate,
        "topped-up",
    ),
    "last price, not weighted": (model.escrow, "compute_average_price", _last_price, "topped-up"),
    "wrong prefund share": (model.arith, "divide_validation_payment", _one_more_validator, "drawn"),
    "mismatch recorded absent": (
        model.trusted.settlement,
        "get_participation",
        _mismatch_as_absent,
        "topped-up",
    ),
}
EXPECTED_FIELD = {
    "wrong split": "main.movements",
    "wrong slash rate": "main.slashed",
    "last price, not weighted": "main.movements",
    "wrong prefund share": "main.movements",
    "mismatch recorded absent": "reputation.nodes",
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_a_model_with_wrong_money_is_caught(
    name: str,
    money_runs: dict[str, tuple[TrustedCall, CallRun]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The executor's books never call the model, so breaking the model's rule changes only the
    prediction, and GROUNDED reports the field it changed."""
    module, attribute, wrong, which = BREAKS[name]
    monkeypatch.setattr(module, attribute, wrong)
    found = differences(money_runs[which])
    assert any(d.startswith(EXPECTED_FIELD[name]) for d in found), found


def test_a_wrong_prefund_share_fails_the_engine_with_a_counterexample(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The engine itself: the money calls run first, so a model that shares the prefund among
    one validator too many fails GROUNDED on a small run, the call as its counterexample."""
    monkeypatch.setattr(model.arith, "divide_validation_payment", _one_more_validator)
    run = run_executor(
        WHITEPAPER_PARAMS, HARDENED, "quick", seed=0, max_examples=10, shrink_budget=5
    )
    grounded = next(r for r in run.results if r.invariant_id == GROUNDED)
    assert grounded.verdict == "fail" and grounded.counterexample is not None
    assert "main.movements" in grounded.counterexample.detail
    assert grounded.counterexample.call.funding.prefund_ustr > 0
    assert "validation prefund" in grounded.counterexample.description
    act = next(r for r in run.results if r.invariant_id == "ACT-ROUND")
    assert act.verdict == "pass", "the executor's own settlement keeps the contract"


def test_act_round_catches_a_settlement_that_pays_a_validator_too_much(
    money_runs: dict[str, tuple[TrustedCall, CallRun]],
) -> None:
    call, call_run = money_runs["topped-up"]
    settled = settled_rounds(call_run, call, WHITEPAPER_PARAMS, HARDENED)[-1]
    movements = list(settled.outcome.movements)
    index = next(i for i, m in enumerate(movements) if m.account.startswith("validator-"))
    movements[index] = attrs.evolve(movements[index], delta=movements[index].delta + 1)
    broken = attrs.evolve(
        settled, outcome=attrs.evolve(settled.outcome, movements=tuple(movements))
    )
    observation = check_act_round(broken)
    assert observation is not None and not observation.holds
    assert "validator-" in observation.detail


def test_act_round_catches_a_payment_outside_the_contract(
    money_runs: dict[str, tuple[TrustedCall, CallRun]],
) -> None:
    call, call_run = money_runs["topped-up"]
    settled = settled_rounds(call_run, call, WHITEPAPER_PARAMS, HARDENED)[-1]
    extra = (TokenMovement("acct-n3", "stb", 1), TokenMovement(ESCROW, "stb", -1))
    merged: dict[tuple[str, str], int] = {}
    for m in (*settled.outcome.movements, *extra):
        merged[(m.account, m.token)] = merged.get((m.account, m.token), 0) + m.delta
    movements = tuple(sorted(TokenMovement(a, t, d) for (a, t), d in merged.items() if d))
    broken = attrs.evolve(settled, outcome=attrs.evolve(settled.outcome, movements=movements))
    observation = check_act_round(broken)
    assert observation is not None and not observation.holds
    assert "acct-n3 stb moved 1" in observation.detail


def test_reputation_is_part_of_the_record(
    money_runs: dict[str, tuple[TrustedCall, CallRun]],
) -> None:
    record: CallRecord = money_runs["topped-up"][1].record
    assert record.reputation is not None
    tracks = {t.node: t for t in record.reputation.nodes}
    assert tracks["n3"] == NodeTrack("n3", 2, 1, 1, 0)  # billing majority, main mismatch
    assert tracks["n0"] == NodeTrack("n0", 2, 2, 0, 0)
