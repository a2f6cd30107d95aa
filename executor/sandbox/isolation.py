"""Which isolation a function gets on this machine: probed once, measured inside, reported.

Containment of a hostile function is claimed only when every component below was measured in
the sandbox itself; otherwise the report names what is missing.
"""

from __future__ import annotations

import functools
import os

from attrs import frozen

from executor.sandbox.client import Sandbox, SandboxError
from executor.sandbox.launch import SANDBOX_UID_BASE, SandboxLimits, get_candidate_modes

COMPONENTS = (
    "own-process",
    "pid-namespace",
    "network-namespace",
    "read-only-filesystem",
    "private-temp-dir",
    "own-uid",
    "no-new-privileges",
    "no-capabilities",
    "seccomp",
    "hard-limits",
)
"""What containment needs, each read from the zygote's own measurement."""


@frozen
class Isolation:
    """The sandbox mode that started here and the components it was measured to have."""

    mode: str
    components: tuple[tuple[str, bool], ...]
    problems: tuple[str, ...] = ()
    """Why better modes did not start, one line each."""

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(name for name, present in self.components if not present)

    @property
    def contained(self) -> bool:
        """A hostile function is contained: every component is there."""
        return not self.missing

    def describe(self) -> str:
        if self.contained:
            return f"{self.mode}: a hostile function is contained ({', '.join(COMPONENTS)})"
        return (
            f"{self.mode}: hostile-function containment is not claimed "
            f"(missing: {', '.join(self.missing)})"
        )

    def to_json(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "contained": self.contained,
            "missing": list(self.missing),
        }


def judge(mode: str, measured: dict[str, object]) -> tuple[tuple[str, bool], ...]:
    """Each component, present or not, from what the zygote measured."""
    isolated = mode != "process"
    present = {
        "own-process": True,
        "pid-namespace": measured.get("pid") == 1,
        "network-namespace": measured.get("network_interfaces") == ["lo"],
        "read-only-filesystem": isolated and measured.get("writable_root") is False,
        "private-temp-dir": isolated and measured.get("tmp_writable") is True,
        # A uid of its own outside the sandbox too: only setpriv, as root, can give one (a user
        # namespace maps the executor's own uid to whatever uid it shows inside).
        "own-uid": mode == "bubblewrap-root" and measured.get("uid") not in (0, os.getuid()),
        "no-new-privileges": measured.get("no_new_privs") is True,
        "no-capabilities": measured.get("capabilities") == "0000000000000000",
        "seccomp": measured.get("seccomp") is True,
        # CPU, memory, file and descriptor limits hold for anyone; a process limit does not
        # for uid 0 of the machine (what a user namespace of root maps the sandbox to).
        "hard-limits": measured.get("process_limit") is True,
    }
    return tuple((name, present[name]) for name in COMPONENTS)


@functools.cache
def probe() -> tuple[Isolation, str]:
    """The best mode that starts here, and its isolation (cached for this process)."""
    problems: list[str] = []
    for mode in get_candidate_modes():
        try:
            sandbox = Sandbox(
                mode,
                SandboxLimits(),
                paths=(),
                uid=SANDBOX_UID_BASE + os.getpid(),
                max_message_bytes=1 << 20,
            )
            measured = sandbox.measured
        except SandboxError as error:
            problems.append(f"{mode}: {error}")
            continue
        sandbox.close()
        return Isolation(mode, judge(mode, measured), tuple(problems)), mode
    raise SandboxError("no sandbox mode starts here: " + "; ".join(problems))
