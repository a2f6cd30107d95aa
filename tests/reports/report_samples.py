"""Hand-made report documents in the shape of docs/report-format.md, for the renderers' tests.

`failing_document()` has one invariant of every verdict and a counterexample from every engine;
`passing_document()` is the same report with every failure repaired. Both are plain JSON data.
"""

from __future__ import annotations

import copy
from typing import Any

from model.params import WHITEPAPER_PARAMS, params_to_document

_BASE = params_to_document(WHITEPAPER_PARAMS)


def _params(**payment: int) -> dict[str, dict[str, int]]:
    document = copy.deepcopy(_BASE)
    document["payment"].update(payment)
    return document


def _failing_invariants() -> list[dict[str, Any]]:
    machine = {
        "engine": "hypothesis",
        "source": "machine",
        "detail": "the sixth slash asked 16000 bps, above 10000",
        "steps": ["Genesis(validators=('v0',))", *["SlashValidator(validator='v0')"] * 6],
        "values": {},
        "trace": "traces/SLASH-BOUNDS.hypothesis.itf.json",
        "regression": "regressions/test_slash_bounds__hypothesis.py",
    }
    proof = {
        "engine": "z3",
        "source": "proof",
        "detail": "the claim is false for these inputs",
        "steps": [],
        "values": {"slashes": 6, "stake": 1},
        "trace": "traces/SLASH-BOUNDS.z3.itf.json",
        "regression": "regressions/test_slash_bounds__z3.py",
    }
    grounded = {
        "engine": "executor",
        "source": "grounding",
        "detail": "CR-BINDING: n1 was paid though its reveal does not open its commit",
        "steps": [
            "billing compute(7): n0 honest",
            "main compute(9): n0 honest, n1 reveal-mismatch",
        ],
        "values": {},
        "trace": "traces/CR-BINDING.executor.itf.json",
        "regression": "regressions/test_cr_binding__executor.py",
    }
    return [
        {
            "id": "CONS-SPLIT",
            "section": "6.3",
            "statement": "the parts of a node payment sum exactly to the amount withdrawn",
            "verdict": "pass",
            "engines": {
                "hypothesis": {
                    "verdict": "pass",
                    "examples": 250,
                    "steps": 1200,
                    "violations": 0,
                    "note": "",
                },
                "z3": {
                    "verdict": "proved",
                    "solver": "z3 4.13.0",
                    "logic": "QF_LIA",
                    "claim": "for every cost <= 2^128 the parts sum to the withdrawal",
                    "reason": "",
                    "smt2": "smt2/CONS-SPLIT.smt2",
                    "smt2_sha256": "ab" * 32,
                },
            },
            "counterexample": None,
            "counterexamples": [],
        },
        {
            "id": "SLASH-BOUNDS",
            "section": "6.10",
            "statement": "base <= rate <= 100% for every slash sequence",
            "verdict": "fail",
            "engines": {
                "hypothesis": {
                    "verdict": "fail",
                    "examples": 90,
                    "steps": 400,
                    "violations": 3,
                    "note": "",
                },
                "z3": {
                    "verdict": "refuted",
                    "solver": "z3 4.13.0",
                    "logic": "QF_LIA",
                    "claim": "every slash rate lies in [base, 10000]",
                    "reason": "",
                    "smt2": "smt2/SLASH-BOUNDS.smt2",
                    "smt2_sha256": "cd" * 32,
                },
            },
            "counterexample": machine,
            "counterexamples": [machine, proof],
        },
        {
            "id": "CR-BINDING",
            "section": "3.2, 3.3 F11",
            "statement": "a reveal that does not match its commit is slashed and unpaid",
            "verdict": "fail",
            "engines": {
                "executor": {
                    "verdict": "fail",
                    "scenarios": 120,
                    "observations": 240,
                    "violations": 2,
                },
            },
            "counterexample": grounded,
            "counterexamples": [grounded],
        },
        {
            "id": "GOV-SUBCOMMITTEE",
            "section": "6.8",
            "statement": "active iff > 1% of STR delegated; each unit in at most one",
            "verdict": "inconclusive",
            "engines": {
                "hypothesis": {
                    "verdict": "vacuous",
                    "examples": 0,
                    "steps": 0,
                    "violations": 0,
                    "note": "no step or round state gave this invariant anything to check",
                },
            },
            "counterexample": None,
            "counterexamples": [],
        },
        {
            "id": "PAY-VECTOR",
            "section": "6.3.3",
            "statement": "the §6.3.3 example is reproduced exactly",
            "verdict": "not-applicable",
            "engines": {
                "hypothesis": {
                    "verdict": "not-applicable",
                    "examples": 0,
                    "steps": 0,
                    "violations": 0,
                    "note": "§6.3.3's example is stated for the whitepaper's payment shares only",
                },
            },
            "counterexample": None,
            "counterexamples": [],
        },
    ]


