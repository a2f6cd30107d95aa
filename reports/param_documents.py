"""Reading parameter documents: a parameter set over a base, a legacy proposal's list of changes,
or the `MsgUpdateParams` messages of a gov v1 proposal.

Input is already-decoded JSON (reading files is the command line's job). Every value is an
integer or a decimal string as Cosmos writes one, every key is known, every value is in its
domain; anything else raises one of `model.params`' errors naming the place. A key may be
written as our docs write it (`str_burn_bps`), as an x/params store key (`StrBurnBps`) or as
proto JSON's field name (`strBurnBps`); each reader also says where the document writes each
value (a JSON path), so reports can point at its line.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from numbers import Number
from typing import Any

import attrs
from attrs import frozen

from model.params import (
    SUBSPACES,
    WHITEPAPER_PARAMS,
    DuplicateChangeError,
    MalformedParamsError,
    NotAnIntegerError,
    OutOfDomainError,
    Params,
    ParamsError,
    ParamSpec,
    UnknownParamError,
    get_param_spec,
    with_values,
)
from reports.addresses import check_bech32_address, is_same_address

__all__ = ["check_bech32_address"]  # kept importable from here, where it used to live

MAX_DECIMAL_DIGITS = 40
"""A decimal string longer than this is out of every domain; it is refused before conversion."""
_DECIMAL = re.compile(r"[+-]?[0-9]+")
_SHOWN_NAME_CHARS = 60

MSG_UPDATE_PARAMS_FIELDS = ("@type", "authority", "params")
"""The fields of a gov v1 `MsgUpdateParams` message as `simd tx gov submit-proposal` reads it."""
_MSG_UPDATE_PARAMS = re.compile(r"/stratosphere\.([^.]*)\.([^.]*)\.MsgUpdateParams")

JsonPath = tuple[str | int, ...]
"""Object keys and list indexes from a document's root to one value (as `reports.locate`'s)."""


class WrongAuthorityError(ParamsError):
    """Raised when a message's `authority` is not the account allowed to change parameters."""


@frozen
class Setting:
    """One parameter a document sets: its value and the JSON path where the document writes it."""

    subspace: str
    key: str
    value: int
    path: JsonPath


Settings = dict[tuple[str, str], Setting]
"""What a document sets, by `(subspace, key)`."""


