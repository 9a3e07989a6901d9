"""The :class:`~detector.kafka.consumer.Consumer` interface over confluent-kafka (librdkafka)."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import confluent_kafka as ck
import numpy as np

from detector.kafka.consumer import (
    PartitionRecords,
    RebalanceListener,
    TopicPartition,
    _fill_tombstones,
)
from detector.kafka.errors import CommitFailed, ConsumerError, KafkaConfigError

__all__ = ["ConfluentConsumer", "consumer_config"]

log = logging.getLogger(__name__)

_MANAGED = ("bootstrap.servers", "group.id", "enable.auto.commit")
# librdkafka refuses larger batches in one consume() call.
_MAX_CONSUME = 1_000_000
# Same error again within this many seconds is logged at debug level only.
_ERROR_LOG_INTERVAL_S = 30.0
# Message accessors as plain functions, to map over a batch (the stubs' generics do not fit).
_ERROR, _TOPIC, _PARTITION, _VALUE, _OFFSET, _KEY = cast(
    Any,
    (
        ck.Message.error,
        ck.Message.topic,
        ck.Message.partition,
        ck.Message.value,
        ck.Message.offset,
        ck.Message.key,
    ),
)


def consumer_config(
    bootstrap: str, group_id: str, options: Mapping[str, object], max_poll_interval_s: float
) -> dict[str, Any]:
    """librdkafka settings: tuned defaults, then ``options``, then the managed keys."""
    managed = sorted(set(options) & set(_MANAGED))
    if managed:
        raise KafkaConfigError(f"options may not set {managed}: they are managed")
    return {
        "client.id": f"distill-detector-{group_id}",
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 6_000,
        "heartbeat.interval.ms": 1_000,
        "max.poll.interval.ms": int(max_poll_interval_s * 1000),
        "fetch.min.bytes": 64 << 10,
        "fetch.wait.max.ms": 100,
        "fetch.max.bytes": 64 << 20,
        "max.partition.fetch.bytes": 8 << 20,
        # librdkafka pauses a partition's fetching this long whenever its local
        # queue is over threshold; the 1 s default left the consumer idle for
        # most of a backlog read here (150 k instead of 550-780 k records/s).
        "fetch.queue.backoff.ms": 10,
        "enable.partition.eof": False,
        **options,
        "bootstrap.servers": bootstrap,
        "group.id": group_id,
        "enable.auto.commit": False,
    }


class ConfluentConsumer:
    """A group consumer on :class:`confluent_kafka.Consumer`; see :mod:`detector.kafka.consumer`.

    Parameters
    ----------
    bootstrap, topics, group_id, listener, options, max_poll_interval_s, commit_timeout_s
        As for :func:`detector.kafka.consumer.make_consumer`.
    """

    def __init__(
        self,
        bootstrap: str,
        topics: Sequence[str],
        group_id: str,
        listener: RebalanceListener,
        options: Mapping[str, object],
        max_poll_interval_s: float,
        commit_timeout_s: float,
    ):
        config = consumer_config(bootstrap, group_id, options, max_poll_interval_s)
        config.setdefault("error_cb", self._on_client_error)
        self._listener = listener
        self._timeout_s = commit_timeout_s
        self._listener_error: BaseException | None = None
        self._fatal: ck.KafkaError | None = None
        self._last_logged: dict[str, float] = {}
        self._assigned: set[TopicPartition] = set()
        # While on_assign runs, partitions are not yet handed to librdkafka, so
        # seeks and pauses are collected and applied with the assignment.
        self._in_assign = False
        self._pending_seeks: dict[TopicPartition, int] = {}
        self._pending_pauses: set[TopicPartition] = set()
        self._ctps: dict[TopicPartition, ck.TopicPartition] = {}
        self._stuck_commit: threading.Thread | None = None
        self._closed = False
        try:
            self._consumer = ck.Consumer(config)
        except (ck.KafkaException, ValueError, TypeError) as exc:
            raise KafkaConfigError(f"confluent-kafka consumer options: {exc}") from exc
        self._consumer.subscribe(list(topics), on_assign=self._on_assign, on_revoke=self._on_revoke)

    # -- callbacks (run inside consume() / close()) --------------------------

    def _on_client_error(self, error: ck.KafkaError) -> None:
        if error.fatal():
            self._fatal = error
        key = error.str()
        now = time.monotonic()
        if now - self._last_logged.get(key, -_ERROR_LOG_INTERVAL_S) >= _ERROR_LOG_INTERVAL_S:
            self._last_logged[key] = now
            log.warning("confluent-kafka consumer: %s", key)
        else:
            log.debug("confluent-kafka consumer: %s", key)

    def _on_assign(self, consumer: ck.Consumer, partitions: list[ck.TopicPartition]) -> None:
        tps = sorted(TopicPartition(p.topic, p.partition) for p in partitions)
        self._assigned.update(tps)
        self._in_assign = True
        try:
            if tps:  # even after a failed callback: the listener follows every change
                self._listener.on_assign(tps)
        except Exception as exc:
            self._listener_error = self._listener_error or exc
        finally:
            self._in_assign = False
        seeks, self._pending_seeks = self._pending_seeks, {}
        pauses, self._pending_pauses = self._pending_pauses, set()
        # OFFSET_INVALID means "the committed offset, else auto.offset.reset".
        consumer.assign(
            [
                ck.TopicPartition(tp.topic, tp.partition, seeks.get(tp, ck.OFFSET_INVALID))
                for tp in tps
            ]
        )
        if pauses:
            consumer.pause([self._theirs(tp) for tp in pauses])

    def _on_revoke(self, consumer: ck.Consumer, partitions: list[ck.TopicPartition]) -> None:
        revoked = (TopicPartition(p.topic, p.partition) for p in partitions)
        tps = sorted(tp for tp in revoked if tp in self._assigned)
        try:
            if tps:  # even after a failed callback: the listener follows every change
                self._listener.on_revoke(tps)
        except Exception as exc:
            self._listener_error = self._listener_error or exc
        finally:
            self._assigned.difference_update(tps)
            consumer.unassign()

    def _raise_pending(self) -> None:
        error, self._listener_error = self._listener_error, None
        if error is not None:
            raise error
        if self._fatal is not None:
            raise ConsumerError(f"fatal consumer error: {self._fatal.str()}")

    def _theirs(self, tp: TopicPartition) -> ck.TopicPartition:
        ctp = self._ctps.get(tp)
        if ctp is None:
            ctp = self._ctps[tp] = ck.TopicPartition(tp.topic, tp.partition)
        return ctp

    # -- Consumer interface --------------------------------------------------

    def poll(self, max_records: int, timeout_s: float) -> list[PartitionRecords]:
        """See :meth:`detector.kafka.consumer.Consumer.poll`."""
        limit = min(max_records, _MAX_CONSUME)
        consume = self._consumer.consume
        try:
            # librdkafka's consume() waits until it has ``limit`` messages or the timeout
            # passes: at a modest rate every record would wait out the timeout. Take what is
            # already fetched; if nothing is, wait for one record, then take what came with it.
            messages = consume(num_messages=limit, timeout=0)
            if not messages and timeout_s > 0:
                messages = consume(num_messages=1, timeout=timeout_s)
                if messages and limit > 1:
                    messages += consume(num_messages=limit - 1, timeout=0)
        except ck.KafkaException as exc:
            self._raise_pending()
            raise ConsumerError(f"poll failed: {exc}") from exc
        self._raise_pending()
        return self._group(messages)

    def _group(self, messages: list[ck.Message]) -> list[PartitionRecords]:
        # Each accessor is mapped over the messages in C, and librdkafka hands out runs of
        # one partition: Python steps per run, not per record.
        errors = list(map(_ERROR, messages))
        if errors.count(None) < len(errors):
            for error in errors:
                if error is not None:
                    self._on_client_error(error)
            messages = [msg for msg, error in zip(messages, errors, strict=True) if error is None]
        n = len(messages)
        if not n:
            return []
        topics = list(map(_TOPIC, messages))
        runs = np.fromiter(map(_PARTITION, messages), dtype=np.int64, count=n)
        if topics.count(topics[0]) < n:  # a run also ends where the topic changes
            number = {topic: i for i, topic in enumerate(dict.fromkeys(topics))}
            named = np.fromiter(map(number.__getitem__, topics), dtype=np.int64, count=n)
            runs = runs * len(number) + named
        edges = [0, *(np.flatnonzero(runs[1:] != runs[:-1]) + 1).tolist(), n]
        by_tp: dict[tuple[str, int], PartitionRecords] = {}
        for start, stop in itertools.pairwise(edges):
            run = messages[start:stop]
            key = (topics[start], _PARTITION(run[0]))
            batch = by_tp.get(key)
            if batch is None:
                batch = by_tp[key] = PartitionRecords(TopicPartition(*key), [], [], [], None)
            batch.values += map(_VALUE, run)
            batch.offsets += map(_OFFSET, run)
            batch.keys += map(_KEY, run)
        watermarks = self._consumer.get_watermark_offsets
        for batch in by_tp.values():
            _fill_tombstones(batch.values)
            high = watermarks(self._theirs(batch.tp), cached=True)[1]
            batch.high_watermark = high if high >= 0 else None
        return list(by_tp.values())

    def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        """See :meth:`detector.kafka.consumer.Consumer.commit`."""
        if not offsets:
            return
        if self._stuck_commit is not None and self._stuck_commit.is_alive():
            raise CommitFailed("the previous commit is still waiting for the group coordinator")
        request = [ck.TopicPartition(tp.topic, tp.partition, off) for tp, off in offsets.items()]
        outcome: list[Any] = []

        def run() -> None:
            try:
                outcome.append(self._consumer.commit(offsets=request, asynchronous=False))
            except BaseException as exc:
                outcome.append(exc)

        # librdkafka's synchronous commit has no timeout, and with the coordinator
        # down it sometimes never returns (seen in about 1 of 3 outages here);
        # waiting on a helper thread bounds it. A stuck thread is remembered so
        # that at most one ever waits.
        worker = threading.Thread(target=run, name="confluent-commit", daemon=True)
        worker.start()
        worker.join(self._timeout_s)
        if not outcome:
            self._stuck_commit = worker
            raise CommitFailed(
                f"commit of {len(request)} partitions not acknowledged within"
                f" {self._timeout_s:.1f} s"
            )
        result = outcome[0]
        if isinstance(result, ck.KafkaException):
            raise CommitFailed(f"commit of {len(request)} partitions failed: {result}") from result
        if isinstance(result, BaseException):
            raise result
        failed = [f"{p.topic}/{p.partition}: {p.error}" for p in result or [] if p.error]
        if failed:
            raise CommitFailed("commit failed for " + "; ".join(failed))

    def seek(self, tp: TopicPartition, offset: int) -> None:
        """See :meth:`detector.kafka.consumer.Consumer.seek`."""
        if self._in_assign:
            self._pending_seeks[tp] = offset
            return
        try:
            self._consumer.seek(ck.TopicPartition(tp.topic, tp.partition, offset))
        except ck.KafkaException as exc:
            raise ConsumerError(f"cannot seek {tp} to {offset}: {exc}") from exc

    def committed(self, tp: TopicPartition) -> int | None:
        """See :meth:`detector.kafka.consumer.Consumer.committed`."""
        try:
            (result,) = self._consumer.committed(
                [ck.TopicPartition(tp.topic, tp.partition)], timeout=self._timeout_s
            )
        except ck.KafkaException as exc:
            raise ConsumerError(f"cannot read committed offset of {tp}: {exc}") from exc
        if result.error:
            raise ConsumerError(f"cannot read committed offset of {tp}: {result.error}")
        return result.offset if result.offset >= 0 else None

    def pause(self, tps: Iterable[TopicPartition]) -> None:
        """See :meth:`detector.kafka.consumer.Consumer.pause`."""
        if self._in_assign:
            self._pending_pauses.update(tps)
            return
        self._consumer.pause([self._theirs(tp) for tp in tps])

    def resume(self, tps: Iterable[TopicPartition]) -> None:
        """See :meth:`detector.kafka.consumer.Consumer.resume`."""
        wanted = list(tps)
        if self._in_assign:
            self._pending_pauses.difference_update(wanted)
            return
        self._consumer.resume([self._theirs(tp) for tp in wanted])

    def assignment(self) -> set[TopicPartition]:
        """See :meth:`detector.kafka.consumer.Consumer.assignment`."""
        return set(self._assigned)

    def close(self) -> None:
        """See :meth:`detector.kafka.consumer.Consumer.close`."""
        if self._closed:
            return
        self._closed = True
        # librdkafka's close() serves the final revoke through _on_revoke.
        try:
            self._consumer.close()
        except (ck.KafkaException, RuntimeError) as exc:
            log.warning("consumer close: %s", exc)
        error, self._listener_error = self._listener_error, None
        if error is not None:
            raise error
