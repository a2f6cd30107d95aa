"""Token conservation as inductive facts over every kind of transition (§6.1-§6.4, §6.9, §6.10).

Each transition kind of the chain is written as the ledger primitives it performs (`books.Books`,
which mirrors `model.ledger`), with its amounts computed by the model's own formulas
(`model.arith`: the payment split, the STR conversion, the validation and complaint divisions,
the slash of a bond) on symbolic inputs. For every kind, if every guard the model checks holds:

- CONS-STR: STR held + burned - minted is the same after as before, and every pool still
  matches its records (bonded pool = sum of bonds, node-stake pool = sum of node stakes);
- CONS-STB: STB held changes exactly as the USDC locked in the bridge does;
- ESCROW-SOLVENT: no balance the transition touches (escrows included) goes negative.

A kind whose guards fail is refused by the model and changes nothing, so conservation then holds
trivially. Together with genesis (which satisfies both identities) this is an induction over
every run of the chain.
"""

from __future__ import annotations

from collections.abc import Callable

import z3
from attrs import frozen

from model import arith
from model.params import Params
from model.profile import Profile
from model.rewards import compute_reward_share
from solver.algebra import Z3_TERMS, Formula, Term
from solver.claim import Claim, ParamMode
from solver.goals import conservation as goals
from solver.params import ParamTerms
from solver.proofs import ClaimBuilder
from solver.proofs.books import STB, STR, Books

BOND = "bond"
"""The token name under which the books keep a record (a bond, a node stake), not a balance."""


def _sum(*terms: Term) -> Term:
    """The sum of `terms`, folded left (SMT-LIB has no one-argument +)."""
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


class Kind:
    """One transition kind being encoded: its books, its symbolic inputs and its records."""

    def __init__(self, name: str, terms: ParamTerms) -> None:
        self.name = name
        self.terms = terms
        self.inputs: dict[str, Term] = {}
        self.assumptions: list[Formula] = []
        self.books: Books[Term, Formula] = Books(
            Z3_TERMS,
            self._opening,
            burned=self.amount("burned"),
            minted=self.amount("minted"),
            usdc_locked=self.amount("usdc_locked"),
        )
        self.pools: list[tuple[str, tuple[str, ...]]] = []
        """(pool account, record accounts whose sum it must equal)."""

    def amount(self, name: str) -> Term:
        """A fresh non-negative input of this kind (an amount, a balance, a rate)."""
        term = z3.Int(f"{self.name}.{name}")
        self.inputs[f"{self.name}.{name}"] = term
        self.assumptions.append(term >= 0)
        return term

    def _opening(self, account: str, token: str) -> Term:
        return self.amount(f"{account}.{token}")

    def backs(self, pool: str, *records: str) -> None:
        """`pool`'s STR must equal the sum of `records` plus records this kind never touches."""
        rest = self.amount(f"{pool}.other_records")
        opening = _sum(*(self.books.get(record, BOND) for record in records)) + rest
        self.assumptions.append(self.books.get(pool, STR) == opening)
        self.pools.append((pool, (*records, f"{pool}.other_records")))

    def is_pool_backed(self) -> Formula:
        """After the transition every pool still equals the sum of its records."""
        facts = []
        for pool, records in self.pools:
            touched = [self.books.get(record, BOND) for record in records[:-1]]
            rest = self.inputs[f"{self.name}.{records[-1]}"]
            facts.append(goals.is_pool_backed(self.books.get(pool, STR), (*touched, rest)))
        return z3.And(*facts) if facts else z3.BoolVal(True)


TransitionKind = Callable[[Kind], None]
"""Performs one kind's primitives on `kind.books` (amounts from `model.arith`)."""


def kind_transfer(kind: Kind) -> None:
    """§6.1, §6.2: a user sends STB and STR to another user (also prepay, withdraw, grants)."""
    for token in (STB, STR):
        kind.books.transfer("user", "recipient", token, kind.amount(f"sent_{token}"))


