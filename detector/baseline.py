"""The naive defence the detector is compared with: a per-account rate limit.

An account is flagged the first time it exceeds ``limit`` requests within one fixed
``window_s`` bucket of event time. This is what most APIs deploy; evaluation reports show what
it catches (heavy scrapers), what it misses (sybils that stay under it) and whom it hits
(legitimate high-volume customers).
"""

from __future__ import annotations

import numpy as np

from detector.records import RecordBatch

__all__ = ["RateLimitBaseline"]


class RateLimitBaseline:
    """Flag accounts that send more than ``limit`` requests in a ``window_s`` bucket.

    Examples
    --------
    >>> from detector.records import BatchDecoder
    >>> lines = [b'{"ts": %d, "account_id": "busy"}' % (1767225600 + i) for i in range(5)]
    >>> batch, _ = BatchDecoder().decode(lines, "doc")
    >>> baseline = RateLimitBaseline(limit=3, window_s=60)
    >>> baseline.observe(batch)
    >>> baseline.first_flag
    {'busy': 1767225603.0}
    """

    def __init__(self, limit: int = 60, window_s: float = 60.0):
        self.limit = limit
        self.window_s = window_s
        self.first_flag: dict[str, float] = {}
        self._counts: dict[tuple[str, int], int] = {}
        self._current = -1

    @property
    def description(self) -> str:
        return f"per-account rate limit: more than {self.limit} requests per {self.window_s:g} s"

    def observe(self, batch: RecordBatch) -> None:
        buckets = np.floor(batch.ts / self.window_s).astype(np.int64).tolist()
        counts = self._counts
        for account, bucket, ts in zip(batch.account_id, buckets, batch.ts.tolist(), strict=True):
            if bucket > self._current:
                # Fixed windows: older buckets can no longer fill up; forget them.
                self._current = bucket
                counts = self._counts = {k: v for k, v in counts.items() if k[1] >= bucket - 1}
            key = (account, bucket)
            count = counts[key] = counts.get(key, 0) + 1
            if count > self.limit and account not in self.first_flag:
                self.first_flag[account] = ts
