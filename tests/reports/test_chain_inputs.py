"""Tests of proposals and parameter sets in the shapes the chain shows them, and of the authority.

The fixtures in `fixtures/proposals/chain/` are written as the Cosmos SDK writes each shape (query
outputs, MsgExecLegacyContent, v1beta1 content, x/params values and keys, params queries); each
must load to the values it states, at the lines it states them on, and each shape that changes no
parameter must be refused in one line that names the shape.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import bech32
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from malformed_inputs import COSMOS_GOV_AUTHORITY, GOV_AUTHORITY, payment_params

from model.coherence import is_coherent
from model.params import WHITEPAPER_PARAMS, ParamsError, with_values
from reports.chain_shapes import classify_document, read_document
from reports.cli import EXIT_BAD_INPUT, EXIT_FAIL, EXIT_PASS, main
from reports.inputs import (
    DEFAULT_BECH32_PREFIX,
    GOV_V1_PROPOSAL,
    LEGACY_PROPOSAL,
    PARAMETER_SET,
    InputError,
    LoadedParams,
    check_authority_address,
    get_gov_authority,
    load_base,
    load_params,
)

ROOT = Path(__file__).resolve().parents[2]
PROPOSALS = ROOT / "fixtures" / "proposals"
CHAIN = PROPOSALS / "chain"
EXEC = "/cosmos.gov.v1.MsgExecLegacyContent"
CHANGE_PROPOSAL = "/cosmos.params.v1beta1.ParameterChangeProposal"

Row = tuple[str, int, int, int | None]


def rows(loaded: LoadedParams) -> list[Row]:
    return [(c.parameter, c.base, c.value, c.line) for c in loaded.changes]


def write(tmp_path: Path, document: object, name: str = "p.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def refusal(path: Path, *, authority: str | None = None) -> str:
    with pytest.raises(InputError) as raised:
        load_params(path, authority=authority)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message[len(f"{path}: ") :]


def change(key: str, value: object, subspace: str = "payment") -> dict[str, object]:
    return {"subspace": subspace, "key": key, "value": value}


def exec_content(*changes: object, authority: str = GOV_AUTHORITY) -> dict[str, object]:
    content = {"@type": CHANGE_PROPOSAL, "title": "t", "description": "d", "changes": list(changes)}
    return {"@type": EXEC, "content": content, "authority": authority}


def update_payment(authority: str = GOV_AUTHORITY, **values: object) -> dict[str, object]:
    return {
        "@type": "/stratosphere.payment.v1.MsgUpdateParams",
        "authority": authority,
        "params": payment_params(**values),
    }


# --- the fixtures: each shape, its values and their lines ----------------------------------------

V1_QUERY = 'a gov v1 {"proposal": ...} query output'
BURN_12 = [("payment.str_node_profit_bps", 2000, 1800), ("payment.str_burn_bps", 1000, 1200)]

FIXTURES: list[tuple[str, str, str, list[Row], bool]] = [
    (
        "query-v1.payment.json",
        GOV_V1_PROPOSAL,
        V1_QUERY,
        [(*BURN_12[0], 14), (*BURN_12[1], 15)],
        True,
    ),
    (
        "query-v1.exec-legacy-burn-alone.json",
        GOV_V1_PROPOSAL,
        V1_QUERY,
        [("payment.str_burn_bps", 1000, 1200, 15)],
        False,
    ),
    (
        "query-v1.camel-case.json",
        GOV_V1_PROPOSAL,
        V1_QUERY,
        [("payment.str_burn_bps", 1000, 1500, 15)],
        False,
    ),
    (
        "query-v1.amino-json.json",
        GOV_V1_PROPOSAL,
        V1_QUERY,
        [("consensus.threshold_num", 2, 1, 17), ("consensus.threshold_den", 3, 2, 22)],
        True,
    ),
    (
        "query-v1beta1.burn.json",
        LEGACY_PROPOSAL,
        'a gov v1beta1 {"proposal": ...} query output',
        [(*BURN_12[0], 17), (*BURN_12[1], 12)],
        True,
    ),
    (
        "exec-legacy-content.gov-v1.json",
        GOV_V1_PROPOSAL,
        "a gov v1 proposal",
        [(*BURN_12[0], 18), (*BURN_12[1], 13)],
        True,
    ),
    (
        "msg-submit-proposal-v1beta1.validators.json",
        LEGACY_PROPOSAL,
        "a /cosmos.gov.v1beta1.MsgSubmitProposal message",
        [("consensus.max_validators", 100, 125, 11)],
        True,
    ),
    (
        "content-v1beta1.timeouts.json",
        LEGACY_PROPOSAL,
        'a gov v1beta1 {"content": ...} proposal',
        [
            ("consensus.commit_timeout_seconds", 60, 30, 10),
            ("consensus.reveal_timeout_seconds", 60, 30, 15),
        ],
        True,
    ),
]


@pytest.mark.parametrize(
    ("name", "kind", "shape", "expected", "coherent"), FIXTURES, ids=[f[0] for f in FIXTURES]
)
def test_fixture__kind_shape_changes_lines(
    name: str, kind: str, shape: str, expected: list[Row], coherent: bool
) -> None:
    path = CHAIN / name
    loaded = load_params(path)
    assert (loaded.kind, loaded.shape) == (kind, shape)
    assert rows(loaded) == expected
    assert is_coherent(loaded.params) is coherent
    lines = path.read_text("utf-8").splitlines()
    for row in loaded.changes:
        assert row.line is not None
        text = lines[row.line - 1]
        # The line writes the value: an x/params change's value, or the key in a params object.
        assert str(row.value) in text, (row, text)
        assert '"value"' in text or row.key.split("_")[-1].lower() in text.lower(), (row, text)


def test_fixtures__written_as_json_prints_them() -> None:
    paths = sorted(CHAIN.glob("*.json"))
    assert len(paths) >= 12
    for path in paths:
        text = path.read_text("utf-8")
        assert json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n" == text, path.name


def test_fixtures__one_change_in_every_shape_means_the_same_parameters() -> None:
    """The v1beta1 query, the MsgExecLegacyContent and the gov v1 query of the 12% burn are the
    legacy file's proposal, as the chain would execute it."""
    expected = load_params(PROPOSALS / "burn-12pct.legacy.json").params
    for name in ("query-v1beta1.burn.json", "exec-legacy-content.gov-v1.json"):
        assert load_params(CHAIN / name).params == expected, name
    assert load_params(CHAIN / "query-v1.payment.json").params == expected
    alone = load_params(PROPOSALS / "burn-12pct-alone.legacy.json").params
    assert load_params(CHAIN / "query-v1.exec-legacy-burn-alone.json").params == alone


