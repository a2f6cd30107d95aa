"""Where the oracle ends and the model begins, as data that a test enforces.

`ORACLE_CODE` lists every file that judges the model. Such a file may import from `model/` only
what describes the state and its vocabulary: classes (frozen state records, actions, effects,
enums), `NewType` ids, module constants, the few id constructors named in `MODEL_ID_FUNCTIONS`,
and the tables of the protocol's own text named in `MODEL_DATA`.
Any other function of the model is a rule or a derived quantity, and a check that calls it would
share the model's bugs. Oracle code imports other project code only if that code is oracle code
too, so the line cannot be crossed through a helper module.
"""

from __future__ import annotations

ORACLE_CODE: tuple[str, ...] = (
    "oracle",
    "properties/invariants",
    "executor/validators.py",
    "executor/books.py",
    "executor/committee.py",
    "solver/goals",
)
"""Files and folders (relative to the repository root) whose code is the oracle."""

ORACLE_SUPPORT: dict[str, str] = {
    "properties.catalogue": "the IDs and statements of the invariants; holds no rule",
    "executor.records": "what the executor observed of a round (RoundLog), how a call is funded"
    " (Deposit, Funding), track-record records and account names; holds no rule",
}
"""Project modules outside `ORACLE_CODE` that oracle code may import, each with the reason it
holds no rule of the model (records of what was observed, names, statements)."""

FORBIDDEN_MODEL_MODULES: frozenset[str] = frozenset(
    {
        "model.arith",
        "model.coherence",
    }
)
"""Model modules that hold nothing but rules and formulas: nothing may be imported from them."""

MODEL_ID_FUNCTIONS: dict[str, str] = {
    "model.ledger.get_escrow_account": "names an app's escrow account (an id, no rule)",
    "model.ledger.get_locked_escrow_account": "names an app's locked escrow account (an id)",
    "model.chain.state.get_user": "names the i-th user account of a trace (an id)",
    "model.chain.state.get_developer": "names an app's developer account (an id)",
    "model.chain.state.get_node": "names the i-th node of a trace (an id)",
    "model.chain.state.get_node_operator": "names a node's payout account (an id)",
    "model.chain.state.get_validator": "names the i-th validator of a trace (an id)",
    "model.chain.state.get_validator_operator": "names a validator's operator account (an id)",
}
"""The only model functions oracle code may call: each builds an identifier from an index or
another identifier, and none of them decides anything."""

MODEL_DATA: dict[str, str] = {
    "model.constitution.HARDENED_CONSTITUTION": "the constitution's table (docs/constitution.md):"
    " frozen rows of key, process, vote, range and reason, and the bounds of the fractions two"
    " keys form; GOV-PARAMS reads the ranges as data and calls none of the model's functions",
}
"""Model records that oracle code may import although they are instances, not classes or plain
constants: each is a table of what the protocol allows, written from the text, that no rule
computes; the oracle reads its fields and calls nothing on it."""
