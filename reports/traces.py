"""Counterexamples as ITF traces (the Informal Trace Format of Apalache and Quint), as JSON data.

Each engine's counterexample becomes a list of states over fixed variables, so model-based-testing
tools replay it: integers are `{"#bigint": "..."}`, sets and maps are sorted, records are objects,
enums their value, bytes lowercase hex. Values follow Quint's types where Python's type hints say
more than the value: `X | None` is an `Option` variant, `tuple[X, ...]` a list, a fixed tuple a
`#tup`.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from executor.engine import FIXTURES, ROOT
from executor.grounding import ExecutorCounterexample
from executor.scenario import ExecRound
from model.chain.actions import Action, Effect, RoundEffect
from model.chain.state import ChainState, Genesis
from model.params import Params
from model.profile import Profile
from model.trusted.settlement import RoundOutcome, TrustedChain
from model.units import Rejected
from properties.catalogue import get_invariant
from properties.invariants.allowed import check_genesis_refused
from properties.invariants.base import Observation
from properties.invariants.total import check_genesis_raised
from properties.replay import Checked, apply_and_check, process_or_raise, start_and_check
from properties.runner import Counterexample
from solver.claim import ProofResult, ProofStatus

ITF_FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"

Itf = Any
"""A JSON-ready ITF value (dict, list, str or bool); no bare int or None ever appears."""

NONE: dict[str, Itf] = {"tag": "None", "value": {"#tup": []}}
"""Quint's `None` of an `Option`, the only way an absent value appears in a trace."""

_BULKY_EFFECT_FIELDS = (Params, TrustedChain, ChainState, RoundOutcome)
"""Effect fields that repeat what other variables already hold (the parameters and chain slices
before and after a round are in the chain-state variables, a round's outcome in `outcome`); a
trace leaves them out of its `effects`, which would otherwise double its size."""


class TraceError(ValueError):
    """Raised when a counterexample cannot become a trace: a proof that was not refuted, a
    machine counterexample without its genesis, or a value of a type ITF has no form for."""


# --- Values --------------------------------------------------------------------------------------


def to_itf(value: object, hint: object = None) -> Itf:
    """`value` as an ITF value; `hint`, the declared type where known, picks Option and list forms."""
    arguments = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in arguments:
        if value is None:
            return NONE
        others = [argument for argument in arguments if argument is not type(None)]
        return {"tag": "Some", "value": to_itf(value, others[0] if len(others) == 1 else None)}
    if value is None:
        return NONE
    scalar = _scalar(value)
    if scalar is not None:
        return scalar
    if attrs.has(type(value)):
        return _record(value)
    return _collection(value, arguments)


def _scalar(value: object) -> Itf | None:
    """A bool, string, integer, enum, byte string or fraction as ITF; None for anything else."""
    # bool before int: a bool is an int to Python, not to ITF.
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return _bigint(value)
    if isinstance(value, Enum):
        return value.value if isinstance(value.value, str) else str(value.value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Fraction):
        return {"num": _bigint(value.numerator), "den": _bigint(value.denominator)}
    return None


def _collection(value: object, arguments: tuple[Any, ...]) -> Itf:
    """A map, set, tuple or sequence as ITF, its elements typed by the hint's `arguments`."""
    if isinstance(value, Mapping):
        key_hint, value_hint = arguments if len(arguments) == 2 else (None, None)
        pairs = [[to_itf(k, key_hint), to_itf(v, value_hint)] for k, v in value.items()]
        return {"#map": sorted(pairs, key=lambda pair: _order(pair[0]))}
    if isinstance(value, AbstractSet):
        element_hint = arguments[0] if len(arguments) == 1 else None
        return {"#set": sorted((to_itf(v, element_hint) for v in value), key=_order)}
    if isinstance(value, tuple):
        # `tuple[X, ...]` is a list to Quint; a tuple of fixed length (or untyped) is a `#tup`.
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return [to_itf(v, arguments[0]) for v in value]
        if len(arguments) == len(value):
            return {"#tup": [to_itf(v, h) for v, h in zip(value, arguments, strict=True)]}
        return {"#tup": [to_itf(v) for v in value]}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        element_hint = arguments[0] if len(arguments) == 1 else None
        return [to_itf(v, element_hint) for v in value]
    raise TraceError(f"no ITF form for a {type(value).__name__}: {value!r:.80}")


def _bigint(value: int) -> dict[str, str]:
    return {"#bigint": str(value)}


def _record(value: object, *, skip: tuple[type, ...] = ()) -> dict[str, Itf]:
    """An attrs instance as an ITF record, field by field in declaration order."""
    record_class: type[Any] = type(value)
    hints = _field_hints(record_class)
    return {
        field.name: to_itf(getattr(value, field.name), hints.get(field.name))
        for field in attrs.fields(record_class)
        if not isinstance(getattr(value, field.name), skip)
    }


