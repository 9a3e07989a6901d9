"""The deployment files: parsed and checked against the code they deploy (no Docker or
Kubernetes here, so what can be checked statically is)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from detector.config import load_config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CHART = DEPLOY / "helm" / "distill-detector"


def test_compose_runs_kafka_the_detector_and_the_monitoring_stack() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"kafka", "detector", "prometheus", "alertmanager", "grafana"} <= set(services)
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert "broker,controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    assert services["detector"]["build"]["dockerfile"] == "Dockerfile"
    # Room for the shutdown path: finish the batch, checkpoint, commit.
    grace = int(services["detector"]["stop_grace_period"].rstrip("s"))
    assert grace > load_config().service.shutdown_grace_s
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (DEPLOY / source).exists(), source


def test_the_compose_prometheus_config_is_valid_with_the_shipped_rules(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool not found: install Debian's prometheus package (.ci/run does)"
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    config["rule_files"] = [str(DEPLOY / "prometheus" / "rules.yml")]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [promtool, "check", "config", str(tmp_path / "prometheus.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert config["scrape_configs"][0]["job_name"] == "distill-detector"  # the rules' job


def test_dockerfile_is_slim_non_root_and_health_checked() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text
    assert re.search(r"^USER 10001", text, re.M)
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert 'ENTRYPOINT ["distill-detector"]' in text


def test_helm_chart_probes_shutdown_and_labels() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert chart["name"] == "distill-detector" and chart["apiVersion"] == "v2"
    deployment = (CHART / "templates" / "deployment.yaml").read_text()
    assert "path: /healthz" in deployment and "path: /readyz" in deployment
    assert "preStop" in deployment
    assert "min .Values.replicaCount .Values.kafka.partitions" in deployment  # sized by partitions
    assert values["terminationGracePeriodSeconds"] > load_config().service.shutdown_grace_s
    helpers = (CHART / "templates" / "_helpers.tpl").read_text()
    for label in (
        "app.kubernetes.io/name",
        "app.kubernetes.io/instance",
        "app.kubernetes.io/version",
        "app.kubernetes.io/component",
        "app.kubernetes.io/part-of",
        "app.kubernetes.io/managed-by",
    ):
        assert label in helpers
    templates = {p.name for p in (CHART / "templates").iterdir()}
    assert {
        "deployment.yaml",
        "configmap.yaml",
        "service.yaml",
        "servicemonitor.yaml",
        "prometheusrule.yaml",
    } <= templates
    # The PrometheusRule carries the shipped rules themselves (a link, not a copy).
    assert (CHART / "rules.yml").resolve() == (DEPLOY / "prometheus" / "rules.yml").resolve()
    # The config in values is a valid detector config.
    load_config(overrides=values["config"])