def format_path(path: JsonPath) -> str:
    """A path as messages write it: `messages[0].params.str_burn_bps`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{show_name(part)}"
    return text.lstrip(".") or "the document"


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


def get_subspace_keys(subspace: str) -> tuple[str, ...]:
    """The keys of a known subspace, in declaration order."""
    return tuple(attribute.name for attribute in attrs.fields(SUBSPACES[subspace]))


def to_store_key(key: str) -> str:
    """The x/params store key the Cosmos SDK convention gives `key`: `str_burn_bps` ->
    `StrBurnBps` (as `KeyMaxValidators = []byte("MaxValidators")`)."""
    return "".join(part[:1].upper() + part[1:] for part in key.split("_"))


def to_json_name(key: str) -> str:
    """The proto JSON field name of `key`: `str_burn_bps` -> `strBurnBps`."""
    store = to_store_key(key)
    return store[:1].lower() + store[1:]


@cache
def _spellings(subspace: str) -> dict[str, str]:
    """Every accepted way to write a key of `subspace`, mapped to the key."""
    names: dict[str, str] = {}
    for key in get_subspace_keys(subspace):
        for spelling in (key, to_store_key(key), to_json_name(key)):
            names.setdefault(spelling, key)
    return names


def _styled(key: str, written: str) -> str:
    """`key` in the style `written` uses, so a suggestion reads like the input."""
    if written[:1].isupper():
        return to_store_key(key)
    if any(char.isupper() for char in written):
        return to_json_name(key)
    return key


def resolve_key(subspace: object, written: object, *, where: str) -> ParamSpec:
    """The spec of the key `written` in `subspace`, however the SDK spells it; an unknown name
    is worded with the closest known one, in the style it was written in."""
    cls = _subspace_class(subspace, where=where)
    name = str(subspace)
    if isinstance(written, str) and written in _spellings(name):
        return get_param_spec(name, _spellings(name)[written], where=where)
    keys = [attribute.name for attribute in attrs.fields(cls)]
    shown = [_styled(key, written) for key in keys] if isinstance(written, str) else keys
    hint = suggest(str(written), shown)
    raise UnknownParamError(where, f"unknown key in {name}{hint}; known: {_known(shown)}")


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


def parse_change_value(raw: object, *, where: str) -> int:
    """A legacy change's value: as `parse_param_value`, or JSON inside a string as x/params
    stores it (`"\\"1200\\""`, the amino JSON of an integer; `"1200"` reads either way)."""
    if isinstance(raw, str) and raw.strip().startswith('"'):
        try:
            inner = json.loads(raw)
        except (ValueError, RecursionError):
            raise NotAnIntegerError(
                where, f"expected JSON of a decimal integer string, got {_truncate(repr(raw))}"
            ) from None
        if not isinstance(inner, str):  # pragma: no cover - a JSON text opening with '"'
            raise NotAnIntegerError(where, f"expected a string in {_truncate(repr(raw))}")
        return parse_param_value(inner, where=where)
    return parse_param_value(raw, where=where)


def _set(settings: Settings, setting: Setting, *, where: str, already: str) -> None:
    name = (setting.subspace, setting.key)
    if name in settings:
        raise DuplicateChangeError(where, already.format(place=format_path(settings[name].path)))
    settings[name] = setting


def collect_param_set(document: object, *, path: JsonPath = ()) -> Settings:
    """A parameter-set document `{subspace: {key: value}}`: every value it sets."""
    if not isinstance(document, Mapping):
        where = format_path(path) if path else "parameter set"
        raise MalformedParamsError(where, f"expected a JSON object, got {_kind(document)}")
    settings: Settings = {}
    for subspace, entries in document.items():
        _subspace_class(subspace, where=format_path((*path, subspace)))
        if not isinstance(entries, Mapping):
            raise MalformedParamsError(
                format_path((*path, subspace)), f"expected an object of keys, got {_kind(entries)}"
            )
        for written, raw in entries.items():
            place = (*path, subspace, written)
            where = format_path(place)
            spec = resolve_key(subspace, written, where=where)
            value = _in_domain(spec, parse_param_value(raw, where=where), where)
            setting = Setting(spec.subspace, spec.key, value, place)
            _set(settings, setting, where=where, already=f"{spec.name} is already set by {{place}}")
    return settings


def collect_changes(changes: object, *, path: JsonPath = ("changes",)) -> Settings:
    """A Cosmos legacy param-change list `[{subspace, key, value}]`: every value it sets."""
    where = format_path(path)
    if not isinstance(changes, list):
        raise MalformedParamsError(where, f"expected a list of changes, got {_kind(changes)}")
    if not changes:
        raise MalformedParamsError(where, "a proposal must change at least one parameter")
    settings: Settings = {}
    for index, change in enumerate(changes):
        place = format_path((*path, index))
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
        spec = resolve_key(subspace, key, where=name)
        if (spec.subspace, spec.key) in settings:
            raise DuplicateChangeError(name, "this key is already changed earlier in the list")
        value = _in_domain(spec, parse_change_value(change["value"], where=name), name)
        settings[(spec.subspace, spec.key)] = Setting(
            spec.subspace, spec.key, value, (*path, index, "value")
        )
    return settings


def collect_subspace(
    subspace: str, entries: object, *, path: JsonPath, what: str = "a MsgUpdateParams"
) -> Settings:
    """Every key of `subspace` from `{key: value}`, as a `MsgUpdateParams` (or a params query of
    one module) carries them all."""
    where = format_path(path)
    _subspace_class(subspace, where=where)
    if not isinstance(entries, Mapping):
        raise MalformedParamsError(
            where, f"expected an object with every key of {subspace}, got {_kind(entries)}"
        )
    settings: Settings = {}
    for written, raw in entries.items():
        place = (*path, written)
        spot = format_path(place)
        spec = resolve_key(subspace, written, where=spot)
        value = _in_domain(spec, parse_param_value(raw, where=spot), spot)
        setting = Setting(subspace, spec.key, value, place)
        _set(settings, setting, where=spot, already=f"{spec.key} is already set by {{place}}")
    # Like the SDK's MsgUpdateParams, a key left out would be reset, never kept: refuse it.
    missing = [key for key in get_subspace_keys(subspace) if (subspace, key) not in settings]
    if missing:
        raise MalformedParamsError(
            f"{where}.{missing[0]}",
            f"missing; {what} sets every key of {subspace} (missing: {', '.join(missing)})",
        )
    return settings


def get_update_params_type(subspace: str) -> str:
    """The type URL of the gov v1 message that replaces every parameter of `subspace`."""
    return f"/stratosphere.{subspace}.v1.MsgUpdateParams"


def is_update_params_type(type_url: object) -> bool:
    """Whether `type_url` has the form of this chain's `MsgUpdateParams` (any subspace name)."""
    return isinstance(type_url, str) and _MSG_UPDATE_PARAMS.fullmatch(type_url) is not None


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


