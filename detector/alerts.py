"""Alerts (contract §2): the record, the policy that decides when to raise one, and sinks.

The policy raises an account alert when its score has been at or above ``threshold`` for
``consecutive`` evaluations. An *episode* starts with the first alert and lasts until the
score falls below ``clear_below`` (hysteresis): within an episode the alert id stays the same,
and the alert is re-emitted only when the cooldown has passed or the severity has risen. The
id is derived from the account and the episode's start in event time, so a replay of the same
traffic gives the same ids.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import msgspec
import numpy as np

from detector.config import AlertingConfig
from detector.scoring import ScoreBatch

__all__ = [
    "KINDS",
    "MAX_REASONS",
    "SEVERITIES",
    "Alert",
    "AlertPolicy",
    "JsonlSink",
    "Reason",
    "Sink",
    "StdoutSink",
]

SEVERITIES = ("info", "warning", "critical")
KINDS = ("account", "campaign")
MAX_REASONS = 8


class Reason(msgspec.Struct, frozen=True):
    signal: str
    value: float
    baseline: float
    contribution: float


class Alert(msgspec.Struct, omit_defaults=True, frozen=True):
    """One alert; field meanings are contract §2. Never carries prompt text."""

    alert_id: str
    kind: str
    ts: float
    emitted_at: float
    score: float
    severity: str
    reasons: list[Reason]
    config_hash: str
    account_id: str | None = None
    campaign_id: str | None = None
    members: list[str] | None = None


@dataclass
class _Episode:
    alert_id: str
    streak: int = 0
    last_alert_ts: float = -np.inf
    severity: int = -1


class AlertPolicy:
    """Decide which scored accounts raise an alert now.

    Examples
    --------
    >>> from detector.config import AlertingConfig
    >>> policy = AlertPolicy(AlertingConfig(consecutive=2, cooldown_s=600), config_hash="c0ffee")
    >>> policy.decide("acct-1", ts=100.0, score=0.9) is None   # first high score: streak 1
    True
    >>> policy.decide("acct-1", ts=160.0, score=0.9)            # second: raise, severity
    'warning'
    >>> policy.decide("acct-1", ts=220.0, score=0.9) is None   # same episode, cooling down
    True
    """

    def __init__(self, config: AlertingConfig, config_hash: str, kind: str = "account"):
        self.config = config
        self.config_hash = config_hash
        self.kind = kind
        self._allow = frozenset(config.allow_list)
        self._tracks: dict[str, _Episode] = {}
        self._delivered: dict[str, tuple[str, int]] = {}

    def suppress(self, delivered: Iterable[tuple[str, str, str]]) -> None:
        """Alerts ``(account_id, alert_id, severity)`` delivered before a restart.

        Replaying the records after a checkpoint may evaluate at slightly different moments
        (batch boundaries differ), so a replayed alert is matched by account: it takes the
        delivered episode's id and is raised again only if its severity is higher.
        """
        for account, alert_id, severity in delivered:
            rank = SEVERITIES.index(severity)
            if rank >= self._delivered.get(account, ("", -1))[1]:
                self._delivered[account] = (alert_id, rank)

    def severity(self, score: float) -> str:
        if score >= self.config.severity.critical:
            return "critical"
        if score >= self.config.severity.warning:
            return "warning"
        return "info"

    def open_keys(self) -> list[str]:
        """Accounts (or campaigns) with a streak or an open episode."""
        return list(self._tracks)

    def episode_id(self, key: str) -> str:
        return self._tracks[key].alert_id

    def raised_severity(self, key: str) -> str | None:
        """The highest severity raised in the key's open episode, if any."""
        track = self._tracks.get(key)
        return SEVERITIES[track.severity] if track is not None and track.severity >= 0 else None

    def in_episode(self, account: str) -> bool:
        track = self._tracks.get(account)
        return track is not None and track.last_alert_ts > -np.inf

    def decide(self, account: str, ts: float, score: float) -> str | None:
        """Update the account's streak; return the severity to raise now, or ``None``."""
        cfg = self.config
        track = self._tracks.get(account)
        if score < cfg.clear_below:
            if track is not None:
                del self._tracks[account]
            return None
        if track is None:
            track = self._tracks[account] = _Episode(alert_id=_episode_id(self.kind, account, ts))
        if score < cfg.threshold:
            track.streak = 0
            return None
        track.streak += 1
        if track.streak < cfg.consecutive or account in self._allow:
            return None
        severity = self.severity(score)
        rank = SEVERITIES.index(severity)
        if ts - track.last_alert_ts < cfg.cooldown_s and rank <= track.severity:
            return None
        if track.last_alert_ts == -np.inf:
            # The episode starts with its first alert: the id names that moment.
            track.alert_id = _episode_id(self.kind, account, ts)
        track.last_alert_ts = ts
        track.severity = max(rank, track.severity)
        return severity

    def snapshot(self) -> list[list[Any]]:
        """Open episodes and streaks, for checkpoints."""
        return [
            [
                account,
                t.alert_id,
                t.streak,
                t.last_alert_ts if np.isfinite(t.last_alert_ts) else None,
                t.severity,
            ]
            for account, t in self._tracks.items()
        ]

    def restore(self, rows: list[list[Any]]) -> None:
        self._tracks = {
            account: _Episode(alert_id, streak, -np.inf if last is None else last, severity)
            for account, alert_id, streak, last, severity in rows
        }

    def evaluate(
        self,
        accounts: list[str],
        ts: Sequence[float],
        scored: ScoreBatch,
        campaign_ids: Sequence[str | None] | None = None,
    ) -> list[Alert]:
        """Alerts raised by one batch of scores (``accounts[i]`` is ``scored.rows[i]``);
        an account in a campaign carries its id (``campaign_ids[i]``)."""
        alerts: list[Alert] = []
        clear = self.config.clear_below
        tracks = self._tracks
        now = time.time()
        for i, (account, t, score) in enumerate(
            zip(accounts, ts, scored.scores.tolist(), strict=True)
        ):
            if score < clear and account not in tracks:
                continue
            severity = self.decide(account, t, score)
            if severity is None:
                continue
            if account in self._delivered:
                alert_id, rank = self._delivered.pop(account)
                track = tracks[account]
                track.alert_id, track.severity = alert_id, max(track.severity, rank)
                if SEVERITIES.index(severity) <= rank:
                    continue
            alerts.append(
                Alert(
                    alert_id=tracks[account].alert_id,
                    kind="account",
                    ts=t,
                    emitted_at=now,
                    account_id=account,
                    score=round(score, 6),
                    severity=severity,
                    reasons=_reasons(scored, i),
                    config_hash=self.config_hash,
                    campaign_id=campaign_ids[i] if campaign_ids is not None else None,
                )
            )
        return alerts


