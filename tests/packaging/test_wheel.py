"""The wheel users install: every package and the data the tool reads, working without a checkout.

One module fixture builds the wheel the way the Dockerfile does (its own `RUN` commands, from a
copy of the tree filtered by .dockerignore, so neither a stale `build/` nor a file the image
leaves out can help), installs it in a fresh virtual environment outside the checkout (its
dependencies from the same index as the project's own install) and runs the installed
`stratoverify` from a directory that is not the checkout. No Docker engine runs here: the
Dockerfile is read with Docker's own parser and its wheel commands are the ones run below.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import dockerfile  # type: ignore[import-not-found]
import pytest
from attrs import frozen

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("model", "oracle", "properties", "solver", "executor", "reports", "mutation", "sweep")
BAD_PROPOSAL = ROOT / "fixtures" / "proposals" / "burn-12pct-alone.legacy.json"
WHEEL_COMMAND = "python -m pip wheel --no-deps . -w /dist"
INSTALL_COMMAND = "python -m pip install /dist/*.whl && rm -rf /dist"
"""The Dockerfile's build and install steps, word for word."""


def read_dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def dockerignore_filter() -> Callable[[str, list[str]], set[str]]:
    """A `shutil.copytree` ignore that leaves out what Docker's build context leaves out: a plain
    pattern matches at the top of the context, `**/name` at any depth (the only forms used)."""
    patterns = read_dockerignore()
    top = [pattern for pattern in patterns if not pattern.startswith("**/")]
    anywhere = [pattern.removeprefix("**/") for pattern in patterns if pattern.startswith("**/")]

    def ignore(directory: str, names: list[str]) -> set[str]:
        here = top + anywhere if Path(directory) == ROOT else anywhere
        return {name for name in names if any(fnmatch.fnmatchcase(name, p) for p in here)}

    return ignore


def build_wheel(target: Path) -> Path:
    """The Dockerfile's wheel build, run on a copy of its build context."""
    source = target / "source"
    shutil.copytree(ROOT, source, ignore=dockerignore_filter())
    dist = target / "dist"
    words = [
        sys.executable if w == "python" else str(dist) if w == "/dist" else w
        for w in shlex.split(WHEEL_COMMAND)
    ]
    subprocess.run(words, cwd=source, check=True, capture_output=True, timeout=600)
    (wheel,) = dist.glob("stratoverify-*.whl")
    return wheel


@frozen
class Installed:
    """A wheel built from the checkout, installed in a virtual environment of its own."""

    wheel: Path
    venv: Path
    workdir: Path
    """A directory outside the checkout to run the tool in."""

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """Run a command of the environment in `workdir`, with no path leading to the checkout."""
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "GITHUB_STEP_SUMMARY"}
        }
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return subprocess.run(
            arguments,
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("wheel")
    assert not base.resolve().is_relative_to(ROOT)
    wheel = build_wheel(base)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    # The Dockerfile's install step, with the environment's python and the built wheel.
    install = shlex.split(INSTALL_COMMAND.split(" && ", maxsplit=1)[0])
    install = [
        str(venv / "bin" / "python") if w == "python" else str(wheel) if w == "/dist/*.whl" else w
        for w in install
    ]
    subprocess.run(install, check=True, capture_output=True, timeout=600)
    workdir = base / "elsewhere"
    workdir.mkdir()
    yield Installed(wheel=wheel, venv=venv, workdir=workdir)


def test_dockerfile_builds_and_installs_the_wheel_as_tested() -> None:
    commands = dockerfile.parse_file(str(ROOT / "Dockerfile"))
    runs = [command.value[0] for command in commands if command.cmd == "RUN"]
    assert WHEEL_COMMAND in runs
    assert INSTALL_COMMAND in runs
    stages = [command.value for command in commands if command.cmd == "FROM"]
    assert len(stages) == 2 and all(stage[0] == "python:3.11-slim" for stage in stages)
    (entrypoint,) = [command for command in commands if command.cmd == "ENTRYPOINT"]
    assert entrypoint.json and entrypoint.value == ("stratoverify",)


def test_dockerignore_keeps_the_environment_and_tests_out_of_the_context() -> None:
    patterns = read_dockerignore()
    assert {".venv", ".git", "build", "*.egg-info", "tests", "fixtures"} <= set(patterns)
    assert all(
        not pattern.startswith("!") and "/" not in pattern.removeprefix("**/")
        for pattern in patterns
    )
    ignore = dockerignore_filter()
    assert ignore(str(ROOT), [".venv", "model", "pyproject.toml", "README.md"]) == {".venv"}
    assert ignore(str(ROOT / "reports"), ["__pycache__", "cli.py"]) == {"__pycache__"}


@pytest.mark.slow
def test_wheel_holds_every_package_and_its_data(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    packages = sorted(
        init.parent.relative_to(ROOT).as_posix()
        for top in PACKAGES
        for init in (ROOT / top).rglob("__init__.py")
    )
    assert "model/trusted" in packages and "solver/proofs" in packages  # the search finds them
    missing = [package for package in packages if f"{package}/__init__.py" not in names]
    assert missing == []
    for data in (
        "reports/schema/report.schema.json",
        "sweep/schema/sweep-spec.schema.json",
        "sweep/schema/sweep-report.schema.json",
        "model/py.typed",
        "reports/py.typed",
    ):
        assert data in names
    for function in ("compute", "database", "storage", "billing"):
        assert f"executor/functions/{function}.py" in names
    # Test-only material stays out.
    assert not [name for name in names if name.startswith(("tests/", "fixtures/", "benchmarks/"))]


@pytest.mark.slow
def test_installed_packages_come_from_the_environment(installed: Installed) -> None:
    script = "import executor.functions, reports.cli; print(reports.cli.__file__)"
    result = installed.run("python", "-c", script)
    assert result.returncode == 0, result.stderr
    where = Path(result.stdout.strip()).resolve()
    assert where.is_relative_to(installed.venv.resolve())
    assert not where.is_relative_to(ROOT)
    # The gate's listing runs from the installed package too (outside a repository: exit 2).
    listing = installed.run("python", "-P", "-m", "reports.changed", "--base", "HEAD")
    assert listing.returncode == 2, listing.stderr
    assert listing.stderr.startswith("stratoverify changed: git rev-parse failed")


@pytest.mark.slow
def test_version(installed: Installed) -> None:
    result = installed.run("stratoverify", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("stratoverify 0.1.0")


@pytest.mark.slow
def test_check_defaults_passes_outside_the_checkout(installed: Installed) -> None:
    out = installed.workdir / "defaults"
    result = installed.run("stratoverify", "check", "--effort", "quick", "--out", str(out))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["verdict"] == "pass"
    grounded = next(item for item in report["invariants"] if item["id"] == "GROUNDED")
    # The executor ran the shipped functions in real node processes.
    assert grounded["engines"]["executor"]["scenarios"] > 0


@pytest.mark.slow
def test_check_unsafe_proposal_fails_outside_the_checkout(installed: Installed) -> None:
    proposal = installed.workdir / BAD_PROPOSAL.name
    shutil.copyfile(BAD_PROPOSAL, proposal)
    result = installed.run("stratoverify", "check", proposal.name, "--effort", "quick")
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
