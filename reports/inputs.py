"""Reading a user's parameter set or proposal from disk into a validated `Params`, over a base.

Everything a user can get wrong about a file (missing, a directory, not UTF-8, not JSON, NaN,
duplicated keys, a 5,000-digit number, the wrong shape) becomes one `InputError` whose message
names the file and the place, so the command line can print one line and exit 2. A loaded input
also says which parameters it changes from its base, and on which line of the file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from attrs import frozen

from model.params import (
    WHITEPAPER_PARAMS,
    MalformedParamsError,
    Params,
    ParamsError,
    get_param,
    param_specs,
)
from reports.locate import (
    JsonPath,
    LocateError,
    compute_line_map,
    find_duplicate_key,
    format_json_path,
)
from reports.param_documents import (
    MAX_DECIMAL_DIGITS,
    LongIntegerLiteral,
    apply_changes,
    apply_update_params,
    get_update_params_subspace,
    parse_param_set,
)

DEFAULTS = "whitepaper defaults"
PARAMETER_SET = "parameter set"
LEGACY_PROPOSAL = "legacy proposal"
GOV_V1_PROPOSAL = "gov v1 proposal"
KINDS = (DEFAULTS, PARAMETER_SET, LEGACY_PROPOSAL, GOV_V1_PROPOSAL)
"""The kinds of input `LoadedParams.kind` names."""

LEGACY_PROPOSAL_FIELDS = frozenset({"title", "description", "changes", "deposit"})
"""The fields of a Cosmos SDK legacy `ParameterChangeProposal` JSON file."""

GOV_V1_PROPOSAL_FIELDS = frozenset(
    {"messages", "metadata", "deposit", "title", "summary", "expedited"}
)
"""The fields of a proposal file for `simd tx gov submit-proposal` (Cosmos SDK gov v1)."""

_GOV_V1_FIELD_TYPES: dict[str, tuple[type, str]] = {
    "metadata": (str, "a string"),
    "deposit": (str, "a coin string such as '10000000ustr'"),
    "title": (str, "a string"),
    "summary": (str, "a string"),
    "expedited": (bool, "true or false"),
}

MAX_INPUT_BYTES = 4 * 1024 * 1024
"""Parameter sets and proposals are small; a larger file is refused before it is read."""


class InputError(ValueError):
    """Raised when a user's input file cannot be used; the message is one line naming the place."""

    def __init__(self, message: str) -> None:
        # The message ends up as one line on stderr: no input may smuggle a line break into it.
        super().__init__(message.replace("\r", "\\r").replace("\n", "\\n"))


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@frozen
class ParamChange:
    """One parameter the input moves away from its base, and the line of the file that sets it."""

    parameter: str
    """`subspace.key`."""
    subspace: str
    key: str
    base: int
    value: int
    line: int | None
    """1-based line in the input file where the value is set; None when there is no file."""


@frozen(kw_only=True)
class LoadedParams:
    """A validated parameter set, where it came from, and what it changes from its base."""

    params: Params
    source: str
    """The input file's path, or `whitepaper defaults`."""
    kind: str
    """One of `KINDS`: `whitepaper defaults`, `parameter set`, `legacy proposal`, `gov v1 proposal`."""
    base: Params
    base_source: str
    """The base's file path, or `whitepaper defaults`."""
    changes: tuple[ParamChange, ...]
    """Every parameter whose value differs from `base`, in `param_specs()` order."""
    input_sha256: str | None
    """sha256 of the input file's bytes; None for the whitepaper defaults."""


@frozen
class _Input:
    """A decoded input file: its bytes' hash, its text (for locating) and its JSON value."""

    sha256: str
    text: str
    document: object


def get_defaults() -> LoadedParams:
    """The whitepaper's defaults, checked when no file is given."""
    return LoadedParams(
        params=WHITEPAPER_PARAMS,
        source=DEFAULTS,
        kind=DEFAULTS,
        base=WHITEPAPER_PARAMS,
        base_source=DEFAULTS,
        changes=(),
        input_sha256=None,
    )


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    document: dict[str, object] = {}
    for key, value in pairs:
        if key in document:
            raise _DuplicateKeyError(key)
        document[key] = value
    return document


