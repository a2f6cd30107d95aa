"""Hypothesis runs that depend only on their seed, not on which modules happen to be loaded.

Hypothesis sometimes draws "local constants": literals it harvests from every module of the
project that is imported at the time. So the same seed generated and shrank differently depending
on what else the process had imported (after a Z3 proof, say, or under another pytest
selection): the determinism finding of docs/findings.md. `without_local_constants` switches that
harvest off for the duration of a run, so a seed names one run everywhere.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_local_constants() -> Iterator[None]:
    """Within the block, Hypothesis draws no constants harvested from the loaded modules."""
    providers = importlib.import_module("hypothesis.internal.conjecture.providers")
    original = getattr(providers, "_get_local_constants", None)
    constants = getattr(providers, "Constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or constants is None or cache is None:  # a Hypothesis without the harvest
        yield
        return
    empty = constants()
    providers._get_local_constants = lambda: empty  # type: ignore[attr-defined]
    cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original  # type: ignore[attr-defined]
        cache.cache.clear()
