"""`python -m reports.changed`: the proposals a change touches, and every way it must fail closed.

Each test builds a real git repository (base commit, then a change) and runs the module as the
gate runs it, in a child process, so the exit codes and the listing are the real ones.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from reports.changed import ChangedError, find_changed_proposals

ROOT = Path(__file__).resolve().parents[2]
PROPOSALS = ROOT / "fixtures" / "proposals"
GOOD = (PROPOSALS / "payment.gov-v1.json").read_text("utf-8")
BAD = (PROPOSALS / "burn-12pct-alone.legacy.json").read_text("utf-8")
PARAMS = (ROOT / "fixtures" / "params" / "whitepaper.json").read_text("utf-8")


def git(repo: Path, *arguments: str) -> str:
    done = subprocess.run(
        ["git", *arguments], cwd=repo, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def commit(repo: Path, files: Mapping[str, str | None], message: str) -> str:
    """Write (or, for None, delete) `files`, commit them, and return the commit."""
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose base commit holds one proposal, a parameter set and a README."""
    repository = tmp_path / "gov"
    repository.mkdir()
    git(repository, "init", "-q", "-b", "main")
    files = {"proposals/old.json": GOOD, "params/live.json": PARAMS, "README.md": "gov\n"}
    commit(repository, files, "base")
    return repository


def changed(cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "reports.changed", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_lists_added_and_modified_proposals_not_deleted_ones(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, {"proposals/new.json": BAD, "proposals/sub/two.json": GOOD}, "add")
    commit(repo, {"proposals/old.json": BAD, "README.md": "changed\n"}, "modify")
    commit(repo, {"proposals/sub/two.json": None}, "delete")
    result = changed(repo, "--base", base)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "proposals/new.json\nproposals/old.json\n"


def test_nul_separated_and_relative_to_the_current_directory(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, {"proposals/a b.json": GOOD, "proposals/c.json": BAD}, "add")
    result = changed(repo / "proposals", "--base", base, "-z")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "a b.json\0c.json\0"


def test_a_name_like_an_option_is_given_as_a_path(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, {"proposals/--out.json": GOOD}, "add")
    assert changed(repo / "proposals", "--base", base).stdout == "./--out.json\n"


def test_a_renamed_proposal_is_checked_under_its_new_name(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "mv", "proposals/old.json", "proposals/renamed.json")
    commit(repo, {}, "rename")
    assert changed(repo, "--base", base).stdout == "proposals/renamed.json\n"


def test_no_proposal_changed_is_an_empty_list(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, {"README.md": "only the readme\n", "params/live.json": PARAMS + " "}, "docs")
    result = changed(repo, "--base", base)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_paths_choose_where_proposals_live(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, {"gov/upgrades/p.json": GOOD, "proposals/q.json": GOOD}, "add")
    result = changed(repo, "--base", base, "--paths", "gov/**/*.json")
    assert result.stdout == "gov/upgrades/p.json\n"


def test_a_parameter_set_under_the_proposal_paths_is_an_error(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, {"proposals/good.json": GOOD, "proposals/live.json": PARAMS}, "add")
    line = one_line_error(changed(repo, "--base", base))
    assert "proposals/live.json" in line and "not a governance proposal" in line


def test_a_file_that_is_not_json_is_an_error(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, {"proposals/broken.json": '{"changes": ['}, "add")
    line = one_line_error(changed(repo, "--base", base))
    assert "broken.json" in line and "JSON" in line


def test_a_symlink_under_the_proposal_paths_is_an_error(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    (repo / "proposals" / "link.json").symlink_to(repo / "proposals" / "old.json")
    commit(repo, {}, "link")
    assert "symbolic link" in one_line_error(changed(repo, "--base", base))


def test_a_base_missing_from_a_shallow_clone_is_an_error_not_an_empty_diff(
    repo: Path, tmp_path: Path
) -> None:
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, {"proposals/new.json": BAD}, "add")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository") == "true"
    line = one_line_error(changed(clone, "--base", base))
    assert base in line and "shallow" in line
    # Once the base commit is fetched, the same clone lists the proposal.
    git(clone, "fetch", "-q", "--no-tags", "--depth=1", "origin", base)
    assert changed(clone, "--base", base).stdout == "proposals/new.json\n"


@pytest.mark.parametrize("base", ["", "  ", "no-such-branch", "0" * 40])
def test_no_usable_base_is_an_error(repo: Path, base: str) -> None:
    one_line_error(changed(repo, "--base", base))


def test_outside_a_git_repository_is_an_error(tmp_path: Path) -> None:
    line = one_line_error(changed(tmp_path, "--base", "main"))
    assert "git" in line


def test_a_repository_without_commits_is_an_error(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    one_line_error(changed(tmp_path, "--base", "main"))


def test_the_function_raises_rather_than_returning_nothing(repo: Path) -> None:
    with pytest.raises(ChangedError, match="not a commit"):
        find_changed_proposals("missing-ref", cwd=repo)
    base = git(repo, "rev-parse", "HEAD")
    commit(repo, {"proposals/x.json": GOOD}, "add")
    assert find_changed_proposals(base, cwd=repo) == ["proposals/x.json"]
