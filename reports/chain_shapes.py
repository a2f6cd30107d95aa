"""The shapes a parameter change takes on a Cosmos SDK chain, recognised by their fields.

A proposal reaches a user as the file given to `simd tx gov submit-proposal` (gov v1 `messages`)
or to `submit-legacy-proposal param-change` (`changes`), as a query's output
(`{"proposal": {...}}`, gov v1 or v1beta1), as a message (`MsgSubmitProposal`,
`MsgExecLegacyContent`, a `ParameterChangeProposal` content) or as a params query
(`{"params": {...}}`). Each is read into the settings it makes, with the JSON path of each value,
and every message that executes with an `authority` must carry the expected one (the gov module
account). Type URLs come as proto JSON writes an `Any` (`{"@type": url, ...}`) or as amino JSON
does (`{"type": url or amino name, "value": {...}}`); field names in snake_case or proto JSON's
lowerCamelCase. A shape that changes no parameter is refused by a message naming the shape seen.
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen

from model.params import SUBSPACES, DuplicateChangeError, MalformedParamsError, UnknownParamError
from reports.param_documents import (
    JsonPath,
    Settings,
    check_authority,
    collect_changes,
    collect_param_set,
    collect_subspace,
    collect_update_params,
    describe_kind,
    format_path,
    get_subspace_keys,
    get_update_params_subspace,
    is_update_params_type,
    merge_settings,
    resolve_key,
    show_name,
    suggest,
    to_json_name,
)

PARAMETER_SET = "parameter set"
LEGACY_PROPOSAL = "legacy proposal"
GOV_V1_PROPOSAL = "gov v1 proposal"

MSG_EXEC_LEGACY_CONTENT = "/cosmos.gov.v1.MsgExecLegacyContent"
PARAMETER_CHANGE_PROPOSAL = "/cosmos.params.v1beta1.ParameterChangeProposal"
MSG_SUBMIT_PROPOSAL_V1 = "/cosmos.gov.v1.MsgSubmitProposal"
MSG_SUBMIT_PROPOSAL_V1BETA1 = "/cosmos.gov.v1beta1.MsgSubmitProposal"
QUERY_PROPOSAL_RESPONSE_V1 = "/cosmos.gov.v1.QueryProposalResponse"
QUERY_PROPOSAL_RESPONSE_V1BETA1 = "/cosmos.gov.v1beta1.QueryProposalResponse"

AMINO_NAMES = {
    "cosmos-sdk/v1/MsgExecLegacyContent": MSG_EXEC_LEGACY_CONTENT,
    "cosmos-sdk/ParameterChangeProposal": PARAMETER_CHANGE_PROPOSAL,
    "cosmos-sdk/v1/MsgSubmitProposal": MSG_SUBMIT_PROPOSAL_V1,
    "cosmos-sdk/MsgSubmitProposal": MSG_SUBMIT_PROPOSAL_V1BETA1,
}
"""The amino JSON names (`{"type": name, "value": ...}`) of the SDK messages read here."""

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


def _proto_fields(*names: str) -> frozenset[str]:
    """Field names as the SDK's JSON writes them: snake_case, or proto JSON's lowerCamelCase."""
    return frozenset(names) | {to_json_name(name) for name in names}


GOV_V1_QUERY_FIELDS = _proto_fields(
    "id", "messages", "status", "final_tally_result", "submit_time", "deposit_end_time",
    "total_deposit", "voting_start_time", "voting_end_time", "metadata", "title", "summary",
    "proposer", "expedited", "failed_reason",
)  # fmt: skip
"""The fields of a gov v1 `Proposal` in a query's output (SDK 0.46 to 0.50)."""

V1BETA1_QUERY_FIELDS = _proto_fields(
    "proposal_id", "content", "status", "final_tally_result", "submit_time", "deposit_end_time",
    "total_deposit", "voting_start_time", "voting_end_time", "is_expedited",
)  # fmt: skip
"""The fields of a gov v1beta1 `Proposal` in a query's output."""

SUBMIT_V1_FIELDS = _proto_fields(
    "messages", "initial_deposit", "proposer", "metadata", "title", "summary", "expedited"
)
"""The fields of a gov v1 `MsgSubmitProposal`."""

SUBMIT_V1BETA1_FIELDS = _proto_fields("content", "initial_deposit", "proposer")
"""The fields of a gov v1beta1 `MsgSubmitProposal` (and of a bare `{"content": ...}`)."""