def _parse_int(literal: str) -> int | str:
    # Python refuses to convert very long literals (and slowly converts long ones); a literal
    # past every domain is handed on as its digits so the domain check names its place.
    if len(literal.lstrip("-")) > MAX_DECIMAL_DIGITS:
        return LongIntegerLiteral(literal)
    return int(literal)


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _read_input(path: Path, *, max_bytes: int = MAX_INPUT_BYTES) -> _Input:
    where = str(path)
    try:
        if not path.exists():
            raise InputError(f"{where}: no such file")
        if path.is_dir():
            raise InputError(f"{where}: is a directory, expected a JSON file")
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{where}: {size} bytes is larger than the {max_bytes} allowed")
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(f"{where}: cannot read ({error.strerror or error})") from None
    if not raw.strip():
        raise InputError(f"{where}: the file is empty, expected a JSON object")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{where}: not UTF-8 (byte {error.start})") from None
    try:
        document = json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_int=_parse_int,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
        )
    except _DuplicateKeyError as error:
        raise InputError(f"{where}: {_describe_duplicate(text, error.key)}") from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"{where}: not valid JSON at line {error.lineno} column {error.colno} ({error.msg})"
        ) from None
    except RecursionError:
        raise InputError(f"{where}: nested too deeply to be a parameter set") from None
    except ValueError as error:
        raise InputError(f"{where}: {error}") from None
    return _Input(hashlib.sha256(raw).hexdigest(), text, document)


def _describe_duplicate(text: str, key: str) -> str:
    # The decoder names the key but not where it is; the walker finds the first repeat in
    # the text, which the decoder has read up to here.
    try:
        found = find_duplicate_key(text)
    except LocateError:  # pragma: no cover - the decoder accepted this much of the text
        found = None
    if found is None:  # pragma: no cover - the decoder just saw a repeated key
        return f"the key {_short_repr(key)} appears twice in one object"
    path, line = found
    return (
        f"{format_json_path(path)}: the key {_short_repr(str(path[-1]))} appears twice in one "
        f"object (again on line {line})"
    )


def _short_repr(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def read_json_document(path: Path, *, max_bytes: int = MAX_INPUT_BYTES) -> object:
    """The JSON value in `path`, decoded strictly; any problem is an `InputError`."""
    return _read_input(path, max_bytes=max_bytes).document


def get_document_kind(document: object) -> str:
    """Which kind of input a decoded document is: a parameter set or one of the proposal shapes."""
    if not isinstance(document, Mapping):
        return PARAMETER_SET  # which parse_param_set refuses, naming what it got instead
    if "changes" in document and "messages" in document:
        raise MalformedParamsError(
            "proposal",
            "has both 'changes' (legacy) and 'messages' (gov v1); a proposal is one or the other",
        )
    if "changes" in document:
        return LEGACY_PROPOSAL
    if "messages" in document:
        return GOV_V1_PROPOSAL
    proposal_fields = sorted((LEGACY_PROPOSAL_FIELDS | GOV_V1_PROPOSAL_FIELDS) & set(document))
    if proposal_fields:
        raise MalformedParamsError(
            "proposal",
            f"has {proposal_fields[0]!r} but neither 'changes' (a legacy proposal) "
            "nor 'messages' (a gov v1 proposal)",
        )
    return PARAMETER_SET


def params_from_document(
    document: object, *, base: Params = WHITEPAPER_PARAMS
) -> tuple[Params, str]:
    """A parameter set, a Cosmos legacy param-change proposal or a gov v1 proposal, over `base`."""
    kind = get_document_kind(document)
    if kind == PARAMETER_SET or not isinstance(document, Mapping):
        return parse_param_set(document, base=base), kind
    if kind == LEGACY_PROPOSAL:
        _check_fields(document, LEGACY_PROPOSAL_FIELDS, "a legacy proposal")
        return apply_changes(base, document["changes"]), kind
    _check_fields(document, GOV_V1_PROPOSAL_FIELDS, "a gov v1 proposal")
    for name, (python_type, expected) in _GOV_V1_FIELD_TYPES.items():
        if name in document and not isinstance(document[name], python_type):
            raise MalformedParamsError(name, f"expected {expected}")
    return apply_update_params(base, document["messages"]), kind


def _check_fields(document: Mapping[str, object], allowed: frozenset[str], shape: str) -> None:
    unexpected = sorted(set(document) - allowed)
    if unexpected:
        raise MalformedParamsError(
            "proposal",
            f"unexpected field {_short_repr(unexpected[0])} "
            f"({shape} has {', '.join(sorted(allowed))})",
        )


def get_setting_paths(document: object, kind: str) -> dict[tuple[str, str], JsonPath]:
    """For a validated document, the JSON path of the value that sets each `(subspace, key)`."""
    paths: dict[tuple[str, str], JsonPath] = {}
    if not isinstance(document, Mapping):
        return paths
    if kind == PARAMETER_SET:
        for subspace, entries in document.items():
            for key in _mapping(entries):
                paths[(subspace, key)] = (subspace, key)
    elif kind == LEGACY_PROPOSAL:
        for index, change in enumerate(_list(document["changes"])):
            entry = _mapping(change)
            paths[(str(entry["subspace"]), str(entry["key"]))] = ("changes", index, "value")
    elif kind == GOV_V1_PROPOSAL:
        for index, message in enumerate(_list(document["messages"])):
            entry = _mapping(message)
            subspace = get_update_params_subspace(entry["@type"], where=f"messages[{index}]")
            for key in _mapping(entry["params"]):
                paths[(subspace, key)] = ("messages", index, "params", key)
    return paths


def _mapping(value: object) -> Mapping[str, object]:
    # Only called on documents the model has validated: anything else is a bug, not bad input.
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a validated object, got {type(value).__name__}")
    return value


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"expected a validated list, got {type(value).__name__}")
    return value


