"""Hostile functions, one per way out of a node the sandbox must close; each returns bytes when
its attack is done (or failed), so the round goes on and what the attack left can be checked."""

from __future__ import annotations

import builtins
import contextlib
import os
import resource
import signal
import socket
import sys
import threading
import time

SECRET_ENV = "STRATOVERIFY_TEST_SECRET"


def kill_everyone(data: bytes) -> bytes:
    """Signals its parent, its group, every pid it can name (-1) and pid 1."""
    for target in (os.getppid(), 1):
        for sig in (signal.SIGKILL, signal.SIGSTOP):
            with contextlib.suppress(OSError):
                os.kill(target, sig)
    with contextlib.suppress(OSError):
        os.killpg(0, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(-1, signal.SIGKILL)
    return b"survived"


def read_secrets(data: bytes) -> bytes:
    """Reads every process's environment and memory it can see, and the executor's env var."""
    found = [os.environ.get(SECRET_ENV, "")]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            for name in ("environ", "cmdline"):
                try:
                    with open(f"/proc/{entry}/{name}", "rb") as file:
                        found.append(file.read().decode(errors="replace"))
                except OSError:
                    pass
    return b"secret-seen" if any("hunter2-secret" in text for text in found) else b"nothing"


def write_other_pipes(data: bytes) -> bytes:
    """Writes a forged commit into every pipe of every process it can see."""
    line = b'{"commit": "' + b"00" * 32 + b'", "id": 1}\n'
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.open(f"/proc/{entry}/fd/{fd}", os.O_WRONLY | os.O_NONBLOCK)
                os.write(target, line)
                os.close(target)
            except OSError:
                pass
    return data


def patch_the_interpreter(data: bytes) -> bytes:
    """Changes what a later call in the same interpreter would inherit."""
    os.environ["INHERITED"] = "yes"
    os.umask(0o000)
    os.chdir("/")
    sys.path.insert(0, "/nonexistent-injected")
    builtins.INHERITED = True  # type: ignore[attr-defined]
    sys.modules["hashlib"] = None  # type: ignore[assignment]
    threading.Thread(target=lambda: time.sleep(3600), daemon=False).start()
    return data


def leave_children(data: bytes) -> bytes:
    """Starts children that leave its process group and session, and a listening socket."""
    for _ in range(3):
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                server = socket.socket()
                try:
                    server.bind(("127.0.0.1", 0))
                    server.listen()
                except OSError:
                    pass
                time.sleep(3600)
            os._exit(0)
    return data


def fork_flood(data: bytes) -> bytes:
    """Forks until it cannot, each child sleeping."""
    count = 0
    for _ in range(10_000):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(3600)
            os._exit(0)
        count += 1
    return str(count).encode()


def exhaust_descriptors(data: bytes) -> bytes:
    """Opens descriptors until it cannot, and leaves them open."""
    hoard = []
    try:
        while True:
            hoard.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        pass
    return str(len(hoard)).encode()


def write_everywhere(data: bytes) -> bytes:
    """Writes a big file in the temp dir, and files into the checkout, /tmp and the root."""
    written = []
    for path in ("/tmp/hostile-big", os.path.join(os.path.dirname(__file__), "hostile-drop")):
        try:
            with open(path, "wb") as file:
                for _ in range(200):
                    file.write(b"x" * (1 << 20))
            written.append(path)
        except OSError:
            pass
    return ",".join(written).encode()


def lift_limits(data: bytes) -> bytes:
    """Raises its CPU limit, then spins."""

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    while True:
        pass


def reach_the_network(data: bytes) -> bytes:
    """Connects out."""
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=0.5).close()
    except OSError:
        return b"offline"
    return b"online"


def freeze_in_cgroup(data: bytes) -> bytes:
    """Puts its parent (and every pid it sees) into a frozen cgroup, where SIGKILL cannot end it."""
    frozen = []
    for root in ("/sys/fs/cgroup/freezer", "/sys/fs/cgroup"):
        group = os.path.join(root, "hostile-freeze")
        try:
            os.makedirs(group, exist_ok=True)
            for pid in (os.getppid(), 1):
                with open(os.path.join(group, "cgroup.procs"), "w") as procs:
                    procs.write(str(pid))
            for name, value in (("freezer.state", "FROZEN"), ("cgroup.freeze", "1")):
                with contextlib.suppress(OSError), open(os.path.join(group, name), "w") as knob:
                    knob.write(value)
            frozen.append(group)
        except OSError:
            continue
    return ",".join(frozen).encode() or b"nothing frozen"


def memory_children(data: bytes) -> bytes:
    """Children that each take memory just under the address-space limit, all at once."""
    pids = []
    for _ in range(4):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                hoard = bytearray(96 * 1024 * 1024)
                hoard[::4096] = b"x" * len(hoard[::4096])
            except MemoryError:
                os._exit(1)
            time.sleep(3600)
            os._exit(0)
        pids.append(pid)
    time.sleep(0.2)
    return str(len(pids)).encode()


def probe(data: bytes) -> bytes:
    """What a call inherits: environment, umask, cwd, path, builtins, modules, threads, files,
    processes it can see, descriptors."""
    umask = os.umask(0o022)
    report = {
        "env": os.environ.get("INHERITED", ""),
        "umask": umask,
        "cwd_is_root": os.getcwd() == "/",
        "injected_path": "/nonexistent-injected" in sys.path,
        "builtin": hasattr(builtins, "INHERITED"),
        "hashlib_patched": sys.modules.get("hashlib", 0) is None,
        "threads": threading.active_count(),
        "tmp_files": sorted(os.listdir(os.environ.get("TMPDIR", "/tmp"))),
        "processes": sum(1 for p in os.listdir("/proc") if p.isdigit()),
    }
    return repr(sorted(report.items())).encode()
