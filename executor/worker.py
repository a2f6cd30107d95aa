"""A node: one OS process that does the node side of commit-reveal, and has its function run.

The executor talks to it over its stdin and stdout, one JSON line each way (`executor.wire`). The
node never runs function code: each call runs in a fresh process of the app's sandbox
(`executor.sandbox`), which holds no descriptor of the protocol and cannot see or signal the
node, the executor or any other node. The node follows the behaviour the executor
assigned (honest, one of the misbehaviours of §3.5, or sending the app another output than the
one it revealed, §3.2 F8-F9), or the process fault it was told to suffer: crash, hang, sleep,
memory bomb, garbage on the pipe, huge output.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import IO, Any

from executor import wire
from executor.sandbox.client import Sandbox, SandboxError, UncleanError, become_subreaper
from executor.sandbox.launch import MODES, SANDBOX_UID_BASE, SandboxLimits
from executor.wire import Message

WATCHERS = frozenset({"copy-commit", "reveal-mismatch"})
"""Behaviours (by their model.trusted.behaviour values) that never compute and copy a reveal."""


class FunctionLoadError(Exception):
    """Raised when a function spec names no loadable callable."""


class FunctionError(Exception):
    """The function raised, or returned something other than bytes (its message)."""


class FunctionFault(Exception):  # noqa: N818 - a fault, as the pool's Fault
    """The function's process failed as a process (exited, killed, timed out, garbage): the
    node answers with the fault, and the executor throws the node and its sandbox away."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail


