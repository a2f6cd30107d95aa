"""The garbage collector's pace while the Hypothesis machine runs.

Collections decide no draw, verdict or counterexample, only when memory is freed: a run is the
same at any pace (every report hash is unchanged), and faster at this one (docs/benchmarks.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

MACHINE_COLLECTOR_THRESHOLDS = (20_000, 50, 50)
"""The garbage collector's thresholds while the machine runs (Python's own are 700, 10, 10).

Hypothesis allocates several container objects per draw and the model several records per step,
nearly all freed by reference counting, so at Python's thresholds the collector ran about every
700 allocations and walked the young objects in vain: about 7% of a default machine run. At these
thresholds it runs a thirtieth as often. It still frees every cycle (each example leaves some),
later; the peak memory of a default run grows by a few percent (docs/benchmarks.md)."""


@contextmanager
def paced_collector(
    thresholds: tuple[int, int, int] = MACHINE_COLLECTOR_THRESHOLDS,
) -> Iterator[None]:
    """Run the block with the collector at `thresholds` (only raised, never lowered), and put the
    process's own thresholds back after it. Collections decide no draw or verdict: only when
    memory is freed."""
    before = gc.get_threshold()
    gc.set_threshold(*(max(new, old) for new, old in zip(thresholds, before, strict=True)))
    try:
        yield
    finally:
        gc.set_threshold(*before)