_HINTS: dict[type[Any], dict[str, object]] = {}


def _field_hints(record_class: type[Any]) -> dict[str, object]:
    """The declared types of a record's fields, resolved once per class."""
    hints = _HINTS.get(record_class)
    if hints is None:
        try:
            hints = typing.get_type_hints(record_class)
        except (NameError, TypeError):
            # A hint naming a type imported only for type checking: fall back to the values.
            hints = {}
        _HINTS[record_class] = hints
    return hints


def _order(value: Itf) -> tuple[int, Any]:
    """A total order on ITF values, numeric for integers, so sets and maps sort the same way
    every run."""
    if isinstance(value, dict) and set(value) == {"#bigint"}:
        return (0, int(value["#bigint"]))
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, json.dumps(value, sort_keys=True, ensure_ascii=False))


def _variant(tag: str, value: Itf) -> dict[str, Itf]:
    return {"tag": tag, "value": value}


def _trace(
    *, source: str, description: str, meta: Mapping[str, Itf], states: Sequence[Mapping[str, Itf]]
) -> dict[str, Itf]:
    """The ITF document: `vars` are the first state's keys, every state is checked to hold them."""
    variables = list(states[0]) if states else []
    for index, state in enumerate(states):
        if list(state) != variables:
            raise TraceError(f"state {index} has variables {list(state)}, expected {variables}")
    return {
        "#meta": {
            "format": "ITF",
            "format-description": ITF_FORMAT_DESCRIPTION,
            "source": source,
            "description": description,
            **meta,
        },
        "vars": variables,
        "states": [{"#meta": {"index": index}, **state} for index, state in enumerate(states)],
    }


def _describe(invariant_id: str, detail: str) -> str:
    invariant = get_invariant(invariant_id)
    text = f"{invariant_id} (§{invariant.section}): {invariant.statement}"
    return f"{text}. Broken: {detail}" if detail else text


# --- Hypothesis machine --------------------------------------------------------------------------


def machine_trace(
    counterexample: Counterexample, *, params: Params, profile: Profile
) -> dict[str, Itf]:
    """The whole-chain trace replayed step by step: the action, what it broke, the chain after."""
    genesis = counterexample.genesis
    if genesis is None:
        raise TraceError(
            f"{counterexample.invariant_id}: a {counterexample.source} counterexample has no "
            "genesis to replay (use exploration_trace for exploration counterexamples)"
        )
    try:
        started = start_and_check(genesis, params=params, profile=profile)
    except Exception as error:  # ACT-TOTAL on the genesis: no chain to show, only the genesis
        states = [_genesis_only_state(genesis, None, check_genesis_raised(error))]
    else:
        if isinstance(started, Rejected):  # ACT-ALLOWED on the genesis
            states = [_genesis_only_state(genesis, started, check_genesis_refused(started))]
        else:
            states = _machine_states(genesis, started, counterexample.actions)
    return _trace(
        source="stratoverify hypothesis machine",
        description=_describe(counterexample.invariant_id, counterexample.detail),
        meta={
            "invariant": counterexample.invariant_id,
            "profile": profile.name,
            "steps": _bigint(len(counterexample.actions)),
        },
        states=states,
    )


def _machine_states(
    genesis: Genesis, started: Checked, actions: Sequence[Action]
) -> list[dict[str, Itf]]:
    current = started
    states = [_machine_state(_variant("Genesis", _record(genesis)), None, current, ())]
    for action in actions:
        # As `properties.replay.apply_and_check`, keeping the effects; an action the model
        # raised on leaves the chain as it was and shows ACT-TOTAL broken.
        step = process_or_raise(current, action)
        if isinstance(step, Rejected):
            # The machine tried it and the chain refused: the state stays, the refusal shows.
            states.append(_machine_state(_action(action), step, current, ()))
            continue
        if isinstance(step, Checked):
            current = step
            states.append(_machine_state(_action(action), None, current, ()))
            continue
        stepped = apply_and_check(current, action)
        assert isinstance(stepped, Checked)
        current = stepped
        states.append(_machine_state(_action(action), None, current, step[1]))
    return states


def _genesis_only_state(
    genesis: Genesis, refusal: Rejected | None, observation: Observation
) -> dict[str, Itf]:
    """The one state of a trace whose genesis was refused or raised: there is no chain."""
    return {
        "action": _variant("Genesis", _record(genesis)),
        "refusal": NONE if refusal is None else _variant("Some", refusal.reason),
        "violations": _violations((observation,)),
        "effects": [],
        "outcome": NONE,
    }


