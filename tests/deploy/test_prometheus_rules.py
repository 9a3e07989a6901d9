"""The shipped alert rules: valid, unit-tested with promtool, and consistent with the metrics
and the runbook."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "rules.yml"


def promtool() -> str:
    path = shutil.which("promtool")
    assert path, "promtool not found: install Debian's prometheus package (.ci/run does)"
    return path


def alerts() -> list[dict[str, object]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_promtool_checks_the_rules() -> None:
    result = subprocess.run(
        [promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alerts())} rules found" in result.stdout


def test_promtool_unit_tests_pass() -> None:
    result = subprocess.run(
        [promtool(), "test", "rules", "tests.yml"],
        cwd=RULES.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tested = set(re.findall(r"alertname: (\w+)", (RULES.parent / "tests.yml").read_text()))
    assert tested == {str(a["alert"]) for a in alerts()}  # every alert has unit tests


def test_every_metric_in_the_rules_is_exported() -> None:
    text = (ROOT / "docs" / "metrics.md").read_text()
    documented = {
        line.split("`")[1] for line in text.splitlines() if line.startswith("| `distill_")
    }
    used = set(re.findall(r"\b(distill_\w+)", RULES.read_text()))
    assert used and used <= documented


def test_every_alert_is_labelled_annotated_and_in_the_runbook() -> None:
    required = {
        "DistillDetectorDown",
        "DistillDetectorNoInput",
        "DistillDetectorConsumerLagHigh",
        "DistillDetectorRejectRateHigh",
        "DistillDetectorCheckpointStale",
        "DistillDetectorCheckpointFailing",
        "DistillDetectorAlertStorm",
        "DistillCampaignDetected",
    }
    assert {a["alert"] for a in alerts()} == required
    headings = {
        line[3:].strip().lower()
        for line in (ROOT / "docs" / "runbook.md").read_text().splitlines()
        if line.startswith("## ")
    }
    for alert in alerts():
        labels, notes = alert["labels"], alert["annotations"]
        assert isinstance(labels, dict) and isinstance(notes, dict)
        assert labels["severity"] in {"warning", "critical"}
        assert notes["summary"] and notes["description"]
        anchor = str(notes["runbook_url"]).rsplit("docs/runbook.md#", 1)[1]
        assert anchor == str(alert["alert"]).lower() and anchor in headings
