"""How a sandbox starts on this machine, and what isolation it gives: probed, then reported.

Three modes, tried in this order:
- `bubblewrap-root`: the executor is root in the machine's own user namespace. bubblewrap
  (Debian's `bubblewrap`) makes PID, network, IPC, UTS and mount namespaces, binds the system, the
  Python install and the function's paths read-only, gives a private tmpfs for /tmp and /dev/shm,
  and util-linux's `setpriv` drops to a uid of the sandbox's own (no groups, no capabilities, no
  new privileges) before the zygote starts.
- `bubblewrap-userns`: not root, or root only inside a user namespace (a rootless container):
  the same, in an unprivileged user namespace, with the executor's own uid outside it.
- `process`: no bubblewrap or no namespaces: the zygote is a plain child process with hard limits
  and its own temp dir. A hostile function is not contained there, and the report says so.

The zygote measures its own isolation from the kernel at start (`zygote.measure`), so what the
report says is what ran, not what the launcher meant.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import site
import stat
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from executor.functions import MODULES as SHIPPED_MODULES
from executor.sandbox.filter import get_program

ZYGOTE = Path(__file__).resolve().parent / "zygote.py"
MODES = ("bubblewrap-root", "bubblewrap-userns", "process")
SANDBOX_UID_BASE = 0x3000_0000
"""Sandbox uids are this plus the node process's pid: one uid per live node, none in /etc/passwd,
so no two sandboxes share a process count, a file or a signal right."""
INSIDE_TMP = "/tmp"
NOBODY = 65534
"""The uid and gid a function has inside a user namespace of its own."""
SYSTEM_DIRS = ("/usr", "/etc")
"""Bound read-only: programs, libraries and the dynamic linker's cache."""


class SandboxLimits(NamedTuple):
    """What one function call may use, enforced as hard limits in the call's process (a named
    tuple, not attrs: a node imports this at every start)."""

    cpu_seconds: int = 2
    wall_seconds: float = 1.5
    memory_bytes: int = 512 * 1024 * 1024
    processes: int = 32
    file_bytes: int = 32 * 1024 * 1024
    open_files: int = 256
    tmp_bytes: int = 64 * 1024 * 1024


def get_bwrap() -> str | None:
    return shutil.which("bwrap")


SITE_VARIABLE = "STRATOVERIFY_NODE_PATH"
"""Where a node process finds its executor's package folders (os.pathsep-separated)."""


def get_site_paths() -> list[str]:
    """Where this interpreter's packages are, for functions that import them (and pyseccomp)."""
    if SITE_VARIABLE in os.environ:
        return [path for path in os.environ[SITE_VARIABLE].split(os.pathsep) if path]
    paths = [
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
        *site.getsitepackages(),
    ]
    return list(dict.fromkeys(p for p in paths if Path(p).is_dir()))


def get_interpreter() -> str:
    """The real interpreter binary behind `sys.executable` (a venv's python is a symlink)."""
    return str(Path(sys.executable).resolve())


def _world_readable(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    needed = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) else 0)
    return mode & needed == needed


def get_binds(paths: Iterable[str], *, other_user: bool) -> list[str]:
    """The read-only binds: the system, the Python install, its packages, the zygote and the
    function's paths. With a uid of its own the sandbox can only read what everyone may, so a
    path others cannot read is left out (a function there fails to load, and says why)."""
    wanted = [
        *SYSTEM_DIRS,
        sys.base_prefix,
        *get_site_paths(),
        str(ZYGOTE.parent.parent.parent),
        *paths,
    ]
    chosen = []
    for entry in dict.fromkeys(str(Path(p).resolve()) for p in wanted):
        path = Path(entry)
        if path.exists() and (not other_user or _world_readable(path)):
            chosen.append(path)
    chosen.sort(key=lambda path: len(path.parts))

    def covered(path: Path) -> bool:
        return any(path == bound or bound in path.parents for bound in chosen)

    # The directories above a bind are made in the sandbox's empty root, readable by everyone.
    above = {parent for path in chosen for parent in path.parents if not covered(parent)}
    binds: list[str] = []
    for parent in sorted(above - {Path("/")}, key=lambda path: len(path.parts)):
        binds += ["--perms", "0755", "--dir", str(parent)]
    for path in chosen:
        binds += ["--ro-bind", str(path), str(path)]
    return binds


