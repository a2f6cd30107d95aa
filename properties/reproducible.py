"""Hypothesis runs that depend only on their inputs and seed: not on loaded modules, not on time.

Three things besides the seed steered a Hypothesis run (docs/findings.md, the determinism finding):

* "local constants": Hypothesis draws literals it harvests from every project module imported at
  the time, so the same seed generated and shrank differently after a Z3 proof, say, or under
  another pytest selection. `without_local_constants` switches that harvest off, for both
  engines. (A fixed harvest, the literals of `model` and `properties` whatever was loaded, was
  used while the machine needed the model's own literals to reach some rules; it made every
  edit of a literal there reshuffle what the machine generates, so a mutant that changed a
  number was judged on other traces than the model it came from. The rules now reach each
  boundary on their own: docs/findings.md.)
* the wall clock in the engine: with `report_multiple_bugs=True` it stops looking for further
  bugs once the first was found more than 10 seconds ago, so a slower (loaded, traced) process
  generated fewer examples and shrank other bugs. `seed_only_settings` turns multi-bug reporting
  off, which skips that test; a caller re-runs for the next bug instead.
* the engine gives up shrinking after `MAX_SHRINKING_SECONDS` (five minutes).
  `without_shrink_time_limit` lifts that limit for the duration of a run; shrinking then ends only
  when no pass makes progress, or at Hypothesis' bound on successful shrinks.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import settings

NO_SHRINK_TIME_LIMIT = 10**9
"""Seconds: in effect no wall-clock limit on shrinking."""


@contextmanager
def without_local_constants() -> Iterator[None]:
    """Within the block, Hypothesis draws no constants harvested from the loaded modules."""
    providers = importlib.import_module("hypothesis.internal.conjecture.providers")
    original = getattr(providers, "_get_local_constants", None)
    constants_cache = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or constants_cache is None:  # a Hypothesis without the harvest
        yield
        return
    nothing = providers.Constants()
    providers._get_local_constants = lambda: nothing  # type: ignore[attr-defined]
    constants_cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original  # type: ignore[attr-defined]
        constants_cache.cache.clear()


@contextmanager
def without_shrink_time_limit() -> Iterator[None]:
    """Within the block, Hypothesis never stops shrinking because of the time it has taken."""
    engine = importlib.import_module("hypothesis.internal.conjecture.engine")
    original = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    if original is None:  # a Hypothesis without the limit
        yield
        return
    engine.MAX_SHRINKING_SECONDS = NO_SHRINK_TIME_LIMIT  # type: ignore[attr-defined]
    try:
        yield
    finally:
        engine.MAX_SHRINKING_SECONDS = original  # type: ignore[attr-defined]


@contextmanager
def seed_only_hypothesis() -> Iterator[None]:
    """Within the block, no harvested local constants and no time limit on shrinking."""
    with without_local_constants(), without_shrink_time_limit():
        yield


def seed_only_settings(base: settings) -> settings:
    """`base` with nothing that reads the clock or a database: one bug per run, no deadline."""
    return settings(base, report_multiple_bugs=False, deadline=None, database=None)
