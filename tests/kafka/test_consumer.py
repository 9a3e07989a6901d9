"""The consumer interface against a real broker, for both client libraries."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from detector.kafka import ConsumerError, LocalBroker, TopicPartition, make_consumer
from tests.kafka.conftest import (
    MAX_POLL_INTERVAL_S,
    BackgroundMember,
    Collected,
    Recorder,
    consumer_for,
    poll_until,
    produce_keyed,
    unique,
)


def test_consumes_every_record_with_offsets_keys_and_high_watermark(
    client: str, broker: LocalBroker, topic_factory: Callable[[int], str]
) -> None:
    topic = topic_factory(3)
    ends = produce_keyed(client, broker.bootstrap, topic, 600)
    assert sum(ends.values()) == 600
    listener = Recorder()
    consumer = consumer_for(client, broker.bootstrap, topic, unique("g"), listener)
    try:
        got = Collected()
        poll_until(consumer, lambda: got.count >= 600, sink=got)
        assert got.count == 600
        assert listener.events == [("assign", [TopicPartition(topic, p) for p in range(3)])]
        for tp, offsets in got.offsets.items():
            assert offsets == list(range(ends[tp])), "contiguous offsets from 0, in order"
            assert got.high_watermarks[tp] == ends[tp]
        # Same key, same partition: every key's values sit in one partition.
        partition_of_key: dict[bytes | None, TopicPartition] = {}
        for tp, keys in got.keys.items():
            for key in keys:
                assert partition_of_key.setdefault(key, tp) == tp
        values = sorted(v for vs in got.values.values() for v in vs)
        assert values == sorted(b"v%d" % i for i in range(600))
        for tp, keys in got.keys.items():
            for key, value in zip(keys, got.values[tp], strict=True):
                assert key == b"k%d" % (int(value[1:]) % 13)

        # A seek outside the callbacks rewinds a partition.
        tp0 = TopicPartition(topic, 0)
        consumer.seek(tp0, 0)
        again = Collected()
        poll_until(consumer, lambda: len(again.offsets.get(tp0, [])) >= ends[tp0], sink=again)
        assert again.offsets[tp0] == list(range(ends[tp0]))
    finally:
        consumer.close()


def test_commit_then_new_member_resumes_after_committed_offset(
    client: str, broker: LocalBroker, topic_factory: Callable[[int], str]
) -> None:
    topic = topic_factory(2)
    ends = produce_keyed(client, broker.bootstrap, topic, 200)
    group = unique("g")
    first = Recorder()
    consumer = consumer_for(client, broker.bootstrap, topic, group, first)
    got = Collected()
    try:
        poll_until(consumer, lambda: got.count >= 200, sink=got)
        halfway = {tp: end // 2 for tp, end in ends.items()}
        consumer.commit(halfway)
        assert {tp: consumer.committed(tp) for tp in ends} == halfway
    finally:
        consumer.close()
    # close() gave the partitions back through on_revoke.
    assert first.events[-1] == ("revoke", sorted(ends))

    second = Recorder()
    resumed = consumer_for(client, broker.bootstrap, topic, group, second)
    try:
        rest = Collected()
        remaining = sum(end - halfway[tp] for tp, end in ends.items())
        poll_until(resumed, lambda: rest.count >= remaining, sink=rest)
        assert rest.count == remaining
        for tp, offsets in rest.offsets.items():
            assert offsets == list(range(halfway[tp], ends[tp]))
    finally:
        resumed.close()


def test_seek_and_pause_from_on_assign_then_resume(
    client: str, broker: LocalBroker, topic_factory: Callable[[int], str]
) -> None:
    topic = topic_factory(2)
    ends = produce_keyed(client, broker.bootstrap, topic, 100)
    tp0, tp1 = TopicPartition(topic, 0), TopicPartition(topic, 1)
    assert ends[tp0] > 5 and ends[tp1] > 0
    listener = Recorder()
    consumer = consumer_for(client, broker.bootstrap, topic, unique("g"), listener)

    def restore(partitions: list[TopicPartition]) -> None:
        # What the service does: resume after the checkpoint, hold back what is not restored.
        consumer.seek(tp0, 5)
        consumer.pause([tp1])
        assert consumer.assignment() == {tp0, tp1}

    listener.on_assign_hook = restore
    try:
        got = Collected()
        poll_until(consumer, lambda: got.count >= ends[tp0] - 5, sink=got)
        for _ in range(3):  # paused partitions stay silent
            got.add(consumer.poll(10_000, 0.2))
        assert got.offsets == {tp0: list(range(5, ends[tp0]))}

        consumer.resume([tp1])
        poll_until(consumer, lambda: len(got.offsets.get(tp1, [])) >= ends[tp1], sink=got)
        assert got.offsets[tp1] == list(range(ends[tp1]))
    finally:
        consumer.close()


@pytest.mark.parametrize("revoke_fails", [False, True], ids=["", "revoke-fails"])
def test_two_members_split_partitions_with_revoke_and_assign(
    client: str, broker: LocalBroker, topic_factory: Callable[[int], str], revoke_fails: bool
) -> None:
    """With ``revoke_fails``, the first member's revoke raises (the service's checkpoint, say):
    poll raises it, and the assignment that follows still reaches the listener. A listener
    that missed it would ignore those partitions for good."""
    topic = topic_factory(4)
    all_tps = [TopicPartition(topic, p) for p in range(4)]
    group = unique("g")
    one, two = Recorder(), Recorder()
    first = consumer_for(client, broker.bootstrap, topic, group, one)

    def fail_once(partitions: list[TopicPartition]) -> None:
        one.on_revoke_hook = None
        raise RuntimeError("checkpoint failed")

    try:
        poll_until(first, lambda: first.assignment() == set(all_tps))
        if revoke_fails:
            one.on_revoke_hook = fail_once
        second = BackgroundMember(lambda: consumer_for(client, broker.bootstrap, topic, group, two))
        try:
            if revoke_fails:
                with pytest.raises(RuntimeError, match="checkpoint failed"):
                    poll_until(first, lambda: False, timeout_s=30.0)
            poll_until(
                first,
                lambda: len(first.assignment()) == 2 and len(second.assignment()) == 2,
                timeout_s=30.0,
            )
            assert first.assignment() | second.assignment() == set(all_tps)
            second_half = sorted(second.assignment())
        finally:
            second.stop()  # closes it: it leaves the group
        # Eager protocol: the first member gave everything back, then got its half.
        assert one.events[:3] == [
            ("assign", all_tps),
            ("revoke", all_tps),
            ("assign", sorted(set(all_tps) - set(second_half))),
        ]
        # Closing the second member revoked its half (the group then rebalances
        # again, back to the first member: another 3-4 s, not waited for here).
        assert two.events == [("assign", second_half), ("revoke", second_half)]
    finally:
        first.close()


def test_listener_error_is_raised_from_poll(
    client: str, broker: LocalBroker, topic_factory: Callable[[int], str]
) -> None:
    topic = topic_factory(1)
    produce_keyed(client, broker.bootstrap, topic, 10)

    def fail(partitions: list[TopicPartition]) -> None:
        raise RuntimeError("restore failed")

    listener = Recorder(on_assign_hook=fail)
    consumer = consumer_for(client, broker.bootstrap, topic, unique("g"), listener)
    try:
        with pytest.raises(RuntimeError, match="restore failed"):
            poll_until(consumer, lambda: False, timeout_s=20.0)
    finally:
        consumer.close()


def test_seek_of_unassigned_partition_is_an_error(
    client: str, broker: LocalBroker, topic_factory: Callable[[int], str]
) -> None:
    topic = topic_factory(1)
    consumer = consumer_for(client, broker.bootstrap, topic, unique("g"), Recorder())
    try:
        with pytest.raises(ConsumerError):
            consumer.seek(TopicPartition(topic, 7), 0)
    finally:
        consumer.close()


def test_interrupt_ends_a_poll_waiting_for_a_group_join(
    broker: LocalBroker, topic_factory: Callable[[int], str]
) -> None:
    """A kafka-python member waits inside ``poll`` for a join, here one that the first member
    holds up by not polling; a stopping service sets ``interrupt`` and the wait ends at once
    rather than after the rebalance timeout."""
    topic = topic_factory(2)
    group = unique("g")
    first = consumer_for("kafka-python", broker.bootstrap, topic, group, Recorder())
    interrupt = threading.Event()
    second = make_consumer(
        "kafka-python",
        broker.bootstrap,
        [topic],
        group,
        Recorder(),
        max_poll_interval_s=MAX_POLL_INTERVAL_S,
        interrupt=interrupt,
    )
    try:
        poll_until(first, lambda: len(first.assignment()) == 2)
        returned = threading.Event()
        polling = threading.Thread(target=lambda: (second.poll(100, 0.2), returned.set()))
        polling.start()
        assert not returned.wait(2.0), "the join did not wait for the first member"
        interrupt.set()
        assert returned.wait(3.0), "poll went on waiting for the join after the interrupt"
        polling.join()
    finally:
        second.close()
        first.close()
