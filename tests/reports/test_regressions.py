"""Regression files of every engine's counterexamples, run as a user runs them: with pytest.

Each file is written to a temporary directory and run in a child pytest from the project root. On
a counterexample under the literal whitepaper it must fail (exit 1, on its assertion); the same
file rendered for the hardened profile, where the invariant holds, must pass (exit 0).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from counterexample_samples import (
    SIX_SLASHES,
    make_call,
    make_executor_counterexample,
    make_exploration_counterexample,
    make_machine_counterexample,
)

from executor.engine import ROOT, resolve_function
from executor.grounding import GROUNDED
from executor.scenario import FaultPhase, NodeFault, ProcessFault
from model.params import WHITEPAPER_PARAMS
from model.profile import WHITEPAPER
from model.trusted.behaviour import Behaviour
from model.units import NodeId
from properties.explore import ExplorationCounterexample
from properties.runner import Counterexample
from reports.regressions import (
    RegressionError,
    executor_regression,
    exploration_regression,
    machine_regression,
    proof_regression,
    write_call,
)
from solver.claim import ProofResult, ProofStatus
from solver.registry import prove_all

Render = Callable[[str], str]
"""A regression file for the counterexample, rendered for a profile name."""


def run_pytest(tmp_path: Path, name: str, source: str) -> subprocess.CompletedProcess[str]:
    """Run `source` as a test file in a child pytest from the project root."""
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def slash_bounds_refuted() -> ProofResult:
    (result,) = prove_all(WHITEPAPER_PARAMS, WHITEPAPER, only=("SLASH-BOUNDS",))
    assert result.status is ProofStatus.REFUTED
    return result


def _machine() -> Render:
    counterexample = make_machine_counterexample("SLASH-BOUNDS", SIX_SLASHES)
    return lambda profile: machine_regression(
        counterexample, params=WHITEPAPER_PARAMS, profile_name=profile, seed=0
    )


def _exploration() -> Render:
    counterexample = make_exploration_counterexample("CR-BINDING")
    return lambda profile: exploration_regression(
        "CR-BINDING",
        counterexample,
        params=WHITEPAPER_PARAMS,
        profile_name=profile,
        max_nodes=2,
        seed=0,
    )


def _executor() -> Render:
    counterexample = make_executor_counterexample("CR-BINDING")
    return lambda profile: executor_regression(
        counterexample, params=WHITEPAPER_PARAMS, profile_name=profile, seed=0
    )


@pytest.mark.parametrize(
    ("kind", "test_name"),
    [
        ("machine", "test_slash_bounds_holds"),
        ("exploration", "test_cr_binding__exploration"),
        ("z3", "test_slash_bounds__z3"),
        ("executor", "test_cr_binding__executor"),
    ],
)
@pytest.mark.slow
def test_regression_fails_on_the_literal_text_and_passes_once_repaired(
    tmp_path: Path, slash_bounds_refuted: ProofResult, kind: str, test_name: str
) -> None:
    renderers: dict[str, Callable[[], Render]] = {
        "machine": _machine,
        "exploration": _exploration,
        "z3": lambda: (
            lambda profile: proof_regression(
                slash_bounds_refuted, params=WHITEPAPER_PARAMS, profile_name=profile
            )
        ),
        "executor": _executor,
    }
    render = renderers[kind]()
    literal = render("whitepaper")
    assert f"def {test_name}() -> None:" in literal
    compile(literal, f"<{kind}>", "exec")
    failed = run_pytest(tmp_path, f"test_{kind}_whitepaper", literal)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "AssertionError" in failed.stdout, failed.stdout
    assert f"::{test_name}" in failed.stdout and "1 failed" in failed.stdout, failed.stdout
    passed = run_pytest(tmp_path, f"test_{kind}_hardened", render("hardened"))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert render("whitepaper") == literal, "rendering is deterministic"


def test_executor_regression__grounded_compares_with_the_model(tmp_path: Path) -> None:
    """GROUNDED's file asks the model for its prediction: the literal reading is still grounded."""
    counterexample = make_executor_counterexample(GROUNDED)
    source = executor_regression(
        counterexample, params=WHITEPAPER_PARAMS, profile_name="whitepaper", seed=0
    )
    assert "def test_grounded__executor() -> None:" in source
    assert "compare(run.record, predicted)" in source
    result = run_pytest(tmp_path, "test_grounded", source)
    assert result.returncode == 0, result.stdout + result.stderr


def test_write_call__evaluates_back_to_the_call() -> None:
    """Every type inside a TrustedCall is written: faults, enums, bytes, and a function by path."""
    fault = NodeFault(NodeId("n1"), ProcessFault.HANG, FaultPhase.COMPUTE)
    call = make_call(Behaviour.HONEST, Behaviour.HONEST, Behaviour.COPY_COMMIT, faults=(fault,))
    hostile = resolve_function(f"{ROOT / 'fixtures/functions/hostile.py'}:nondeterministic")
    call = attrs.evolve(call, main=attrs.evolve(call.main, function=hostile))
    imports: set[tuple[str, str]] = set()
    source = "\n".join(write_call(call, imports))
    assert str(ROOT) not in source, "no checkout path in the file"
    assert "resolve_function('billing')" in source
    namespace: dict[str, object] = {}
    for module, name in imports:
        namespace[name] = getattr(__import__(module, fromlist=[name]), name)
    exec(source, namespace)
    assert namespace["CALL"] == call


def test_machine_regression__is_the_runners_file() -> None:
    counterexample = make_machine_counterexample("SLASH-BOUNDS", SIX_SLASHES)
    rendered = machine_regression(
        counterexample, params=WHITEPAPER_PARAMS, profile_name="whitepaper", seed=0
    )
    assert rendered == counterexample.regression_test
    with pytest.raises(RegressionError, match="exploration_regression"):
        machine_regression(
            make_exploration_counterexample("CR-BINDING"),
            params=WHITEPAPER_PARAMS,
            profile_name="whitepaper",
            seed=0,
        )


def test_exploration_regression__takes_the_search_own_path_too() -> None:
    counterexample = make_exploration_counterexample("CR-BINDING")
    raw = ExplorationCounterexample(
        counterexample.steps[0], counterexample.steps[1:], counterexample.detail
    )

    def render(invariant_id: str, given: Counterexample | ExplorationCounterexample) -> str:
        return exploration_regression(
            invariant_id,
            given,
            params=WHITEPAPER_PARAMS,
            profile_name="whitepaper",
            max_nodes=2,
            seed=0,
        )

    assert render("CR-BINDING", raw) == render("CR-BINDING", counterexample)
    with pytest.raises(RegressionError, match="not BFT-TIMEOUT"):
        render("BFT-TIMEOUT", counterexample)


def test_proof_regression__only_for_a_refutation(slash_bounds_refuted: ProofResult) -> None:
    proved = attrs.evolve(slash_bounds_refuted, status=ProofStatus.PROVED, counterexample=())
    with pytest.raises(RegressionError, match="proved"):
        proof_regression(proved, params=WHITEPAPER_PARAMS, profile_name="hardened")
