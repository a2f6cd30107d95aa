"""Seven proposals the constitution forbids (`fixtures/proposals/unsafe/`) each fail `check`:
GOV-PARAMS names the key and the range it leaves, and the invariant that states the whitepaper's
own number fails too. Under the literal profile they would all be adopted on one vote; under
`hardened` the chain refuses them, and `check` on the set they would make says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.check import CheckOptions, run_check
from reports.inputs import load_params
from reports.report import EXIT_CODES

UNSAFE = Path(__file__).resolve().parents[2] / "fixtures" / "proposals" / "unsafe"

CASES: tuple[tuple[str, str, str, str, str], ...] = (
    # file, key, its range, the invariant of the text's number, its engine
    ("inflation-100pct", "mint.inflation_initial_bps", "1100..1100", "SUP-INFLATION", "z3"),
    ("slash-factor-1", "slashing.slash_factor", "2..2", "SLASH-DOUBLING", "z3"),
    (
        "outbound-uncapped",
        "reputation.outbound_requests_per_minute",
        "1..10",
        "REP-OUTBOUND",
        "hypothesis",
    ),
    (
        "complaint-refund-0",
        "governance.complaint_refund_bps",
        "8000..8000",
        "GOV-COMPLAINT",
        "hypothesis",
    ),
    (
        "subcommittee-activation-0",
        "governance.subcommittee_activation_bps",
        "100..100",
        "GOV-SUBCOMMITTEE",
        "hypothesis",
    ),
    ("one-validator", "consensus.max_validators", "4..10000", "", ""),
    ("voting-period-1s", "governance.voting_period_seconds", "86400..7776000", "", ""),
)


def _counterexample_texts(report: object, invariant_id: str) -> str:
    rows = [row for row in report.invariants if row.id == invariant_id]  # type: ignore[attr-defined]
    assert rows, invariant_id
    assert rows[0].verdict == "fail", (invariant_id, rows[0].verdict)
    return " ".join(str(counterexample) for counterexample in rows[0].counterexamples)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "key", "span", "stated", "engine"), CASES)
def test_unsafe_proposal_fails_naming_the_invariant_and_the_key(
    name: str, key: str, span: str, stated: str, engine: str
) -> None:
    loaded = load_params(UNSAFE / f"{name}.legacy.json")
    assert key in {f"{change.subspace}.{change.key}" for change in loaded.changes}
    # GOV-PARAMS, by the solver: the checked set leaves the constitution, at this key.
    options = CheckOptions(effort="quick", only=("GOV-PARAMS",), engines=("z3",))
    report = run_check(loaded, options, with_keys=False).report
    assert EXIT_CODES[report.verdict] == 1
    assert f"constitution.bound.name = {key}" in _counterexample_texts(report, "GOV-PARAMS")
    # GOV-PARAMS, by the machine: the message names the key, the value and the range.
    machine = CheckOptions(effort="quick", only=("GOV-PARAMS",), engines=("hypothesis",))
    report = run_check(loaded, machine, with_keys=False).report
    text = _counterexample_texts(report, "GOV-PARAMS")
    assert f"{key} = " in text and f"outside the constitution's range {span}" in text
    if stated:
        # The invariant that quotes the whitepaper's number fails on the set as well.
        options = CheckOptions(effort="quick", only=(stated,), engines=(engine,))
        report = run_check(loaded, options, with_keys=False).report
        assert EXIT_CODES[report.verdict] == 1
        _counterexample_texts(report, stated)
