"""The one hashing interface of the model: SHA-256 by default, Keccak-256 selectable (pycryptodome).

Hashing is a pure function of its bytes, so the model stays pure. The composite hash of §3.2 F4
is built here under the profile's encoding: plain concatenation (the literal text, which is not
injective) or length-prefixed fields (injective).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from functools import cache

from Crypto.Hash import SHA256, keccak

from model.profile import CompositeEncoding

DIGEST_SIZE = 32
LENGTH_PREFIX_BYTES = 8


class HashAlgorithm(Enum):
    """The hash functions a deployment may choose."""

    SHA256 = "sha256"
    KECCAK256 = "keccak256"

    # Every digest, composite hash and derived seed is cached under its algorithm: the
    # identity hash (C) of a member, for Enum's hash of its name (a Python call per look-up).
    __hash__ = object.__hash__


DEFAULT_ALGORITHM = HashAlgorithm.SHA256


def compute_hash(data: bytes, algorithm: HashAlgorithm = DEFAULT_ALGORITHM) -> bytes:
    """h(data): the 32-byte digest of `data` under `algorithm`."""
    # A bytearray or memoryview cannot be a cache key: it is hashed afresh.
    if type(data) is bytes:
        return _cached_digest(data, algorithm)
    return _digest(data, algorithm)


def _digest(data: bytes, algorithm: HashAlgorithm) -> bytes:
    if algorithm is HashAlgorithm.SHA256:
        return SHA256.new(data).digest()
    return keccak.new(digest_bits=256, data=data).digest()


# A round hashes the same salts and outputs several times, and round seeds repeat from one
# trace to the next (round ids restart at genesis), so nearly every digest is asked for again:
# pycryptodome costs ~5 us a digest, a hit ~0.1 us. Unbounded, as the preimages come from
# round ids, node ids and outputs: 845 distinct ones in 2,000 walks of 80 rules plus the 4-node
# exploration. No size literal either: Hypothesis draws integers from the literals of local
# modules, so a new one would change what every seed generates.
_cached_digest = cache(_digest)


def encode_fields(fields: Sequence[bytes], encoding: CompositeEncoding) -> bytes:
    """The bytes that §3.2 F4 hashes: fields joined plainly, or each behind its 8-byte length."""
    if encoding is CompositeEncoding.CONCATENATION:
        return b"".join(fields)
    return b"".join(len(part).to_bytes(LENGTH_PREFIX_BYTES, "big") + part for part in fields)


def compute_composite_hash(
    *,
    node_id: bytes,
    app_salt: bytes,
    node_salt: bytes,
    output_hash: bytes,
    encoding: CompositeEncoding,
    algorithm: HashAlgorithm = DEFAULT_ALGORITHM,
) -> bytes:
    """§3.2 F4: commit(n) = hash(nodeID_n + S_a_n + S_N_n + h_n) under the profile's encoding."""
    return _cached_composite_hash((node_id, app_salt, node_salt, output_hash), encoding, algorithm)


def derive_bytes(
    seed: bytes, *labels: bytes, algorithm: HashAlgorithm = DEFAULT_ALGORITHM
) -> bytes:
    """32 pseudo-random bytes determined by `seed` and `labels`: the model's only randomness."""
    return _cached_derived_bytes(seed, labels, algorithm)


# Like the digests, composite hashes and derived bytes are pure functions of a few byte strings
# that a round asks for again and again (a node's salt is derived at its salt hash, its commit
# and its reveal), so they are cached too: a hit skips encoding the preimage.
@cache
def _cached_composite_hash(
    fields: tuple[bytes, bytes, bytes, bytes], encoding: CompositeEncoding, algorithm: HashAlgorithm
) -> bytes:
    node_id, app_salt, node_salt, output_hash = fields
    preimage = encode_fields((node_id, app_salt, node_salt, output_hash), encoding)
    return compute_hash(preimage, algorithm)


@cache
def _cached_derived_bytes(
    seed: bytes, labels: tuple[bytes, ...], algorithm: HashAlgorithm
) -> bytes:
    return compute_hash(
        encode_fields((seed, *labels), CompositeEncoding.LENGTH_PREFIXED), algorithm
    )
