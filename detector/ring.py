"""The request ring: each account's last requests (time and hashes), in two tiers.

Most tracked accounts are light: a few requests in the whole window. A ring of
``recent_requests`` (32) slots per account would spend most of its bytes on empty slots, so a
row keeps its first ``light`` (8) requests in per-row arrays of that width, and moves to a
full-width row of a second set of arrays, the *heavy* tier, when a push would take it past
them (and stays there while the account is tracked). The heavy tier grows with the heavy
accounts only. At 1 M light accounts the ring costs
220 bytes per account instead of 840; a heavy account costs both, 1,052.

Readers never see the tiers: :meth:`RequestRing.gather` returns full-width rows, and
checkpoints hold the full-width form (the layout they always had), so a checkpoint is read
by any version and the tiers are rebuilt on restore.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from detector.rows import grown

__all__ = ["LIGHT_SLOTS", "RequestRing", "RingRows"]

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
F64 = npt.NDArray[np.float64]

LIGHT_SLOTS = 8
"""Requests a light row holds before it moves to the heavy tier."""


class RingRows(NamedTuple):
    """Full-width ring rows of some accounts: entry ``i`` of a row is the request pushed
    ``i``-th, modulo the ring's length."""

    ts: U32
    """Whole seconds of each entry (rows x length)."""
    columns: dict[str, npt.NDArray[Any]]
    """Each hash column (rows x length); 0 means "absent"."""
    pushed: I64
    """Requests ever pushed per row: entries at or past it are empty."""

    def within(self, now: float, horizon_s: float) -> npt.NDArray[np.bool_]:
        """Which entries hold a request from the last ``horizon_s`` before ``now`` (to the
        second: the ring keeps whole seconds)."""
        filled = np.arange(self.ts.shape[1])[None, :] < self.pushed[:, None]
        within: npt.NDArray[np.bool_] = filled & (self.ts > now - horizon_s)
        return within


