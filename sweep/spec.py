"""The sweep file: which parameter values `stratoverify sweep` checks, read from TOML or JSON.

A sweep file names one to four parameters and, for each, a list of values, an inclusive range or
(with a `[sample]` table) random bounds; the points are either every combination of the values
(a grid) or a seeded random sample. Reading checks the document against the published JSON Schema
(`sweep/schema/sweep-spec.schema.json`), then against the parameter domains and the invariant
catalogue; every problem is one `SpecError` line that names the file and the place in it.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
import os
import random
import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from attrs import frozen
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

from model.params import ParamSpec, param_specs
from properties.catalogue import INVARIANT_IDS, Engine
from reports.inputs import (
    DuplicateKeyError,
    object_without_duplicates,
    read_file_bytes,
    refuse_constant,
)

__all__ = [
    "DEFAULT_EFFORT",
    "DEFAULT_PROFILE",
    "ENGINES",
    "MAX_POINTS",
    "MAX_SPEC_BYTES",
    "SPEC_SCHEMA_ID",
    "KeyAxis",
    "Point",
    "SpecError",
    "SweepSpec",
    "get_spec_schema",
    "load_spec",
]

SPEC_SCHEMA_ID = "https://stratoverify.invalid/schema/sweep-spec/1"
"""The `$id` of the published schema of sweep files."""

MAX_SPEC_BYTES = 1024 * 1024
"""A sweep file is a few lines; a larger file is refused before it is read."""

MAX_POINTS = 100_000
"""The most points one sweep checks: the size of a grid, a sample's `count`, a key's values."""

ENGINES: tuple[str, ...] = tuple(engine.value for engine in Engine)
"""Every engine, in the canonical order a spec's `engines` is kept in."""

DEFAULT_PROFILE = "hardened"
DEFAULT_EFFORT = "quick"

_SCHEMA_RESOURCE = "schema/sweep-spec.schema.json"
_FORMATS = {".toml": "TOML", ".json": "JSON"}
_SHOWN_CHARS = 60
_MESSAGE_CHARS = 160
_BARE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_Place = tuple[str | int, ...]


class SpecError(ValueError):
    """Raised when a sweep file cannot be used; the message is one line starting with its path."""

    def __init__(self, message: str) -> None:
        # The message ends up as one line on stderr: no file may smuggle a line break into it.
        super().__init__(message.replace("\r", "\\r").replace("\n", "\\n"))


@frozen
class KeyAxis:
    """One swept parameter and the values it takes."""

    name: str
    """`subspace.key`, as in `model.params.param_specs()`."""
    values: tuple[int, ...]
    """The listed values (a `range` expanded, ascending); empty for a `random` key."""
    random: tuple[int, int] | None
    """`(from, to)`, both included, for a `random` key; None otherwise."""


@frozen
class Point:
    """One parameter set of the sweep: the swept keys' values, over the spec's base."""

    index: int
    """0-based, in expansion order."""
    values: tuple[tuple[str, int], ...]
    """`(key, value)` in the spec's key order."""


@frozen
class SweepSpec:
    """A validated sweep file: how to check, and which points."""

    source: str
    """The sweep file's path as given."""
    sha256: str
    """sha256 of the file's bytes."""
    profile: str
    effort: str
    seed: int
    """The seed of every engine at every point."""
    engines: tuple[str, ...]
    """In the canonical order of `ENGINES`."""
    only: tuple[str, ...]
    """Invariant IDs in catalogue order; empty for every invariant."""
    base: str | None
    """The base parameter set's absolute path, or None for the whitepaper defaults."""
    regions: bool
    keys: tuple[KeyAxis, ...]
    sample_count: int | None
    """How many points to draw; None for the full grid."""
    sample_seed: int | None
    """The seed of the draw; None for the full grid."""

    def points(self) -> tuple[Point, ...]:
        """Every point to check: the grid (first key slowest) or the sample in draw order,
        where a point drawn again is kept only the first time."""
        if self.sample_count is None:
            combinations: Iterable[tuple[int, ...]] = itertools.product(
                *(axis.values for axis in self.keys)
            )
        else:
            combinations = dict.fromkeys(self._draw(self.sample_count, self.sample_seed or 0))
        names = tuple(axis.name for axis in self.keys)
        return tuple(
            Point(index, tuple(zip(names, combination, strict=True)))
            for index, combination in enumerate(combinations)
        )

    def _draw(self, count: int, seed: int) -> Iterable[tuple[int, ...]]:
        rng = random.Random(seed)
        for _ in range(count):
            yield tuple(
                rng.choice(axis.values) if axis.random is None else rng.randint(*axis.random)
                for axis in self.keys
            )

    def to_document(self) -> dict[str, Any]:
        """Everything that decides what the sweep checks, as JSON values with a stable key order.
        The file's path and hash are left out, so the same sweep written in TOML or JSON, or
        kept in another folder, gives the same document."""
        keys: list[dict[str, Any]] = []
        for axis in self.keys:
            if axis.random is None:
                keys.append({"name": axis.name, "values": list(axis.values)})
            else:
                low, high = axis.random
                keys.append({"name": axis.name, "random": {"from": low, "to": high}})
        sample = (
            None
            if self.sample_count is None
            else {"count": self.sample_count, "seed": self.sample_seed}
        )
        return {
            "profile": self.profile,
            "effort": self.effort,
            "seed": self.seed,
            "engines": list(self.engines),
            "only": list(self.only),
            "base": self.base,
            "regions": self.regions,
            "keys": keys,
            "sample": sample,
        }


