"""`stratoverify check` as a governance job runs it: several proposals in one run, the SARIF root,
a user's own function, the versions, shell completion, and a broken tool told apart from a
verdict.

The commands run through the command line's `main(argv)` (`cli_runner.stratoverify`: the real
exit codes and output); a child interpreter runs the executor's check and the console script. The
checks run at quick effort on the Z3 engine alone (seconds) except where the
executor is the point.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from cli_runner import stratoverify, stratoverify_process

from reports import cli
from reports import several as naming

ROOT = Path(__file__).resolve().parents[2]
PROPOSALS = ROOT / "fixtures" / "proposals"
GOOD = PROPOSALS / "complaint-deposit.gov-v1.json"
BAD = PROPOSALS / "burn-12pct-alone.legacy.json"
FAST = ("--effort", "quick", "--engines", "z3", "--quiet")


def located_uris(runs: list[dict[str, Any]]) -> set[str]:
    """Every artifact URI the results of `runs` are located at."""
    return {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for run in runs
        for result in run["results"]
        for location in result.get("locations", [])
        if "physicalLocation" in location
    }


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def several(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Two proposals, one good and one bad, checked in one run into one folder, with a GitHub
    step summary and annotations."""
    out = tmp_path_factory.mktemp("several") / "out"
    summary = out.parent / "summary.md"
    result = stratoverify(
        "check",
        GOOD.relative_to(ROOT),
        BAD.relative_to(ROOT),
        *FAST,
        "--out",
        out,
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    return out, result


@pytest.mark.slow
def test_several__exit_code_is_the_worst_verdict(
    several: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    _, result = several
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "verdict: 2 inputs, 1 fail, 1 pass; exit code 1"
    verdicts = {line.split()[0]: line.split()[1] for line in lines if "(exit code" in line}
    assert verdicts == {
        "fixtures/proposals/complaint-deposit.gov-v1.json": "pass",
        "fixtures/proposals/burn-12pct-alone.legacy.json": "fail",
    }


@pytest.mark.slow
def test_several__a_report_folder_per_input(
    several: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, _ = several
    folders = sorted(path.name for path in out.iterdir() if path.is_dir())
    assert folders == [
        "fixtures__proposals__burn-12pct-alone.legacy.json",
        "fixtures__proposals__complaint-deposit.gov-v1.json",
    ]
    verdicts = {}
    for folder in folders:
        document: dict[str, Any] = json.loads((out / folder / "report.json").read_text("utf-8"))
        verdicts[folder] = document["verdict"]
        for name in ("report.md", "report.html", "junit.xml", "report.sarif"):
            assert (out / folder / name).is_file()
    assert verdicts == {
        "fixtures__proposals__burn-12pct-alone.legacy.json": "fail",
        "fixtures__proposals__complaint-deposit.gov-v1.json": "pass",
    }


@pytest.mark.slow
def test_several__one_sarif_log_with_a_run_per_input(
    several: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, _ = several
    log = json.loads((out / "report.sarif").read_text("utf-8"))
    runs = log["runs"]
    assert len(runs) == 2
    ids = [run["automationDetails"]["id"] for run in runs]
    assert len(set(ids)) == 2
    uris = located_uris(runs)
    # Relative to the git top level (the checkout), never an absolute file URI.
    assert "fixtures/proposals/burn-12pct-alone.legacy.json" in uris
    assert not any(uri.startswith("file:") for uri in uris)


@pytest.mark.slow
def test_several__junit_suite_per_input(
    several: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, _ = several
    root = ElementTree.parse(out / "junit.xml").getroot()
    suites = root.findall("testsuite")
    assert len(suites) == 2
    names = [suite.get("name", "") for suite in suites]
    assert any("complaint-deposit.gov-v1.json" in name for name in names)
    assert any("burn-12pct-alone.legacy.json" in name for name in names)
    failures = {suite.get("name"): int(suite.get("failures", "0")) for suite in suites}
    assert sorted(failures.values())[0] == 0
    assert sorted(failures.values())[1] >= 1


@pytest.mark.slow
def test_several__step_summary_and_annotations_name_each_input(
    several: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, result = several
    summary = (out.parent / "summary.md").read_text("utf-8")
    assert "complaint-deposit.gov-v1.json" in summary
    assert "burn-12pct-alone.legacy.json" in summary
    errors = [line for line in result.stderr.splitlines() if line.startswith("::error")]
    assert errors
    assert all("file=fixtures/proposals/burn-12pct-alone.legacy.json" in line for line in errors)


def test_several__bad_input_anywhere_is_refused_before_any_check(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"changes": [{"subspace": "payment", "key": "nope", "value": "1"}]}')
    out = tmp_path / "out"
    result = stratoverify("check", GOOD, broken, *FAST, "--out", out)
    assert result.returncode == 2
    assert "nope" in one_line_error(result)
    assert not any(out.iterdir()) if out.exists() else True


def test_several__the_same_input_twice_is_refused(tmp_path: Path) -> None:
    result = stratoverify("check", GOOD, GOOD.relative_to(ROOT), *FAST)
    assert result.returncode == 2
    assert "given twice" in one_line_error(result)


@pytest.mark.slow
def test_several__json_lists_each_report() -> None:
    parameter_set = ROOT / "fixtures" / "params" / "whitepaper.json"
    result = stratoverify("check", GOOD, parameter_set, *FAST, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["exit_code"] == 0
    assert [entry["input"] for entry in document["reports"]] == [
        "fixtures/proposals/complaint-deposit.gov-v1.json",
        "fixtures/params/whitepaper.json",
    ]
    assert [entry["report"]["verdict"] for entry in document["reports"]] == ["pass", "pass"]
    kinds = [entry["report"]["inputs"]["kind"] for entry in document["reports"]]
    assert kinds == ["gov v1 proposal", "parameter set"]


def test_combine_exit_codes() -> None:
    assert naming.combine_exit_codes([0, 0]) == 0
    assert naming.combine_exit_codes([0, 3]) == 3
    assert naming.combine_exit_codes([3, 1, 0]) == 1


def test_slugs_are_unique_and_plain() -> None:
    taken: set[str] = set()
    assert naming.get_slug("proposals/a b.json", taken) == "proposals__a_b.json"
    assert naming.get_slug("proposals/a_b.json", taken) == "proposals__a_b.json-2"
    assert naming.get_slug("../x.json", taken) == "x.json"


def test_sarif_root__git_top_level_else_the_folder(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert naming.get_sarif_root(None, plain) == plain.resolve()
    repository = tmp_path / "repo"
    (repository / "sub").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    assert naming.get_sarif_root(None, repository / "sub") == repository.resolve()
    assert naming.get_sarif_root(plain, repository) == plain.resolve()


@pytest.mark.slow
def test_sarif_root__option_makes_uris_relative_to_it(tmp_path: Path) -> None:
    outside = tmp_path / "gov" / "proposals"
    outside.mkdir(parents=True)
    shutil.copy(BAD, outside / "burn.json")
    out = tmp_path / "out"
    result = stratoverify(
        "check", outside / "burn.json", *FAST, "--out", out, "--sarif-root", tmp_path / "gov"
    )
    assert result.returncode == 1, result.stderr
    log = json.loads((out / "report.sarif").read_text("utf-8"))
    assert located_uris(log["runs"]) == {"proposals/burn.json"}


def test_version_lists_the_engines() -> None:
    result = stratoverify("--version")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("stratoverify ")
    names = {line.split()[0] for line in lines[1:]}
    assert {"python", "hypothesis", "z3"} <= names


def test_completion__bash_loads_it_and_completes_the_commands(tmp_path: Path) -> None:
    result = stratoverify("--print-completion", "bash")
    assert result.returncode == 0, result.stderr
    script = tmp_path / "stratoverify.bash"
    script.write_text(result.stdout)
    # Real bash sources the script and asks its completion function for `stratoverify ch`.
    probe = (
        f"source {script}; COMP_WORDS=(stratoverify ch); COMP_CWORD=1; "
        'COMP_LINE="stratoverify ch"; COMP_POINT=${#COMP_LINE}; '
        "_shtab_stratoverify; printf '%s\\n' \"${COMPREPLY[@]}\""
    )
    completed = subprocess.run(
        ["bash", "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert "check" in completed.stdout.split()


def test_internal_error_is_exit_4_not_a_verdict(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object) -> int:
        raise ModuleNotFoundError("No module named 'model.trusted'")

    monkeypatch.setattr(cli, "run_check_command", broken)
    assert cli.main(["check"]) == cli.EXIT_INTERNAL
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1
    assert error[0].startswith("stratoverify: internal error: ModuleNotFoundError")


USER_FUNCTION = '''
def run(data: bytes) -> bytes:
    """Reverses its input: deterministic, so every honest node agrees."""
    return data[::-1]
'''


@pytest.mark.slow
def test_function__a_users_function_is_grounded_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "reverse.py"
    path.write_text(USER_FUNCTION)
    out = tmp_path / "out"
    result = stratoverify_process(
        "check",
        "--effort",
        "quick",
        "--engines",
        "executor",
        "--only",
        "GROUNDED",
        "--function",
        f"{path}:run",
        "--out",
        out,
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads((out / "report.json").read_text("utf-8"))
    (function,) = document["inputs"]["functions"]
    assert function["spec"] == f"{path.resolve()}:run"
    assert len(function["sha256"]) == 64
    # The report can be reproduced while the file is unchanged, and not once it changes.
    path.write_text(USER_FUNCTION.replace("[::-1]", ""))
    again = stratoverify("reproduce", out / "report.json", "--quiet")
    assert again.returncode == 2
    assert "has changed since the report" in one_line_error(again)


@pytest.mark.parametrize(
    ("text", "spec", "expected"),
    [
        ("def run(data):\n    return data\n", "missing.py:run", "no file"),
        ("def run(data:\n", "{path}:run", "function"),
        ("value = 1\n", "{path}:run", "function"),
        ("def run(data):\n    return data\n", "{path}", "expected a fixture name"),
    ],
)
def test_function__a_spec_that_loads_nothing_is_bad_input(
    tmp_path: Path, text: str, spec: str, expected: str
) -> None:
    path = tmp_path / "user.py"
    path.write_text(text)
    result = stratoverify(
        "check",
        "--effort",
        "quick",
        "--engines",
        "executor",
        "--function",
        spec.format(path=path),
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert expected in one_line_error(result)


def test_console_script__a_missing_library_is_exit_4_not_1() -> None:
    """A broken install (a library the command line imports is missing) is the tool failing, not
    an invariant failing."""
    code = (
        "import sys; sys.modules['bech32'] = None; "  # `import bech32` now raises ImportError
        "from reports.entry import main; sys.exit(main(['check']))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        check=False,
    )
    assert result.returncode == 4, result.stderr
    line = one_line_error(result)
    assert line.startswith("stratoverify: internal error: the tool cannot start (ModuleNotFound")


@pytest.mark.slow
def test_gov_params_counterexample__names_the_rule_and_the_changed_key() -> None:
    """A payment-only proposal that breaks the STR sub-shares: the Z3 counterexample says which
    coherence rule breaks, the keys it reads, and the one the proposal moved."""
    result = stratoverify("check", BAD, *FAST, "--only", "GOV-PARAMS", "--json")
    assert result.returncode == 1, result.stderr
    (row,) = json.loads(result.stdout)["invariants"]
    detail = row["counterexample"]["detail"]
    assert "coherence.rule.name = str-sub-shares" in detail
    assert detail.endswith("; the input changed payment.str_burn_bps (1000 -> 1200)")
    assert "supermajority_den = 512" not in detail


def test_describe_coherence_rule__none_changed_and_no_rule() -> None:
    from reports.gather import describe_coherence_rule  # noqa: PLC0415 - loads the engines

    text = describe_coherence_rule({"coherence.rule.name": "stb-sub-shares"}, ())
    assert text.startswith("; the rule stb-sub-shares reads payment.stb_profit_margin_bps")
    assert text.endswith("the input changed none of them (the base already breaks it)")
    assert describe_coherence_rule({"coherence.rule": -1}, ()) == ""


def test_progress_names_the_shape_the_input_was_read_in() -> None:
    result = stratoverify(
        "check",
        PROPOSALS / "chain" / "query-v1.payment.json",
        "--effort",
        "quick",
        "--engines",
        "z3",
        "--only",
        "GOV-PARAMS",
    )
    assert result.returncode == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.endswith(
        '(gov v1 proposal, as a gov v1 {"proposal": ...} query output), profile hardened'
    )
