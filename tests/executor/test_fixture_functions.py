"""The real functions the executor runs, and the function specs that name them.

Each fixture function of `executor.functions` is checked in-process against results worked out
independently (prime counts, rate-card prices, content hashes), then through the executor's node
processes: fixture names, user `file.py:callable` and `module:callable` specs, bad specs, and
hostile functions whose failure is the function's, never the executor's.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from executor_fixtures import no_orphan_nodes  # noqa: F401 - autouse: no node left behind

from executor.engine import ROOT, Executor, FunctionSpecError, resolve_function
from executor.pool import get_live_groups
from executor.scenario import ExecRound
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from model.trusted.behaviour import NodePlan, Scenario
from model.trusted.billing import encode_usage
from model.units import AppId, NodeId

HOSTILE = ROOT / "fixtures" / "functions" / "hostile.py"
"""Test-only functions that attack the executor; they do not ship with the package."""
SPAWNED_HERE: list[int] = []
"""Every node process group an executor of this file started, for the last test."""


def load_fixture(name: str) -> ModuleType:
    """A fixture function's module, imported in-process from the package the nodes import it from."""
    return importlib.import_module(f"executor.functions.{name}")


COMPUTE = load_fixture("compute")
DATABASE = load_fixture("database")
STORAGE = load_fixture("storage")
BILLING = load_fixture("billing")


def call(module: ModuleType, data: bytes) -> bytes:
    """The fixture's `run` on `data`, in this process."""
    output = module.run(data)
    assert isinstance(output, bytes)
    return output


def as_json(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.fixture
def executor() -> Iterator[Executor]:
    """A persistent executor, closed (every node killed) when the test ends."""
    with Executor() as running:
        yield running
        SPAWNED_HERE.extend(running.spawned_groups)


def honest_round(function: str, data: bytes, nodes: int, expected: bytes) -> ExecRound:
    scenario = Scenario(
        round_id=11,
        app=AppId("app"),
        plans=tuple(NodePlan(node=NodeId(f"n{i}")) for i in range(nodes)),
        correct_output=expected,
        seed=b"fixture-functions",
    )
    return ExecRound(scenario, function, data)


# compute ----------------------------------------------------------------------------------------


def primes_below(n: int) -> list[int]:
    """Trial division: slow, obvious, and independent of the sieve under test."""
    return [p for p in range(2, n) if all(p % d for d in range(2, int(p**0.5) + 1))]


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, b"count=0 sum=0"),
        (1, b"count=0 sum=0"),
        (2, b"count=0 sum=0"),
        (3, b"count=1 sum=2"),
        (10, b"count=4 sum=17"),
        (11, b"count=4 sum=17"),
        (12, b"count=5 sum=28"),
        (100, b"count=25 sum=1060"),
        (1_000_000, b"count=78498 sum=37550402023"),
    ],
)
def test_compute_counts_and_sums_the_primes_below_n(n: int, expected: bytes) -> None:
    assert call(COMPUTE, as_json({"n": n})) == expected


def test_compute_agrees_with_trial_division() -> None:
    for n in range(200):
        primes = primes_below(n)
        assert call(COMPUTE, as_json({"n": n})) == f"count={len(primes)} sum={sum(primes)}".encode()


@pytest.mark.parametrize(
    "data",
    [
        as_json({"n": -1}),
        as_json({"n": 1_000_001}),
        as_json({"n": 10.0}),
        as_json({"n": True}),
        as_json({"n": "10"}),
        as_json({"m": 10}),
        b"not json",
    ],
)
def test_compute_rejects_bad_input(data: bytes) -> None:
    with pytest.raises((ValueError, KeyError)):
        call(COMPUTE, data)


# database ---------------------------------------------------------------------------------------

CREATE = "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER)"
ALICE = "INSERT INTO accounts VALUES (1, 'alice', 100)"
BOB = "INSERT INTO accounts VALUES (2, 'bob', 50)"


