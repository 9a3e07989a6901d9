"""Hand-built traffic with known campaign structure."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.conftest import T0, lines, record

HOURS = 6
_TOPICS = [
    f"{a} {b}"
    for a in (
        "sorting",
        "parsing",
        "caching",
        "routing",
        "hashing",
        "indexing",
        "scheduling",
        "compressing",
        "encrypting",
        "streaming",
        "batching",
        "sharding",
    )
    for b in (
        "arrays",
        "graphs",
        "trees",
        "logs",
        "queues",
        "tables",
        "files",
        "strings",
        "matrices",
        "events",
    )
]
_CAMPAIGN_FRAMES = (
    "Provide an exhaustive expert answer about {t}, covering every edge case in depth.",
    "Write a complete textbook chapter on {t} with worked examples and exercises.",
    "Give a long, detailed and fully worked treatment of {t} for an advanced reader.",
    "Produce a comprehensive reference entry on {t} including history and pitfalls.",
    "Explain {t} thoroughly, then list twenty follow-up questions with full answers.",
    "Draft a detailed tutorial on {t} that a new engineer could follow end to end.",
)
_COMMON_FRAMES = (
    "Can you help me understand {t} a bit better?",
    "What is the difference between {t} and {u}?",
    "Hi, quick question about {t}: is it hard to learn?",
    "Explain {t} like I'm five, please.",
    "Any tips for getting started with {t}?",
)
_BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Firefox/133.0",
)


def _times(rng: np.random.Generator, rate_per_h: float) -> list[float]:
    start = T0 + float(rng.uniform(0, 1800))
    gaps = rng.exponential(3600.0 / rate_per_h, size=int(HOURS * rate_per_h * 2))
    ts = start + np.cumsum(gaps)
    return ts[ts < T0 + HOURS * 3600].tolist()


def sybil_campaign(
    n: int = 200, rate_per_h: float = 5.0, seed: int = 1, prefix: str = "sybil"
) -> list[dict[str, Any]]:
    """``n`` throwaway accounts, each under every per-account limit, sharing prompt frames
    and a proxy pool (40 exits in 4 networks); their outputs are long but not extreme."""
    rng = np.random.default_rng(seed)
    pool = [f"45.{77 + s}.{12 + s}.{h}" for s in range(4) for h in range(10, 20)]
    out = []
    for k in range(n):
        exits = rng.choice(pool, size=3, replace=False)
        for ts in _times(rng, rate_per_h):
            frame = _CAMPAIGN_FRAMES[int(rng.integers(len(_CAMPAIGN_FRAMES)))]
            out.append(
                record(
                    f"{prefix}-{k:04d}",
                    ts,
                    prompt_text=frame.format(t=rng.choice(_TOPICS)),
                    prompt_tokens=int(rng.integers(40, 80)),
                    completion_tokens=int(rng.integers(900, 1500)),
                    max_tokens=4096,
                    reasoning=bool(rng.random() < 0.5),
                    client_ip=str(rng.choice(exits)),
                    user_agent=_BROWSERS[int(rng.integers(3))],
                )
            )
    return out


def ordinary_users(n: int = 2000, seed: int = 2) -> list[dict[str, Any]]:
    """Independent people using the same stock phrasing, each from a home IP."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        ip = f"{10 + k % 200}.{k // 200}.{int(rng.integers(256))}.{int(rng.integers(1, 255))}"
        ua = _BROWSERS[int(rng.integers(3))]
        for ts in _times(rng, float(rng.uniform(1.5, 3.0))):
            frame = _COMMON_FRAMES[int(rng.integers(len(_COMMON_FRAMES)))]
            out.append(
                record(
                    f"user-{k:05d}",
                    ts,
                    prompt_text=frame.format(t=rng.choice(_TOPICS), u=rng.choice(_TOPICS)),
                    prompt_tokens=int(rng.integers(15, 120)),
                    completion_tokens=int(rng.integers(80, 700)),
                    client_ip=ip,
                    user_agent=ua,
                )
            )
    return out


def org_service_accounts(
    n: int = 50, seed: int = 3, org: str = "acme-labs", prefix: str = "svc"
) -> list[dict[str, Any]]:
    """One company's service accounts: one prompt frame, two egress IPs, long answers (an
    evaluation team, say): alike by design, under one ``org_id``."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        for ts in _times(rng, 12.0):
            out.append(
                record(
                    f"{prefix}-{k:03d}",
                    ts,
                    org_id=org,
                    prompt_text=f"Write a detailed reference solution for evaluation item "
                    f"{int(rng.integers(100000))} about {rng.choice(_TOPICS)}. Return it "
                    f"as JSON.",
                    prompt_tokens=int(rng.integers(40, 80)),
                    completion_tokens=int(rng.integers(900, 1500)),
                    max_tokens=4096,
                    client_ip=f"198.51.100.{int(rng.integers(2)) + 10}",
                    user_agent="acme-eval/2.1",
                )
            )
    return out


def as_lines(*groups: list[dict[str, Any]]) -> list[bytes]:
    records = [r for g in groups for r in g]
    records.sort(key=lambda r: r["ts"])
    return lines(records)
