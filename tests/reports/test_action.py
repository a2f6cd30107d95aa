"""The governance gate's two front ends: the composite GitHub Action and the pre-commit hook.

The action's metadata is validated against SchemaStore's schema for action.yml (check-jsonschema)
and its gate step is `action/gate.sh`, the file these tests run: in a shallow clone of a throwaway
repository, as `actions/checkout` leaves it, with a base commit and a pull request that adds a good
and a bad proposal. The hook definition is validated with pre-commit's own schema and run by
pre-commit itself in a throwaway repository. Checks run at quick effort on Z3 alone (seconds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from pre_commit.clientlib import load_manifest  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
PROPOSALS = ROOT / "fixtures" / "proposals"
GOOD = (PROPOSALS / "complaint-deposit.gov-v1.json").read_text("utf-8")
BAD = (PROPOSALS / "burn-12pct-alone.legacy.json").read_text("utf-8")
PARAMS = (ROOT / "fixtures" / "params" / "whitepaper.json").read_text("utf-8")
GATE = ROOT / "action" / "gate.sh"
BIN = Path(sys.executable).parent
"""The environment that has stratoverify installed (the project's own)."""
FAST = "--effort quick --engines z3 --quiet"


def git(repo: Path, *arguments: str) -> str:
    done = subprocess.run(
        ["git", *arguments], cwd=repo, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def commit(repo: Path, files: Mapping[str, str], message: str) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, "utf-8")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def pull_request(tmp_path: Path, files: Mapping[str, str]) -> tuple[Path, str]:
    """A governance repository with a base commit and a pull request commit adding `files`,
    cloned one commit deep as `actions/checkout` does; the clone and the base commit."""
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    base = commit(origin, {"proposals/old.json": GOOD, "README.md": "gov\n"}, "base")
    commit(origin, files, "pull request")
    clone = tmp_path / "workspace"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    return clone, base


def gate(workspace: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """`action/gate.sh` as the action's gate step runs it, the GitHub files beside the workspace."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "STRATOVERIFY_"))}
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_OUTPUT=str(workspace.parent / "output.txt"),
        GITHUB_STEP_SUMMARY=str(workspace.parent / "summary.md"),
        STRATOVERIFY_BIN=str(BIN),
        STRATOVERIFY_ARGS=FAST,
        STRATOVERIFY_OUT=str(workspace.parent / "report"),
    )
    env.update(settings)
    return subprocess.run(
        ["bash", str(GATE)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def outputs(workspace: Path) -> dict[str, str]:
    path = workspace.parent / "output.txt"
    lines = path.read_text("utf-8").splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines)


def fails_closed(result: subprocess.CompletedProcess[str], workspace: Path) -> str:
    """Exit 2 before any check ran; the line that says why."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace.parent / "report").exists()
    assert outputs(workspace).get("exit-code") is None
    return result.stderr.strip().splitlines()[-1]


# --- action.yml ----------------------------------------------------------------------------------


def load_action() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    return document


def test_action_metadata_is_valid_for_github() -> None:
    result = subprocess.run(
        [
            BIN / "check-jsonschema",
            "--builtin-schema",
            "vendor.github-actions",
            ROOT / "action.yml",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_runs_the_gate_script_and_uploads_sarif_even_on_failure() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    steps = {step.get("id", step.get("name")): step for step in action["runs"]["steps"]}
    assert steps["gate"]["run"] == 'bash "$GITHUB_ACTION_PATH/action/gate.sh"'
    # Inputs reach the scripts as environment variables, never spliced into the script text.
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", "")
    assert steps["gate"]["env"]["STRATOVERIFY_BASE"] == "${{ inputs.base }}"
    assert "pull_request.base.sha" in action["inputs"]["base"]["default"]
    assert action["inputs"]["args"]["default"] == ""  # the full check unless told otherwise
    upload = next(s for s in action["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["uses"] == "github/codeql-action/upload-sarif@v4"
    assert upload["if"].startswith("always()")
    assert upload["with"]["sarif_file"] == "${{ steps.gate.outputs.sarif }}"
    setup = next(s for s in action["runs"]["steps"] if "setup-python" in s.get("uses", ""))
    assert setup["uses"] == "actions/setup-python@v7"


def test_gate_and_the_action_scripts_pass_shellcheck(tmp_path: Path) -> None:
    scripts = [GATE]
    for number, step in enumerate(load_action()["runs"]["steps"]):
        if "run" in step:
            script = tmp_path / f"step-{number}.sh"
            script.write_text(step["run"], "utf-8")
            scripts.append(script)
    result = subprocess.run(
        [BIN / "shellcheck", "--shell=bash", "--severity=style", *scripts],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout


# --- the gate, end to end -------------------------------------------------------------------------


@pytest.mark.slow
def test_gate_checks_each_changed_proposal_and_fails_on_the_bad_one(tmp_path: Path) -> None:
    workspace, base = pull_request(
        tmp_path, {"proposals/good.json": GOOD, "proposals/bad.json": BAD, "README.md": "x\n"}
    )
    assert git(workspace, "rev-parse", "--is-shallow-repository") == "true"
    result = gate(workspace, STRATOVERIFY_BASE=base)
    assert result.returncode == 1, result.stdout + result.stderr
    report = tmp_path / "report"
    verdicts = {
        folder.name: json.loads((folder / "report.json").read_text("utf-8"))["verdict"]
        for folder in report.iterdir()
        if folder.is_dir()
    }
    # The unchanged proposal and the README are not checked.
    assert verdicts == {"proposals__bad.json": "fail", "proposals__good.json": "pass"}
    # One SARIF log, a run per proposal, each its own code-scanning category, paths in the repo.
    log = json.loads((report / "report.sarif").read_text("utf-8"))
    ids = [run["automationDetails"]["id"] for run in log["runs"]]
    assert len(ids) == 2 and len(set(ids)) == 2
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for run in log["runs"]
        for result_ in run["results"]
        for location in result_.get("locations", [])
        if "physicalLocation" in location
    }
    assert "proposals/bad.json" in uris
    suites = ElementTree.parse(report / "junit.xml").getroot().findall("testsuite")
    assert len(suites) == 2
    summary = (tmp_path / "summary.md").read_text("utf-8")
    assert "proposals/good.json" in summary and "proposals/bad.json" in summary
    assert outputs(workspace) == {
        "proposals": "2",
        "sarif": f"{report}/report.sarif",
        "report-dir": str(report),
        "exit-code": "1",
    }


@pytest.mark.slow
def test_gate_passes_when_every_changed_proposal_holds(tmp_path: Path) -> None:
    workspace, base = pull_request(tmp_path, {"proposals/good.json": GOOD})
    result = gate(workspace, STRATOVERIFY_BASE=base)
    assert result.returncode == 0, result.stdout + result.stderr
    assert outputs(workspace)["exit-code"] == "0"


def test_gate_says_no_proposal_changed_and_passes(tmp_path: Path) -> None:
    workspace, base = pull_request(tmp_path, {"README.md": "only words\n"})
    result = gate(workspace, STRATOVERIFY_BASE=base)
    assert result.returncode == 0, result.stderr
    assert "no proposal changed" in result.stdout
    assert "no proposal changed" in (tmp_path / "summary.md").read_text("utf-8")
    assert outputs(workspace) == {"proposals": "0", "exit-code": "0"}


def test_gate_on_a_malformed_proposal_is_bad_input_and_uploads_nothing(tmp_path: Path) -> None:
    broken = '{"changes": [{"subspace": "payment", "key": "no_such_key", "value": "1"}]}'
    workspace, base = pull_request(tmp_path, {"proposals/broken.json": broken})
    stale = tmp_path / "report" / "report.sarif"
    stale.parent.mkdir()
    stale.write_text("{}", "utf-8")  # left by an earlier run
    result = gate(workspace, STRATOVERIFY_BASE=base)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no_such_key" in result.stderr
    assert outputs(workspace) == {
        "proposals": "1",
        "report-dir": str(tmp_path / "report"),
        "exit-code": "2",
    }


def test_gate_without_a_base_fails_closed(tmp_path: Path) -> None:
    workspace, _ = pull_request(tmp_path, {"proposals/bad.json": BAD})
    assert "no base" in fails_closed(gate(workspace, STRATOVERIFY_BASE=""), workspace)


def test_gate_with_a_base_origin_does_not_have_fails_closed(tmp_path: Path) -> None:
    workspace, _ = pull_request(tmp_path, {"proposals/bad.json": BAD})
    line = fails_closed(gate(workspace, STRATOVERIFY_BASE="1" * 40), workspace)
    assert "cannot fetch the base" in line


def test_gate_on_a_non_proposal_under_the_proposal_paths_fails_closed(tmp_path: Path) -> None:
    workspace, base = pull_request(
        tmp_path, {"proposals/good.json": GOOD, "proposals/live-params.json": PARAMS}
    )
    result = gate(workspace, STRATOVERIFY_BASE=base)
    fails_closed(result, workspace)
    assert "proposals/live-params.json" in result.stderr
    assert "not a governance proposal" in result.stderr


def test_gate_outside_a_git_checkout_fails_closed(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "proposals").mkdir()
    (workspace / "proposals" / "bad.json").write_text(BAD, "utf-8")
    env_ceiling = {"GIT_CEILING_DIRECTORIES": str(tmp_path)}
    line = fails_closed(gate(workspace, STRATOVERIFY_BASE="main", **env_ceiling), workspace)
    assert "not a git checkout" in line


# --- pre-commit ----------------------------------------------------------------------------------


def test_hook_definition_is_valid_for_pre_commit() -> None:
    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "stratoverify-check"
    assert hook["language"] == "python"
    assert hook["entry"] == "stratoverify check --effort quick"
    assert hook["pass_filenames"] is True


@pytest.fixture(scope="module")
def hooked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose .pre-commit-config.yaml uses this project's hook at its HEAD commit,
    the hook's environment installed once by pre-commit itself."""
    repo = tmp_path_factory.mktemp("hooked") / "gov"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    config = {
        "repos": [
            {
                "repo": str(ROOT),
                "rev": git(ROOT, "rev-parse", "HEAD"),
                "hooks": [{"id": "stratoverify-check", "args": ["--engines", "z3", "--quiet"]}],
            }
        ]
    }
    commit(repo, {".pre-commit-config.yaml": yaml.safe_dump(config), "README.md": "gov\n"}, "base")
    pre_commit(repo, "install-hooks")
    return repo


def pre_commit(repo: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(repo.parent / "pre-commit-home")
    result = subprocess.run(
        [BIN / "pre-commit", *arguments],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if arguments[0] == "install-hooks":
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def run_hook(repo: Path, files: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, "utf-8")
    git(repo, "add", *files)
    return pre_commit(repo, "run", "stratoverify-check", "--files", *files)


@pytest.mark.slow
def test_hook_fails_a_proposal_that_breaks_an_invariant(hooked: Path) -> None:
    result = run_hook(hooked, {"proposals/bad.json": BAD})
    assert result.returncode == 1, result.stdout
    assert "Failed" in result.stdout and "exit code: 1" in result.stdout


@pytest.mark.slow
def test_hook_passes_a_safe_proposal(hooked: Path) -> None:
    result = run_hook(hooked, {"proposals/good.json": GOOD})
    assert result.returncode == 0, result.stdout
    assert "Passed" in result.stdout


@pytest.mark.slow
def test_hook_fails_on_a_file_check_refuses(hooked: Path) -> None:
    result = run_hook(hooked, {"proposals/not-a-proposal.json": '{"payment": {"nope": 1}}'})
    assert result.returncode == 1, result.stdout
    assert "exit code: 2" in result.stdout


@pytest.mark.slow
def test_hook_skips_json_outside_the_proposals(hooked: Path) -> None:
    result = run_hook(hooked, {"config/settings.json": "{}"})
    assert result.returncode == 0, result.stdout
    assert "Skipped" in result.stdout
