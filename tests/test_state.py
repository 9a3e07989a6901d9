import numpy as np

from detector.state import _low16
from tests.conftest import T0, StateHarness, config_with, record


def long_sums(h: StateHarness, account: str) -> dict[str, float]:
    s = h.state
    row = np.array([h.row(account)])
    sums = s.long.sums(row, s.watermark)[0]
    return dict(zip(s.counter_names, sums.tolist(), strict=True))


def test_counts_land_in_event_time_buckets(harness: StateHarness) -> None:
    harness.feed(
        [
            record("a", T0 + i * 60, completion_tokens=10, status=429 if i == 0 else 200)
            for i in range(5)
        ]
    )
    sums = long_sums(harness, "a")
    assert sums["requests"] == 5
    assert sums["completion_tokens"] == 50
    assert sums["rate_limited"] == 1
    assert sums["gap_sum"] == 240 and sums["gap_n"] == 4 and sums["gap_sq"] == 4 * 3600


def test_window_expires_by_event_time_only(harness: StateHarness) -> None:
    harness.feed([record("a", T0 + i) for i in range(10)])
    assert long_sums(harness, "a")["requests"] == 10
    # Another account's traffic moves event time 59 minutes on: still inside the hour.
    harness.feed([record("b", T0 + 59 * 60)])
    assert long_sums(harness, "a")["requests"] == 10
    short = harness.state.short.sums(np.array([harness.row("a")]), harness.state.watermark)
    assert short[0, 0] == 0  # but long gone from the 5-minute window
    # Event time passes the hour (plus the bucket's width): the old bucket has expired.
    harness.feed([record("b", T0 + 3600 + 300)])
    assert long_sums(harness, "a")["requests"] == 0


def test_bucket_slots_are_reused_without_leaking_old_counts(harness: StateHarness) -> None:
    harness.feed([record("a", T0, completion_tokens=7)])
    harness.feed([record("a", T0 + 3600, completion_tokens=1)])  # same ring slot, next hour
    assert long_sums(harness, "a")["completion_tokens"] == 1


def test_window_matches_a_reference_over_random_batches() -> None:
    """Out-of-order batches, stragglers, gaps longer than the ring: the ring's sums equal a
    plain list of the records a window of ``buckets`` buckets behind the newest accepts."""
    from detector.config import WindowConfig
    from detector.state import _Window

    rng = np.random.default_rng(3)
    config = WindowConfig(length_s=600.0, bucket_s=60.0)
    window = _Window(config, ("requests", "tokens"), capacity=6)
    accepted: list[list[tuple[int, np.ndarray]]] = [[] for _ in range(6)]
    heads = [-1] * 6
    now = T0
    for _ in range(300):
        now += float(rng.choice([0.0, 5.0, 40.0, 700.0], p=[0.3, 0.4, 0.25, 0.05]))
        size = int(rng.integers(1, 20))
        rows = rng.integers(0, 6, size)
        ts = now - rng.choice([0.0, 30.0, 200.0, 900.0], size, p=[0.5, 0.3, 0.15, 0.05])
        values = rng.integers(1, 9, (size, 2)).astype(np.float32)
        window.add(rows, ts, values)
        buckets = np.floor(ts / 60.0).astype(int)
        for row in set(rows.tolist()):
            heads[row] = max(heads[row], int(buckets[rows == row].max()))
            accepted[row] = [e for e in accepted[row] if e[0] > heads[row] - 10]
        for row, bucket, value in zip(rows.tolist(), buckets.tolist(), values, strict=True):
            if bucket > heads[row] - 10:
                accepted[row].append((bucket, value))
        current = int(np.floor(now / 60.0))
        expected = [
            sum(
                (v for b, v in entries if current - 10 < b <= current),
                np.zeros(2, dtype=np.float32),
            )
            for entries in accepted
        ]
        np.testing.assert_array_equal(window.sums(np.arange(6), now), np.array(expected))


def test_sorted_and_unsorted_records_sum_alike_to_the_last_bit() -> None:
    """Update passes records sorted by row and time, which skip the window's own sort; the
    sums, of fractional squares too, must not depend on which path they took."""
    from detector.config import WindowConfig
    from detector.state import _Window

    rng = np.random.default_rng(5)
    config = WindowConfig(length_s=600.0, bucket_s=60.0)
    as_given, pre_sorted = (_Window(config, ("a", "b"), capacity=20) for _ in range(2))
    now = T0
    for _ in range(100):
        now += float(rng.uniform(0, 120))
        rows = rng.integers(0, 20, 300)
        ts = now - rng.uniform(0, 900, 300)
        values = (rng.uniform(0, 3600, (300, 2)) ** 2).astype(np.float32)
        as_given.add(rows, ts, values)
        order = np.lexsort((ts, rows))
        pre_sorted.add(rows[order], ts[order], values[order])
    np.testing.assert_array_equal(as_given.counters, pre_sorted.counters)
    np.testing.assert_array_equal(as_given.head, pre_sorted.head)
    assert as_given.counters.any()


