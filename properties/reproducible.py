"""Hypothesis runs that depend only on their inputs and seed: not on loaded modules, not on time.

Three things besides the seed steered a Hypothesis run (docs/findings.md, the determinism finding):

* "local constants": Hypothesis draws literals it harvests from every project module imported at
  the time, so the same seed generated and shrank differently after a Z3 proof, say, or under
  another pytest selection. `without_local_constants` switches that harvest off, for both
  engines. (`with_fixed_local_constants` replaces it by the literals of a fixed list of
  packages; the machine used it while it needed the model's own literals to reach some rules.
  Harvested literals also made every edit of a literal in `model/` or `properties/` reshuffle
  what the machine generates, so a mutant that changed a number was judged on other traces
  than the model it came from; the rules now reach each boundary on their own.)
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
import importlib.util
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from types import ModuleType

from hypothesis import settings

NO_SHRINK_TIME_LIMIT = 10**9
"""Seconds: in effect no wall-clock limit on shrinking."""


HARVESTED_PACKAGES: tuple[str, ...] = ("model", "properties")
"""The packages whose literals the Hypothesis engine draws as local constants, always all of them."""


@contextmanager
def _local_constants_from(packages: tuple[str, ...]) -> Iterator[None]:
    providers = importlib.import_module("hypothesis.internal.conjecture.providers")
    original = getattr(providers, "_get_local_constants", None)
    constants_cache = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or constants_cache is None:  # a Hypothesis without the harvest
        yield
        return
    fixed = _harvest(packages)
    providers._get_local_constants = lambda: fixed  # type: ignore[attr-defined]
    constants_cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original  # type: ignore[attr-defined]
        constants_cache.cache.clear()


@cache
def _harvest(packages: tuple[str, ...]) -> object:
    """Hypothesis' constants of every module of `packages`, in name order (none if unavailable)."""
    providers = importlib.import_module("hypothesis.internal.conjecture.providers")
    constants_ast = importlib.import_module("hypothesis.internal.constants_ast")
    harvested = providers.Constants()
    from_module = getattr(constants_ast, "constants_from_module", None)
    if from_module is None:
        return harvested
    for name in _module_names(packages):
        # A stand-in module naming the source file: read, never imported (some import Z3).
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        stand_in = ModuleType(name)
        stand_in.__file__ = spec.origin
        harvested |= from_module(stand_in)
    return harvested


def _module_names(packages: tuple[str, ...]) -> list[str]:
    names = set(packages)
    for package in packages:
        path = importlib.import_module(package).__path__
        names.update(info.name for info in pkgutil.walk_packages(path, prefix=f"{package}."))
    return sorted(names)


def get_harvested_modules(packages: tuple[str, ...] = HARVESTED_PACKAGES) -> list[str]:
    """The modules whose literals `with_fixed_local_constants` hands Hypothesis, in order."""
    return _module_names(packages)


@contextmanager
def without_local_constants() -> Iterator[None]:
    """Within the block, Hypothesis draws no constants harvested from the loaded modules."""
    with _local_constants_from(()):
        yield


@contextmanager
def with_fixed_local_constants(packages: tuple[str, ...] = HARVESTED_PACKAGES) -> Iterator[None]:
    """Within the block, Hypothesis' local constants are those of `packages`, whatever is loaded."""
    with _local_constants_from(packages):
        yield


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