# --- values as x/params stores them --------------------------------------------------------------


@pytest.mark.parametrize("value", ['"1200"', "1200", 1200, " 1200 ", '"+1200"'])
def test_change_value__json_in_a_string_or_plain(value: object, tmp_path: Path) -> None:
    path = write(tmp_path, {"changes": [change("str_burn_bps", value)]})
    assert load_params(path).params.payment.str_burn_bps == 1200


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ('"\\"1200\\""', "expected a decimal integer string, got '\"1200\"'"),  # encoded twice
        ('"12.5"', "expected a decimal integer string, got '12.5'"),
        ('"1200', "expected JSON of a decimal integer string"),
        ('"1200" "1300"', "expected JSON of a decimal integer string"),
        ('"10001"', "10001 is outside the allowed range 0..10000"),
    ],
)
def test_change_value__refused(value: str, fragment: str, tmp_path: Path) -> None:
    path = write(tmp_path, {"changes": [change("str_burn_bps", value)]})
    message = refusal(path)
    assert message.startswith("changes[0] (payment.str_burn_bps): "), message
    assert fragment in message


def test_change_value__json_strings_only_in_legacy_changes(tmp_path: Path) -> None:
    """A MsgUpdateParams or a parameter set writes int64 as proto JSON does, never JSON text."""
    path = write(tmp_path, {"payment": {"str_burn_bps": '"1200"'}})
    assert "payment.str_burn_bps: expected a decimal integer string" in refusal(path)


