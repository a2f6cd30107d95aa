"""Reading sweep files: the TOML and JSON forms, the grid and sample expansions, and one-line
errors that name the file and the place for every kind of mistake."""

from __future__ import annotations

import itertools
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from markdown_it import MarkdownIt

from model.params import param_specs
from model.profile import PROFILES
from properties.catalogue import INVARIANT_IDS
from properties.effort import EFFORTS
from sweep.spec import (
    DEFAULT_EFFORT,
    DEFAULT_PROFILE,
    ENGINES,
    MAX_SPEC_BYTES,
    SPEC_SCHEMA_ID,
    KeyAxis,
    SpecError,
    get_spec_schema,
    load_spec,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sweep.md"
BURN = "payment.str_burn_bps"
NODE = "payment.str_node_profit_bps"
MARGIN = "payment.str_profit_margin_bps"

FULL_TOML = f"""
profile = "whitepaper"
effort = "default"
seed = 3
engines = ["executor", "z3"]
only = ["GOV-PARAMS", "CONS-STR"]
base = "params.json"
regions = false

[keys."{BURN}"]
values = [1500, 500, 1000]
[keys."{NODE}"]
range = {{ from = 1000, to = 3000, step = 500 }}
"""

FULL_JSON = {
    "profile": "whitepaper",
    "effort": "default",
    "seed": 3,
    "engines": ["executor", "z3"],
    "only": ["GOV-PARAMS", "CONS-STR"],
    "base": "params.json",
    "regions": False,
    "keys": {
        BURN: {"values": [1500, 500, 1000]},
        NODE: {"range": {"from": 1000, "to": 3000, "step": 500}},
    },
}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def write_json(folder: Path, document: object, name: str = "sweep.json") -> Path:
    return write(folder, name, json.dumps(document))


def expect_error(path: Path, *fragments: str) -> str:
    """Loading `path` fails with one line that starts with the path and holds every fragment."""
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: "), message
    for fragment in fragments:
        assert fragment in message, message
    return message


def grid(**keys: dict[str, Any]) -> dict[str, Any]:
    return {"keys": {name.replace("__", "."): axis for name, axis in keys.items()}}


def test_the_toml_and_json_forms_give_the_same_document(tmp_path: Path) -> None:
    write(tmp_path, "params.json", "{}")
    from_toml = load_spec(write(tmp_path, "sweep.toml", FULL_TOML))
    from_json = load_spec(write_json(tmp_path, FULL_JSON))
    assert from_toml.to_document() == from_json.to_document()
    assert from_toml.sha256 != from_json.sha256
    assert from_toml.source == str(tmp_path / "sweep.toml")
    document = from_toml.to_document()
    assert document == {
        "profile": "whitepaper",
        "effort": "default",
        "seed": 3,
        "engines": ["z3", "executor"],
        "only": ["CONS-STR", "GOV-PARAMS"],
        "base": str((tmp_path / "params.json").resolve()),
        "regions": False,
        "keys": [
            {"name": BURN, "values": [1500, 500, 1000]},
            {"name": NODE, "values": [1000, 1500, 2000, 2500, 3000]},
        ],
        "sample": None,
    }
    assert json.loads(json.dumps(document)) == document


def test_defaults(tmp_path: Path) -> None:
    spec = load_spec(write_json(tmp_path, grid(payment__str_burn_bps={"values": [7]})))
    assert (spec.profile, spec.effort, spec.seed) == ("hardened", "quick", 0)
    assert spec.engines == ("hypothesis", "z3", "executor")
    assert (spec.only, spec.base, spec.regions) == ((), None, True)
    assert (spec.sample_count, spec.sample_seed) == (None, None)
    assert spec.keys == (KeyAxis(BURN, (7,), None),)


def test_grid_order_and_size(tmp_path: Path) -> None:
    document = grid(
        payment__str_burn_bps={"values": [30, 10, 20]},
        payment__str_node_profit_bps={"range": {"from": 0, "to": 2, "step": 1}},
        payment__str_profit_margin_bps={"values": [5, 4]},
    )
    points = load_spec(write_json(tmp_path, document)).points()
    assert len(points) == 3 * 3 * 2
    assert [point.index for point in points] == list(range(18))
    expected = itertools.product([30, 10, 20], [0, 1, 2], [5, 4])
    assert [point.values for point in points] == [
        ((BURN, burn), (NODE, node), (MARGIN, margin)) for burn, node, margin in expected
    ]
    assert points[1].values == ((BURN, 30), (NODE, 0), (MARGIN, 4))


def test_range_includes_its_end_only_when_a_step_reaches_it(tmp_path: Path) -> None:
    reached = grid(payment__str_burn_bps={"range": {"from": 0, "to": 9, "step": 3}})
    assert load_spec(write_json(tmp_path, reached)).keys[0].values == (0, 3, 6, 9)
    missed = grid(payment__str_burn_bps={"range": {"from": 0, "to": 10, "step": 3}})
    assert load_spec(write_json(tmp_path, missed)).keys[0].values == (0, 3, 6, 9)
    single = grid(payment__str_burn_bps={"range": {"from": 10_000, "to": 10_000, "step": 7}})
    assert load_spec(write_json(tmp_path, single)).keys[0].values == (10_000,)


def sample(count: int, seed: int | None) -> dict[str, Any]:
    table: dict[str, int] = {"count": count} if seed is None else {"count": count, "seed": seed}
    return {
        "sample": table,
        **grid(
            payment__str_burn_bps={"values": [1, 2, 3]},
            payment__str_profit_margin_bps={"random": {"from": 0, "to": 10_000}},
        ),
    }


def test_sample_is_determined_by_its_seed(tmp_path: Path) -> None:
    first = load_spec(write_json(tmp_path, sample(50, 7), "a.json")).points()
    again = load_spec(write_json(tmp_path, sample(50, 7), "b.json")).points()
    other = load_spec(write_json(tmp_path, sample(50, 8), "c.json")).points()
    assert first == again
    assert [point.values for point in first] != [point.values for point in other]
    assert len(first) == 50
    for point in first:
        (burn_key, burn), (margin_key, margin) = point.values
        assert (burn_key, margin_key) == (BURN, MARGIN)
        assert burn in (1, 2, 3)
        assert 0 <= margin <= 10_000
    default_seed = load_spec(write_json(tmp_path, sample(50, None), "d.json"))
    assert default_seed.sample_seed == 0
    assert default_seed.points() == load_spec(write_json(tmp_path, sample(50, 0))).points()


def test_sample_keeps_the_first_draw_of_a_repeated_point(tmp_path: Path) -> None:
    document = {
        "sample": {"count": 40, "seed": 1},
        **grid(
            payment__str_burn_bps={"values": [1, 2]},
            payment__str_node_profit_bps={"range": {"from": 0, "to": 2, "step": 1}},
        ),
    }
    spec = load_spec(write_json(tmp_path, document))
    points = spec.points()
    # 40 draws from 6 combinations: each combination once, in the order first drawn.
    assert sorted(dict(point.values)[BURN] * 10 + dict(point.values)[NODE] for point in points) == [
        10,
        11,
        12,
        20,
        21,
        22,
    ]
    assert [point.index for point in points] == list(range(6))
    # The draw, replayed by hand with the documented procedure.
    rng = random.Random(1)
    draws = [(rng.choice((1, 2)), rng.choice((0, 1, 2))) for _ in range(40)]
    first_seen = list(dict.fromkeys(draws))
    assert [(dict(p.values)[BURN], dict(p.values)[NODE]) for p in points] == first_seen
    assert spec.to_document()["sample"] == {"count": 40, "seed": 1}


def test_schema_is_valid_and_published(tmp_path: Path) -> None:
    schema = get_spec_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SPEC_SCHEMA_ID
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    properties = schema["properties"]
    assert tuple(properties["profile"]["enum"]) == tuple(PROFILES)
    assert tuple(properties["effort"]["enum"]) == tuple(EFFORTS)
    assert tuple(properties["engines"]["items"]["enum"]) == ENGINES
    assert DEFAULT_PROFILE in PROFILES
    assert DEFAULT_EFFORT in EFFORTS
    pattern = re.compile(properties["only"]["items"]["pattern"])
    assert all(pattern.search(invariant_id) for invariant_id in INVARIANT_IDS)
    # A consumer validating with the published schema alone accepts the documented JSON form.
    Draft202012Validator(schema).validate(FULL_JSON)
    get_spec_schema()["properties"].clear()
    assert get_spec_schema()["properties"] == properties


def fenced_blocks(language: str) -> list[str]:
    tokens = MarkdownIt().parse(DOCS.read_text(encoding="utf-8"))
    return [token.content for token in tokens if token.type == "fence" and token.info == language]


def test_the_examples_in_the_docs_load(tmp_path: Path) -> None:
    toml_blocks = fenced_blocks("toml")
    json_blocks = fenced_blocks("json")
    assert len(toml_blocks) == 2
    assert len(json_blocks) == 1
    grid_spec = load_spec(write(tmp_path, "grid.toml", toml_blocks[0]))
    assert len(grid_spec.points()) == 15
    assert load_spec(write(tmp_path, "grid.json", json_blocks[0])).to_document() == (
        grid_spec.to_document()
    )
    sampled = load_spec(write(tmp_path, "sample.toml", toml_blocks[1]))
    assert (sampled.sample_count, sampled.sample_seed) == (100, 7)
    assert 90 <= len(sampled.points()) <= 100
    assert all(0 <= value <= 6000 for point in sampled.points() for _, value in point.values)


def test_the_error_example_in_the_docs_is_the_real_message(tmp_path: Path) -> None:
    (shown,) = fenced_blocks("text")
    path = write(tmp_path, "sweep.toml", '[keys."payment.str_burn_bps"]\nvalues = [500, 20000]\n')
    message = expect_error(path)
    assert message.removeprefix(f"{path}: ") == shown.strip().removeprefix("sweep.toml: ")


# Each mistake, its file, and what the one line must say.
BAD_DOCUMENTS: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "unknown_key": (
        grid(payment__str_burm_bps={"values": [1]}),
        (
            'keys["payment.str_burm_bps"]',
            "unknown parameter",
            "did you mean 'payment.str_burn_bps'",
        ),
    ),
    "out_of_domain_value": (
        grid(payment__str_burn_bps={"values": [1, 10_001]}),
        ('keys["payment.str_burn_bps"].values[1]', "10001", "payment.str_burn_bps", "0..10000"),
    ),
    "out_of_domain_range": (
        grid(payment__str_burn_bps={"range": {"from": -5, "to": 10, "step": 1}}),
        ('keys["payment.str_burn_bps"].range.from', "-5", "0..10000"),
    ),
    "out_of_domain_random": (
        {
            "sample": {"count": 3},
            **grid(payment__str_burn_bps={"random": {"from": 0, "to": 10_001}}),
        },
        ('keys["payment.str_burn_bps"].random.to', "10001", "0..10000"),
    ),
    "random_in_grid_mode": (
        grid(payment__str_burn_bps={"random": {"from": 0, "to": 10}}),
        ('keys["payment.str_burn_bps"].random', "[sample]"),
    ),
    "empty_values": (
        grid(payment__str_burn_bps={"values": []}),
        ('keys["payment.str_burn_bps"].values', "non-empty"),
    ),
    "repeated_value": (
        grid(payment__str_burn_bps={"values": [3, 4, 3]}),
        ('keys["payment.str_burn_bps"].values', "3 is listed twice"),
    ),
    "step_zero": (
        grid(payment__str_burn_bps={"range": {"from": 0, "to": 10, "step": 0}}),
        ('keys["payment.str_burn_bps"].range.step', "minimum of 1"),
    ),
    "from_above_to": (
        grid(payment__str_burn_bps={"range": {"from": 10, "to": 0, "step": 1}}),
        ('keys["payment.str_burn_bps"].range', "from 10 is greater than to 0"),
    ),
    "two_kinds_of_values": (
        grid(payment__str_burn_bps={"values": [1], "range": {"from": 0, "to": 1, "step": 1}}),
        ('keys["payment.str_burn_bps"]', "exactly one of values, range or random"),
    ),
    "unknown_top_level_field": (
        {"efort": "quick", **grid(payment__str_burn_bps={"values": [1]})},
        ("the top level", "unknown field 'efort'", "did you mean 'effort'"),
    ),
    "unknown_field_in_a_table": (
        {"sample": {"count": 2, "sed": 1}, **grid(payment__str_burn_bps={"values": [1]})},
        ("sample", "unknown field 'sed'", "did you mean 'seed'"),
    ),
    "wrong_type": (
        {"seed": "zero", **grid(payment__str_burn_bps={"values": [1]})},
        ("seed", "'zero' is not of type 'integer'"),
    ),
    "float_value": (
        grid(payment__str_burn_bps={"values": [1.0]}),
        ('keys["payment.str_burn_bps"].values[0]', "1.0 is not of type 'integer'"),
    ),
    "no_keys": ({"keys": {}}, ("keys", "1 to 4 keys, not 0")),
    "five_keys": (
        grid(**{spec.name.replace(".", "__"): {"values": [0]} for spec in param_specs()[:5]}),
        ("keys", "1 to 4 keys, not 5"),
    ),
    "missing_keys": ({"seed": 1}, ("the top level", "'keys' is a required property")),
    "unknown_profile": (
        {"profile": "strict", **grid(payment__str_burn_bps={"values": [1]})},
        ("profile", "'strict' is not one of"),
    ),
    "unknown_invariant": (
        {"only": ["GOV-PARAM"], **grid(payment__str_burn_bps={"values": [1]})},
        ("only[0]", "unknown invariant 'GOV-PARAM'", "did you mean 'GOV-PARAMS'"),
    ),
    "missing_base_file": (
        {"base": "live.json", **grid(payment__str_burn_bps={"values": [1]})},
        ("base", "no such file", "live.json"),
    ),
    "oversized_grid": (
        grid(
            payment__str_burn_bps={"range": {"from": 0, "to": 10_000, "step": 1}},
            payment__str_node_profit_bps={"range": {"from": 0, "to": 10, "step": 1}},
        ),
        ("keys", "the grid has 110011 points", "100000"),
    ),
    "oversized_range_in_a_sample": (
        {
            "sample": {"count": 5},
            **grid(payment__payment_rate_bps={"range": {"from": 0, "to": 1_000_000, "step": 1}}),
        },
        ('keys["payment.payment_rate_bps"].range', "1000001 values", "random"),
    ),
    "oversized_sample": (
        {"sample": {"count": 100_001}, **grid(payment__str_burn_bps={"values": [1]})},
        ("sample.count", "100001"),
    ),
}


