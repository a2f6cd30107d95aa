"""The node's side of its sandbox: start a zygote, send it calls, throw it away.

A node process (`executor.worker`) keeps one sandbox per app it serves and never reuses one
across apps. The sandbox's replies are read under a deadline; a sandbox that dies, stalls or
answers out of protocol raises `SandboxError`, and the node discards it and starts another.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from executor.sandbox.filter import get_program
from executor.sandbox.launch import SandboxLimits, get_command

START_SECONDS = 20.0
"""How long a zygote may take to start and say hello (a loaded machine, a cold disk cache)."""
REPLY_MARGIN_SECONDS = 2.0
"""Beyond the call's wall limit, for the zygote to kill, reap and wipe before it answers."""


PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphans of this process's subtree come back to it (not to the machine's init, which in a
    container may never reap them), so whoever kills a sandbox can also reap what was in it."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_orphans(keep: Iterable[int] = (), *, seconds: float = 0.0) -> None:
    """Reap this process's zombie children but those in `keep` (children a Popen still waits
    for), polling for up to `seconds` while killed ones are still on their way out."""
    me, kept = os.getpid(), set(keep)
    deadline = time.monotonic() + seconds
    while True:
        waiting = False
        for process in get_processes():
            if process.parent != me or process.pid in kept:
                continue
            if process.state == "Z":
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(process.pid, os.WNOHANG)
            else:
                waiting = True
        if not waiting or time.monotonic() >= deadline:
            return
        time.sleep(0.01)


class ProcessState(NamedTuple):
    """One process as /proc/PID/stat shows it."""

    pid: int
    state: str
    parent: int
    group: int


def get_processes() -> Iterator[ProcessState]:
    """Every process this one can see (one that ends while it is read is left out)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            yield ProcessState(int(entry), fields[0], int(fields[1]), int(fields[2]))


class SandboxError(Exception):
    """The sandbox could not start, died, stalled or answered out of protocol."""


class UncleanError(SandboxError):
    """The sandbox refused a call: an earlier call left something it could not remove."""


class Sandbox:
    """One zygote and the sandbox around it."""

    def __init__(
        self,
        mode: str,
        limits: SandboxLimits,
        *,
        paths: tuple[str, ...],
        uid: int,
        max_message_bytes: int,
    ) -> None:
        self.mode, self.limits, self.max_message_bytes = mode, limits, max_message_bytes
        self.host_tmp = (
            tempfile.mkdtemp(prefix="stratoverify-function-") if mode == "process" else ""
        )
        self._buffer = bytearray()
        self._next_id = 0
        program = get_program() if mode != "process" else None
        filter_read = -1
        try:
            if program is not None:
                # bubblewrap reads the compiled filter whole from a pipe it inherits.
                filter_read, filter_write = os.pipe()
                os.write(filter_write, program)
                os.close(filter_write)
            command = get_command(
                mode,
                limits,
                paths=paths,
                uid=uid,
                tmp=self.host_tmp,
                max_message_bytes=max_message_bytes,
                seccomp_fd=filter_read if filter_read >= 0 else None,
            )
            self.popen = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                close_fds=True,
                pass_fds=() if filter_read < 0 else (filter_read,),
                start_new_session=mode == "process",
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"},
            )
        except OSError as error:
            self._remove_tmp()
            raise SandboxError(f"could not start the sandbox: {error}") from None
        finally:
            if filter_read >= 0:
                os.close(filter_read)
        assert self.popen.stdin is not None and self.popen.stdout is not None
        self.stdin, self.stdout_fd = self.popen.stdin, self.popen.stdout.fileno()
        self._measured: dict[str, Any] | None = None

    @property
    def measured(self) -> dict[str, Any]:
        """What the zygote measured of its isolation, from its hello (waited for on first use,
        so a sandbox boots while its node does other work)."""
        if self._measured is None:
            try:
                hello = self._read_line(time.monotonic() + START_SECONDS)["hello"]
            except (SandboxError, KeyError, TypeError) as error:
                self.close()
                raise SandboxError(f"the {self.mode} sandbox did not start: {error}") from None
            if not isinstance(hello, dict):
                self.close()
                raise SandboxError(f"the {self.mode} sandbox did not start: a bad hello")
            self._measured = hello
        return self._measured

    def _read_line(self, deadline: float) -> dict[str, Any]:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                try:
                    message = json.loads(line)
                except ValueError:
                    raise SandboxError("the zygote wrote a line that is not JSON") from None
                if not isinstance(message, dict):
                    raise SandboxError("the zygote wrote a line that is not an object")
                return message
            if len(self._buffer) > 2 * self.max_message_bytes:
                raise SandboxError("the zygote wrote an oversize line")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SandboxError("the zygote did not answer in time")
            ready, _, _ = select.select([self.stdout_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.stdout_fd, 1 << 16)
            if not chunk:
                raise SandboxError("the zygote ended")
            self._buffer += chunk

    def call(self, request: dict[str, Any]) -> dict[str, Any]:
        """One call's reply: `output`, `error`, `load_error`, or a `fault` of the call's process."""
        _ = self.measured
        self._next_id += 1
        try:
            self.stdin.write(json.dumps({**request, "id": self._next_id}).encode() + b"\n")
            self.stdin.flush()
        except OSError as error:
            raise SandboxError(f"the zygote's pipe failed: {error}") from None
        deadline = time.monotonic() + self.limits.wall_seconds + REPLY_MARGIN_SECONDS
        reply = self._read_line(deadline)
        if reply.pop("id", None) != self._next_id:
            raise SandboxError("the zygote answered another request")
        if reply.get("unclean"):
            # The last call left what could not be wiped; this sandbox is done, and the call
            # goes to a new one (`Unclean`), never to a sandbox another call has touched.
            self.close()
            raise UncleanError
        return reply

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def close(self) -> None:
        """Kill the sandbox and everything in it (its PID namespace ends with its first process)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self.mode == "process":
                os.killpg(self.popen.pid, signal.SIGKILL)
            else:
                self.popen.kill()
        for stream in (self.popen.stdin, self.popen.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5.0)
        # The zygote was the launcher's child; it comes back to this process (a subreaper).
        reap_orphans(seconds=1.0)
        self._remove_tmp()

    def _remove_tmp(self) -> None:
        if self.host_tmp:
            shutil.rmtree(self.host_tmp, ignore_errors=True)
