"""Tests of reports/inputs.py: each input kind, the lines that set each change, bases, bad input.

The fixtures in `fixtures/proposals/` are the examples the docs and the end-to-end tests use, so
their exact lines are asserted here; the malformed corpus (`malformed_inputs.py`) must each be
refused with one line naming the file and the place, quickly.
"""

from __future__ import annotations

import hashlib
import json
import time
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from malformed_inputs import (
    DIRECTORY,
    GOV_AUTHORITY,
    MALFORMED,
    MISSING_FILE,
    get_case_file_name,
    gov_v1,
    legacy,
    materialise,
    message,
    payment_params,
)

from model.coherence import check_coherence, is_coherent
from model.params import WHITEPAPER_PARAMS, params_to_document
from reports.inputs import (
    DEFAULTS,
    GOV_V1_PROPOSAL,
    KINDS,
    LEGACY_PROPOSAL,
    PARAMETER_SET,
    InputError,
    LoadedParams,
    ParamChange,
    compute_changes,
    get_defaults,
    load_base,
    load_params,
    read_json_document,
)

ROOT = Path(__file__).resolve().parents[2]
PROPOSALS = ROOT / "fixtures" / "proposals"
LIVE = PROPOSALS / "live-params.json"

Row = tuple[str, int, int, int | None]
"""A change as (parameter, base, value, line), to compare compactly."""


def rows(loaded: LoadedParams) -> list[Row]:
    return [(c.parameter, c.base, c.value, c.line) for c in loaded.changes]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def line_text(path: Path, line: int | None) -> str:
    assert line is not None
    return path.read_text("utf-8").splitlines()[line - 1]


# --- the whitepaper defaults ---------------------------------------------------------------------


def test_defaults() -> None:
    loaded = load_params(None)
    assert loaded == get_defaults()
    assert loaded.params == WHITEPAPER_PARAMS == loaded.base
    assert (loaded.source, loaded.kind, loaded.base_source) == (DEFAULTS, DEFAULTS, DEFAULTS)
    assert loaded.changes == ()
    assert loaded.input_sha256 is None


def test_loaded_params_and_changes_are_frozen_records() -> None:
    loaded = load_params(PROPOSALS / "burn-12pct.legacy.json")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        loaded.kind = "x"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        loaded.changes[0].line = 1  # type: ignore[misc]
    assert KINDS == (DEFAULTS, PARAMETER_SET, LEGACY_PROPOSAL, GOV_V1_PROPOSAL)


# --- the fixtures: kinds, changes and their exact lines ------------------------------------------

FIXTURE_CHANGES: list[tuple[str, str, list[Row], bool]] = [
    (
        "burn-12pct.legacy.json",
        LEGACY_PROPOSAL,
        [("payment.str_node_profit_bps", 2000, 1800, 13), ("payment.str_burn_bps", 1000, 1200, 8)],
        True,
    ),
    (
        "burn-12pct-alone.legacy.json",
        LEGACY_PROPOSAL,
        [("payment.str_burn_bps", 1000, 1200, 8)],
        False,
    ),
    (
        "threshold-half.legacy.json",
        LEGACY_PROPOSAL,
        [("consensus.threshold_num", 2, 1, 8), ("consensus.threshold_den", 3, 2, 13)],
        True,
    ),
    (
        "payment.gov-v1.json",
        GOV_V1_PROPOSAL,
        [
            ("payment.payment_rate_bps", 20000, 25000, 7),
            ("payment.stb_profit_margin_bps", 1000, 1500, 8),
            ("payment.stb_node_profit_bps", 500, 700, 9),
            ("payment.stb_reserve_swap_bps", 500, 800, 10),
            ("payment.str_profit_margin_bps", 4000, 4500, 11),
            ("payment.str_burn_bps", 1000, 1500, 13),
        ],
        True,
    ),
    (
        "payment-incoherent.gov-v1.json",
        GOV_V1_PROPOSAL,
        [("payment.str_burn_bps", 1000, 1500, 13)],
        False,
    ),
    (
        "live-params.json",
        PARAMETER_SET,
        [
            ("consensus.max_validators", 100, 125, 22),
            ("consensus.commit_timeout_seconds", 60, 30, 23),
            ("consensus.reveal_timeout_seconds", 60, 30, 24),
            ("consensus.app_salt_timeout_seconds", 60, 30, 25),
            ("governance.complaint_min_deposit_ustr", 1_000_000, 5_000_000, 37),
            ("governance.voting_period_seconds", 1_209_600, 604_800, 38),
        ],
        True,
    ),
]