@pytest.mark.parametrize("case", BAD_DOCUMENTS)
def test_invalid_document(tmp_path: Path, case: str) -> None:
    document, fragments = BAD_DOCUMENTS[case]
    expect_error(write_json(tmp_path, document), *fragments)


def test_invalid_toml_document_is_located_the_same_way(tmp_path: Path) -> None:
    path = write(tmp_path, "sweep.toml", '[keys."payment.str_burn_bps"]\nrandom = {from=0, to=9}\n')
    expect_error(path, 'keys["payment.str_burn_bps"].random', "[sample]")


def test_base_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "live").mkdir()
    document = {"base": "live", **grid(payment__str_burn_bps={"values": [1]})}
    expect_error(write_json(tmp_path, document), "base", "is not a file")


def test_base_is_resolved_from_the_spec_folder(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    write(tmp_path, "params.json", "{}")
    document = {"base": "../params.json", **grid(payment__str_burn_bps={"values": [1]})}
    spec = load_spec(write_json(tmp_path / "specs", document))
    assert spec.base == str((tmp_path / "params.json").resolve())


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        ("sweep.yaml", "keys: {}", ("ends in .toml or .json", "'.yaml'")),
        ("sweep", "{}", ("ends in .toml or .json", "no suffix")),
        ("sweep.toml", 'keys = {"payment.str_burn_bps" = \n', ("not valid TOML",)),
        ("sweep.toml", "seed = 1\nseed = 2\n", ("not valid TOML",)),
        ("sweep.json", '{"keys": {', ("not valid JSON at line 1",)),
        ("sweep.json", '{"seed": 1, "seed": 2}', ("not valid JSON", "'seed' appears twice")),
        ("sweep.json", '{"seed": NaN}', ("not valid JSON", "NaN is not a JSON number")),
        ("sweep.json", '{"seed": ' + "9" * 5000 + "}", ("not valid JSON",)),
        ("sweep.toml", "  \n\n", ("the file is empty",)),
        ("sweep.json", "", ("the file is empty",)),
    ],
)
def test_invalid_file(tmp_path: Path, name: str, text: str, fragments: tuple[str, ...]) -> None:
    expect_error(write(tmp_path, name, text), *fragments)


def test_invalid_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "sweep.toml"
    path.write_bytes(b"seed = 1 # \xff\n")
    expect_error(path, "not UTF-8")


def test_invalid_file_missing_or_a_folder(tmp_path: Path) -> None:
    expect_error(tmp_path / "absent.toml", "no such file")
    (tmp_path / "folder.json").mkdir()
    expect_error(tmp_path / "folder.json", "is a directory")


def test_invalid_file_too_big(tmp_path: Path) -> None:
    text = '[keys."payment.str_burn_bps"]\nvalues = [1]\n' + "#" * MAX_SPEC_BYTES
    expect_error(write(tmp_path, "sweep.toml", text), f"larger than the {MAX_SPEC_BYTES} allowed")


def test_a_line_break_in_a_name_stays_on_one_line(tmp_path: Path) -> None:
    document = grid(**{"payment\n__str_burn_bps": {"values": [1]}})
    expect_error(write_json(tmp_path, document), "unknown parameter")
