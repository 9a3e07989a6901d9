"""Prometheus metrics and health endpoints.

Counters are read from the pipeline's own statistics when Prometheus scrapes, so the hot path
pays nothing for them; only per-batch timings are observed as they happen. One registry per
process, ``distill_`` prefix, base units, no account or campaign ids as labels.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Histogram, make_wsgi_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from detector import __version__

if TYPE_CHECKING:
    from detector.pipeline import Pipeline

__all__ = ["Telemetry"]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Scrapes are not news."""


class _PipelineCollector(Collector):
    def __init__(self, pipeline: Pipeline, tracked: Callable[[], int],
                 lag: Callable[[], dict[tuple[str, int], int]]):
        self._pipeline = pipeline
        self._tracked = tracked
        self._lag = lag

    def collect(self) -> Iterator[Metric]:
        p = self._pipeline
        stats = p.stats
        records = CounterMetricFamily("distill_records", "Input records by result.",
                                      labels=["result"])
        records.add_metric(["accepted"], stats.accepted)
        records.add_metric(["rejected"], stats.rejected)
        yield records
        rejects = CounterMetricFamily("distill_rejects", "Rejected records by reason.",
                                      labels=["reason"])
        for reason, count in sorted(stats.rejects.items()):
            rejects.add_metric([reason], count)
        yield rejects
        alerts = CounterMetricFamily("distill_alerts", "Alerts raised by kind and severity.",
                                     labels=["kind", "severity"])
        for (kind, severity), count in sorted(stats.alerts.items()):
            alerts.add_metric([kind, severity], count)
        yield alerts
        yield CounterMetricFamily("distill_evaluations", "Account evaluations (scorings).",
                                  value=stats.evaluations)
        yield CounterMetricFamily("distill_late_records",
                                  "Records older than the long window on arrival.",
                                  value=stats.late)
        yield CounterMetricFamily("distill_accounts_evicted", "Accounts evicted.",
                                  value=stats.evicted)
        yield GaugeMetricFamily("distill_accounts_tracked", "Accounts with window state.",
                                value=self._tracked())
        lag = GaugeMetricFamily("distill_consumer_lag_records",
                                "High watermark minus next offset to process.",
                                labels=["topic", "partition"])
        for (topic, partition), value in sorted(self._lag().items()):
            lag.add_metric([topic, str(partition)], value)
        yield lag
        campaigns = p.campaigns
        if campaigns is not None:
            yield GaugeMetricFamily("distill_campaigns_active",
                                    "Campaigns found by the latest campaign pass.",
                                    value=len(campaigns.campaigns))
            yield GaugeMetricFamily("distill_campaign_signatures",
                                    "Account signatures known (this instance's and others').",
                                    value=len(campaigns.store))
            yield CounterMetricFamily("distill_campaign_passes", "Campaign passes run.",
                                      value=campaigns.stats.passes)
            yield CounterMetricFamily("distill_campaign_candidate_pairs",
                                      "Candidate pairs verified by campaign passes.",
                                      value=campaigns.stats.candidate_pairs)
        info = GaugeMetricFamily("distill_build_info", "Version and config hash.",
                                 labels=["version", "config_hash"])
        info.add_metric([__version__, p.config_hash], 1)
        yield info


class Telemetry:
    """The metrics registry of one detector process, and its HTTP server."""

    def __init__(self, pipeline: Pipeline, tracked: Callable[[], int],
                 lag: Callable[[], dict[tuple[str, int], int]] = dict):
        self.registry = CollectorRegistry()
        self.registry.register(_PipelineCollector(pipeline, tracked, lag))
        self.batch_seconds = Histogram(
            "distill_batch_duration_seconds", "Time to process one polled batch.",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry)
        self.checkpoint_seconds = Histogram(
            "distill_checkpoint_duration_seconds", "Time to flush, write state and commit.",
            buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10), registry=self.registry)
        self._server: WSGIServer | None = None

    def serve(self, host: str, port: int) -> int:
        """Serve /metrics on ``host:port`` (port 0 picks one); returns the port."""
        app = make_wsgi_app(self.registry)
        server = make_server(host, port, app, handler_class=_QuietHandler)
        threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
        self._server = server
        return int(server.server_port)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
