"""CR-INJECTIVE (§3.2 F4) for Z3: the composite-hash encoding of the profile is injective.

Byte strings are Z3 sequences of 8-bit vectors, so a counterexample reads back as hex
(`solver.prove.read_value`). The encoding is `model.hashing.encode_fields` read as Z3 terms: the
four fields joined plainly (CONCATENATION, the literal F4) or each behind an 8-byte big-endian
length prefix (LENGTH_PREFIXED). It works on bytes, not on an `Algebra`, so it cannot be shared
through `model.arith`; `encode_terms` restates it and the tests check it against `encode_fields`
on concrete tuples (same bytes), and check every counterexample with `encode_fields` and
`compute_composite_hash`.

The length prefix is abstracted: each prefix is 8 byte units with free values, constrained only
by "two prefixes are equal iff their fields' lengths are" over all eight fields of the query.
Why this is exact for injectivity:
- sound: the real prefix (the length's 8 big-endian bytes) is one of the abstract ones, since
  big-endian is injective on lengths below 2^64 (the fields' domain; `int.to_bytes` refuses
  more), so "unsat" here means no two real tuples collide;
- complete: the argument that makes the real encoding injective (read 8 bytes, which give the
  first field's length, read that many bytes, repeat) uses only that a prefix is 8 bytes long and
  that equal prefixes mean equal lengths, both of which the abstraction keeps, so it is injective
  exactly when the real one is.
A faithful prefix (Z3 `int2bv` or `bv2int` of the length) is out of reach: Z3 does not answer the
hardened query within a minute that way, and the proof must take well under a second.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import z3

from model.hashing import LENGTH_PREFIX_BYTES
from model.params import Params
from model.profile import CompositeEncoding, Profile
from solver.algebra import Formula, Term
from solver.claim import Claim, ParamMode
from solver.goals import encoding as goals
from solver.proofs import ClaimBuilder

BYTES = z3.SeqSort(z3.BitVecSort(8))
"""The sort of a byte string: a sequence of 8-bit vectors."""

FIELD_NAMES = ("node_id", "app_salt", "node_salt", "output_hash")
"""F4's four fields, in the order `model.hashing.compute_composite_hash` encodes them."""

MAX_FIELD_LENGTH = 2 ** (8 * LENGTH_PREFIX_BYTES)
"""Every field is shorter than this: the largest length an 8-byte prefix can state, plus one."""

LOGIC = "ALL"
"""Sequences of bit-vectors with integer lengths: no narrower logic name is accepted by both z3
(which knows `Seq` only under ALL) and cvc5 (whose QF_SLIA excludes bit-vectors)."""


def get_bytes_term(data: bytes) -> Term:
    """The concrete byte string `data` as a Z3 sequence of 8-bit vectors."""
    units = [z3.Unit(z3.BitVecVal(byte, 8)) for byte in data]
    if not units:
        return z3.Empty(BYTES)
    return units[0] if len(units) == 1 else z3.Concat(*units)


def get_length_prefix(length: int) -> Term:
    """The real prefix of a field of `length` bytes: its 8 big-endian bytes, as units."""
    return get_bytes_term(length.to_bytes(LENGTH_PREFIX_BYTES, "big"))


def make_abstract_prefix(name: str) -> Term:
    """A length prefix whose 8 bytes are free variables `name[0]` .. `name[7]` (see above)."""
    return z3.Concat(
        *(z3.Unit(z3.BitVec(f"{name}[{index}]", 8)) for index in range(LENGTH_PREFIX_BYTES))
    )


def encode_terms(
    fields: Sequence[Term], encoding: CompositeEncoding, prefixes: Sequence[Term]
) -> Term:
    """`model.hashing.encode_fields` as a Z3 term: the fields joined plainly (CONCATENATION), or
    each behind its prefix (LENGTH_PREFIXED; `prefixes[i]` is field i's)."""
    parts: list[Term] = []
    for index, field in enumerate(fields):
        if encoding is CompositeEncoding.LENGTH_PREFIXED:
            parts.append(prefixes[index])
        parts.append(field)
    return z3.Concat(*parts)


def _prefixes_follow_lengths(fields: Sequence[Term], prefixes: Sequence[Term]) -> Formula:
    """Over every pair of fields, the two prefixes are equal iff the two lengths are."""
    return z3.And(
        *(
            (prefix_a == prefix_b) == (z3.Length(field_a) == z3.Length(field_b))
            for (field_a, prefix_a), (field_b, prefix_b) in itertools.combinations(
                zip(fields, prefixes, strict=True), 2
            )
        )
    )


def claim_cr_injective(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """CR-INJECTIVE (§3.2 F4): equal encodings of two 4-field tuples imply equal tuples (no
    parameter is read, so both modes build the same claim)."""
    encoding = profile.composite_encoding
    first = [z3.Const(f"a.{name}", BYTES) for name in FIELD_NAMES]
    second = [z3.Const(f"b.{name}", BYTES) for name in FIELD_NAMES]
    first_prefixes = [make_abstract_prefix(f"a.{name}.length") for name in FIELD_NAMES]
    second_prefixes = [make_abstract_prefix(f"b.{name}.length") for name in FIELD_NAMES]
    fields = (*first, *second)
    goal = goals.is_injective(
        encode_terms(first, encoding, first_prefixes),
        encode_terms(second, encoding, second_prefixes),
        first,
        second,
    )
    domain = tuple(z3.Length(field) < MAX_FIELD_LENGTH for field in fields)
    if encoding is CompositeEncoding.LENGTH_PREFIXED:
        domain = (*domain, _prefixes_follow_lengths(fields, (*first_prefixes, *second_prefixes)))
    statement = (
        "for every two tuples (node_id, app_salt, node_salt, output_hash) of byte strings "
        f"shorter than 2^64 bytes: equal {encoding.value} encodings imply equal tuples"
    )
    return Claim(
        invariant_id="CR-INJECTIVE",
        statement=statement,
        logic=LOGIC,
        inputs=tuple(sorted((str(field), field) for field in fields)),
        assumptions=domain,
        goal=goal,
    )


CLAIMS: dict[str, ClaimBuilder] = {"CR-INJECTIVE": claim_cr_injective}
