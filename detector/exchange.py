"""Signature exchange between instances: publish this instance's account signatures to a
compacted topic, and read every instance's.

Each instance owns the accounts of its partitions, but campaigns span partitions. So each
instance publishes the signatures it computes (keyed by account id, MessagePack values; a
tombstone when it forgets an account) and reads the whole topic with a consumer group of
its own, from the beginning: compaction keeps one signature per account, so a (re)starting
instance catches up on everyone's in one read. Reading runs on a thread, because a consumer
may block while it joins its group; the service loop drains what it read before each batch.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable

import msgspec

from detector.campaigns import CampaignDetector, SignatureMessage
from detector.kafka import (
    BufferFull,
    Consumer,
    DeliveryFailed,
    Producer,
    TopicPartition,
    make_consumer,
)
from detector.logs import log_event

__all__ = ["SignatureExchange"]

log = logging.getLogger(__name__)
_MAX_QUEUED = 64


class _NoRebalanceWork:
    def on_revoke(self, partitions: list[TopicPartition]) -> None:
        """Nothing to save: the topic is read again from the start after a restart."""

    def on_assign(self, partitions: list[TopicPartition]) -> None:
        """New consumer groups start at the earliest offset."""


class SignatureExchange:
    """Publish and read signatures on ``topic`` for one :class:`CampaignDetector`."""

    def __init__(
        self,
        campaigns: CampaignDetector,
        producer: Producer,
        topic: str,
        consumer_factory: Callable[[str], Consumer],
    ):
        self.campaigns = campaigns
        self.producer = producer
        self.topic = topic
        self._encoder = msgspec.msgpack.Encoder()
        self._decoder = msgspec.msgpack.Decoder(SignatureMessage)
        self._inbox: queue.Queue[tuple[list[str], list[SignatureMessage | None]]] = queue.Queue(
            _MAX_QUEUED
        )
        self._stop = threading.Event()
        self.received = 0
        self.published = 0
        self.dropped = 0
        # A group of its own: this instance reads every partition of the topic.
        self._consumer_factory = consumer_factory
        self._thread = threading.Thread(target=self._read, name="signature-reader", daemon=True)
        campaigns.publishing = True
        self._thread.start()

    @classmethod
    def for_kafka(
        cls,
        campaigns: CampaignDetector,
        producer: Producer,
        topic: str,
        client: str,
        bootstrap: str,
        group_id: str,
        options: dict[str, object],
    ) -> SignatureExchange:
        def consumer(instance: str) -> Consumer:
            return make_consumer(
                client,
                bootstrap,
                [topic],
                f"{group_id}.signatures.{instance}",
                _NoRebalanceWork(),
                options,
            )

        return cls(campaigns, producer, topic, consumer)

    def _read(self) -> None:
        consumer = None
        while consumer is None and not self._stop.is_set():
            try:
                consumer = self._consumer_factory(uuid.uuid4().hex[:12])
            except Exception as exc:  # broker not reachable yet: campaigns wait, nothing stops
                log_event(
                    log,
                    logging.WARNING,
                    "signature topic unavailable",
                    error=f"{type(exc).__name__}: {exc}",
                )
                self._stop.wait(5.0)
        if consumer is None:
            return
        try:
            while not self._stop.is_set():
                try:
                    batches = consumer.poll(10_000, 0.5)
                except Exception as exc:  # the broker may come back; keep reading
                    log_event(
                        log,
                        logging.WARNING,
                        "signature topic unavailable",
                        error=f"{type(exc).__name__}: {exc}",
                    )
                    self._stop.wait(1.0)
                    continue
                for records in batches:
                    accounts: list[str] = []
                    messages: list[SignatureMessage | None] = []
                    for key, value in zip(records.keys, records.values, strict=True):
                        if not key:
                            continue
                        accounts.append(key.decode("utf-8", "replace"))
                        messages.append(self._decode(value))
                    while not self._stop.is_set():
                        try:
                            self._inbox.put((accounts, messages), timeout=0.5)
                            break
                        except queue.Full:
                            continue
        finally:
            consumer.close()

    def _decode(self, value: bytes) -> SignatureMessage | None:
        if not value:
            return None
        try:
            return self._decoder.decode(value)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None  # another version's layout: treated as unknown, not as an error

    def drain(self) -> int:
        """Hand what was read to the campaign detector (on the caller's thread)."""
        n = 0
        while True:
            try:
                accounts, messages = self._inbox.get_nowait()
            except queue.Empty:
                return n
            self.campaigns.ingest(accounts, messages)
            n += len(accounts)
            self.received += len(accounts)

    def publish(self) -> int:
        """Send this instance's changed signatures. Best effort: a signature lost to a
        broker failure is replaced by the account's next one."""
        sent = 0
        outbox = self.campaigns.outbox()
        for account, message in outbox:
            value = None if message is None else self._encoder.encode(message)
            try:
                self.producer.send(self.topic, value, account.encode())
            except (BufferFull, DeliveryFailed) as exc:
                self.dropped += len(outbox) - sent
                log_event(
                    log,
                    logging.WARNING,
                    "signatures not published",
                    dropped=len(outbox) - sent,
                    error=f"{type(exc).__name__}: {exc}",
                )
                break
            sent += 1
        self.published += sent
        return sent

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        try:
            self.producer.flush(5.0)
        except Exception as exc:  # best effort, see publish
            log_event(
                log,
                logging.WARNING,
                "signatures not all published at close",
                error=f"{type(exc).__name__}: {exc}",
            )
        self.producer.close()
