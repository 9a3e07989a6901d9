"""End to end with a real Prometheus: it scrapes the live service, evaluates the shipped alert
rules, and answers every dashboard query."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from tests.campaigns.traffic import ordinary_users, sybil_campaign
from tests.service.conftest import ServiceProcess, Stack, wait_until

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fast_rules(path: Path) -> Path:
    """The shipped rules with every window and `for` cut to seconds: the test cannot wait
    ten minutes, and the expressions are what is under test."""
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "rules.yml").read_text())
    for group in rules["groups"]:
        group["interval"] = "1s"
        for rule in group["rules"]:
            rule.pop("for", None)
            rule["expr"] = re.sub(r"\[\d+m\]", "[1m]", rule["expr"])
    path.write_text(yaml.safe_dump(rules))
    return path


class Prometheus:
    def __init__(self, tmp: Path, target: str):
        binary = shutil.which("prometheus")
        assert binary, "prometheus not found: install Debian's prometheus package (.ci/run does)"
        self.port = free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(fast_rules(tmp / "rules.yml"))],
            "scrape_configs": [
                {"job_name": "distill-detector", "static_configs": [{"targets": [target]}]}
            ],
        }
        (tmp / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.proc = subprocess.Popen(
            [
                binary,
                f"--config.file={tmp / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(tmp / "prometheus.log").open("wb"),
        )
        wait_until(self.ready, 30, "Prometheus to start")

    def get(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}{query}", timeout=10) as r:
            return json.loads(r.read()) if path.startswith("/api") else r.read()

    def ready(self) -> bool:
        try:
            self.get("/-/ready")
            return True
        except OSError:
            return False

    def firing(self) -> set[str]:
        alerts = self.get("/api/v1/alerts")["data"]["alerts"]
        return {a["labels"]["alertname"] for a in alerts if a["state"] == "firing"}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def service_and_prometheus(stack: Stack) -> Iterator[tuple[Stack, ServiceProcess, Prometheus]]:
    service = ServiceProcess(stack.config(), stack.tmp / "service.log")
    prometheus = None
    try:

        def port() -> int | None:
            for line in (stack.tmp / "service.log").read_text().splitlines():
                if '"service started"' in line:
                    return int(msgspec.json.decode(line)["metrics_port"])
            return None

        wait_until(lambda: port() is not None, 30, "the service to start")
        prometheus = Prometheus(stack.tmp, f"127.0.0.1:{port()}")
        yield stack, service, prometheus
    finally:
        try:
            if prometheus is not None:
                prometheus.stop()
        finally:
            assert service.terminate() == 0


def test_bad_records_and_a_campaign_fire_their_alerts_in_prometheus(
    service_and_prometheus: tuple[Stack, ServiceProcess, Prometheus],
) -> None:
    stack, _, prometheus = service_and_prometheus

    def scraped() -> bool:
        result = prometheus.get("/api/v1/query", query='up{job="distill-detector"}')
        return [r["value"][1] for r in result["data"]["result"]] == ["1"]

    wait_until(scraped, 30, "Prometheus to scrape the service")
    assert "DistillCampaignDetected" not in prometheus.firing()

    records = sybil_campaign(60, seed=21) + ordinary_users(150, seed=22)
    records.sort(key=lambda r: r["ts"])
    values: list[tuple[bytes | None, bytes]] = [
        (r["account_id"].encode(), msgspec.json.encode(r)) for r in records
    ]
    values += [(b"junk", b"not json at all")] * (len(values) // 5)  # ~17 % rejects
    stack.produce(values)

    wait_until(
        lambda: {"DistillDetectorRejectRateHigh", "DistillCampaignDetected"} <= prometheus.firing(),
        90,
        "the reject-rate and campaign alerts to fire",
    )
    alerts = prometheus.get("/api/v1/alerts")["data"]["alerts"]
    campaign = next(a for a in alerts if a["labels"]["alertname"] == "DistillCampaignDetected")
    assert campaign["labels"]["severity"] == "critical"
    assert campaign["annotations"]["runbook_url"].endswith("runbook.md#distillcampaigndetected")
    assert "DistillDetectorDown" not in prometheus.firing()

    # Every dashboard query is valid PromQL over metrics that exist.
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "distill-detector.json").read_text())
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            expr = (
                target["expr"].replace("$job", "distill-detector").replace("$__rate_interval", "1m")
            )
            result = prometheus.get("/api/v1/query", query=expr)
            assert result["status"] == "success", (panel["title"], expr)
            assert result["data"]["result"], f"no data for {panel['title']!r}: {expr}"
