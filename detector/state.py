"""Columnar per-account window state, in event time.

Each tracked account owns one *row* of a set of NumPy arrays:

* per window (short, long): a ring of event-time buckets, each a vector of counters
  (requests, tokens, shares' numerators, inter-arrival gap sums, intent counts), and the
  number of the newest bucket. A sliding window is the sum of the ring's buckets whose
  number falls inside it, so a bucket expires by event time alone, never by wall time. The
  short window keeps only the counters its signals read (:data:`SHORT_COUNTERS`): 44 bytes
  per account at the default 5 buckets, the long window 676 at 12;
* a ring of the last ``recent_requests`` requests: time, prompt hashes, IP, network and
  user-agent hashes, from which diversity and infrastructure signals are computed. Light
  accounts keep theirs in fewer slots (:mod:`detector.ring`);
* bookkeeping: first/last seen, last scored, dirty flag.

Rows are assigned through a dict once per account and reused after eviction (idle TTL, or the
oldest accounts when ``max_accounts`` is reached). Updates are vectorised over a whole batch.
Hashes are kept as 32 bits, and compared across accounts (campaign sketches, sharing). The
exact-prompt hash is only ever compared within one account's ring, so it keeps 16 bits: among
32 distinct prompts two agree by chance 1 time in 130, which moves ``distinct_prompt_share``
by 1/32 that often.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import xxhash

from detector import _kernels
from detector.config import StateConfig, WindowConfig, WindowsConfig
from detector.fingerprints import Fingerprints
from detector.hashcache import HashCache
from detector.records import TS_MAX, RecordBatch, object_column
from detector.ring import RequestRing
from detector.rows import RowIndex, grown

__all__ = [
    "BASE_COUNTERS",
    "SHORT_COUNTERS",
    "AccountState",
    "SharingIndex",
    "UpdateResult",
    "hash32",
]

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U16 = npt.NDArray[np.uint16]
F64 = npt.NDArray[np.float64]

BASE_COUNTERS = (
    "requests",
    "prompt_tokens",
    "completion_tokens",
    "length_cut",
    "reasoning",
    "logprobs",
    "multi_n",
    "errors",
    "rate_limited",
    "gap_sum",
    "gap_sq",
    "gap_n",
)
SHORT_COUNTERS = ("requests", "completion_tokens")
"""What the short window counts: the burst signals' inputs (the request count first)."""
RECENT_FIELDS = ("exact", "prefix", "suffix", "ip", "network", "user_agent")
_RECENT_DTYPES = {"exact": np.uint16}
"""Ring columns narrower than 32 bits (see the module docstring)."""
_INITIAL_ROWS = 1024


_STRING_HASHES = HashCache(
    lambda v: xxhash.xxh32_intdigest(v.encode()) or 1, np.uint32, limit=500_000
)


def _low16(hashes: npt.NDArray[np.unsignedinteger[Any]]) -> U16:
    """The low 16 bits of hashes, keeping 0 for "absent" only: a hash whose low bits are 0
    becomes 1."""
    low = (hashes & 0xFFFF).astype(np.uint16)
    low[(low == 0) & (hashes != 0)] = 1
    return low


def hash32(values: Sequence[str | None]) -> U32:
    """32-bit hashes of strings, stable across processes; ``None`` maps to 0 ("absent").

    IPs, networks, user agents and orgs repeat heavily, so hashes are cached (bounded).
    """
    return _STRING_HASHES.hashes(values)


@dataclass(frozen=True)
class UpdateResult:
    rows: I64
    """The state row of each record of the batch."""
    late: int
    """Records older than the long window at arrival: counted in totals, not in windows."""
    new_accounts: int
    evicted: int


