"""Prometheus metrics and health endpoints.

Counters are read from the pipeline's own statistics when Prometheus scrapes, so the hot path
pays nothing for them; only per-batch timings are observed as they happen, and risk scores
are binned a batch at a time with NumPy. One registry per process, ``distill_`` prefix, base
units, no account or campaign ids as labels. Every metric is documented in
``docs/metrics.md`` (a test keeps the two equal).

The HTTP server answers ``/metrics``, ``/healthz`` (the process is alive and serving) and
``/readyz`` (the service's own readiness check: partitions restored and consuming, lag under
the configured bound; 503 with the reason otherwise).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import numpy as np
import numpy.typing as npt
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    make_wsgi_app,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from detector import __version__
from detector.alerts import KINDS, SEVERITIES
from detector.kafka.errors import TRANSIENT_ERRORS
from detector.records import REJECT_REASONS

if TYPE_CHECKING:
    from detector.pipeline import Pipeline
    from detector.scoring import ScoreBatch

__all__ = ["Readiness", "Telemetry"]

# `*_created` series double the exposition for nothing an alert rule or dashboard uses.
disable_created_metrics()

Readiness = Callable[[], "tuple[bool, str]"]
"""Whether the service is ready, and why not."""

_SCORE_BUCKETS = (0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99)


class _ScoreHistogram(Collector):
    """Risk scores of every evaluation, binned per scoring batch with NumPy: a Histogram's
    per-value ``observe`` would cost a Python call per account."""

    def __init__(self) -> None:
        self._edges = np.array(_SCORE_BUCKETS)
        self._counts = np.zeros(len(_SCORE_BUCKETS) + 1, dtype=np.int64)
        self._sum = 0.0
        self._lock = threading.Lock()

    def observe(self, accounts: list[str], ts: npt.NDArray[np.float64], scored: ScoreBatch) -> None:
        scores = scored.scores
        bins = np.bincount(
            np.searchsorted(self._edges, scores, side="left"), minlength=len(self._counts)
        )
        with self._lock:
            self._counts += bins
            self._sum += float(scores.sum())

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            cumulative = np.cumsum(self._counts)
            total = self._sum
        buckets = [
            (f"{edge:g}", float(n))
            for edge, n in zip(_SCORE_BUCKETS, cumulative[:-1].tolist(), strict=True)
        ]
        buckets.append(("+Inf", float(cumulative[-1])))
        yield HistogramMetricFamily(
            "distill_risk_score",
            "Risk score of each account evaluation.",
            buckets=buckets,
            sum_value=total,
        )


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Scrapes are not news."""