def get_function_request(spec: str, sys_path: list[str]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """What the sandbox needs to load `spec`, and the paths it must see. A file's source is read
    here and sent, so the file's folder need not be readable by the sandbox's user; a module is
    imported there from `sys_path`. Nothing of the function runs in this process."""
    location, _, name = spec.rpartition(":")
    if not location or not name:
        raise FunctionLoadError(f"function {spec!r} is not 'module:callable' or 'file.py:callable'")
    request: dict[str, Any] = {"name": name, "sys_path": sys_path}
    if location.endswith(".py"):
        try:
            with open(location, encoding="utf-8") as file:
                request.update(source=file.read(), filename=location)
        except (OSError, UnicodeDecodeError) as error:
            raise FunctionLoadError(f"cannot read {location}: {error}") from None
        return request, tuple(sys_path)
    request["module"] = location
    return request, tuple(sys_path)


HANG_CPU_SECONDS = 60
"""CPU seconds a node simulating a hang may spin if nobody kills it (`suffer`)."""


def suffer(fault: str, channel: IO[bytes]) -> None:
    """Really misbehave as a process: the executor must contain every one of these."""
    if fault == "crash":
        os._exit(70)
    if fault == "hang":
        # A backstop: should the executor die before its wall timeout kills this node (the
        # executor's own process killed, say), the spin ends at this CPU limit instead of
        # running on as an orphan. The wall timeout (seconds) always comes first otherwise.
        used = int(resource.getrusage(resource.RUSAGE_SELF).ru_utime) + 1
        resource.setrlimit(
            resource.RLIMIT_CPU, (used + HANG_CPU_SECONDS, used + HANG_CPU_SECONDS + 1)
        )
        while True:  # spins on the CPU until the executor's wall timeout or the limit above
            pass
    if fault == "sleep":
        time.sleep(3600)
    if fault == "memory-bomb":
        hoard = []
        while True:  # until the address-space limit raises MemoryError
            hoard.append(
                bytes(64 * 1024 * 1024)
            )  # calloc: the limit, not the page faults, stops it
    if fault == "garbage":
        channel.write(b"\x00\xff\xfe not a message {{{\n")
        channel.flush()
        return
    if fault == "huge-output":
        chunk = b"f" * (1024 * 1024)
        channel.write(b'{"output":"')
        for _ in range(wire.MAX_MESSAGE_BYTES // len(chunk) + 2):
            channel.write(chunk)
        channel.write(b'"}\n')
        channel.flush()
        return
    raise ValueError(f"unknown fault {fault!r}")


def check_output_size(output: bytes) -> str | None:
    """Why an output cannot be sent in one message (as hex), or None if it can."""
    if 2 * len(output) + 4096 > wire.MAX_MESSAGE_BYTES:
        return f"an output of {len(output)} bytes is over the {wire.MAX_MESSAGE_BYTES}-byte message limit"
    return None


class Node:
    """The node's memory of the current round and its loaded functions."""

    def __init__(self, channel: IO[bytes], sandbox_mode: str, limits: SandboxLimits) -> None:
        self.channel = channel
        self.sandbox_mode, self.limits = sandbox_mode, limits
        self.sandbox: Sandbox | None = None
        self.sandbox_key: tuple[object, ...] = ()
        self.round: Message = {}
        self.output: bytes | None = None
        self.node_salt = b""
        self.commit: bytes | None = None

    def start_sandbox(self, paths: tuple[str, ...]) -> None:
        """Start a sandbox no app has used yet; the first app to call a function takes it."""
        self.sandbox = Sandbox(
            self.sandbox_mode,
            self.limits,
            paths=paths,
            uid=SANDBOX_UID_BASE + os.getpid(),
            max_message_bytes=wire.MAX_MESSAGE_BYTES,
        )
        self.sandbox_key = (None, paths)

    def get_sandbox(self, app: str, paths: tuple[str, ...]) -> Sandbox:
        """This app's sandbox: a new one for a new app (never one another app used)."""
        key = (app, paths)
        fresh = (None, paths)
        if self.sandbox is not None and self.sandbox_key not in (key, fresh):
            self.sandbox.close()
            self.sandbox = None
        if self.sandbox is not None and not self.sandbox.alive:
            self.sandbox.close()
            self.sandbox = None
        if self.sandbox is None:
            self.start_sandbox(paths)
        assert self.sandbox is not None
        self.sandbox_key = key
        return self.sandbox

    def run_function(self, app: str, spec: str, sys_path: list[str], data: bytes) -> bytes:
        """Run the function once, in a fresh process of this app's sandbox; its output must be
        bytes. Raises FunctionLoadError, FunctionFault, or RuntimeError with the function's error."""
        request, paths = get_function_request(spec, sys_path)
        request["input"] = data.hex()
        try:
            try:
                reply = self.get_sandbox(app, paths).call(request)
            except UncleanError:
                self.sandbox = None  # closed already; a new one takes the call
                reply = self.get_sandbox(app, paths).call(request)
        except SandboxError as error:
            if self.sandbox is not None:
                self.sandbox.close()
                self.sandbox = None
            raise FunctionFault("sandbox", str(error)) from None
        if "output" in reply and isinstance(reply["output"], str):
            return bytes.fromhex(reply["output"])
        if "load_error" in reply:
            raise FunctionLoadError(f"{spec}: {reply['load_error']}")
        if "fault" in reply:
            raise FunctionFault(str(reply["fault"]), str(reply.get("detail", "")))
        raise FunctionError(str(reply.get("error", "the sandbox answered out of protocol")))

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None

    def on_run(self, message: Message) -> Message:
        """A reference run: the function's output on one input, or the error it raised."""
        try:
            output = self.run_function(
                message["app"],
                message["function"],
                message["sys_path"],
                wire.get_hex(message, "input"),
            )
        except FunctionLoadError as error:
            return {"load_error": str(error)}
        except FunctionFault as fault:
            return {"fault": fault.code, "detail": fault.detail}
        except FunctionError as error:
            return {"error": str(error)[:500]}
        return {"output": output.hex()}

    def on_open(self, message: Message) -> Message:
        """F3-F4: draw the node salt, post its hash, check the app salt (complain if bad)."""
        self.round, self.output, self.commit = message, None, None
        seed, algorithm = wire.get_hex(message, "seed"), message["algorithm"]
        self.node_salt = wire.derive(
            seed, b"node-salt", str(message["round"]).encode(), message["node"].encode()
        )
        app_salt = wire.get_hex(message, "app_salt")
        complain = wire.digest(app_salt, algorithm) != wire.get_hex(message, "app_salt_hash")
        return {"salt_hash": wire.digest(self.node_salt, algorithm).hex(), "complain": complain}

    def _fault_now(self, phase: str) -> None:
        if self.round.get("fault") and self.round.get("fault_phase") == phase:
            suffer(self.round["fault"], self.channel)

    def _my_output(self) -> bytes:
        behaviour, seed = self.round["behaviour"], wire.get_hex(self.round, "seed")
        output = self.run_function(
            self.round["app"],
            self.round["function"],
            self.round["sys_path"],
            wire.get_hex(self.round, "input"),
        )
        if behaviour != "wrong-output":
            return output
        if self.round.get("wrong_output") is not None:
            return wire.get_hex(self.round, "wrong_output")
        return b"wrong:" + wire.derive(seed, b"wrong-output", self.round["node"].encode())

    def _sent_output(self, revealed: bytes) -> bytes:
        """§3.2 F8: the output sent to the app; a sends-other-output node sends another one than
        the output it revealed (the app's F9 check then complains about it)."""
        if self.round["behaviour"] != "sends-other-output":
            return revealed
        seed = wire.get_hex(self.round, "seed")
        return b"other:" + wire.derive(seed, b"other-output", self.round["node"].encode())

    def on_commit(self, message: Message) -> Message:
        """F4-F5: compute and commit at once, late, by copying, by guessing, or never."""
        behaviour, now = self.round["behaviour"], message["now"]
        if behaviour == "no-commit":
            return {"wait": True}
        if behaviour == "copy-commit":
            copied = message["commits"].get(self.round["copy_from"])
            return {"commit": copied} if copied is not None else {"wait": True}
        deadline = self.round["opened_at"] + self.round["commit_timeout"]
        if behaviour == "late-commit" and now <= deadline:
            return {"wait": True}
        self._fault_now("compute")
        if behaviour == "reveal-mismatch":
            seed = wire.get_hex(self.round, "seed")
            guess = b"guess:" + wire.derive(seed, b"guess", self.round["node"].encode())
            output_hash = wire.digest(guess, self.round["algorithm"])
        else:
            try:
                self.output = self._my_output()
            except FunctionFault as fault:
                return {"fault": fault.code, "detail": fault.detail}
            except (FunctionError, FunctionLoadError) as error:
                return {"error": str(error)[:500]}
            output_hash = wire.digest(self.output, self.round["algorithm"])
        self.commit = wire.commitment(
            node=self.round["node"],
            app_salt=wire.get_hex(self.round, "app_salt"),
            node_salt=self.node_salt,
            output_hash=output_hash,
            encoding=self.round["encoding"],
            algorithm=self.round["algorithm"],
        )
        return {"commit": self.commit.hex()}

    def _copied_hash(self, reveals: dict[str, str]) -> str | None:
        if self.round["behaviour"] == "copy-commit":
            return reveals.get(self.round["copy_from"])
        counts = Counter(reveals.values())
        if not counts:
            return None
        return min(counts, key=lambda output_hash: (-counts[output_hash], output_hash))

    def on_reveal(self, message: Message) -> Message:
        """F7-F8: reveal in time, late, never, or (watchers) a hash others already revealed; send
        the app the output revealed, or (sends-other-output) another one."""
        behaviour, now = self.round["behaviour"], message["now"]
        algorithm = self.round["algorithm"]
        if behaviour == "no-reveal":
            return {"wait": True}
        if (
            behaviour == "late-reveal"
            and now <= message["opened_at"] + self.round["reveal_timeout"]
        ):
            return {"wait": True}
        self._fault_now("reveal")
        output: bytes | None = None
        if behaviour in WATCHERS:
            if now != message["opened_at"] + 2:
                return {"wait": True}  # watchers reveal once, in the slot after the others
            copied = self._copied_hash(message["reveals"])
            if copied is None:
                return {"wait": True}
            output_hash = bytes.fromhex(copied)
        else:
            assert self.output is not None
            too_large = check_output_size(self.output)
            if too_large:
                return {"error": too_large}  # F8 cannot deliver it: the node fails here
            output_hash = wire.digest(self.output, algorithm)
            output = self._sent_output(self.output)
        salt = self.node_salt
        if self.round["reveal_contents"] == "node-salt-hash":
            salt = wire.digest(salt, algorithm)
        reveal = {
            "app_salt_hash": wire.digest(wire.get_hex(self.round, "app_salt"), algorithm).hex(),
            "output_hash": output_hash.hex(),
            "node_salt": salt.hex(),
        }
        return {"reveal": reveal, "output": None if output is None else output.hex()}

    def on_ping(self, _: Message) -> Message:
        """Alive, with its sandbox booted (or its boot failed: the first call says so)."""
        if self.sandbox is not None:
            with contextlib.suppress(SandboxError):
                _ = self.sandbox.measured
        return {"pong": os.getpid()}

    def handle(self, message: Message) -> Message:
        """Dispatch one request."""
        handlers: dict[str, Callable[[Message], Message]] = {
            "run": self.on_run,
            "open": self.on_open,
            "commit": self.on_commit,
            "reveal": self.on_reveal,
            "ping": self.on_ping,
        }
        handler = handlers.get(message.get("op", ""))
        if handler is None:
            return {"error": f"unknown op {message.get('op')!r}"}
        return handler(message)


def _claim_pipes() -> tuple[IO[bytes], IO[bytes]]:
    # Keep private copies of the protocol pipes, then point fds 0 and 1 at /dev/null.
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    sys.stdin = open(os.devnull)  # noqa: SIM115 - lives as long as the process
    sys.stdout = sys.stderr
    return requests, replies


def main(argv: list[str] | None = None) -> None:
    """Serve requests until the executor closes the pipe."""
    # `--sandbox MODE --limits JSON --paths JSON`, from the pool (argparse costs a node's start
    # more than all of this).
    args = sys.argv[1:] if argv is None else argv
    options = dict(zip(args[::2], args[1::2], strict=True))
    mode = options["--sandbox"]
    if mode not in MODES:
        raise SystemExit(f"unknown sandbox mode {mode!r}")
    limits = SandboxLimits(**json.loads(options["--limits"]))
    paths = tuple(json.loads(options.get("--paths", "[]")))
    requests, replies = _claim_pipes()
    become_subreaper()
    # The node's own address space, for its simulated memory bomb (its function's is the sandbox's).
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    node = Node(replies, mode, limits)
    # The sandbox boots while the executor sends the first requests.
    with contextlib.suppress(SandboxError):
        node.start_sandbox(paths)
    for line in requests:
        reply: Any
        request_id: object = None
        try:
            message = wire.decode_message(line)
            request_id = message.get("id")
            reply = node.handle(message)
        except (KeyError, TypeError, wire.WireError) as error:
            reply = {"error": f"bad request: {error.__class__.__name__}: {error}"}
        # The reply carries its request's id: the executor takes no other.
        replies.write(wire.encode_message({**reply, "id": request_id}))
        replies.flush()
    node.close()
