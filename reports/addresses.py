"""Bech32 account addresses as a Cosmos SDK chain writes them, and the gov module's account.

A `MsgUpdateParams` or `MsgExecLegacyContent` executes only when its `authority` is the gov
module account: the first 20 bytes of sha256("gov") (the SDK's `authtypes.NewModuleAddress`,
`address.Module("gov")` with no derivation key), bech32-encoded under the chain's prefix. The
checksum and the 5-bit regrouping are the `bech32` package's (BIP-173's reference code).
"""

from __future__ import annotations

import hashlib

import bech32

from model.params import MalformedParamsError

DEFAULT_BECH32_PREFIX = "strato"
"""The account prefix of Stratosphere addresses (the whitepaper names none; the examples use it)."""

GOV_MODULE_NAME = "gov"
"""The x/gov module's name, from which its account address is derived."""

MODULE_ADDRESS_BYTES = 20
"""A module account address is the first 20 bytes of the sha256 of the module's name."""

MAX_ADDRESS_LENGTH = 1023
"""The Cosmos SDK's limit on a bech32 string, above BIP-173's 90 characters."""

MAX_ADDRESS_BYTES = 255
"""The SDK's `VerifyAddressFormat` refuses an address of more bytes (or of none)."""

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_MAX_PREFIX_LENGTH = 83  # BIP-173: the prefix and the separator leave at least 6 + 1 characters


class AddressError(ValueError):
    """Raised for a bech32 prefix no address can carry; the message is one line."""


def compute_module_address(module: str) -> bytes:
    """The account address of a module: the first 20 bytes of sha256 of its name."""
    return hashlib.sha256(module.encode("utf-8")).digest()[:MODULE_ADDRESS_BYTES]


def encode_address(prefix: str, address: bytes) -> str:
    """`address` bech32-encoded under `prefix`; a prefix no address can carry is an AddressError."""
    problem = _prefix_problem(prefix)
    if problem is not None:
        raise AddressError(f"bech32 prefix {prefix!r}: {problem}")
    words = bech32.convertbits(address, 8, 5)
    if words is None:  # pragma: no cover - 8-bit input always regroups into 5-bit words
        raise AssertionError("convertbits refused bytes")
    return bech32.bech32_encode(prefix, words)


def compute_gov_authority(prefix: str = DEFAULT_BECH32_PREFIX) -> str:
    """The gov module account's address under `prefix` (`cosmos10d07y2...6zn9kn` for `cosmos`)."""
    return encode_address(prefix, compute_module_address(GOV_MODULE_NAME))


def _prefix_problem(prefix: str) -> str | None:
    if not prefix:
        return "empty"
    if len(prefix) > _MAX_PREFIX_LENGTH:
        return f"longer than {_MAX_PREFIX_LENGTH} characters"
    if any(not 33 <= ord(char) <= 126 for char in prefix):
        return "has characters outside ASCII 33..126"
    if prefix.lower() != prefix:
        return "must be lower case, as addresses print it"
    return None


def check_bech32_address(address: object, *, where: str) -> str:
    """`address` if it is a bech32 string with a valid checksum (BIP-173), else bad input."""
    if not isinstance(address, str):
        raise MalformedParamsError(where, f"expected a bech32 address string, got {_kind(address)}")
    problem = _address_problem(address)
    if problem is not None:
        raise MalformedParamsError(
            where, f"expected a bech32 address, got {_show(address)} ({problem})"
        )
    return address


def is_same_address(first: str, second: str) -> bool:
    """Whether two valid bech32 strings are one address (bech32 is case-insensitive)."""
    return first.lower() == second.lower()


def _address_problem(address: str) -> str | None:
    if not address:
        return "empty"
    if len(address) > MAX_ADDRESS_LENGTH:
        return f"longer than {MAX_ADDRESS_LENGTH} characters"
    if address.lower() != address and address.upper() != address:
        return "mixed case"
    text = address.lower()
    hrp, separator, data = text.rpartition("1")
    if not separator:
        return "no separator '1' between prefix and data"
    if not hrp:
        return "no prefix before the separator '1'"
    if any(not 33 <= ord(char) <= 126 for char in hrp):
        return "the prefix has characters outside ASCII 33..126"
    if len(data) < 6:
        return "too short for its 6-character checksum"
    bad = [char for char in data if char not in _CHARSET]
    if bad:
        return f"{bad[0]!r} is not a bech32 character"
    words = [_CHARSET.index(char) for char in data]
    if not bech32.bech32_verify_checksum(hrp, words):
        return "bad checksum"
    payload = bech32.convertbits(words[:-6], 5, 8, False)
    if payload is None:
        return "its data is not a whole number of bytes"
    if not 0 < len(payload) <= MAX_ADDRESS_BYTES:
        return f"{len(payload)} bytes; an account address has 1 to {MAX_ADDRESS_BYTES}"
    return None


def _show(text: str) -> str:
    if text.isprintable() and 0 < len(text) <= 60:
        return text
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _kind(value: object) -> str:
    kinds = {bool: "a boolean", dict: "an object", list: "a list", str: "a string"}
    for python_type, name in kinds.items():
        if isinstance(value, python_type):
            return name
    return "null" if value is None else "a number"
