"""Reading parameter documents: a parameter set over a base, or a proposal's list of changes.

Input is already-decoded JSON (reading files is the command line's job). Every value is an
integer or a decimal string as Cosmos writes one, every key is known, every value is in its
domain; anything else raises one of `model.params`' errors naming the place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from numbers import Number

from model.params import (
    WHITEPAPER_PARAMS,
    DuplicateChangeError,
    MalformedParamsError,
    NotAnIntegerError,
    OutOfDomainError,
    Params,
    ParamSpec,
    get_param_spec,
    get_subspace_class,
    with_values,
)

MAX_DECIMAL_DIGITS = 40
"""A decimal string longer than this is out of every domain; it is refused before conversion."""
_DECIMAL = re.compile(r"[+-]?[0-9]+")


def parse_param_value(raw: object, *, where: str) -> int:
    """A JSON integer, or a decimal integer string as Cosmos writes one, as an int."""
    if isinstance(raw, bool):
        raise NotAnIntegerError(where, f"expected an integer, got the boolean {str(raw).lower()}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if not _DECIMAL.fullmatch(text):
            raise NotAnIntegerError(where, f"expected a decimal integer string, got {raw[:40]!r}")
        if len(text.lstrip("+-")) > MAX_DECIMAL_DIGITS:
            raise OutOfDomainError(where, f"a {len(text)}-digit value is outside every domain")
        return int(text)
    if isinstance(raw, Number):
        raise NotAnIntegerError(
            where, f"expected an integer, got {raw} (write integers without a fraction or exponent)"
        )
    raise NotAnIntegerError(where, f"expected an integer, got {_kind(raw)}")


def parse_param_set(document: object, *, base: Params = WHITEPAPER_PARAMS) -> Params:
    """A parameter-set document `{subspace: {key: value}}` over `base`; keys left out keep base."""
    if not isinstance(document, Mapping):
        raise MalformedParamsError(
            "parameter set", f"expected a JSON object, got {_kind(document)}"
        )
    values: dict[tuple[str, str], int] = {}
    for subspace, entries in document.items():
        get_subspace_class(subspace, where=str(subspace))
        if not isinstance(entries, Mapping):
            raise MalformedParamsError(
                str(subspace), f"expected an object of keys, got {_kind(entries)}"
            )
        for key, raw in entries.items():
            where = f"{subspace}.{key}"
            spec = get_param_spec(subspace, key, where=where)
            values[(subspace, key)] = _in_domain(spec, parse_param_value(raw, where=where), where)
    return with_values(base, values)


def apply_changes(base: Params, changes: object, *, where: str = "changes") -> Params:
    """A Cosmos legacy param-change list `[{subspace, key, value}]` applied over `base`."""
    if not isinstance(changes, list):
        raise MalformedParamsError(where, f"expected a list of changes, got {_kind(changes)}")
    if not changes:
        raise MalformedParamsError(where, "a proposal must change at least one parameter")
    values: dict[tuple[str, str], int] = {}
    for index, change in enumerate(changes):
        place = f"{where}[{index}]"
        if not isinstance(change, Mapping):
            raise MalformedParamsError(place, f"expected an object, got {_kind(change)}")
        missing = [name for name in ("subspace", "key", "value") if name not in change]
        if missing:
            raise MalformedParamsError(place, f"missing {', '.join(missing)}")
        extra = sorted(set(change) - {"subspace", "key", "value"})
        if extra:
            raise MalformedParamsError(place, f"unexpected field {extra[0]!r}")
        subspace, key = change["subspace"], change["key"]
        if not isinstance(subspace, str) or not isinstance(key, str):
            raise MalformedParamsError(place, "subspace and key must be strings")
        name = f"{place} ({subspace}.{key})"
        spec = get_param_spec(subspace, key, where=name)
        if (subspace, key) in values:
            raise DuplicateChangeError(name, "this key is already changed earlier in the list")
        value = parse_param_value(change["value"], where=name)
        values[(subspace, key)] = _in_domain(spec, value, name)
    return with_values(base, values)


def _in_domain(spec: ParamSpec, value: int, where: str) -> int:
    if not spec.minimum <= value <= spec.maximum:
        raise OutOfDomainError(
            where, f"{value} is outside the allowed range {spec.minimum}..{spec.maximum}"
        )
    return value


def _kind(value: object) -> str:
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    for python_type, name in kinds.items():
        if isinstance(value, python_type):
            return name
    if value is None:
        return "null"
    return "a number" if isinstance(value, Number) else type(value).__name__
