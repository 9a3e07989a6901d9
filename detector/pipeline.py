"""The loop that wires the stages: decode → fingerprint → window state → features → score →
alerts. ``replay``, ``evaluate`` and (later) ``run`` and ``demo`` all drive this one class;
only the source of raw values and the sinks differ.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from detector.alerts import Alert, AlertPolicy, Sink
from detector.campaigns import CampaignDetector
from detector.config import Config
from detector.features import compute_features, signal_names
from detector.fingerprints import PromptFingerprinter
from detector.records import BatchDecoder, RecordBatch, Reject
from detector.scoring import RiskScorer, ScoreBatch
from detector.state import AccountState

__all__ = ["Partition", "Pipeline", "PipelineStats", "ScoreObserver"]


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


def _split_for_capacity(batch: RecordBatch, max_accounts: int) -> list[RecordBatch]:
    """Cut a batch naming more distinct accounts than the state holds into pieces of at most
    ``max_accounts`` records.

    To make room the state evicts the least recently seen accounts, but never one the batch
    in hand uses: a batch with more accounts than rows would leave it nothing to evict.
    """
    if len(batch) <= max_accounts or len(set(batch.account_id)) <= max_accounts:
        return [batch]
    bounds = [*range(0, len(batch), max_accounts), len(batch)]
    return [batch.slice(a, b) for a, b in itertools.pairwise(bounds)]


_IDLE_PARTITION_S = 30.0

ScoreObserver = Callable[[list[str], npt.NDArray[np.float64], ScoreBatch], None]
"""Called with (accounts, event times, scores) after every scoring step."""
BatchObserver = Callable[[RecordBatch], None]
"""Called with every accepted batch, after fingerprinting (its prompt text is already gone)."""


@dataclass
class PipelineStats:
    records: int = 0
    accepted: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    late: int = 0
    evaluations: int = 0
    evicted: int = 0
    alerts: Counter[tuple[str, str]] = field(default_factory=Counter)
    """Alerts raised by (kind, severity)."""
    batches: int = 0

    @property
    def rejected(self) -> int:
        return sum(self.rejects.values())


@dataclass
class Partition:
    """The per-partition part of a detector: window state and alert episodes.

    Input keyed by account puts each account on one partition, so a partition's accounts
    can be checkpointed, dropped on revoke and restored on assignment as one unit. The model
    and the population baselines belong to the whole instance.
    """

    state: AccountState
    policy: AlertPolicy
    evicted_at: float = -np.inf

    def snapshot(self) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
        arrays, meta = self.state.snapshot()
        meta["episodes"] = self.policy.snapshot()
        return arrays, meta

    def restore(self, arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any]) -> None:
        self.state.restore(arrays, meta)
        self.policy.restore(meta["episodes"])


class Pipeline:
    """One detector over one stream (or, with :meth:`new_partition`, over the partitions of
    one).

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
        self.scorer = RiskScorer(config.scoring, signal_names(self.fingerprinter.intent_names))
        self.campaigns = (
            CampaignDetector(config, self.config_hash) if config.campaigns.enabled else None
        )
        self.watermark = -np.inf
        # Event time of each partition with records, and when (wall clock) it last had some:
        # campaign passes follow the slowest active partition (see _campaign_clock).
        self._partition_clock: dict[int, tuple[float, float]] = {}
        self.default = self.new_partition()
        self.alert_sinks = list(alert_sinks)
        self.reject_sinks = list(reject_sinks)
        self.score_observers: list[ScoreObserver] = []
        self.batch_observers: list[BatchObserver] = []
        self.stats = PipelineStats()

    def new_partition(self) -> Partition:
        state = AccountState(
            self.config.windows,
            self.config.state,
            counters=tuple(self.fingerprinter.intent_names),
        )
        return Partition(state, AlertPolicy(self.config.alerting, self.config_hash))

    @property
    def state(self) -> AccountState:
        return self.default.state

    @property
    def policy(self) -> AlertPolicy:
        return self.default.policy

    def process(
        self,
        values: Sequence[bytes],
        source: str,
        offsets: Sequence[int] | npt.NDArray[np.int64] | None = None,
        partition: Partition | None = None,
    ) -> list[Alert]:
        """Run raw JSON values through every stage; return the alerts raised."""
        batch, rejects = self.decoder.decode(values, source, offsets)
        self.stats.records += len(values)
        return self.process_decoded(batch, rejects, partition)

    def process_decoded(
        self, batch: RecordBatch, rejects: list[Reject], partition: Partition | None = None
    ) -> list[Alert]:
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
        part = partition or self.default
        max_accounts = self.config.state.max_accounts
        for piece in _split_by_event_time(batch, self.config.pipeline.max_batch_span_s):
            for fitting in _split_for_capacity(piece, max_accounts):
                alerts += self._process_piece(fitting, part)
        return alerts

    def _process_piece(self, batch: RecordBatch, part: Partition) -> list[Alert]:
        stats = self.stats
        fingerprints = self.fingerprinter.fingerprint_batch(batch)
        for observe in self.batch_observers:
            observe(batch)
        update = part.state.update(batch, fingerprints)
        stats.late += update.late
        stats.evicted += update.evicted
        self.watermark = max(self.watermark, part.state.watermark)
        self._partition_clock[id(part)] = (part.state.watermark, time.monotonic())
        alerts = self._score_due(part)
        if self.campaigns is not None:
            clock = self._campaign_clock()
            if np.isfinite(clock) and self.campaigns.due(clock):
                alerts += self.campaigns.run(clock)
        self._maybe_evict(part)
        self._emit(alerts)
        return alerts

    def track_partition(self, part: Partition) -> None:
        """A partition assigned to this instance: until it has records (or has been quiet for
        a while), campaign passes wait for it."""
        self._partition_clock[id(part)] = (part.state.watermark, time.monotonic())

    def drop_partition(self, part: Partition) -> None:
        """The partition moved away: its event time no longer holds campaign passes back."""
        self._partition_clock.pop(id(part), None)

    def _campaign_clock(self) -> float:
        """The event time campaign passes run at: the slowest partition's, among those that
        had records within the last ``_IDLE_PARTITION_S`` seconds.

        Campaigns span partitions. When a backlog is read, one partition's batch may run
        hours of event time ahead of the others; passes at its time would see the other
        partitions' accounts hours stale. A partition that has gone quiet must not stop
        the clock, so it stops counting after a while (as idle sources do in Flink).
        """
        now = time.monotonic()
        active = [w for w, seen in self._partition_clock.values() if now - seen < _IDLE_PARTITION_S]
        return min(active) if active else self.watermark

    def run_campaigns(self) -> list[Alert]:
        """A campaign pass now, outside the event-time schedule: the live service calls it
        when other instances' signatures arrive while its own input is quiet."""
        if self.campaigns is None or not np.isfinite(self.watermark):
            return []
        alerts = self.campaigns.run(self.watermark)
        self._emit(alerts)
        return alerts

    def _emit(self, alerts: list[Alert]) -> None:
        if alerts:
            for alert in alerts:
                self.stats.alerts[alert.kind, alert.severity] += 1
            for sink in self.alert_sinks:
                sink.write(alerts)

    def _score_due(self, part: Partition) -> list[Alert]:
        state, policy, cfg = part.state, part.policy, self.config.scoring
        due = state.due(cfg.interval_s)
        if len(due) == 0:
            return []
        # Too few requests to say anything yet: leave them dirty for the next batch.
        due = due[state.long.requests(due, state.watermark) >= cfg.min_requests]
        if len(due) == 0:
            return []
        campaigns = self.campaigns
        features = compute_features(
            state, due, state.watermark, campaigns.lookup if campaigns is not None else None
        )
        scored = self.scorer.score(features)
        accounts = state.accounts(due)
        seen = state.last_seen[due]
        alerts = policy.evaluate(
            accounts, seen.tolist(), scored, campaigns.campaign_ids(accounts) if campaigns else None
        )
        if campaigns is not None:
            campaigns.observe(state, features, scored, state.watermark)
        learnable = np.fromiter(
            (not policy.in_episode(a) for a in accounts), dtype=bool, count=len(accounts)
        )
        self.scorer.learn(features, learnable)
        state.mark_scored(due)
        self.stats.evaluations += len(due)
        for observe in self.score_observers:
            observe(accounts, seen, scored)
        return alerts

    def refresh_signatures(self, part: Partition) -> None:
        """Rebuild the campaign signatures of a restored partition's accounts, so campaigns
        re-form at once instead of as each account sends its next request."""
        campaigns, state = self.campaigns, part.state
        if campaigns is None or len(state) == 0:
            return
        rows = state.index.rows()
        step = self.config.pipeline.batch_records
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            features = compute_features(state, chunk, state.watermark, campaigns.lookup)
            campaigns.observe(state, features, self.scorer.score(features), state.watermark)

    def _maybe_evict(self, part: Partition) -> None:
        # Sweeping every row is O(tracked accounts): do it a few times per idle TTL.
        if part.state.watermark - part.evicted_at >= self.config.state.idle_ttl_s / 8:
            part.evicted_at = part.state.watermark
            self.stats.evicted += part.state.evict_idle()

    def flush(self) -> None:
        for sink in (*self.reject_sinks, *self.alert_sinks):
            sink.flush()

    def close(self) -> None:
        for sink in (*self.reject_sinks, *self.alert_sinks):
            sink.close()
