"""The rounds the exploration runs: assignments of behaviours, their scenarios, the funded chain.

An assignment gives each of 1..4 nodes a `Kind` (one of the nine behaviours, or honest but sent a
wrong app salt), says whom each copier copies and whether the app reveals its salts; one assignment
stands for every relabelling of its nodes. Every explored round settles against the same funded
escrow and staked nodes.
"""

from __future__ import annotations

import itertools
from enum import Enum
from fractions import Fraction

import attrs
from attrs import frozen

from model.escrow import process_open_escrow, process_prepayment
from model.ledger import Ledger, create_genesis
from model.trusted.behaviour import Behaviour, NodePlan, Scenario
from model.trusted.settlement import TrustedChain, process_register_node
from model.units import AccountId, AppId, NodeId, Rejected, UsdMicro

APP = AppId("app")
DEVELOPER = AccountId("developer")
CORRECT_OUTPUT = b"f(a) = b"
SHARED_WRONG_OUTPUT = b"wrong: the colluders' output"
ROUND_COST: UsdMicro = 1_000_000
NODE_STAKE = 1_000_000_000
_FUNDS = 10**15
_PRICE = Fraction(1, 2)


class Kind(Enum):
    """What one node of an assignment is: one of the nine behaviours, or honest but wronged."""

    HONEST = "honest"
    WRONG_OUTPUT = "wrong-output"
    NO_COMMIT = "no-commit"
    LATE_COMMIT = "late-commit"
    NO_REVEAL = "no-reveal"
    LATE_REVEAL = "late-reveal"
    REVEAL_MISMATCH = "reveal-mismatch"
    COPY_COMMIT = "copy-commit"
    SENDS_OTHER_OUTPUT = "sends-other-output"
    """§3.2 F8-F9: reveals the correct output, then sends the app another one."""
    WRONGED = "honest-wrong-app-salt"
    """§3.5.2: an honest node the app sends a salt not matching its on-chain hash."""

    @property
    def behaviour(self) -> Behaviour:
        return Behaviour.HONEST if self is Kind.WRONGED else Behaviour(self.value)


_KINDS = tuple(Kind)


@frozen
class Assignment:
    """One round to explore: each node's kind, whom copiers copy, and how the app behaves."""

    kinds: tuple[Kind, ...]
    copy_targets: tuple[int | None, ...]
    colluding: bool
    """WRONG_OUTPUT nodes share one wrong output (else each returns its own)."""
    app_reveals_salts: bool

    def describe(self) -> str:
        """A one-line human-readable form: 'n0 honest, n1 copy-commit of n0; app honest'."""
        parts = []
        for index, kind in enumerate(self.kinds):
            text = f"{get_node_name(index)} {kind.value}"
            target = self.copy_targets[index]
            if target is not None:
                text += f" of {get_node_name(target)}"
            if kind is Kind.WRONG_OUTPUT and self.kinds.count(Kind.WRONG_OUTPUT) > 1:
                text += " (shared)" if self.colluding else " (own)"
            parts.append(text)
        app = "app honest" if self.app_reveals_salts else "app silent (never reveals its salts)"
        return ", ".join(parts) + "; " + app


def get_node_name(index: int) -> NodeId:
    """The id of the index-th node of an explored round."""
    return NodeId(f"n{index}")


def _canonical_targets(kinds: tuple[Kind, ...], targets: tuple[int, ...]) -> tuple[int, ...]:
    # Relabel nodes by every permutation that keeps each node's kind; keep the smallest labelling.
    n = len(kinds)
    best = targets
    for perm in itertools.permutations(range(n)):
        if any(kinds[perm[i]] is not kinds[i] for i in range(n)):
            continue
        relabelled = [-1] * n
        for i in range(n):
            relabelled[perm[i]] = perm[targets[i]] if targets[i] >= 0 else -1
        best = min(best, tuple(relabelled))
    return best


def generate_assignments(max_nodes: int) -> tuple[Assignment, ...]:
    """Every assignment of 1..max_nodes nodes, one per class of node relabellings, in a fixed order."""
    assignments = []
    for n in range(1, max_nodes + 1):
        for combo in itertools.combinations_with_replacement(_KINDS, n):
            choices = [
                [j for j in range(n) if j != i] if kind is Kind.COPY_COMMIT else [-1]
                for i, kind in enumerate(combo)
            ]
            labellings = sorted(
                {_canonical_targets(combo, targets) for targets in itertools.product(*choices)}
            )
            if not labellings:
                continue  # a lone copier has nobody to copy
            collusion = [False, True] if combo.count(Kind.WRONG_OUTPUT) > 1 else [False]
            for targets, colluding, app in itertools.product(labellings, collusion, (True, False)):
                assignments.append(
                    Assignment(
                        kinds=combo,
                        copy_targets=tuple(t if t >= 0 else None for t in targets),
                        colluding=colluding,
                        app_reveals_salts=app,
                    )
                )
    return tuple(assignments)


def make_scenario(assignment: Assignment, *, seed: int) -> Scenario:
    """The scenario an assignment stands for; `seed` only feeds the salts' seed bytes."""
    plans = []
    for index, kind in enumerate(assignment.kinds):
        target = assignment.copy_targets[index]
        wrong = kind is Kind.WRONG_OUTPUT and assignment.colluding
        plans.append(
            NodePlan(
                node=get_node_name(index),
                behaviour=kind.behaviour,
                copy_from=get_node_name(target) if target is not None else None,
                wrong_output=SHARED_WRONG_OUTPUT if wrong else None,
                gets_wrong_app_salt=kind is Kind.WRONGED,
            )
        )
    return Scenario(
        round_id=1,
        app=APP,
        plans=tuple(plans),
        correct_output=CORRECT_OUTPUT,
        seed=b"explore:" + str(seed).encode(),
        app_reveals_salts=assignment.app_reveals_salts,
    )


def _account_of(node: NodeId) -> AccountId:
    return AccountId(f"acct-{node}")


def make_funded_chain(nodes: int) -> TrustedChain:
    """The chain every explored round settles against: a funded escrow and `nodes` staked nodes."""
    allocations = {DEVELOPER: _FUNDS * 10}
    allocations.update({_account_of(get_node_name(i)): NODE_STAKE for i in range(nodes)})
    ledger = create_genesis(allocations, stb_deposits={DEVELOPER: _FUNDS * 10})
    assert isinstance(ledger, Ledger), ledger
    chain = TrustedChain(ledger=ledger)
    book = process_open_escrow(chain.escrows, app=APP, developer=DEVELOPER)
    assert not isinstance(book, Rejected), book
    funded = process_prepayment(
        chain.ledger, book, app=APP, payer=DEVELOPER, ustb=_FUNDS, ustr=_FUNDS, price=_PRICE
    )
    assert not isinstance(funded, Rejected), funded
    chain = attrs.evolve(chain, ledger=funded[0], escrows=funded[1])
    for i in range(nodes):
        node = get_node_name(i)
        registered = process_register_node(
            chain, node=node, account=_account_of(node), stake=NODE_STAKE
        )
        assert isinstance(registered, TrustedChain), registered
        chain = registered
    return chain
