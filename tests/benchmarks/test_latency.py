"""The latency benchmark (benchmarks/latency.py), briefly, against a real local broker."""

from __future__ import annotations

import math
from pathlib import Path

import msgspec
import pytest

from benchmarks import latency
from detector.kafka import CLIENTS
from tests.conftest import T0, lines, record


@pytest.mark.skipif("confluent-kafka" not in CLIENTS, reason="needs confluent-kafka")
def test_measure_short_run_reports_alert_latency_for_each_input_form() -> None:
    rows = latency.measure([3000], 3.0, "confluent-kafka", scale=0.02, drain_s=2.0)
    assert [row["prompt_text"] for row in rows] == [0.0, 1.0]  # fingerprints, then text
    for row in rows:
        assert row["rate"] == 3000
        assert 2500 <= row["input_rate"] <= 3100
        assert row["acked"] == row["sent"] > 0
        assert row["processed_in_window"] > 0
        assert row["alerts"] > 0
        assert 0 < row["latency_p50"] <= row["latency_p99"] <= row["latency_max"] < 10
        assert row["emit_latency_p99"] <= row["latency_p99"]
        assert row["caught_up"] == 1.0
        assert not math.isnan(row["delay_end_s"]) and not math.isnan(row["delay_max_s"])
        # Each party used some CPU while sending, and none more than the machine has.
        for who in ("detector", "producer", "broker"):
            assert 0 < row[f"cores_{who}"] < 64, who
    table = latency.table(rows)
    assert "p99" in table and "fingerprint" in table and "text" in table


def test_each_pass_over_the_traffic_brings_prompts_not_seen_before(tmp_path: Path) -> None:
    path = tmp_path / "traffic.jsonl"
    path.write_bytes(
        b"\n".join(
            lines(
                [
                    record("a", T0, prompt_text="Explain this code"),
                    record("b", T0 + 1, prompt_fingerprint="f00d"),
                    record("c", T0 + 2),
                ]
            )
        )
        + b"\n"
    )
    keys, heads, tails, marked = latency._load_traffic(path)
    assert keys == [b"a", b"b", b"c"] and marked == [True, True, False]
    for k in (0, 3):
        decoded = [
            msgspec.json.decode(b'{"ts":%.6f' % T0 + head + (b"r%d " % k if mark else b"") + tail)
            for head, tail, mark in zip(heads, tails, marked, strict=True)
        ]
        assert decoded[0]["prompt_text"] == f"r{k} Explain this code"
        assert decoded[1]["prompt_fingerprint"] == f"r{k} f00d"
        assert decoded[2]["account_id"] == "c" and decoded[2]["ts"] == T0