class _Window:
    """A ring of event-time buckets for every row, each bucket a vector of the named counters
    (``requests`` first).

    A row keeps only its newest bucket number, ``head``: slot ``s`` holds bucket
    ``head - (head - s) % buckets``. Moving the head on clears the slots it passes, so no
    slot ever holds a bucket older than the ring. One number per row instead of one per
    bucket: 88 bytes less per account in the long window at the default 12 buckets.
    """

    def __init__(self, config: WindowConfig, counters: tuple[str, ...], capacity: int):
        self.bucket_s = config.bucket_s
        self.buckets = config.buckets
        self.length_s = config.length_s
        self.counter_index = {name: i for i, name in enumerate(counters)}
        # Bucket numbers of valid times (up to 2100) fit 32 bits unless buckets are under 2 s.
        wide = TS_MAX / self.bucket_s >= 2**31
        self.head: npt.NDArray[np.signedinteger[Any]] = np.full(
            capacity, -1, dtype=np.int64 if wide else np.int32
        )
        """Each row's newest bucket number; -1 for a row that has none."""
        self.counters = np.zeros((capacity, self.buckets, len(counters)), dtype=np.float32)

    def add(self, rows: I64, ts: F64, values: npt.NDArray[np.float32]) -> None:
        """Add ``values`` (records × counters) into each record's bucket.

        Records sorted by row and time, as :meth:`AccountState.update` passes them, are
        summed as they come; others are sorted first (stably: the sums add up in the same
        order either way).
        """
        if not len(rows):  # a batch of late records only
            return
        n_buckets = self.buckets
        bucket = np.floor(ts / self.bucket_s).astype(np.int64)
        row_step = rows[1:] != rows[:-1]
        if not ((rows[1:] > rows[:-1]) | ~row_step & (bucket[1:] >= bucket[:-1])).all():
            order = np.lexsort((bucket, rows))
            rows, bucket, values = rows[order], bucket[order], values[order]
            row_step = rows[1:] != rows[:-1]
        bucket_step = bucket[1:] != bucket[:-1]
        last = np.flatnonzero(np.append(row_step, True))
        self._advance(rows[last], bucket[last])
        # One sum per run of records of one row and bucket; a bucket the ring has already
        # passed (a straggler) is outside the window.
        start = np.flatnonzero(np.append(True, row_step | bucket_step))
        run_rows, run_buckets = rows[start], bucket[start]
        keep = run_buckets > self.head[run_rows] - n_buckets
        # Summed in float64 and rounded once, as the counters' float32 could not hold the
        # partial sums of squared gaps exactly.
        sums = np.add.reduceat(values.astype(np.float64), start, axis=0)[keep]
        self.counters[run_rows[keep], run_buckets[keep] % n_buckets] += sums.astype(np.float32)

    def _advance(self, rows: I64, newest: I64) -> None:
        """Move heads on to ``newest`` (distinct ``rows``), clearing the slots passed."""
        head = self.head[rows]
        moved = newest > head
        rows, head, newest = rows[moved], head[moved], newest[moved]
        if not len(rows):
            return
        # Slots of the buckets head+1 … newest, or all of them once the gap spans the ring.
        passed = np.minimum(newest - head, self.buckets)
        offset = (np.arange(self.buckets) - head[:, None] - 1) % self.buckets
        counters = self.counters[rows]
        counters[offset < passed[:, None]] = 0
        self.counters[rows] = counters
        self.head[rows] = newest

    def slot_buckets(self, rows: I64) -> I64:
        """The bucket number each ring slot of ``rows`` holds (negative: none yet)."""
        head = self.head[rows][:, None]
        return head - (head - np.arange(self.buckets)) % self.buckets

    def _inside(self, rows: I64, now: float) -> npt.NDArray[np.bool_]:
        """Which ring slots of ``rows`` hold a bucket of the window ending at ``now``."""
        current = int(np.floor(now / self.bucket_s))
        numbers = self.slot_buckets(rows)
        return (numbers > current - self.buckets) & (numbers <= current)

    def sums(self, rows: I64, now: float) -> npt.NDArray[np.float64]:
        """Counter totals over the window ending at event time ``now`` (rows × counters)."""
        inside = self._inside(rows, now)
        return np.einsum(
            "rbc,rb->rc", self.counters[rows], inside.astype(np.float32), dtype=np.float64
        )

    def requests(self, rows: I64, now: float) -> F64:
        """Requests in the window ending at ``now`` (counter 0 is the request count)."""
        inside = self._inside(rows, now)
        return np.where(inside, self.counters[rows, :, 0], 0).sum(axis=1, dtype=np.float64)

    def active_buckets(self, rows: I64, now: float) -> I64:
        """How many of the window's buckets saw at least one request."""
        inside = self._inside(rows, now)
        return (inside & (self.counters[rows, :, 0] > 0)).sum(axis=1).astype(np.int64)