@pytest.mark.parametrize(
    ("name", "kind", "expected", "coherent"), FIXTURE_CHANGES, ids=[f[0] for f in FIXTURE_CHANGES]
)
def test_fixture__kind_changes_lines_and_coherence(
    name: str, kind: str, expected: list[Row], coherent: bool
) -> None:
    path = PROPOSALS / name
    loaded = load_params(path)
    assert (loaded.kind, loaded.source, loaded.base_source) == (kind, str(path), DEFAULTS)
    assert loaded.base == WHITEPAPER_PARAMS
    assert rows(loaded) == expected
    assert is_coherent(loaded.params) is coherent
    assert loaded.input_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    for change in loaded.changes:
        # The line is where the file writes the value: the key itself, or a legacy entry's value.
        text = line_text(path, change.line)
        assert ('"value"' if kind == LEGACY_PROPOSAL else f'"{change.key}"') in text
        assert str(change.value) in text


def test_fixture__incoherent_ones_fail_gov_params_on_the_str_shares() -> None:
    for name in ("burn-12pct-alone.legacy.json", "payment-incoherent.gov-v1.json"):
        violations = check_coherence(load_params(PROPOSALS / name).params)
        assert [v.rule for v in violations] == ["str-sub-shares"], name


def test_fixture__threshold_half_is_in_the_domain_and_one_half() -> None:
    params = load_params(PROPOSALS / "threshold-half.legacy.json").params
    assert (params.consensus.threshold_num, params.consensus.threshold_den) == (1, 2)


def test_fixture__files_are_written_one_key_per_line() -> None:
    for path in sorted(PROPOSALS.glob("*.json")):
        text = path.read_text("utf-8")
        assert text.endswith("}\n") and "\r" not in text, path.name
        assert json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n" == text, path.name


def test_legacy_change_to_the_base_value_is_not_a_change(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.json",
        legacy(
            {"subspace": "payment", "key": "str_burn_bps", "value": "1000"},
            {"subspace": "mint", "key": "inflation_min_bps", "value": 150},
        ),
    )
    loaded = load_params(path)
    assert rows(loaded) == [("mint.inflation_min_bps", 200, 150, line_of(path, '"value": 150'))]


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text("utf-8").splitlines()
    (number,) = [n for n, line in enumerate(lines, start=1) if fragment in line]
    return number


# --- gov v1 ---------------------------------------------------------------------------------------


def test_gov_v1__integers_or_strings_and_several_subspaces(tmp_path: Path) -> None:
    consensus = params_to_document(WHITEPAPER_PARAMS)["consensus"] | {"max_validators": 150}
    path = write(
        tmp_path,
        "p.json",
        gov_v1(
            {
                "@type": "/stratosphere.consensus.v1.MsgUpdateParams",
                "authority": GOV_AUTHORITY,
                "params": consensus,
            },
            message(params=payment_params(str_burn_bps=1200, str_node_profit_bps="1800")),
            expedited=True,
        ),
    )
    loaded = load_params(path)
    assert loaded.kind == GOV_V1_PROPOSAL
    assert is_coherent(loaded.params)
    # Listed in param_specs() order, whatever the order of the messages.
    assert rows(loaded) == [
        ("payment.str_node_profit_bps", 2000, 1800, line_of(path, '"str_node_profit_bps"')),
        ("payment.str_burn_bps", 1000, 1200, line_of(path, '"str_burn_bps"')),
        ("consensus.max_validators", 100, 150, line_of(path, '"max_validators"')),
    ]


