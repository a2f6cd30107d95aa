"""Node processes: spawned isolated, spoken to over pipes, always under a deadline, killed whole.

Each node is `python -I executor/node_main.py` in its own process group, with stderr discarded;
it runs its functions in a sandbox of its own (`executor.sandbox`), in the mode probed once per
executor process, whose calls are bound by the pool's `Limits`. `exchange` sends one request to each of several nodes and collects every reply within one
wall-clock deadline, reading and writing without ever blocking; a node that crashes, hangs,
writes garbage or floods the pipe comes back as a `Fault` value, and its whole process group is
killed. The executor never waits on a node without a deadline and never lets an error escape.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import selectors
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

from attrs import frozen

from executor import wire
from executor.sandbox.client import become_subreaper, get_processes, reap_orphans
from executor.sandbox.filter import PROGRAM_VARIABLE, get_program
from executor.sandbox.isolation import probe
from executor.sandbox.launch import SITE_VARIABLE, SandboxLimits, get_site_paths
from executor.wire import Message

NODE_MAIN = Path(__file__).resolve().parent / "node_main.py"


@frozen
class Limits:
    """What one node may use: wall seconds per request; and each call of its function: CPU
    seconds, address space, processes, file size, open files and temp-dir bytes (hard limits)."""

    wall_seconds: float = 2.0
    cpu_seconds: int = 2
    memory_bytes: int = 512 * 1024 * 1024
    processes: int = 32
    file_bytes: int = 32 * 1024 * 1024
    open_files: int = 256
    tmp_bytes: int = 64 * 1024 * 1024

    def sandbox(self) -> SandboxLimits:
        """The limits of one call; its wall time leaves a quarter of the request's for the
        sandbox to clean up and the node to answer, so the executor hears the fault first."""
        return SandboxLimits(
            cpu_seconds=self.cpu_seconds,
            wall_seconds=round(self.wall_seconds * 0.75, 3),
            memory_bytes=self.memory_bytes,
            processes=self.processes,
            file_bytes=self.file_bytes,
            open_files=self.open_files,
            tmp_bytes=self.tmp_bytes,
        )


@frozen
class Fault:
    """A node that did not answer a request with a message: why, as a named code."""

    code: str
    """`timeout`, `exited`, `killed-by-signal`, `garbage`, `oversize`, `broken-pipe`, `spawn`,
    `sandbox`."""
    detail: str = ""
    in_function: bool = False
    """The node's function failed as a process, in its sandbox; the node itself answered, and
    the sandbox has already removed everything of the call, so the node is kept."""


Reply = Message | Fault

RESYNCABLE = frozenset({"garbage", "oversize"})
"""Faults of a node that lives on: it is read clean and kept, not replaced (a new node and its
sandbox cost a start-up; a garbled line does not say the process is broken)."""
BOOT_SECONDS = 30.0
"""How long a new node may take to start with its sandbox (a loaded machine, a cold cache)."""
_SPAWNED_GROUPS: list[int] = []
"""Every node process group this interpreter started, in order."""
_GROUP_STARTS: dict[int, str] = {}
"""When each group's leader started (clock ticks since boot, /proc), to tell our group from a
later process that was given the same number once our group was gone."""


def _start_time(pid: int) -> str | None:
    """The start time of process `pid` (field 22 of /proc/PID/stat); None if there is none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[19] if len(fields) > 19 else None


_OPEN_POOLS: weakref.WeakSet[NodePool] = weakref.WeakSet()


def _running_groups() -> set[int]:
    """The process group of every process on the machine that is not a zombie."""
    return {process.group for process in get_processes() if process.state not in ("Z", "X")}


def get_live_groups() -> list[int]:
    """Process groups started here with a running process left in them (should be none after
    use). A zombie does not count: a killed node's sandbox launcher may wait a moment for the
    machine's init to reap it."""
    live = []
    running = _running_groups()
    for pgid in _SPAWNED_GROUPS:
        leader = _start_time(pgid)
        if leader is not None and leader != _GROUP_STARTS.get(pgid, leader):
            # The number is another process's now: Linux hands out a process id only once no
            # group is left under it, so ours is gone (another test worker's node got it).
            continue
        if pgid in running:
            live.append(pgid)
    return live