EXEC_LEGACY_CONTENT_FIELDS = frozenset({"content", "authority"})
PARAMETER_CHANGE_FIELDS = frozenset({"title", "description", "changes"})


@frozen
class Reading:
    """What one document sets, the kind of input it is, and the shape it was seen in."""

    kind: str
    """`parameter set`, `legacy proposal` or `gov v1 proposal`."""
    shape: str
    """The shape as a phrase: `a gov v1 {"proposal": ...} query output`, ..."""
    settings: Settings


@frozen
class _Any:
    """A packed message: its type URL (None when it has none) and its fields at `path`."""

    type_url: str | None
    fields: Mapping[str, object]
    path: JsonPath
    type_path: JsonPath


def classify_document(document: object) -> tuple[str, str] | None:
    """The kind and shape of a decoded document from its outer fields alone, before its content
    is read (so a proposal given as a base is refused for what it is); None when only reading
    it can tell (a packed message of another type, a shape refused as such)."""
    if not isinstance(document, Mapping):
        return PARAMETER_SET, "a parameter set"
    url = document.get("@type", document.get("type"))
    if not isinstance(url, str):
        url = None
    if url in _GOV_V1_URLS or is_update_params_type(url):
        return GOV_V1_PROPOSAL, f"a {url}"
    if url in _LEGACY_URLS:
        return LEGACY_PROPOSAL, f"a {url}"
    if "changes" in document:
        return LEGACY_PROPOSAL, "a legacy proposal"
    if "messages" in document:
        return GOV_V1_PROPOSAL, "a gov v1 proposal"
    proposal = document.get("proposal")
    if isinstance(proposal, Mapping) and "messages" in proposal:
        return GOV_V1_PROPOSAL, 'a gov v1 {"proposal": ...} query output'
    if isinstance(proposal, Mapping) and "content" in proposal:
        return LEGACY_PROPOSAL, 'a gov v1beta1 {"proposal": ...} query output'
    if "content" in document:
        return LEGACY_PROPOSAL, 'a gov v1beta1 {"content": ...} proposal'
    if "params" in document:
        return PARAMETER_SET, 'a {"params": ...} query output'
    if set(document) & {"proposal", "@type", "type", *_REFUSED_ENVELOPES}:
        return None
    return PARAMETER_SET, "a parameter set"


def read_document(document: object, *, authority: str | None) -> Reading:
    """Every setting of a decoded document, by its shape; messages must carry `authority`
    (None: any valid bech32 address)."""
    if not isinstance(document, Mapping):
        return Reading(PARAMETER_SET, "a parameter set", collect_param_set(document))
    packed = _unpack(document, ())
    if packed.type_url is not None:
        return _read_packed(packed, authority)
    if "changes" in document and "messages" in document:
        raise MalformedParamsError(
            "proposal",
            "has both 'changes' (legacy) and 'messages' (gov v1); a proposal is one or the other",
        )
    if "changes" in document:
        _check_fields(document, LEGACY_PROPOSAL_FIELDS, (), "a legacy proposal")
        return Reading(LEGACY_PROPOSAL, "a legacy proposal", collect_changes(document["changes"]))
    if "messages" in document:
        _check_fields(document, GOV_V1_PROPOSAL_FIELDS, (), "a gov v1 proposal")
        for name, (python_type, expected) in _GOV_V1_FIELD_TYPES.items():
            if name in document and not isinstance(document[name], python_type):
                raise MalformedParamsError(name, f"expected {expected}")
        return _read_gov_v1(document["messages"], ("messages",), "a gov v1 proposal", authority)
    for name, read in _ENVELOPES.items():
        if name in document:
            return read(document, authority)
    for name, shape in _REFUSED_ENVELOPES.items():
        if name in document:
            raise MalformedParamsError(name, f"{shape}; {_ONE_PROPOSAL}")
    proposal_fields = sorted((LEGACY_PROPOSAL_FIELDS | GOV_V1_PROPOSAL_FIELDS) & set(document))
    if proposal_fields:
        raise MalformedParamsError(
            "proposal",
            f"has {proposal_fields[0]!r} but neither 'changes' (a legacy proposal) "
            "nor 'messages' (a gov v1 proposal)",
        )
    return Reading(PARAMETER_SET, "a parameter set", collect_param_set(document))


