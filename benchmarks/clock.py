"""Wall time per stage of a run, measured by wrapping the methods that do each stage."""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

__all__ = ["StageClock"]


class StageClock:
    """Seconds spent in each named stage (wrapped calls of one stage add up)."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - start

        return timed

    def attach(self, owner: object, method: str, stage: str) -> None:
        """Time every later call of ``owner.method`` as ``stage``."""
        setattr(owner, method, self.wrap(stage, getattr(owner, method)))