def get_spec_schema() -> dict[str, Any]:
    """The published JSON Schema of sweep files (a fresh copy on each call)."""
    document: dict[str, Any] = json.loads(_read_schema_text())
    return document


@cache
def _read_schema_text() -> str:
    return resources.files("sweep").joinpath(_SCHEMA_RESOURCE).read_text("utf-8")


def _is_strict_integer(checker: object, instance: object) -> bool:
    # JSON Schema counts 1.0 as an integer; a parameter value written as a float is a mistake.
    return isinstance(instance, int) and not isinstance(instance, bool)


# jsonschema's `extend` has no annotations; the class it returns is a Draft202012Validator.
_StrictValidator: type[Draft202012Validator] = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_strict_integer),
)


@cache
def _get_validator() -> Draft202012Validator:
    validator: Draft202012Validator = _StrictValidator(get_spec_schema())
    return validator


def load_spec(path: str | os.PathLike[str]) -> SweepSpec:
    """The sweep file at `path` (`.toml` or `.json`), validated; any problem is a `SpecError`."""
    file = Path(path)
    where = str(path)
    raw = _read_bytes(file, where)
    document = _decode(raw, file.suffix.lower(), where)
    _check_schema(document, where)
    return _build(document, file=file, where=where, sha256=hashlib.sha256(raw).hexdigest())


def _read_bytes(file: Path, where: str) -> bytes:
    if file.suffix.lower() not in _FORMATS:
        raise SpecError(
            f"{where}: a sweep file ends in .toml or .json, not {file.suffix or 'no suffix'!r}"
        )
    return read_file_bytes(
        file,
        where=where,
        max_bytes=MAX_SPEC_BYTES,
        expected="a sweep file (see docs/sweep.md)",
        refuse=SpecError,
    )


