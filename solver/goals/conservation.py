"""Goals of the conservation claims (§6.1, §6.2, §6.4, §6.9, §4.3.1): what a transition keeps.

CONS-STR: every STR held plus what was burned, less what was minted, is genesis: a transition
leaves it unchanged, and every pool holds exactly the records it backs (§4.2). CONS-STB: STB
held changes exactly as the USDC locked in the bridge (§6.1). ESCROW-SOLVENT: no balance or
record goes negative (§4.3.1).
"""

from __future__ import annotations

from collections.abc import Sequence

import z3

from solver.goals import Formula, Term


def is_str_conserved(
    held: tuple[Term, Term], burned: tuple[Term, Term], minted: tuple[Term, Term]
) -> Formula:
    """CONS-STR (§6.2): held + burned - minted, (before, after), is unchanged."""
    return held[0] + burned[0] - minted[0] == held[1] + burned[1] - minted[1]


def is_pool_backed(pool: Term, records: Sequence[Term]) -> Formula:
    """CONS-STR (§4.2): a pool (bonded, node stakes) holds exactly the sum of its records."""
    return pool == z3.Sum(*records)


def is_stb_backed(held: tuple[Term, Term], locked: tuple[Term, Term]) -> Formula:
    """CONS-STB (§6.1): STB held changes exactly as the USDC locked, (before, after)."""
    return held[1] - held[0] == locked[1] - locked[0]


def is_solvent(balances: Sequence[Term]) -> Formula:
    """ESCROW-SOLVENT (§4.3.1, §4.4): no balance or record is negative."""
    return z3.And(*(balance >= 0 for balance in balances))