_GOV_V1_URLS = frozenset(
    {MSG_SUBMIT_PROPOSAL_V1, MSG_EXEC_LEGACY_CONTENT, QUERY_PROPOSAL_RESPONSE_V1}
    | {
        name
        for name, url in AMINO_NAMES.items()
        if url in (MSG_SUBMIT_PROPOSAL_V1, MSG_EXEC_LEGACY_CONTENT)
    }
)
_LEGACY_URLS = frozenset(
    {MSG_SUBMIT_PROPOSAL_V1BETA1, PARAMETER_CHANGE_PROPOSAL, QUERY_PROPOSAL_RESPONSE_V1BETA1}
    | {
        name
        for name, url in AMINO_NAMES.items()
        if url in (MSG_SUBMIT_PROPOSAL_V1BETA1, PARAMETER_CHANGE_PROPOSAL)
    }
)
_ONE_PROPOSAL = (
    "give one proposal: its file, its message, or the output of querying it by id "
    "(`simd query gov proposal ID --output json`)"
)
_REFUSED_ENVELOPES = {
    "proposals": 'a {"proposals": [...]} list query output holds many proposals',
    "body": "a transaction holds its proposal in body.messages",
    "tx": "a transaction query output holds its proposal in tx.body.messages",
}


def _read_query_output(document: Mapping[str, object], authority: str | None) -> Reading:
    shape = 'a {"proposal": ...} query output'
    _check_fields(document, frozenset({"proposal"}), (), shape)
    return _read_proposal(document["proposal"], ("proposal",), shape, authority)


def _read_proposal(proposal: object, path: JsonPath, shape: str, authority: str | None) -> Reading:
    where = format_path(path)
    if not isinstance(proposal, Mapping):
        raise MalformedParamsError(where, f"{shape} holding {describe_kind(proposal)}")
    if "messages" in proposal:
        shape = shape.replace("a {", "a gov v1 {", 1)
        _check_fields(proposal, GOV_V1_QUERY_FIELDS, path, shape)
        return _read_gov_v1(proposal["messages"], (*path, "messages"), shape, authority)
    if "content" in proposal:
        shape = shape.replace("a {", "a gov v1beta1 {", 1)
        _check_fields(proposal, V1BETA1_QUERY_FIELDS, path, shape)
        return _read_v1beta1(proposal, path, shape)
    raise MalformedParamsError(
        where,
        f"{shape} holding neither 'messages' (gov v1) nor 'content' (gov v1beta1), "
        "so no parameter change",
    )


def _read_content_envelope(document: Mapping[str, object], authority: str | None) -> Reading:
    shape = 'a gov v1beta1 {"content": ...} proposal'
    _check_fields(document, SUBMIT_V1BETA1_FIELDS, (), shape)
    return _read_v1beta1(document, (), shape)


def _read_v1beta1(envelope: Mapping[str, object], path: JsonPath, shape: str) -> Reading:
    settings = _read_content(envelope["content"], (*path, "content"), shape)
    return Reading(LEGACY_PROPOSAL, shape, settings)


def _read_params_query(document: Mapping[str, object], authority: str | None) -> Reading:
    shape = 'a {"params": ...} query output'
    _check_fields(document, frozenset({"params"}), (), shape)
    params = document["params"]
    if not isinstance(params, Mapping) or not params:
        raise MalformedParamsError(
            "params", f"{shape} holding {describe_kind(params) if params else 'nothing'}"
        )
    subspaces = [name for name in params if name in SUBSPACES]
    if subspaces and len(subspaces) < len(params):
        stray = next(name for name in params if name not in SUBSPACES)
        raise MalformedParamsError(
            f"params.{show_name(stray)}",
            f"{shape} mixes subspaces ({subspaces[0]}) with other names: write either "
            '{"params": {"<subspace>": {...}}} or one module\'s keys',
        )
    if subspaces:
        settings = collect_param_set(params, path=("params",))
        return Reading(PARAMETER_SET, f"{shape} of every module", settings)
    subspace = _find_module(params)
    settings = collect_subspace(
        subspace, params, path=("params",), what="a params query of one module"
    )
    return Reading(PARAMETER_SET, f"{shape} of the {subspace} module", settings)


