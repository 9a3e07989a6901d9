"""Turn generated traffic into the files: request JSON Lines (contract §1) and labels CSV.

Requests are sorted by event time, with a small share delivered late (as log shippers do),
rendered to prompts, encoded with msgspec in chunks and written, optionally gzip-compressed.
A configurable share of deliberately invalid lines is spread through the file so that
consumers' reject paths get exercised.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import msgspec
import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from detector.simulate.prompts import PromptRenderer, fingerprint
from detector.simulate.traffic import ENDPOINT, FINISH_REASONS, MODELS, Account, Traffic

__all__ = ["BAD_LINE_KINDS", "WriteStats", "write_labels", "write_requests"]

#: Kinds of invalid line, in the order their codes are assigned.
BAD_LINE_KINDS: tuple[str, ...] = (
    "truncated_json",
    "not_an_object",
    "missing_ts",
    "missing_account_id",
    "account_id_not_string",
    "negative_completion_tokens",
    "account_id_too_long",
    "ts_not_a_date",
)
LABEL_HEADER = ("account_id", "label", "campaign_id")

_CHUNK = 20_000
_LATE_SHARE = 0.003  # records delivered out of order...
_LATE_MAX_S = 2.0  # ...by up to this many seconds
_NON_DATES = ("yesterday", "N/A", "unknown", "not-a-timestamp", "soon", "--", "tbd", "later")
_GZIP_LEVEL = 6


class _Record(msgspec.Struct, omit_defaults=True):
    """One request, fields in contract order; ``None`` fields are left out."""

    ts: float | str
    account_id: str
    request_id: str
    org_id: str | None = None
    api_key_id: str | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    model: str | None = None
    endpoint: str | None = None
    status: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    max_tokens: int | None = None
    finish_reason: str | None = None
    latency_ms: float | None = None
    prompt_text: str | None = None
    prompt_fingerprint: str | None = None
    reasoning: bool | None = None
    logprobs: int | None = None
    n: int | None = None
    temperature: float | None = None


@dataclass(frozen=True)
class WriteStats:
    """What :func:`write_requests` wrote."""

    records: int
    bad_lines: int
    first_ts: float
    last_ts: float
    records_per_account: npt.NDArray[np.int64]


def _request_ids(salt: int, start: int, n: int) -> list[str]:
    """Unique, random-looking request ids: the splitmix64 finaliser is a bijection."""
    with np.errstate(over="ignore"):
        z = np.arange(start, start + n, dtype=np.uint64) ^ np.uint64(salt)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return [f"req_{v:016x}" for v in z.tolist()]


def _bad_line(record: _Record, kind: int, rng: np.random.Generator) -> bytes:
    """A deliberately invalid variant of ``record`` (see :data:`BAD_LINE_KINDS`)."""
    fields = {k: v for k, v in msgspec.structs.asdict(record).items() if v is not None}
    name = BAD_LINE_KINDS[kind]
    if name == "truncated_json":
        raw = msgspec.json.encode(fields)
        return raw[: int(rng.integers(len(raw) // 4, len(raw) - 1))]
    if name == "not_an_object":
        if rng.random() < 0.5:
            return msgspec.json.encode([fields])
        return str(int(rng.integers(1, 10**9))).encode()
    if name == "missing_ts":
        del fields["ts"]
    elif name == "missing_account_id":
        del fields["account_id"]
    elif name == "account_id_not_string":
        fields["account_id"] = int(rng.integers(10**5, 10**9))
    elif name == "negative_completion_tokens":
        fields["completion_tokens"] = -int(rng.integers(1, 2_000))
    elif name == "account_id_too_long":
        digits = rng.choice(list("0123456789abcdef"), int(rng.integers(257, 400)))
        fields["account_id"] = "acct_" + "".join(digits.tolist())
    else:  # ts_not_a_date
        fields["ts"] = _NON_DATES[int(rng.integers(len(_NON_DATES)))]
    return msgspec.json.encode(fields)


class _Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


@contextlib.contextmanager
def _open_out(path: Path) -> Iterator[_Sink]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw:
        if path.name.endswith(".gz"):
            # No file name and a fixed mtime in the header: same input, same bytes.
            with gzip.GzipFile(
                filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=_GZIP_LEVEL
            ) as gz:
                yield gz
        else:
            yield raw


def _format_ts(abs_ts: npt.NDArray[np.float64], ts_format: str) -> list[float] | list[str]:
    if ts_format == "rfc3339":
        ms = np.rint(abs_ts * 1000).astype(np.int64).astype("datetime64[ms]")
        strings: list[str] = np.datetime_as_string(ms, unit="ms", timezone="UTC").tolist()
        return strings
    floats: list[float] = abs_ts.tolist()
    return floats


def write_requests(
    traffic: Traffic,
    path: Path,
    *,
    start_ts: float,
    rng: np.random.Generator,
    renderer: PromptRenderer,
    prompt_text: bool,
    bad_line_share: float,
    ts_format: str,
    progress: bool,
) -> WriteStats:
    """Write ``traffic`` as JSON Lines sorted by time (up to small delivery jitter).

    Parameters
    ----------
    traffic : Traffic
        Generated requests; ``ts`` relative to ``start_ts``.
    path : pathlib.Path
        Output file; gzip-compressed when the name ends in ``.gz``.
    start_ts : float
        Unix time of the scenario start.
    rng : numpy.random.Generator
        Writer RNG (late deliveries, request ids, invalid lines).
    renderer : PromptRenderer
        Renders each request's prompt, in file order.
    prompt_text : bool
        Emit ``prompt_text``; otherwise only ``prompt_fingerprint``.
    bad_line_share : float
        Share of all lines that are invalid.
    ts_format : {"unix", "rfc3339"}
        How ``ts`` is written.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    WriteStats
    """
    cols = traffic.columns
    n = len(traffic)
    delay = np.where(rng.random(n) < _LATE_SHARE, rng.uniform(0, _LATE_MAX_S, n), 0.0)
    order = np.argsort(cols["ts"] + delay, kind="stable")
    abs_ts = np.round(start_ts + cols["ts"], 3)
    salt = int(rng.integers(0, 2**63))

    n_bad = round(n * bad_line_share / (1 - bad_line_share)) if bad_line_share > 0 else 0
    bad_pos = np.sort(rng.choice(n + n_bad, n_bad, replace=False)) if n_bad else np.zeros(0)
    bad_before = (bad_pos - np.arange(n_bad)).astype(np.int64)  # good lines preceding each
    bad_kind = rng.permutation(np.arange(n_bad) % len(BAD_LINE_KINDS))

    account_ids = [a.account_id for a in traffic.accounts]
    org_ids = [a.org_id for a in traffic.accounts]
    keys, ips, uas, contexts = traffic.keys, traffic.ips, traffic.user_agents, traffic.contexts
    render = renderer.render
    encoder = msgspec.json.Encoder()
    record = _Record

    with (
        _open_out(path) as fh,
        tqdm(
            total=n,
            unit="rec",
            unit_scale=True,
            desc="writing",
            disable=not progress,
            file=sys.stderr,
        ) as bar,
    ):
        for lo in range(0, max(n, 1), _CHUNK):
            hi = min(lo + _CHUNK, n)
            idx = order[lo:hi]
            c = {name: arr[idx].tolist() for name, arr in cols.items() if name != "ts"}
            rows: list[_Record] = []
            for (
                ts,
                acc,
                key,
                ip,
                ua,
                model,
                status,
                pt,
                ct,
                mt,
                fin,
                lat,
                rsn,
                lp,
                nc,
                temp,
                fam,
                ctx,
                rid,
            ) in zip(
                _format_ts(abs_ts[idx], ts_format),
                c["account"],
                c["key"],
                c["ip"],
                c["ua"],
                c["model"],
                c["status"],
                c["prompt_tokens"],
                c["completion_tokens"],
                c["max_tokens"],
                c["finish"],
                c["latency_ms"],
                c["reasoning"],
                c["logprobs"],
                c["n"],
                c["temperature"],
                c["family"],
                c["context"],
                _request_ids(salt, lo, hi - lo),
                strict=True,
            ):
                text = render(fam)
                if ctx >= 0:
                    text = contexts[ctx] + "\n\n" + text
                if pt:
                    # Billed prompt tokens can't be fewer than the text shown (~4 chars/token).
                    pt = max(pt, len(text) // 4 + 1)
                rows.append(
                    record(
                        ts,
                        account_ids[acc],
                        rid,
                        org_ids[acc],
                        keys[key],
                        ips[ip],
                        uas[ua],
                        MODELS[model],
                        ENDPOINT,
                        status,
                        pt,
                        ct,
                        mt if mt >= 0 else None,
                        FINISH_REASONS[fin],
                        lat,
                        text if prompt_text else None,
                        None if prompt_text else fingerprint(text),
                        rsn,
                        lp if lp >= 0 else None,
                        nc if nc > 1 else None,
                        temp if temp == temp else None,  # NaN: client sent no temperature
                    )
                )
            first = int(np.searchsorted(bad_before, lo, "left"))
            last = int(np.searchsorted(bad_before, hi, "left")) if hi < n else n_bad
            fh.write(
                _interleave(encoder, rows, bad_before[first:last] - lo, bad_kind[first:last], rng)
            )
            bar.update(hi - lo)

    return WriteStats(
        records=n,
        bad_lines=n_bad,
        first_ts=float(abs_ts.min()) if n else start_ts,
        last_ts=float(abs_ts.max()) if n else start_ts,
        records_per_account=np.bincount(cols["account"], minlength=len(traffic.accounts)),
    )


def _interleave(
    encoder: msgspec.json.Encoder,
    rows: Sequence[_Record],
    insert_at: npt.NDArray[np.int64],
    kinds: npt.NDArray[np.int64],
    rng: np.random.Generator,
) -> bytes:
    """Encode ``rows`` with invalid lines inserted before the given row positions."""
    parts: list[bytes] = []
    prev = 0
    for pos, kind in zip(insert_at.tolist(), kinds.tolist(), strict=True):
        if pos > prev:
            parts.append(encoder.encode_lines(rows[prev:pos]))
            prev = pos
        template = rows[min(pos, len(rows) - 1)] if rows else _Record(0.0, "acct_x", "req_x")
        parts.append(_bad_line(template, kind, rng) + b"\n")
    if prev < len(rows):
        parts.append(encoder.encode_lines(rows[prev:]))
    return b"".join(parts)


def write_labels(path: Path, accounts: Sequence[Account], records: Sequence[int]) -> None:
    """Write ``account_id,label,campaign_id`` for accounts with at least one record.

    Rows are sorted by account id so that file order reveals nothing about the label.
    """
    rows = sorted(
        (a.account_id, a.label, a.campaign_id or "")
        for a, count in zip(accounts, records, strict=True)
        if count > 0
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(LABEL_HEADER)
        writer.writerows(rows)
