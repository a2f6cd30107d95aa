"""The example database: a failure found by one run is replayed first by the next, here and
through a real Redis server; `--no-database` gives the same report byte for byte."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from properties.database import DatabaseError, parse_location

# SLASH-BOUNDS fails fast under the literal text (the slash rate passes 100% at the sixth slash).
CHECK = [
    "check",
    "--profile",
    "whitepaper",
    "--effort",
    "quick",
    "--engines",
    "hypothesis",
    "--only",
    "SLASH-BOUNDS",
    "--json",
]


def _check(tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    env = {key: value for key, value in __import__("os").environ.items()}
    env.pop("STRATOVERIFY_DATABASE", None)  # the command's own default, as a user runs it
    done = subprocess.run(
        [sys.executable, "-m", "reports.cli", *CHECK, *extra],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(Path.cwd())},
    )
    return done.returncode, json.loads(done.stdout), done.stderr


def _sources(document: dict[str, Any]) -> list[str]:
    return [found["source"] for row in document["invariants"] for found in row["counterexamples"]]


@pytest.mark.slow
def test_a_failure_is_replayed_from_the_default_database(tmp_path: Path) -> None:
    code, first, stderr = _check(tmp_path)
    assert code == 1
    assert _sources(first) == ["machine"]
    assert "failing case(s) saved to the example database (directory .stratoverify/examples)" in (
        stderr
    )
    assert any((tmp_path / ".stratoverify" / "examples").iterdir())
    code, second, _ = _check(tmp_path)
    assert code == 1
    assert _sources(second) == ["database"]  # replayed before anything was generated
    row = second["invariants"][0]
    assert (
        row["counterexamples"][0]["detail"]
        == first["invariants"][0]["counterexamples"][0]["detail"]
    )
    # Without the database the check is what it always was, byte for byte but for timings.
    _, plain_one, _ = _check(tmp_path, "--no-database")
    _, plain_two, _ = _check(tmp_path, "--no-database")
    assert _sources(plain_one) == ["machine"]
    assert plain_one["content_sha256"] == plain_two["content_sha256"] == first["content_sha256"]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server on a free port, for this module only."""
    server = shutil.which("redis-server")
    assert server is not None, "make test installs redis-server (Makefile: redis)"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.slow
def test_a_failure_is_replayed_through_redis(tmp_path: Path, redis_url: str) -> None:
    first_folder, second_folder = tmp_path / "one", tmp_path / "two"
    first_folder.mkdir()
    second_folder.mkdir()
    code, first, stderr = _check(first_folder, "--database", redis_url)
    assert code == 1 and _sources(first) == ["machine"]
    assert f"(Redis {redis_url})" in stderr
    # Another folder (another machine, as far as the database knows): the failure comes first.
    code, second, _ = _check(second_folder, "--database", redis_url)
    assert code == 1 and _sources(second) == ["database"]
    assert not (second_folder / ".stratoverify").exists()


def test_an_unreachable_redis_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reports.cli", *CHECK, "--database", "redis://127.0.0.1:1/0"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
        env={**__import__("os").environ, "PYTHONPATH": str(Path.cwd())},
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "cannot reach the Redis server" in done.stderr


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("", "empty location"),
        ("ftp://host/x", "unknown scheme 'ftp'"),
    ],
)
def test_a_malformed_location_is_refused(location: str, message: str) -> None:
    with pytest.raises(DatabaseError, match=message):
        parse_location(location)


def test_a_file_is_not_a_database_folder(tmp_path: Path) -> None:
    file = tmp_path / "f"
    file.write_text("x", encoding="utf-8")
    with pytest.raises(DatabaseError, match="not a directory"):
        parse_location(str(file))
    assert parse_location("off") is None


SWEEP = """
profile = "whitepaper"
effort = "quick"
engines = ["hypothesis"]
only = ["SLASH-BOUNDS"]

[keys."governance.voting_period_seconds"]
values = [604800, 1209600]
"""


@pytest.mark.slow
def test_a_sweep_replays_every_failure_at_every_point_the_next_time(tmp_path: Path) -> None:
    spec = tmp_path / "sweep.toml"
    spec.write_text(SWEEP, encoding="utf-8")
    env = {**__import__("os").environ, "PYTHONPATH": str(Path.cwd())}
    env.pop("STRATOVERIFY_DATABASE", None)
    documents = []
    for name in ("first", "second"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "reports.cli",
                "sweep",
                str(spec),
                "--out",
                name,
                "--workers",
                "0",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            cwd=tmp_path,
            env=env,
        )
        assert done.returncode == 1, done.stderr
        documents.append(json.loads((tmp_path / name / "sweep.json").read_text("utf-8")))
    first, second = documents
    sources = [[found["source"] for found in point["counterexamples"]] for point in first["points"]]
    assert sources == [["machine"], ["machine"]]
    again = [[found["source"] for found in point["counterexamples"]] for point in second["points"]]
    assert again == [["database"], ["database"]]
    assert "from the example database" in (tmp_path / "second" / "sweep.md").read_text("utf-8")
