"""Progress reporting for long commands: a bar on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import sys
import time
from types import TracebackType

from tqdm import tqdm

__all__ = ["Progress"]


class Progress:
    """Progress over a known total (bytes, records) with a records counter beside it."""

    def __init__(
        self,
        total: int,
        description: str,
        unit: str = "B",
        enabled: bool = True,
        plain_every_s: float = 10.0,
    ):
        self._tty = sys.stderr.isatty()
        self._enabled = enabled
        self._bar = (
            tqdm(
                total=total,
                desc=description,
                unit=unit,
                unit_scale=True,
                dynamic_ncols=True,
                file=sys.stderr,
            )
            if enabled and self._tty
            else None
        )
        self._total = max(total, 1)
        self._description = description
        self._plain_every_s = plain_every_s
        self._last_plain = time.monotonic()
        self._position = 0

    def update(self, position: int, records: int) -> None:
        if not self._enabled:
            return
        if self._bar is not None:
            self._bar.update(position - self._position)
            self._bar.set_postfix(records=f"{records:,}", refresh=False)
        elif time.monotonic() - self._last_plain >= self._plain_every_s:
            self._last_plain = time.monotonic()
            print(
                f"{self._description}: {100 * position / self._total:5.1f}% ({records:,} records)",
                file=sys.stderr,
                flush=True,
            )
        self._position = position

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.close()
