"""Commit-reveal hashing read from §3.2: h(x), and commit(n) under each profile's encoding.

A check that recomputes a node's commitment must not use the model's hashing, or a slip there
would be a slip in the check. This is a second, plain implementation with pycryptodome: F4's
composite is the node id, the app salt, the node salt and the output hash, joined by plain
concatenation (the literal text) or each behind its 8-byte big-endian length (the repair).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from Crypto.Hash import SHA256, keccak

LENGTH_BYTES = 8
"""Each field's length prefix under the length-prefixed encoding (DESIGN.md)."""

ALGORITHMS = ("sha256", "keccak256")
ENCODINGS = ("concatenation", "length-prefixed")


def digest(data: bytes, algorithm: str) -> bytes:
    """h(data): the 32-byte SHA-256 or Keccak-256 digest the deployment chose."""
    if type(data) is bytes and type(algorithm) is str:
        return _remembered_digest(data, algorithm)
    return _digest(data, algorithm)


# A pure function of two immutable values: the checkers hash the same salts and outputs again
# and again over a round.
@functools.lru_cache(maxsize=4096)
def _remembered_digest(data: bytes, algorithm: str) -> bytes:
    return _digest(data, algorithm)


def _digest(data: bytes, algorithm: str) -> bytes:
    if algorithm == "sha256":
        return SHA256.new(data).digest()
    if algorithm == "keccak256":
        return keccak.new(digest_bits=256, data=data).digest()
    raise ValueError(f"algorithm must be one of {ALGORITHMS}, not {algorithm!r}")


def composite(fields: Sequence[bytes], encoding: str) -> bytes:
    """§3.2 F4's '+': the fields concatenated, or each behind its length."""
    if encoding == "concatenation":
        return b"".join(fields)
    if encoding == "length-prefixed":
        return b"".join(len(field).to_bytes(LENGTH_BYTES, "big") + field for field in fields)
    raise ValueError(f"encoding must be one of {ENCODINGS}, not {encoding!r}")


def commit(
    *,
    node: str,
    app_salt: bytes,
    node_salt: bytes,
    output_hash: bytes,
    encoding: str,
    algorithm: str,
) -> bytes:
    """§3.2 F4: commit(n) = h(nodeID + S_a + S_N + h(output)), the node id as UTF-8 bytes."""
    return digest(
        composite((node.encode("utf-8"), app_salt, node_salt, output_hash), encoding), algorithm
    )
