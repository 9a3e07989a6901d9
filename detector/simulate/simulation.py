"""The :func:`simulate` entry point: validate, generate, write, summarise."""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from detector.simulate.behaviours import Env, generate
from detector.simulate.profiles import PROFILES
from detector.simulate.prompts import PromptRenderer
from detector.simulate.scenarios import get_scenario
from detector.simulate.traffic import IdFactory, TrafficBuilder
from detector.simulate.writer import write_labels, write_requests

__all__ = ["ATTACK_LABELS", "HIGH_VOLUME_LABELS", "TS_FORMATS", "SimulationSummary", "simulate"]

#: Labels of accounts that take part in a distillation attack.
ATTACK_LABELS: frozenset[str] = frozenset({"hydra", "scraper", "slow_and_low"})
#: Labels of legitimate customers whose volume alone looks suspicious.
HIGH_VOLUME_LABELS: frozenset[str] = frozenset({"enterprise"})
#: Accepted values of ``ts_format``.
TS_FORMATS: tuple[str, ...] = ("unix", "rfc3339")

_MAX_BAD_LINE_SHARE = 0.5


@dataclass(frozen=True)
class SimulationSummary:
    """What a :func:`simulate` run produced.

    Attributes
    ----------
    records : int
        Valid request records written.
    bad_lines : int
        Deliberately invalid lines written in addition.
    accounts : int
        Accounts with at least one valid record (rows of the labels file).
    by_label : dict of str to int
        Accounts per label.
    records_by_label : dict of str to int
        Valid records per label.
    start_ts, end_ts : float
        Unix time of the first and last record (event time).
    seconds : float
        Wall-clock time the run took.
    """

    records: int
    bad_lines: int
    accounts: int
    by_label: dict[str, int]
    records_by_label: dict[str, int]
    start_ts: float
    end_ts: float
    seconds: float


def _check(
    seed: int,
    scale: float,
    duration_s: float | None,
    start_ts: float,
    bad_line_share: float,
    ts_format: str,
) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number, got {scale!r}")
    if duration_s is not None and not (math.isfinite(duration_s) and duration_s > 0):
        raise ValueError(f"duration_s must be a positive number of seconds, got {duration_s!r}")
    if not (math.isfinite(start_ts) and start_ts >= 0):
        raise ValueError(f"start_ts must be a non-negative Unix time, got {start_ts!r}")
    if not (0 <= bad_line_share <= _MAX_BAD_LINE_SHARE):
        raise ValueError(
            f"bad_line_share must be between 0 and {_MAX_BAD_LINE_SHARE}, got {bad_line_share!r}"
        )
    if ts_format not in TS_FORMATS:
        raise ValueError(f"ts_format must be one of {', '.join(TS_FORMATS)}, got {ts_format!r}")


def simulate(
    out: Path,
    labels: Path,
    *,
    scenario: str = "mixed",
    seed: int = 7,
    scale: float = 1.0,
    duration_s: float | None = None,
    start_ts: float = 1_767_225_600.0,
    prompt_text: bool = True,
    bad_line_share: float = 0.001,
    ts_format: str = "unix",
    progress: bool = False,
) -> SimulationSummary:
    """Write seeded, labelled synthetic API traffic.

    Parameters
    ----------
    out : pathlib.Path
        Request records as JSON Lines (contract §1), sorted by ``ts`` except for a few
        records delivered up to 2 s late; gzip-compressed when the name ends in ``.gz``.
    labels : pathlib.Path
        CSV ``account_id,label,campaign_id``, one row per account with a valid record.
    scenario : str
        Name of a mix in :data:`SCENARIOS`.
    seed : int
        Seed; the same arguments always give byte-identical files.
    scale : float
        Multiplies every label's account count (rates are unchanged). A label present in
        the scenario keeps at least one account.
    duration_s : float, optional
        Event-time length in seconds; ``None`` uses the scenario's default.
    start_ts : float
        Unix time at which the traffic starts (default 2026-01-01T00:00:00Z).
    prompt_text : bool
        Emit ``prompt_text``; when false, emit ``prompt_fingerprint`` (xxh3_64 of the
        normalised text, 16 hex chars) instead.
    bad_line_share : float
        Share of output lines that are deliberately invalid, in ``[0, 0.5]``.
    ts_format : {"unix", "rfc3339"}
        Unix seconds rounded to milliseconds, or an RFC 3339 string in UTC ("Z").
    progress : bool
        Show progress bars on stderr.

    Returns
    -------
    SimulationSummary

    Raises
    ------
    ValueError
        For an unknown scenario (the message lists the valid names) or an out-of-range
        parameter.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     s = simulate(Path(tmp, "r.jsonl"), Path(tmp, "l.csv"), scenario="small", scale=0.1)
    >>> s.records > 0 and set(s.by_label) >= {"ordinary", "hydra"}
    True
    """
    began = time.perf_counter()
    mix = get_scenario(scenario)
    _check(seed, scale, duration_s, start_ts, bad_line_share, ts_format)
    counts = mix.scaled(scale)
    duration = float(mix.duration_s if duration_s is None else duration_s)

    # Independent streams, so a change in one stage's draws leaves the others unchanged.
    gen_seq, write_seq, render_seq, context_seq = np.random.SeedSequence(seed).spawn(4)
    gen_rng = np.random.Generator(np.random.PCG64(gen_seq))
    builder = TrafficBuilder()
    env = Env(
        rng=gen_rng,
        duration=duration,
        builder=builder,
        ids=IdFactory(gen_rng),
        renderer=PromptRenderer(int(context_seq.generate_state(1)[0])),
    )
    with tqdm(
        total=len(counts), desc="generating", unit="label", disable=not progress, file=sys.stderr
    ) as bar:
        for label, count in counts.items():
            bar.set_postfix_str(label)
            generate(env, PROFILES[label], count)
            bar.update(1)
    traffic = builder.build()

    stats = write_requests(
        traffic,
        out,
        start_ts=start_ts,
        rng=np.random.Generator(np.random.PCG64(write_seq)),
        renderer=PromptRenderer(int(render_seq.generate_state(1)[0])),
        prompt_text=prompt_text,
        bad_line_share=bad_line_share,
        ts_format=ts_format,
        progress=progress,
    )
    per_account = stats.records_per_account.tolist()
    write_labels(labels, traffic.accounts, per_account)

    by_label: Counter[str] = Counter()
    records_by_label: Counter[str] = Counter()
    for account, n in zip(traffic.accounts, per_account, strict=True):
        if n:
            by_label[account.label] += 1
            records_by_label[account.label] += n
    return SimulationSummary(
        records=stats.records,
        bad_lines=stats.bad_lines,
        accounts=sum(by_label.values()),
        by_label=dict(sorted(by_label.items())),
        records_by_label=dict(sorted(records_by_label.items())),
        start_ts=stats.first_ts,
        end_ts=stats.last_ts,
        seconds=time.perf_counter() - began,
    )
