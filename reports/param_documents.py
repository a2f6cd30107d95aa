"""Reading parameter documents: a parameter set over a base, a legacy proposal's list of changes,
or the `MsgUpdateParams` messages of a gov v1 proposal.

Input is already-decoded JSON (reading files is the command line's job). Every value is an
integer or a decimal string as Cosmos writes one, every key is known, every value is in its
domain; anything else raises one of `model.params`' errors naming the place.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from numbers import Number
from typing import Any

import attrs

from model.params import (
    SUBSPACES,
    WHITEPAPER_PARAMS,
    DuplicateChangeError,
    MalformedParamsError,
    NotAnIntegerError,
    OutOfDomainError,
    Params,
    ParamSpec,
    UnknownParamError,
    get_param_spec,
    with_values,
)

MAX_DECIMAL_DIGITS = 40
"""A decimal string longer than this is out of every domain; it is refused before conversion."""
_DECIMAL = re.compile(r"[+-]?[0-9]+")
_SHOWN_NAME_CHARS = 60

MSG_UPDATE_PARAMS_FIELDS = ("@type", "authority", "params")
"""The fields of a gov v1 `MsgUpdateParams` message as `simd tx gov submit-proposal` reads it."""
_MSG_UPDATE_PARAMS = re.compile(r"/stratosphere\.([^.]*)\.([^.]*)\.MsgUpdateParams")
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_MAX_LENGTH = 1023  # the Cosmos SDK's limit for addresses, above BIP-173's 90


def suggest(name: str, known: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" for the known name closest to a mistyped `name`, or ""."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _subspace_class(subspace: object, *, where: str) -> type[Any]:
    """The parameter class of `subspace`; an unknown one is worded with the closest name."""
    if isinstance(subspace, str) and subspace in SUBSPACES:
        found: type[Any] = SUBSPACES[subspace]
        return found
    hint = suggest(str(subspace), SUBSPACES)
    raise UnknownParamError(where, f"unknown subspace{hint}; known: {_known(SUBSPACES)}")


def _param_spec(subspace: object, key: object, *, where: str) -> ParamSpec:
    """`model.params.get_param_spec`, an unknown name worded with the closest known one."""
    cls = _subspace_class(subspace, where=where)
    try:
        return get_param_spec(subspace, key, where=where)
    except UnknownParamError as error:
        names = [attribute.name for attribute in attrs.fields(cls)]
        hint = suggest(str(key), names)
        raise UnknownParamError(
            where, f"unknown key in {subspace}{hint}; known: {_known(names)}"
        ) from error


def _known(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


class LongIntegerLiteral(str):
    """A JSON integer literal too long to convert, kept as its digits so a domain check names it.

    Python refuses (or slowly performs) `int()` of very long literals; a decoder hands such a
    literal on as this string so it is reported as out of domain rather than as a string.
    """

    __slots__ = ()


def parse_param_value(raw: object, *, where: str) -> int:
    """A JSON integer, or a decimal integer string as Cosmos writes one, as an int."""
    if isinstance(raw, bool):
        raise NotAnIntegerError(where, f"expected an integer, got the boolean {str(raw).lower()}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, LongIntegerLiteral):
        digits = len(raw.lstrip("+-"))
        raise OutOfDomainError(where, f"a {digits}-digit value is outside every domain")
    if isinstance(raw, str):
        text = raw.strip()
        if not _DECIMAL.fullmatch(text):
            raise NotAnIntegerError(where, f"expected a decimal integer string, got {raw[:40]!r}")
        if len(text.lstrip("+-")) > MAX_DECIMAL_DIGITS:
            raise OutOfDomainError(where, f"a {len(text)}-digit value is outside every domain")
        return int(text)
    if isinstance(raw, Number):
        raise NotAnIntegerError(
            where,
            f"expected an integer, got {_truncate(str(raw))} "
            "(write integers without a fraction or exponent)",
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
        _subspace_class(subspace, where=show_name(subspace))
        if not isinstance(entries, Mapping):
            raise MalformedParamsError(
                str(subspace), f"expected an object of keys, got {_kind(entries)}"
            )
        for key, raw in entries.items():
            where = f"{subspace}.{show_name(key)}"
            spec = _param_spec(subspace, key, where=where)
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
        name = f"{place} ({show_name(subspace)}.{show_name(key)})"
        spec = _param_spec(subspace, key, where=name)
        if (subspace, key) in values:
            raise DuplicateChangeError(name, "this key is already changed earlier in the list")
        value = parse_param_value(change["value"], where=name)
        values[(subspace, key)] = _in_domain(spec, value, name)
    return with_values(base, values)


def get_update_params_type(subspace: str) -> str:
    """The type URL of the gov v1 message that replaces every parameter of `subspace`."""
    return f"/stratosphere.{subspace}.v1.MsgUpdateParams"


def get_update_params_subspace(type_url: object, *, where: str) -> str:
    """The subspace a `MsgUpdateParams` type URL names; any other message type is bad input."""
    expected = "/stratosphere.<subspace>.v1.MsgUpdateParams"
    if not isinstance(type_url, str):
        raise MalformedParamsError(where, f"expected a type URL string, got {_kind(type_url)}")
    match = _MSG_UPDATE_PARAMS.fullmatch(type_url)
    if match is None:
        raise MalformedParamsError(
            where,
            f"{show_name(type_url)} is not a parameter update of this chain "
            f"(expected {expected}, one message per subspace)",
        )
    subspace, version = match.groups()
    if subspace not in SUBSPACES:
        # The message names a subspace the way a parameter set does: reuse its suggestion.
        _subspace_class(subspace, where=f"{where} ({show_name(subspace)})")
    if version != "v1":
        raise MalformedParamsError(
            where,
            f"version {show_name(version)} of {subspace}'s MsgUpdateParams is unknown; "
            f"expected {get_update_params_type(subspace)}",
        )
    return subspace


def parse_subspace(subspace: str, entries: object, *, where: str) -> dict[str, int]:
    """Every key of `subspace` from `{key: value}`, as a `MsgUpdateParams` carries them all."""
    _subspace_class(subspace, where=where)
    if not isinstance(entries, Mapping):
        raise MalformedParamsError(
            where, f"expected an object with every key of {subspace}, got {_kind(entries)}"
        )
    values: dict[str, int] = {}
    for key, raw in entries.items():
        place = f"{where}.{show_name(key)}"
        spec = _param_spec(subspace, key, where=place)
        values[spec.key] = _in_domain(spec, parse_param_value(raw, where=place), place)
    # Like the SDK's MsgUpdateParams, a key left out would be reset, never kept: refuse it.
    names = [attribute.name for attribute in attrs.fields(SUBSPACES[subspace])]
    missing = [key for key in names if key not in values]
    if missing:
        raise MalformedParamsError(
            f"{where}.{missing[0]}",
            f"missing; a MsgUpdateParams sets every key of {subspace} "
            f"(missing: {', '.join(missing)})",
        )
    return values


def apply_update_params(base: Params, messages: object, *, where: str = "messages") -> Params:
    """Gov v1 `MsgUpdateParams` messages, each replacing all of one subspace, applied over `base`."""
    if not isinstance(messages, list):
        raise MalformedParamsError(where, f"expected a list of messages, got {_kind(messages)}")
    if not messages:
        raise MalformedParamsError(where, "a proposal must carry at least one MsgUpdateParams")
    values: dict[tuple[str, str], int] = {}
    updated_by: dict[str, str] = {}
    for index, message in enumerate(messages):
        place = f"{where}[{index}]"
        if not isinstance(message, Mapping):
            raise MalformedParamsError(place, f"expected a message object, got {_kind(message)}")
        if "@type" not in message:
            raise MalformedParamsError(f"{place}.@type", "missing (the message's type URL)")
        subspace = get_update_params_subspace(message["@type"], where=f"{place}.@type")
        extra = [name for name in message if name not in MSG_UPDATE_PARAMS_FIELDS]
        if extra:
            raise MalformedParamsError(
                f"{place}.{show_name(extra[0])}",
                f"unexpected field (a MsgUpdateParams has {', '.join(MSG_UPDATE_PARAMS_FIELDS)})",
            )
        if subspace in updated_by:
            raise DuplicateChangeError(
                place, f"{subspace} is already updated by {updated_by[subspace]}"
            )
        updated_by[subspace] = place
        if "authority" not in message:
            raise MalformedParamsError(
                f"{place}.authority", "missing (the bech32 address of the gov module account)"
            )
        check_bech32_address(message["authority"], where=f"{place}.authority")
        if "params" not in message:
            raise MalformedParamsError(
                f"{place}.params", f"missing (an object with every key of {subspace})"
            )
        for key, value in parse_subspace(
            subspace, message["params"], where=f"{place}.params"
        ).items():
            values[(subspace, key)] = value
    return with_values(base, values)


def check_bech32_address(address: object, *, where: str) -> str:
    """`address` if it is a bech32 string with a valid checksum (BIP-173), else bad input."""
    if not isinstance(address, str):
        raise MalformedParamsError(where, f"expected a bech32 address string, got {_kind(address)}")
    problem = _bech32_problem(address)
    if problem is not None:
        raise MalformedParamsError(
            where, f"expected a bech32 address, got {show_name(address)} ({problem})"
        )
    return address


def _bech32_problem(address: str) -> str | None:
    if not address:
        return "empty"
    if len(address) > _BECH32_MAX_LENGTH:
        return f"longer than {_BECH32_MAX_LENGTH} characters"
    if address.lower() != address and address.upper() != address:
        return "mixed case"
    text = address.lower()
    hrp, separator, data = text.rpartition("1")
    if not separator:
        return "no separator '1' between prefix and data"
    if not hrp:
        return "no prefix before the separator '1'"
    if any(not 33 <= ord(char) <= 126 for char in hrp):
        return "the prefix has characters outside ASCII 33..126"
    if len(data) < 6:
        return "too short for its 6-character checksum"
    bad = [char for char in data if char not in _BECH32_CHARSET]
    if bad:
        return f"{bad[0]!r} is not a bech32 character"
    values = [ord(char) >> 5 for char in hrp] + [0] + [ord(char) & 31 for char in hrp]
    values += [_BECH32_CHARSET.index(char) for char in data]
    if _bech32_polymod(values) != 1:
        return "bad checksum"
    return None


def _bech32_polymod(values: list[int]) -> int:
    # BIP-173's checksum: a BCH code over GF(32), generator constants from the BIP.
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for bit, constant in enumerate(generator):
            if (top >> bit) & 1:
                checksum ^= constant
    return checksum


def show_name(name: object) -> str:
    """A name from the input as it may appear in a one-line message: as is if short and
    printable, else quoted with escapes and shortened."""
    if isinstance(name, str) and name.isprintable() and 0 < len(name) <= _SHOWN_NAME_CHARS:
        return name
    return _truncate(repr(name))


def _truncate(text: str) -> str:
    return text if len(text) <= _SHOWN_NAME_CHARS else text[: _SHOWN_NAME_CHARS - 3] + "..."


def _in_domain(spec: ParamSpec, value: int, where: str) -> int:
    if not spec.minimum <= value <= spec.maximum:
        raise OutOfDomainError(
            where, f"{value} is outside the allowed range {spec.minimum}..{spec.maximum}"
        )
    return value


def _kind(value: object) -> str:
    if isinstance(value, LongIntegerLiteral):
        return "a number"
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    for python_type, name in kinds.items():
        if isinstance(value, python_type):
            return name
    if value is None:
        return "null"
    return "a number" if isinstance(value, Number) else type(value).__name__
