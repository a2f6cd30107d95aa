"""End-to-end tests of `stratoverify params`: output, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from model.params import WHITEPAPER_PARAMS, params_to_document
from reports.cli import EXIT_BAD_INPUT, EXIT_FAIL, EXIT_PASS, main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse usage errors and --version exit this way
        code = int(stop.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def test_params_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["params"], capsys)
    assert code == EXIT_PASS
    assert json.loads(out) == params_to_document(WHITEPAPER_PARAMS)
    assert "GOV-PARAMS holds" in err


def test_params_table_lists_every_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["params", "--format", "table"], capsys)
    assert code == EXIT_PASS
    assert "payment.str_burn_bps" in out
    assert "0..10000" in out
    assert "consensus.app_salt_timeout_seconds" in out and "§3.2 F6" in out
    assert len(out.strip().splitlines()) == 1 + sum(
        len(v) for v in params_to_document(WHITEPAPER_PARAMS).values()
    )


def test_params_coherent_proposal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proposal = {
        "title": "Burn more",
        "description": "12% burn, 18% node STR profit",
        "changes": [
            {"subspace": "payment", "key": "str_burn_bps", "value": "1200"},
            {"subspace": "payment", "key": "str_node_profit_bps", "value": "1800"},
        ],
        "deposit": "1000000ustr",
    }
    code, out, _ = run(["params", write(tmp_path, "p.json", json.dumps(proposal))], capsys)
    assert code == EXIT_PASS
    assert json.loads(out)["payment"]["str_burn_bps"] == 1_200


def test_params_incoherent_set_fails_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "p.json", '{"payment": {"str_burn_bps": 1200}}')
    code, out, err = run(["params", path], capsys)
    assert code == EXIT_FAIL
    assert json.loads(out)["payment"]["str_burn_bps"] == 1_200
    assert "GOV-PARAMS fails (str-sub-shares)" in err


BAD_INPUTS: list[tuple[str, str | bytes, str]] = [
    ("empty.json", "", "the file is empty"),
    ("blank.json", "  \n", "the file is empty"),
    ("latin1.json", b'{"payment": {"str_burn_bps": "\xe9"}}', "not UTF-8"),
    ("broken.json", '{"payment": ', "not valid JSON at line 1"),
    (
        "dup.json",
        '{"payment": {"str_burn_bps": 1, "str_burn_bps": 2}}',
        "'str_burn_bps' appears twice",
    ),
    ("nan.json", '{"payment": {"str_burn_bps": NaN}}', "NaN is not a JSON number"),
    ("inf.json", '{"payment": {"str_burn_bps": -Infinity}}', "-Infinity is not a JSON number"),
    (
        "float.json",
        '{"payment": {"str_burn_bps": 1e3}}',
        "payment.str_burn_bps: expected an integer",
    ),
    ("huge.json", '{"payment": {"str_burn_bps": ' + "9" * 5000 + "}}", "5000-digit value"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("list.json", "[1, 2]", "expected a JSON object, got a list"),
    ("unknown.json", '{"payment": {"burn": 1}}', "unknown key in payment"),
    ("subspace.json", '{"slash": {}}', "unknown subspace (did you mean 'slashing'?)"),
    (
        "range.json",
        '{"consensus": {"max_validators": 0}}',
        "consensus.max_validators: 0 is outside",
    ),
    ("extra.json", '{"changes": [], "titel": "x"}', "unexpected field 'titel'"),
    (
        "dupchange.json",
        '{"changes": [{"subspace": "payment", "key": "str_burn_bps", "value": "1"},'
        ' {"subspace": "payment", "key": "str_burn_bps", "value": "2"}]}',
        "already changed",
    ),
]


@pytest.mark.parametrize(("name", "content", "fragment"), BAD_INPUTS)
def test_params_bad_input_is_one_line_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | bytes,
    fragment: str,
) -> None:
    path = write(tmp_path, name, content)
    code, out, err = run(["params", path], capsys)
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith(f"stratoverify: error: {path}: ")
    assert fragment in err
    assert "Traceback" not in err


def test_params_missing_file_and_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["params", str(tmp_path / "nope.json")], capsys)
    assert code == EXIT_BAD_INPUT and "no such file" in err
    code, _, err = run(["params", str(tmp_path)], capsys)
    assert code == EXIT_BAD_INPUT and "is a directory" in err


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["params", "--format", "xml"], capsys)
    assert code == EXIT_BAD_INPUT
    assert err.count("\n") == 1 and "invalid choice" in err
    code, _, err = run([], capsys)
    assert code == EXIT_BAD_INPUT and err.count("\n") == 1


def test_console_script_runs_in_a_subprocess() -> None:
    """The installed entry point works as the README's main command runs it."""
    script = Path(sys.executable).with_name("stratoverify")
    done = subprocess.run(
        [str(script), "params"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == EXIT_PASS, done.stderr
    assert json.loads(done.stdout)["payment"]["payment_rate_bps"] == 20_000