def kind_bridge(kind: Kind) -> None:
    """§6.1: USDC deposited mints STB, and STB redeemed is burned and its USDC released."""
    kind.books.bridge_mint_stb("user", kind.amount("deposited"))
    kind.books.bridge_burn_stb("holder", kind.amount("redeemed"))


def kind_node_payment(kind: Kind) -> None:
    """§6.3: `model.payment.process_payment_split` from an app's escrow to one node."""
    price_num, price_den = kind.amount("price_num"), kind.amount("price_den")
    # A price is a positive rational (model.units.is_valid_price).
    kind.assumptions.append(z3.And(price_num > 0, price_den > 0))
    split = arith.split_payment(Z3_TERMS, kind.amount("cost"), kind.terms.get_shares())
    payout = arith.convert_str_parts(Z3_TERMS, split, price_num, price_den)
    books = kind.books
    # The model refuses a split with a negative part (check_split_nonnegative).
    books.require(z3.And(*(part >= 0 for part in split.parts())))
    books.transfer("escrow", "node", STB, split.stb_cost_basis + split.stb_node_profit)
    books.transfer("escrow", "swap_reserve", STB, split.stb_swap_reserve)
    books.transfer("escrow", "node", STR, payout.node_ustr)
    books.transfer("escrow", "network_support", STR, payout.network_ustr)
    books.burn("escrow", payout.burn_ustr)


def kind_validation_payment(kind: Kind) -> None:
    """§4.4: `model.escrow.process_validation_payment`: equal shares, the remainder kept."""
    prefund, count = kind.amount("prefund"), kind.amount("validators")
    kind.assumptions.append(count >= 1)
    # The model checks the prefund is held by the escrow.
    kind.books.require(prefund <= kind.books.get("escrow", STR))
    share = arith.divide_validation_payment(Z3_TERMS, prefund, count)
    kind.books.transfer("escrow", "validators", STR, share.each * count)


def kind_complaint_resolution(kind: Kind) -> None:
    """§6.8: `model.complaints.process_resolve_complaint`: refund, validators' shares, dust."""
    deposit, count = kind.amount("deposit"), kind.amount("validators")
    refund = arith.bps_of(Z3_TERMS, deposit, kind.terms["governance.complaint_refund_bps"])
    rest = deposit - refund
    share = arith.divide_validation_payment(Z3_TERMS, rest, z3.If(count >= 1, count, 1))
    each = z3.If(count >= 1, share.each, 0)
    # The deposit is held by the complaint-deposit pool until it is resolved.
    kind.books.require(deposit <= kind.books.get("complaints", STR))
    kind.books.transfer("complaints", "refund_recipient", STR, refund)
    kind.books.transfer("complaints", "validators", STR, each * count)
    kind.books.transfer("complaints", "reserve_pool", STR, rest - each * count)


def kind_delegation(kind: Kind) -> None:
    """§4.2: delegating moves STR into the bonded pool and a bond; undelegating moves it back."""
    kind.backs("bonded_pool", "bond_a")
    delegated, undelegated = kind.amount("delegated"), kind.amount("undelegated")
    books = kind.books
    books.transfer("user", "bonded_pool", STR, delegated)
    books.balances[("bond_a", BOND)] = books.get("bond_a", BOND) + delegated
    # The model refuses to undelegate more than the bond.
    books.require(undelegated <= books.get("bond_a", BOND))
    books.transfer("bonded_pool", "user", STR, undelegated)
    books.balances[("bond_a", BOND)] = books.get("bond_a", BOND) - undelegated


def kind_unbonding(kind: Kind) -> None:
    """§4.2 (Cosmos x/staking): `model.staking.process_undelegate` with the unbonding period
    moves a bond into an unbonding entry, `model.standing.process_slash_unbonding` burns a rate
    of the entry, `process_complete_unbonding` pays what is left to the delegator."""
    kind.backs("bonded_pool", "bond_a")
    kind.backs("unbonding_pool", "entry_a")
    undelegated, rate = kind.amount("undelegated"), kind.amount("rate")
    books = kind.books
    books.require(undelegated <= books.get("bond_a", BOND))
    books.transfer("bonded_pool", "unbonding_pool", STR, undelegated)
    books.balances[("bond_a", BOND)] = books.get("bond_a", BOND) - undelegated
    books.balances[("entry_a", BOND)] = books.get("entry_a", BOND) + undelegated
    loss = arith.slash_bond(Z3_TERMS, books.get("entry_a", BOND), rate)
    books.burn("unbonding_pool", loss.burned)
    books.balances[("entry_a", BOND)] = books.get("entry_a", BOND) - loss.burned
    paid = books.get("entry_a", BOND)
    books.transfer("unbonding_pool", "user", STR, paid)
    books.balances[("entry_a", BOND)] = books.get("entry_a", BOND) - paid