def test_late_records_are_counted_but_not_windowed() -> None:
    h = StateHarness()
    h.feed([record("a", T0 + 7200)])
    batch_result = h.state.update(*_batch(h, [record("a", T0), record("a", T0 + 7199)]))
    assert batch_result.late == 1
    assert long_sums(h, "a")["requests"] == 2
    assert h.state.total_requests[h.row("a")] == 3


def _batch(h: StateHarness, records: list[dict[str, object]]):
    from tests.conftest import decode

    batch = decode(records)
    return batch, h.fingerprinter.fingerprint_batch(batch)


def test_out_of_order_records_within_a_batch(harness: StateHarness) -> None:
    harness.feed([record("a", T0 + 20), record("a", T0), record("a", T0 + 10)])
    sums = long_sums(harness, "a")
    assert sums["gap_sum"] == 20 and sums["gap_n"] == 2
    assert harness.state.first_seen[harness.row("a")] == T0


def test_recent_ring_keeps_the_newest_requests() -> None:
    h = StateHarness(config_with(state={"recent_requests": 8}))
    h.feed([record("a", T0 + i) for i in range(5)])
    h.feed([record("a", T0 + 5 + i) for i in range(6)])
    ring = h.state.ring.gather(np.array([h.row("a")]))
    assert sorted(ring.ts[0].tolist()) == [T0 + i for i in range(3, 11)]
    assert ring.pushed[0] == 11


def test_idle_accounts_are_evicted_and_rows_come_back_clean() -> None:
    h = StateHarness(config_with(state={"idle_ttl_s": 600}))
    h.feed([record("old", T0, completion_tokens=99)])
    h.feed([record("busy", T0 + 601)])
    assert h.state.evict_idle() == 1
    assert "old" not in h.state.row_of and len(h.state) == 1
    h.feed([record("new", T0 + 602)])
    assert long_sums(h, "new")["completion_tokens"] == 0
    assert h.state.first_seen[h.row("new")] == T0 + 602


def test_cap_evicts_the_least_recently_seen() -> None:
    h = StateHarness(config_with(state={"max_accounts": 4}))
    h.feed([record(f"a{i}", T0 + i) for i in range(4)])
    result = h.state.update(*_batch(h, [record("a4", T0 + 10)]))
    assert result.evicted == 1 and result.new_accounts == 1
    assert set(h.state.row_of) == {"a1", "a2", "a3", "a4"}


def test_cap_never_evicts_an_account_later_in_the_same_batch() -> None:
    h = StateHarness(config_with(state={"max_accounts": 4}))
    h.feed([record(f"a{i}", T0 + i) for i in range(4)])
    # a0 is the least recently seen, but the batch uses it after the new account.
    h.state.update(*_batch(h, [record("new", T0 + 10), record("a0", T0 + 11, completion_tokens=5)]))
    assert "a0" in h.state.row_of and "new" in h.state.row_of
    assert long_sums(h, "a0")["completion_tokens"] == 5


def test_arrays_grow_past_the_initial_capacity() -> None:
    h = StateHarness()
    h.feed([record(f"a{i}", T0 + i * 0.001, completion_tokens=i) for i in range(3000)])
    assert len(h.state) == 3000 and h.state.capacity >= 3000
    assert long_sums(h, "a2999")["completion_tokens"] == 2999


def test_ip_sharing_counts_owners_not_accounts() -> None:
    h = StateHarness(config_with(state={"sharing_ttl_s": 600}))
    h.feed(
        [
            record("a", T0, client_ip="198.51.100.1"),
            record("b", T0, client_ip="198.51.100.1"),
            record("c", T0, client_ip="198.51.100.1", org_id="acme"),
            record("d", T0, client_ip="198.51.100.1", org_id="acme"),
            record("e", T0, client_ip="198.51.100.2"),
        ]
    )
    from detector.state import hash32

    ips = hash32(["198.51.100.1", "198.51.100.2", "192.0.2.1"])[:, None]
    one = np.ones(ips.shape, dtype=bool)
    assert h.state.ip_sharing.max_owners(ips, one).tolist() == [3, 1, 0]
    # A row's busiest IP counts; invalid entries do not.
    row = ips.T.copy()
    assert h.state.ip_sharing.max_owners(row, one.T.copy()).tolist() == [3]
    assert h.state.ip_sharing.max_owners(row, np.array([[False, True, True]])).tolist() == [1]
    nets = hash32(["198.51.100.0/24"])[:, None]
    assert h.state.network_sharing.max_owners(nets, one[:1]).tolist() == [4]
    h.feed([record("z", T0 + 1000)])
    h.state.evict_idle()
    assert h.state.ip_sharing.max_owners(ips, one).tolist() == [0, 0, 0]


