from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from detector.alerts import JsonlSink
from detector.config import Config
from detector.pipeline import Pipeline
from tests.conftest import T0, config_with, lines, record

TOPICS = [
    "sorting a list",
    "parsing JSON",
    "binary search",
    "graph colouring",
    "LRU caches",
    "regular expressions",
    "dynamic programming",
    "tail recursion",
]


def attacker(account: str, start: float, n: int, gap: float = 90.0) -> list[dict[str, Any]]:
    return [
        record(
            account,
            start + i * gap,
            prompt_text=f"Think step by step and show your reasoning: {TOPICS[i % 8]} variant {i}",
            prompt_tokens=40,
            completion_tokens=3000,
            max_tokens=4096,
            finish_reason="length" if i % 3 == 0 else "stop",
            reasoning=True,
            client_ip=f"203.0.113.{i % 20}",
            user_agent=f"ua-{i % 5}",
        )
        for i in range(n)
    ]


def customer(account: str, start: float, n: int, gap: float = 2.0) -> list[dict[str, Any]]:
    return [
        record(
            account,
            start + i * gap,
            org_id="acme",
            prompt_text=f"Classify the sentiment of this review: review number {i}",
            prompt_tokens=800,
            completion_tokens=5,
            max_tokens=16,
            client_ip="198.51.100.4",
            user_agent="sdk",
        )
        for i in range(n)
    ]


def people(count: int, start: float) -> list[dict[str, Any]]:
    rng = np.random.default_rng(3)
    out = []
    for p in range(count):
        t = start + float(rng.uniform(0, 3000))
        for q in range(6):
            t += float(rng.exponential(60))
            out.append(
                record(
                    f"user{p}",
                    t,
                    prompt_text=f"question {q} from user {p} about "
                    f"topic {rng.integers(1000)} and more words here",
                    prompt_tokens=int(rng.integers(20, 200)),
                    completion_tokens=int(rng.integers(50, 600)),
                    client_ip=f"192.0.{p % 250}.{p % 7 + 1}",
                )
            )
    return out


def traffic() -> list[bytes]:
    recs = attacker("sybil-1", T0, 40) + attacker("sybil-2", T0 + 30, 40)
    recs += customer("pipeline-1", T0, 1500) + people(60, T0)
    recs.sort(key=lambda r: r["ts"])
    return lines(recs)


def run(config: Config, values: list[bytes], **kw: Any) -> tuple[Pipeline, list[Any]]:
    pipeline = Pipeline(config, **kw)
    alerts = []
    for i in range(0, len(values), 500):
        alerts += pipeline.process(values[i : i + 500], "test", range(i, min(i + 500, len(values))))
    return pipeline, alerts


def test_attackers_alerted_customer_and_people_not() -> None:
    pipeline, alerts = run(Config(), traffic())
    alerted = {a.account_id for a in alerts}
    assert alerted == {"sybil-1", "sybil-2"}
    first = min(a.ts for a in alerts if a.account_id == "sybil-1")
    assert first - T0 <= 15 * 60  # caught within 15 minutes of its first request
    top = next(a for a in alerts if a.account_id == "sybil-1").reasons[0].signal
    assert top == "cot_elicitation_share"
    assert pipeline.stats.evaluations > 0 and pipeline.stats.accepted == len(traffic())


def test_replaying_the_same_traffic_gives_the_same_alerts() -> None:
    def key(alerts: list[Any]) -> list[tuple[str, float, float]]:
        return [(a.alert_id, a.ts, a.score) for a in alerts]

    assert key(run(Config(), traffic())[1]) == key(run(Config(), traffic())[1])


def test_rejects_go_to_the_dead_letter_sink_and_the_stream_continues(tmp_path: Path) -> None:
    values = traffic()
    values[10:10] = [b"{not json", b'{"ts": 1767225600, "account_id": 5}']
    sink = JsonlSink(tmp_path / "dead.jsonl")
    pipeline, alerts = run(Config(), values, reject_sinks=[sink])
    pipeline.flush()
    dead = [msgspec.json.decode(x) for x in (tmp_path / "dead.jsonl").read_bytes().splitlines()]
    assert [(d["offset"], d["reason"].split(":")[0]) for d in dead] == [
        (10, "invalid_json"),
        (11, "wrong_type"),
    ]
    assert dead[0]["raw"] == "{not json" and dead[0]["source"] == "test"
    assert dict(pipeline.stats.rejects) == {"invalid_json": 1, "wrong_type": 1}
    assert {a.account_id for a in alerts} == {"sybil-1", "sybil-2"}