def kind_rewards(kind: Kind) -> None:
    """§6.9: `model.rewards.process_distribute_rewards` pays the rewards pool to three bonds'
    holders, each `compute_reward_share` of it; the dust stays in the pool."""
    bonds = [kind.amount(f"bond_{name}") for name in "abc"]
    total = _sum(*bonds)
    kind.assumptions.append(total > 0)
    books = kind.books
    pool = books.get("rewards", STR)
    for name, bond in zip("abc", bonds, strict=True):
        books.transfer(
            "rewards", f"holder_{name}", STR, compute_reward_share(Z3_TERMS, pool, bond, total)
        )


def kind_validator_slash(kind: Kind) -> None:
    """§4.2, §6.10: `model.slashing.process_slash_validator` on two bonds at any rate."""
    kind.backs("bonded_pool", "bond_a", "bond_b")
    rate = kind.amount("rate")
    books = kind.books
    losses = [
        (bond, arith.slash_bond(Z3_TERMS, books.get(bond, BOND), rate))
        for bond in ("bond_a", "bond_b")
    ]
    books.burn("bonded_pool", _sum(*(loss.burned for _, loss in losses)))
    for bond, loss in losses:
        books.balances[(bond, BOND)] = books.get(bond, BOND) - loss.burned


def kind_node_slash(kind: Kind) -> None:
    """§3.3 F11, §6.10: `model.trusted.settlement.process_slash_node` at any rate."""
    kind.backs("node_stakes", "stake")
    books = kind.books
    loss = arith.slash_bond(Z3_TERMS, books.get("stake", BOND), kind.amount("rate"))
    books.burn("node_stakes", loss.burned)
    books.balances[("stake", BOND)] = books.get("stake", BOND) - loss.burned


def kind_inflation(kind: Kind) -> None:
    """§6.9: `model.supply.process_inflation_mint` mints into the rewards pool."""
    kind.books.mint_str("rewards", kind.amount("accrued"))


def kind_reserve_swap(kind: Kind) -> None:
    """§6.6, §6.7: `model.payment.process_swap_reserve`: the reserve's STB is sold to
    Stratoswap's pool on its curve, and the STR it buys is burned."""
    books = kind.books
    reserve = books.get("swap_reserve", STB)
    pool_stb, pool_str = books.get("stratoswap", STB), books.get("stratoswap", STR)
    # The order fills only against a pool with both sides (model.stratoswap.is_pool_empty).
    kind.assumptions.append(z3.And(pool_stb > 0, pool_str > 0))
    fee = kind.terms["market.stratoswap_fee_bps"]
    bought = arith.swap_output(Z3_TERMS, pool_stb, pool_str, reserve, fee)
    books.transfer("swap_reserve", "stratoswap", STB, reserve)
    books.transfer("stratoswap", "swap_reserve", STR, bought)
    books.burn("swap_reserve", bought)


KINDS: dict[str, TransitionKind] = {
    "transfer": kind_transfer,
    "bridge": kind_bridge,
    "node_payment": kind_node_payment,
    "validation_payment": kind_validation_payment,
    "complaint_resolution": kind_complaint_resolution,
    "delegation": kind_delegation,
    "unbonding": kind_unbonding,
    "rewards": kind_rewards,
    "validator_slash": kind_validator_slash,
    "node_slash": kind_node_slash,
    "inflation": kind_inflation,
    "reserve_swap": kind_reserve_swap,
}
"""Every kind of transition that moves tokens, by the name counterexample inputs carry."""


