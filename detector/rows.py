"""Dense array rows for account ids: the bookkeeping behind every columnar per-account store
(window state, campaign signatures)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["RowIndex", "grown"]

I64 = npt.NDArray[np.int64]

_NUMBERS: list[int] = []
"""Row numbers as int objects, shared by every index: the window state's and the signature
store's dicts then hold one object per row number instead of one each (an int is 32 bytes,
its place in this list 8)."""


def _numbers(start: int, stop: int) -> list[int]:
    """The shared int objects for ``start`` … ``stop - 1``."""
    if len(_NUMBERS) < stop:
        _NUMBERS.extend(range(len(_NUMBERS), stop))
    return _NUMBERS[start:stop]


def grown(array: npt.NDArray[Any], rows: int, fill: Any) -> npt.NDArray[Any]:
    """``array`` with ``rows`` rows: its own, then rows of ``fill``.

    A zero fill comes from ``np.zeros``, whose pages the kernel maps only when first written:
    rows not yet used cost no resident memory, and growing a large array holds the old one and
    a copy of it (not the old one and a whole new one written full).

    Examples
    --------
    >>> grown(np.array([[1, 2]]), 3, fill=0).tolist()
    [[1, 2], [0, 0], [0, 0]]
    """
    shape = (rows, *array.shape[1:])
    if fill == 0:
        out = np.zeros(shape, dtype=array.dtype)
    else:
        out = np.full(shape, fill, dtype=array.dtype)
    out[: len(array)] = array
    return out


class RowIndex:
    """Each account gets a row once; released rows are reused before unused ones (the last
    released first), and unused ones are handed out lowest first.

    Examples
    --------
    >>> index = RowIndex()
    >>> index.grow(2)
    >>> index.assign("a"), index.assign("b"), index.full
    (0, 1, True)
    >>> index.release(np.array([0]))
    >>> index.assign("c"), index.accounts(np.array([0, 1]))
    (0, ['c', 'b'])
    """

    def __init__(self) -> None:
        self.row_of: dict[str, int] = {}
        self.account_of: list[str | None] = []
        self._free: list[int] = []

    def __len__(self) -> int:
        return len(self.row_of)

    @property
    def capacity(self) -> int:
        return len(self.account_of)

    @property
    def full(self) -> bool:
        return not self._free

    def grow(self, capacity: int) -> None:
        old = self.capacity
        self.account_of.extend([None] * (capacity - old))
        self._free[:0] = _numbers(old, capacity)[::-1]

    def assign(self, account: str) -> int:
        """A free row for a new ``account`` (the caller makes sure one is free)."""
        row = self._free.pop()
        self.row_of[account] = row
        self.account_of[row] = account
        return row

    def release(self, rows: I64) -> None:
        for row in rows.tolist():
            account = self.account_of[row]
            if account is not None:
                self.account_of[row] = None
                self._free.append(self.row_of.pop(account))  # the shared int, not ``row``

    def load(self, accounts: list[str]) -> None:
        """Start over with ``accounts`` in rows 0, 1, … (a restored checkpoint)."""
        n = len(accounts)
        self.row_of = dict(zip(accounts, _numbers(0, n), strict=True))
        self.account_of = [*accounts, *[None] * (self.capacity - n)]
        self._free = _numbers(n, self.capacity)[::-1]

    def rows(self) -> I64:
        """Every assigned row."""
        return np.fromiter(self.row_of.values(), dtype=np.int64, count=len(self.row_of))

    def accounts(self, rows: I64) -> list[str]:
        account_of = self.account_of
        return [account_of[r] or "" for r in rows.tolist()]