def test_gov_v1__a_message_equal_to_the_base_changes_nothing(tmp_path: Path) -> None:
    loaded = load_params(write(tmp_path, "p.json", gov_v1()))
    assert loaded.params == WHITEPAPER_PARAMS
    assert loaded.changes == ()


def test_gov_v1__only_messages_is_required_and_uppercase_bech32_is_accepted(
    tmp_path: Path,
) -> None:
    document = {"messages": [message(authority=GOV_AUTHORITY.upper())]}
    loaded = load_params(write(tmp_path, "p.json", json.dumps(document)))
    assert loaded.kind == GOV_V1_PROPOSAL


def test_gov_v1__resets_keys_the_base_set_differently(tmp_path: Path) -> None:
    """A MsgUpdateParams carries the whole subspace: keys it copies from the whitepaper undo a
    live chain's own values, and the changes show it."""
    live = write(tmp_path, "live.json", '{"payment": {"validation_floor_ustr": "1000"}}')
    source = PROPOSALS / "payment.gov-v1.json"
    loaded = load_params(source, base=load_base(live))
    assert rows(loaded) == [
        *rows(load_params(source)),
        ("payment.validation_floor_ustr", 1000, 1, 15),
    ]


# --- bases ----------------------------------------------------------------------------------------


def test_load_base__live_parameters() -> None:
    base = load_base(LIVE)
    assert (base.kind, base.source, base.base_source) == (PARAMETER_SET, str(LIVE), DEFAULTS)
    assert base.params.consensus.max_validators == 125
    assert is_coherent(base.params)


def test_load_params__proposal_over_a_base() -> None:
    base = load_base(LIVE)
    loaded = load_params(PROPOSALS / "burn-12pct.legacy.json", base=base)
    assert loaded.base == base.params
    assert loaded.base_source == str(LIVE)
    assert rows(loaded) == rows(load_params(PROPOSALS / "burn-12pct.legacy.json"))
    # What the proposal does not touch stays the live value, not the whitepaper's.
    assert loaded.params.consensus.max_validators == 125
    assert loaded.params.payment.str_burn_bps == 1200


def test_load_params__no_file_with_a_base_is_the_base() -> None:
    base = load_base(LIVE)
    assert load_params(None, base=base) is base


def test_load_params__a_parameter_set_over_a_base(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "set.json",
        '{\n  "consensus": {\n    "max_validators": 125,\n    "threshold_num": 3,\n'
        '    "threshold_den": "4"\n  }\n}\n',
    )
    loaded = load_params(path, base=load_base(LIVE))
    assert loaded.kind == PARAMETER_SET
    # max_validators is set, but to the base's value: not a change.
    assert rows(loaded) == [
        ("consensus.threshold_num", 2, 3, 4),
        ("consensus.threshold_den", 3, 4, 5),
    ]
    assert loaded.params.consensus.commit_timeout_seconds == 30


def test_load_params__chained_bases_as_diff_uses_them() -> None:
    old = load_params(PROPOSALS / "burn-12pct.legacy.json")
    new = load_params(PROPOSALS / "payment.gov-v1.json", base=old)
    assert new.base == old.params
    assert new.base_source == old.source
    assert ("payment.str_node_profit_bps", 1800, 2000, 12) in rows(new)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("burn-12pct.legacy.json", LEGACY_PROPOSAL),
        ("payment.gov-v1.json", GOV_V1_PROPOSAL),
    ],
)
def test_load_base__a_proposal_is_bad_input(name: str, kind: str) -> None:
    with pytest.raises(InputError) as raised:
        load_base(PROPOSALS / name)
    message = str(raised.value)
    assert message.startswith(f"{PROPOSALS / name}: a base must be a parameter set, not a {kind}")
    assert "\n" not in message


