"""The loop that wires the stages: decode → fingerprint → window state → features → score →
alerts. ``replay``, ``evaluate`` and (later) ``run`` and ``demo`` all drive this one class;
only the source of raw values and the sinks differ.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from detector.alerts import Alert, AlertPolicy, Sink
from detector.config import Config
from detector.features import compute_features
from detector.fingerprints import PromptFingerprinter
from detector.records import BatchDecoder, RecordBatch, Reject
from detector.scoring import RiskScorer, ScoreBatch
from detector.state import AccountState

__all__ = ["Pipeline", "PipelineStats", "ScoreObserver"]


def _split_by_event_time(batch: RecordBatch, span_s: float) -> list[RecordBatch]:
    """Cut a batch into consecutive pieces spanning at most ``span_s`` of event time each.

    Scoring happens once per piece, so this bounds how stale an evaluation can be: a replay
    batch of thousands of records may cover minutes of traffic, a live batch rarely does.
    Pieces follow the running maximum of ``ts``, so stragglers stay with their neighbours.
    """
    if len(batch) == 0 or float(batch.ts.max() - batch.ts.min()) <= span_s:
        return [batch]
    running = np.maximum.accumulate(batch.ts)
    piece = np.floor((running - running[0]) / span_s).astype(np.int64)
    cuts = np.flatnonzero(np.diff(piece)) + 1
    bounds = [0, *cuts.tolist(), len(batch)]
    return [batch.slice(a, b) for a, b in itertools.pairwise(bounds)]

ScoreObserver = Callable[[list[str], npt.NDArray[np.float64], ScoreBatch], None]
"""Called with (accounts, event times, scores) after every scoring step."""
BatchObserver = Callable[[RecordBatch], None]
"""Called with every accepted batch (before its prompt text is dropped it is already gone)."""


@dataclass
class PipelineStats:
    records: int = 0
    accepted: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    late: int = 0
    evaluations: int = 0
    evicted: int = 0
    alerts: Counter[str] = field(default_factory=Counter)
    batches: int = 0

    @property
    def rejected(self) -> int:
        return sum(self.rejects.values())


class Pipeline:
    """One detector over one stream.

    Examples
    --------
    >>> from detector.config import Config
    >>> pipeline = Pipeline(Config())
    >>> alerts = pipeline.process([b'{"ts": 1767225600, "account_id": "a"}', b'oops'], "doc")
    >>> pipeline.stats.accepted, dict(pipeline.stats.rejects), alerts
    (1, {'invalid_json': 1}, [])
    """

    def __init__(
        self,
        config: Config,
        alert_sinks: Sequence[Sink] = (),
        reject_sinks: Sequence[Sink] = (),
    ):
        self.config = config
        self.config_hash = config.hash()
        self.decoder = BatchDecoder(
            config.pipeline.max_record_bytes, config.pipeline.max_prompt_chars
        )
        self.fingerprinter = PromptFingerprinter(config.fingerprints)
        self.state = AccountState(
            config.windows, config.state, counters=tuple(self.fingerprinter.intent_names)
        )
        self.scorer = RiskScorer(config.scoring)
        self.policy = AlertPolicy(config.alerting, self.config_hash)
        self.alert_sinks = list(alert_sinks)
        self.reject_sinks = list(reject_sinks)
        self.score_observers: list[ScoreObserver] = []
        self.batch_observers: list[BatchObserver] = []
        self.stats = PipelineStats()
        self._evicted_at = -np.inf

    def process(
        self, values: Sequence[bytes], source: str, offsets: Sequence[int] | None = None
    ) -> list[Alert]:
        """Run raw JSON values through every stage; return the alerts raised."""
        batch, rejects = self.decoder.decode(values, source, offsets)
        self.stats.records += len(values)
        return self.process_decoded(batch, rejects)

    def process_decoded(self, batch: RecordBatch, rejects: list[Reject]) -> list[Alert]:
        stats = self.stats
        stats.batches += 1
        if rejects:
            for reject in rejects:
                stats.rejects[reject.category] += 1
            for sink in self.reject_sinks:
                sink.write(rejects)
        if len(batch) == 0:
            return []
        stats.accepted += len(batch)
        alerts: list[Alert] = []
        for piece in _split_by_event_time(batch, self.config.pipeline.max_batch_span_s):
            alerts += self._process_piece(piece)
        return alerts

    def _process_piece(self, batch: RecordBatch) -> list[Alert]:
        stats = self.stats
        fingerprints = self.fingerprinter.fingerprint_batch(batch)
        for observe in self.batch_observers:
            observe(batch)
        update = self.state.update(batch, fingerprints)
        stats.late += update.late
        stats.evicted += update.evicted
        alerts = self._score_due()
        self._maybe_evict()
        if alerts:
            for alert in alerts:
                stats.alerts[alert.severity] += 1
            for sink in self.alert_sinks:
                sink.write(alerts)
        return alerts

    def _score_due(self) -> list[Alert]:
        state, cfg = self.state, self.config.scoring
        due = state.due(cfg.interval_s)
        if len(due) == 0:
            return []
        # Too few requests to say anything yet: leave them dirty for the next batch.
        due = due[state.long.requests(due, state.watermark) >= cfg.min_requests]
        if len(due) == 0:
            return []
        features = compute_features(state, due, state.watermark)
        scored = self.scorer.score(features)
        accounts = state.accounts(due)
        seen = state.last_seen[due]
        alerts = self.policy.evaluate(accounts, seen.tolist(), scored)
        learnable = np.fromiter(
            (not self.policy.in_episode(a) for a in accounts), dtype=bool, count=len(accounts)
        )
        self.scorer.learn(features, learnable)
        state.mark_scored(due)
        self.stats.evaluations += len(due)
        for observe in self.score_observers:
            observe(accounts, seen, scored)
        return alerts

    def _maybe_evict(self) -> None:
        # Sweeping every row is O(tracked accounts): do it a few times per idle TTL.
        if self.state.watermark - self._evicted_at >= self.config.state.idle_ttl_s / 8:
            self._evicted_at = self.state.watermark
            self.stats.evicted += self.state.evict_idle()

    def flush(self) -> None:
        for sink in (*self.reject_sinks, *self.alert_sinks):
            sink.flush()

    def close(self) -> None:
        for sink in (*self.reject_sinks, *self.alert_sinks):
            sink.close()
