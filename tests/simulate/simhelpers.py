"""Helpers for the simulator tests: run ``simulate`` and read its output the way the
contract (§1) describes it."""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from detector.simulate import SimulationSummary, simulate

_DECODER = msgspec.json.Decoder()
_INT_FIELDS_NONNEG = ("prompt_tokens", "completion_tokens", "max_tokens", "logprobs")
_STR_FIELDS = (
    "request_id",
    "org_id",
    "api_key_id",
    "client_ip",
    "user_agent",
    "model",
    "endpoint",
    "finish_reason",
    "prompt_text",
    "prompt_fingerprint",
)


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_date(v: str) -> bool:
    try:
        datetime.fromisoformat(v)
    except ValueError:
        return False
    return True


def contract_problem(obj: object) -> str | None:
    """Why ``obj`` is not a valid request record per contract §1, or None if it is."""
    if not isinstance(obj, dict):
        return "not_an_object"
    if "ts" not in obj:
        return "missing_ts"
    if "account_id" not in obj:
        return "missing_account_id"
    ts, account = obj["ts"], obj["account_id"]
    if not (_is_number(ts) or (isinstance(ts, str) and _is_date(ts))):
        return "ts_not_a_date"
    if not isinstance(account, str):
        return "account_id_not_string"
    if not 1 <= len(account) <= 256:
        return "account_id_too_long"
    for name in _INT_FIELDS_NONNEG:
        if name in obj and not (_is_int(obj[name]) and obj[name] >= 0):
            return "negative_completion_tokens" if name == "completion_tokens" else name
    for name in _STR_FIELDS:
        if name in obj and not isinstance(obj[name], str):
            return name
    if "status" in obj and not _is_int(obj["status"]):
        return "status"
    if "n" in obj and not (_is_int(obj["n"]) and obj["n"] >= 1):
        return "n"
    if "reasoning" in obj and not isinstance(obj["reasoning"], bool):
        return "reasoning"
    for name in ("latency_ms", "temperature"):
        if name in obj and not _is_number(obj[name]):
            return name
    if "latency_ms" in obj and obj["latency_ms"] < 0:
        return "latency_ms"
    return None


def classify_line(line: bytes) -> str | None:
    """Kind of problem of one output line (see ``BAD_LINE_KINDS``), None if valid."""
    try:
        obj = _DECODER.decode(line)
    except msgspec.DecodeError:
        return "truncated_json"
    return contract_problem(obj)


@dataclass
class Run:
    """A finished simulation and its parsed output."""

    out: Path
    labels_path: Path
    summary: SimulationSummary
    lines: list[bytes]
    good: list[dict[str, Any]]
    bad: list[tuple[int, bytes, str]]  # (line number, raw line, kind)
    labels: dict[str, tuple[str, str]]  # account_id -> (label, campaign_id)


def read_lines(path: Path) -> list[bytes]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        data: bytes = fh.read()
    return data.splitlines()


def read_labels(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["account_id", "label", "campaign_id"]
    return {r[0]: (r[1], r[2]) for r in rows[1:]}


def run_sim(directory: Path, name: str = "records.jsonl", **kwargs: Any) -> Run:
    out, labels_path = directory / name, directory / (name.split(".")[0] + "_labels.csv")
    summary = simulate(out, labels_path, **kwargs)
    lines = read_lines(out)
    good: list[dict[str, Any]] = []
    bad: list[tuple[int, bytes, str]] = []
    for i, line in enumerate(lines):
        kind = classify_line(line)
        if kind is None:
            good.append(_DECODER.decode(line))
        else:
            bad.append((i, line, kind))
    return Run(out, labels_path, summary, lines, good, bad, read_labels(labels_path))