def _action(action: Action) -> dict[str, Itf]:
    return _variant(type(action).__name__, _record(action))


def _machine_state(
    action: Itf, refusal: Rejected | None, checked: Checked, effects: Sequence[Effect]
) -> dict[str, Itf]:
    observations = () if refusal is not None else checked.observations
    outcomes = [e.outcome for e in effects if isinstance(e, RoundEffect) and e.outcome is not None]
    return {
        "action": action,
        "refusal": NONE if refusal is None else _variant("Some", refusal.reason),
        "violations": _violations(observations),
        "effects": [
            _variant(type(e).__name__, _record(e, skip=_BULKY_EFFECT_FIELDS)) for e in effects
        ],
        "outcome": _variant("Some", to_itf(outcomes[-1])) if outcomes else NONE,
        **_record(checked.state),
    }


def _violations(observations: Sequence[Observation]) -> Itf:
    """Invariant ID -> what broke at this step (several breaks of one ID joined)."""
    broken: dict[str, list[str]] = {}
    for observation in observations:
        if not observation.holds:
            broken.setdefault(observation.invariant_id, []).append(observation.detail)
    return to_itf({invariant_id: "; ".join(details) for invariant_id, details in broken.items()})


# --- Hypothesis exploration ----------------------------------------------------------------------


def exploration_trace(counterexample: Counterexample) -> dict[str, Itf]:
    """The shortest round path as states: the assignment, then one labelled step per state."""
    if not counterexample.steps:
        raise TraceError(f"{counterexample.invariant_id}: an exploration path has no steps")
    assignment, *steps = counterexample.steps
    last = len(steps)
    states = [
        {
            "assignment": assignment,
            "action": "init" if index == 0 else steps[index - 1],
            "violations": to_itf(
                {counterexample.invariant_id: counterexample.detail} if index == last else {}
            ),
        }
        for index in range(last + 1)
    ]
    return _trace(
        source="stratoverify hypothesis exploration",
        description=_describe(counterexample.invariant_id, counterexample.detail),
        meta={"invariant": counterexample.invariant_id},
        states=states,
    )


# --- Z3 ------------------------------------------------------------------------------------------


def proof_trace(result: ProofResult) -> dict[str, Itf]:
    """A refuted proof's counterexample as one state, one variable per input of the claim."""
    if result.status is not ProofStatus.REFUTED:
        raise TraceError(
            f"{result.invariant_id}: only a refuted proof has a counterexample "
            f"(status {result.status.value})"
        )
    state = {name: to_itf(value) for name, value in result.counterexample}
    return _trace(
        source="stratoverify z3",
        description=_describe(result.invariant_id, ""),
        meta={
            "invariant": result.invariant_id,
            "claim": result.statement,
            "mode": result.mode.value,
            "solver": result.solver,
            "logic": result.logic,
            "query_sha256": result.query_sha256,
            "note": "byte-string inputs are lowercase hex",
        },
        states=[state],
    )


# --- Executor ------------------------------------------------------------------------------------


def executor_trace(counterexample: ExecutorCounterexample) -> dict[str, Itf]:
    """The call as two states, the billing round then the main round it pays for."""
    call = counterexample.call
    states = [_round_state("billing", call.billing), _round_state("main", call.main)]
    return _trace(
        source="stratoverify executor",
        description=_describe(counterexample.invariant_id, counterexample.detail),
        meta={"invariant": counterexample.invariant_id, "call": counterexample.description},
        states=states,
    )


def _round_state(name: str, round_: ExecRound) -> dict[str, Itf]:
    scenario = round_.scenario
    return {
        "round": name,
        "function": get_function_name(round_.function),
        "input": to_itf(round_.input),
        "nodes": [to_itf(node) for node in scenario.assigned],
        "behaviours": to_itf({plan.node: plan.behaviour for plan in scenario.plans}),
        "faults": to_itf({fault.node: fault for fault in round_.faults}),
        "scenario": to_itf(scenario),
    }


def get_function_name(spec: str) -> str:
    """A resolved function spec as the user names it: the fixture name, or a path relative to
    the project, so a trace does not depend on where the project is checked out."""
    for name, resolved in FIXTURES.items():
        if spec == resolved:
            return name
    location, sep, callable_name = spec.rpartition(":")
    if sep and location.endswith(".py"):
        path = Path(location)
        if path.is_relative_to(ROOT):
            return f"{path.relative_to(ROOT)}:{callable_name}"
    return spec


# --- Text ----------------------------------------------------------------------------------------


def dump_itf(trace: Mapping[str, Itf]) -> str:
    """The trace as JSON text: indent 2, keys in document order, a trailing newline."""
    return json.dumps(trace, indent=2, ensure_ascii=False) + "\n"
