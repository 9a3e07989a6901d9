"""The :class:`~detector.kafka.consumer.Consumer` interface over kafka-python (>= 3)."""

from __future__ import annotations

import logging
import operator
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

import kafka
import kafka.errors
import kafka.future
import kafka.structs

from detector.kafka import _kafka_python_batches
from detector.kafka.consumer import (
    PartitionRecords,
    RebalanceListener,
    TopicPartition,
    _fill_tombstones,
    native_crc32c,
)
from detector.kafka.errors import CommitFailed, ConsumerError, KafkaConfigError

__all__ = ["KafkaPythonConsumer", "consumer_config"]

log = logging.getLogger(__name__)

_MANAGED = ("bootstrap_servers", "group_id", "enable_auto_commit")
_JOIN_SLICE_MS = 1_000


def consumer_config(
    bootstrap: str, group_id: str, options: Mapping[str, object], max_poll_interval_s: float
) -> dict[str, object]:
    """kafka-python settings: tuned defaults, then ``options``, then the managed keys."""
    managed = sorted(set(options) & set(_MANAGED))
    if managed:
        raise KafkaConfigError(f"options may not set {managed}: they are managed")
    return {
        "client_id": f"distill-detector-{group_id}",
        "auto_offset_reset": "earliest",
        "session_timeout_ms": 6_000,
        "heartbeat_interval_ms": 1_000,
        "max_poll_interval_ms": int(max_poll_interval_s * 1000),
        "fetch_min_bytes": 64 << 10,
        "fetch_max_wait_ms": 100,
        "fetch_max_bytes": 64 << 20,
        "max_partition_fetch_bytes": 8 << 20,
        "max_poll_records": 10_000,
        **options,
        "bootstrap_servers": bootstrap,
        "group_id": group_id,
        "enable_auto_commit": False,
    }