# --- key spellings -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["str_burn_bps", "StrBurnBps", "strBurnBps"])
def test_keys__every_sdk_spelling(key: str, tmp_path: Path) -> None:
    legacy = write(tmp_path, {"changes": [change(key, "1200")]}, "legacy.json")
    assert rows(load_params(legacy)) == [("payment.str_burn_bps", 1000, 1200, 6)]
    params = {k: v for k, v in payment_params(str_burn_bps="1200").items() if k != "str_burn_bps"}
    message = update_payment()
    message["params"] = {**params, key: "1200"}
    gov = write(tmp_path, {"messages": [message]}, "gov.json")
    assert load_params(gov).params.payment.str_burn_bps == 1200
    subspace = write(tmp_path, {"payment": {key: 1200}}, "set.json")
    assert load_params(subspace).params.payment.str_burn_bps == 1200


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("StrBurnBp", "'StrBurnBps'"),
        ("strBurnBp", "'strBurnBps'"),
        ("str_burn_bp", "'str_burn_bps'"),
        ("STR_BURN_BPS", None),
        ("Str_Burn_Bps", None),
        ("strburnbps", "'str_burn_bps'"),
    ],
)
def test_keys__anything_else_is_unknown_with_a_suggestion_in_its_style(
    key: str, hint: str | None, tmp_path: Path
) -> None:
    message = refusal(write(tmp_path, {"changes": [change(key, "1200")]}))
    assert message.startswith(f"changes[0] (payment.{key}): unknown key in payment")
    if hint is not None:
        assert f"(did you mean {hint}?)" in message


def test_keys__two_spellings_of_one_key_are_one_key_twice(tmp_path: Path) -> None:
    message = update_payment()
    message["params"] = {**payment_params(), "strBurnBps": "1200"}
    text = refusal(write(tmp_path, {"messages": [message]}))
    assert text == (
        "messages[0].params.strBurnBps: str_burn_bps is already set by "
        "messages[0].params.str_burn_bps"
    )
    legacy = write(tmp_path, {"changes": [change("StrBurnBps", "1"), change("str_burn_bps", "2")]})
    assert "changes[1] (payment.str_burn_bps): this key is already changed" in refusal(legacy)


# --- the gov module account ----------------------------------------------------------------------


def test_gov_authority__sha256_of_gov_under_the_prefix() -> None:
    assert get_gov_authority("cosmos") == "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn"
    assert get_gov_authority() == get_gov_authority(DEFAULT_BECH32_PREFIX) == GOV_AUTHORITY
    for prefix in ("cosmos", "strato", "osmo"):
        hrp, words = bech32.bech32_decode(get_gov_authority(prefix))
        assert hrp == prefix and words is not None
        assert (
            bytes(bech32.convertbits(words, 5, 8, False) or [])
            == (hashlib.sha256(b"gov").digest()[:20])
        )


@pytest.mark.parametrize("prefix", ["", "Cosmos", "cos mos", "x" * 84])
def test_gov_authority__a_prefix_no_address_carries(prefix: str) -> None:
    with pytest.raises(InputError, match="bech32 prefix"):
        get_gov_authority(prefix)


@pytest.mark.parametrize(
    "document",
    [
        {"messages": [update_payment(authority=COSMOS_GOV_AUTHORITY)]},
        {"messages": [exec_content(change("str_burn_bps", "1"), authority=COSMOS_GOV_AUTHORITY)]},
        {"proposal": {"id": "1", "messages": [update_payment(authority=COSMOS_GOV_AUTHORITY)]}},
    ],
    ids=["MsgUpdateParams", "MsgExecLegacyContent", "query output"],
)
def test_authority__another_account_is_refused_unless_expected(
    document: object, tmp_path: Path
) -> None:
    path = write(tmp_path, document)
    message = refusal(path)
    assert f".authority: {COSMOS_GOV_AUTHORITY} is not the gov module account {GOV_AUTHORITY}" in (
        message
    )
    loaded = load_params(path, authority=COSMOS_GOV_AUTHORITY)
    assert loaded.kind == GOV_V1_PROPOSAL
    assert "is not the gov module account" in refusal(
        write(tmp_path, {"messages": [update_payment()]}), authority=COSMOS_GOV_AUTHORITY
    )


