"""Tests of reports/locate.py: lines of JSON values on tricky text, duplicates, path formatting."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.locate import (
    JsonPath,
    LocateError,
    compute_line_map,
    find_duplicate_key,
    format_json_path,
)


def test_basic() -> None:
    text = '{\n  "payment": {\n    "str_burn_bps": 1200\n  }\n}\n'
    assert compute_line_map(text) == {(): 1, ("payment",): 2, ("payment", "str_burn_bps"): 3}


def test_escaped_quotes_and_keys_repeated_inside_strings() -> None:
    text = (
        '{"description": "a \\"key\\": {\\"value\\": 1} and \\\\",\n'
        '"value": "x\\"\\n\\"value\\": 2",\n'
        '"changes": [{"value":\n"1200"}]}'
    )
    assert json.loads(text)["value"] == 'x"\n"value": 2'
    lines = compute_line_map(text)
    assert lines[("description",)] == 1
    assert lines[("value",)] == 2
    assert lines[("changes", 0)] == 3
    # A member's line is its key's, even when the value starts on the next line.
    assert lines[("changes", 0, "value")] == 3
    assert set(lines) == {(), ("description",), ("value",), ("changes",), ("changes", 0)} | {
        ("changes", 0, "value")
    }


def test_nested_objects_and_lists() -> None:
    text = '[\n {"a": [[], {}, [1,\n 2]]},\n "b",\n [[[3]]]\n]'
    lines = compute_line_map(text)
    assert lines[(0, "a", 0)] == 2
    assert lines[(0, "a", 1)] == 2
    assert lines[(0, "a", 2, 1)] == 3
    assert lines[(1,)] == 4
    assert lines[(2, 0, 0, 0)] == 5
    assert (0, "a", 0, 0) not in lines  # an empty list has no elements


@pytest.mark.parametrize(("newline", "name"), [("\r\n", "CRLF"), ("\r", "lone CR"), ("\n", "LF")])
def test_line_ends(newline: str, name: str) -> None:
    text = newline.join(["{", '  "a": 1,', "", '  "b": {', '    "c": 2', "  }", "}"])
    lines = compute_line_map(text)
    assert (lines[("a",)], lines[("b",)], lines[("b", "c")]) == (2, 4, 5), name


def test_one_line_file() -> None:
    text = json.dumps({"messages": [{"params": {"a": "1", "b": "2"}}], "title": "x"})
    assert set(compute_line_map(text).values()) == {1}


def test_non_ascii_and_unicode_escapes() -> None:
    text = '{"t": "caf\u00e9 \\u00e9\\ud83d\\ude00",\n "\\u0061": 1}'
    assert compute_line_map(text)[("a",)] == 2


def test_scalars_and_whitespace_around_the_root() -> None:
    assert compute_line_map("\n\n  5  \n") == {(): 3}
    assert compute_line_map('"x"') == {(): 1}
    assert compute_line_map("[true, false, null, -1.5e-3]")[(3,)] == 1


def test_deep_nesting_costs_no_recursion() -> None:
    depth = 3_000
    lines = compute_line_map("[" * depth + "]" * depth)
    assert lines[(0,) * (depth - 1)] == 1
    assert find_duplicate_key('{"a": ' * depth + "1" + "}" * depth) is None


@pytest.mark.parametrize(
    "text", ["", "{", '{"a" 1}', '{"a": 1,}', "[1 2]", "[1] x", '"open', "{1: 2}", "nul"]
)
def test_invalid_text(text: str) -> None:
    with pytest.raises(LocateError):
        compute_line_map(text)


def test_find_duplicate_key() -> None:
    text = '{"a": {"x": 1, "y": [{"k": 1}, {"k": 2}]},\n "b": {"x": 1,\n  "x": 2}}'
    assert find_duplicate_key(text) == (("b", "x"), 3)
    # The first repeat in the text wins; keys in different objects are no repeat.
    assert find_duplicate_key('{"a": 1, "a": {"b": 1, "b": 2}}') == (("a",), 1)
    assert find_duplicate_key('{"a": "\\"a\\": 1", "b": {"a": 1}}') is None
    # It stops at the repeat, so text after it need not be valid.
    assert find_duplicate_key('{"a": 1, "a": 2, oops') == (("a",), 1)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), "the document"),
        (("payment", "str_burn_bps"), "payment.str_burn_bps"),
        (("changes", 0, "value"), "changes[0].value"),
        (("messages", 1, "params", "a\nb"), "messages[1].params.'a\\nb'"),
        ((0, 2), "[0][2]"),
    ],
)
def test_format_json_path(path: JsonPath, expected: str) -> None:
    assert format_json_path(path) == expected


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=25,
)


def paths_of(value: object, path: JsonPath = ()) -> set[JsonPath]:
    found = {path}
    if isinstance(value, dict):
        for key, child in value.items():
            found |= paths_of(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found |= paths_of(child, (*path, index))
    return found


@settings(max_examples=200, deadline=None)
@given(value=JSON_VALUES, ensure_ascii=st.booleans())
def test_every_value_is_found_on_the_line_that_writes_it(value: object, ensure_ascii: bool) -> None:
    """Against the decoder: the same paths, and each member's line starts with its key."""
    text = json.dumps(value, indent=1, ensure_ascii=ensure_ascii)
    lines = compute_line_map(text)
    assert set(lines) == paths_of(value)
    written = text.split("\n")
    for path, line in lines.items():
        if path and isinstance(path[-1], str):
            assert (
                written[line - 1]
                .lstrip()
                .startswith(json.dumps(path[-1], ensure_ascii=ensure_ascii))
            )
    assert compute_line_map(json.dumps(value)) == dict.fromkeys(lines, 1)