def _root_links() -> list[str]:
    """/bin, /lib, /lib64, /sbin as the machine has them: symlinks into /usr, or binds."""
    links: list[str] = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            links += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            links += ["--ro-bind", str(path), str(path)]
    return links


def zygote_argument(
    limits: SandboxLimits, *, isolated: bool, tmp: str, max_message_bytes: int
) -> str:
    program = get_program()
    return json.dumps(
        {
            # With no launcher to install the filter, the zygote installs it on itself.
            "seccomp_hex": "" if isolated or program is None else program.hex(),
            "cpu_seconds": limits.cpu_seconds,
            "wall_seconds": limits.wall_seconds,
            "memory_bytes": limits.memory_bytes,
            "processes": limits.processes,
            "file_bytes": limits.file_bytes,
            "open_files": limits.open_files,
            "max_message_bytes": max_message_bytes,
            "isolated": isolated,
            "site": get_site_paths(),
            "root": str(ZYGOTE.parent.parent.parent),
            "preload": list(SHIPPED_MODULES),
            "tmp": tmp,
        },
        sort_keys=True,
    )


def get_command(
    mode: str,
    limits: SandboxLimits,
    *,
    paths: Iterable[str],
    uid: int,
    tmp: str,
    max_message_bytes: int,
    seccomp_fd: int | None = None,
) -> list[str]:
    """The command that starts a zygote in `mode`; `tmp` is the host temp dir of `process` mode;
    bubblewrap reads the compiled seccomp filter from `seccomp_fd`."""
    python = [get_interpreter(), "-I", "-S", str(ZYGOTE)]
    if mode == "process":
        argument = zygote_argument(
            limits, isolated=False, tmp=tmp, max_message_bytes=max_message_bytes
        )
        return [*python, argument]
    bwrap = get_bwrap()
    if bwrap is None:
        raise OSError("bubblewrap (bwrap) is not installed")
    argument = zygote_argument(
        limits, isolated=True, tmp=INSIDE_TMP, max_message_bytes=max_message_bytes
    )
    command = [
        bwrap,
        "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        "--die-with-parent", "--as-pid-1", "--new-session",
        "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LC_ALL", "C.UTF-8",
        "--setenv", "HOME", INSIDE_TMP, "--setenv", "TMPDIR", INSIDE_TMP,
        *get_binds(paths, other_user=mode == "bubblewrap-root"),
        *_root_links(),
        "--proc", "/proc", "--dev", "/dev",
        "--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", INSIDE_TMP,
        "--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/dev/shm",
        "--remount-ro", "/",
        "--chdir", INSIDE_TMP,
        *(["--seccomp", str(seccomp_fd)] if seccomp_fd is not None else []),
    ]  # fmt: skip
    if mode == "bubblewrap-userns":
        # Not root inside its namespace either, so it holds no capability there; outside, it is
        # still the executor's own uid (a user namespace maps only that one).
        inside = ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
        return [*command, *inside, "--", *python, argument]
    setpriv = [
        "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
        "--bounding-set=-all", "--inh-caps=-all",
    ]  # fmt: skip
    caps = ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    return [*command, *caps, "--", *setpriv, "--", *python, argument]


def get_candidate_modes() -> tuple[str, ...]:
    """The modes worth trying here, best first (a probe picks the first that starts)."""
    forced = os.environ.get("STRATOVERIFY_SANDBOX")
    if forced in MODES:
        return (forced,)
    if get_bwrap() is None:
        return ("process",)
    if os.geteuid() == 0:
        return MODES
    return ("bubblewrap-userns", "process")


@functools.cache
def in_initial_user_namespace() -> bool:
    """True when this process's uid map is the whole range (not a user namespace's subset)."""
    try:
        with open("/proc/self/uid_map", encoding="ascii") as uid_map:
            fields = uid_map.read().split()
    except OSError:
        return False
    return fields[:3] == ["0", "0", "4294967295"]
