"""The app-layer validators of §3.3 and §4.3.2 read from the text: the committee and its votes.

§3.3: consensus "is performed by a network of validators, the number of which is determined by
the developer"; §4.3.2: "only a portion of the total network validators perform each
application-specific consensus"; §4.4: "a randomized selection will designate the validators";
§4.2 and Step 12: a value stands with "> 2/3 of validators". The reading the suite fixed
(docs/model.md, "App-layer validators") is re-implemented here with the oracle's own hashing:

- beacon secret of validator v: h(LP(seed, "beacon", round id in decimal, v));
- beacon seed: h(LP("beacon-seed", round id, then id and secret of every validator that
  revealed, by id));
- committee: the eligible validators ranked by (h(LP(beacon seed, "select", v)), v), the first
  `count` of them (all when the developer set none); the first ranked proposes the block;
- a vote is `TRUE:<output hash hex>` or `FALSE`; a validator that cast two values counts for
  neither; a value stands with more than 2/3 of the committee, one validator one vote.

LP is every field behind its 8-byte big-endian length (`oracle.commit.composite`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from oracle.commit import composite, digest

FALSE = "FALSE"
"""The vote for consensus FALSE."""


def lp_hash(fields: Sequence[bytes], algorithm: str) -> bytes:
    """h of the fields, each behind its 8-byte length."""
    return digest(composite(fields, "length-prefixed"), algorithm)


def beacon_secret(seed: bytes, round_id: int, validator: str, algorithm: str) -> bytes:
    """The beacon secret a validator draws for a round (from the round's seed, by rule)."""
    return lp_hash((seed, b"beacon", str(round_id).encode(), validator.encode()), algorithm)


def beacon_seed(round_id: int, revealed: Mapping[str, bytes], algorithm: str) -> bytes:
    """The seed: every revealed secret, by validator id, each behind the id."""
    fields = [b"beacon-seed", str(round_id).encode()]
    for validator in sorted(revealed):
        fields += [validator.encode(), revealed[validator]]
    return lp_hash(fields, algorithm)


def ranked(eligible: Iterable[str], seed: bytes, algorithm: str) -> tuple[str, ...]:
    """§4.4 "randomized selection": the eligible validators in the seed's order."""
    return tuple(
        sorted(eligible, key=lambda v: (lp_hash((seed, b"select", v.encode()), algorithm), v))
    )


def committee_size(count: int | None, eligible: int) -> int:
    """§3.3: the developer's number of validators, never more than are eligible."""
    return eligible if count is None else min(count, eligible)


def value_of(consensus: bool, output_hash: bytes | None) -> str:
    """A decision as voted."""
    return FALSE if not consensus or output_hash is None else "TRUE:" + output_hash.hex()


def is_over_two_thirds(votes: int, members: int) -> bool:
    """§4.2, Step 12: more than 2/3 of the committee (3·votes > 2·members)."""
    return 3 * votes > 2 * members


def passes(votes: int, members: int, num: int, den: int) -> bool:
    """The governed threshold over the committee: votes·den > num·members."""
    return votes * den > num * members


def single_votes(votes: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Validator -> its value, for validators that cast exactly one value."""
    cast: dict[str, set[str]] = {}
    for validator, value in votes:
        cast.setdefault(validator, set()).add(value)
    return {v: next(iter(values)) for v, values in cast.items() if len(values) == 1}


def double_voters(votes: Iterable[tuple[str, object]]) -> set[str]:
    """Validators that cast two different votes."""
    cast: dict[str, set[object]] = {}
    for validator, value in votes:
        cast.setdefault(validator, set()).add(value)
    return {v for v, values in cast.items() if len(values) > 1}


def tally(votes: Iterable[tuple[str, str]], members: int) -> dict[str, int]:
    """How many committee members voted each value (double voters not counted)."""
    counts: dict[str, int] = {}
    for value in single_votes(votes).values():
        counts[value] = counts.get(value, 0) + 1
    return counts


def lie_value(truth: str, counted_hashes: Sequence[bytes]) -> str:
    """The value colluding liars vote (docs/model.md): FALSE against TRUE; against FALSE, TRUE
    on the hash most counted reveals carry (ties: smallest), else on 32 zero bytes."""
    if truth != FALSE:
        return FALSE
    counts: dict[bytes, int] = {}
    for h in counted_hashes:
        counts[h] = counts.get(h, 0) + 1
    if not counts:
        return value_of(True, bytes(32))
    return value_of(True, min(counts, key=lambda h: (-counts[h], h)))


def f10_value(hashes: Sequence[bytes], base: int) -> str:
    """§3.3 F10 over counted reveals: TRUE on the output more than 2/3 of N revealed, or FALSE."""
    counts: dict[bytes, int] = {}
    for h in hashes:
        counts[h] = counts.get(h, 0) + 1
    passing = sorted(h for h, n in counts.items() if is_over_two_thirds(n, base))
    return value_of(True, passing[0]) if len(passing) == 1 else FALSE


def votes_of(behaviour: str, truth: str, lie: str) -> tuple[str, ...]:
    """What a validator of each behaviour casts: honest the truth, a liar the lie, an
    equivocator both, an abstainer nothing."""
    return {"honest": (truth,), "lie": (lie,), "equivocate": (truth, lie)}.get(behaviour, ())
