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
  `without_shrink_time_limit` lifts that limit for the duration of a run; shrinking then ends
  when no pass makes progress, at Hypothesis' bound on successful shrinks, or, under
  `with_shrink_budget`, after a given number of test cases: a count, so a slower machine stops
  at the same counterexample as a faster one (the executor's searches count the same way).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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
def with_shrink_budget(calls: int | None) -> Iterator[None]:
    """Within the block, each search stops shrinking after `calls` test cases (None: no bound).

    The count starts when the engine starts shrinking and covers every test case it runs from
    then on, failing or not; at the bound the engine ends its run as at its own bound on
    successful shrinks, with the smallest failing case found so far, which it replays once more
    to report it.
    """
    engine = importlib.import_module("hypothesis.internal.conjecture.engine")
    runner_class = getattr(engine, "ConjectureRunner", None)
    exit_reason = getattr(getattr(engine, "ExitReason", None), "max_shrinks", None)
    original = getattr(runner_class, "test_function", None)
    if calls is None or runner_class is None or original is None or exit_reason is None:
        yield
        return

    def test_function(runner: Any, data: Any) -> None:
        if getattr(runner, "finish_shrinking_deadline", None) is not None:  # shrinking
            spent: int = getattr(runner, "_shrink_calls_spent", 0)
            if spent >= calls:
                runner.exit_with(exit_reason)
            runner._shrink_calls_spent = spent + 1
        original(runner, data)

    runner_class.test_function = test_function
    try:
        yield
    finally:
        runner_class.test_function = original


@contextmanager
def seed_only_hypothesis(shrink_calls: int | None = None) -> Iterator[None]:
    """Within the block, no harvested local constants, no time limit on shrinking, and at most
    `shrink_calls` test cases spent shrinking each counterexample (None: no bound)."""
    with without_local_constants(), without_shrink_time_limit(), with_shrink_budget(shrink_calls):
        yield


def seed_only_settings(base: settings) -> settings:
    """`base` with nothing that reads the clock or a database: one bug per run, no deadline."""
    return settings(base, report_multiple_bugs=False, deadline=None, database=None)
