"""Effort profiles: how hard the Hypothesis engine looks, built on Hypothesis' own `ci` profile.

`quick` runs inside the unit tests in seconds, `default` is the gate (about a minute for the whole
check), `thorough` is for nightly runs. Every profile is derandomised by an explicit seed and
keeps no example database, so the same seed gives the same verdicts and counterexamples.
"""

from __future__ import annotations

import hashlib

from attrs import frozen
from hypothesis import HealthCheck, Phase, Verbosity, settings


@frozen
class Effort:
    """How many machine runs, how long each, and how many nodes the exhaustive round search takes."""

    name: str
    max_examples: int
    steps_per_example: int
    explore_max_nodes: int
    shrink_calls: int | None = 100
    """Test cases the machine may run shrinking one counterexample (a count, not a time, so the
    same seed stops at the same counterexample on any machine); then it reports the smallest
    failing trace found so far. None: shrink until no pass makes progress."""
    shards: int = 1
    """Independent seed streams the machine runs on, `max_examples` each: on a cluster they run
    at once, and the report is the same whatever ran them (`properties.runner`)."""


EFFORTS: dict[str, Effort] = {
    effort.name: effort
    for effort in (
        Effort("quick", 180, steps_per_example=22, explore_max_nodes=2),
        Effort("default", 850, steps_per_example=30, explore_max_nodes=3, shrink_calls=500),
        Effort(
            "thorough",
            1_250,
            steps_per_example=80,
            explore_max_nodes=4,
            shrink_calls=3_000,
            shards=4,
        ),
    )
}
DEFAULT_EFFORT = EFFORTS["default"]


class UnknownEffortError(KeyError):
    """Raised when an effort name is not one of EFFORTS."""


def get_effort(name: str) -> Effort:
    """The effort called `name`; anything else raises UnknownEffortError naming the choices."""
    try:
        return EFFORTS[name]
    except KeyError:
        raise UnknownEffortError(
            f"unknown effort {name!r}; choose one of {', '.join(EFFORTS)}"
        ) from None


def get_shard_seeds(seed: int, shards: int) -> tuple[int, ...]:
    """The seed of each of an effort's independent streams: the check's seed for the first, and
    for stream k > 0 a seed derived from (seed, k), so the streams do not overlap."""
    derived = (
        int.from_bytes(hashlib.sha256(f"stratoverify-shard:{seed}:{k}".encode()).digest()[:8])
        for k in range(1, shards)
    )
    return (seed, *derived)


def get_settings(effort: Effort) -> settings:
    """Hypothesis settings for `effort`: the `ci` profile, quiet, every bug reported apart."""
    return settings(
        settings.get_profile("ci"),
        derandomize=False,  # the runner seeds each run explicitly
        database=None,
        deadline=None,
        max_examples=effort.max_examples,
        stateful_step_count=effort.steps_per_example,
        report_multiple_bugs=True,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
        # No explain phase: it only annotates Hypothesis' own failure printout, which the runner
        # never shows, and it re-ran every shrunk trace many times over (most of a failing run).
        phases=[phase for phase in Phase if phase is not Phase.explain],
    )
