"""Behaviour profiles: each label's traffic has the shape the detector is tuned on."""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from simhelpers import Run, run_sim

from detector.simulate import ATTACK_LABELS, HIGH_VOLUME_LABELS, SCENARIOS

_COT = re.compile(r"step[- ]by[- ]step|reasoning|thought process|chain of thought|think", re.I)
ALL_LABELS = {"ordinary", "enterprise", "agentic", "hydra", "scraper", "slow_and_low"}


def _by_label(run: Run) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in run.good:
        out[run.labels[r["account_id"]][0]].append(r)
    return out


def _by_account(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        out[r["account_id"]].append(r)
    return out


def _share(records: list[dict[str, Any]], predicate: Any) -> float:
    return float(np.mean([bool(predicate(r)) for r in records]))


def _median(records: list[dict[str, Any]], field: str) -> float:
    return float(np.median([r[field] for r in records if r["status"] == 200]))


@pytest.fixture(scope="module")
def labelled(small_run: Run) -> dict[str, list[dict[str, Any]]]:
    return _by_label(small_run)


def test_label_sets() -> None:
    assert {"hydra", "scraper", "slow_and_low"} == ATTACK_LABELS
    assert {"enterprise"} == HIGH_VOLUME_LABELS


def test_mixed_scenario_has_every_label(tmp_path: Path) -> None:
    run = run_sim(tmp_path, scenario="mixed", scale=0.02, duration_s=3600.0)
    assert set(run.summary.by_label) == ALL_LABELS
    assert set(run.summary.records_by_label) == ALL_LABELS


def test_scenario_registry() -> None:
    assert set(SCENARIOS) == {"mixed", "small", "benign", "hydra", "scraper", "slow_and_low"}
    assert SCENARIOS["mixed"].duration_s == 6 * 3600
    assert set(SCENARIOS["benign"].accounts) == {"ordinary", "enterprise", "agentic"}
    for attack in ATTACK_LABELS:
        assert set(SCENARIOS[attack].accounts) - {"ordinary", "enterprise", "agentic"} == {attack}
    mixed, small = SCENARIOS["mixed"].accounts, SCENARIOS["small"].accounts
    assert sum(small.values()) == pytest.approx(0.05 * sum(mixed.values()), rel=0.1)
    assert SCENARIOS["mixed"].scaled(0.001)["scraper"] == 1  # never scaled away


def test_hydra_accounts_stay_under_the_rate_limit(tmp_path: Path) -> None:
    run = run_sim(tmp_path, scenario="hydra", scale=0.1)
    hydra = _by_account(_by_label(run)["hydra"])
    assert len(hydra) == 40
    for records in hydra.values():
        ts = np.sort([r["ts"] for r in records])
        per_minute = np.searchsorted(ts, ts + 60.0) - np.arange(len(ts))
        assert per_minute.max() < 60
    everything = [r for rs in hydra.values() for r in rs]
    ips = {r["client_ip"] for r in everything}
    assert len(ips) <= 60 and len({ip.rsplit(".", 1)[0] for ip in ips}) == 4
    assert len({r["user_agent"] for r in everything}) <= 6


def test_ordinary_users(labelled: dict[str, list[dict[str, Any]]]) -> None:
    rs = labelled["ordinary"]
    assert 0.02 < _share(rs, lambda r: "step by step" in r["prompt_text"].lower()) < 0.1
    assert 0.05 < _share(rs, lambda r: r["reasoning"]) < 0.15
    assert 150 < _median(rs, "completion_tokens") < 400
    assert 40 < _median(rs, "prompt_tokens") < 90
    assert _share(rs, lambda r: "max_tokens" in r) < 0.5
    assert _share(rs, lambda r: "logprobs" in r) < 0.01
    per_account = [len(v) for v in _by_account(rs).values()]
    assert np.median(per_account) < 60


def test_enterprise_is_high_volume_templated_and_short(
    labelled: dict[str, list[dict[str, Any]]],
) -> None:
    rs, ordinary = labelled["enterprise"], labelled["ordinary"]
    volume = np.mean([len(v) for v in _by_account(rs).values()])
    assert volume > 50 * np.mean([len(v) for v in _by_account(ordinary).values()])
    assert _median(rs, "completion_tokens") < 100
    assert _median(rs, "prompt_tokens") > 200
    assert _share(rs, lambda r: "max_tokens" in r and r["max_tokens"] <= 512) > 0.9
    assert _share(rs, lambda r: r["reasoning"]) < 0.06
    assert all("org_id" in r for r in rs)
    assert _share(rs, lambda r: _COT.search(r["prompt_text"])) < 0.01
    prefixes = {r["prompt_text"][:40] for r in rs}  # one fixed frame per pipeline
    assert len(prefixes) <= 12


def test_agentic_loops(labelled: dict[str, list[dict[str, Any]]]) -> None:
    rs = labelled["agentic"]
    assert _median(rs, "prompt_tokens") > 5_000
    ok = [r for r in rs if r["status"] == 200]
    assert 0.45 < _share(ok, lambda r: r["finish_reason"] == "tool_use") < 0.75
    out = sum(r["completion_tokens"] for r in ok)
    assert out / sum(r["prompt_tokens"] for r in ok) < 0.1  # huge contexts, short turns
    # Consecutive prompts of one account mostly share the task description.
    same_task = []
    for records in _by_account(rs).values():
        heads = [r["prompt_text"].split("\n\n")[0] for r in records]
        same_task += [a == b for a, b in pairwise(heads)]
    assert np.mean(same_task) > 0.8


def test_hydra_harvests_reasoning(labelled: dict[str, list[dict[str, Any]]]) -> None:
    rs = labelled["hydra"]
    assert _share(rs, lambda r: _COT.search(r["prompt_text"])) > 0.6
    assert _share(rs, lambda r: "max_tokens" in r and r["max_tokens"] >= 4096) > 0.9
    assert _median(rs, "completion_tokens") > 1_000
    assert 0.55 < _share(rs, lambda r: r["reasoning"]) < 0.85
    assert _share(rs, lambda r: "logprobs" in r) > 0.1
    assert "org_id" not in rs[0] or len({r.get("org_id") for r in rs}) > 1


def test_scraper_hits_its_limit(labelled: dict[str, list[dict[str, Any]]]) -> None:
    rs = labelled["scraper"]
    assert 0.05 < _share(rs, lambda r: r["status"] == 429) < 0.4
    assert len({r["client_ip"] for r in rs}) == 1
    assert {r["user_agent"] for r in rs} == {"python-requests/2.31.0"}
    span_h = (rs[-1]["ts"] - rs[0]["ts"]) / 3600
    assert len(rs) / span_h > 2 * 3600


def test_slow_and_low_looks_human_but_harvests(
    labelled: dict[str, list[dict[str, Any]]],
) -> None:
    rs = labelled["slow_and_low"]
    for records in _by_account(rs).values():
        assert len(records) < 60  # a handful of requests per hour at most
    assert _share(rs, lambda r: r["user_agent"].startswith("Mozilla/5.0")) == 1.0
    assert 0.65 < _share(rs, lambda r: r["reasoning"]) < 0.95
    assert _median(rs, "completion_tokens") > 600
    assert _share(rs, lambda r: "logprobs" in r) == 0.0
