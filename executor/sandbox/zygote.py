"""The process that runs functions inside a sandbox: `python -I -S zygote.py --limits JSON`.

It runs no function code itself and imports only the standard library. Its seccomp filter
(`executor.sandbox.filter`) was installed by bubblewrap before it started, or, with no launcher,
is installed by itself from the compiled program it is given. For every call it forks a child that loads and runs the
function once, under hard limits, in a fresh working directory, with no descriptor but the pipe
its result goes back on; then it kills every other process of the sandbox, reaps them and wipes
the sandbox's writable directories before it answers. Every call therefore starts from the same
pristine process and the same empty directories: nothing one call does reaches another call.

In a PID namespace of its own this process is PID 1: the kernel drops signals its children send
it that it has no handler for, and `kill(-1)` reaches every process of the namespace but itself.
It speaks JSON lines on fds 0 and 1: first a hello with what it measured of its own isolation,
then one reply per request.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import json
import os
import resource
import select
import signal
import sys
import time
from typing import Any

_DEVNULL = open(os.devnull, "w")  # noqa: SIM115 - every call's stdout and stderr, made once
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
CALL_DIR = "call"
"""The working directory of the call in progress, under the sandbox's temp dir."""


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def harden_self() -> None:
    """No new privileges for this process or anything it starts, and not dumpable, so no child
    can attach to it or open its descriptors through /proc."""
    libc = _libc()
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    # Signals with no handler are dropped for a namespace's PID 1; Python's SIGINT handler is one.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def load_seccomp(program: bytes) -> str:
    """Install a compiled filter on this process (inherited by every child), where no launcher
    did; the reason if it can't."""
    libc = _libc()

    class SockFprog(ctypes.Structure):
        _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_char_p))

    prog = SockFprog(len(program) // 8, program)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        return f"no seccomp: prctl failed with errno {ctypes.get_errno()}"
    return ""


def _status_field(name: str) -> str:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(name + ":"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _can_write(directory: str) -> bool:
    probe = os.path.join(directory, f".probe-{os.getpid()}")
    try:
        fd = os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True


def process_limit_holds() -> bool:
    """Whether the kernel enforces a process limit here: a child limited to one process of its
    uid tries to fork (it does not for uid 0 of the machine, which a user namespace can map to)."""
    child = os.fork()
    if child == 0:
        try:
            resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))
            grandchild = os.fork()
        except OSError:
            os._exit(0)
        if grandchild == 0:
            os._exit(0)
        os.waitpid(grandchild, 0)
        os._exit(1)
    _, status = os.waitpid(child, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def measure(tmp: str, seccomp_problem: str) -> dict[str, Any]:
    """What this process can see and do, read from the kernel, not assumed from the launcher."""
    try:
        with open("/proc/self/net/dev", encoding="ascii") as dev:
            interfaces = sorted(line.split(":")[0].strip() for line in dev.readlines()[2:])
    except OSError:
        interfaces = []
    try:
        visible = sorted(int(entry) for entry in os.listdir("/proc") if entry.isdigit())
    except OSError:
        visible = []
    return {
        "pid": os.getpid(),
        "uid": os.getuid(),
        "gid": os.getgid(),
        "groups": sorted(os.getgroups()),
        "no_new_privs": _status_field("NoNewPrivs") == "1",
        "capabilities": _status_field("CapEff"),
        "seccomp": _status_field("Seccomp") == "2",
        "seccomp_problem": seccomp_problem,
        "network_interfaces": interfaces,
        "visible_processes": visible,
        "writable_root": _can_write("/"),
        "tmp": tmp,
        "tmp_writable": _can_write(tmp),
        "process_limit": process_limit_holds(),
    }


def wipe(directory: str) -> bool:
    """Empty `directory` (never the directory itself); False if something could not go."""
    clean = True
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return False
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                os.chmod(entry.path, 0o700)
                clean = wipe(entry.path) and clean
                os.rmdir(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            clean = False
    return clean


def set_hard_limits(limits: dict[str, int]) -> None:
    """The call's limits, hard, so the function cannot lift them (CPU: SIGXCPU, then SIGKILL)."""
    cpu = limits["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    for kind, key in (
        (resource.RLIMIT_AS, "memory_bytes"),
        (resource.RLIMIT_NPROC, "processes"),
        (resource.RLIMIT_FSIZE, "file_bytes"),
        (resource.RLIMIT_NOFILE, "open_files"),
    ):
        resource.setrlimit(kind, (limits[key], limits[key]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def load_function(request: dict[str, Any]) -> Any:
    """The callable a request names: from the source text it carries, or by module name."""
    name = request["name"]
    if request.get("source") is not None:
        namespace: dict[str, Any] = {"__name__": "function", "__file__": request["filename"]}
        exec(compile(request["source"], request["filename"], "exec"), namespace)
        function = namespace.get(name)
    else:
        function = getattr(importlib.import_module(request["module"]), name, None)
    if not callable(function):
        raise LookupError(
            f"{request.get('filename') or request['module']} has no callable named {name!r}"
        )
    return function


def serve_one(requests: int, result: int, limits: dict[str, Any], site: list[str]) -> None:
    """In the forked child: wait for the one request, run the function once, write one JSON
    line on `result`. Only `requests` and `result` stay open; fds 0-2 are /dev/null."""
    null = _DEVNULL.fileno()
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    keep = sorted({0, 1, 2, null, requests, result})
    ends = [*keep[1:], resource.getrlimit(resource.RLIMIT_NOFILE)[0]]
    for low, high in zip(keep, ends, strict=True):
        os.closerange(low + 1, high)
    sys.stdout = sys.stderr = _DEVNULL
    reply: dict[str, Any]
    try:
        set_hard_limits(limits)
        chunks = []
        while chunk := os.read(requests, 1 << 16):
            chunks.append(chunk)
        request = json.loads(b"".join(chunks))
        sys.path[:0] = [*request["sys_path"], *site]
        try:
            function = load_function(request)
        except BaseException as error:  # a hostile module may raise anything while loading
            reply = {"load_error": f"loading it raised {error.__class__.__name__}: {error}"[:500]}
        else:
            output = function(bytes.fromhex(request["input"]))
            if not isinstance(output, bytes):
                kind = type(output).__name__
                reply = {"error": f"TypeError: the function returned {kind}, not bytes"}
            elif 2 * len(output) + 4096 > limits["max_message_bytes"]:
                reply = {
                    "error": f"an output of {len(output)} bytes is over the "
                    f"{limits['max_message_bytes']}-byte message limit"
                }
            else:
                reply = {"output": output.hex()}
    except BaseException as error:
        reply = {"error": f"{error.__class__.__name__}: {error}"[:500]}
    data = json.dumps(reply).encode() + b"\n"
    view = memoryview(data)
    while view:
        view = view[os.write(result, view) :]
    os._exit(0)


class Spare:
    """The next call's process, forked from this pristine one before its request is known (so
    the fork costs no time on a call's path), waiting for its request on a pipe."""

    def __init__(self, limits: dict[str, Any], site: list[str], tmp: str) -> None:
        workdir = os.path.join(tmp, CALL_DIR)
        os.mkdir(workdir, 0o700)
        request_read, self.requests = os.pipe()
        self.results, result_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.close(self.requests)
                os.close(self.results)
                os.chdir(workdir)
                if not limits["isolated"]:
                    os.setpgid(0, 0)
                serve_one(request_read, result_write, limits, site)
            finally:
                os._exit(70)
        os.close(request_read)
        os.close(result_write)


def read_result(fd: int, deadline: float, limit: int) -> tuple[bytes | None, str]:
    """The child's one line, or None and why: 'timeout', 'oversize' or 'eof'."""
    data = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, "timeout"
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return None, "eof"
        data += chunk
        end = data.find(b"\n")
        if end >= 0:
            return bytes(data[:end]), ""
        if len(data) > limit:
            return None, "oversize"


def end_status(status: int) -> tuple[str, str]:
    if os.WIFSIGNALED(status):
        return "killed-by-signal", signal.Signals(os.WTERMSIG(status)).name
    return "exited", f"exit status {os.WEXITSTATUS(status)}"


def end_everything(child: int, isolated: bool) -> int | None:
    """Kill every process the call started and reap them; the child's status if it was reaped."""
    if isolated:
        # PID 1 of the namespace: -1 reaches every process of the namespace but this one.
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child, signal.SIGKILL)
    status = None
    while True:
        try:
            pid, code = os.waitpid(-1, 0)
        except ChildProcessError:
            return status
        if pid == child:
            status = code


def check_reply(line: bytes) -> dict[str, Any] | None:
    """The child's reply if it has one shape of the protocol; None otherwise."""
    try:
        reply = json.loads(line)
    except ValueError:
        return None
    if not isinstance(reply, dict) or len(reply) != 1:
        return None
    [(key, value)] = reply.items()
    if key not in ("output", "error", "load_error") or not isinstance(value, str):
        return None
    return reply


def call(spare: Spare, request: dict[str, Any], limits: dict[str, Any]) -> dict[str, Any]:
    """Hand `request` to the spare process and read its one result, under the call's limits."""
    data = json.dumps(request).encode()
    deadline = time.monotonic() + limits["wall_seconds"]
    try:
        view = memoryview(data)
        while view:  # the spare reads as this writes; it runs no function before it has it all
            view = view[os.write(spare.requests, view) :]
    except OSError:
        pass  # the spare is gone: its end is read below
    os.close(spare.requests)
    line, why = read_result(spare.results, deadline, limits["max_message_bytes"])
    os.close(spare.results)
    if line is not None:
        reply = check_reply(line)
        if reply is not None:
            return reply
        return {"fault": "garbage", "detail": "the function's process answered out of protocol"}
    if why == "timeout":
        return {"fault": "timeout", "detail": f"no result within {limits['wall_seconds']} s"}
    if why == "oversize":
        return {"fault": "oversize", "detail": f"a result over {limits['max_message_bytes']} bytes"}
    # The process closed its pipe without a result: how did it end?
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        pid, status = os.waitpid(spare.pid, os.WNOHANG)
        if pid:
            code, detail = end_status(status)
            return {"fault": code, "detail": detail}
        time.sleep(0.002)
    return {"fault": "exited", "detail": "closed its result pipe without a result"}


def clean_up(spare: Spare, limits: dict[str, Any], tmp: str) -> bool:
    """After a call: no process of it left, its files gone; False if something could not go."""
    end_everything(spare.pid, limits["isolated"])
    os.chdir(tmp)
    return all([wipe(directory) for directory in limits_dirs(limits, tmp)])


def limits_dirs(limits: dict[str, int], tmp: str) -> list[str]:
    return [tmp, *(d for d in ("/dev/shm",) if limits["isolated"] and os.path.isdir(d))]


def main() -> None:
    limits: dict[str, Any] = json.loads(sys.argv[1])
    site: list[str] = limits["site"]
    tmp: str = limits["tmp"]
    harden_self()
    seccomp_problem = ""
    if limits.get("seccomp_hex"):  # no launcher installed it (the process mode)
        seccomp_problem = load_seccomp(bytes.fromhex(limits["seccomp_hex"]))
    requests = os.fdopen(0, "rb")
    replies = os.fdopen(1, "wb")
    os.chdir(tmp)
    replies.write(json.dumps({"hello": measure(tmp, seccomp_problem)}).encode() + b"\n")
    replies.flush()
    # The shipped functions' modules are code of the tool: loaded here once, so no call imports
    # them (their functions are only defined here, never called).
    sys.path.insert(0, limits["root"])
    for name in limits["preload"]:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    del sys.path[0]
    # Collections in a call's process would touch (and so copy) every page it shares with this
    # one; frozen objects are never collected there.
    gc.freeze()
    spare = Spare(limits, site, tmp)
    clean = True
    for line in requests:
        request = json.loads(line)
        if not clean:
            # The last call left something that could not be removed: this sandbox answers no
            # more calls, and the node starts a new one for this call.
            replies.write(json.dumps({"unclean": True, "id": request.get("id")}).encode() + b"\n")
            replies.flush()
            return
        reply = call(spare, request, limits)
        reply["id"] = request.get("id")
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()
        # Before the next request is read: end the call's processes, wipe its files, fork the
        # next call's process from this one, which has still run no function code.
        clean = clean_up(spare, limits, tmp)
        if clean:
            spare = Spare(limits, site, tmp)


if __name__ == "__main__":
    main()
