"""Tests of model/params.py: domains, defaults, parsing of sets and changes, GOV-PARAMS coherence."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.coherence import is_coherent
from model.params import (
    WHITEPAPER_PARAMS,
    DuplicateChangeError,
    MalformedParamsError,
    NotAnIntegerError,
    OutOfDomainError,
    Params,
    ParamsError,
    UnknownParamError,
    get_param,
    param_specs,
    params_to_document,
    with_values,
)
from reports.param_documents import (
    LongIntegerLiteral,
    apply_changes,
    apply_update_params,
    check_bech32_address,
    get_update_params_subspace,
    get_update_params_type,
    parse_param_set,
    parse_param_value,
    parse_subspace,
    show_name,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "params" / "whitepaper.json"


def change(subspace: object, key: object, value: object) -> dict[str, object]:
    return {"subspace": subspace, "key": key, "value": value}


def test_whitepaper_defaults_match_design_table() -> None:
    payment = WHITEPAPER_PARAMS.payment
    assert payment.payment_rate_bps == 20_000
    assert (payment.stb_profit_margin_bps, payment.stb_node_profit_bps) == (1_000, 500)
    assert payment.stb_reserve_swap_bps == 500
    assert payment.str_profit_margin_bps == 4_000
    assert (payment.str_node_profit_bps, payment.str_burn_bps) == (2_000, 1_000)
    assert payment.str_network_support_bps == 1_000
    slashing = WHITEPAPER_PARAMS.slashing
    assert (slashing.slash_base_bps, slashing.slash_factor, slashing.slash_cap_bps) == (
        500,
        2,
        10_000,
    )
    assert slashing.slash_window_seconds == 2 * 365 * 86_400
    consensus = WHITEPAPER_PARAMS.consensus
    assert (consensus.threshold_num, consensus.threshold_den, consensus.max_validators) == (
        2,
        3,
        100,
    )
    assert (consensus.commit_timeout_seconds, consensus.reveal_timeout_seconds) == (60, 60)
    assert consensus.app_salt_timeout_seconds == 60
    assert WHITEPAPER_PARAMS.mint.inflation_initial_bps == 1_100
    governance = WHITEPAPER_PARAMS.governance
    assert (governance.supermajority_num, governance.supermajority_den) == (2, 3)
    assert (governance.subcommittee_activation_bps, governance.complaint_refund_bps) == (100, 8_000)
    reputation = WHITEPAPER_PARAMS.reputation
    assert reputation.outbound_requests_per_minute == 10
    assert reputation.uncapped_min_stake_usd == 10_000
    assert reputation.uncapped_min_active_seconds == 180 * 86_400


def test_fixture_file_is_the_embedded_defaults() -> None:
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert document == params_to_document(WHITEPAPER_PARAMS)
    assert parse_param_set(document) == WHITEPAPER_PARAMS


def test_every_default_lies_in_its_domain_and_cites_a_section() -> None:
    specs = param_specs()
    assert len({spec.name for spec in specs}) == len(specs)
    for spec in specs:
        assert spec.minimum <= spec.default <= spec.maximum, spec.name
        assert spec.section and spec.meaning, spec.name
        assert get_param(WHITEPAPER_PARAMS, spec.subspace, spec.key) == spec.default


def test_app_salt_timeout_key__domain_and_section() -> None:
    """§3.2 F6 gains a deadline under the hardened profile: a key after the reveal timeout."""
    names = [spec.name for spec in param_specs()]
    index = names.index("consensus.app_salt_timeout_seconds")
    assert names[index - 1] == "consensus.reveal_timeout_seconds"
    (spec,) = [spec for spec in param_specs() if spec.name == "consensus.app_salt_timeout_seconds"]
    assert (spec.minimum, spec.maximum, spec.section) == (1, 30 * 86_400, "3.2 F6")
    with pytest.raises(OutOfDomainError, match=r"consensus\.app_salt_timeout_seconds"):
        parse_param_set({"consensus": {"app_salt_timeout_seconds": 0}})


def test_parse_param_set__partial_keeps_base() -> None:
    params = parse_param_set({"payment": {"str_burn_bps": 1_200}})
    assert params.payment.str_burn_bps == 1_200
    assert params.slashing == WHITEPAPER_PARAMS.slashing
    assert params.payment.str_node_profit_bps == 2_000


def test_parse_param_set__decimal_strings_as_cosmos_writes_them() -> None:
    params = parse_param_set({"consensus": {"max_validators": "150", "threshold_num": " 2 "}})
    assert params.consensus.max_validators == 150
    assert params.consensus.threshold_num == 2


@pytest.mark.parametrize(
    ("document", "error", "fragment"),
    [
        ([], MalformedParamsError, "expected a JSON object, got a list"),
        ({"payment": 5}, MalformedParamsError, "payment: expected an object of keys"),
        ({"paymant": {}}, UnknownParamError, "did you mean 'payment'"),
        ({"payment": {"str_burn": 1}}, UnknownParamError, "did you mean 'str_burn_bps'"),
        ({"payment": {"str_burn_bps": True}}, NotAnIntegerError, "boolean true"),
        ({"payment": {"str_burn_bps": None}}, NotAnIntegerError, "got null"),
        ({"payment": {"str_burn_bps": 12.5}}, NotAnIntegerError, "12.5"),
        ({"payment": {"str_burn_bps": Decimal("1e3")}}, NotAnIntegerError, "1E+3"),
        ({"payment": {"str_burn_bps": "0x10"}}, NotAnIntegerError, "decimal integer string"),
        ({"payment": {"str_burn_bps": [1]}}, NotAnIntegerError, "got a list"),
        (
            {"payment": {"str_burn_bps": 10_001}},
            OutOfDomainError,
            "10001 is outside the allowed range 0..10000",
        ),
        ({"payment": {"str_burn_bps": -1}}, OutOfDomainError, "-1 is outside"),
        ({"slashing": {"slash_factor": 0}}, OutOfDomainError, "slashing.slash_factor"),
        ({"payment": {"str_burn_bps": "9" * 41}}, OutOfDomainError, "41-digit value"),
    ],
)
def test_invalid_param_set(document: object, error: type[ParamsError], fragment: str) -> None:
    with pytest.raises(error) as raised:
        parse_param_set(document)
    message = str(raised.value)
    assert fragment in message
    assert "\n" not in message


def test_out_of_domain_error_names_subspace_key_value_and_range() -> None:
    with pytest.raises(OutOfDomainError) as raised:
        parse_param_set({"consensus": {"max_validators": 0}})
    assert raised.value.where == "consensus.max_validators"
    assert raised.value.problem == "0 is outside the allowed range 1..10000"


def test_construction_checks_domains_too() -> None:
    with pytest.raises(OutOfDomainError, match=r"payment\.str_burn_bps"):
        attrs.evolve(WHITEPAPER_PARAMS.payment, str_burn_bps=20_000)
    with pytest.raises(NotAnIntegerError):
        attrs.evolve(WHITEPAPER_PARAMS.payment, str_burn_bps=True)


def test_apply_changes_basic() -> None:
    params = apply_changes(
        WHITEPAPER_PARAMS,
        [
            change("payment", "str_burn_bps", "1200"),
            change("payment", "str_node_profit_bps", 1_800),
        ],
    )
    assert params.payment.str_burn_bps == 1_200
    assert params.payment.str_node_profit_bps == 1_800
    assert is_coherent(params)


@pytest.mark.parametrize(
    ("changes", "error", "fragment"),
    [
        ({}, MalformedParamsError, "expected a list of changes"),
        ([], MalformedParamsError, "at least one parameter"),
        (["x"], MalformedParamsError, "changes[0]: expected an object"),
        ([{"subspace": "payment", "key": "str_burn_bps"}], MalformedParamsError, "missing value"),
        ([{**change("payment", "str_burn_bps", 1), "extra": 1}], MalformedParamsError, "'extra'"),
        ([change("payment", 5, 1)], MalformedParamsError, "must be strings"),
        ([change("mint", "nope", 1)], UnknownParamError, "changes[0] (mint.nope)"),
        ([change("payment", "str_burn_bps", "abc")], NotAnIntegerError, "changes[0]"),
        ([change("payment", "str_burn_bps", 10**6)], OutOfDomainError, "0..10000"),
        (
            [change("payment", "str_burn_bps", 1), change("payment", "str_burn_bps", 2)],
            DuplicateChangeError,
            "changes[1] (payment.str_burn_bps)",
        ),
    ],
)
def test_invalid_changes(changes: object, error: type[ParamsError], fragment: str) -> None:
    with pytest.raises(error) as raised:
        apply_changes(WHITEPAPER_PARAMS, changes)
    assert fragment in str(raised.value)


@settings(max_examples=200, deadline=None)
@given(value=st.integers(min_value=-(10**40) + 1, max_value=10**40 - 1))
def test_parse_param_value__integers_and_their_decimal_strings_agree(value: int) -> None:
    assert parse_param_value(value, where="x") == value
    assert parse_param_value(str(value), where="x") == value


def test_params_document_round_trips() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("mint", "inflation_initial_bps"): 900})
    assert parse_param_set(params_to_document(params), base=Params()) == params


# --- gov v1: MsgUpdateParams ---------------------------------------------------------------------

GOV_AUTHORITY = "strato10d07y265gmmuvt4z0w9aw880jnsr700jwgmf9g"


def update(subspace: str, **values: object) -> dict[str, object]:
    params: dict[str, object] = {
        key: str(value) for key, value in params_to_document(WHITEPAPER_PARAMS)[subspace].items()
    }
    params.update(values)
    return {
        "@type": get_update_params_type(subspace),
        "authority": GOV_AUTHORITY,
        "params": params,
    }


def test_apply_update_params_basic() -> None:
    params = apply_update_params(
        WHITEPAPER_PARAMS,
        [
            update("payment", str_burn_bps="1200", str_node_profit_bps=1_800),
            update("consensus", max_validators="150"),
        ],
    )
    assert params.payment.str_burn_bps == 1_200
    assert params.payment.str_node_profit_bps == 1_800
    assert params.consensus.max_validators == 150
    assert is_coherent(params)


def test_apply_update_params__replaces_the_whole_subspace_of_the_base() -> None:
    base = with_values(WHITEPAPER_PARAMS, {("payment", "validation_floor_ustr"): 1_000})
    params = apply_update_params(base, [update("payment")])
    assert params.payment == WHITEPAPER_PARAMS.payment
    assert params.slashing == base.slashing


def test_parse_subspace__every_key_in_declaration_order_of_the_input() -> None:
    document = params_to_document(WHITEPAPER_PARAMS)["mint"]
    assert parse_subspace("mint", document, where="m") == document
    assert parse_subspace("mint", {k: str(v) for k, v in document.items()}, where="m") == document


def test_get_update_params_subspace() -> None:
    for subspace in params_to_document(WHITEPAPER_PARAMS):
        url = get_update_params_type(subspace)
        assert url == f"/stratosphere.{subspace}.v1.MsgUpdateParams"
        assert get_update_params_subspace(url, where="t") == subspace


@pytest.mark.parametrize(
    ("messages", "error", "fragment"),
    [
        ({}, MalformedParamsError, "messages: expected a list of messages"),
        ([], MalformedParamsError, "at least one MsgUpdateParams"),
        ([1], MalformedParamsError, "messages[0]: expected a message object, got a number"),
        ([{"authority": GOV_AUTHORITY}], MalformedParamsError, "messages[0].@type: missing"),
        (
            [{**update("payment"), "@type": "/cosmos.gov.v1.MsgExecLegacyContent"}],
            MalformedParamsError,
            "messages[0].@type: /cosmos.gov.v1.MsgExecLegacyContent is not a parameter update",
        ),
        (
            [{**update("payment"), "@type": "/stratosphere.slash.v1.MsgUpdateParams"}],
            UnknownParamError,
            "messages[0].@type (slash): unknown subspace (did you mean 'slashing'?)",
        ),
        (
            [{**update("payment"), "@type": "/stratosphere.payment.v2.MsgUpdateParams"}],
            MalformedParamsError,
            "version v2 of payment's MsgUpdateParams is unknown",
        ),
        (
            [{**update("payment"), "memo": ""}],
            MalformedParamsError,
            "messages[0].memo: unexpected field",
        ),
        (
            [{k: v for k, v in update("payment").items() if k != "authority"}],
            MalformedParamsError,
            "messages[0].authority: missing",
        ),
        (
            [{**update("payment"), "authority": ""}],
            MalformedParamsError,
            "messages[0].authority: expected a bech32 address, got '' (empty)",
        ),
        (
            [{k: v for k, v in update("payment").items() if k != "params"}],
            MalformedParamsError,
            "messages[0].params: missing",
        ),
        (
            [update("payment", slash_factor="2")],
            UnknownParamError,
            "messages[0].params.slash_factor: unknown key in payment",
        ),
        (
            [update("mint"), update("payment", str_burn_bps="-5")],
            OutOfDomainError,
            "messages[1].params.str_burn_bps: -5 is outside the allowed range 0..10000",
        ),
        (
            [update("payment", str_burn_bps="1e3")],
            NotAnIntegerError,
            "messages[0].params.str_burn_bps: expected a decimal integer string",
        ),
        (
            [update("mint"), update("mint")],
            DuplicateChangeError,
            "messages[1]: mint is already updated by messages[0]",
        ),
    ],
)
def test_invalid_update_params(messages: object, error: type[ParamsError], fragment: str) -> None:
    with pytest.raises(error) as raised:
        apply_update_params(WHITEPAPER_PARAMS, messages)
    assert fragment in str(raised.value)
    assert "\n" not in str(raised.value)


def test_invalid_update_params__a_missing_key_is_named() -> None:
    message = update("slashing")
    params = message["params"]
    assert isinstance(params, dict)
    del params["slash_cap_bps"], params["slash_factor"]
    with pytest.raises(MalformedParamsError) as raised:
        apply_update_params(WHITEPAPER_PARAMS, [message])
    assert raised.value.where == "messages[0].params.slash_factor"
    assert raised.value.problem == (
        "missing; a MsgUpdateParams sets every key of slashing "
        "(missing: slash_factor, slash_cap_bps)"
    )


@pytest.mark.parametrize(
    "address",
    [
        GOV_AUTHORITY,
        GOV_AUTHORITY.upper(),
        "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn",  # the Cosmos Hub's gov module account
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",  # BIP-173's test vector
    ],
)
def test_check_bech32_address__valid(address: str) -> None:
    assert check_bech32_address(address, where="a") == address


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        (None, "expected a bech32 address string, got null"),
        ("", "(empty)"),
        ("Strato10d07y265gmmuvt4z0w9aw880jnsr700jwgmf9g", "(mixed case)"),
        (GOV_AUTHORITY[:-1] + "q", "(bad checksum)"),
        (GOV_AUTHORITY.replace("0d0", "0b0"), "'b' is not a bech32 character"),
        ("1qpzry9x8gf2tvdw0s3jn54khce6mua7l", "no prefix"),
        ("strato", "no separator"),
        ("strato1abc", "too short"),
        ("a12uel5l", "0 bytes; an account address has 1 to 255"),  # BIP-173's, but empty
        ("a" * 1024, "longer than 1023"),
    ],
)
def test_check_bech32_address__invalid(address: object, problem: str) -> None:
    with pytest.raises(MalformedParamsError) as raised:
        check_bech32_address(address, where="a")
    assert problem in str(raised.value)


def test_long_integer_literal_is_out_of_every_domain_and_a_number() -> None:
    literal = LongIntegerLiteral("-" + "9" * 5_000)
    with pytest.raises(OutOfDomainError, match="a 5000-digit value is outside every domain"):
        parse_param_value(literal, where="x")
    with pytest.raises(MalformedParamsError, match="got a number"):
        apply_changes(WHITEPAPER_PARAMS, literal)


def test_show_name__one_short_line() -> None:
    assert show_name("str_burn_bps") == "str_burn_bps"
    assert show_name("a\nb") == "'a\\nb'"
    assert show_name("") == "''"
    assert show_name(5) == "5"
    long = show_name("k" * 1_000)
    assert len(long) == 60 and long.endswith("...")
