"""The latency benchmark (benchmarks/latency.py), briefly, against a real local broker."""

from __future__ import annotations

import math

import pytest

from benchmarks import latency
from detector.kafka import CLIENTS


@pytest.mark.skipif("confluent-kafka" not in CLIENTS, reason="needs confluent-kafka")
def test_measure_short_run_reports_alert_latency() -> None:
    (row,) = latency.measure([3000], 3.0, "confluent-kafka", scale=0.02, drain_s=2.0)
    assert row["rate"] == 3000
    assert 2500 <= row["input_rate"] <= 3100
    assert row["processed_in_window"] > 0
    assert row["alerts"] > 0
    assert 0 < row["latency_p50"] <= row["latency_p99"] <= row["latency_max"] < 10
    assert row["emit_latency_p99"] <= row["latency_p99"]
    assert row["caught_up"] == 1.0
    assert not math.isnan(row["delay_end_s"]) and not math.isnan(row["delay_max_s"])
    assert "p99" in latency.table([row])
