"""An engine's work in a child process beside the Hypothesis machine, its result taken in turn.

`check` runs the Z3 proofs, the executor and (from 3 nodes on) the round search each in a process
of its own while the machine runs in this one, so both cores work. On Linux the child is forked:
it starts with every module this process has already imported (a spawned interpreter spent about
0.7 s of CPU importing them again, for each engine of each check). Nothing the engines compute
depends on which process runs them: each is a function of its arguments, seeded explicitly, and
the report is the same as when they run in this process one after another
(`benchmarks/check_wall.py` compares the hashes). The child reports through a pipe, not a pool
with a management thread, so `check` itself starts no thread before it forks.
Elsewhere the child is spawned, as fork is unsafe with the system libraries of macOS.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

START_METHOD = "fork" if sys.platform == "linux" else "spawn"


class BackgroundError(RuntimeError):
    """The work raised in its process, or the process died; the message says which, in one
    line (`Type: message` for a raise)."""


def _serve(send: Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """In the child: run the work and send ("value", result) or ("error", description)."""
    try:
        outcome: tuple[str, Any] = ("value", function(*args))
    except BaseException as error:  # reported to the parent, which decides
        outcome = ("error", f"{type(error).__name__}: {error}")
    try:
        send.send(outcome)
    except Exception as error:  # a result that cannot be pickled
        send.send(("error", f"{type(error).__name__}: the result could not be sent: {error}"))
    finally:
        send.close()


class Background:
    """`function(*args)` started now in a child process; `result()` waits for it."""

    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        context = (
            multiprocessing.get_context("fork")
            if START_METHOD == "fork"
            else multiprocessing.get_context("spawn")
        )
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_serve, args=(send, function, args))
        self._process.start()
        send.close()  # the child holds the only writing end: its death ends the pipe
        self._outcome: tuple[str, Any] | None = None

    def _wait(self) -> tuple[str, Any]:
        if self._outcome is None:
            try:
                self._outcome = self._receive.recv()
            except EOFError:
                self._process.join()
                code = self._process.exitcode
                self._outcome = ("error", f"the engine's process died (exit code {code})")
            self._receive.close()
        return self._outcome

    def result(self) -> Any:
        """The work's result; raises BackgroundError if it raised or its process died."""
        kind, value = self._wait()
        if kind == "error":
            raise BackgroundError(value)
        return value

    def close(self) -> None:
        """Wait for the work to end (its result unread, if nobody asked) and reap its process."""
        self._wait()
        self._process.join()