def test_database_same_log_same_digest() -> None:
    log = as_json([CREATE, ALICE, BOB, "UPDATE accounts SET balance = balance - 10 WHERE id = 1"])
    first = call(DATABASE, log)
    assert first == call(DATABASE, log)
    assert len(first) == 64 and int(first, 16) >= 0


def test_database_different_logs_give_different_digests() -> None:
    base = call(DATABASE, as_json([CREATE, ALICE]))
    assert call(DATABASE, as_json([CREATE, ALICE, BOB])) != base
    assert call(DATABASE, as_json([CREATE])) != base
    changed = as_json([CREATE, ALICE, "UPDATE accounts SET balance = 99 WHERE id = 1"])
    assert call(DATABASE, changed) != base


def test_database_digest_is_of_the_state_not_the_order_of_independent_inserts() -> None:
    assert call(DATABASE, as_json([CREATE, ALICE, BOB])) == call(
        DATABASE, as_json([CREATE, BOB, ALICE])
    )
    # A row inserted and deleted again leaves the state as if it had never been there.
    undone = as_json([CREATE, ALICE, BOB, "DELETE FROM accounts WHERE id = 2"])
    assert call(DATABASE, undone) == call(DATABASE, as_json([CREATE, ALICE]))


def test_database_rejects_bad_sql_and_bad_logs() -> None:
    with pytest.raises(sqlite3.OperationalError):
        call(DATABASE, as_json([CREATE, "INSERT INTO nowhere VALUES (1)"]))
    with pytest.raises(sqlite3.OperationalError):
        call(DATABASE, as_json(["SELEKT 1"]))
    with pytest.raises(sqlite3.IntegrityError):
        call(DATABASE, as_json([CREATE, ALICE, ALICE]))
    with pytest.raises(ValueError, match="JSON list of SQL strings"):
        call(DATABASE, as_json({"commands": [CREATE]}))
    with pytest.raises(ValueError, match="JSON list of SQL strings"):
        call(DATABASE, as_json([CREATE, 7]))


# storage ----------------------------------------------------------------------------------------


def test_storage_get_of_a_put_blob_returns_its_sha256() -> None:
    blobs = [b"hello", b"\x00\x01\x02" * 1000, b""]
    ops: list[list[str]] = [["put", blob.hex()] for blob in blobs]
    ops += [["get", hashlib.sha256(blob).hexdigest()] for blob in reversed(blobs)]
    expected = [hashlib.sha256(blob).hexdigest() for blob in reversed(blobs)]
    assert call(STORAGE, as_json({"ops": ops})).decode().split("\n") == expected


def test_storage_get_of_something_never_put_is_missing() -> None:
    stored, never = hashlib.sha256(b"stored"), hashlib.sha256(b"never stored")
    ops = [
        ["get", stored.hexdigest()],
        ["put", b"stored".hex()],
        ["get", never.hexdigest()],
        ["get", stored.hexdigest()],
    ]
    output = call(STORAGE, as_json({"ops": ops}))
    assert output.decode().split("\n") == ["missing", "missing", stored.hexdigest()]
    # Every run starts from a fresh store: the blob put above is gone.
    assert call(STORAGE, as_json({"ops": [["get", stored.hexdigest()]]})) == b"missing"


def test_storage_rejects_unknown_ops() -> None:
    with pytest.raises(ValueError, match="unknown storage op"):
        call(STORAGE, as_json({"ops": [["delete", "00"]]}))
    with pytest.raises(ValueError):
        call(STORAGE, as_json({"ops": [["put", "not hex"]]}))


# billing ----------------------------------------------------------------------------------------