def compute_changes(
    base: Params, params: Params, *, lines: Mapping[tuple[str, str], int] | None = None
) -> tuple[ParamChange, ...]:
    """Every parameter whose value differs between `base` and `params`, with the line setting it."""
    changes = []
    for spec in param_specs():
        old = get_param(base, spec.subspace, spec.key)
        new = get_param(params, spec.subspace, spec.key)
        if old != new:
            line = None if lines is None else lines.get((spec.subspace, spec.key))
            changes.append(ParamChange(spec.name, spec.subspace, spec.key, old, new, line))
    return tuple(changes)


def _load_file(file: Path, base: LoadedParams, *, only_parameter_set: bool = False) -> LoadedParams:
    read = _read_input(file)
    try:
        kind = get_document_kind(read.document)
        if only_parameter_set and kind != PARAMETER_SET:
            raise InputError(
                f"{file}: a base must be a parameter set, not a {kind} "
                "(pass the proposal as the file to check, and the parameter set as --base)"
            )
        params, kind = params_from_document(read.document, base=base.params)
    except ParamsError as error:
        raise InputError(f"{file}: {error}") from None
    try:
        line_map = compute_line_map(read.text)
    except LocateError as error:  # pragma: no cover - the text was just decoded
        raise AssertionError(f"{file}: decoded but not locatable: {error}") from None
    lines = {
        name: line_map[path]
        for name, path in get_setting_paths(read.document, kind).items()
        if path in line_map
    }
    return LoadedParams(
        params=params,
        source=str(file),
        kind=kind,
        base=base.params,
        base_source=base.source,
        changes=compute_changes(base.params, params, lines=lines),
        input_sha256=read.sha256,
    )


def load_params(
    path: str | os.PathLike[str] | None, *, base: LoadedParams | None = None
) -> LoadedParams:
    """The parameters a command checks: the file at `path` applied over `base` (by default the
    whitepaper's), or the base itself when there is no file."""
    start = get_defaults() if base is None else base
    if path is None:
        return start
    return _load_file(Path(path), start)


def load_base(path: str | os.PathLike[str]) -> LoadedParams:
    """A parameter-set file (such as the live chain's parameters) to apply a proposal over."""
    return _load_file(Path(path), get_defaults(), only_parameter_set=True)
