"""Sweeps and a check's parts on a real two-worker Dask local cluster: the same report as in this
process, whichever worker finished first, and after a worker is killed mid-task."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from model.params import WHITEPAPER_PARAMS
from properties.effort import Effort
from sweep.cluster import Done, Placement, open_client, run_tasks
from sweep.command import run_sweep_task
from sweep.shards import CheckParts, run_parts

SPEC = """
effort = "quick"
engines = ["z3"]
only = ["CONS-SPLIT", "GOV-PARAMS", "PAY-BURN"]

[keys."payment.str_burn_bps"]
values = [500, 1000]

[keys."payment.str_node_profit_bps"]
range = { from = 1500, to = 2500, step = 500 }
"""


def _sweep(tmp_path: Path, name: str, *extra: str) -> tuple[int, dict[str, Any], str]:
    spec = tmp_path / "sweep.toml"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path / name
    done = subprocess.run(
        [sys.executable, "-m", "reports.cli", "sweep", str(spec), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    document = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    return done.returncode, document, done.stderr


@pytest.mark.slow
def test_a_sweep_gives_the_same_report_here_and_on_two_workers(tmp_path: Path) -> None:
    code_here, here, _ = _sweep(tmp_path, "here", "--workers", "0", "--no-database")
    code_two, two, stderr = _sweep(tmp_path, "two", "--workers", "2", "--no-database")
    assert code_here == code_two == 1  # the grid holds incoherent shares
    assert here["content_sha256"] == two["content_sha256"]
    assert here["summary"] == {"points": 6, "pass": 2, "fail": 4, "inconclusive": 0}
    # Both workers took points, and the progress said which.
    assert set(two["workers"]["busy"]) == {"0", "1"}
    assert "on worker 0" in stderr and "on worker 1" in stderr
    # Each point's own check report is the same file, and the one `check` would write.
    for point in here["points"]:
        mine = json.loads((tmp_path / "here" / point["folder"] / "report.json").read_text())
        theirs = json.loads((tmp_path / "two" / point["folder"] / "report.json").read_text())
        assert mine["content_sha256"] == theirs["content_sha256"] == point["report_sha256"]
    # And on a cluster that was already running, reached by its scheduler's address.
    with open_client(Placement(workers=2)) as client:
        address = str(client.scheduler_info()["address"])
        code_there, there, _ = _sweep(tmp_path, "there", "--scheduler", address, "--no-database")
    assert code_there == 1
    assert there["content_sha256"] == here["content_sha256"]
    assert there["workers"]["placement"] == f"the Dask cluster at {address}"
    schema = json.loads(Path("sweep/schema/sweep-report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(two)
    # A pair's proved region comes with the map: burn 1000 is safe only with node profit 2000.
    (region,) = two["regions"]
    row = next(row for row in region["rows"] if row["x"] == 1000)
    assert row["safe"] == [{"low": 2000, "high": 2000}]


@pytest.mark.slow
def test_a_killed_worker_has_its_task_run_again_with_the_same_result(tmp_path: Path) -> None:
    from reports.check import CheckOptions  # noqa: PLC0415
    from reports.inputs import get_defaults  # noqa: PLC0415
    from sweep.points import PointTask  # noqa: PLC0415

    options = CheckOptions(effort="quick", engines=("z3",), only=("GOV-PARAMS", "CONS-SPLIT"))
    values = [(("payment.str_burn_bps", burn),) for burn in (900, 1000, 1100, 1200, 1300, 1400)]
    tasks = [
        ("point", PointTask(index, value, get_defaults(), options))
        for index, value in enumerate(values)
    ]
    here = run_tasks(run_sweep_task, tasks, placement=Placement(workers=0), name="point")
    killed: list[int] = []
    with open_client(Placement(workers=2)) as client:
        before: dict[str, int] = client.run(os.getpid)

        def kill_the_other(done: Done[Any], finished: int, total: int) -> None:
            if killed:
                return
            # The worker that did not just finish is busy with its own point: kill it.
            for address, pid in before.items():
                info = client.scheduler_info()["workers"].get(address, {})
                if str(info.get("name")) != done.worker:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return

        there = run_tasks(
            run_sweep_task,
            tasks,
            placement=Placement(workers=2),
            name="point",
            progress=kill_the_other,
            client=client,
        )
        after = set(client.run(os.getpid).values())
    assert killed and killed[0] not in after  # the nanny started a new worker in its place
    # The same verdicts, counterexamples and report hashes; the files differ in timings only.
    assert [d.result.summary for d in there] == [d.result.summary for d in here]
    assert [_untimed(d.result.files) for d in there] == [_untimed(d.result.files) for d in here]


def _untimed(files: dict[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(files["report.json"])
    document.pop("timings")
    return document


@pytest.mark.slow
def test_a_sharded_machine_merges_to_the_same_report_on_two_workers() -> None:
    from model.profile import PROFILES  # noqa: PLC0415
    from properties.runner import run_properties  # noqa: PLC0415

    effort = Effort("sharded", 12, steps_per_example=8, explore_max_nodes=2, shards=3)
    ids = ("CONS-STR", "CONS-STB", "SLASH-BOUNDS")
    parts = CheckParts(
        params=WHITEPAPER_PARAMS,
        profile="whitepaper",
        effort=effort,
        seed=5,
        hypothesis_ids=ids,
        z3_ids=(),
        run_executor=False,
    )
    merged = run_parts(parts, Placement(workers=2))
    assert not merged.errors
    here = run_properties(WHITEPAPER_PARAMS, PROFILES["whitepaper"], effort, 5, only=frozenset(ids))
    assert merged.hypothesis is not None
    assert merged.hypothesis == here  # the round search too, cut into three parts
    assert here.exploration is not None and here.exploration.assignments > 3
    # Three streams of 12 examples each, not one.
    assert here.examples >= 3 * 12


def test_an_unreachable_scheduler_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from reports.cli import main  # noqa: PLC0415

    monkeypatch.setattr("sweep.cluster.CONNECT_SECONDS", 1)
    spec = tmp_path / "sweep.toml"
    spec.write_text(SPEC, encoding="utf-8")
    address = "tcp://127.0.0.1:1"
    out = tmp_path / "o"
    code = main(["sweep", str(spec), "--out", str(out), "--scheduler", address, "--quiet"])
    stderr = capsys.readouterr().err
    assert code == 2, stderr
    assert stderr.count("\n") == 1
    assert stderr.startswith(f"stratoverify: error: cannot reach the Dask scheduler at {address}")
    assert not (out / "sweep.json").exists()
