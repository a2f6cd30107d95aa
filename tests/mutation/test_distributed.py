"""A mutation campaign on a Dask cluster gives the report it gives in one process.

Two cheap mutants (M02, killed by Z3 alone, and M30, the catalogued equivalent) run with
`--workers 0` and `--workers 2`; the reports must be the same byte for byte once the measured
seconds (the summary's and each result's, the only fields that depend on the clock) are left
out. An unreachable scheduler is exit 2 with one line.
"""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from mutation.__main__ import main
from mutation.distributed import CheckSettings, task_name
from mutation.harness import REPO_ROOT
from mutation.mechanical import SourceCache, find_points, make_mutant

CHEAP = ["--engines", "z3"]
MUTANTS = ["M30", "M02"]
"""Out of catalogue order on purpose: the report keeps the order asked for."""
DECAY_BELOW_ZERO = "model/arith.py:NumberReplacer:3"
UNION_BROKEN = "model/chain/actions.py:ReplaceBinaryOperator_BitOr_LShift:5"


def without_seconds(document: dict[str, Any]) -> str:
    """The report as text, without the fields that measure time."""
    summary = {key: value for key, value in document["summary"].items() if key != "seconds"}
    results = [
        {key: value for key, value in result.items() if key != "seconds"}
        for result in document["results"]
    ]
    return json.dumps({"summary": summary, "results": results}, indent=2)


def run(tmp_path: Path, *options: str) -> tuple[int, list[str], dict[str, Any]]:
    report = tmp_path / f"report{'-'.join(options)}.json"
    out = io.StringIO()
    code = main(["--only", *MUTANTS, *CHEAP, *options, "--out", str(report)], stdout=out)
    return code, out.getvalue().splitlines(), json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_same_report_in_this_process_and_on_two_workers(tmp_path: Path) -> None:
    code, lines, alone = run(tmp_path, "--workers", "0")
    assert code == 0
    assert lines[0] == "2 mutants on this process"
    assert sorted(line.split()[1] for line in lines[1:3]) == ["M02", "M30"]
    assert all(line.endswith("on worker main") for line in lines[1:3])
    code, lines, shared = run(tmp_path, "--workers", "2")
    assert code == 0
    assert lines[0] == "2 mutants on a local Dask cluster of 2 workers"
    assert {line.rsplit(" ", 1)[-1] for line in lines[1:3]} <= {"0", "1"}
    assert [result["mutant_id"] for result in shared["results"]] == MUTANTS
    assert [result["outcome"] for result in shared["results"]] == ["survived", "killed"]
    assert shared["summary"]["killed"] == 1 and shared["summary"]["equivalent"] == 1
    assert without_seconds(shared) == without_seconds(alone)
    summary = json.loads(lines[-1])
    assert summary == shared["summary"] and "workers" not in json.dumps(shared)


def test_unreachable_scheduler__exit_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mutation.__main__ import main  # noqa: PLC0415

    monkeypatch.setattr("sweep.cluster.CONNECT_SECONDS", 1)  # Dask's own wait is 20 s
    code = main(["--scheduler", "tcp://127.0.0.1:1", "--only", "M02", *CHEAP], stdout=io.StringIO())
    stderr = capsys.readouterr().err
    assert code == 2
    assert stderr.count("\n") == 1
    assert stderr.startswith(
        "python -m mutation: error: cannot reach the Dask scheduler at tcp://127.0.0.1:1: "
    )


@pytest.mark.parametrize(
    "options",
    [
        ["--jobs", "2", "--workers", "2"],
        ["--jobs", "1", "--scheduler", "tcp://127.0.0.1:8786"],
        ["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"],
        ["--workers", "-1"],
    ],
)
def test_invalid_placement(options: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--only", "M02", *options])
    assert raised.value.code == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.slow
def test_mechanical_mutants_as_tasks_in_order(tmp_path: Path) -> None:
    """The broken import is settled by its task, the kill by the check; the report keeps order."""
    report = tmp_path / "mechanical.json"
    out = io.StringIO()
    only = [UNION_BROKEN, DECAY_BELOW_ZERO]
    arguments = ["--mechanical", "--only", *only, *CHEAP, "--workers", "0", "--out", str(report)]
    assert main(arguments, stdout=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("0 passed over) on this process")
    assert lines[1].startswith("UNMUTATED   passes")
    assert all(line.endswith("on worker main") for line in lines[2:4])
    document = json.loads(report.read_text(encoding="utf-8"))
    assert [result["id"] for result in document["results"]] == only
    assert [result["outcome"] for result in document["results"]] == ["incompetent", "killed"]
    assert "jobs" not in document["summary"]


def test_task_arguments_survive_pickling_and_name_their_tasks() -> None:
    """What a worker receives is what was sent; equal campaigns share keys, others never do."""
    (point,) = find_points([DECAY_BELOW_ZERO], REPO_ROOT)
    sources = SourceCache(REPO_ROOT)
    mutant = make_mutant(point, sources[point.file], index=sources.index)
    settings = CheckSettings(REPO_ROOT, "quick", 0, ("z3",), 60.0)
    copy = pickle.loads(pickle.dumps((mutant, settings)))
    assert copy == (mutant, settings) and copy[0].source == mutant.source
    assert task_name("mechanical", [(mutant, settings)]) == task_name(
        "mechanical", [(copy[0], copy[1])]
    )
    other = CheckSettings(REPO_ROOT, "quick", 1, ("z3",), 60.0)
    assert task_name("mechanical", [(mutant, settings)]) != task_name(
        "mechanical", [(mutant, other)]
    )