def _find_module(params: Mapping[str, object]) -> str:
    """The one subspace whose keys a single module's params query holds (keys are unique)."""
    homes: dict[str, str] = {}
    for written in params:
        found = [name for name in SUBSPACES if _is_key_of(name, written)]
        if not found:
            _refuse_unknown_key(written)
        homes.setdefault(found[0], written)
    if len(homes) > 1:
        (first, one), (second, other) = sorted(homes.items())[:2]
        raise MalformedParamsError(
            "params",
            f"a params query of one module holds one subspace's keys, but {show_name(one)} is "
            f"in {first} and {show_name(other)} in {second} (for several modules write "
            '{"params": {"<subspace>": {...}, ...}})',
        )
    (subspace,) = homes
    return subspace


def _is_key_of(subspace: str, written: str) -> bool:
    try:
        resolve_key(subspace, written, where="")
    except UnknownParamError:
        return False
    return True


def _refuse_unknown_key(written: str) -> None:
    everything = [key for name in SUBSPACES for key in get_subspace_keys(name)]
    shown = [*everything, *SUBSPACES]
    hint = suggest(written, shown)
    raise UnknownParamError(
        f"params.{show_name(written)}",
        f"neither a subspace nor a key of any subspace{hint}; known subspaces: "
        f"{', '.join(sorted(SUBSPACES))}",
    )


def _read_packed(packed: _Any, authority: str | None) -> Reading:
    """A document that is itself one packed message: a MsgSubmitProposal, a single message, a
    ParameterChangeProposal content or a wrapped query response."""
    url = packed.type_url
    if url == MSG_SUBMIT_PROPOSAL_V1:
        shape = f"a {MSG_SUBMIT_PROPOSAL_V1} message"
        _check_fields(packed.fields, SUBMIT_V1_FIELDS, packed.path, shape)
        messages = packed.fields.get("messages")
        return _read_gov_v1(messages, (*packed.path, "messages"), shape, authority)
    if url == MSG_SUBMIT_PROPOSAL_V1BETA1:
        shape = f"a {MSG_SUBMIT_PROPOSAL_V1BETA1} message"
        _check_fields(packed.fields, SUBMIT_V1BETA1_FIELDS, packed.path, shape)
        if "content" not in packed.fields:
            raise MalformedParamsError(format_path((*packed.path, "content")), "missing")
        return _read_v1beta1(packed.fields, packed.path, shape)
    if url == PARAMETER_CHANGE_PROPOSAL:
        return Reading(LEGACY_PROPOSAL, f"a {url}", _read_change_proposal(packed, f"a {url}"))
    if url in (QUERY_PROPOSAL_RESPONSE_V1, QUERY_PROPOSAL_RESPONSE_V1BETA1):
        shape = f"a {url}"
        _check_fields(packed.fields, frozenset({"proposal"}), packed.path, shape)
        proposal = packed.fields.get("proposal")
        return _read_proposal(proposal, (*packed.path, "proposal"), shape, authority)
    if url == MSG_EXEC_LEGACY_CONTENT or is_update_params_type(url):
        shape = "a message on its own"
        return Reading(GOV_V1_PROPOSAL, shape, _read_messages([packed], shape, authority))
    raise MalformedParamsError(
        format_path(packed.type_path),
        f"a {show_name(url)} message changes no parameter of this chain; {_CHANGERS}",
    )


_CHANGERS = (
    "only this chain's MsgUpdateParams (/stratosphere.<subspace>.v1.MsgUpdateParams) and a "
    f"MsgExecLegacyContent of a ParameterChangeProposal ({PARAMETER_CHANGE_PROPOSAL}) change "
    "parameters"
)


def _read_gov_v1(messages: object, path: JsonPath, shape: str, authority: str | None) -> Reading:
    where = format_path(path)
    if not isinstance(messages, list):
        raise MalformedParamsError(
            where, f"expected a list of messages, got {describe_kind(messages)}"
        )
    if not messages:
        raise MalformedParamsError(
            where,
            f"{shape} with no message changes no parameter (it needs at least one "
            "MsgUpdateParams or MsgExecLegacyContent)",
        )
    packed = []
    for index, message in enumerate(messages):
        place = (*path, index)
        if not isinstance(message, Mapping):
            raise MalformedParamsError(
                format_path(place), f"expected a message object, got {describe_kind(message)}"
            )
        one = _unpack(message, place)
        if one.type_url is None:
            raise MalformedParamsError(
                format_path((*place, "@type")), "missing (the message's type URL)"
            )
        packed.append(one)
    return Reading(GOV_V1_PROPOSAL, shape, _read_messages(packed, shape, authority))