def check_authority(
    fields: Mapping[str, object], *, path: JsonPath, expected: str | None, message: str
) -> str:
    """The `authority` of a message's `fields`: present, bech32, and `expected` when given."""
    where = format_path((*path, "authority"))
    if "authority" not in fields:
        raise MalformedParamsError(where, "missing (the bech32 address of the gov module account)")
    seen = check_bech32_address(fields["authority"], where=where)
    if expected is not None and not is_same_address(seen, expected):
        raise WrongAuthorityError(
            where,
            f"{seen} is not the gov module account {expected}; the chain executes a {message} "
            "only from the gov module (give another expected account with --authority)",
        )
    return seen


def collect_update_params(
    subspace: str, fields: Mapping[str, object], *, path: JsonPath, authority: str | None
) -> Settings:
    """A `MsgUpdateParams` of `subspace`: its fields (the type URL aside) at `path`; every key
    of the subspace, set by `authority` when one is expected."""
    extra = [name for name in fields if name not in MSG_UPDATE_PARAMS_FIELDS]
    if extra:
        raise MalformedParamsError(
            format_path((*path, extra[0])),
            f"unexpected field (a MsgUpdateParams has {', '.join(MSG_UPDATE_PARAMS_FIELDS)})",
        )
    check_authority(fields, path=path, expected=authority, message="MsgUpdateParams")
    if "params" not in fields:
        raise MalformedParamsError(
            format_path((*path, "params")), f"missing (an object with every key of {subspace})"
        )
    return collect_subspace(subspace, fields["params"], path=(*path, "params"))


def merge_settings(settings: Settings, more: Settings, *, by: str) -> None:
    """Add `more` (what the message or list at `by` sets) to `settings`; a key both set is bad
    input, as the result would depend on the order the chain executes them in."""
    for name, setting in more.items():
        if name in settings:
            raise DuplicateChangeError(
                format_path(setting.path),
                f"{setting.subspace}.{setting.key} is already set by "
                f"{format_path(settings[name].path)} ({by} sets it again)",
            )
        settings[name] = setting


def apply_settings(base: Params, settings: Settings) -> Params:
    """`base` with every value of `settings`."""
    return with_values(base, {name: setting.value for name, setting in settings.items()})


def parse_param_set(document: object, *, base: Params = WHITEPAPER_PARAMS) -> Params:
    """A parameter-set document `{subspace: {key: value}}` over `base`; keys left out keep base."""
    return apply_settings(base, collect_param_set(document))


def apply_changes(base: Params, changes: object, *, where: str = "changes") -> Params:
    """A Cosmos legacy param-change list `[{subspace, key, value}]` applied over `base`."""
    return apply_settings(base, collect_changes(changes, path=(where,)))


def parse_subspace(subspace: str, entries: object, *, where: str) -> dict[str, int]:
    """Every key of `subspace` from `{key: value}`, as a `MsgUpdateParams` carries them all."""
    settings = collect_subspace(subspace, entries, path=(where,))
    return {key: setting.value for (_, key), setting in settings.items()}


def apply_update_params(base: Params, messages: object, *, where: str = "messages") -> Params:
    """Gov v1 `MsgUpdateParams` messages, each replacing all of one subspace, applied over `base`
    (any valid bech32 authority: `reports.chain_shapes` checks it is the gov module's)."""
    if not isinstance(messages, list):
        raise MalformedParamsError(where, f"expected a list of messages, got {_kind(messages)}")
    if not messages:
        raise MalformedParamsError(where, "a proposal must carry at least one MsgUpdateParams")
    settings: Settings = {}
    updated_by: dict[str, str] = {}
    for index, message in enumerate(messages):
        path: JsonPath = (where, index)
        place = format_path(path)
        if not isinstance(message, Mapping):
            raise MalformedParamsError(place, f"expected a message object, got {_kind(message)}")
        if "@type" not in message:
            raise MalformedParamsError(f"{place}.@type", "missing (the message's type URL)")
        subspace = get_update_params_subspace(message["@type"], where=f"{place}.@type")
        if subspace in updated_by:
            raise DuplicateChangeError(
                place, f"{subspace} is already updated by {updated_by[subspace]}"
            )
        updated_by[subspace] = place
        fields = {name: value for name, value in message.items() if name != "@type"}
        settings.update(collect_update_params(subspace, fields, path=path, authority=None))
    return apply_settings(base, settings)


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


def describe_kind(value: object) -> str:
    """What a JSON value is, for a message: `an object`, `a list`, `a string`, `null`, ..."""
    return _kind(value)


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