@frozen
class Encoded:
    """Every kind encoded once: what each of the three claims reads."""

    kinds: tuple[Kind, ...]
    terms: ParamTerms


def encode_kinds(
    params: Params, mode: ParamMode, kinds: dict[str, TransitionKind] | None = None
) -> Encoded:
    """Encode every transition kind (the model's, or `kinds` for a test double)."""
    terms = ParamTerms(params, mode)
    encoded = []
    for name, perform in (KINDS if kinds is None else kinds).items():
        kind = Kind(name, terms)
        perform(kind)
        encoded.append(kind)
    return Encoded(tuple(encoded), terms)


def _is_str_conserved(kind: Kind) -> Formula:
    books = kind.books
    conserved = goals.is_str_conserved(
        (books.total(STR, opening=True), books.total(STR)),
        (kind.inputs[f"{kind.name}.burned"], books.burned),
        (kind.inputs[f"{kind.name}.minted"], books.minted),
    )
    return z3.And(conserved, kind.is_pool_backed())


def _is_stb_backed(kind: Kind) -> Formula:
    books = kind.books
    return goals.is_stb_backed(
        (books.total(STB, opening=True), books.total(STB)),
        (kind.inputs[f"{kind.name}.usdc_locked"], books.usdc_locked),
    )


def _is_solvent(kind: Kind) -> Formula:
    books = kind.books
    return goals.is_solvent([books.balances[key] for key in sorted(books.balances)])


_FACTS: dict[str, tuple[Callable[[Kind], Formula], str]] = {
    "CONS-STR": (
        _is_str_conserved,
        "for every transition kind and all amounts, balances and prices: if the model's guards "
        "hold, STR held + burned - minted is unchanged and every pool equals its records",
    ),
    "CONS-STB": (
        _is_stb_backed,
        "for every transition kind and all amounts: if the model's guards hold, STB held changes "
        "exactly as the USDC locked in the bridge",
    ),
    "ESCROW-SOLVENT": (
        _is_solvent,
        "for every transition kind and all amounts: if the model's guards hold and no balance "
        "was negative, no balance it touches (escrows included) becomes negative",
    ),
}


def build_conservation_claim(
    invariant_id: str,
    params: Params,
    mode: ParamMode,
    kinds: dict[str, TransitionKind] | None = None,
) -> Claim:
    """`invariant_id`'s claim over every kind (the model's, or `kinds` for a test double)."""
    fact, statement = _FACTS[invariant_id]
    encoded = encode_kinds(params, mode, kinds)
    goals = [z3.Implies(z3.And(*kind.books.guards), fact(kind)) for kind in encoded.kinds]
    assumptions = [a for kind in encoded.kinds for a in kind.assumptions]
    inputs = {name: term for kind in encoded.kinds for name, term in kind.inputs.items()}
    # Coherence is assumed in ALL_PARAMS mode: the split's guard refuses incoherent shares anyway.
    domain = encoded.terms.get_assumptions(coherent=False)
    return Claim(
        invariant_id=invariant_id,
        statement=statement,
        logic="QF_NIA",
        inputs=(*sorted(inputs.items()), *encoded.terms.get_inputs()),
        assumptions=(*assumptions, *domain),
        goal=z3.And(*goals),
    )


def claim_cons_str(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """CONS-STR (§6.2, §6.4, §6.9): STR is conserved by every transition kind."""
    return build_conservation_claim("CONS-STR", params, mode)


def claim_cons_stb(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """CONS-STB (§6.1): every STB stays backed by USDC through every transition kind."""
    return build_conservation_claim("CONS-STB", params, mode)


def claim_escrow_solvent(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """ESCROW-SOLVENT (§4.3.1, §4.4): no transition kind overdraws an escrow or any balance."""
    return build_conservation_claim("ESCROW-SOLVENT", params, mode)


CLAIMS: dict[str, ClaimBuilder] = {
    "CONS-STR": claim_cons_str,
    "CONS-STB": claim_cons_stb,
    "ESCROW-SOLVENT": claim_escrow_solvent,
}
