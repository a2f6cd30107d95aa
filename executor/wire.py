"""What crosses the pipe between the executor and a node, and the hashing both sides do.

Messages are one JSON object per line, bytes as lowercase hex. The node side of commit-reveal
hashes with the oracle's reading of F4 (`oracle/commit.py`, pycryptodome), written apart from
`model.hashing` on purpose: the executor is a second implementation, so a slip in either shows up
as a GROUNDED disagreement. This module is imported by the node process (`executor/worker.py`)
too, so it needs only the standard library, pycryptodome and that one oracle module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from oracle import commit as commit_reading

MAX_MESSAGE_BYTES = 8 * 1024 * 1024
"""The longest line a node may send; a longer one is a fault (huge output), never buffered whole."""

Message = dict[str, Any]


class WireError(ValueError):
    """Raised when a line from a node is not a message of the protocol (garbage on the pipe)."""


def digest(data: bytes, algorithm: str) -> bytes:
    """h(data) under `algorithm` ('sha256' or 'keccak256')."""
    try:
        return commit_reading.digest(data, algorithm)
    except ValueError as error:
        raise WireError(str(error)) from None


def join_fields(fields: Sequence[bytes], encoding: str) -> bytes:
    """F4's preimage: fields concatenated ('concatenation') or each behind its 8-byte length."""
    try:
        return commit_reading.composite(fields, encoding)
    except ValueError as error:
        raise WireError(str(error)) from None


def commitment(
    *,
    node: str,
    app_salt: bytes,
    node_salt: bytes,
    output_hash: bytes,
    encoding: str,
    algorithm: str,
) -> bytes:
    """§3.2 F4: commit(n) = h(nodeID + S_a + S_N + h(output)) under the profile's encoding."""
    return digest(
        join_fields((node.encode(), app_salt, node_salt, output_hash), encoding), algorithm
    )


def derive(seed: bytes, *labels: bytes, algorithm: str = "sha256") -> bytes:
    """32 bytes fixed by `seed` and `labels`: how salts and byzantine values are drawn."""
    return digest(join_fields((seed, *labels), "length-prefixed"), algorithm)


def encode_message(message: Message) -> bytes:
    """One message as one line."""
    return json.dumps(message, separators=(",", ":"), sort_keys=True).encode() + b"\n"


def decode_message(line: bytes) -> Message:
    """The message on one line; anything else raises WireError naming what was wrong."""
    try:
        message = json.loads(line)
    except (ValueError, UnicodeDecodeError) as error:
        raise WireError(f"not a JSON line ({error.__class__.__name__})") from None
    if not isinstance(message, dict):
        raise WireError(f"a message is a JSON object, got {type(message).__name__}")
    return message


def get_hex(message: Message, key: str) -> bytes:
    """The bytes under `key`, sent as hex; WireError when missing or not hex."""
    value = message.get(key)
    if not isinstance(value, str):
        raise WireError(f"field {key!r} must be a hex string, got {type(value).__name__}")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise WireError(f"field {key!r} is not hex") from None


REVEAL_FIELDS = ("app_salt_hash", "node_salt", "output_hash")
"""F7's reveal as a node sends it: each field hex."""

REPLY_SHAPES: dict[str, tuple[dict[str, str], ...]] = {
    "run": ({"output": "hex"}, {"load_error": "text"}),
    "open": ({"salt_hash": "hex", "complain": "bool"},),
    "commit": ({"commit": "hex"}, {"wait": "true"}),
    "reveal": ({"reveal": "reveal", "output": "hex-or-null"}, {"wait": "true"}),
    "ping": ({"pong": "int"},),
}
"""Every reply a node may send to each request, by field and kind; `{"error": text}` is a reply to
any request (the node's function failed), and so is `{"fault": code, "detail": text}` (its
function's process failed: a code of FUNCTION_FAULTS). Anything else is a fault of the node."""
FUNCTION_FAULTS = frozenset(
    {"exited", "killed-by-signal", "timeout", "garbage", "oversize", "sandbox"}
)
"""How a function's process may fail, as the sandbox reports it (`executor.sandbox.zygote`)."""


def _check_field(kind: str, message: Message, key: str) -> None:
    value = message[key]
    if kind == "hex" or (kind == "hex-or-null" and value is not None):
        get_hex(message, key)
    elif kind == "reveal":
        if not isinstance(value, dict) or sorted(value) != list(REVEAL_FIELDS):
            raise WireError(f"field {key!r} must hold exactly {', '.join(REVEAL_FIELDS)}")
        for field in REVEAL_FIELDS:
            get_hex(value, field)
    elif kind == "text" and not isinstance(value, str):
        raise WireError(f"field {key!r} must be a string, got {type(value).__name__}")
    elif kind == "bool" and not isinstance(value, bool):
        raise WireError(f"field {key!r} must be true or false, got {type(value).__name__}")
    elif kind == "true" and value is not True:
        raise WireError(f"field {key!r} must be true")
    elif kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise WireError(f"field {key!r} must be an integer, got {type(value).__name__}")


def check_reply(op: str, request_id: int, message: Message) -> Message:
    """The reply without its id, if it answers request `request_id` (an `op`) in one of the
    shapes that op allows; WireError naming what is wrong otherwise (a stale reply, a forged or
    extra line, a missing or mistyped field)."""
    if message.get("id") != request_id:
        raise WireError(f"a reply to request {message.get('id')!r}, not to {request_id}")
    body = {key: value for key, value in message.items() if key != "id"}
    shapes = ({"error": "text"}, {"fault": "text", "detail": "text"}, *REPLY_SHAPES.get(op, ()))
    shape = next((shape for shape in shapes if set(shape) == set(body)), None)
    if shape is None:
        raise WireError(f"a {op!r} reply with fields {sorted(body)}, not one the protocol has")
    for key, kind in shape.items():
        _check_field(kind, body, key)
    if "fault" in body and body["fault"] not in FUNCTION_FAULTS:
        raise WireError(f"a fault {body['fault']!r} the sandbox does not report")
    return body