class _PipelineCollector(Collector):
    def __init__(
        self,
        pipeline: Pipeline,
        tracked: Callable[[], int],
        lag: Callable[[], dict[tuple[str, int], int]],
    ):
        self._pipeline = pipeline
        self._tracked = tracked
        self._lag = lag

    def collect(self) -> Iterator[Metric]:
        p = self._pipeline
        stats = p.stats
        records = CounterMetricFamily(
            "distill_records", "Input records by result.", labels=["result"]
        )
        records.add_metric(["accepted"], stats.accepted)
        records.add_metric(["rejected"], stats.rejected)
        yield records
        # Every label value is exported from the start, at 0: rate() and increase() need a
        # series to exist before its first increment to see that increment.
        rejects = CounterMetricFamily(
            "distill_rejects", "Rejected records by reason.", labels=["reason"]
        )
        for reason in REJECT_REASONS:
            rejects.add_metric([reason], stats.rejects.get(reason, 0))
        yield rejects
        alerts = CounterMetricFamily(
            "distill_alerts", "Alerts raised by kind and severity.", labels=["kind", "severity"]
        )
        for kind in KINDS:
            for severity in SEVERITIES:
                alerts.add_metric([kind, severity], stats.alerts.get((kind, severity), 0))
        yield alerts
        yield CounterMetricFamily(
            "distill_evaluations", "Account evaluations (scorings).", value=stats.evaluations
        )
        yield CounterMetricFamily(
            "distill_late_records",
            "Records older than the long window on arrival.",
            value=stats.late,
        )
        yield CounterMetricFamily(
            "distill_accounts_evicted", "Accounts evicted.", value=stats.evicted
        )
        yield GaugeMetricFamily(
            "distill_accounts_tracked", "Accounts with window state.", value=self._tracked()
        )
        lag = GaugeMetricFamily(
            "distill_consumer_lag_records",
            "High watermark minus next offset to process.",
            labels=["topic", "partition"],
        )
        for (topic, partition), value in sorted(self._lag().items()):
            lag.add_metric([topic, str(partition)], value)
        yield lag
        campaigns = p.campaigns
        if campaigns is not None:
            yield GaugeMetricFamily(
                "distill_campaigns_active",
                "Campaigns found by the latest campaign pass.",
                value=len(campaigns.campaigns),
            )
            yield GaugeMetricFamily(
                "distill_campaign_signatures",
                "Account signatures known (this instance's and others').",
                value=len(campaigns.store),
            )
            yield CounterMetricFamily(
                "distill_campaign_passes", "Campaign passes run.", value=campaigns.stats.passes
            )
            yield CounterMetricFamily(
                "distill_campaign_candidate_pairs",
                "Candidate pairs verified by campaign passes.",
                value=campaigns.stats.candidate_pairs,
            )
        info = GaugeMetricFamily(
            "distill_build_info", "Version and config hash.", labels=["version", "config_hash"]
        )
        info.add_metric([__version__, p.config_hash], 1)
        yield info


class Telemetry:
    """The metrics registry of one detector process, and its HTTP server."""

    def __init__(
        self,
        pipeline: Pipeline,
        tracked: Callable[[], int],
        lag: Callable[[], dict[tuple[str, int], int]] = dict,
        ready: Readiness | None = None,
    ):
        self.registry = CollectorRegistry()
        self.registry.register(_PipelineCollector(pipeline, tracked, lag))
        scores = _ScoreHistogram()
        self.registry.register(scores)
        pipeline.score_observers.append(scores.observe)
        self._ready = ready or (lambda: (True, "ready"))
        self.event_lag_seconds = Histogram(
            "distill_event_lag_seconds",
            "Wall-clock time minus the event time of the newest record of each processed "
            "partition batch.",
            buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400),
            registry=self.registry,
        )
        self.checkpoint_last_success = Gauge(
            "distill_checkpoint_last_success_timestamp_seconds",
            "Unix time of the last successful checkpoint.",
            registry=self.registry,
        )
        self.checkpoint_failures = Counter(
            "distill_checkpoint_failures",
            "Checkpoints that failed (state or commit).",
            registry=self.registry,
        )
        self.broker_errors = Counter(
            "distill_broker_errors",
            "Broker errors that made the service back off and rewind, by error type.",
            ["error"],
            registry=self.registry,
        )
        for error in TRANSIENT_ERRORS:
            self.broker_errors.labels(error.__name__)  # exported at 0 from the start
        self.batch_seconds = Histogram(
            "distill_batch_duration_seconds",
            "Time to process one polled batch.",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.checkpoint_seconds = Histogram(
            "distill_checkpoint_duration_seconds",
            "Time to flush, write state and commit.",
            buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self._server: WSGIServer | None = None

    def serve(self, host: str, port: int) -> int:
        """Serve /metrics, /healthz and /readyz on ``host:port`` (port 0 picks one); returns
        the port."""
        metrics = make_wsgi_app(self.registry)

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            path = environ.get("PATH_INFO", "")
            if path == "/healthz":
                return _text(start_response, "200 OK", "ok")
            if path == "/readyz":
                ready, reason = self._ready()
                return _text(
                    start_response, "200 OK" if ready else "503 Service Unavailable", reason
                )
            return metrics(environ, start_response)  # type: ignore[no-any-return]

        server = make_server(host, port, app, handler_class=_QuietHandler)
        threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
        self._server = server
        return int(server.server_port)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _text(start_response: Callable[..., Any], status: str, body: str) -> list[bytes]:
    data = (body + "\n").encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]
