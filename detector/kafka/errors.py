"""Exceptions raised by the Kafka plumbing, whichever client library is underneath.

Callers handle these types only; the client library's own exception is kept as
``__cause__`` for the log.
"""

from __future__ import annotations

__all__ = [
    "TRANSIENT_ERRORS",
    "BrokerStartError",
    "BufferFull",
    "ClientNotInstalled",
    "CommitFailed",
    "ConsumerError",
    "DeliveryFailed",
    "KafkaClientError",
    "KafkaConfigError",
]


class KafkaClientError(Exception):
    """Base class of every error raised by :mod:`detector.kafka`."""


class KafkaConfigError(KafkaClientError, ValueError):
    """A client option is unknown, has a bad value, or tries to override a managed setting."""


class ClientNotInstalled(KafkaClientError, ImportError):
    """The requested client library (e.g. ``confluent-kafka``) is not installed."""


class ConsumerError(KafkaClientError):
    """The consumer failed in a way it cannot recover from by itself."""


class CommitFailed(KafkaClientError):
    """An offset commit was not acknowledged by the group coordinator.

    Typical causes: the partitions were revoked in a rebalance, the group
    membership was lost, or the coordinator was unreachable until the timeout.
    """


class DeliveryFailed(KafkaClientError):
    """At least one produced message was not acknowledged by the broker."""


class BufferFull(KafkaClientError):
    """The producer's bounded buffer stayed full for the whole send timeout."""


class BrokerStartError(KafkaClientError, RuntimeError):
    """A local broker (or its object store) did not start or did not become ready."""


TRANSIENT_ERRORS: tuple[type[KafkaClientError], ...] = (
    CommitFailed,
    DeliveryFailed,
    BufferFull,
    ConsumerError,
)
"""Errors a broker outage causes and a retry cures."""