def _decode(raw: bytes, suffix: str, where: str) -> object:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpecError(f"{where}: not UTF-8 (byte {error.start})") from None
    try:
        if suffix == ".toml":
            return tomllib.loads(text)
        return json.loads(
            text, object_pairs_hook=object_without_duplicates, parse_constant=refuse_constant
        )
    except DuplicateKeyError as error:
        raise SpecError(
            f"{where}: not valid JSON: the key {_show(error.key)} appears twice in one object"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{where}: not valid TOML: {error}") from None
    except json.JSONDecodeError as error:
        raise SpecError(
            f"{where}: not valid JSON at line {error.lineno} column {error.colno} ({error.msg})"
        ) from None
    except RecursionError:
        raise SpecError(f"{where}: nested too deeply to be a sweep file") from None
    except ValueError as error:  # a repeated key, NaN, an integer of thousands of digits
        raise SpecError(f"{where}: not valid {_FORMATS[suffix]}: {error}") from None


def _check_schema(document: object, where: str) -> None:
    error = best_match(_get_validator().iter_errors(document))
    if error is not None:
        raise SpecError(f"{where}: {_format_place(tuple(error.absolute_path))}: {_describe(error)}")


def _describe(error: ValidationError) -> str:
    """The schema error in the words of the sweep file's format."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        known = schema.get("properties", {})
        unknown = [name for name in error.instance if name not in known]
        if unknown:
            hint = _suggest(unknown[0], known)
            return f"unknown field {_show(unknown[0])}{hint}; known: {', '.join(known)}"
    if error.validator in ("minProperties", "maxProperties") and tuple(error.path) == ("keys",):
        given = len(error.instance) if isinstance(error.instance, Mapping) else "?"
        return f"a sweep varies 1 to 4 keys, not {given}"
    if error.validator in ("minProperties", "maxProperties") and "values" in schema.get(
        "properties", {}
    ):
        return "give exactly one of values, range or random"
    if error.validator == "uniqueItems" and isinstance(error.instance, list):
        repeated = [v for i, v in enumerate(error.instance) if v in error.instance[:i]]
        if repeated:
            return f"{_show(repeated[0])} is listed twice"
    message = " ".join(error.message.split())
    if len(message) > _MESSAGE_CHARS:
        message = message[: _MESSAGE_CHARS - 3] + "..."
    return message


def _build(document: Any, *, file: Path, where: str, sha256: str) -> SweepSpec:
    """The spec of a document the schema accepts, after the checks a schema cannot make."""
    specs = {spec.name: spec for spec in param_specs()}
    sample = document.get("sample")
    keys = tuple(
        _build_axis(name, axis, specs=specs, sampled=sample is not None, where=where)
        for name, axis in document["keys"].items()
    )
    if sample is None:
        size = math.prod(len(axis.values) for axis in keys)
        if size > MAX_POINTS:
            raise SpecError(
                f"{where}: keys: the grid has {size} points, more than the {MAX_POINTS} a sweep "
                "may check; list fewer values, or draw some of them with a [sample] table"
            )
    only = set(document.get("only", ()))
    for position, invariant_id in enumerate(document.get("only", ())):
        if invariant_id not in INVARIANT_IDS:
            hint = _suggest(invariant_id, INVARIANT_IDS)
            raise SpecError(
                f"{where}: only[{position}]: unknown invariant {_show(invariant_id)}{hint}"
            )
    engines = set(document.get("engines", ENGINES))
    return SweepSpec(
        source=where,
        sha256=sha256,
        profile=document.get("profile", DEFAULT_PROFILE),
        effort=document.get("effort", DEFAULT_EFFORT),
        seed=document.get("seed", 0),
        engines=tuple(engine for engine in ENGINES if engine in engines),
        only=tuple(invariant_id for invariant_id in INVARIANT_IDS if invariant_id in only),
        base=_resolve_base(document.get("base"), file=file, where=where),
        regions=document.get("regions", True),
        keys=keys,
        sample_count=None if sample is None else sample["count"],
        sample_seed=None if sample is None else sample.get("seed", 0),
    )


def _build_axis(
    name: str,
    axis: Mapping[str, Any],
    *,
    specs: Mapping[str, ParamSpec],
    sampled: bool,
    where: str,
) -> KeyAxis:
    place: _Place = ("keys", name)
    spec = specs.get(name)
    if spec is None:
        raise SpecError(
            f"{where}: {_format_place(place)}: unknown parameter {_show(name)}"
            f"{_suggest(name, specs)}; `stratoverify params --format table` lists the names"
        )
    if "values" in axis:
        for index, value in enumerate(axis["values"]):
            _check_domain(spec, value, (*place, "values", index), where)
        return KeyAxis(name, tuple(axis["values"]), None)
    if "range" in axis:
        low, high, step = axis["range"]["from"], axis["range"]["to"], axis["range"]["step"]
        _check_bounds(spec, low, high, (*place, "range"), where)
        count = (high - low) // step + 1
        if count > MAX_POINTS:
            instead = "" if not sampled else "; draw it with random = {from, to} instead"
            raise SpecError(
                f"{where}: {_format_place((*place, 'range'))}: {count} values, more than the "
                f"{MAX_POINTS} a key may take{instead}"
            )
        return KeyAxis(name, tuple(range(low, high + 1, step)), None)
    low, high = axis["random"]["from"], axis["random"]["to"]
    if not sampled:
        raise SpecError(
            f"{where}: {_format_place((*place, 'random'))}: a random key needs a [sample] table; "
            "a grid takes values or range"
        )
    _check_bounds(spec, low, high, (*place, "random"), where)
    return KeyAxis(name, (), (low, high))


def _check_bounds(spec: ParamSpec, low: int, high: int, place: _Place, where: str) -> None:
    _check_domain(spec, low, (*place, "from"), where)
    _check_domain(spec, high, (*place, "to"), where)
    if low > high:
        raise SpecError(
            f"{where}: {_format_place(place)}: from {low} is greater than to {high}; "
            "from must be at most to"
        )


def _check_domain(spec: ParamSpec, value: int, place: _Place, where: str) -> None:
    if not spec.minimum <= value <= spec.maximum:
        raise SpecError(
            f"{where}: {_format_place(place)}: {_show_number(value)} is outside the domain of "
            f"{spec.name}, {spec.minimum}..{spec.maximum}"
        )


def _resolve_base(base: str | None, *, file: Path, where: str) -> str | None:
    if base is None:
        return None
    try:
        resolved = (file.parent / base).resolve()
        if not resolved.exists():
            raise SpecError(f"{where}: base: no such file {str(resolved)!r}")
        if not resolved.is_file():
            raise SpecError(f"{where}: base: {str(resolved)!r} is not a file")
    except (OSError, RuntimeError, ValueError) as error:  # a loop of links, a NUL in the name
        if isinstance(error, SpecError):
            raise
        raise SpecError(f"{where}: base: cannot use {_show(base)} ({error})") from None
    return str(resolved)


def _format_place(place: _Place) -> str:
    """A place as a JSON path without its `$`: `keys["payment.str_burn_bps"].values[2]`."""
    text = ""
    for part in place:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _BARE_NAME.fullmatch(part):
            text += f".{part}"
        else:
            text += f"[{_show(part, quote=json.dumps)}]"
    return text.lstrip(".") or "the top level"


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _show(value: object, *, quote: Any = repr) -> str:
    shown: str = quote(value)
    return shown if len(shown) <= _SHOWN_CHARS else shown[: _SHOWN_CHARS - 3] + "..."


def _show_number(value: int) -> str:
    digits = str(value)
    if len(digits) <= _SHOWN_CHARS:
        return digits
    return f"{digits[:20]}... ({len(digits.lstrip('-'))} digits)"
