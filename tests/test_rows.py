from pathlib import Path

import numpy as np

from detector.rows import RowIndex, grown


def test_released_rows_are_reused_before_unused_ones() -> None:
    index = RowIndex()
    index.grow(4)
    assert [index.assign(a) for a in "abcd"] == [0, 1, 2, 3] and index.full
    index.release(np.array([2, 0]))
    assert len(index) == 2 and index.accounts(np.array([0, 1, 2])) == ["", "b", ""]
    index.grow(6)
    assert index.assign("e") == 0 and index.assign("f") == 2  # the last released first
    assert index.assign("g") == 4 and sorted(index.rows().tolist()) == [0, 1, 2, 3, 4]


def test_indexes_share_one_int_object_per_row_number() -> None:
    # Two stores of a million accounts would otherwise hold two million ints.
    state, signatures = RowIndex(), RowIndex()
    state.grow(2000)
    signatures.grow(4000)
    accounts = [f"acct{i}" for i in range(1500)]
    for account in accounts:
        state.assign(account)
        signatures.assign(account)
    state.release(np.array([700]))  # a row number that came back from NumPy ...
    assert state.assign("new") == 700  # ... goes back to the free list as the shared object
    assert state.row_of["new"] is signatures.row_of["acct700"]
    assert all(state.row_of[a] is signatures.row_of[a] for a in accounts if a != "acct700")
    restored = RowIndex()
    restored.grow(2000)
    restored.load(accounts)
    assert all(restored.row_of[a] is signatures.row_of[a] for a in accounts)
    assert restored.assign("next") == signatures.assign("other") == 1500
    assert restored.row_of["next"] is signatures.row_of["other"]


def _rss_bytes() -> int:
    status = Path("/proc/self/status").read_text()
    return (
        int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
        * 1024
    )


def test_rows_a_grown_array_has_not_used_cost_no_resident_memory() -> None:
    small = np.arange(2000, dtype=np.float64).reshape(1000, 2)
    before = _rss_bytes()
    big = grown(small, 25_000_000, fill=0)  # 400 MB of zero rows
    big[-1] = 5  # one row written: one page mapped
    assert _rss_bytes() - before < 50 * 2**20
    assert (big[:1000] == small).all() and big[1000:1010].max() == 0 and big[-1, 0] == 5
    minus = grown(small, 3000, fill=-1)  # any other fill is written out
    assert (minus[1000:] == -1).all() and (minus[:1000] == small).all()