class SharingIndex:
    """Which owners (orgs, or accounts without one) recently used each IP or network.

    An owner is the account's ``org_id`` when it has one: a company's service accounts behind
    one egress IP are one owner, while a proxy pool shared by throwaway accounts has many.
    Entries older than ``ttl_s`` of event time are swept out.

    The index is a sorted array of (key, owner) pairs with the time each was last seen, in
    whole seconds rounded up (an owner is remembered at least ``ttl_s``): updates are a few
    vectorised searches, owner counts binary searches in C, at 12 bytes per pair.

    Examples
    --------
    >>> index = SharingIndex(ttl_s=3600)
    >>> index.add(np.array([7, 7, 7, 9], dtype=np.uint32), np.array([1, 2, 1, 1], dtype=np.uint32),
    ...           np.array([0.0, 1.0, 2.0, 3.0]))
    >>> keys = np.array([[7, 9, 0, 5], [9, 5, 0, 0]], dtype=np.uint32)
    >>> index.max_owners(keys, keys != 0).tolist()
    [2, 1]
    """

    def __init__(self, ttl_s: float):
        self.ttl_s = ttl_s
        self._pairs = np.empty(0, dtype=np.uint64)
        """Sorted ``key << 32 | owner``."""
        self._seen = np.empty(0, dtype=np.uint32)
        self._swept_at = -np.inf

    def __len__(self) -> int:
        """Distinct keys."""
        keys = self._pairs >> np.uint64(32)
        return int(np.count_nonzero(keys[1:] != keys[:-1])) + 1 if len(keys) else 0

    def add(self, keys: U32, owners: U32, ts: F64) -> None:
        present = keys != 0
        if not present.any():
            return
        pair = (keys[present].astype(np.uint64) << np.uint64(32)) | owners[present]
        order = np.lexsort((ts[present], pair))  # by pair, then time: the last is the latest
        sorted_pair = pair[order]
        last = np.flatnonzero(np.append(sorted_pair[1:] != sorted_pair[:-1], True))
        upair = sorted_pair[last]
        latest = np.ceil(ts[present][order][last]).astype(np.uint32)
        at = np.searchsorted(self._pairs, upair)
        known = at < len(self._pairs)
        known[known] = self._pairs[at[known]] == upair[known]
        seen = at[known]
        self._seen[seen] = np.maximum(self._seen[seen], latest[known])
        fresh = ~known
        self._pairs = np.insert(self._pairs, at[fresh], upair[fresh])
        self._seen = np.insert(self._seen, at[fresh], latest[fresh])

    def sweep(self, now: float) -> None:
        if now - self._swept_at < self.ttl_s / 4:
            return
        self._swept_at = now
        keep = self._seen >= now - self.ttl_s
        self._pairs, self._seen = self._pairs[keep], self._seen[keep]

    def snapshot(self) -> list[list[float]]:
        """Flat ``[key, owner, last_seen]`` triples."""
        keys = (self._pairs >> np.uint64(32)).tolist()
        owners = (self._pairs & np.uint64(0xFFFFFFFF)).tolist()
        return [list(t) for t in zip(keys, owners, self._seen.tolist(), strict=True)]

    def restore(self, triples: list[list[float]]) -> None:
        saved = np.array(triples, dtype=np.float64).reshape(-1, 3)
        pairs = (saved[:, 0].astype(np.uint64) << np.uint64(32)) | saved[:, 1].astype(np.uint64)
        order = np.argsort(pairs, kind="stable")
        self._pairs, self._seen = pairs[order], np.ceil(saved[order, 2]).astype(np.uint32)

    def max_owners(self, keys: U32, valid: npt.NDArray[np.bool_]) -> I64:
        """Per row of ``keys``: the most distinct recent owners any of its valid keys has
        (0 for key 0, "absent")."""
        out = np.empty(len(keys), dtype=np.int64)
        _kernels.max_owners(
            np.ascontiguousarray(keys, dtype=np.uint32),
            np.ascontiguousarray(valid),
            self._pairs,
            out,
        )
        return out