def _read_messages(messages: list[_Any], shape: str, authority: str | None) -> Settings:
    settings: Settings = {}
    updated_by: dict[str, str] = {}
    for index, message in enumerate(messages):
        url = message.type_url
        where = format_path(message.path)
        if is_update_params_type(url):
            subspace = get_update_params_subspace(url, where=format_path(message.type_path))
            if subspace in updated_by:
                raise DuplicateChangeError(
                    where, f"{subspace} is already updated by {updated_by[subspace]}"
                )
            updated_by[subspace] = where
            more = collect_update_params(
                subspace, message.fields, path=message.path, authority=authority
            )
        elif url == MSG_EXEC_LEGACY_CONTENT:
            more = _read_exec_legacy_content(message, shape, authority)
        else:
            raise MalformedParamsError(
                format_path(message.type_path),
                f"{shape} whose message {index} is {show_name(url)}: {_CHANGERS}",
            )
        merge_settings(settings, more, by=where)
    return settings


def _read_exec_legacy_content(message: _Any, shape: str, authority: str | None) -> Settings:
    name = "MsgExecLegacyContent"
    _check_fields(message.fields, EXEC_LEGACY_CONTENT_FIELDS | {"@type"}, message.path, f"a {name}")
    check_authority(message.fields, path=message.path, expected=authority, message=name)
    if "content" not in message.fields:
        raise MalformedParamsError(
            format_path((*message.path, "content")), "missing (the ParameterChangeProposal)"
        )
    return _read_content(message.fields["content"], (*message.path, "content"), shape)


def _read_content(content: object, path: JsonPath, shape: str) -> Settings:
    where = format_path(path)
    if not isinstance(content, Mapping):
        raise MalformedParamsError(
            where, f"expected the proposal's content object, got {describe_kind(content)}"
        )
    packed = _unpack(content, path)
    if packed.type_url is None:
        raise MalformedParamsError(f"{where}.@type", "missing (the content's type URL)")
    if packed.type_url != PARAMETER_CHANGE_PROPOSAL:
        raise MalformedParamsError(
            format_path(packed.type_path),
            f"{shape} holding a {show_name(packed.type_url)}: only a "
            f"{PARAMETER_CHANGE_PROPOSAL} changes parameters",
        )
    return _read_change_proposal(packed, shape)


def _read_change_proposal(packed: _Any, shape: str) -> Settings:
    _check_fields(
        packed.fields, PARAMETER_CHANGE_FIELDS | {"@type"}, packed.path, "a ParameterChangeProposal"
    )
    if "changes" not in packed.fields:
        raise MalformedParamsError(format_path((*packed.path, "changes")), "missing")
    return collect_changes(packed.fields["changes"], path=(*packed.path, "changes"))


def _unpack(message: Mapping[str, object], path: JsonPath) -> _Any:
    """A packed `Any` in proto JSON (`@type` beside the fields) or amino JSON (`type`, `value`)."""
    if "@type" in message:
        url = message["@type"]
        type_path = (*path, "@type")
        if not isinstance(url, str):
            raise MalformedParamsError(
                format_path(type_path), f"expected a type URL string, got {describe_kind(url)}"
            )
        fields = {name: value for name, value in message.items() if name != "@type"}
        return _Any(url, fields, path, type_path)
    value = message.get("value")
    if set(message) == {"type", "value"} and isinstance(value, Mapping):
        url = message["type"]
        type_path = (*path, "type")
        if not isinstance(url, str):
            raise MalformedParamsError(
                format_path(type_path), f"expected a type URL string, got {describe_kind(url)}"
            )
        return _Any(AMINO_NAMES.get(url, url), value, (*path, "value"), type_path)
    return _Any(None, message, path, path)


def _check_fields(
    document: Mapping[str, object], allowed: frozenset[str], path: JsonPath, shape: str
) -> None:
    unexpected = sorted(set(document) - allowed)
    if not unexpected:
        return
    shown = ", ".join(sorted(name for name in allowed if name == name.lower() or name == "@type"))
    if not path:
        raise MalformedParamsError(
            "proposal", f"unexpected field {_short(unexpected[0])} ({shape} has {shown})"
        )
    raise MalformedParamsError(
        format_path((*path, unexpected[0])), f"unexpected field ({shape} has {shown})"
    )


def _short(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."


_ENVELOPES = {
    "proposal": _read_query_output,
    "content": _read_content_envelope,
    "params": _read_params_query,
}