class RequestRing:
    """The last ``length`` requests of every row, light rows in ``LIGHT_SLOTS`` slots.

    Parameters
    ----------
    length
        Requests kept per row.
    dtypes
        Each hash column's dtype.
    capacity
        Rows to start with (see :meth:`row_arrays`: the owner grows them).

    Examples
    --------
    >>> ring = RequestRing(4, {"ip": np.uint32}, capacity=2, light=2)
    >>> rows = np.array([0, 0, 0, 1])
    >>> ring.push(rows, np.array([10.0, 11, 12, 20]), {"ip": np.array([1, 2, 3, 9])})
    >>> ring.heavy_rows  # row 0 took three requests: past its two light slots
    1
    >>> view = ring.gather(np.array([0, 1]))
    >>> view.columns["ip"].tolist(), view.pushed.tolist()
    ([[1, 2, 3, 0], [9, 0, 0, 0]], [3, 1])
    """

    def __init__(
        self,
        length: int,
        dtypes: dict[str, type[np.unsignedinteger[Any]]],
        capacity: int,
        light: int = LIGHT_SLOTS,
    ):
        self.length = length
        self.light = min(light, length)
        self.dtypes = dtypes
        self.count = np.zeros(capacity, dtype=np.int64)
        self.ts = np.zeros((capacity, self.light), dtype=np.uint32)
        self.columns = {
            name: np.zeros((capacity, self.light), dtype=dtype) for name, dtype in dtypes.items()
        }
        self.heavy = np.full(capacity, -1, dtype=np.int32)
        """Each row's heavy-tier row; -1 while it is light."""
        self._heavy_ts = np.zeros((0, length), dtype=np.uint32)
        self._heavy_columns = {
            name: np.zeros((0, length), dtype=dtype) for name, dtype in dtypes.items()
        }
        self._heavy_free: list[int] = []
        self._heavy_used = 0
        """Heavy rows handed out so far (released ones go to the free list)."""

    @property
    def heavy_rows(self) -> int:
        """Rows currently in the heavy tier."""
        return self._heavy_used - len(self._heavy_free)

    @property
    def nbytes(self) -> int:
        """Bytes of both tiers' arrays."""
        arrays: list[npt.NDArray[Any]] = [self.count, self.ts, self.heavy, self._heavy_ts]
        arrays += [*self.columns.values(), *self._heavy_columns.values()]
        return sum(array.nbytes for array in arrays)

    def row_arrays(self) -> dict[str, tuple[npt.NDArray[Any], float]]:
        """The per-row arrays by name, with the value of an unused row: the owner grows and
        clears them with its other per-row arrays (after :meth:`release`)."""
        arrays: dict[str, tuple[npt.NDArray[Any], float]] = {
            "ts": (self.ts, 0),
            "count": (self.count, 0),
            "heavy": (self.heavy, -1),
        }
        for name, column in self.columns.items():
            arrays[name] = (column, 0)
        return arrays

    def set_row_array(self, name: str, array: npt.NDArray[Any]) -> None:
        if name in self.columns:
            self.columns[name] = array
        else:
            setattr(self, name, array)

    def release(self, rows: I64) -> None:
        """Return the heavy-tier rows of ``rows`` (before the owner clears the row arrays)."""
        heavy = self.heavy[rows]
        self._heavy_free.extend(heavy[heavy >= 0].tolist())

    def push(self, rows: I64, ts: F64, columns: dict[str, npt.NDArray[Any]]) -> None:
        """Append requests: ``rows`` sorted, each row's requests in event-time order. Of a
        row's requests only the newest ``length`` are written (earlier ones would be
        overwritten in the same push)."""
        n = len(rows)
        if n == 0:
            return
        starts = np.flatnonzero(np.diff(rows, prepend=-1))
        sizes = np.diff(np.append(starts, n))
        rank = np.arange(n) - np.repeat(starts, sizes)
        size = np.repeat(sizes, sizes)
        keep = rank >= size - self.length
        rows_k = rows[keep]
        index = self.count[rows_k] + rank[keep] - np.maximum(size[keep] - self.length, 0)
        distinct = rows[starts]
        self.count[distinct] += sizes
        if self.light < self.length:
            passing = distinct[(self.count[distinct] > self.light) & (self.heavy[distinct] < 0)]
            self._promote(passing)
        heavy = self.heavy[rows_k]
        to_heavy = heavy >= 0
        to_light = ~to_heavy
        seconds = np.floor(ts[keep]).astype(np.uint32)
        # A light row's entries sit at their index itself (below ``light``), or modulo the
        # ring when there is no heavy tier (``light`` = ``length``).
        light_at = (rows_k[to_light], index[to_light] % self.light)
        heavy_at = (heavy[to_heavy], index[to_heavy] % self.length)
        self.ts[light_at] = seconds[to_light]
        self._heavy_ts[heavy_at] = seconds[to_heavy]
        for name, values in columns.items():
            kept = values[keep].astype(self.dtypes[name])
            self.columns[name][light_at] = kept[to_light]
            self._heavy_columns[name][heavy_at] = kept[to_heavy]

    def _promote(self, rows: I64) -> None:
        """Move light ``rows`` to the heavy tier, their entries to the same indexes."""
        if not len(rows):
            return
        reused = self._heavy_free[-len(rows) :]
        del self._heavy_free[-len(rows) :]
        fresh = len(rows) - len(reused)
        if self._heavy_used + fresh > len(self._heavy_ts):
            self._grow_heavy(self._heavy_used + fresh)
        targets = np.array(reused + list(range(self._heavy_used, self._heavy_used + fresh)))
        self._heavy_used += fresh
        self.heavy[rows] = targets
        for heavy, light in [(self._heavy_ts, self.ts), *self._tier_pairs()]:
            heavy[targets] = 0
            heavy[targets, : self.light] = light[rows]

    def _tier_pairs(self) -> list[tuple[npt.NDArray[Any], npt.NDArray[Any]]]:
        return [(self._heavy_columns[name], self.columns[name]) for name in self.columns]

    def _grow_heavy(self, needed: int) -> None:
        new = max(needed, 2 * len(self._heavy_ts), 64)
        self._heavy_ts = grown(self._heavy_ts, new, 0)
        for name, column in self._heavy_columns.items():
            self._heavy_columns[name] = grown(column, new, 0)

    def gather(self, rows: I64) -> RingRows:
        """Full-width ring rows of ``rows``."""
        light_ts, count = self.ts[rows], self.count[rows]
        light = {name: column[rows] for name, column in self.columns.items()}
        if self.light == self.length:
            return RingRows(light_ts, light, count)
        heavy = self.heavy[rows]
        which = np.flatnonzero(heavy >= 0)
        source = heavy[which]
        ts = self._widen(light_ts)
        ts[which] = self._heavy_ts[source]
        columns = {}
        for name, values in light.items():
            columns[name] = self._widen(values)
            columns[name][which] = self._heavy_columns[name][source]
        return RingRows(ts, columns, count)

    def _widen(self, light: npt.NDArray[Any]) -> npt.NDArray[Any]:
        wide = np.zeros((len(light), self.length), dtype=light.dtype)
        wide[:, : self.light] = light
        return wide

    # -- checkpoints: the full-width form, under the names it always had --------------------

    def snapshot(self, rows: I64) -> dict[str, npt.NDArray[Any]]:
        """``rows`` in full width: ``recent_ts``, ``recent_count`` and ``recent.<column>``."""
        view = self.gather(rows)
        arrays: dict[str, npt.NDArray[Any]] = {"recent_ts": view.ts, "recent_count": view.pushed}
        arrays.update({f"recent.{name}": values for name, values in view.columns.items()})
        return arrays

    @staticmethod
    def takes(name: str) -> bool:
        """Whether checkpoint array ``name`` is one of :meth:`snapshot`'s."""
        return name in ("recent_ts", "recent_count") or name.startswith("recent.")

    def restore(self, arrays: dict[str, npt.NDArray[Any]]) -> None:
        """Load a :meth:`snapshot` into rows ``0 …`` of this (empty) ring."""
        ts = arrays["recent_ts"]
        if ts.shape[1:] != (self.length,):
            raise ValueError(
                f"checkpoint array recent_ts has shape {ts.shape[1:]}, "
                f"this config needs {(self.length,)}"
            )
        n = len(ts)
        count = arrays["recent_count"]
        self.count[:n] = count
        pairs = [(ts, self.ts)] + [
            (arrays[f"recent.{name}"], self.columns[name]) for name in self.columns
        ]
        for saved, light in pairs:
            light[:n] = saved[:, : self.light]
        if self.light < self.length:
            heavy = np.flatnonzero(count > self.light)
            self._promote(heavy)
            targets = self.heavy[heavy]
            self._heavy_ts[targets] = ts[heavy]
            for name in self.columns:
                self._heavy_columns[name][targets] = arrays[f"recent.{name}"][heavy]
