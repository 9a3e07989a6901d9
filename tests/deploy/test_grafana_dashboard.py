"""The Grafana dashboard: valid JSON whose every query names metrics the service exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_dashboard_query_names_exported_metrics() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "distill-detector.json").read_text())
    text = (ROOT / "docs" / "metrics.md").read_text()
    documented = {
        line.split("`")[1] for line in text.splitlines() if line.startswith("| `distill_")
    }
    titles = []
    for panel in dashboard["panels"]:
        titles.append(panel["title"].lower())
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names = set(re.findall(r"\b(distill_\w+)", target["expr"]))
            assert names, target["expr"]
            for name in names:
                family = re.sub(r"_(bucket|count|sum)$", "", name)
                assert family in documented, (panel["title"], name)
    # What the issue asks the dashboard to show.
    for topic in (
        "records in",
        "rejects",
        "lag",
        "risk score",
        "alerts",
        "campaigns",
        "checkpoint",
    ):
        assert any(topic in title for title in titles), topic
    assert dashboard["uid"] and {v["name"] for v in dashboard["templating"]["list"]} == {
        "datasource",
        "job",
    }
