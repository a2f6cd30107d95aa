"""Counterexamples as tables a protocol designer reads: one row per step, one column per value.

report.json records each counterexample's steps as text (a machine step is the Python call that
replays it) and a proof's model as named constants; the ITF trace beside the report holds the
whole chain after every machine step. This module turns them into plain tables of strings for
report.html and report.md alike: the steps split into rule and arguments, the chain values the
failing invariant reads (taken from the trace, where the renderer is given it) and where it
broke, the solver's constants grouped into parameters, the proposal under test, state and
inputs, and the parameters the invariant reads with their checked and base values.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from model.params import param_specs
from properties.catalogue import UnknownInvariantError, get_parameters_read

Trace = Mapping[str, Any]
"""An ITF trace as JSON data (`reports.traces`)."""

MAX_STATE_COLUMNS = 10
"""State columns a step table shows at most; the trace has every value."""

CELL_CHARS = 80
"""A state value longer than this (a hash, a long list) is cut in its cell."""

PARAMETER_ROWS = 12
"""An invariant reading more parameters than this (GOV-PARAMS reads every key) shows the changed
ones and those the counterexample names; report.json has the rest."""

_PARAMETER_NAMES = frozenset(spec.name for spec in param_specs())

# The chain values (ITF paths, prefix match) each family of invariants reads; an ID no family
# names shows every value that changes along the trace.
_BALANCES = ("ledger",)
_ROUND = (
    "outcome.assigned",
    "outcome.committed",
    "outcome.revealed",
    "outcome.consensus",
    "outcome.paid",
    "outcome.slashed",
)
_STATE_READ: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        (
            "CONS-",
            "ESCROW-",
            "PAY-BURN",
            "PAY-COST",
            "ACT-TRANSFER",
            "ACT-BRIDGE",
            "ACT-ESCROW",
            "ACT-SUPPLY",
            "SUP-",
            "ACT-COMPLAINT",
        ),
        _BALANCES,
    ),
    (("SLASH-", "ACT-SLASH"), ("slashing", "nodes", "effects.SlashEffect.rate_bps")),
    (
        ("GOV-", "ACT-GOVERNANCE", "ACT-SUBCOMMITTEE", "ACT-GRANT"),
        (
            "governance.params",
            "staking.delegations",
            "effects.TallyEffect.result.yes",
            "effects.TallyEffect.result.no",
            "effects.TallyEffect.result.total_power",
            "effects.TallyEffect.result.passed",
        ),
    ),
    (("BFT-", "CR-", "PAY-", "ROUND-", "ACT-ROUND", "GROUNDED"), _ROUND),
    (("REP-", "ACT-REPUTATION"), ("reputation",)),
    (("ACT-STAKING",), ("staking", "commits")),
)
_EXECUTOR_READ = ("behaviours", "faults")
_TRACE_ONLY = frozenset({"#meta", "action", "refusal", "violations", "profile"})

_PROPOSAL_PREFIXES = ("proposal.", "change.", "constitution.")
_STATE_NAME = re.compile(
    r"(^|\.)(ustr|ustb|usdc|bond|level|stake|other_records)$|^(power|bond|level)\."
)


@frozen
class Table:
    """Headers and rows of plain text (the renderer escapes it), and a note on what is left out."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@frozen
class CounterexampleTables:
    """A counterexample as tables: its steps, the solver's values."""

    steps: Table | None
    values: tuple[tuple[str, Table], ...]
    """(group, table) per kind of solver constant: parameters, proposal, state, inputs."""
    state_note: str
    """Why the step table has no state columns, or empty."""


def load_traces(artifacts: Mapping[str, str]) -> dict[str, Trace]:
    """The ITF traces among a report's artifacts (path -> text), parsed, by path."""
    traces: dict[str, Trace] = {}
    for path, text in artifacts.items():
        if path.startswith("traces/") and path.endswith(".itf.json"):
            try:
                parsed = json.loads(text)
            except ValueError:
                continue
            if isinstance(parsed, Mapping):
                traces[path] = parsed
    return traces


def build_tables(
    invariant_id: str, example: Mapping[str, Any], traces: Mapping[str, Trace] | None = None
) -> CounterexampleTables:
    """One counterexample's tables; `traces` (path -> ITF) adds the chain values to its steps."""
    trace = (traces or {}).get(str(example.get("trace") or ""))
    steps, note = _step_table(invariant_id, example, trace)
    return CounterexampleTables(
        steps=steps, values=_value_groups(example.get("values") or {}), state_note=note
    )


# --- Steps ---------------------------------------------------------------------------------------