def test_load_base__a_malformed_base_names_the_base_file(tmp_path: Path) -> None:
    path = write(tmp_path, "live.json", '{"payment": {"str_burn_bps": 10001}}')
    with pytest.raises(InputError, match=r"live\.json: payment\.str_burn_bps: 10001 is outside"):
        load_base(path)
    # An invalid proposal as a base is refused for being a proposal, before its content.
    bad = write(tmp_path, "bad.json", '{"changes": []}')
    with pytest.raises(InputError, match="a base must be a parameter set"):
        load_base(bad)


def test_compute_changes_without_lines() -> None:
    params = load_params(PROPOSALS / "burn-12pct-alone.legacy.json").params
    assert compute_changes(WHITEPAPER_PARAMS, params) == (
        ParamChange("payment.str_burn_bps", "payment", "str_burn_bps", 1000, 1200, None),
    )
    assert compute_changes(params, params) == ()


# --- how the text is written does not move the lines ----------------------------------------------


def test_lines__crlf_and_a_byte_order_mark(tmp_path: Path) -> None:
    text = (PROPOSALS / "burn-12pct.legacy.json").read_text("utf-8")
    crlf = write(tmp_path, "crlf.json", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    loaded = load_params(crlf)
    assert rows(loaded) == rows(load_params(PROPOSALS / "burn-12pct.legacy.json"))
    assert loaded.input_sha256 == hashlib.sha256(crlf.read_bytes()).hexdigest()


def test_lines__one_line_file(tmp_path: Path) -> None:
    text = json.dumps(json.loads((PROPOSALS / "payment.gov-v1.json").read_text("utf-8")))
    loaded = load_params(write(tmp_path, "one.json", text))
    assert {change.line for change in loaded.changes} == {1}
    assert len(loaded.changes) == 6


def test_lines__keys_repeated_inside_strings(tmp_path: Path) -> None:
    """A description quoting a change must not be mistaken for it."""
    document = (
        '{"title": "x", "description": "was: \\"value\\": \\"1000\\"\\n'
        '\\"str_burn_bps\\": 1000",\n'
        ' "changes": [\n'
        '  {"subspace": "payment", "key": "str_burn_bps",\n'
        '   "value": "1200"}]}'
    )
    loaded = load_params(write(tmp_path, "p.json", document))
    assert rows(loaded) == [("payment.str_burn_bps", 1000, 1200, 4)]


# --- malformed inputs -----------------------------------------------------------------------------


def test_malformed_corpus_is_large_and_its_names_distinct() -> None:
    assert len(MALFORMED) >= 40
    names = [case[0] for case in MALFORMED]
    assert len(set(names)) == len(names)
    assert len({get_case_file_name(name) for name in names}) == len(names)
    assert {MISSING_FILE, DIRECTORY} <= set(names)


@pytest.mark.parametrize(("name", "content", "fragment"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_input_is_one_line_naming_file_and_place(
    name: str, content: bytes | str | None, fragment: str, tmp_path: Path
) -> None:
    path = materialise(tmp_path, name, content)
    started = time.perf_counter()
    with pytest.raises(InputError) as raised:
        load_params(path)
    elapsed = time.perf_counter() - started
    message = str(raised.value)
    assert message.startswith(f"{path}: "), message[:200]
    assert "\n" not in message and "\r" not in message
    assert fragment in message, message[:300]
    assert len(message) < len(str(path)) + 400, message
    assert elapsed < 1.0, f"{name} took {elapsed:.2f}s"
    # The same input as a base is refused the same way (or as a proposal).
    with pytest.raises(InputError) as as_base:
        load_base(path)
    assert str(as_base.value).startswith(f"{path}: ")


def test_read_json_document__still_reads_any_json(tmp_path: Path) -> None:
    """reproduce reads reports through it: any JSON value, decoded strictly."""
    path = write(tmp_path, "r.json", '{"schema": "x", "n": [1, 2.5]}')
    assert read_json_document(path) == {"schema": "x", "n": [1, Decimal("2.5")]}