def price(report: dict[str, int]) -> int:
    """The cost of a usage report on the billing module's own rate card."""
    rates = BILLING.RATE_CARD_MICRO_USD
    per_kib = BILLING.MICRO_USD_PER_KIB_OUT
    assert isinstance(rates, dict) and isinstance(per_kib, int)
    cost = sum(report[key] * rate for key, rate in rates.items())
    return int(cost + report["bytes_out"] // 1024 * per_kib)


@pytest.mark.parametrize(
    "report",
    [
        {"cpu_ms": 0, "memory_mb_s": 0, "requests": 0, "bytes_out": 0},
        {"cpu_ms": 250, "memory_mb_s": 40, "requests": 3, "bytes_out": 10_000},
        {"cpu_ms": 1, "memory_mb_s": 1, "requests": 1, "bytes_out": 1023},
        {"cpu_ms": 7, "memory_mb_s": 0, "requests": 0, "bytes_out": 1024},
        {"cpu_ms": 10**9, "memory_mb_s": 10**9, "requests": 10**6, "bytes_out": 10**12},
    ],
)
def test_billing_prices_the_report_on_the_rate_card(report: dict[str, int]) -> None:
    output = call(BILLING, as_json(report))
    assert output == encode_usage(price(report))
    assert output.isdigit()


def test_billing_rate_card_matches_a_worked_example() -> None:
    report = {"cpu_ms": 250, "memory_mb_s": 40, "requests": 3, "bytes_out": 10_000}
    assert price(report) == 250 * 20 + 40 * 2 + 3 * 400 + (10_000 // 1024) * 90


@pytest.mark.parametrize(
    "report",
    [
        {"cpu_ms": 1, "memory_mb_s": 1, "requests": 1},
        {"cpu_ms": 1, "memory_mb_s": 1, "requests": 1, "bytes_out": 1, "extra": 1},
        {"cpu_ms": -1, "memory_mb_s": 1, "requests": 1, "bytes_out": 1},
        {"cpu_ms": 1.5, "memory_mb_s": 1, "requests": 1, "bytes_out": 1},
        {"cpu_ms": True, "memory_mb_s": 1, "requests": 1, "bytes_out": 1},
        {"cpu_ms": "1", "memory_mb_s": 1, "requests": 1, "bytes_out": 1},
        [1, 1, 1, 1],
    ],
)
def test_billing_rejects_bad_reports(report: object) -> None:
    with pytest.raises(ValueError):
        call(BILLING, as_json(report))


# through the executor ---------------------------------------------------------------------------

FIXTURE_INPUTS = {
    "compute": as_json({"n": 5000}),
    "database": as_json([CREATE, ALICE, BOB]),
    "storage": as_json(
        {"ops": [["put", b"blob".hex()], ["get", hashlib.sha256(b"blob").hexdigest()]]}
    ),
    "billing": as_json({"cpu_ms": 250, "memory_mb_s": 40, "requests": 3, "bytes_out": 10_000}),
}


@pytest.mark.parametrize("name", sorted(FIXTURE_INPUTS))
def test_reference_output_equals_the_function_in_process(executor: Executor, name: str) -> None:
    data = FIXTURE_INPUTS[name]
    assert executor.reference_output(resolve_function(name), data) == call(load_fixture(name), data)


USER_MODULE = """
import os


def reverse(data: bytes) -> bytes:
    return data[::-1]


def whoami(data: bytes) -> bytes:
    return str(os.getpid()).encode()


NOT_CALLABLE = 3
"""


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    path = tmp_path / "user_functions.py"
    path.write_text(USER_MODULE)
    return path


def test_user_file_function_runs_apart_from_every_node(executor: Executor, user_file: Path) -> None:
    """The function's process is neither the executor nor a node: a call of its own, in the
    node's sandbox (in a PID namespace of its own where the machine has one)."""
    spec = resolve_function(f"{user_file}:whoami")
    assert spec == f"{user_file.resolve()}:whoami"
    output = executor.reference_output(spec, b"")
    assert output is not None
    pid = int(output)
    assert pid != os.getpid()
    assert pid not in executor.spawned_groups


def test_user_file_function_decides_a_round(executor: Executor, user_file: Path) -> None:
    spec = resolve_function(f"{user_file}:reverse")
    assert executor.reference_output(spec, b"abc") == b"cba"
    log = executor.run_round(
        honest_round(spec, b"stratosphere", 4, b"erehpsotarts"),
        params=WHITEPAPER_PARAMS,
        profile=HARDENED,
    )
    assert log.decided_at is not None
    assert log.faulty == {} and log.function_errors == {}
    assert len(log.reveals) == 4
    assert set(log.outputs.values()) == {b"erehpsotarts"}
    assert len({revealed.output_hash for revealed in log.reveals.values()}) == 1


def test_relative_file_spec_is_resolved_against_the_working_directory(
    user_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(user_file.parent)
    assert resolve_function(f"{user_file.name}:reverse") == f"{user_file.resolve()}:reverse"


@pytest.mark.parametrize(
    ("spec", "data", "expected"),
    [
        ("executor.functions.compute:run", as_json({"n": 10}), b"count=4 sum=17"),
        ("base64:b64encode", b"stratosphere", b"c3RyYXRvc3BoZXJl"),
        ("binascii:hexlify", b"\x01\xab", b"01ab"),
    ],
)
def test_module_function_runs_in_a_node_process(
    executor: Executor, spec: str, data: bytes, expected: bytes
) -> None:
    # A node imports from the installed packages and the interpreter's own library.
    assert resolve_function(spec) == spec
    assert executor.reference_output(spec, data) == expected


def test_module_outside_the_node_path_is_a_spec_error(executor: Executor, user_file: Path) -> None:
    # The module exists, but only in pytest's tmp_path, which no node has on its path.
    spec = resolve_function(f"{user_file.stem}:reverse")
    with pytest.raises(FunctionSpecError, match="ModuleNotFoundError"):
        executor.reference_output(spec, b"abc")


@pytest.mark.parametrize(
    "spec",
    ["computer", "", "run", ":run", "compute.py:", "compute.py:not-a-name", "module:1st"],
)
def test_malformed_spec_is_refused(spec: str) -> None:
    with pytest.raises(FunctionSpecError, match="expected a fixture name") as raised:
        resolve_function(spec)
    assert repr(spec) in str(raised.value)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "absent.py"
    with pytest.raises(FunctionSpecError, match="no file") as raised:
        resolve_function(f"{missing}:run")
    assert str(missing) in str(raised.value)


@pytest.mark.parametrize("name", ["absent", "NOT_CALLABLE"])
def test_missing_callable_is_refused(executor: Executor, user_file: Path, name: str) -> None:
    spec = resolve_function(f"{user_file}:{name}")
    with pytest.raises(FunctionSpecError, match=f"no callable named '{name}'"):
        executor.reference_output(spec, b"")


def test_missing_module_is_refused(executor: Executor) -> None:
    with pytest.raises(FunctionSpecError, match="no_such_module_anywhere"):
        executor.reference_output("no_such_module_anywhere:run", b"")


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("not_bytes", "TypeError: the function returned str, not bytes"),
        ("raise_error", "RuntimeError: this function always fails"),
    ],
)
def test_hostile_function_fails_and_the_executor_does_not(
    executor: Executor, name: str, error: str
) -> None:
    spec = resolve_function(f"{HOSTILE}:{name}")
    assert executor.reference_output(spec, b"input") is None
    # The reference node was replaced and still serves the next function.
    compute_input = as_json({"n": 10})
    assert (
        executor.reference_output(resolve_function("compute"), compute_input) == b"count=4 sum=17"
    )
    # In a round every node fails the same way, as a function error, and none commits.
    log = executor.run_round(
        honest_round(spec, b"input", 3, b""), params=WHITEPAPER_PARAMS, profile=HARDENED
    )
    assert log.commits == {} and log.reveals == {}
    assert log.faulty == {f"n{i}": "function-error" for i in range(3)}
    assert set(log.function_errors.values()) == {error}


def test_no_node_process_outlives_its_executor() -> None:
    # Runs last in this file: every executor above was closed by its `with`.
    assert len(SPAWNED_HERE) >= 10
    assert [group for group in get_live_groups() if group in SPAWNED_HERE] == []
    assert get_live_groups() == []