def split_step(text: str) -> tuple[str, str]:
    """A step as (rule, arguments): `SlashValidator(validator='v0')` -> the name and
    `validator='v0'`, one argument a line; a step that is not one call (an executor round, a path
    step) is split after its first word."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        node = None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
        arguments = [ast.unparse(argument) for argument in node.args]
        arguments += [
            f"{keyword.arg}={ast.unparse(keyword.value)}"
            if keyword.arg
            else f"**{ast.unparse(keyword.value)}"
            for keyword in node.keywords
        ]
        return ast.unparse(node.func), "\n".join(arguments)
    # An executor round ("main compute(9): n0 honest, ...") or a path step: its first word.
    word = re.match(r"([A-Za-z][\w-]*) (.+)", text.strip(), re.DOTALL)
    return (word.group(1), word.group(2)) if word else ("", text)


def _step_table(
    invariant_id: str, example: Mapping[str, Any], trace: Trace | None
) -> tuple[Table | None, str]:
    steps = [str(step) for step in example.get("steps") or []]
    if not steps:
        return None, ""
    split = [split_step(step) for step in steps]
    headers = ["#", "rule", "arguments"]
    rows = [[str(index), rule, arguments] for index, (rule, arguments) in enumerate(split)]
    # An executor call may end in a line on its funding, which is no round of the trace.
    states = _trace_states(trace, len(steps), partial=example.get("engine") == "executor")
    if states is None:
        why = (
            "The chain values after each step are in the ITF trace, not in report.json"
            if example.get("trace")
            else ""
        )
        return Table(tuple(headers), tuple(tuple(row) for row in rows)), why
    flat = [_flatten_state(state, _state_read(invariant_id, example)) for state in states]
    columns = _varying(flat)
    shown, hidden = columns[:MAX_STATE_COLUMNS], len(columns) - MAX_STATE_COLUMNS
    refused = [_show(state.get("refusal")) for state in states]
    broke = [_broke(state.get("violations"), invariant_id) for state in states]
    if any(refused):
        headers.append("refused")
    headers += [*(_label(column) for column in shown), f"{invariant_id} broken"]
    for row, values, refusal, broken in zip(rows, flat, refused, broke, strict=True):
        if any(refused):
            row.append(refusal)
        row += [values.get(column, "") for column in shown]
        row.append(broken)
    where = "change along the trace" if len(states) > 1 else "are in the state"
    note = f"{hidden} more chain values {where}; the ITF trace has them all." if hidden > 0 else ""
    return Table(tuple(headers), tuple(tuple(row) for row in rows), note), ""


def _trace_states(
    trace: Trace | None, steps: int, *, partial: bool
) -> list[Mapping[str, Any]] | None:
    """The trace's states, one per step (the machine; the executor's rounds may be fewer), padded
    with empty states to the steps."""
    if trace is None:
        return None
    states = trace.get("states")
    if not isinstance(states, list) or not states or len(states) > steps:
        return None
    if len(states) < steps and not partial:
        return None
    if not all(isinstance(state, Mapping) for state in states):
        return None
    return [*states, *([{}] * (steps - len(states)))]


def _state_read(invariant_id: str, example: Mapping[str, Any]) -> tuple[str, ...]:
    if example.get("engine") == "executor":
        return _EXECUTOR_READ
    for prefixes, paths in _STATE_READ:
        if invariant_id.startswith(prefixes):
            return paths
    return ()


def _flatten_state(state: Mapping[str, Any], read: Sequence[str]) -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in state.items():
        if name not in _TRACE_ONLY:
            _flatten(name, value, flat)
    if not read:
        return flat
    chosen = {
        path: value
        for path, value in flat.items()
        if any(path == prefix or path.startswith((prefix + ".", prefix + "[")) for prefix in read)
        or any(
            # Effects are a list per step; the kind of effect names a column across steps.
            path.startswith("effects[") and _drop_index(path).startswith(prefix)
            for prefix in read
        )
    }
    if "ledger" in read:
        # What a conservation invariant compares: every account's balance of a token, summed.
        for token in ("ustr", "ustb"):
            amounts = [
                int(value)
                for path, value in flat.items()
                if path.startswith("ledger.balances[")
                and path.endswith(f"].{token}")
                and value.lstrip("-").isdigit()
            ]
            if amounts:
                chosen[f"ledger.sum.{token}"] = str(sum(amounts))
    return chosen


def _label(path: str) -> str:
    """A column's name: its path, less the parts every reader knows (`effects[0].`, the
    parameters' `governance.params.`)."""
    for prefix in ("effects[0].", "governance.params."):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def _drop_index(path: str) -> str:
    return re.sub(r"^effects\[\d+\]", "effects", path)


def _varying(flat: Sequence[Mapping[str, str]]) -> list[str]:
    """The paths whose value is not the same at every step (all paths for a one-state trace)."""
    order = list(dict.fromkeys(path for values in flat for path in values))
    if len(flat) > 1:
        order = [path for path in order if len({values.get(path, "") for values in flat}) > 1]
    # Totals and flags before the entries of maps: `ledger.sum.ustr` before each balance.
    return sorted(order, key=lambda path: path.count(".") + path.count("["))


def _broke(violations: object, invariant_id: str) -> str:
    for key, detail in _pairs(violations):
        if key == invariant_id:
            return _cut(_show(detail)) or "broken"
    return ""