_ID_PREFIX = dict(zip(KINDS, ("acc", "cam"), strict=True))


def _episode_id(kind: str, key: str, ts: float) -> str:
    digest = hashlib.sha256(f"{kind}|{key}|{ts:.3f}".encode()).hexdigest()
    return f"{_ID_PREFIX[kind]}-{digest[:20]}"


def _reasons(scored: ScoreBatch, i: int) -> list[Reason]:
    ev = scored.evidence
    contributions = ev.contributions[i]
    order = np.argsort(-contributions, kind="stable")[:MAX_REASONS]
    return [
        Reason(
            signal=ev.names[j],
            value=round(float(ev.values[i, j]), 6),
            baseline=round(float(scored.baselines[j]), 6),
            contribution=round(float(contributions[j]), 6),
        )
        for j in order.tolist()
        if contributions[j] > 0
    ]


class Sink(Protocol):
    """Where records go: alerts, dead letters. ``flush`` makes everything written durable."""

    def write(self, items: Sequence[msgspec.Struct]) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class JsonlSink:
    """Append records as JSON Lines to a file (created with its parent directories)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("ab")
        self._encoder = msgspec.json.Encoder()

    def write(self, items: Sequence[msgspec.Struct]) -> None:
        if items:
            buffer = bytearray()
            for item in items:
                self._encoder.encode_into(item, buffer, -1)
                buffer += b"\n"
            self._file.write(buffer)

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()


_COLOURS = {"info": "\033[36m", "warning": "\033[33m", "critical": "\033[1;31m"}


class StdoutSink:
    """Alerts on standard output: JSON Lines when piped, one coloured line on a terminal."""

    def __init__(self, stream: IO[str] | None = None):
        self._stream = stream or sys.stdout
        self._tty = self._stream.isatty()

    def write(self, items: Sequence[msgspec.Struct]) -> None:
        for item in items:
            if self._tty and isinstance(item, Alert):
                self._stream.write(_pretty(item) + "\n")
            else:
                self._stream.write(msgspec.json.encode(item).decode() + "\n")

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self.flush()


def _pretty(alert: Alert) -> str:
    who = alert.account_id or alert.campaign_id
    top = ", ".join(f"{r.signal}={r.value:g}" for r in alert.reasons[:3])
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(alert.ts))
    return (
        f"{_COLOURS[alert.severity]}{alert.severity.upper():8}\033[0m {when}Z "
        f"{alert.kind:8} {who}  score={alert.score:.3f}  {top}"
    )