class AccountState:
    """Window state for every tracked account. See the module docstring.

    Examples
    --------
    >>> from detector.config import Config
    >>> from detector.records import BatchDecoder
    >>> from detector.fingerprints import PromptFingerprinter
    >>> cfg = Config()
    >>> state = AccountState(cfg.windows, cfg.state, counters=("cot_elicitation",))
    >>> batch, _ = BatchDecoder().decode(
    ...     [b'{"ts": 1767225600, "account_id": "a", "completion_tokens": 10}',
    ...      b'{"ts": 1767225630, "account_id": "a", "completion_tokens": 30}'], "doc")
    >>> fps = PromptFingerprinter(cfg.fingerprints).fingerprint_batch(batch)
    >>> result = state.update(batch, fps)
    >>> sums = state.long.sums(result.rows[:1], state.watermark)
    >>> ix = state.counter_index
    >>> float(sums[0, ix["completion_tokens"]]), float(sums[0, ix["gap_sum"]])
    (40.0, 30.0)
    """

    def __init__(
        self,
        windows: WindowsConfig,
        config: StateConfig,
        counters: tuple[str, ...] = (),
    ):
        self.config = config
        self.counter_names = BASE_COUNTERS + tuple(counters)
        self.counter_index = {name: i for i, name in enumerate(self.counter_names)}
        self.watermark = -np.inf
        self.capacity = min(_INITIAL_ROWS, config.max_accounts)
        self.short = _Window(windows.short, SHORT_COUNTERS, self.capacity)
        self.long = _Window(windows.long, self.counter_names, self.capacity)
        self._short_columns = [self.counter_index[name] for name in SHORT_COUNTERS]
        self.ring = RequestRing(
            config.recent_requests,
            {name: _RECENT_DTYPES.get(name, np.uint32) for name in RECENT_FIELDS},
            self.capacity,
        )
        self.first_seen = np.zeros(self.capacity, dtype=np.float64)
        self.last_seen = np.full(self.capacity, -np.inf, dtype=np.float64)
        self.last_scored = np.full(self.capacity, -np.inf, dtype=np.float64)
        self.total_requests = np.zeros(self.capacity, dtype=np.int64)
        self.dirty = np.zeros(self.capacity, dtype=bool)
        self.owner = np.zeros(self.capacity, dtype=np.uint32)
        self.index = RowIndex()
        self.index.grow(self.capacity)
        self.ip_sharing = SharingIndex(config.sharing_ttl_s)
        self.network_sharing = SharingIndex(config.sharing_ttl_s)
        self.evicted_total = 0

    def __len__(self) -> int:
        return len(self.index)

    @property
    def row_of(self) -> dict[str, int]:
        """Each tracked account's row."""
        return self.index.row_of

    # -- rows -------------------------------------------------------------------------------

    def _row_arrays(self) -> dict[str, tuple[npt.NDArray[Any], float]]:
        """Every per-row array by a stable name, with the value of an unused row."""
        arrays: dict[str, tuple[npt.NDArray[Any], float]] = {
            "short.head": (self.short.head, -1),
            "short.counters": (self.short.counters, 0),
            "long.head": (self.long.head, -1),
            "long.counters": (self.long.counters, 0),
            "first_seen": (self.first_seen, 0),
            "last_seen": (self.last_seen, -np.inf),
            "last_scored": (self.last_scored, -np.inf),
            "total_requests": (self.total_requests, 0),
            "dirty": (self.dirty, False),
            "owner": (self.owner, 0),
        }
        for name, entry in self.ring.row_arrays().items():
            arrays[f"ring.{name}"] = entry
        return arrays

    def _set_row_array(self, name: str, array: npt.NDArray[Any]) -> None:
        owner, _, attribute = name.rpartition(".")
        if owner == "ring":
            self.ring.set_row_array(attribute, array)
        else:
            setattr(getattr(self, owner) if owner else self, attribute, array)

    def _grow(self, to: int | None = None) -> None:
        old = self.capacity
        new = to or min(old * 2, self.config.max_accounts)
        for name, (array, fill) in self._row_arrays().items():
            self._set_row_array(name, grown(array, new, fill))
        self.index.grow(new)
        self.capacity = new

    def _release(self, rows: I64) -> None:
        self.index.release(rows)
        self.ring.release(rows)
        for array, fill in self._row_arrays().values():
            array[rows] = fill
        self.evicted_total += len(rows)

    # -- checkpoints ------------------------------------------------------------------------

    def snapshot(self) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
        """The state as (arrays, metadata): tracked rows only, compacted, plus the sharing
        indexes. Hashes and counters only: no prompt text exists here to be written."""
        rows = self.index.rows()
        arrays = self.ring.snapshot(rows)
        for name, (array, _) in self._row_arrays().items():
            if not name.startswith("ring."):
                arrays[name] = array[rows]
        meta = {
            "accounts": list(self.row_of),
            "watermark": self.watermark if np.isfinite(self.watermark) else None,
            "evicted_total": self.evicted_total,
            "counter_names": list(self.counter_names),
            "ip_sharing": self.ip_sharing.snapshot(),
            "network_sharing": self.network_sharing.snapshot(),
        }
        return arrays, meta

    def restore(self, arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any]) -> None:
        """Load a :meth:`snapshot` into this (empty) state."""
        if list(meta["counter_names"]) != list(self.counter_names):
            raise ValueError("checkpoint was written with other intents or counters")
        if len(self.row_of):
            raise ValueError("restore into an empty state only")
        accounts: list[str] = meta["accounts"]
        n = len(accounts)
        if n > self.config.max_accounts:
            raise ValueError(f"checkpoint holds {n} accounts, above state.max_accounts")
        if n > self.capacity:
            self._grow(to=min(max(n, _INITIAL_ROWS), self.config.max_accounts))
        current = self._row_arrays()
        upgraded = self._upgraded(arrays)
        self.ring.restore(upgraded)
        for name, saved in upgraded.items():
            if self.ring.takes(name):
                continue
            array, _ = current[name]
            if saved.shape[1:] != array.shape[1:]:
                raise ValueError(
                    f"checkpoint array {name} has shape {saved.shape[1:]}, "
                    f"this config needs {array.shape[1:]}"
                )
            array[:n] = saved
        self.index.load(accounts)
        watermark = meta["watermark"]
        self.watermark = -np.inf if watermark is None else float(watermark)
        self.evicted_total = int(meta["evicted_total"])
        self.ip_sharing.restore(meta["ip_sharing"])
        self.network_sharing.restore(meta["network_sharing"])

    def _upgraded(self, arrays: dict[str, npt.NDArray[Any]]) -> dict[str, npt.NDArray[Any]]:
        """Checkpoint arrays of earlier layouts in this one."""
        arrays = dict(arrays)
        exact = arrays["recent.exact"]
        if exact.dtype != np.uint16:  # written when the ring kept 32 bits of it
            arrays["recent.exact"] = _low16(exact)
        short = arrays["short.counters"]
        if short.shape[2:] == (len(self.counter_names),):
            # Written before the short window kept only its own counters.
            arrays["short.counters"] = short[:, :, self._short_columns]
        for window in ("short", "long"):
            numbers = arrays.pop(f"{window}.bucket_no", None)
            if numbers is None:
                continue
            # Written when every slot kept its bucket number: the newest is the head, and a
            # slot the ring has passed since is cleared, as moving the head would have.
            head = numbers.max(axis=1)
            counters = arrays[f"{window}.counters"].copy()
            counters[numbers <= head[:, None] - numbers.shape[1]] = 0
            arrays[f"{window}.head"] = head
            arrays[f"{window}.counters"] = counters
        return arrays

    def _rows_for(self, accounts: list[str]) -> I64:
        """The row of each account, assigning rows to new ones (evicting at the cap)."""
        index = self.index
        row_of = index.row_of
        found = object_column(list(map(row_of.get, accounts)))
        missing = found == None  # noqa: E711 (elementwise)
        if not missing.any():
            return found.astype(np.int64)
        rows = np.where(missing, -1, found).astype(np.int64)
        unknown = np.flatnonzero(missing)
        for i in unknown.tolist():  # new accounts only: known ones were looked up above
            account = accounts[i]
            row = row_of.get(account)  # an earlier record of this batch may have added it
            if row is None:
                if index.full:
                    if self.capacity < self.config.max_accounts:
                        self._grow()
                    else:
                        # Every row this batch already uses stays, known ones included.
                        self._evict_oldest(protect=rows[rows >= 0])
                row = index.assign(account)
            rows[i] = row
        return rows

    def _evict_oldest(self, protect: I64) -> None:
        """Make room at the cap: drop the least recently seen 1 % (at least one) of rows."""
        last_seen = self.last_seen.copy()
        last_seen[protect] = np.inf  # rows already used by this batch stay
        count = max(1, self.capacity // 100)
        victims = np.argpartition(last_seen, count - 1)[:count]
        victims = victims[np.isfinite(last_seen[victims])]
        self._release(victims.astype(np.int64))

    def evict_idle(self) -> int:
        """Forget accounts idle for longer than ``idle_ttl_s`` of event time."""
        horizon = self.watermark - self.config.idle_ttl_s
        idle = np.flatnonzero(np.isfinite(self.last_seen) & (self.last_seen < horizon)).astype(
            np.int64
        )
        if len(idle):
            self._release(idle)
        self.ip_sharing.sweep(self.watermark)
        self.network_sharing.sweep(self.watermark)
        return len(idle)

    def accounts(self, rows: I64) -> list[str]:
        return self.index.accounts(rows)

    # -- updates ----------------------------------------------------------------------------

    def update(self, batch: RecordBatch, fps: Fingerprints) -> UpdateResult:
        """Fold a decoded, fingerprinted batch into the state; marks its accounts dirty."""
        n = len(batch)
        if n == 0:
            return UpdateResult(np.empty(0, dtype=np.int64), 0, 0, 0)
        tracked, evicted_before = len(self.index), self.evicted_total
        rows = batch.per_distinct("account_id", self._rows_for)
        evicted = self.evicted_total - evicted_before
        new = len(self.index) - tracked + evicted
        ts = batch.ts
        self.watermark = max(self.watermark, float(ts.max()))
        order = np.lexsort((ts, rows))
        rows_s, ts_s = rows[order], ts[order]

        fresh = ~np.isfinite(self.last_seen[rows_s])
        group_start = np.ones(n, dtype=bool)
        group_start[1:] = rows_s[1:] != rows_s[:-1]
        previous = np.empty(n)
        previous[1:] = ts_s[:-1]
        previous[group_start] = self.last_seen[rows_s[group_start]]
        gap = ts_s - previous
        # A gap longer than the long window is a new session, not a rhythm to measure.
        has_gap = np.isfinite(gap) & (gap >= 0) & (gap <= self.long.length_s)
        gap = np.where(has_gap, gap, 0.0)

        values = self._counter_values(batch, fps, order, gap, has_gap)
        late_mask = ts_s < self.watermark - self.long.length_s
        on_time = ~late_mask
        rows_on, ts_on, values_on = rows_s[on_time], ts_s[on_time], values[on_time]
        self.long.add(rows_on, ts_on, values_on)
        self.short.add(rows_on, ts_on, values_on[:, self._short_columns])
        # The owner is the org, or the account itself when it has none.
        owners = batch.per_distinct("org_id", hash32)
        no_org = owners == 0
        if no_org.any():
            owners[no_org] = batch.per_distinct("account_id", hash32)[no_org]
        hashes: dict[str, npt.NDArray[np.uint64] | U32 | U16] = {
            "exact": _low16(fps.exact),
            "prefix": fps.prefix,
            "suffix": fps.suffix,
            "ip": batch.per_distinct("client_ip", hash32),
            "network": batch.per_distinct("network", hash32),
            "user_agent": batch.per_distinct("user_agent", hash32),
        }
        self.ring.push(rows_s, ts_s, hashes, order)

        first_rows = rows_s[group_start & fresh]
        self.first_seen[first_rows] = ts_s[group_start & fresh]
        # Sorted by (row, ts): each row's run ends with its latest record.
        ends = np.append(np.flatnonzero(group_start)[1:] - 1, n - 1)
        self.last_seen[rows_s[ends]] = np.maximum(self.last_seen[rows_s[ends]], ts_s[ends])
        self.total_requests[rows_s[group_start]] += np.diff(
            np.append(np.flatnonzero(group_start), n)
        )
        self.dirty[rows_s] = True

        self.owner[rows] = owners
        self.ip_sharing.add(hashes["ip"].astype(np.uint32), owners, ts)
        self.network_sharing.add(hashes["network"].astype(np.uint32), owners, ts)
        return UpdateResult(rows, int(late_mask.sum()), new, evicted)

    def _counter_values(
        self,
        batch: RecordBatch,
        fps: Fingerprints,
        order: I64,
        gap: F64,
        has_gap: npt.NDArray[np.bool_],
    ) -> npt.NDArray[np.float32]:
        n = len(order)
        values = np.zeros((n, len(self.counter_names)), dtype=np.float32)
        ix = self.counter_index
        status = batch.status[order]
        values[:, ix["requests"]] = 1
        values[:, ix["prompt_tokens"]] = batch.prompt_tokens[order]
        values[:, ix["completion_tokens"]] = batch.completion_tokens[order]
        values[:, ix["length_cut"]] = batch.finish_length[order]
        values[:, ix["reasoning"]] = batch.reasoning[order]
        values[:, ix["logprobs"]] = batch.logprobs[order]
        values[:, ix["multi_n"]] = batch.multi_n[order]
        values[:, ix["errors"]] = (status >= 400) & (status != 429)
        values[:, ix["rate_limited"]] = status == 429
        values[:, ix["gap_sum"]] = gap
        values[:, ix["gap_sq"]] = gap * gap
        values[:, ix["gap_n"]] = has_gap
        intents = fps.intents[order]
        for bit, name in enumerate(self.counter_names[len(BASE_COUNTERS) :]):
            values[:, ix[name]] = (intents >> bit) & 1
        return values

    def due(self, interval_s: float) -> I64:
        """Dirty rows not scored within the last ``interval_s`` of event time."""
        dirty = np.flatnonzero(self.dirty)
        return dirty[self.last_seen[dirty] - self.last_scored[dirty] >= interval_s].astype(np.int64)

    def mark_scored(self, rows: I64) -> None:
        self.last_scored[rows] = self.last_seen[rows]
        self.dirty[rows] = False
