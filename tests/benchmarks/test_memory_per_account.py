"""The memory-per-account benchmark (benchmarks/memory_per_account.py), at a toy size."""

from __future__ import annotations

import math

from benchmarks import memory_per_account as bench


def test_traffic_is_in_event_time_order_with_every_account() -> None:
    traffic = bench.Traffic(50, requests=8, span_s=3600.0, seed=1)
    assert len(traffic) == 400
    assert (traffic.ts[1:] >= traffic.ts[:-1]).all()
    batch = traffic.batch(0, len(traffic))
    assert len(set(batch.account_id)) == 50
    assert all(text is not None for text in batch.prompt_text)


def test_measure_small_size_in_a_subprocess() -> None:
    [result] = bench.measure([2000], span_h=0.5)
    assert result["accounts"] == 2000
    assert result["tracked_accounts"] == 2000
    assert result["signatures"] == 2000  # 8 requests each: every account has a signature
    assert result["evicted"] == 0
    assert result["bytes_per_account"] > 0 and math.isfinite(result["bytes_per_account"])
    assert result["state_arrays_bytes"] > 0
    assert result["ring_heavy_rows"] == 0  # 8 requests each: all within the light slots


def test_busy_accounts_take_full_rings() -> None:
    [light] = bench.measure([1000], requests=8, span_h=0.5)
    [busy] = bench.measure([1000], requests=16, span_h=0.5)
    assert light["ring_heavy_rows"] == 0 and busy["ring_heavy_rows"] == 1000
    ring = {
        r["requests_per_account"]: r["state_arrays_by_group"]["recent_ring"] for r in (light, busy)
    }
    assert ring[16] - ring[8] >= 1000 * 32 * 26  # a full ring: 32 times 26 bytes more
