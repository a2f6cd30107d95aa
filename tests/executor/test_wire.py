"""The wire between the executor and a node: a reply is taken only for the request it answers, in
a shape the protocol has; anything else is a fault of that node, never an exception out of a round
and never a line read as a later request's reply.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from executor_fixtures import (
    honest,
    make_round,
    no_orphan_nodes,  # noqa: F401 - autouse: no node left behind
)

from executor import wire
from executor.engine import Executor
from executor.pool import Limits
from executor.validators import decide
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED

LIMITS = Limits(wall_seconds=1.0, cpu_seconds=2, memory_bytes=256 * 1024 * 1024)
HEX32 = "ab" * 32
REVEAL = {"app_salt_hash": HEX32, "node_salt": HEX32, "output_hash": HEX32}


@pytest.mark.parametrize(
    ("op", "reply"),
    [
        ("open", {"salt_hash": HEX32, "complain": False}),
        ("commit", {"commit": HEX32}),
        ("commit", {"wait": True}),
        ("reveal", {"reveal": REVEAL, "output": "00"}),
        ("reveal", {"reveal": REVEAL, "output": None}),
        ("run", {"output": ""}),
        ("run", {"load_error": "no module named x"}),
        ("commit", {"error": "ValueError: boom"}),
    ],
)
def test_check_reply__the_protocols_shapes_pass(op: str, reply: dict[str, Any]) -> None:
    assert wire.check_reply(op, 7, {**reply, "id": 7}) == reply


@pytest.mark.parametrize(
    ("op", "reply", "fragment"),
    [
        ("commit", {"commit": HEX32, "id": 6}, "a reply to request 6, not to 7"),
        ("commit", {"commit": HEX32}, "a reply to request None, not to 7"),
        ("commit", {"commit": HEX32, "extra": 1, "id": 7}, "not one the protocol has"),
        ("commit", {"salt_hash": HEX32, "complain": False, "id": 7}, "not one the protocol has"),
        ("commit", {"commit": "zz", "id": 7}, "is not hex"),
        ("commit", {"commit": 5, "id": 7}, "must be a hex string"),
        ("commit", {"wait": 1, "id": 7}, "must be true"),
        ("open", {"salt_hash": HEX32, "complain": "no", "id": 7}, "must be true or false"),
        ("reveal", {"reveal": {"node_salt": HEX32}, "output": None, "id": 7}, "exactly"),
        ("reveal", {"reveal": REVEAL, "id": 7}, "not one the protocol has"),
        ("run", {"error": 3, "id": 7}, "must be a string"),
        ("ping", {"pong": True, "id": 7}, "must be an integer"),
    ],
)
def test_check_reply__anything_else_is_a_wire_error(
    op: str, reply: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(wire.WireError, match=fragment):
        wire.check_reply(op, 7, reply)


FORGER = '''
import os
import threading
import time


def forge(data: bytes) -> bytes:
    """Writes forged protocol lines into every pipe the node holds, from a thread that keeps going
    after the function returns: a commit of zeros, answering whatever it guesses."""

    def write() -> None:
        line = b'{"commit": "' + b"00" * 32 + b'", "id": 1}\\n'
        for _ in range(200):
            for name in os.listdir("/proc/self/fd"):
                try:
                    if int(name) > 2 and os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
                        os.write(int(name), line)
                except OSError:
                    pass
            time.sleep(0.001)

    threading.Thread(target=write, daemon=True).start()
    return data
'''


def test_forged_lines_never_reach_the_protocol_or_a_later_round(tmp_path: Path) -> None:
    """A function that writes forged commits into every pipe it holds reaches only its own
    result pipe (the node's protocol pipe is in another process): a node whose result it garbled
    is faulty (garbage), no forged commit is recorded, the round ends without an exception, and
    the next round on the same executor is clean."""
    path = tmp_path / "forger.py"
    path.write_text(FORGER)
    started = time.monotonic()
    with Executor(LIMITS) as executor:
        log = executor.run_round(
            make_round(honest(3), function=f"{path}:forge", data=b"x"),
            params=WHITEPAPER_PARAMS,
            profile=HARDENED,
        )
        again = executor.run_round(
            make_round(honest(3), round_id=3), params=WHITEPAPER_PARAMS, profile=HARDENED
        )
    assert all(reason.startswith("garbage") for reason in log.faulty.values()), log.faulty
    assert bytes(32) not in log.commits.values()
    assert set(log.commits) == {"n0", "n1", "n2"} - set(log.faulty)
    assert not again.faulty and len(again.reveals) == 3
    decision = decide(again, params=WHITEPAPER_PARAMS, profile=HARDENED, algorithm="sha256")
    assert decision.consensus
    assert time.monotonic() - started < 15
