"""The wheel users install: every package and the data the tool reads, working without a checkout.

One module fixture builds the wheel with pip from a copy of the source tree (no stale `build/`),
installs it in a fresh virtual environment outside the checkout (its dependencies from the same
index as the project's own install) and runs the installed `stratoverify` from a directory that is
not the checkout, so nothing can be imported from the source tree by accident.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from attrs import frozen

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("model", "oracle", "properties", "solver", "executor", "reports", "mutation")
BAD_PROPOSAL = ROOT / "fixtures" / "proposals" / "burn-12pct-alone.legacy.json"
COPY_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "out"
)


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


def build_wheel(target: Path) -> Path:
    """`pip wheel --no-deps` of a clean copy of the source tree, as `pip install .` builds it."""
    source = target / "source"
    shutil.copytree(ROOT, source, ignore=COPY_IGNORED)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(source), "-w", target],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = target.glob("stratoverify-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("wheel")
    assert not base.resolve().is_relative_to(ROOT)
    wheel = build_wheel(base)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    workdir = base / "elsewhere"
    workdir.mkdir()
    yield Installed(wheel=wheel, venv=venv, workdir=workdir)


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
    for data in ("reports/schema/report.schema.json", "model/py.typed", "reports/py.typed"):
        assert data in names
    for function in ("compute", "database", "storage", "billing"):
        assert f"executor/functions/{function}.py" in names
    # Test-only material stays out.
    assert not [name for name in names if name.startswith(("tests/", "fixtures/", "benchmarks/"))]


def test_installed_packages_come_from_the_environment(installed: Installed) -> None:
    script = "import executor.functions, reports.cli; print(reports.cli.__file__)"
    result = installed.run("python", "-c", script)
    assert result.returncode == 0, result.stderr
    where = Path(result.stdout.strip()).resolve()
    assert where.is_relative_to(installed.venv.resolve())
    assert not where.is_relative_to(ROOT)


def test_version(installed: Installed) -> None:
    result = installed.run("stratoverify", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("stratoverify 0.1.0")


def test_check_defaults_passes_outside_the_checkout(installed: Installed) -> None:
    out = installed.workdir / "defaults"
    result = installed.run("stratoverify", "check", "--effort", "quick", "--out", str(out))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["verdict"] == "pass"
    grounded = next(item for item in report["invariants"] if item["id"] == "GROUNDED")
    # The executor ran the shipped functions in real node processes.
    assert grounded["engines"]["executor"]["scenarios"] > 0


def test_check_unsafe_proposal_fails_outside_the_checkout(installed: Installed) -> None:
    proposal = installed.workdir / BAD_PROPOSAL.name
    shutil.copyfile(BAD_PROPOSAL, proposal)
    result = installed.run("stratoverify", "check", proposal.name, "--effort", "quick")
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