def failing_document() -> dict[str, Any]:
    """A legacy proposal moving the STR burn share, checked under the literal profile."""
    invariants = _failing_invariants()
    return {
        "schema": "stratoverify/report/1",
        "verdict": "fail",
        "exit_code": 1,
        "inputs": {
            "source": "proposal.json",
            "kind": "legacy proposal",
            "input_sha256": "01" * 32,
            "params_sha256": "02" * 32,
            "params": _params(str_burn_bps=1200, str_node_profit_bps=1800),
            "base": {
                "source": "whitepaper defaults",
                "params_sha256": "03" * 32,
                "params": copy.deepcopy(_BASE),
            },
            "changes": [
                {
                    "parameter": "payment.str_burn_bps",
                    "subspace": "payment",
                    "key": "str_burn_bps",
                    "base": 1000,
                    "value": 1200,
                    "line": 5,
                },
                {
                    "parameter": "payment.str_node_profit_bps",
                    "subspace": "payment",
                    "key": "str_node_profit_bps",
                    "base": 2000,
                    "value": 1800,
                    "line": 6,
                },
            ],
            "profile": "whitepaper",
            "effort": "quick",
            "seed": 0,
            "only": [],
            "engines": ["hypothesis", "z3", "executor"],
        },
        "versions": {
            "stratoverify": "0.1.0",
            "python": "3.11.7",
            "hypothesis": "6.100.0",
            "z3": "4.13.0",
            "networkx": "3.2",
            "attrs": "23.2.0",
            "pycryptodome": "3.20.0",
            "pyrsistent": "0.20.0",
        },
        "seeds": {"hypothesis": 0, "z3": 0, "executor": 0},
        "summary": {"pass": 1, "fail": 2, "inconclusive": 1, "not-applicable": 1},
        "engines": {
            "hypothesis": {
                "verdict": "ran",
                "reason": "",
                "machine_runs": 2,
                "examples": 300,
                "steps": 7000,
                "explored_assignments": 40,
                "explored_states": 900,
            },
            "z3": {"verdict": "ran", "reason": "", "solver": "z3 4.13.0", "proofs": 2},
            "executor": {
                "verdict": "ran",
                "reason": "",
                "scenarios": 100,
                "rounds": 200,
                "node_faults": {"killed-by-signal": 2},
            },
        },
        "invariants": invariants,
        "content_sha256": "04" * 32,
        "timings": {"hypothesis": 10.5, "z3": 0.7, "executor": 4.4, "total": 15.9},
    }


def passing_document() -> dict[str, Any]:
    """The whitepaper defaults under the hardened profile: every listed invariant passes."""
    document = failing_document()
    document["verdict"] = "pass"
    document["exit_code"] = 0
    document["inputs"].update(
        source="whitepaper defaults",
        kind="whitepaper defaults",
        input_sha256=None,
        params=copy.deepcopy(_BASE),
        changes=[],
        profile="hardened",
    )
    rows = [row for row in document["invariants"] if row["verdict"] in ("pass", "fail")]
    for row in rows:
        row["verdict"] = "pass"
        row["counterexample"] = None
        row["counterexamples"] = []
        for name, engine in row["engines"].items():
            engine["verdict"] = "proved" if name == "z3" else "pass"
            if "violations" in engine:
                engine["violations"] = 0
    document["invariants"] = rows
    document["summary"] = {"pass": len(rows), "fail": 0, "inconclusive": 0, "not-applicable": 0}
    return document