@atexit.register
def _close_open_pools() -> None:
    # A caller that forgot to close its pool still leaves no node behind.
    for pool in list(_OPEN_POOLS):
        pool.close()


class _Process:
    """One live node process and the bytes in flight to and from it."""

    def __init__(self, limits: Limits, sandbox_mode: str, paths: tuple[str, ...]) -> None:
        command = [
            sys.executable,
            "-I",
            "-S",
            str(NODE_MAIN),
            "--sandbox",
            sandbox_mode,
            "--limits",
            json.dumps(limits.sandbox()._asdict(), sort_keys=True),
            "--paths",
            json.dumps(list(paths)),
        ]
        self.popen = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            process_group=0,
            close_fds=True,
            env={
                "PATH": os.environ.get("PATH", ""),
                "LC_ALL": "C.UTF-8",
                SITE_VARIABLE: os.pathsep.join(get_site_paths()),
                PROGRAM_VARIABLE: (get_program() or b"").hex(),
            },
        )
        assert self.popen.stdin is not None and self.popen.stdout is not None
        self.stdin_fd = self.popen.stdin.fileno()
        self.stdout_fd = self.popen.stdout.fileno()
        os.set_blocking(self.stdin_fd, False)
        os.set_blocking(self.stdout_fd, False)
        self.outgoing = b""
        self.incoming = bytearray()
        self.ready = False
        """Whether the node has answered its first ping (its sandbox booted)."""
        self.resync = False
        """Whether it wrote outside the protocol and must read clean before its next request."""
        self.request_id = 0
        """The id of the request in flight: its reply must carry it."""
        self.op = ""

    def drain(self) -> Fault | None:
        """Read whatever the node wrote since its last reply: nothing, for a node that follows
        the protocol. Bytes outside a reply (a thread left writing, a forged or extra line) are
        a fault of the node, and are never read as the next request's reply."""
        stale = 0
        while True:
            try:
                chunk = os.read(self.stdout_fd, 1 << 16)
            except BlockingIOError:
                break
            except OSError as error:
                return Fault("exited", f"its pipe failed ({error.strerror or error})")
            if not chunk:
                return self.exit_fault()
            stale += len(chunk)
        return Fault("garbage", f"{stale} bytes outside a reply") if stale else None

    @property
    def pgid(self) -> int:
        return self.popen.pid

    def exit_fault(self) -> Fault:
        """Why the process stopped answering, once its pipe closed."""
        try:
            code = self.popen.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return Fault("exited", "closed its pipe but kept running")
        if code < 0:
            return Fault("killed-by-signal", signal.Signals(-code).name)
        return Fault("exited", f"exit status {code}")

    def kill(self) -> None:
        """Kill the node's whole process group and reap the node and what it left."""
        # Children the executor had before (other pools' nodes, helpers of the test runner...)
        # are not this node's: only the orphans its death hands over are waited for.
        before = {
            process.pid
            for process in get_processes()
            if process.parent == os.getpid() and process.pid != self.popen.pid
        }
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pgid, signal.SIGKILL)
        for stream in (self.popen.stdin, self.popen.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL cannot be ignored
            self.popen.wait(timeout=5.0)
        # The node's sandbox launcher and zygote come back to the executor (a subreaper) once
        # the node is gone; reap them.
        reap_orphans(before, seconds=1.0)


class NodePool:
    """Node processes by node id: persistent across rounds, or fresh for every round."""

    def __init__(
        self, limits: Limits | None = None, *, persistent: bool = True, paths: tuple[str, ...] = ()
    ) -> None:
        self.limits = limits or Limits()
        self.persistent = persistent
        become_subreaper()
        self.isolation, self.sandbox_mode = probe()
        self.paths = paths
        """What the nodes' sandboxes bind read-only: where functions are imported from."""
        """Where functions run on this machine (`executor.sandbox.isolation`)."""
        self._processes: dict[str, _Process] = {}
        self._next_id = 0
        self.spawned_groups: list[int] = []
        """Every process group ever started, so a test can check that none is left."""
        self.spawn_count = 0
        _OPEN_POOLS.add(self)

    def __enter__(self) -> NodePool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _process(self, node: str) -> _Process | Fault:
        process = self._processes.get(node)
        if process is not None and process.popen.poll() is None:
            return process
        if process is not None:
            process.kill()
        try:
            process = _Process(self.limits, self.sandbox_mode, self.paths)
        except OSError as error:
            return Fault("spawn", str(error))
        self._processes[node] = process
        self.spawned_groups.append(process.pgid)
        _SPAWNED_GROUPS.append(process.pgid)
        _GROUP_STARTS[process.pgid] = _start_time(process.pgid) or ""
        self.spawn_count += 1
        return process

    def discard(self, node: str) -> None:
        """Kill a node's process (it misbehaved); a persistent pool starts its replacement at
        once, so it boots while the round goes on."""
        self._kill(node)
        if self.persistent:
            self._process(node)

    def _kill(self, node: str) -> None:
        process = self._processes.pop(node, None)
        if process is not None:
            process.kill()

    def end_round(self) -> None:
        """After a round: one-process-per-call pools kill every node; persistent pools keep them."""
        if not self.persistent:
            self.close()

    def close(self) -> None:
        """Kill every node process."""
        for node in list(self._processes):
            self._kill(node)

    def exchange(self, requests: dict[str, Message]) -> dict[str, Reply]:
        """Send each node its request and gather every reply within one wall-clock deadline."""
        replies: dict[str, Reply] = {}
        live: dict[str, _Process] = {}
        # A new node boots its sandbox first, under a start-up deadline, so that a slow start
        # never counts against a round's wall-clock limits.
        booting: dict[str, _Process] = {}
        for node in requests:
            process = self._process(node)
            if not isinstance(process, Fault) and process.resync and not self._resync(process):
                self.discard(node)
                process = self._process(node)
            if isinstance(process, Fault):
                replies[node] = process
            elif not process.ready:
                booting[node] = process
        for node, booted in self._pump(booting, op="ping", seconds=BOOT_SECONDS).items():
            if isinstance(booted, Fault):
                replies[node] = booted
            else:
                booting[node].ready = True
        for node, request in requests.items():
            if node in replies:
                continue
            process = self._processes[node]
            stale = process.drain()
            if stale is not None:
                replies[node] = stale
                continue
            # Every request carries a fresh id; a reply is taken only with that id.
            self._next_id += 1
            process.request_id, process.op = self._next_id, str(request.get("op", ""))
            process.outgoing = wire.encode_message({**request, "id": self._next_id})
            process.incoming = bytearray()
            live[node] = process
        replies.update(self._pump(live))
        for node, reply in replies.items():
            if isinstance(reply, Fault) and not reply.in_function:
                self._after_fault(node, reply)
        return replies

    def _after_fault(self, node: str, fault: Fault) -> None:
        """A node that wrote bytes outside the protocol but lives must read clean before its
        next request (`_resync`), or is replaced then; any other faulty node is replaced now."""
        alive = self._processes.get(node)
        if fault.code in RESYNCABLE and alive is not None and alive.popen.poll() is None:
            alive.resync = True
        else:
            self.discard(node)

    def _resync(self, process: _Process) -> bool:
        """Read away what a node wrote outside the protocol, then ask it for a ping: True if it
        answers that ping (with its id) within the wall-clock limit and nothing after it."""
        process.resync = False
        self._next_id += 1
        ping_id = self._next_id
        outgoing = wire.encode_message({"op": "ping", "id": ping_id})
        deadline = time.monotonic() + self.limits.wall_seconds
        pending = bytearray()
        budget = 4 * wire.MAX_MESSAGE_BYTES
        while time.monotonic() < deadline and budget > 0:
            writing = [process.stdin_fd] if outgoing else []
            readable, writable, _ = select.select(
                [process.stdout_fd], writing, [], max(deadline - time.monotonic(), 0)
            )
            try:
                if writable:
                    outgoing = outgoing[os.write(process.stdin_fd, outgoing) :]
                if not readable:
                    continue
                chunk = os.read(process.stdout_fd, 1 << 16)
            except BlockingIOError:
                continue
            except OSError:
                return False
            if not chunk:
                return False
            budget -= len(chunk)
            pending += chunk
            *lines, rest = bytes(pending).split(b"\n")
            pending = bytearray(rest)
            for line in lines:
                try:
                    message = wire.decode_message(line)
                except wire.WireError:
                    continue
                if message.get("id") == ping_id and "pong" in message:
                    return not pending and not outgoing
        return False

    def _pump(
        self, live: dict[str, _Process], *, op: str = "", seconds: float | None = None
    ) -> dict[str, Reply]:
        """Write every request and read every reply, never blocking, until the deadline; with
        `op`, each process is sent that request first (a fresh id)."""
        for process in live.values() if op else ():
            self._next_id += 1
            process.request_id, process.op = self._next_id, op
            process.outgoing = wire.encode_message({"op": op, "id": self._next_id})
            process.incoming = bytearray()
        wall = self.limits.wall_seconds if seconds is None else seconds
        replies: dict[str, Reply] = {}
        deadline = time.monotonic() + wall
        with selectors.DefaultSelector() as selector:
            for node, process in live.items():
                selector.register(process.stdin_fd, selectors.EVENT_WRITE, (node, "w"))
                selector.register(process.stdout_fd, selectors.EVENT_READ, (node, "r"))
            pending = set(live)
            while pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                for key, _ in selector.select(remaining):
                    node, direction = key.data
                    if node not in pending:
                        continue
                    process = live[node]
                    writing = direction == "w"
                    outcome = self._write(process) if writing else self._read(process)
                    if outcome is None:
                        if writing and not process.outgoing:
                            selector.unregister(process.stdin_fd)
                        continue
                    replies[node] = outcome
                    pending.discard(node)
                    for fd in (process.stdin_fd, process.stdout_fd):
                        if fd in selector.get_map():
                            selector.unregister(fd)
        for node in sorted(pending):
            replies[node] = Fault("timeout", f"no reply within {wall} s")
        return replies

    @staticmethod
    def _write(process: _Process) -> Reply | None:
        try:
            written = os.write(process.stdin_fd, process.outgoing)
        except BlockingIOError:
            return None
        except (BrokenPipeError, ConnectionResetError):
            return process.exit_fault()
        process.outgoing = process.outgoing[written:]
        return None

    @staticmethod
    def _read(process: _Process) -> Reply | None:
        try:
            chunk = os.read(process.stdout_fd, 1 << 16)
        except BlockingIOError:
            return None
        if not chunk:
            return process.exit_fault()
        process.incoming += chunk
        end = process.incoming.find(b"\n")
        if end < 0:
            if len(process.incoming) > wire.MAX_MESSAGE_BYTES:
                return Fault("oversize", f"a line longer than {wire.MAX_MESSAGE_BYTES} bytes")
            return None
        if end > wire.MAX_MESSAGE_BYTES:
            return Fault("oversize", f"a line longer than {wire.MAX_MESSAGE_BYTES} bytes")
        if end + 1 != len(process.incoming):
            return Fault("garbage", "bytes after the reply")
        try:
            message = wire.decode_message(bytes(process.incoming[:end]))
            reply = wire.check_reply(process.op, process.request_id, message)
        except wire.WireError as error:
            return Fault("garbage", str(error))
        if "fault" in reply:
            # The function's process failed; the node is thrown away with its sandbox.
            return Fault(reply["fault"], reply["detail"], in_function=True)
        return reply
