"""Replay a recorded JSONL file through the pipeline in event time, as fast as possible, and
evaluate a replay against ground-truth labels."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from detector.alerts import Sink
from detector.baseline import RateLimitBaseline
from detector.config import Config
from detector.pipeline import Pipeline
from detector.progress import Progress
from detector.records import RecordBatch
from detector.scoring import ScoreBatch
from detector.sources.file import FileSource

__all__ = ["AccountTracker", "ReplaySummary", "replay"]


@dataclass(frozen=True)
class ReplaySummary:
    input: str
    records: int
    accepted: int
    rejects: dict[str, int]
    late: int
    accounts: int
    evaluations: int
    alerts: dict[str, int]
    """Alerts by "kind severity"."""
    campaigns: dict[str, int]
    """Campaigns active at the end: id and number of members."""
    seconds: float
    config_hash: str
    first_ts: float | None
    last_ts: float | None

    @property
    def rejected(self) -> int:
        return sum(self.rejects.values())

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        rejects = ", ".join(f"{k} {v:,}" for k, v in sorted(self.rejects.items())) or "none"
        alerts = ", ".join(f"{k} {v:,}" for k, v in sorted(self.alerts.items())) or "none"
        span = ((self.last_ts or 0) - (self.first_ts or 0)) / 3600
        return [
            f"input        {self.input}",
            f"records      {self.records:,} ({self.accepted:,} accepted, "
            f"{self.rejected:,} rejected: {rejects})",
            f"late         {self.late:,} (older than the long window on arrival)",
            f"accounts     {self.accounts:,}",
            f"event time   {span:.2f} h",
            f"evaluations  {self.evaluations:,}",
            f"alerts       {sum(self.alerts.values()):,} ({alerts})",
            f"campaigns    {len(self.campaigns):,} active at the end"
            + (
                f" ({', '.join(f'{c}: {n}' for c, n in self.campaigns.items())})"
                if self.campaigns
                else ""
            ),
            f"throughput   {self.records_per_s:,.0f} records/s ({self.seconds:.1f} s)",
            f"config_hash  {self.config_hash}",
        ]


@dataclass
class AccountTracker:
    """Per-account facts a replay collects for evaluation: first event time, highest score."""

    first_ts: dict[str, float] = field(default_factory=dict)
    max_score: dict[str, float] = field(default_factory=dict)

    def observe_batch(self, batch: RecordBatch) -> None:
        first = self.first_ts
        for account, ts in zip(batch.account_id, batch.ts.tolist(), strict=True):
            if ts < first.get(account, np.inf):
                first[account] = ts

    def observe_scores(
        self, accounts: list[str], ts: npt.NDArray[np.float64], scored: ScoreBatch
    ) -> None:
        best = self.max_score
        for account, score in zip(accounts, scored.scores.tolist(), strict=True):
            if score > best.get(account, -1.0):
                best[account] = score


def replay(
    config: Config,
    path: str | Path,
    alert_sinks: Sequence[Sink] = (),
    reject_sinks: Sequence[Sink] = (),
    progress: bool = True,
    tracker: AccountTracker | None = None,
    baseline: RateLimitBaseline | None = None,
) -> ReplaySummary:
    """Run the pipeline over ``path`` and return a summary."""
    pipeline = Pipeline(config, alert_sinks, reject_sinks)
    accounts: set[str] = set()
    pipeline.batch_observers.append(lambda b: accounts.update(b.account_id))
    if tracker is not None:
        pipeline.batch_observers.append(tracker.observe_batch)
        pipeline.score_observers.append(tracker.observe_scores)
    if baseline is not None:
        pipeline.batch_observers.append(baseline.observe)
    source = FileSource(path, config.pipeline.batch_records)
    first_ts: float | None = None
    started = time.perf_counter()
    try:
        with Progress(source.size, f"replay {Path(path).name}", enabled=progress) as bar:
            for raw in source:
                pipeline.process(raw.values, source.source_name, raw.offsets)
                if first_ts is None and np.isfinite(pipeline.state.watermark):
                    first_ts = pipeline.state.watermark
                bar.update(raw.position, pipeline.stats.records)
        pipeline.flush()
    finally:
        pipeline.close()
    seconds = time.perf_counter() - started
    stats = pipeline.stats
    watermark = pipeline.state.watermark
    return ReplaySummary(
        input=str(path),
        records=stats.records,
        accepted=stats.accepted,
        rejects=dict(stats.rejects),
        late=stats.late,
        accounts=len(accounts),
        evaluations=stats.evaluations,
        alerts={f"{kind} {severity}": n for (kind, severity), n in stats.alerts.items()},
        campaigns={
            c.campaign_id: len(c.members)
            for c in (pipeline.campaigns.campaigns.values() if pipeline.campaigns else ())
        },
        seconds=seconds,
        config_hash=pipeline.config_hash,
        first_ts=first_ts,
        last_ts=float(watermark) if np.isfinite(watermark) else None,
    )
