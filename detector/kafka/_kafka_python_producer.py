"""The :class:`~detector.kafka.producer.Producer` interface over kafka-python (>= 3)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections import deque
from collections.abc import Mapping
from typing import Any

import kafka
import kafka.errors

from detector.kafka.consumer import TopicPartition
from detector.kafka.errors import BufferFull, DeliveryFailed, KafkaConfigError

__all__ = ["KafkaPythonProducer", "producer_config"]

log = logging.getLogger(__name__)

_MANAGED = ("bootstrap_servers", "key_serializer", "value_serializer")


def producer_config(
    bootstrap: str, options: Mapping[str, object], block_timeout_s: float
) -> dict[str, object]:
    """kafka-python settings: defaults, then ``options``, then the managed keys."""
    managed = sorted(set(options) & set(_MANAGED))
    if managed:
        raise KafkaConfigError(f"options may not set {managed}: they are managed")
    return {
        "client_id": "distill-detector-producer",
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "batch_size": 256 << 10,
        "max_block_ms": int(block_timeout_s * 1000),
        "delivery_timeout_ms": 120_000,
        **options,
        "bootstrap_servers": bootstrap,
    }


class KafkaPythonProducer:
    """A producer built on :class:`kafka.KafkaProducer`; see :mod:`detector.kafka.producer`.

    kafka-python 3 has no bound on its own buffer, so this class keeps the
    futures of unacknowledged messages, oldest first, and blocks ``send`` at the
    limit until the oldest complete. Completed futures are collected lazily on
    the caller's thread: a callback per message would cost a third of the send
    rate (measured: 42 k -> 28 k records/s) in GIL traffic with the IO thread.

    Parameters
    ----------
    bootstrap, options, buffer_bytes, buffer_messages, block_timeout_s
        As for :func:`detector.kafka.producer.make_producer`.
    """

    def __init__(
        self,
        bootstrap: str,
        options: Mapping[str, object],
        buffer_bytes: int,
        buffer_messages: int,
        block_timeout_s: float,
    ):
        config = producer_config(bootstrap, options, block_timeout_s)
        self._max_bytes = buffer_bytes
        self._max_messages = buffer_messages
        self._block_timeout_s = block_timeout_s
        # (future, size) per message not yet seen complete, in send order.
        self._inflight: deque[tuple[Any, int]] = deque()
        self._pending_bytes = 0
        self._failed = 0
        self._first_error: BaseException | None = None
        self._ends: dict[tuple[str, int], int] = {}
        try:
            self._producer = kafka.KafkaProducer(**config)
        except (kafka.errors.KafkaConfigurationError, ValueError, TypeError) as exc:
            # kafka-python reports an unknown option as ValueError or KafkaConfigurationError.
            raise KafkaConfigError(f"kafka-python producer options: {exc}") from exc
        except (kafka.errors.KafkaError, AssertionError) as exc:
            raise DeliveryFailed(f"cannot create producer for {bootstrap}: {exc!r}") from exc

    def send(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        """See :meth:`detector.kafka.producer.Producer.send`."""
        size = len(value or b"") + (len(key) if key is not None else 0)
        if self._full(size):
            self._make_room(size)
        try:
            future = self._producer.send(topic, value=value, key=key, headers=headers)
        except kafka.errors.KafkaTimeoutError as exc:
            raise BufferFull(f"no metadata for {topic!r} within the send timeout: {exc}") from exc
        except kafka.errors.KafkaError as exc:
            raise DeliveryFailed(f"send to {topic!r} failed: {exc!r}") from exc
        self._inflight.append((future, size))
        self._pending_bytes += size

    def _full(self, size: int) -> bool:
        # A message larger than the whole buffer still goes out, alone.
        return bool(self._inflight) and (
            len(self._inflight) >= self._max_messages
            or self._pending_bytes + size > self._max_bytes
        )

    def _make_room(self, size: int) -> None:
        deadline = time.monotonic() + self._block_timeout_s
        self._reap()
        while self._full(size):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BufferFull(
                    f"{len(self._inflight)} messages ({self._pending_bytes} bytes) await"
                    f" acknowledgement after {self._block_timeout_s:.1f} s"
                )
            # A failure is collected by _reap(), like any other completion.
            with contextlib.suppress(Exception):
                self._inflight[0][0].get(timeout=remaining)
            self._reap()

    def _reap(self) -> None:
        """Account for completed messages at the old end of the queue."""
        inflight = self._inflight
        while inflight and inflight[0][0].is_done:
            future, size = inflight.popleft()
            self._pending_bytes -= size
            if future.exception is not None:
                self._failed += 1
                if self._first_error is None:
                    self._first_error = future.exception
                continue
            meta = future.value
            key = (meta.topic, meta.partition)
            if meta.offset + 1 > self._ends.get(key, 0):
                self._ends[key] = meta.offset + 1

    def flush(self, timeout_s: float) -> None:
        """See :meth:`detector.kafka.producer.Producer.flush`."""
        # A timeout is reported below, with the count of what is missing.
        with contextlib.suppress(kafka.errors.KafkaTimeoutError):
            self._producer.flush(timeout=timeout_s)
        self._reap()
        # Messages of other partitions may have completed behind an unfinished one.
        pending = sum(1 for future, _ in self._inflight if not future.is_done)
        failed, error = self._failed, self._first_error
        self._failed, self._first_error = 0, None
        if failed:
            raise DeliveryFailed(f"{failed} messages were not delivered: {error!r}") from error
        if pending:
            raise DeliveryFailed(f"{pending} messages not acknowledged within {timeout_s:.1f} s")

    def acked_end_offsets(self) -> dict[TopicPartition, int]:
        """See :meth:`detector.kafka.producer.Producer.acked_end_offsets`."""
        self._reap()
        return {TopicPartition(t, p): end for (t, p), end in self._ends.items()}

    def close(self, timeout_s: float = 10.0) -> None:
        """See :meth:`detector.kafka.producer.Producer.close`."""
        try:
            self._producer.close(timeout=timeout_s)
        except kafka.errors.KafkaTimeoutError:
            # kafka-python 3.0's close() flushes first and, when that times out,
            # raises before stopping its sender thread: stop it here, dropping
            # what was never acknowledged (the caller's flush() reported it).
            log.warning("producer closed with messages unacknowledged after %.1f s", timeout_s)
            sender = getattr(self._producer, "_sender", None)
            if sender is not None:
                sender.force_close()
                sender.join(timeout_s)
            with contextlib.suppress(kafka.errors.KafkaError):
                self._producer.close(timeout=0)