# --- ITF values ----------------------------------------------------------------------------------


def _pairs(value: object) -> list[tuple[str, object]]:
    if isinstance(value, Mapping) and isinstance(value.get("#map"), list):
        return [(_show(pair[0]), pair[1]) for pair in value["#map"] if len(pair) == 2]
    return []


def _is_scalar(value: object) -> bool:
    if isinstance(value, str | bool | int) or value is None:
        return True
    if isinstance(value, Mapping):
        if set(value) == {"#bigint"} or set(value) == {"num", "den"}:
            return True
        if value.get("tag") == "None":
            return True
        if value.get("tag") == "Some":
            return _is_scalar(value.get("value"))
        if "#set" in value or "#tup" in value:
            items = value.get("#set", value.get("#tup"))
            return isinstance(items, list) and all(_is_scalar(item) for item in items)
    if isinstance(value, list):
        return all(_is_scalar(item) for item in value)
    return False


def _show(value: object) -> str:
    """A scalar ITF value as text: integers plain, None empty, sets and lists comma-joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    if isinstance(value, list):
        return ", ".join(_show(item) for item in value)
    if isinstance(value, Mapping):
        if set(value) == {"#bigint"}:
            return str(value["#bigint"])
        if set(value) == {"num", "den"}:
            return f"{_show(value['num'])}/{_show(value['den'])}"
        if value.get("tag") == "None":
            return ""
        if value.get("tag") == "Some":
            return _show(value.get("value"))
        if "#set" in value:
            return "{" + _show(value["#set"]) + "}"
        if "#tup" in value:
            return "(" + _show(value["#tup"]) + ")"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _flatten(path: str, value: object, out: dict[str, str]) -> None:
    if _is_scalar(value):
        out[path] = _show(value)
    elif isinstance(value, Mapping) and isinstance(value.get("#map"), list):
        for key, item in _pairs(value):
            _flatten(f"{path}[{key}]", item, out)
    elif isinstance(value, Mapping) and "tag" in value and "value" in value:
        _flatten(f"{path}.{value['tag']}" if value["tag"] != "Some" else path, value["value"], out)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _flatten(f"{path}.{key}", item, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten(f"{path}[{index}]", item, out)
    else:
        out[path] = _show(value)


def _cut(text: str) -> str:
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


# --- The solver's values and the parameters ------------------------------------------------------


def classify_value(name: str) -> str:
    """What a solver constant is: `parameter`, `proposal`, `state` or `input`, by its name."""
    base = name[: -len(".name")] if name.endswith(".name") else name
    if base in _PARAMETER_NAMES:
        return "parameter"
    if base.startswith(_PROPOSAL_PREFIXES):
        return "proposal"
    if _STATE_NAME.search(base):
        return "state"
    return "input"


_GROUPS = (
    ("parameter", "parameters"),
    ("proposal", "proposal under test"),
    ("state", "state"),
    ("input", "inputs"),
)


def _value_groups(values: Mapping[str, Any]) -> tuple[tuple[str, Table], ...]:
    groups: dict[str, list[tuple[str, str]]] = {kind: [] for kind, _ in _GROUPS}
    for name, value in values.items():
        groups[classify_value(str(name))].append((str(name), _show(value)))
    return tuple(
        (title, Table(("name", "value"), tuple(groups[kind])))
        for kind, title in _GROUPS
        if groups[kind]
    )


def _param_value(params: object, name: str) -> str:
    subspace, _, key = name.partition(".")
    if isinstance(params, Mapping) and isinstance(params.get(subspace), Mapping):
        return _show(params[subspace].get(key))
    return ""


def get_parameter_table(invariant_id: str, document: Mapping[str, Any]) -> Table | None:
    """The parameters `invariant_id` reads (`properties.catalogue.get_parameters_read`) with their
    checked and base values; None for an ID outside the catalogue or one that reads none."""
    named = {
        str(name)
        for row in document.get("invariants") or []
        if row.get("id") == invariant_id
        for example in row.get("counterexamples") or []
        for name in example.get("values") or {}
    }
    try:
        read = get_parameters_read(invariant_id)
    except UnknownInvariantError:
        return None
    if not read:
        return None
    inputs: Mapping[str, Any] = document.get("inputs") or {}
    base: Mapping[str, Any] = inputs.get("base") or {}
    rows = [
        (name, _param_value(inputs.get("params"), name), _param_value(base.get("params"), name))
        for name in read
    ]
    note = ""
    if len(rows) > PARAMETER_ROWS:
        kept = [row for row in rows if row[1] != row[2] or row[0] in named]
        note = (
            f"{invariant_id} reads {len(rows)} parameters; the {len(rows) - len(kept)} at their "
            "base value are not shown (report.json has inputs.params)."
            if kept
            else f"{invariant_id} reads {len(rows)} parameters, every one at its base value here "
            "(report.json has inputs.params)."
        )
        rows = kept
    return Table(("parameter", "checked", "base"), tuple(rows), note)
