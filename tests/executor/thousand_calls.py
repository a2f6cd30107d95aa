"""GROUNDED over more than a thousand generated calls of one profile: real node processes and
the model agree on every call (one test file per profile, so the two run side by side)."""

from __future__ import annotations

from executor.grounding import GROUNDED, ExecutorRun, run_executor
from model.params import WHITEPAPER_PARAMS
from model.profile import WHITEPAPER, Profile

WHITEPAPER_BREAKS = {
    "APP-VALIDATORS",
    "BFT-TIMEOUT",
    "CR-BINDING",
    "CR-NO-COPY",
    "CR-INJECTIVE",
    "CR-VERIFIABLE",
}
"""What the literal reading loses, as the model's engines also find (docs/findings.md)."""


def verdicts(run: ExecutorRun) -> dict[str, str]:
    return {result.invariant_id: result.verdict for result in run.results}


def check_a_thousand_calls(profile: Profile) -> None:
    """Over 1,000 distinct generated calls (2,000 rounds of real processes) agree."""
    run = run_executor(WHITEPAPER_PARAMS, profile, "default", seed=1, max_examples=1100)
    grounded = next(r for r in run.results if r.invariant_id == GROUNDED)
    assert grounded.verdict == "pass", grounded.counterexample
    assert run.scenarios >= 1000 and grounded.scenarios == run.scenarios
    assert run.rounds > 1500
    assert dict(run.node_faults), "the generated calls include process faults"
    failing = {i for i, v in verdicts(run).items() if v == "fail"}
    assert failing == (WHITEPAPER_BREAKS if profile is WHITEPAPER else set())
    assert "vacuous" not in verdicts(run).values()
    for result in run.results:
        if result.verdict == "fail":
            assert result.counterexample is not None
            assert result.counterexample.invariant_id == result.invariant_id
