"""The files ``simulate`` writes: records per contract §1, invalid lines, labels, ordering."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from simhelpers import Run

from detector.simulate import BAD_LINE_KINDS, SCENARIOS

MODELS = {"model-large-2026-05", "model-small-2026-05"}
FINISH = {"stop", "length", "tool_use", "content_filter"}


def test_summary_matches_files(small_run: Run) -> None:
    s = small_run.summary
    assert s.records == len(small_run.good)
    assert s.bad_lines == len(small_run.bad)
    assert s.records + s.bad_lines == len(small_run.lines)
    assert s.accounts == len(small_run.labels) == sum(s.by_label.values())
    assert sum(s.records_by_label.values()) == s.records
    ts = [r["ts"] for r in small_run.good]
    assert (s.start_ts, s.end_ts) == (min(ts), max(ts))
    assert s.seconds > 0


def test_small_scenario_is_about_fifty_thousand_records(small_run: Run) -> None:
    assert 30_000 <= small_run.summary.records <= 80_000


def test_good_records_follow_the_contract(small_run: Run) -> None:
    for r in small_run.good:
        assert isinstance(r["ts"], float)
        assert r["ts"] == round(r["ts"], 3)
        assert re.fullmatch(r"acct_[0-9a-f]{12}", r["account_id"])
        assert r["model"] in MODELS
        assert r["endpoint"] == "/v1/messages"
        assert isinstance(r["status"], int)
        assert isinstance(r["reasoning"], bool)
        assert isinstance(r["prompt_text"], str) and r["prompt_text"]
        assert "prompt_fingerprint" not in r
        assert "n" not in r or r["n"] > 1
        assert "logprobs" not in r or r["logprobs"] >= 1
        if r["status"] == 200:
            assert r["finish_reason"] in FINISH
        else:
            assert r["completion_tokens"] == 0 and "finish_reason" not in r
        if r.get("finish_reason") == "length" and "max_tokens" in r:
            # Cut at the cap: every choice got exactly max_tokens.
            assert r["completion_tokens"] == r["max_tokens"] * r.get("n", 1)
        elif "max_tokens" in r:
            assert r["completion_tokens"] < r["max_tokens"] * r.get("n", 1)


def test_request_ids_are_unique(small_run: Run) -> None:
    ids = [r["request_id"] for r in small_run.good]
    assert len(set(ids)) == len(ids)


def test_sorted_by_time_up_to_small_delivery_jitter(small_run: Run) -> None:
    ts = np.array([r["ts"] for r in small_run.good])
    lag = np.maximum.accumulate(ts) - ts
    assert lag.max() <= 2.0 + 1e-6
    late = int((lag > 0).sum())
    assert 0 < late < 0.01 * len(ts)


def test_events_stay_in_the_scenario_window(small_run: Run) -> None:
    start = 1_767_225_600.0
    end = start + SCENARIOS["small"].duration_s
    assert all(start <= r["ts"] < end for r in small_run.good)


def test_bad_lines_have_the_requested_share_and_all_kinds(small_run: Run) -> None:
    n_lines = len(small_run.lines)
    assert abs(len(small_run.bad) / n_lines - 0.01) < 0.001
    kinds = Counter(kind for _, _, kind in small_run.bad)
    assert set(kinds) == set(BAD_LINE_KINDS)
    expected = len(small_run.bad) / len(BAD_LINE_KINDS)
    assert all(0.8 * expected <= k <= 1.2 * expected for k in kinds.values())


def test_bad_lines_are_spread_through_the_file(small_run: Run) -> None:
    positions = np.array([i for i, _, _ in small_run.bad]) / len(small_run.lines)
    assert positions.min() < 0.05 and positions.max() > 0.95
    counts, _ = np.histogram(positions, bins=10, range=(0, 1))
    assert counts.min() > 0


def test_labels_cover_exactly_the_accounts_with_valid_records(small_run: Run) -> None:
    accounts = {r["account_id"] for r in small_run.good}
    assert set(small_run.labels) == accounts
    rows = list(small_run.labels)
    assert rows == sorted(rows)  # file order leaks nothing about labels


def test_labels_and_campaigns(small_run: Run) -> None:
    campaigns = {"hydra": "hydra-1", "slow_and_low": "slowlow-1"}
    for label, campaign in small_run.labels.values():
        assert label in SCENARIOS["mixed"].accounts
        assert campaign == campaigns.get(label, "")
    by_label = Counter(label for label, _ in small_run.labels.values())
    assert dict(by_label) == small_run.summary.by_label


def test_account_ids_do_not_reveal_the_label(small_run: Run) -> None:
    for account in small_run.labels:
        for word in ("hydra", "scrap", "slow", "enterprise", "agent", "ordinary"):
            assert word not in account