def test_a_batch_of_late_records_only_is_counted_and_the_stream_goes_on() -> None:
    """A lagging partition can hand over a whole batch older than the long window."""
    pipeline = Pipeline(Config())
    pipeline.process(lines([record("a", T0 + 30_000)]), "test", range(1))
    late = [record("b", T0 + i, completion_tokens=7) for i in range(3)]
    pipeline.process(lines(late), "test", range(1, 4))
    assert pipeline.stats.late == 3 and pipeline.stats.accepted == 4
    state = pipeline.state
    row = np.array([state.row_of["b"]])
    assert state.total_requests[row[0]] == 3  # counted in totals, not in windows
    assert state.long.sums(row, state.watermark)[0, 0] == 0
    pipeline.process(lines([record("b", T0 + 30_001, completion_tokens=5)]), "test", range(4, 5))
    ix = state.counter_index["completion_tokens"]
    assert state.long.sums(row, state.watermark)[0, ix] == 5


def test_a_batch_with_more_accounts_than_the_state_holds_is_processed() -> None:
    pipeline = Pipeline(config_with(state={"max_accounts": 4}))
    pipeline.process(lines([record(f"old{i}", T0) for i in range(4)]), "test", range(4))
    batch = [record(f"new{i}", T0 + 1 + i, completion_tokens=i) for i in range(10)]
    pipeline.process(lines(batch), "test", range(4, 14))
    state = pipeline.state
    assert pipeline.stats.accepted == 14 and len(state) == 4
    assert set(state.row_of) == {f"new{i}" for i in range(6, 10)}  # the most recently seen
    ix = state.counter_index["completion_tokens"]
    row = np.array([state.row_of["new9"]])
    assert state.long.sums(row, state.watermark)[0, ix] == 9


def test_allow_listed_attacker_is_scored_but_not_alerted() -> None:
    scored: set[str] = set()
    pipeline = Pipeline(config_with(alerting={"allow_list": ["sybil-1"]}))
    pipeline.score_observers.append(lambda accounts, ts, s: scored.update(accounts))
    values = traffic()
    alerts = [
        a for i in range(0, len(values), 500) for a in pipeline.process(values[i : i + 500], "t")
    ]
    assert {a.account_id for a in alerts} == {"sybil-2"}
    assert "sybil-1" in scored


def test_accounts_in_an_alert_episode_are_not_learned_from() -> None:
    pipeline = Pipeline(Config())
    learned: list[str] = []
    original = pipeline.scorer.learn

    def spy(features: Any, mask: np.ndarray) -> None:
        learned.extend(
            a for a, m in zip(pipeline.state.accounts(features.rows), mask, strict=True) if m
        )
        original(features, mask)

    pipeline.scorer.learn = spy  # type: ignore[method-assign]
    values = traffic()
    alerts = [
        a for i in range(0, len(values), 200) for a in pipeline.process(values[i : i + 200], "t")
    ]
    first_alert = min(a.ts for a in alerts if a.account_id == "sybil-1")
    assert "sybil-1" in learned  # before its episode it was ordinary evidence
    # Every later evaluation of sybil-1 happened inside its episode: never learned.
    assert learned.count("sybil-1") < sum(1 for r in range(40) if T0 + r * 90 < first_alert)


def test_small_caps_stragglers_and_late_batches_never_stop_the_stream() -> None:
    """A seeded fuzz of what has stopped the pipeline before: batches with more accounts than
    the cap, batches of late records only, event-time jumps past the windows and the TTL."""
    rng = np.random.default_rng(11)
    for max_accounts in (4, 50):
        pipeline = Pipeline(
            config_with(scoring={"interval_s": 0.5}, state={"max_accounts": max_accounts})
        )
        now, sent = T0, 0
        for _ in range(150):
            now += float(rng.choice([0, 1, 60, 3000, 30000], p=[0.3, 0.3, 0.25, 0.1, 0.05]))
            n = int(rng.integers(1, 12))
            ages = rng.choice([0.0, 10.0, 25000.0], n, p=[0.7, 0.2, 0.1])
            batch = [
                record(
                    f"a{rng.integers(12)}",
                    now - float(age),
                    prompt_text=f"Think step by step {rng.integers(5)} about {rng.integers(99)}",
                    client_ip=f"10.0.{rng.integers(3)}.{rng.integers(5)}",
                )
                for age in ages
            ]
            pipeline.process(lines(batch), "fuzz", range(sent, sent + n))
            sent += n
            assert len(pipeline.state) <= max_accounts
        assert pipeline.stats.accepted == sent and pipeline.stats.late > 0
