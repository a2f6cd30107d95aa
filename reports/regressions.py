"""Every engine's counterexample as a ready-to-run pytest file that fails while the bug is there.

A machine trace replays through `properties.regression`; an exploration path re-runs the bounded
round search; a refutation asks Z3 again; an executor call runs again with real node processes.
Each file embeds its parameter set as a document and names its profile, so it runs on its own
from the project root and passes once the rule (or the parameters) are repaired.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from executor.engine import FIXTURES, ROOT
from executor.grounding import GROUNDED, ExecutorCounterexample
from executor.records import DEFAULT_FUNDING
from executor.scenario import ExecRound, TrustedCall
from model.params import Params, params_to_document
from properties.catalogue import get_invariant
from properties.explore import ExplorationCounterexample
from properties.regression import render_regression_test, to_python
from properties.runner import Counterexample
from solver.claim import ProofResult, ProofStatus

Imports = set[tuple[str, str]]


class RegressionError(ValueError):
    """Raised when a counterexample cannot become a regression test: a proof that was not
    refuted, a machine counterexample without its trace, or an ID that does not match."""


# --- Machine -------------------------------------------------------------------------------------


def machine_regression(
    counterexample: Counterexample, *, params: Params, profile_name: str, seed: int
) -> str:
    """The whole-chain trace replayed by `properties.regression`, for these parameters."""
    if counterexample.genesis is None:
        raise RegressionError(
            f"{counterexample.invariant_id}: a {counterexample.source} counterexample has no "
            "trace to replay (use exploration_regression)"
        )
    return render_regression_test(
        invariant_id=counterexample.invariant_id,
        detail=counterexample.detail,
        genesis=counterexample.genesis,
        actions=counterexample.actions,
        params=params,
        profile_name=profile_name,
        seed=seed,
    )


# --- Exploration ---------------------------------------------------------------------------------


def exploration_regression(
    invariant_id: str,
    counterexample: Counterexample | ExplorationCounterexample,
    *,
    params: Params,
    profile_name: str,
    max_nodes: int,
    seed: int,
) -> str:
    """The bounded round search re-run with the same bound, asserting no state breaks the ID."""
    if isinstance(counterexample, Counterexample):
        if counterexample.invariant_id != invariant_id:
            raise RegressionError(
                f"the counterexample is to {counterexample.invariant_id}, not {invariant_id}"
            )
        path, detail = counterexample.steps, counterexample.detail
    else:
        path = (counterexample.assignment, *counterexample.steps)
        detail = counterexample.detail
    assignment, *steps = path or ("(no assignment recorded)",)
    imports: Imports = {("properties.explore", "explore_rounds")}
    found = [
        f"Found by stratoverify's exhaustive round search (up to {max_nodes} nodes) under profile",
        f"{profile_name!r}, seed {seed}. It fails until the rule is repaired. The shortest run to",
        "a state that breaks it:",
        f"    {assignment}",
        *(f"    {number}. {step}" for number, step in enumerate(steps, start=1)),
        f"broken: {detail}",
    ]
    body = [
        f"MAX_NODES = {max_nodes}",
        f"SEED = {seed}",
        "",
        "",
        f"def {_test_name(invariant_id, 'exploration')}() -> None:",
        "    report = explore_rounds(params=PARAMS, profile=PROFILE, max_nodes=MAX_NODES, seed=SEED)",
        f"    result = report.get_result({invariant_id!r})",
        "    assert result.violations == 0, result.counterexample",
    ]
    return _render(
        invariant_id, found, imports, params=params, profile_name=profile_name, body=body
    )


# --- Z3 ------------------------------------------------------------------------------------------


def proof_regression(result: ProofResult, *, params: Params, profile_name: str) -> str:
    """The claim proved again with Z3, asserting PROVED and printing any counterexample."""
    if result.status is not ProofStatus.REFUTED:
        raise RegressionError(
            f"{result.invariant_id}: only a refuted proof has a counterexample "
            f"(status {result.status.value})"
        )
    invariant_id = result.invariant_id
    imports: Imports = {
        ("solver.claim", "ParamMode"),
        ("solver.claim", "ProofStatus"),
        ("solver.registry", "prove_invariant"),
    }
    found = [
        f"Refuted by {result.solver} under profile {profile_name!r}, parameters {result.mode.value}.",
        "It fails until the rule or the parameters are repaired. The claim:",
        f"    {result.statement}",
        "The solver's counterexample:",
        *(f"    {name} = {value}" for name, value in result.counterexample),
    ]
    body = [
        f"RECORDED = {result.counterexample!r}",
        "",
        "",
        f"def {_test_name(invariant_id, 'z3')}() -> None:",
        "    result = prove_invariant(",
        f"        {invariant_id!r}, PARAMS, PROFILE, mode=ParamMode.{result.mode.name}",
        "    )",
        "    assert result.status is ProofStatus.PROVED, (",
        '        f"{result.status.value}: counterexample {dict(result.counterexample)}"',
        '        f" (recorded: {dict(RECORDED)}) {result.reason}"',
        "    )",
    ]
    return _render(
        invariant_id, found, imports, params=params, profile_name=profile_name, body=body
    )


# --- Executor ------------------------------------------------------------------------------------


def executor_regression(
    counterexample: ExecutorCounterexample, *, params: Params, profile_name: str, seed: int
) -> str:
    """The recorded call run again with real node processes, asserting the ID holds on it."""
    invariant_id = counterexample.invariant_id
    imports: Imports = {("executor.engine", "Executor")}
    call_lines = write_call(counterexample.call, imports)
    found = [
        f"Found by stratoverify's executor under profile {profile_name!r}, seed {seed}, with real",
        "node processes. It fails until the rule is repaired. The call:",
        *(f"    {line}" for line in counterexample.description.splitlines()),
        f"broken: {counterexample.detail}",
    ]
    if invariant_id == GROUNDED:
        imports |= {("executor.grounding", "compare"), ("executor.scenario", "predict")}
        check = [
            "    predicted = predict(",
            "        CALL,",
            "        billing_output=run.reference_outputs[0],",
            "        main_output=run.reference_outputs[1],",
            "        params=PARAMS,",
            "        profile=PROFILE,",
            "    )",
            "    differences = compare(run.record, predicted)",
            "    assert not differences, differences",
        ]
    else:
        imports |= {
            ("executor.checks", "check_settled_round"),
            ("executor.grounding", "settled_rounds"),
        }
        check = [
            "    broken = [",
            "        observation.detail",
            "        for settled in settled_rounds(run, CALL, PARAMS, PROFILE)",
            "        for observation in check_settled_round(settled)",
            f"        if observation.invariant_id == {invariant_id!r} and not observation.holds",
            "    ]",
            "    assert not broken, broken",
        ]
    body = [
        *call_lines,
        "",
        "",
        f"def {_test_name(invariant_id, 'executor')}() -> None:",
        "    with Executor() as executor:",
        "        run = executor.run_call(CALL, params=PARAMS, profile=PROFILE)",
        *check,
    ]
    return _render(
        invariant_id, found, imports, params=params, profile_name=profile_name, body=body
    )


def write_call(call: TrustedCall, imports: Imports) -> list[str]:
    """`CALL = TrustedCall(...)` as source lines, one line per round."""
    imports.add(("executor.scenario", "TrustedCall"))
    lines = [
        "CALL = TrustedCall(",
        f"    billing={_write_round(call.billing, imports)},",
        f"    main={_write_round(call.main, imports)},",
    ]
    # A drawn funding (prices, top-ups, validators, prefund) replays only if it is written too.
    if call.funding != DEFAULT_FUNDING:
        lines.append(f"    funding={to_python(call.funding, imports)},")
    return [*lines, ")"]


def _write_round(round_: ExecRound, imports: Imports) -> str:
    imports.add(("executor.scenario", "ExecRound"))
    arguments = [
        f"scenario={to_python(round_.scenario, imports)}",
        f"function={_write_function(round_.function, imports)}",
        f"input={round_.input!r}",
    ]
    if round_.faults:
        arguments.append(f"faults={to_python(round_.faults, imports)}")
    return f"ExecRound({', '.join(arguments)})"


def _write_function(spec: str, imports: Imports) -> str:
    """A resolved function spec as code that resolves it again, wherever the project lives."""
    for name, resolved in FIXTURES.items():
        if spec == resolved:
            imports.add(("executor.engine", "resolve_function"))
            return f"resolve_function({name!r})"
    location, sep, callable_name = spec.rpartition(":")
    if sep and location.endswith(".py") and Path(location).is_relative_to(ROOT):
        imports |= {("executor.engine", "ROOT"), ("executor.engine", "resolve_function")}
        relative = Path(location).relative_to(ROOT).as_posix()
        return f"resolve_function(str(ROOT / {relative!r}) + {':' + callable_name!r})"
    return repr(spec)


# --- The file ------------------------------------------------------------------------------------


def _test_name(invariant_id: str, engine: str) -> str:
    """`test_<id>__<engine>`, in snake case."""
    return "test_" + invariant_id.lower().replace("-", "_") + "__" + engine


def _render(
    invariant_id: str,
    found: Iterable[str],
    imports: Imports,
    *,
    params: Params,
    profile_name: str,
    body: Iterable[str],
) -> str:
    """The module: docstring, imports, PARAMS and PROFILE as the machine regressions write them,
    then `body`."""
    invariant = get_invariant(invariant_id)
    imports = imports | {
        ("reports.param_documents", "parse_param_set"),
        ("model.profile", "PROFILES"),
    }
    docstring = [
        f"Regression for {invariant_id} (§{invariant.section}): {invariant.statement}.",
        "",
        *found,
    ]
    document = params_to_document(params)
    return "\n".join(
        [
            '"""' + _escape_docstring("\n".join(docstring)),
            '"""',
            "",
            "from __future__ import annotations",
            "",
            *_import_lines(imports),
            "",
            "PARAMS = parse_param_set(",
            "    {",
            *(f"        {subspace!r}: {values!r}," for subspace, values in document.items()),
            "    }",
            ")",
            f"PROFILE = PROFILES[{profile_name!r}]",
            *body,
            "",
        ]
    )


def _escape_docstring(text: str) -> str:
    # Details quote node output and user input: keep them from ending the docstring early.
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _import_lines(imports: Imports) -> list[str]:
    """`from module import a, b` lines: the standard library's first, then the project's."""
    names_by_module: dict[str, set[str]] = {}
    for module, name in imports:
        names_by_module.setdefault(module, set()).add(name)
    standard = [module for module in sorted(names_by_module) if "." not in module]
    project = [module for module in sorted(names_by_module) if "." in module]
    lines = [f"from {m} import {', '.join(sorted(names_by_module[m]))}" for m in standard]
    if standard:
        lines.append("")
    lines += [f"from {m} import {', '.join(sorted(names_by_module[m]))}" for m in project]
    return lines