def test_authority__upper_case_is_the_same_address(tmp_path: Path) -> None:
    path = write(tmp_path, {"messages": [update_payment(authority=GOV_AUTHORITY.upper())]})
    assert load_params(path).kind == GOV_V1_PROPOSAL


@pytest.mark.parametrize(
    ("authority", "problem"),
    [
        (GOV_AUTHORITY[:-1] + "q", "(bad checksum)"),
        ("gov", "(no separator '1' between prefix and data)"),
        ("", "(empty)"),
    ],
)
def test_authority__the_one_given_must_be_bech32(authority: str, problem: str) -> None:
    with pytest.raises(InputError) as raised:
        load_params(CHAIN / "query-v1.payment.json", authority=authority)
    assert str(raised.value).startswith("--authority: expected a bech32 address, got ")
    assert problem in str(raised.value)
    with pytest.raises(InputError, match="--authority"):
        check_authority_address(authority)


def test_authority__messages_without_one_need_none(tmp_path: Path) -> None:
    """v1beta1 content and legacy changes carry no authority: the gov module executes them."""
    loaded = load_params(CHAIN / "query-v1beta1.burn.json", authority=COSMOS_GOV_AUTHORITY)
    assert loaded.params.payment.str_burn_bps == 1200


# --- gov v1 messages together --------------------------------------------------------------------


def test_gov_v1__update_params_and_legacy_content_together(tmp_path: Path) -> None:
    consensus = exec_content(change("MaxValidators", "150", "consensus"))
    path = write(tmp_path, {"messages": [update_payment(str_burn_bps="900"), consensus]})
    loaded = load_params(path)
    assert loaded.params == with_values(
        WHITEPAPER_PARAMS, {("payment", "str_burn_bps"): 900, ("consensus", "max_validators"): 150}
    )


def test_gov_v1__one_key_set_by_two_messages_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path, {"messages": [update_payment(), exec_content(change("StrBurnBps", '"1200"'))]}
    )
    assert refusal(path) == (
        "messages[1].content.changes[0].value: payment.str_burn_bps is already set by "
        "messages[0].params.str_burn_bps (messages[1] sets it again)"
    )


# --- bases: params queries -----------------------------------------------------------------------


def test_base__params_query_of_one_module() -> None:
    base = load_base(CHAIN / "params-query.payment.json")
    assert (base.kind, base.shape) == (
        PARAMETER_SET,
        'a {"params": ...} query output of the payment module',
    )
    assert rows(base) == [("payment.validation_floor_ustr", 1, 1000, 11)]
    proposal = load_params(CHAIN / "query-v1.payment.json", base=base)
    # The MsgUpdateParams copies the whitepaper's floor: it resets the live 1000, and says so.
    assert ("payment.validation_floor_ustr", 1000, 1, 17) in rows(proposal)


def test_base__params_query_of_every_module_is_the_parameter_set() -> None:
    base = load_base(CHAIN / "params-query.every-module.json")
    live = load_base(PROPOSALS / "live-params.json")
    assert base.params == live.params
    assert [r[:3] for r in rows(base)] == [r[:3] for r in rows(live)]
    assert [r[3] for r in rows(base)] == [(r[3] or 0) + 1 for r in rows(live)]


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"params": {"str_burn_bps": "1000"}}, "params.payment_rate_bps: missing; a params query"),
        ({"params": {"payment": {}, "str_burn_bps": "1"}}, 'params.str_burn_bps: a {"params"'),
        ({"params": {"str_burn": "1"}}, "(did you mean 'str_burn_bps'?)"),
        ({"params": {"paymnt": {}}}, "(did you mean 'payment'?)"),
        ({"params": {}}, 'params: a {"params": ...} query output holding nothing'),
        ({"params": [], "pagination": None}, "proposal: unexpected field 'pagination'"),
    ],
)
def test_base__params_queries_refused(document: object, fragment: str, tmp_path: Path) -> None:
    path = write(tmp_path, document)
    with pytest.raises(InputError) as raised:
        load_base(path)
    assert fragment in str(raised.value)


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("query-v1.payment.json", 'gov v1 proposal (a gov v1 {"proposal": ...} query output'),
        ("query-v1beta1.burn.json", 'legacy proposal (a gov v1beta1 {"proposal": ...}'),
        ("msg-submit-proposal-v1beta1.validators.json", "legacy proposal (a /cosmos.gov.v1beta1"),
        ("refused.community-pool-spend.query-v1.json", 'gov v1 proposal (a gov v1 {"proposal"'),
    ],
)
def test_base__a_proposal_is_refused_naming_its_shape(name: str, shape: str) -> None:
    with pytest.raises(InputError) as raised:
        load_base(CHAIN / name)
    assert f"a base must be a parameter set, not a {shape}" in str(raised.value)


