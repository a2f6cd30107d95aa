"""The seccomp filter of every sandboxed process, compiled once per executor with libseccomp.

Allowed by default; refused (EPERM) are the system calls that would let one call hand state to
the next without a process or a file (kernel keyrings, System V and POSIX message queues and
shared memory), reach another process (ptrace and its kin), or leave the sandbox's namespaces
and mounts, plus the kernel interfaces no function needs. bubblewrap installs it (`--seccomp`)
before the zygote starts; in the process mode the zygote installs it on itself.
"""

from __future__ import annotations

import errno
import functools
import os
import tempfile

CLONE_NAMESPACE_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
    0x00000080,  # CLONE_NEWTIME
)
DENIED_SYSCALLS = (
    # Kernel objects that outlive the process that made them: a call could hand state to the next.
    "add_key", "request_key", "keyctl", "shmget", "msgget", "semget", "mq_open",
    # Reading or writing another process.
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    # New namespaces, mounts and root changes.
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "mount_setattr",
    "open_tree", "move_mount", "fsopen", "fsmount", "fsconfig", "fspick",
    # The kernel itself.
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "kexec_load", "init_module",
    "finit_module", "delete_module", "reboot", "swapon", "swapoff", "acct", "quotactl",
    "iopl", "ioperm", "syslog",
)  # fmt: skip
"""What the filter refuses (EPERM) to every process of the sandbox."""


PROGRAM_VARIABLE = "STRATOVERIFY_SECCOMP"
"""Where a node process finds the program its executor compiled (hex; empty: none), so that no
node loads libseccomp itself."""


@functools.cache
def get_program() -> bytes | None:
    """The compiled filter for this machine's architecture (BPF); None without libseccomp."""
    if PROGRAM_VARIABLE in os.environ:
        return bytes.fromhex(os.environ[PROGRAM_VARIABLE]) or None
    try:
        import pyseccomp  # noqa: PLC0415 - loads libseccomp, which a machine may lack
    except (ImportError, OSError):
        return None
    rules = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        try:
            rules.add_rule(pyseccomp.ERRNO(errno.EPERM), name)
        except (OSError, ValueError):
            continue  # not a system call on this architecture
    for flag in CLONE_NAMESPACE_FLAGS:
        masked = pyseccomp.Arg(0, pyseccomp.MASKED_EQ, flag, flag)
        rules.add_rule(pyseccomp.ERRNO(errno.EPERM), "clone", masked)
    # clone3 passes its flags in memory a filter cannot read: refuse it, and the C library falls
    # back to clone, whose flags the rules above do read.
    rules.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    with tempfile.TemporaryFile() as file:
        rules.export_bpf(file)
        file.seek(0)
        return file.read()
