"""The metrics a scrape returns, read from a pipeline that has seen a campaign."""

from __future__ import annotations

import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from detector.config import Config
from detector.pipeline import Pipeline
from detector.telemetry import Telemetry
from tests.campaigns.traffic import as_lines, ordinary_users, sybil_campaign


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_a_scrape_shows_records_alerts_and_campaigns() -> None:
    pipeline = Pipeline(Config())
    values = as_lines(sybil_campaign(60, seed=9), ordinary_users(100, seed=4))
    for i in range(0, len(values), 1000):
        pipeline.process(values[i : i + 1000] + ([b"not json"] if i == 0 else []), "test")
    telemetry = Telemetry(pipeline, lambda: len(pipeline.state))
    port = telemetry.serve("127.0.0.1", 0)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            got = samples(r.read().decode())
    finally:
        telemetry.close()
    assert got["distill_records_total", (("result", "accepted"),)] == len(values)
    assert got["distill_rejects_total", (("reason", "invalid_json"),)] == 1
    assert got["distill_campaigns_active", ()] == 1
    assert got["distill_campaign_signatures", ()] == len(pipeline.campaigns.store)  # type: ignore[union-attr]
    assert got["distill_campaign_passes_total", ()] > 0
    campaign_alerts = sum(
        v
        for (name, labels), v in got.items()
        if name == "distill_alerts_total" and ("kind", "campaign") in labels
    )
    assert (
        campaign_alerts
        == sum(n for (kind, _), n in pipeline.stats.alerts.items() if kind == "campaign")
        > 0
    )
    assert got["distill_accounts_tracked", ()] == len(pipeline.state)
    # Account ids never become labels.
    assert not any("sybil" in value for _, labels in got for _, value in labels)


def documented() -> set[str]:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "metrics.md").read_text()
    return {line.split("`")[1] for line in text.splitlines() if line.startswith("| `distill_")}


def test_every_exported_metric_is_documented_and_every_documented_one_exported() -> None:
    from prometheus_client import generate_latest

    telemetry = Telemetry(Pipeline(Config()), lambda: 0)
    telemetry.broker_errors.labels("DeliveryFailed").inc()
    families = {
        f.name + ("_total" if f.type == "counter" else "")
        for f in text_string_to_metric_families(generate_latest(telemetry.registry).decode())
    }
    assert families == documented()


def test_health_and_readiness_endpoints() -> None:
    state = {"ready": (False, "no partitions assigned (yet)")}
    telemetry = Telemetry(Pipeline(Config()), lambda: 0, ready=lambda: state["ready"])
    port = telemetry.serve("127.0.0.1", 0)

    def get(path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    try:
        assert get("/healthz") == (200, "ok\n")
        assert get("/readyz") == (503, "no partitions assigned (yet)\n")
        state["ready"] = (True, "ready: 4 partitions, lag 0 records")
        assert get("/readyz")[0] == 200
    finally:
        telemetry.close()
