"""The :class:`~detector.kafka.producer.Producer` interface over confluent-kafka (librdkafka)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, cast

import confluent_kafka as ck

from detector.kafka.consumer import TopicPartition
from detector.kafka.errors import BufferFull, DeliveryFailed, KafkaConfigError

__all__ = ["ConfluentProducer", "producer_config"]

log = logging.getLogger(__name__)

_MANAGED = ("bootstrap.servers", "on_delivery")


def producer_config(
    bootstrap: str, options: Mapping[str, object], buffer_bytes: int, buffer_messages: int
) -> dict[str, Any]:
    """librdkafka settings: defaults, then ``options``, then the managed keys."""
    managed = sorted(set(options) & set(_MANAGED))
    if managed:
        raise KafkaConfigError(f"options may not set {managed}: they are managed")
    return {
        "client.id": "distill-detector-producer",
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 5,
        "message.timeout.ms": 120_000,
        # librdkafka's own queue is the bounded buffer: produce() raises
        # BufferError when either limit is reached.
        "queue.buffering.max.messages": buffer_messages,
        "queue.buffering.max.kbytes": max(1, buffer_bytes >> 10),
        **options,
        "bootstrap.servers": bootstrap,
    }


class ConfluentProducer:
    """A producer built on :class:`confluent_kafka.Producer`; see :mod:`detector.kafka.producer`.

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
        config = producer_config(bootstrap, options, buffer_bytes, buffer_messages)
        config.setdefault("error_cb", self._on_client_error)
        config["on_delivery"] = self._on_delivery
        self._block_timeout_s = block_timeout_s
        # Delivery callbacks run inside poll()/flush() on the caller's thread: no lock.
        self._failed = 0
        self._first_error: ck.KafkaError | None = None
        self._ends: dict[tuple[str, int], int] = {}
        try:
            self._producer = ck.Producer(config)
        except (ck.KafkaException, ValueError, TypeError) as exc:
            raise KafkaConfigError(f"confluent-kafka producer options: {exc}") from exc

    @staticmethod
    def _on_client_error(error: ck.KafkaError) -> None:
        log.warning("confluent-kafka producer: %s", error.str())

    def _on_delivery(self, error: ck.KafkaError | None, msg: ck.Message) -> None:
        if error is not None:
            self._failed += 1
            if self._first_error is None:
                self._first_error = error
            return
        key: Any = (msg.topic(), msg.partition())
        end = (msg.offset() or 0) + 1
        if end > self._ends.get(key, 0):
            self._ends[key] = end

    def send(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        """See :meth:`detector.kafka.producer.Producer.send`."""
        deadline = 0.0
        while True:
            try:
                self._producer.produce(topic, value, key, headers=cast(Any, headers))
                break
            except BufferError:
                now = time.monotonic()
                if not deadline:
                    deadline = now + self._block_timeout_s
                elif now >= deadline:
                    raise BufferFull(
                        f"{len(self._producer)} messages await acknowledgement after"
                        f" {self._block_timeout_s:.1f} s"
                    ) from None
                # Serving delivery reports is what frees room in the queue.
                self._producer.poll(min(0.05, deadline - now))
            except ck.KafkaException as exc:
                raise DeliveryFailed(f"send to {topic!r} failed: {exc}") from exc
        self._producer.poll(0)

    def flush(self, timeout_s: float) -> None:
        """See :meth:`detector.kafka.producer.Producer.flush`."""
        pending = self._producer.flush(timeout_s)
        failed, error = self._failed, self._first_error
        self._failed, self._first_error = 0, None
        if failed:
            raise DeliveryFailed(f"{failed} messages were not delivered: {error}")
        if pending:
            raise DeliveryFailed(f"{pending} messages not acknowledged within {timeout_s:.1f} s")

    def acked_end_offsets(self) -> dict[TopicPartition, int]:
        """See :meth:`detector.kafka.producer.Producer.acked_end_offsets`."""
        self._producer.poll(0)
        return {TopicPartition(t, p): end for (t, p), end in self._ends.items()}

    def close(self, timeout_s: float = 10.0) -> None:
        """See :meth:`detector.kafka.producer.Producer.close`."""
        remaining = self._producer.flush(timeout_s)
        if remaining:
            # Otherwise closing would wait for them up to message.timeout.ms.
            log.warning("producer closed with %d messages unacknowledged", remaining)
            self._producer.purge()
            self._producer.flush(0)
        self._producer.close()
