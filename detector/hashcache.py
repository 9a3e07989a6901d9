"""Hashes of strings that repeat (IPs, user agents, orgs, gateway fingerprints), each computed
once: a batch costs one set difference and one C-level lookup per value, no Python step per
record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["HashCache"]


class HashCache:
    """``fn`` of each distinct string, cached; ``None`` hashes to 0 ("absent"). Bounded: the
    cache is cleared when it would grow past ``limit`` entries.

    Examples
    --------
    >>> cache = HashCache(len, np.uint32, limit=100)
    >>> cache.hashes(["ab", None, "abc", "ab"]).tolist()
    [2, 0, 3, 2]
    """

    def __init__(self, fn: Callable[[str], int], dtype: type[np.unsignedinteger[Any]], limit: int):
        self._fn, self._dtype, self._limit = fn, dtype, limit
        self.cache: dict[str | None, int] = {None: 0}

    def hashes(self, values: Sequence[str | None]) -> npt.NDArray[Any]:
        cache = self.cache
        missing = set(values).difference(cache)
        if len(cache) + len(missing) > self._limit:
            cache.clear()
            cache[None] = 0
            missing = set(values)
            missing.discard(None)
        for value in missing:
            cache[value] = self._fn(value)  # type: ignore[arg-type]
        return np.fromiter(map(cache.__getitem__, values), dtype=self._dtype, count=len(values))