class KafkaPythonConsumer:
    """A group consumer built on :class:`kafka.KafkaConsumer`; see :mod:`detector.kafka.consumer`.

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
        *,
        interrupt: threading.Event | None = None,
        parse_in_c: bool = True,
    ):
        if not native_crc32c():
            log.warning("kafka-python falls back to its pure-Python CRC32C: install 'crc32c'")
        config = consumer_config(bootstrap, group_id, options, max_poll_interval_s)
        # A rebalance can wait a whole rebalance timeout (= max poll interval) for
        # a slow member, plus a session timeout for a dead one.
        self._join_timeout_ms = int(cast(float, config["max_poll_interval_ms"])) + int(
            cast(float, config["session_timeout_ms"])
        )
        self._listener = listener
        self._interrupt = interrupt or threading.Event()
        self._timeout_ms = int(commit_timeout_s * 1000)
        self._listener_error: BaseException | None = None
        self._tps: dict[Any, TopicPartition] = {}
        try:
            self._consumer = kafka.KafkaConsumer(**config)
        except (kafka.errors.KafkaConfigurationError, ValueError, TypeError) as exc:
            # kafka-python reports an unknown option as ValueError or KafkaConfigurationError.
            raise KafkaConfigError(f"kafka-python consumer options: {exc}") from exc
        except (kafka.errors.KafkaError, AssertionError) as exc:
            raise ConsumerError(f"cannot create consumer for {bootstrap}: {exc!r}") from exc
        self._closed = False
        in_c = parse_in_c and _kafka_python_batches.install(self._consumer)
        self._fields = (
            (operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(2))
            if in_c
            else (
                operator.attrgetter("offset"),
                operator.attrgetter("key"),
                operator.attrgetter("value"),
            )
        )
        self._consumer.subscribe(list(topics), listener=_ThreadedListener(self))

    # -- conversions ---------------------------------------------------------

    def _ours(self, ktp: Any) -> TopicPartition:
        tp = self._tps.get(ktp)
        if tp is None:
            tp = self._tps[ktp] = TopicPartition(ktp.topic, ktp.partition)
        return tp

    @staticmethod
    def _theirs(tp: TopicPartition) -> Any:
        return kafka.structs.TopicPartition(tp.topic, tp.partition)

    # -- listener plumbing ---------------------------------------------------

    def _call_listener(self, method: str, ktps: Iterable[Any]) -> None:
        partitions = sorted(self._ours(k) for k in ktps)
        if not partitions:
            return
        try:
            # Even after a failed callback: a listener that missed the assignment following
            # a failed revoke would ignore those partitions for good.
            getattr(self._listener, method)(partitions)
        except Exception as exc:
            # The first is kept for poll()/close() to raise: kafka-python would only log it
            # or wrap it in a generic KafkaError.
            self._listener_error = self._listener_error or exc

    def _raise_listener_error(self, cause: BaseException | None = None) -> None:
        exc, self._listener_error = self._listener_error, None
        if exc is None:
            return
        if cause is None:
            raise exc
        raise exc from cause

    # -- Consumer interface --------------------------------------------------

    def poll(self, max_records: int, timeout_s: float) -> list[PartitionRecords]:
        """See :meth:`detector.kafka.consumer.Consumer.poll`."""
        try:
            self._finish_join()
            fetched = self._consumer.poll(
                timeout_ms=max(0, int(timeout_s * 1000)), max_records=max_records
            )
        except kafka.errors.KafkaError as exc:
            self._raise_listener_error(exc)
            raise ConsumerError(f"poll failed: {exc!r}") from exc
        self._raise_listener_error()
        batches = []
        highwater = self._consumer.highwater
        offset_of, key_of, value_of = self._fields
        for ktp, records in fetched.items():
            if records:
                values = list(map(value_of, records))
                _fill_tombstones(values)
                batches.append(
                    PartitionRecords(
                        self._ours(ktp),
                        values,
                        list(map(offset_of, records)),
                        list(map(key_of, records)),
                        highwater(ktp),
                    )
                )
        return batches

    def _finish_join(self) -> None:
        """Block until a pending group (re)join completes, instead of returning early.

        kafka-python 3.0 leaves a join in flight when ``poll`` times out, and if
        the join then completes before the next ``poll`` it discards the result
        and sends a new JoinGroup, which starts yet another rebalance of the whole
        group (seen here: 20-30 s to settle two members instead of 4 s). Waiting
        for the join inside this call avoids that; during a rebalance the member
        owns no partitions, so there is nothing else to do meanwhile.

        The wait goes in slices, so that the ``interrupt`` event ends it. kafka-python
        keeps the JoinGroup in flight between slices (its join task is re-awaited, not
        re-sent).
        """
        coordinator = getattr(self._consumer, "_coordinator", None)
        if coordinator is None:
            return
        deadline = time.monotonic() + self._join_timeout_ms / 1000
        while coordinator.need_rejoin() and not self._interrupt.is_set():
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            if remaining_ms <= 0:
                return
            coordinator.poll(timeout_ms=min(remaining_ms, _JOIN_SLICE_MS))

    def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        """See :meth:`detector.kafka.consumer.Consumer.commit`."""
        if not offsets:
            return
        request = {
            self._theirs(tp): kafka.structs.OffsetAndMetadata(offset, "", -1)
            for tp, offset in offsets.items()
        }
        try:
            self._consumer.commit(request, timeout_ms=self._timeout_ms)
        except (kafka.errors.KafkaError, ValueError) as exc:
            raise CommitFailed(f"commit of {_describe(offsets)} failed: {exc!r}") from exc

    def seek(self, tp: TopicPartition, offset: int) -> None:
        """See :meth:`detector.kafka.consumer.Consumer.seek`."""
        try:
            self._consumer.seek(self._theirs(tp), offset)
        except ValueError as exc:
            raise ConsumerError(f"cannot seek {tp} to {offset}: {exc}") from exc

    def committed(self, tp: TopicPartition) -> int | None:
        """See :meth:`detector.kafka.consumer.Consumer.committed`."""
        try:
            offset = self._consumer.committed(self._theirs(tp), timeout_ms=self._timeout_ms)
        except kafka.errors.KafkaError as exc:
            raise ConsumerError(f"cannot read committed offset of {tp}: {exc!r}") from exc
        return None if offset is None or offset < 0 else int(offset)

    def pause(self, tps: Iterable[TopicPartition]) -> None:
        """See :meth:`detector.kafka.consumer.Consumer.pause`."""
        self._consumer.pause(*(self._theirs(tp) for tp in tps))

    def resume(self, tps: Iterable[TopicPartition]) -> None:
        """See :meth:`detector.kafka.consumer.Consumer.resume`."""
        self._consumer.resume(*(self._theirs(tp) for tp in tps))

    def assignment(self) -> set[TopicPartition]:
        """See :meth:`detector.kafka.consumer.Consumer.assignment`."""
        return {self._ours(k) for k in self._consumer.assignment()}

    def close(self) -> None:
        """See :meth:`detector.kafka.consumer.Consumer.close`."""
        if self._closed:
            return
        self._closed = True
        # kafka-python's close() calls on_partitions_revoked for owned partitions.
        try:
            self._consumer.close(autocommit=False, timeout_ms=self._timeout_ms)
        except kafka.errors.KafkaError as exc:
            self._raise_listener_error(exc)
            log.warning("consumer close: %r", exc)
        self._raise_listener_error()


class _ThreadedListener(kafka.AsyncConsumerRebalanceListener):  # type: ignore[misc]
    """Runs the user's callbacks on a helper thread while the IO loop awaits them.

    kafka-python 3 calls rebalance listeners on its IO thread. A plain listener
    there would block heartbeats while it checkpoints, and could not call
    ``commit``/``committed`` at all (they wait for the IO thread). The caller's
    thread is blocked inside ``poll``/``close`` the whole time, so the callback
    still never runs concurrently with the caller's own code.
    """

    def __init__(self, owner: KafkaPythonConsumer):
        self._owner = owner

    async def on_partitions_revoked(self, revoked: set[Any]) -> None:
        await self._off_loop(self._owner._call_listener, "on_revoke", revoked)

    async def on_partitions_assigned(self, assigned: set[Any]) -> None:
        await self._off_loop(self._owner._call_listener, "on_assign", assigned)

    async def on_partitions_lost(self, lost: set[Any]) -> None:
        await self._off_loop(self._owner._call_listener, "on_revoke", lost)

    async def _off_loop(
        self, fn: Callable[[str, set[Any]], None], method: str, arg: set[Any]
    ) -> None:
        done: Any = kafka.future.Future()
        # kafka-python has no public way for a listener to await a thread; the
        # loop's own thread-safe scheduler resolves the future on the IO thread.
        loop = self._owner._consumer._net

        def work() -> None:
            try:
                fn(method, arg)
            finally:
                loop.call_soon_threadsafe(lambda: done.success(None))

        threading.Thread(target=work, name=f"kafka-listener-{method}", daemon=True).start()
        await done


def _describe(offsets: Mapping[TopicPartition, int]) -> str:
    items = sorted(offsets.items())
    text = ", ".join(f"{tp}@{off}" for tp, off in items[:5])
    return text + (f" (+{len(items) - 5} more)" if len(items) > 5 else "")
