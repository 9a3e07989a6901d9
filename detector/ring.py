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


def _saved_name(column: str) -> str:
    """A ring column's name in checkpoints (the names the ring's arrays always had)."""
    return "recent_ts" if column == "ts" else f"recent.{column}"


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
        # Whole seconds (uint32 holds every valid ts, up to 2100) are one more column.
        self.dtypes: dict[str, type[np.unsignedinteger[Any]]] = {"ts": np.uint32, **dtypes}
        self.count = np.zeros(capacity, dtype=np.int64)
        self.heavy = np.full(capacity, -1, dtype=np.int32)
        """Each row's heavy-tier row; -1 while it is light."""
        self._light = {
            name: np.zeros((capacity, self.light), dtype=dtype)
            for name, dtype in self.dtypes.items()
        }
        self._heavy = {
            name: np.zeros((0, length), dtype=dtype) for name, dtype in self.dtypes.items()
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
        arrays: list[npt.NDArray[Any]] = [self.count, self.heavy]
        arrays += [*self._light.values(), *self._heavy.values()]
        return sum(array.nbytes for array in arrays)

    def row_arrays(self) -> dict[str, tuple[npt.NDArray[Any], float]]:
        """The per-row arrays by name, with the value of an unused row: the owner grows and
        clears them with its other per-row arrays (after :meth:`release`)."""
        arrays: dict[str, tuple[npt.NDArray[Any], float]] = {
            "count": (self.count, 0),
            "heavy": (self.heavy, -1),
        }
        arrays.update({name: (light, 0) for name, light in self._light.items()})
        return arrays

    def set_row_array(self, name: str, array: npt.NDArray[Any]) -> None:
        if name in self._light:
            self._light[name] = array
        else:
            setattr(self, name, array)

    def release(self, rows: I64) -> None:
        """Return the heavy-tier rows of ``rows`` (before the owner clears the row arrays)."""
        heavy = self.heavy[rows]
        self._heavy_free.extend(heavy[heavy >= 0].tolist())

    def push(
        self,
        rows: I64,
        ts: F64,
        columns: dict[str, npt.NDArray[Any]],
        order: I64 | None = None,
    ) -> None:
        """Append requests: ``rows`` sorted, each row's requests in event-time order, ``ts``
        aligned with them; ``columns[name][order[i]]`` is request ``i``'s value (``order``
        defaults to the identity). Of a row's requests only the newest ``length`` are
        written (earlier ones would be overwritten in the same push)."""
        n = len(rows)
        if n == 0:
            return
        starts = np.flatnonzero(np.diff(rows, prepend=-1))
        sizes = np.diff(np.append(starts, n))
        rank = np.arange(n) - np.repeat(starts, sizes)
        size = np.repeat(sizes, sizes)
        keep = np.flatnonzero(rank >= size - self.length)
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
        # A light row's entries sit at their index itself (below ``light``), or modulo the
        # ring when there is no heavy tier (``light`` = ``length``).
        light_at = (rows_k[to_light], index[to_light] % self.light)
        heavy_at = (heavy[to_heavy], index[to_heavy] % self.length)
        taken = keep if order is None else order[keep]
        values = {"ts": np.floor(ts[keep])}
        values.update({name: column[taken] for name, column in columns.items()})
        for name, kept in values.items():
            kept = kept.astype(self.dtypes[name])
            self._light[name][light_at] = kept[to_light]
            self._heavy[name][heavy_at] = kept[to_heavy]

    def _promote(self, rows: I64) -> None:
        """Move light ``rows`` to the heavy tier, their entries to the same indexes."""
        if not len(rows):
            return
        reused = self._heavy_free[-len(rows) :]
        del self._heavy_free[-len(rows) :]
        fresh = len(rows) - len(reused)
        if self._heavy_used + fresh > len(self._heavy["ts"]):
            new = max(self._heavy_used + fresh, 2 * len(self._heavy["ts"]), 64)
            self._heavy = {name: grown(heavy, new, 0) for name, heavy in self._heavy.items()}
        targets = np.array(reused + list(range(self._heavy_used, self._heavy_used + fresh)))
        self._heavy_used += fresh
        self.heavy[rows] = targets
        for name, heavy in self._heavy.items():
            heavy[targets] = 0
            heavy[targets, : self.light] = self._light[name][rows]

    def gather(self, rows: I64) -> RingRows:
        """Full-width ring rows of ``rows``."""
        wide = {name: light[rows] for name, light in self._light.items()}
        if self.light < self.length:
            heavy = self.heavy[rows]
            which = np.flatnonzero(heavy >= 0)
            source = heavy[which]
            for name, values in wide.items():
                wide[name] = np.zeros((len(rows), self.length), dtype=values.dtype)
                wide[name][:, : self.light] = values
                wide[name][which] = self._heavy[name][source]
        ts = wide.pop("ts")
        return RingRows(ts, wide, self.count[rows])

    # -- checkpoints: the full-width form, under the names it always had --------------------

    def snapshot(self, rows: I64) -> dict[str, npt.NDArray[Any]]:
        """``rows`` in full width: ``recent_ts``, ``recent_count`` and ``recent.<column>``."""
        view = self.gather(rows)
        columns = {"ts": view.ts, **view.columns}
        arrays = {_saved_name(name): values for name, values in columns.items()}
        arrays["recent_count"] = view.pushed
        return arrays

    @staticmethod
    def takes(name: str) -> bool:
        """Whether checkpoint array ``name`` is one of :meth:`snapshot`'s."""
        return name in ("recent_ts", "recent_count") or name.startswith("recent.")

    def restore(self, arrays: dict[str, npt.NDArray[Any]]) -> None:
        """Load a :meth:`snapshot` into rows ``0 …`` of this (empty) ring."""
        saved = {name: arrays[_saved_name(name)] for name in self._light}
        if saved["ts"].shape[1:] != (self.length,):
            raise ValueError(
                f"checkpoint array recent_ts has shape {saved['ts'].shape[1:]}, "
                f"this config needs {(self.length,)}"
            )
        n = len(saved["ts"])
        count = arrays["recent_count"]
        self.count[:n] = count
        for name, values in saved.items():
            self._light[name][:n] = values[:, : self.light]
        if self.light < self.length:
            heavy = np.flatnonzero(count > self.light)
            self._promote(heavy)
            for name, values in saved.items():
                self._heavy[name][self.heavy[heavy]] = values[heavy]