# --- shapes that change no parameter -------------------------------------------------------------

REFUSED: list[tuple[str, object, str]] = [
    (
        "amino name of another message",
        {"proposal": {"id": "1", "messages": [{"type": "cosmos-sdk/MsgSend", "value": {}}]}},
        f'proposal.messages[0].type: {V1_QUERY} whose message 0 is cosmos-sdk/MsgSend: only',
    ),
    (
        "software upgrade content",
        {"content": {"@type": "/cosmos.upgrade.v1beta1.SoftwareUpgradeProposal", "plan": {}}},
        'content.@type: a gov v1beta1 {"content": ...} proposal holding a '
        "/cosmos.upgrade.v1beta1.SoftwareUpgradeProposal: only a " + CHANGE_PROPOSAL,
    ),
    (
        "legacy content of a text proposal",
        {"messages": [{"@type": EXEC, "authority": GOV_AUTHORITY, "content": {
            "@type": "/cosmos.gov.v1beta1.TextProposal", "title": "t", "description": "d"}}]},
        "messages[0].content.@type: a gov v1 proposal holding a /cosmos.gov.v1beta1.TextProposal",
    ),
    (
        "legacy content without content",
        {"messages": [{"@type": EXEC, "authority": GOV_AUTHORITY}]},
        "messages[0].content: missing (the ParameterChangeProposal)",
    ),
    (
        "content without a type",
        {"content": {"title": "t", "description": "d", "changes": []}},
        "content.@type: missing (the content's type URL)",
    ),
    (
        "a transaction",
        {"body": {"messages": []}, "auth_info": {}, "signatures": []},
        "body: a transaction holds its proposal in body.messages; give one proposal",
    ),
    (
        "query output with a stray field",
        {"proposal": {"id": "1", "messages": [update_payment()], "votes": []}},
        f"proposal.votes: unexpected field ({V1_QUERY} has",
    ),
    (
        "signal proposal",
        {"proposal": {"id": "3", "messages": [], "title": "Signal", "summary": "s"}},
        f"proposal.messages: {V1_QUERY} with no message changes no parameter",
    ),
    (
        "query output holding a list",
        {"proposal": []},
        'proposal: a {"proposal": ...} query output holding a list',
    ),
    (
        "v1 MsgSubmitProposal of a send",
        {"@type": "/cosmos.gov.v1.MsgSubmitProposal", "messages": [
            {"@type": "/cosmos.bank.v1beta1.MsgSend"}], "proposer": GOV_AUTHORITY},
        "messages[0].@type: a /cosmos.gov.v1.MsgSubmitProposal message whose message 0 is "
        "/cosmos.bank.v1beta1.MsgSend",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "document", "fragment"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_shapes_are_named(
    name: str, document: object, fragment: str, tmp_path: Path
) -> None:
    message = refusal(write(tmp_path, document))
    assert fragment in message, message
    assert len(message) < 400


def test_refused_shapes__through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [
        (CHAIN / "refused.community-pool-spend.query-v1.json", "/cosmos.distribution.v1beta1."),
        (CHAIN / "refused.wrong-authority.gov-v1.json", "is not the gov module account"),
        (write(tmp_path, {"proposals": []}), 'a {"proposals": [...]} list query output'),
    ]
    for path, fragment in cases:
        code = main(["params", str(path)])
        captured = capsys.readouterr()
        assert code == EXIT_BAD_INPUT, path
        assert captured.out == ""
        (line,) = captured.err.splitlines()
        assert line.startswith(f"stratoverify: error: {path}: ") and fragment in line


def test_accepted_shapes__through_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params", str(CHAIN / "query-v1.amino-json.json")]) == EXIT_PASS
    document = json.loads(capsys.readouterr().out)
    assert (document["consensus"]["threshold_num"], document["consensus"]["threshold_den"]) == (
        1,
        2,
    )
    assert main(["params", str(CHAIN / "query-v1.exec-legacy-burn-alone.json")]) == EXIT_FAIL
    captured = capsys.readouterr()
    assert json.loads(captured.out)["payment"]["str_burn_bps"] == 1200
    assert "GOV-PARAMS fails (str-sub-shares)" in captured.err


# --- one message on its own ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "kind", "shape"),
    [
        (update_payment(str_burn_bps="1200", str_node_profit_bps="1800"), GOV_V1_PROPOSAL, "a message on its own"),
        (exec_content(change("StrBurnBps", '"1200"'), change("StrNodeProfitBps", 1800)), GOV_V1_PROPOSAL, "a message on its own"),
        ({"@type": CHANGE_PROPOSAL, "title": "t", "description": "d", "changes": [change("str_burn_bps", "1200"), change("str_node_profit_bps", "1800")]}, LEGACY_PROPOSAL, f"a {CHANGE_PROPOSAL}"),
        ({"type": "cosmos-sdk/v1/MsgSubmitProposal", "value": {"messages": [update_payment(str_burn_bps="1200", str_node_profit_bps="1800")], "initial_deposit": [], "proposer": GOV_AUTHORITY}}, GOV_V1_PROPOSAL, "a /cosmos.gov.v1.MsgSubmitProposal message"),
    ],
    ids=["MsgUpdateParams", "MsgExecLegacyContent", "ParameterChangeProposal", "amino MsgSubmitProposal"],
)  # fmt: skip
def test_one_message__is_a_proposal_of_it(
    document: object, kind: str, shape: str, tmp_path: Path
) -> None:
    loaded = load_params(write(tmp_path, document))
    assert (loaded.kind, loaded.shape) == (kind, shape)
    assert loaded.params == load_params(PROPOSALS / "burn-12pct.legacy.json").params


# --- whatever the document, a reading or one line of bad input ----------------------------------

_NAMES = st.sampled_from(
    ["changes", "messages", "proposal", "content", "params", "@type", "type", "value", "authority",
     "subspace", "key", "payment", "str_burn_bps", "StrBurnBps", "title", "proposals", "body"]
)  # fmt: skip
_URLS = st.sampled_from(
    [EXEC, CHANGE_PROPOSAL, "/stratosphere.payment.v1.MsgUpdateParams",
     "/cosmos.gov.v1.MsgSubmitProposal", "/cosmos.gov.v1beta1.MsgSubmitProposal",
     "/cosmos.gov.v1.QueryProposalResponse", "cosmos-sdk/ParameterChangeProposal", GOV_AUTHORITY]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    _URLS,
    st.just('"1200"'),
    st.just("1200"),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(_NAMES, inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(document=st.dictionaries(_NAMES, _JSON, max_size=4))
def test_any_document__loads_or_is_one_line_of_bad_input(document: dict[str, object]) -> None:
    try:
        reading = read_document(document, authority=GOV_AUTHORITY)
    except ParamsError as error:
        assert "\n" not in str(error)
    else:
        assert reading.kind in (PARAMETER_SET, LEGACY_PROPOSAL, GOV_V1_PROPOSAL)
    seen = classify_document(document)
    assert seen is None or seen[0] in (PARAMETER_SET, LEGACY_PROPOSAL, GOV_V1_PROPOSAL)
