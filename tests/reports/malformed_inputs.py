"""A corpus of malformed parameter sets and proposals, each with a fragment its error must contain.

Shared by `test_inputs.py` (through `load_params`) and the end-to-end tests of the command line:
every case must be refused as bad input with one line naming the file and the place. A case is
`(name, content, fragment)`; content None marks the cases that are not a file's bytes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from model.params import WHITEPAPER_PARAMS, params_to_document

MISSING_FILE = "missing file"
DIRECTORY = "a directory"
GOV_AUTHORITY = "strato10d07y265gmmuvt4z0w9aw880jnsr700jwgmf9g"
"""The gov module account (sha256("gov")[:20]) under the prefix the fixtures use."""
COSMOS_GOV_AUTHORITY = "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn"
"""The same account under the Cosmos Hub's prefix: not this chain's gov module account."""

PAYMENT_TYPE = "/stratosphere.payment.v1.MsgUpdateParams"


def payment_params(**overrides: object) -> dict[str, object]:
    """Every payment key at its whitepaper default, as proto JSON writes int64, with overrides."""
    params: dict[str, object] = {
        key: str(value) for key, value in params_to_document(WHITEPAPER_PARAMS)["payment"].items()
    }
    params.update(overrides)
    return params


def gov_v1(*messages: object, **fields: object) -> str:
    """A gov v1 proposal file around `messages` (default: one full payment update)."""
    document: dict[str, object] = {
        "messages": list(messages)
        or [{"@type": PAYMENT_TYPE, "authority": GOV_AUTHORITY, "params": payment_params()}],
        "metadata": "",
        "deposit": "10000000ustr",
        "title": "t",
        "summary": "s",
    }
    document.update(fields)
    return json.dumps(document, indent=2)


def message(**fields: object) -> dict[str, object]:
    """A payment `MsgUpdateParams` with fields replaced; a field set to None is left out."""
    body: dict[str, object] = {
        "@type": PAYMENT_TYPE,
        "authority": GOV_AUTHORITY,
        "params": payment_params(),
    }
    body.update(fields)
    return {name: value for name, value in body.items() if value is not None}


def legacy(*changes: object, **fields: object) -> str:
    """A legacy param-change proposal file around `changes`."""
    document: dict[str, object] = {"title": "t", "description": "d", "changes": list(changes)}
    document.update(fields)
    return json.dumps(document, indent=2)


def change(subspace: object, key: object, value: object) -> dict[str, object]:
    """One legacy change entry."""
    return {"subspace": subspace, "key": key, "value": value}


_BURN = change("payment", "str_burn_bps", "1200")
_NO_KEY = {key: value for key, value in payment_params().items() if key != "validation_floor_ustr"}
_SLASHING = {
    "@type": "/stratosphere.slashing.v1.MsgUpdateParams",
    "authority": GOV_AUTHORITY,
    "params": {"slash_base_bps": "500", "slash_factor": "2", "slash_cap_bps": "10000"}
    | {"slash_window_seconds": "63072000"},
}

# fmt: off
MALFORMED: list[tuple[str, bytes | str | None, str]] = [
    # The file itself.
    (MISSING_FILE, None, "no such file"),
    (DIRECTORY, None, "is a directory"),
    ("empty", "", "the file is empty"),
    ("whitespace only", " \n\t\r\n", "the file is empty"),
    ("too large", " " * (5 * 1024 * 1024) + "{}", "larger than the 4194304 allowed"),
    ("not UTF-8", b'{"payment": {"str_burn_bps": "\xe9"}}', "not UTF-8 (byte 30)"),
    ("UTF-16", '{"payment": {}}'.encode("utf-16"), "not UTF-8 (byte 0)"),
    # Not JSON.
    ("not JSON", '{"payment": ', "not valid JSON at line 1"),
    ("trailing comma", '{\n  "payment": {\n    "str_burn_bps": 1200,\n  }\n}', "at line 4"),
    ("single quotes", "{'payment': {}}", "not valid JSON at line 1 column 2"),
    ("extra data", '{"payment": {}} {"mint": {}}', "not valid JSON at line 1 column 17"),
    ("control character", '{"payment": {"str_burn_bps": "12\n00"}}', "not valid JSON"),
    ("comment", '{\n  // burn more\n  "payment": {}\n}', "not valid JSON at line 2"),
    ("NaN", '{"payment": {"str_burn_bps": NaN}}', "NaN is not a JSON number"),
    ("Infinity", '{"payment": {"str_burn_bps": Infinity}}', "Infinity is not a JSON number"),
    ("minus Infinity in a change", legacy(change("payment", "str_burn_bps", "x")).replace('"x"', "-Infinity"), "-Infinity is not a JSON number"),
    ("deep lists", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("deep objects", '{"a": ' * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
    ("deep value", '{"payment": {"str_burn_bps": ' + "[" * 50_000 + "]" * 50_000 + "}}", "nested too deeply"),
    # Duplicates.
    ("duplicated key", '{"payment": {"str_burn_bps": 1, "str_burn_bps": 2}}', "payment.str_burn_bps: the key 'str_burn_bps' appears twice in one object (again on line 1)"),
    ("duplicated key on another line", '{\n  "mint": {\n    "inflation_min_bps": 1,\n    "inflation_min_bps": 2\n  }\n}', "mint.inflation_min_bps: the key 'inflation_min_bps' appears twice in one object (again on line 4)"),
    ("duplicated subspace", '{"payment": {}, "payment": {}}', "payment: the key 'payment' appears twice"),
    ("duplicated changes field", '{"changes": [], "changes": []}', "changes: the key 'changes' appears twice"),
    ("duplicated change", legacy(_BURN, change("payment", "str_burn_bps", "1300")), "changes[1] (payment.str_burn_bps): this key is already changed"),
    # Parameter sets.
    ("top-level list", "[1, 2]", "parameter set: expected a JSON object, got a list"),
    ("top-level string", '"payment"', "parameter set: expected a JSON object, got a string"),
    ("top-level null", "null", "parameter set: expected a JSON object, got null"),
    ("subspace not an object", '{"payment": 5}', "payment: expected an object of keys, got a number"),
    ("subspace a list", '{"payment": [["str_burn_bps", 1]]}', "payment: expected an object of keys, got a list"),
    ("unknown subspace", '{"slash": {}}', "slash: unknown subspace (did you mean 'slashing'?)"),
    ("unknown key", '{"payment": {"burn_bps": 1}}', "payment.burn_bps: unknown key in payment"),
    ("key with a line break", '{"payment": {"str\\nburn": 1}}', "payment.'str\\nburn': unknown key"),
    ("very long key", '{"payment": {"' + "k" * 100_000 + '": 1}}', "payment.'kkkk"),
    ("lone surrogate key", '{"payment": {"\\ud800": 1}}', "payment.'\\ud800': unknown key"),
    ("non-integer string", '{"payment": {"str_burn_bps": "12%"}}', "payment.str_burn_bps: expected a decimal integer string, got '12%'"),
    ("decimal string", '{"payment": {"str_burn_bps": "1200.0"}}', "payment.str_burn_bps: expected a decimal integer string"),
    ("hex string", '{"payment": {"str_burn_bps": "0x4b0"}}', "payment.str_burn_bps: expected a decimal integer string"),
    ("float", '{"payment": {"str_burn_bps": 12.5}}', "payment.str_burn_bps: expected an integer, got 12.5"),
    ("exponent", '{"payment": {"str_burn_bps": 1.2e3}}', "payment.str_burn_bps: expected an integer, got 1.2E+3"),
    ("long float", '{"payment": {"str_burn_bps": 1.' + "5" * 5000 + "}}", "payment.str_burn_bps: expected an integer, got 1.555"),
    ("boolean", '{"payment": {"str_burn_bps": true}}', "payment.str_burn_bps: expected an integer, got the boolean true"),
    ("null value", '{"payment": {"str_burn_bps": null}}', "payment.str_burn_bps: expected an integer, got null"),
    ("object value", '{"payment": {"str_burn_bps": {"value": 1}}}', "payment.str_burn_bps: expected an integer, got an object"),
    ("negative", '{"payment": {"str_burn_bps": -1}}', "payment.str_burn_bps: -1 is outside the allowed range 0..10000"),
    ("above the domain", '{"payment": {"str_burn_bps": 10001}}', "payment.str_burn_bps: 10001 is outside the allowed range 0..10000"),
    ("zero validators", '{"consensus": {"max_validators": "0"}}', "consensus.max_validators: 0 is outside the allowed range 1..10000"),
    ("huge integer", '{"payment": {"str_burn_bps": 1' + "0" * 5000 + "}}", "payment.str_burn_bps: a 5001-digit value is outside every domain"),
    ("huge negative integer", '{"slashing": {"slash_factor": -' + "9" * 5000 + "}}", "slashing.slash_factor: a 5000-digit value is outside every domain"),
    ("huge integer string", '{"payment": {"str_burn_bps": "' + "9" * 5000 + '"}}', "payment.str_burn_bps: a 5000-digit value is outside every domain"),
    # Legacy proposals.
    ("changes not a list", '{"changes": {"payment": {}}}', "changes: expected a list of changes, got an object"),
    ("changes a huge number", '{"changes": 1' + "0" * 5000 + "}", "changes: expected a list of changes, got a number"),
    ("no changes", legacy(), "changes: a proposal must change at least one parameter"),
    ("change not an object", legacy("payment.str_burn_bps=1200"), "changes[0]: expected an object, got a string"),
    ("change missing its value", legacy({"subspace": "payment", "key": "str_burn_bps"}), "changes[0]: missing value"),
    ("change with an extra field", legacy({**_BURN, "note": "x"}), "changes[0]: unexpected field 'note'"),
    ("change key not a string", legacy(change("payment", 7, "1")), "changes[0]: subspace and key must be strings"),
    ("change of an unknown subspace", legacy(_BURN, change("paymnt", "str_burn_bps", "1")), "changes[1] (paymnt.str_burn_bps): unknown subspace (did you mean 'payment'?)"),
    ("change of an unknown key", legacy(change("payment", "burn", "1")), "changes[0] (payment.burn): unknown key in payment"),
    ("change to a float", legacy(change("payment", "str_burn_bps", 12.5)), "changes[0] (payment.str_burn_bps): expected an integer, got 12.5"),
    ("change out of its domain", legacy(change("payment", "str_burn_bps", "10001")), "changes[0] (payment.str_burn_bps): 10001 is outside"),
    ("legacy misspelt field", legacy(_BURN, titel="x"), "proposal: unexpected field 'titel'"),
    ("legacy with gov v1 field", legacy(_BURN, summary="x"), "proposal: unexpected field 'summary'"),
    ("both shapes", legacy(_BURN, messages=[]), "proposal: has both 'changes' (legacy) and 'messages' (gov v1)"),
    ("proposal without changes", '{"title": "t", "description": "d"}', "proposal: has 'description' but neither 'changes'"),
    # Gov v1 proposals.
    ("messages not a list", gov_v1(messages={"@type": PAYMENT_TYPE}), "messages: expected a list of messages, got an object"),
    ("no messages", gov_v1(messages=[]), "messages: a gov v1 proposal with no message changes no parameter (it needs at least one MsgUpdateParams"),
    ("message not an object", gov_v1(PAYMENT_TYPE), "messages[0]: expected a message object, got a string"),
    ("message without @type", gov_v1(message(**{"@type": None})), "messages[0].@type: missing"),
    ("@type not a string", gov_v1(message(**{"@type": 1})), "messages[0].@type: expected a type URL string, got a number"),
    ("wrong message type", gov_v1(message(**{"@type": "/cosmos.bank.v1beta1.MsgSend"})), "messages[0].@type: a gov v1 proposal whose message 0 is /cosmos.bank.v1beta1.MsgSend: only this chain's MsgUpdateParams"),
    ("legacy content in gov v1", gov_v1(message(**{"@type": "/cosmos.gov.v1.MsgExecLegacyContent"})), "messages[0].params: unexpected field (a MsgExecLegacyContent has @type, authority, content)"),
    ("SDK module's MsgUpdateParams", gov_v1(message(**{"@type": "/cosmos.staking.v1beta1.MsgUpdateParams"})), "messages[0].@type: a gov v1 proposal whose message 0 is /cosmos.staking.v1beta1.MsgUpdateParams: only"),
    ("unknown subspace in @type", gov_v1(message(**{"@type": "/stratosphere.paymnt.v1.MsgUpdateParams"})), "messages[0].@type (paymnt): unknown subspace (did you mean 'payment'?)"),
    ("unknown version in @type", gov_v1(message(**{"@type": "/stratosphere.payment.v1beta1.MsgUpdateParams"})), "messages[0].@type: version v1beta1 of payment's MsgUpdateParams is unknown"),
    ("message with an extra field", gov_v1(message(signer=GOV_AUTHORITY)), "messages[0].signer: unexpected field"),
    ("message without authority", gov_v1(message(authority=None)), "messages[0].authority: missing"),
    ("authority not a string", gov_v1(message(authority=["x"])), "messages[0].authority: expected a bech32 address string, got a list"),
    ("authority with a bad checksum", gov_v1(message(authority=GOV_AUTHORITY[:-1] + "h")), "messages[0].authority: expected a bech32 address, got strato10d07y265gmmuvt4z0w9aw880jnsr700jwgmf9h (bad checksum)"),
    ("authority not bech32", gov_v1(message(authority="0x0000000000000000000000000000000000000000")), "messages[0].authority: expected a bech32 address"),
    ("message without params", gov_v1(message(params=None)), "messages[0].params: missing (an object with every key of payment)"),
    ("params a list", gov_v1(message(params=[])), "messages[0].params: expected an object with every key of payment, got a list"),
    ("message missing a key", gov_v1(message(params=_NO_KEY)), "messages[0].params.validation_floor_ustr: missing; a MsgUpdateParams sets every key of payment"),
    ("message with only the changed key", gov_v1(message(params={"str_burn_bps": "1200"})), "messages[0].params.payment_rate_bps: missing"),
    ("message with an unknown key", gov_v1(message(params=payment_params(str_burn="1200"))), "messages[0].params.str_burn: unknown key in payment (did you mean 'str_burn_bps'?)"),
    ("message with a float", gov_v1(message(params=payment_params(str_burn_bps=12.5))), "messages[0].params.str_burn_bps: expected an integer, got 12.5"),
    ("second message out of domain", gov_v1(_SLASHING, message(params=payment_params(str_burn_bps="10001"))), "messages[1].params.str_burn_bps: 10001 is outside the allowed range 0..10000"),
    ("two messages for one subspace", gov_v1(message(), _SLASHING, message()), "messages[2]: payment is already updated by messages[0]"),
    ("message with a duplicated key", gov_v1().replace('"str_burn_bps": "1000"', '"str_burn_bps": "1000", "str_burn_bps": "1200"'), "messages[0].params.str_burn_bps: the key 'str_burn_bps' appears twice in one object (again on line 13)"),
    ("gov v1 unexpected field", gov_v1(description="d"), "proposal: unexpected field 'description' (a gov v1 proposal has deposit, expedited, messages, metadata, summary, title)"),
    ("gov v1 expedited not a boolean", gov_v1(expedited="no"), "expedited: expected true or false"),
    ("gov v1 title not a string", gov_v1(title=5), "title: expected a string"),
    # Shapes of the chain.
    ("authority of another chain", gov_v1(message(authority=COSMOS_GOV_AUTHORITY)), f"messages[0].authority: {COSMOS_GOV_AUTHORITY} is not the gov module account {GOV_AUTHORITY}"),
    ("query output of a text proposal", json.dumps({"proposal": {"proposal_id": "4", "content": {"@type": "/cosmos.gov.v1beta1.TextProposal", "title": "t", "description": "d"}, "status": "PROPOSAL_STATUS_PASSED"}}), 'proposal.content.@type: a gov v1beta1 {"proposal": ...} query output holding a /cosmos.gov.v1beta1.TextProposal: only a /cosmos.params.v1beta1.ParameterChangeProposal changes parameters'),
    ("query output without a proposal body", '{"proposal": {"id": "4", "status": "PROPOSAL_STATUS_PASSED"}}', 'proposal: a {"proposal": ...} query output holding neither \'messages\' (gov v1) nor \'content\' (gov v1beta1)'),
    ("list query output", '{"proposals": [], "pagination": {"next_key": null, "total": "0"}}', 'proposals: a {"proposals": [...]} list query output holds many proposals; give one proposal'),
    ("a send message alone", json.dumps({"@type": "/cosmos.bank.v1beta1.MsgSend", "from_address": GOV_AUTHORITY, "to_address": GOV_AUTHORITY, "amount": []}), "@type: a /cosmos.bank.v1beta1.MsgSend message changes no parameter of this chain"),
    ("params query of two modules' keys", '{"params": {"str_burn_bps": "1000", "max_validators": "100"}}', "params: a params query of one module holds one subspace's keys, but max_validators is in consensus and str_burn_bps in payment"),
    ("legacy value as JSON of a fraction", legacy(change("payment", "str_burn_bps", '"12.5"')), "changes[0] (payment.str_burn_bps): expected a decimal integer string, got '12.5'"),
    ("legacy store key misspelt", legacy(change("payment", "StrBurnBp", "1200")), "changes[0] (payment.StrBurnBp): unknown key in payment (did you mean 'StrBurnBps'?)"),
]
"""Every malformed input: (case name, content or None for a special case, expected fragment)."""
# fmt: on


def get_case_file_name(name: str) -> str:
    """The file name a case is written under: its name, made safe for every file system."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".json"


def materialise(directory: Path, name: str, content: bytes | str | None) -> Path:
    """Write case `name` into `directory` and return the path to hand to the command."""
    path = directory / get_case_file_name(name)
    if name == DIRECTORY:
        path.mkdir()
    elif name == MISSING_FILE:
        pass  # the path is the case: nothing is there
    elif content is None:
        raise ValueError(f"case {name!r} has no content and is not a special case")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