def test_due_respects_interval_and_dirty_flag(harness: StateHarness) -> None:
    harness.feed([record("a", T0), record("b", T0)])
    due = harness.state.due(30)
    assert sorted(harness.state.accounts(due)) == ["a", "b"]
    harness.state.mark_scored(due)
    harness.feed([record("a", T0 + 10), record("b", T0 + 40)])
    assert harness.state.accounts(harness.state.due(30)) == ["b"]


def test_short_window_counts_what_its_signals_read() -> None:
    h = StateHarness()
    h.feed([record("a", T0 + i, completion_tokens=5) for i in range(3)])
    s = h.state
    assert s.short.counters.shape[2] == 2 < s.long.counters.shape[2]
    short = s.short.sums(np.array([h.row("a")]), s.watermark)[0]
    ix = s.short.counter_index
    assert short[ix["requests"]] == 3 and short[ix["completion_tokens"]] == 15


def test_restore_reads_a_checkpoint_whose_short_window_kept_every_counter() -> None:
    before = StateHarness()
    before.feed([record("a", T0 + i * 30, completion_tokens=i) for i in range(8)])
    arrays, meta = before.state.snapshot()
    # The layout checkpoints had before the short window kept only its own counters.
    full = np.zeros(
        (*arrays["short.counters"].shape[:2], len(meta["counter_names"])), dtype=np.float32
    )
    for j, name in enumerate(before.state.short.counter_index):
        full[:, :, meta["counter_names"].index(name)] = arrays["short.counters"][:, :, j]
    full[:, :, meta["counter_names"].index("gap_sum")] = 1e6  # ignored: not a short counter
    after = StateHarness()
    after.state.restore({**arrays, "short.counters": full}, meta)
    row = np.array([after.row("a")])
    np.testing.assert_array_equal(
        after.state.short.sums(row, after.state.watermark),
        before.state.short.sums(np.array([before.row("a")]), before.state.watermark),
    )
    assert after.state.short.sums(row, after.state.watermark)[0, 1] == 28


def test_restore_reads_a_checkpoint_that_kept_every_bucket_number() -> None:
    before = StateHarness()
    before.feed([record("a", T0 + i * 700, completion_tokens=i + 1) for i in range(40)])
    arrays, meta = before.state.snapshot()
    legacy = dict(arrays)
    stale = {}
    for window in ("short", "long"):
        ring = getattr(before.state, window)
        del legacy[f"{window}.head"]
        # The layout checkpoints had before: each slot's bucket number. A slot the ring has
        # passed kept its old number and counts until the slot was reused.
        numbers = ring.slot_buckets(before.state.index.rows())  # the snapshot's row order
        counters = arrays[f"{window}.counters"].copy()
        empty = counters[:, :, 0] == 0
        numbers[empty] -= ring.buckets
        counters[empty] = 1e6
        stale[window] = int(empty.sum())
        legacy[f"{window}.bucket_no"] = numbers
        legacy[f"{window}.counters"] = counters
    assert stale["short"] > 0 and stale["long"] > 0  # the test covers passed slots
    after = StateHarness()
    after.state.restore(legacy, meta)
    row, row_before = np.array([after.row("a")]), np.array([before.row("a")])
    for window in ("short", "long"):
        now = after.state.watermark
        np.testing.assert_array_equal(
            getattr(after.state, window).sums(row, now),
            getattr(before.state, window).sums(row_before, now),
        )
        assert (
            getattr(after.state, window).head[row] == getattr(before.state, window).head[row_before]
        )


def test_the_ring_keeps_16_bits_of_exact_prompt_hashes_and_0_only_for_no_prompt() -> None:
    hashes = np.array([0, 0x1_0000, 0x2_0005, 0xFFFF_FFFF_0000_0000], dtype=np.uint64)
    assert _low16(hashes).tolist() == [0, 1, 5, 1]
    h = StateHarness()
    h.feed([record("a", T0 + i, prompt_text=f"prompt number {i}") for i in range(3)])
    h.feed([record("a", T0 + 3)])  # no prompt
    ring = h.state.ring.gather(np.array([h.row("a")])).columns["exact"][0]
    assert ring.dtype == np.uint16
    assert (ring[:3] != 0).all() and len(set(ring[:3].tolist())) == 3 and ring[3] == 0


