"""The isolation each kind of machine gets, and what the report claims there.

- As root of the machine: bubblewrap with a uid of the sandbox's own; containment claimed.
- In a user namespace (a rootless container; here `unshare --user --map-root-user`): bubblewrap
  in a nested user namespace; everything but the own uid (and, where the namespace maps root of
  the machine, the process limit), so containment is not claimed, and the hostile-function
  suite still holds.
- With no bubblewrap (forced here): a plain process; the report names every missing component.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from executor.sandbox.isolation import COMPONENTS

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json; from executor.sandbox.isolation import probe; i, _ = probe(); "
    "print(json.dumps({**i.to_json(), 'description': i.describe()}))"
)


def probe_in(prefix: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    """The isolation a fresh interpreter probes, started behind `prefix`."""
    completed = subprocess.run(
        [*prefix, sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def can_unshare_user() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    done = subprocess.run(
        [unshare, "--user", "--map-root-user", "true"], capture_output=True, check=False
    )
    return done.returncode == 0


def test_this_machine_gets_what_it_can() -> None:
    """Root with bubblewrap: contained. Otherwise the report says which components are missing."""
    isolation = probe_in([])
    if os.geteuid() == 0 and shutil.which("bwrap"):
        assert isolation["mode"] == "bubblewrap-root"
        assert isolation["contained"] is True and isolation["missing"] == []
    else:
        assert isolation["contained"] is False and isolation["missing"]
        assert "not claimed" in str(isolation["description"])


def test_without_namespaces_nothing_is_claimed() -> None:
    isolation = probe_in([], {"STRATOVERIFY_SANDBOX": "process"})
    assert isolation["mode"] == "process"
    assert isolation["contained"] is False
    missing = isolation["missing"]
    assert isinstance(missing, list)
    assert {"pid-namespace", "network-namespace", "read-only-filesystem", "own-uid"} <= set(missing)
    assert set(missing) <= set(COMPONENTS)


def test_in_a_user_namespace_everything_but_the_uid() -> None:
    if not (shutil.which("bwrap") and can_unshare_user()):
        # The machine allows no user namespaces: the process mode above is what runs.
        assert probe_in([])["mode"] in ("bubblewrap-root", "process")
        return
    isolation = probe_in(["unshare", "--user", "--map-root-user"])
    assert isolation["mode"] == "bubblewrap-userns"
    # Root of the machine mapped into a user namespace: the sandbox is uid 0 outside, which no
    # process limit binds. A rootless container's user would miss only the own uid.
    expected = ["own-uid", "hard-limits"] if os.geteuid() == 0 else ["own-uid"]
    assert isolation["missing"] == expected
    assert isolation["contained"] is False


@pytest.mark.slow
def test_the_hostile_suite_holds_in_a_user_namespace() -> None:
    """The whole hostile-function suite, run by an executor that is root only of a user
    namespace (as in a rootless container)."""
    if not (shutil.which("bwrap") and can_unshare_user()):
        assert probe_in([])["mode"] in ("bubblewrap-root", "process")
        return
    completed = subprocess.run(
        [
            "unshare", "--user", "--map-root-user",
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
            str(Path(__file__).with_name("test_hostile_functions.py")),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )  # fmt: skip
    # pytest's exit code is 0 only when tests ran and every one passed.
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
