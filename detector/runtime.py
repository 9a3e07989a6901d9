"""Process-wide settings for a detector process (the command line sets them at start)."""

from __future__ import annotations

import gc

__all__ = ["GC_THRESHOLDS", "tune_gc"]

GC_THRESHOLDS = (50_000, 20, 100)
"""Allocations between young-generation collections, and the older generations' ratios."""


def tune_gc() -> None:
    """Collect garbage far less often than CPython's default.

    The pipeline allocates short-lived tuples and lists for every record (decoded records,
    their column lists) and creates almost no reference cycles. With the default threshold of
    700 allocations, the collector runs every few hundred records for nothing: it took a fifth
    to a quarter of replay time. Objects alive after start-up (configuration, compiled
    patterns, models) are frozen out of collections altogether.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
