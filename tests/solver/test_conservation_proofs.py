"""CONS-STR, CONS-STB and ESCROW-SOLVENT over every transition kind, and their refutations."""

from __future__ import annotations

from fractions import Fraction

import attrs
import pytest
import z3
from model_checks import is_stb_conserved
from solver_fixtures import FAST, refuted, run

from model import arith
from model.ledger import Ledger, create_genesis, process_bridge_burn_stb
from model.params import WHITEPAPER_PARAMS
from model.payment import compute_payment_split, compute_str_payout
from model.profile import HARDENED, WHITEPAPER, Profile
from model.slashing import compute_delegator_loss
from model.units import AccountId, usd_to_ustr
from solver.algebra import Z3_TERMS
from solver.claim import PLAN_MODES, ParamMode, ProofStatus
from solver.proofs.books import STR
from solver.proofs.conservation import (
    KINDS,
    Kind,
    TransitionKind,
    build_conservation_claim,
)
from solver.prove import prove

IDS = ("CONS-STR", "CONS-STB", "ESCROW-SOLVENT")


@pytest.mark.parametrize("invariant_id", IDS)
@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
@pytest.mark.parametrize("mode", PLAN_MODES, ids=lambda m: m.value)
def test_proved_for_every_kind(invariant_id: str, profile: Profile, mode: ParamMode) -> None:
    assert run(invariant_id, WHITEPAPER_PARAMS, profile, mode).status is ProofStatus.PROVED


def test_every_kind_is_in_the_query() -> None:
    claim = build_conservation_claim("CONS-STR", WHITEPAPER_PARAMS, ParamMode.CONCRETE)
    kinds = {name.split(".")[0] for name, _ in claim.inputs}
    assert kinds == set(KINDS)


def _refute_with(invariant_id: str, name: str, kind: TransitionKind) -> dict[str, int]:
    kinds = {**KINDS, name: kind}
    claim = build_conservation_claim(invariant_id, WHITEPAPER_PARAMS, ParamMode.CONCRETE, kinds)
    return refuted(prove(claim, settings=FAST))


def _leaky_node_payment(kind: Kind) -> None:
    """A broken rule: STR parts converted one by one, the escrow debited the converted total."""
    cost, num, den = kind.amount("cost"), kind.amount("price_num"), kind.amount("price_den")
    kind.assumptions.append(z3.And(num > 0, den > 0))
    split = arith.split_payment(Z3_TERMS, cost, kind.terms.get_shares())
    total = arith.convert_str_parts(Z3_TERMS, split, num, den).total_ustr
    parts = [
        ("node", arith.usd_to_ustr(Z3_TERMS, split.str_node_profit_usd, num, den)),
        ("network_support", arith.usd_to_ustr(Z3_TERMS, split.str_network_support_usd, num, den)),
    ]
    for recipient, amount in parts:
        kind.books.transfer("escrow", recipient, STR, amount)
    kind.books.burn("escrow", arith.usd_to_ustr(Z3_TERMS, split.str_burn_usd, num, den))
    dust = total - sum((amount for _, amount in parts), z3.IntVal(0))
    dust = dust - arith.usd_to_ustr(Z3_TERMS, split.str_burn_usd, num, den)
    kind.books.balances[("escrow", STR)] = kind.books.get("escrow", STR) - dust


def test_cons_str_refuted_by_a_payment_that_loses_conversion_dust() -> None:
    values = _refute_with("CONS-STR", "node_payment", _leaky_node_payment)
    cost = values["node_payment.cost"]
    price = Fraction(values["node_payment.price_num"], values["node_payment.price_den"])
    # The model's own conversion at the counterexample: the total exceeds the parts converted
    # one by one, so a rule debiting the total and paying the parts destroys STR.
    split = compute_payment_split(cost, WHITEPAPER_PARAMS)
    payout = compute_str_payout(split, price)
    separately = (
        usd_to_ustr(split.str_node_profit_usd, price)
        + usd_to_ustr(split.str_network_support_usd, price)
        + usd_to_ustr(split.str_burn_usd, price)
    )
    assert payout.total_ustr > separately
    assert payout.node_ustr + payout.network_ustr + payout.burn_ustr == payout.total_ustr


def _redeem_without_release(kind: Kind) -> None:
    """A broken rule: redeemed STB is destroyed but the bridge keeps the USDC locked."""
    locked = kind.books.usdc_locked
    kind.books.bridge_burn_stb("holder", kind.amount("redeemed"))
    kind.books.usdc_locked = locked


def _broken_bridge_burn(ledger: Ledger, *, holder: AccountId, amount: int) -> Ledger:
    burned = process_bridge_burn_stb(ledger, holder=holder, amount=amount)
    assert isinstance(burned, Ledger), burned
    return attrs.evolve(burned, usdc_locked=ledger.usdc_locked)


def test_cons_stb_refuted_by_a_redeem_that_keeps_the_usdc() -> None:
    values = _refute_with("CONS-STB", "bridge", _redeem_without_release)
    redeemed, held = values["bridge.redeemed"], values["bridge.holder.stb"]
    assert 0 < redeemed <= held
    holder = AccountId("holder")
    ledger = create_genesis({}, stb_deposits={holder: held})
    assert isinstance(ledger, Ledger) and is_stb_conserved(ledger)
    assert not is_stb_conserved(_broken_bridge_burn(ledger, holder=holder, amount=redeemed))


def _uncapped_loss(
    alg: arith.Algebra[arith.N, arith.B], amount: arith.N, rate: arith.N
) -> arith.LossTerms[arith.N]:
    """A realistic mutant: the loss is what the rate asks for, not at most the bond."""
    requested = arith.bps_of(alg, amount, rate)
    return arith.LossTerms(requested=requested, burned=requested)


def test_escrow_solvent_refuted_when_a_slash_may_exceed_the_bond(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(arith, "slash_bond", _uncapped_loss)
    values = refuted(run("ESCROW-SOLVENT", WHITEPAPER_PARAMS, HARDENED))
    # The mutated model, at the counterexample's rate, takes more from some bond than it holds.
    candidates = [
        (values["validator_slash.bond_a.bond"], values["validator_slash.rate"]),
        (values["validator_slash.bond_b.bond"], values["validator_slash.rate"]),
        (values["node_slash.stake.bond"], values["node_slash.rate"]),
    ]
    losses = [compute_delegator_loss(AccountId("d"), bond, rate) for bond, rate in candidates]
    assert any(loss.burned > loss.amount_before for loss in losses)


def test_a_change_to_the_shared_formula_reaches_the_query(monkeypatch: pytest.MonkeyPatch) -> None:
    before = run("CONS-STR", WHITEPAPER_PARAMS, HARDENED).query_sha256
    monkeypatch.setattr(arith, "slash_bond", _uncapped_loss)
    assert run("CONS-STR", WHITEPAPER_PARAMS, HARDENED).query_sha256 != before
