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
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path

from attrs import frozen

from model.params import (
    WHITEPAPER_PARAMS,
    Params,
    ParamsError,
    get_param,
    param_specs,
)
from reports.addresses import (
    DEFAULT_BECH32_PREFIX,
    AddressError,
    check_bech32_address,
    compute_gov_authority,
)
from reports.chain_shapes import (
    GOV_V1_PROPOSAL,
    LEGACY_PROPOSAL,
    PARAMETER_SET,
    Reading,
    classify_document,
    read_document,
)
from reports.locate import (
    LocateError,
    compute_line_map,
    find_duplicate_key,
    format_json_path,
)
from reports.param_documents import (
    MAX_DECIMAL_DIGITS,
    LongIntegerLiteral,
    apply_settings,
)

DEFAULTS = "whitepaper defaults"
KINDS = (DEFAULTS, PARAMETER_SET, LEGACY_PROPOSAL, GOV_V1_PROPOSAL)
"""The kinds of input `LoadedParams.kind` names; `LoadedParams.shape` says which shape of each."""

__all__ = [
    "DEFAULTS",
    "DEFAULT_BECH32_PREFIX",
    "GOV_V1_PROPOSAL",
    "KINDS",
    "LEGACY_PROPOSAL",
    "PARAMETER_SET",
    "InputError",
    "LoadedParams",
    "ParamChange",
    "check_authority_address",
    "compute_changes",
    "get_defaults",
    "get_gov_authority",
    "load_base",
    "load_params",
    "read_json_document",
]

MAX_INPUT_BYTES = 4 * 1024 * 1024
"""Parameter sets and proposals are small; a larger file is refused before it is read."""


class InputError(ValueError):
    """Raised when a user's input file cannot be used; the message is one line naming the place."""

    def __init__(self, message: str) -> None:
        # The message ends up as one line on stderr: no input may smuggle a line break into it.
        super().__init__(message.replace("\r", "\\r").replace("\n", "\\n"))


class DuplicateKeyError(ValueError):
    """A JSON object names one key twice (`object_without_duplicates`)."""

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
    shape: str = ""
    """The shape the file was recognised in (`a gov v1 {"proposal": ...} query output`, ...);
    empty for the whitepaper defaults and for inputs read back from a report."""
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
        shape="",
        base=WHITEPAPER_PARAMS,
        base_source=DEFAULTS,
        changes=(),
        input_sha256=None,
    )


def object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object hook that refuses a key given twice (json keeps the last silently)."""
    document: dict[str, object] = {}
    for key, value in pairs:
        if key in document:
            raise DuplicateKeyError(key)
        document[key] = value
    return document


def _parse_int(literal: str) -> int | str:
    # Python refuses to convert very long literals (and slowly converts long ones); a literal
    # past every domain is handed on as its digits so the domain check names its place.
    if len(literal.lstrip("-")) > MAX_DECIMAL_DIGITS:
        return LongIntegerLiteral(literal)
    return int(literal)


def refuse_constant(name: str) -> object:
    """A JSON constant hook that refuses NaN and the infinities (not JSON numbers)."""
    raise ValueError(f"{name} is not a JSON number")


def read_file_bytes(
    path: Path,
    *,
    where: str,
    max_bytes: int,
    expected: str,
    refuse: Callable[[str], Exception] = InputError,
) -> bytes:
    """A user's file, whole: a missing, unreadable, oversized, empty file or a folder is refused
    with one line starting with `where` (`expected` names what the file should hold)."""
    try:
        if not path.exists():
            raise refuse(f"{where}: no such file")
        if path.is_dir():
            raise refuse(f"{where}: is a directory, expected {expected}")
        size = path.stat().st_size
        if size > max_bytes:
            raise refuse(f"{where}: {size} bytes is larger than the {max_bytes} allowed")
        raw = path.read_bytes()
    except OSError as error:
        raise refuse(f"{where}: cannot read ({error.strerror or error})") from None
    if not raw.strip():
        raise refuse(f"{where}: the file is empty, expected {expected}")
    return raw


def _read_input(path: Path, *, max_bytes: int = MAX_INPUT_BYTES) -> _Input:
    where = str(path)
    raw = read_file_bytes(path, where=where, max_bytes=max_bytes, expected="a JSON object")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{where}: not UTF-8 (byte {error.start})") from None
    try:
        document = json.loads(
            text,
            object_pairs_hook=object_without_duplicates,
            parse_int=_parse_int,
            parse_float=Decimal,
            parse_constant=refuse_constant,
        )
    except DuplicateKeyError as error:
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


def get_gov_authority(prefix: str = DEFAULT_BECH32_PREFIX) -> str:
    """The gov module account under the bech32 `prefix`: the only `authority` a `MsgUpdateParams`
    or `MsgExecLegacyContent` may carry. A prefix no address can carry is an `InputError`."""
    try:
        return compute_gov_authority(prefix)
    except AddressError as error:
        raise InputError(str(error)) from None


def check_authority_address(address: str) -> str:
    """`address` if it is a bech32 account address, to expect as messages' `authority`."""
    try:
        return check_bech32_address(address, where="--authority")
    except ParamsError as error:
        raise InputError(str(error)) from None


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


def _load_file(
    file: Path, base: LoadedParams, *, authority: str | None, only_parameter_set: bool = False
) -> LoadedParams:
    read = _read_input(file)
    try:
        seen = classify_document(read.document) if only_parameter_set else None
        if seen is not None and seen[0] != PARAMETER_SET:
            raise InputError(
                f"{file}: a base must be a parameter set, not a {seen[0]} ({seen[1]}; pass the "
                "proposal as the file to check, and the parameter set as --base)"
            )
        reading: Reading = read_document(read.document, authority=authority)
        if only_parameter_set and reading.kind != PARAMETER_SET:  # pragma: no cover
            raise AssertionError(f"{file}: {reading.shape} classified as a parameter set")
        params = apply_settings(base.params, reading.settings)
    except ParamsError as error:
        raise InputError(f"{file}: {error}") from None
    try:
        line_map = compute_line_map(read.text)
    except LocateError as error:  # pragma: no cover - the text was just decoded
        raise AssertionError(f"{file}: decoded but not locatable: {error}") from None
    lines = {
        name: line_map[setting.path]
        for name, setting in reading.settings.items()
        if setting.path in line_map
    }
    return LoadedParams(
        params=params,
        source=str(file),
        kind=reading.kind,
        shape=reading.shape,
        base=base.params,
        base_source=base.source,
        changes=compute_changes(base.params, params, lines=lines),
        input_sha256=read.sha256,
    )


def load_params(
    path: str | os.PathLike[str] | None,
    *,
    base: LoadedParams | None = None,
    authority: str | None = None,
) -> LoadedParams:
    """The parameters a command checks: the file at `path` applied over `base` (by default the
    whitepaper's), or the base itself when there is no file. A message that executes with an
    `authority` must carry `authority` (by default the gov module account under
    `DEFAULT_BECH32_PREFIX`); a given one must itself be a bech32 address."""
    expected = get_gov_authority() if authority is None else check_authority_address(authority)
    start = get_defaults() if base is None else base
    if path is None:
        return start
    return _load_file(Path(path), start, authority=expected)


def load_base(path: str | os.PathLike[str]) -> LoadedParams:
    """A parameter set (such as the live chain's parameters, or a `{"params": ...}` query's
    output) to apply a proposal over."""
    return _load_file(Path(path), get_defaults(), authority=None, only_parameter_set=True)
