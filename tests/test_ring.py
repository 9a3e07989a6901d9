import numpy as np
import pytest

from detector.ring import RequestRing

DTYPES = {"ip": np.uint32, "exact": np.uint16}


class FullRing:
    """The reference: every row in full width, entry ``i`` at ``i % length``."""

    def __init__(self, length: int, rows: int):
        self.length = length
        self.ts = np.zeros((rows, length), dtype=np.uint32)
        self.columns = {name: np.zeros((rows, length), dtype=d) for name, d in DTYPES.items()}
        self.pushed = np.zeros(rows, dtype=np.int64)

    def push(self, rows: list[int], ts: list[float], columns: dict[str, list[int]]) -> None:
        for i, row in enumerate(rows):
            slot = self.pushed[row] % self.length
            self.ts[row, slot] = int(ts[i])
            for name, values in columns.items():
                self.columns[name][row, slot] = values[i]
            self.pushed[row] += 1


def random_batch(
    rng: np.random.Generator, rows: int, size: int, clock: float
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    batch_rows = np.sort(rng.integers(0, rows, size))
    ts = clock + np.arange(size, dtype=np.float64) + 0.5
    columns = {
        "ip": rng.integers(1, 2**32, size, dtype=np.uint64),
        "exact": rng.integers(1, 2**16, size, dtype=np.uint64),
    }
    return batch_rows, ts, columns


def assert_same(ring: RequestRing, reference: FullRing, rows: np.ndarray) -> None:
    view = ring.gather(rows)
    assert view.pushed.tolist() == reference.pushed[rows].tolist()
    filled = np.arange(reference.length)[None, :] < reference.pushed[rows][:, None]
    assert (np.where(filled, view.ts, 0) == np.where(filled, reference.ts[rows], 0)).all()
    for name in DTYPES:
        got = np.where(filled, view.columns[name], 0)
        assert (got == np.where(filled, reference.columns[name][rows], 0)).all(), name
        assert view.columns[name].dtype == DTYPES[name]


@pytest.mark.parametrize(("length", "light"), [(8, 3), (8, 8), (5, 1)])
def test_gathered_rows_equal_a_full_width_ring_whatever_the_tier(length: int, light: int) -> None:
    rng = np.random.default_rng(length * 10 + light)
    rows = 40
    ring = RequestRing(length, DTYPES, capacity=rows, light=light)
    reference = FullRing(length, rows)
    clock = 1.767e9
    for _ in range(60):
        # Batches from 1 to 60 records: a row gets 0 to many requests, sometimes more than
        # the ring holds in one push.
        batch_rows, ts, columns = random_batch(rng, rows, int(rng.integers(1, 60)), clock)
        clock += len(ts)
        ring.push(batch_rows, ts, columns)
        reference.push(
            batch_rows.tolist(), ts.tolist(), {k: v.tolist() for k, v in columns.items()}
        )
        assert_same(ring, reference, np.arange(rows))
    heavy = int((reference.pushed > light).sum()) if light < length else 0
    assert ring.heavy_rows == heavy


def test_light_rows_take_no_heavy_row_until_they_pass_the_light_slots() -> None:
    ring = RequestRing(32, DTYPES, capacity=100, light=8)
    rows = np.repeat(np.arange(100), 8)
    ts = np.arange(800, dtype=np.float64)
    ring.push(rows, ts, {"ip": rows + 1, "exact": rows + 1})
    assert ring.heavy_rows == 0 and ring._heavy["ts"].shape[0] == 0
    light_bytes = ring.nbytes
    ring.push(np.array([7]), np.array([900.0]), {"ip": np.array([5]), "exact": np.array([5])})
    assert ring.heavy_rows == 1 and ring.nbytes > light_bytes
    view = ring.gather(np.array([7]))
    assert view.ts[0, :9].tolist() == [56, 57, 58, 59, 60, 61, 62, 63, 900]
    assert view.columns["ip"][0, :9].tolist() == [8] * 8 + [5]


def test_a_released_heavy_row_is_reused_cleared() -> None:
    ring = RequestRing(6, DTYPES, capacity=4, light=2)
    ones = {"ip": np.ones(5, dtype=np.uint64), "exact": np.ones(5, dtype=np.uint64)}
    ring.push(np.zeros(5, dtype=np.int64), np.arange(5.0), ones)
    assert ring.heavy_rows == 1
    ring.release(np.array([0]))
    for array, fill in ring.row_arrays().values():  # as the owner clears a released row
        array[[0]] = fill
    assert ring.heavy_rows == 0
    twos = {"ip": np.full(3, 2, dtype=np.uint64), "exact": np.full(3, 2, dtype=np.uint64)}
    ring.push(np.full(3, 3, dtype=np.int64), np.arange(10.0, 13.0), twos)
    assert ring.heavy_rows == 1 and ring._heavy_used == 1  # the freed row, not a new one
    view = ring.gather(np.array([3, 0]))
    assert view.columns["ip"].tolist() == [[2, 2, 2, 0, 0, 0], [0] * 6]
    assert view.ts[0].tolist() == [10, 11, 12, 0, 0, 0] and view.pushed.tolist() == [3, 0]


def test_snapshot_is_full_width_and_restore_rebuilds_the_tiers() -> None:
    rng = np.random.default_rng(3)
    ring = RequestRing(8, DTYPES, capacity=30, light=3)
    batch_rows, ts, columns = random_batch(rng, 30, 150, 1.767e9)
    ring.push(batch_rows, ts, columns)
    kept = np.array([29, 3, 17, 0, 8])  # compacted, in another order
    arrays = ring.snapshot(kept)
    assert arrays["recent_ts"].shape == (5, 8) and arrays["recent.ip"].shape == (5, 8)
    restored = RequestRing(8, DTYPES, capacity=8, light=3)
    restored.restore(arrays)
    assert restored.heavy_rows == int((ring.count[kept] > 3).sum())
    before, after = ring.gather(kept), restored.gather(np.arange(5))
    assert (before.ts == after.ts).all() and (before.pushed == after.pushed).all()
    for name in DTYPES:
        assert (before.columns[name] == after.columns[name]).all()
    with pytest.raises(ValueError, match="recent_ts"):
        RequestRing(16, DTYPES, capacity=8).restore(arrays)