def test_restore_reads_a_checkpoint_whose_ring_kept_32_bits_of_exact_hashes() -> None:
    before = StateHarness()
    before.feed([record("a", T0 + i, prompt_text=f"prompt {i % 3}") for i in range(6)])
    arrays, meta = before.state.snapshot()
    # The layout checkpoints had before: the low 32 bits of the 64-bit hash.
    wide = arrays["recent.exact"].astype(np.uint32)
    wide[wide != 0] |= np.uint32(0xABCD_0000)
    wide[0, 5] = 0xABCD_0000  # a hash whose low 16 bits are 0 is still a prompt
    after = StateHarness()
    after.state.restore({**arrays, "recent.exact": wide}, meta)
    restored = after.state.ring.gather(np.array([after.row("a")])).columns["exact"][0]
    expected = arrays["recent.exact"][0].copy()
    expected[5] = 1
    assert restored.dtype == np.uint16 and restored[:6].tolist() == expected[:6].tolist()


def test_heavy_and_light_rings_survive_a_checkpoint_and_eviction_frees_the_heavy_row() -> None:
    before = StateHarness(config_with(state={"idle_ttl_s": 600}))
    before.feed([record("heavy", T0 + i, prompt_text=f"prompt {i}") for i in range(20)])
    before.feed([record("light", T0 + 30 + i, client_ip="10.0.0.9") for i in range(3)])
    assert before.state.ring.heavy_rows == 1  # 20 requests pass the light slots, 3 do not
    arrays, meta = before.state.snapshot()
    assert arrays["recent_ts"].shape[1:] == (32,)  # checkpoints keep the full-width layout
    after = StateHarness(config_with(state={"idle_ttl_s": 600}))
    after.state.restore(arrays, meta)
    assert after.state.ring.heavy_rows == 1
    for account in ("heavy", "light"):
        old = before.state.ring.gather(np.array([before.row(account)]))
        new = after.state.ring.gather(np.array([after.row(account)]))
        assert old.pushed.tolist() == new.pushed.tolist()
        np.testing.assert_array_equal(old.ts, new.ts)
        for name in old.columns:
            np.testing.assert_array_equal(old.columns[name], new.columns[name])

    after.feed([record("later", T0 + 700)])
    assert after.state.evict_idle() == 2 and after.state.ring.heavy_rows == 0
    after.feed([record("later", T0 + 701 + i, prompt_text=f"later {i}") for i in range(8)])
    assert after.state.ring.heavy_rows == 1 and after.state.ring._heavy_used == 1  # reused
    ring = after.state.ring.gather(np.array([after.row("later")]))
    assert ring.pushed[0] == 9
    assert ring.ts[0, :9].tolist() == [T0 + 700 + i for i in range(9)]
    assert (ring.ts[0, 9:] == 0).all() and (ring.columns["exact"][0, 9:] == 0).all()


def test_sharing_remembers_an_owner_at_least_the_ttl_in_whole_seconds() -> None:
    from detector.state import SharingIndex

    index = SharingIndex(ttl_s=3600)
    key, owner = np.array([7], dtype=np.uint32), np.array([1], dtype=np.uint32)
    one = np.ones((1, 1), dtype=bool)
    index.add(key, owner, np.array([100.4]))  # kept as second 101: rounded up, never down
    index.sweep(100.4 + 3600 + 0.5)
    assert index.max_owners(key[:, None], one).tolist() == [1]
    later = SharingIndex(ttl_s=3600)
    later.restore(index.snapshot())
    assert later.snapshot() == [[7.0, 1.0, 101]]
    later.sweep(101 + 3600 + 0.1)
    assert later.max_owners(key[:, None], one).tolist() == [0]
    # A checkpoint written when the index kept fractional seconds reads the same way.
    old = SharingIndex(ttl_s=3600)
    old.restore([[7, 1, 100.4]])
    assert old.snapshot() == [[7.0, 1.0, 101]]


def test_window_heads_are_32_bit_unless_second_buckets_would_overflow_them() -> None:
    assert StateHarness().state.long.head.dtype == np.int32
    fine = config_with(windows={"short": {"length_s": 60.0, "bucket_s": 1.0}})
    h = StateHarness(fine)
    assert h.state.short.head.dtype == np.int64  # 1 s buckets of year-2099 times pass 2**31
    year_2099 = 4_070_908_800.0
    h.feed([record("a", year_2099 + i, completion_tokens=1) for i in range(3)])
    now = h.state.watermark
    sums = h.state.short.sums(np.array([h.row("a")]), now)
    assert sums[0, 0] == 3 and h.state.short.head[h.row("a")] == year_2099 + 2
