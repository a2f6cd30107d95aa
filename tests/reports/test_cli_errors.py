"""Bad input and bad usage through the command line: exit 2, one line on stderr, no traceback.

Every case of the malformed-input corpus goes through `check`, `diff` and `reproduce` in-process
(fast, and `main` is what the entry point calls); a few go through a real child process too,
so nothing between the entry point and `main` can print a traceback.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from malformed_inputs import MALFORMED, materialise

from reports import cli, recheck
from reports.cli import EXIT_BAD_INPUT, main

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv, env={})
    except SystemExit as stop:  # argparse usage errors exit this way
        code = int(stop.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line(err: str) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    assert "Traceback" not in err


@pytest.mark.parametrize(("name", "content", "fragment"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_check_malformed_input(
    name: str,
    content: bytes | str | None,
    fragment: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = materialise(tmp_path, name, content)
    started = time.perf_counter()
    code, out, err = run(["check", str(path), "--engines", "z3"], capsys)
    assert time.perf_counter() - started < 1  # refused before any engine runs
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert_one_line(err)
    assert fragment in err


@pytest.mark.parametrize("name", ["not-json.json", "latin1.json"])
def test_diff_and_reproduce_refuse_malformed_files(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(b"{nope" if name == "not-json.json" else b'{"a": "\xe9"}')
    defaults = ROOT / "fixtures" / "params" / "whitepaper.json"
    for argv in (
        ["diff", str(path), str(defaults)],
        ["diff", str(defaults), str(path)],
        ["reproduce", str(path)],
    ):
        code, _, err = run(argv, capsys)
        assert code == EXIT_BAD_INPUT, argv
        assert_one_line(err)
        assert str(path) in err


def test_reproduce_refuses_a_json_file_that_is_not_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "params.json"
    path.write_text('{"payment": {"str_burn_bps": 1000}}', encoding="utf-8")
    code, _, err = run(["reproduce", str(path)], capsys)
    assert code == EXIT_BAD_INPUT
    assert_one_line(err)
    assert "not a stratoverify report" in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["check", "--effort", "fast"], "invalid choice: 'fast'"),
        (["check", "--profile", "literal"], "invalid choice: 'literal'"),
        (["check", "--seed", "-1"], "outside 0..2^63-1"),
        (["check", "--seed", "1e3"], "expected a whole number"),
        (["check", "--only", "CONS-STRR"], "unknown invariant 'CONS-STRR'"),
        (["check", "--engines", "z3,alloy"], "unknown engine 'alloy'"),
        (["params", "a.json", "b.json"], "unrecognized arguments"),
        (["check", "a.json", "b.json"], "a.json: no such file"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["diff", "only-one.json"], "the following arguments are required"),
        (["check", "--base", "/no/such/base.json"], "/no/such/base.json: no such file"),
    ],
)
def test_bad_usage(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(argv, capsys)
    assert code == EXIT_BAD_INPUT
    assert fragment in err
    assert "Traceback" not in err


def test_base_must_be_a_parameter_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proposal = ROOT / "fixtures" / "proposals" / "burn-12pct.legacy.json"
    code, _, err = run(["check", "--base", str(proposal), "--engines", "z3"], capsys)
    assert code == EXIT_BAD_INPUT
    assert_one_line(err)


@pytest.mark.parametrize("case", [0, 5, 10])
def test_malformed_input_in_a_real_process(case: int, tmp_path: Path) -> None:
    name, content, fragment = MALFORMED[case]
    path = materialise(tmp_path, name, content)
    result = subprocess.run(
        [sys.executable, "-m", "reports.cli", "check", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == EXIT_BAD_INPUT
    assert result.stdout == ""
    assert_one_line(result.stderr)
    assert fragment in result.stderr


def test_the_command_line_knows_the_solvers_recheck_runs() -> None:
    assert cli.RECHECK_SOLVERS == recheck.RECHECK_SOLVERS


def test_bad_input_is_refused_before_the_engines_are_loaded(tmp_path: Path) -> None:
    """A real process refuses bad input in well under a second: no engine was imported."""
    path = tmp_path / "bad.json"
    path.write_text('{"payment": {"str_burn_bps": "12%"}}', encoding="utf-8")
    probe = (
        "import sys\n"
        "from reports.cli import main\n"
        f"code = main(['check', {str(path)!r}], env={{}})\n"
        "loaded = sorted(m for m in ('reports.check', 'matplotlib', 'z3') if m in sys.modules)\n"
        "print(code, loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "2 []", result.stdout + result.stderr
