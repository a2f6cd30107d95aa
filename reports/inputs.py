"""Reading a user's parameter set or proposal from disk into a validated `Params`.

Everything a user can get wrong about a file (missing, a directory, not UTF-8, not JSON, NaN,
duplicated keys, a 5,000-digit number, the wrong shape) becomes one `InputError` whose message
names the file and the place, so the command line can print one line and exit 2.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from attrs import frozen

from model.param_documents import MAX_DECIMAL_DIGITS, apply_changes, parse_param_set
from model.params import WHITEPAPER_PARAMS, MalformedParamsError, Params, ParamsError

LEGACY_PROPOSAL_FIELDS = frozenset({"title", "description", "changes", "deposit"})
"""The fields of a Cosmos SDK legacy `ParameterChangeProposal` JSON file."""

MAX_INPUT_BYTES = 4 * 1024 * 1024
"""Parameter sets and proposals are small; a larger file is refused before it is read."""


class InputError(ValueError):
    """Raised when a user's input file cannot be used; the message is one line naming the place."""


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@frozen
class LoadedParams:
    """A validated parameter set and where it came from."""

    params: Params
    source: str
    kind: str
    """`whitepaper defaults`, `parameter set` or `legacy proposal`."""


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
    return literal if len(literal.lstrip("-")) > MAX_DECIMAL_DIGITS else int(literal)


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def read_json_document(path: Path) -> object:
    """The JSON value in `path`, decoded strictly; any problem is an `InputError`."""
    where = str(path)
    try:
        if not path.exists():
            raise InputError(f"{where}: no such file")
        if path.is_dir():
            raise InputError(f"{where}: is a directory, expected a JSON file")
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{where}: {size} bytes is larger than the {MAX_INPUT_BYTES} allowed")
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
        return json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_int=_parse_int,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
        )
    except _DuplicateKeyError as error:
        raise InputError(f"{where}: the key {error.key!r} appears twice in one object") from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"{where}: not valid JSON at line {error.lineno} column {error.colno} ({error.msg})"
        ) from None
    except RecursionError:
        raise InputError(f"{where}: nested too deeply to be a parameter set") from None
    except ValueError as error:
        raise InputError(f"{where}: {error}") from None


def params_from_document(
    document: object, *, base: Params = WHITEPAPER_PARAMS
) -> tuple[Params, str]:
    """A parameter set or a Cosmos legacy param-change proposal, applied over `base`."""
    if isinstance(document, Mapping) and "changes" in document:
        unexpected = sorted(set(document) - LEGACY_PROPOSAL_FIELDS)
        if unexpected:
            expected = ", ".join(sorted(LEGACY_PROPOSAL_FIELDS))
            raise MalformedParamsError(
                "proposal", f"unexpected field {unexpected[0]!r} (a legacy proposal has {expected})"
            )
        return apply_changes(base, document["changes"]), "legacy proposal"
    return parse_param_set(document, base=base), "parameter set"


def load_params(path: str | os.PathLike[str] | None) -> LoadedParams:
    """The parameters a command checks: the whitepaper defaults, or those the file at `path` sets."""
    if path is None:
        return LoadedParams(WHITEPAPER_PARAMS, "whitepaper defaults", "whitepaper defaults")
    file = Path(path)
    document = read_json_document(file)
    try:
        params, kind = params_from_document(document)
    except ParamsError as error:
        raise InputError(f"{file}: {error}") from None
    return LoadedParams(params, str(file), kind)
