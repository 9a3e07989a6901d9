"""One consumer interface over two client libraries: kafka-python and confluent-kafka.

The live service reads request logs in partition batches, checkpoints its state,
then commits offsets; when partitions move it must save state before losing a
partition and restore it before reading one. This module gives it exactly that:

* :meth:`Consumer.poll` returns records grouped per partition, in offset order,
  with the partition's high watermark from the fetch response (for lag metrics;
  not from ``ListOffsets``, which Tansu answers wrongly, see
  :mod:`detector.kafka.broker`);
* offsets are never committed automatically; :meth:`Consumer.commit` is
  synchronous and raises :class:`~detector.kafka.errors.CommitFailed`;
* a :class:`RebalanceListener` hears about revoked partitions before they go and
  about assigned ones before any of their records is returned, and may call
  :meth:`Consumer.commit`, :meth:`Consumer.committed` and :meth:`Consumer.seek`
  from there.

Listener semantics, the same for both clients
---------------------------------------------
* Callbacks run only while the caller is inside :meth:`Consumer.poll` or
  :meth:`Consumer.close`, never concurrently with the caller's own code.
  (kafka-python 3 runs its group protocol on an IO thread; its callbacks are
  moved to a helper thread while ``poll`` waits, so that they may block and call
  back into the consumer without stopping heartbeats.)
* The assignment protocol is eager: a rebalance revokes every partition, then
  assigns the new set. ``on_revoke`` also receives partitions *lost* to a session
  timeout; a commit there raises ``CommitFailed``.
* ``close()`` calls ``on_revoke`` for the partitions still owned, before leaving
  the group.
* Neither callback is called with an empty list.
* An exception raised by a callback is re-raised by the ``poll`` (or ``close``)
  during which it ran; the records fetched in that call are not returned.
* While the member (re)joins its group, ``poll`` may block past ``timeout_s``,
  up to ``max_poll_interval_s`` plus the 6 s session timeout: kafka-python 3.0
  would otherwise throw away a join that completes between two polls and start
  the rebalance over. The member owns no partitions meanwhile. So members of one
  group must poll from separate threads or processes, never in turn from one.
  Setting the ``interrupt`` event ends that wait within a second: a member asked
  to stop must not outlive its shutdown grace waiting for a group it is leaving.
* ``commit`` and ``committed`` give up after ``commit_timeout_s`` (confluent-kafka's
  synchronous commit alone can wait forever while the coordinator is down).

Options
-------
``options`` are passed verbatim to the client library, on top of the tuned
defaults below, so they use that library's key names. Security settings:

* kafka-python: ``security_protocol`` (``"SASL_SSL"``, ``"SSL"``, ...),
  ``sasl_mechanism`` (``"PLAIN"``, ``"SCRAM-SHA-512"``, ``"OAUTHBEARER"``, ...),
  ``sasl_plain_username``, ``sasl_plain_password``, ``sasl_oauth_token_provider``,
  ``ssl_cafile``, ``ssl_certfile``, ``ssl_keyfile``, ``ssl_password``,
  ``ssl_check_hostname``;
* confluent-kafka: ``"security.protocol"``, ``"sasl.mechanism"``,
  ``"sasl.username"``, ``"sasl.password"``, ``"oauth_cb"`` or
  ``"sasl.oauthbearer.*"``, ``"ssl.ca.location"``, ``"ssl.certificate.location"``,
  ``"ssl.key.location"``, ``"ssl.key.password"``,
  ``"ssl.endpoint.identification.algorithm"``.

Tuned defaults (each overridable through ``options``): session timeout 6 s and
heartbeat 1 s so a dead member is noticed and a rebalance finishes in seconds;
max poll interval from ``max_poll_interval_s``; fetches of at least 64 KiB or
100 ms, up to 8 MiB per partition and 64 MiB per request, so each round trip
carries thousands of records; auto commit off and ``auto_offset_reset``
earliest (a new group reads the whole topic). The bootstrap servers, group id
and auto commit are managed and cannot be overridden.

kafka-python checks each record batch's CRC32C; it uses the native ``crc32c``
package automatically when it is importable (a runtime dependency), which is
what makes that client usable at this volume (see :func:`native_crc32c`). Its
per-record parsing in Python is replaced, on our consumers, by a C parser of each
batch's records (:mod:`detector.kafka._kafka_python_batches`); kafka-python still
fetches, checks, decompresses and keeps the offsets.

Measured here (2 cores, local Tansu, 200 k records of 35 / 266 bytes, steady
state): confluent-kafka 540 k / 440 k records/s (1.6-2.6 µs of CPU per record);
kafka-python alone 147 k / 127 k records/s, bound by its own CPU (6-7.5 µs per
record), and 72 k / 24 k records/s with the pure-Python CRC32C. Through our
consumer, with the batches parsed in C, kafka-python reads 380-450 k records/s
of 266 bytes (``benchmarks/run_throughput.py`` measures both).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from detector.kafka._clients import CLIENTS, DEFAULT_CLIENT, require_confluent
from detector.kafka.errors import KafkaConfigError

__all__ = [
    "CLIENTS",
    "DEFAULT_CLIENT",
    "Consumer",
    "PartitionRecords",
    "RebalanceListener",
    "TopicPartition",
    "make_consumer",
    "native_crc32c",
]


@dataclass(frozen=True, slots=True, order=True)
class TopicPartition:
    """A partition of a topic.

    Examples
    --------
    >>> tp = TopicPartition("requests", 3)
    >>> str(tp), tp < TopicPartition("requests", 10)
    ('requests/3', True)
    """

    topic: str
    partition: int

    def __str__(self) -> str:
        return f"{self.topic}/{self.partition}"


@dataclass(slots=True)
class PartitionRecords:
    """Consecutive records of one partition, as returned by one :meth:`Consumer.poll`.

    ``values``, ``offsets`` and ``keys`` are parallel lists in offset order.
    """

    tp: TopicPartition
    values: list[bytes]
    """Message values; a null value (a tombstone) is given as ``b""``."""
    offsets: list[int]
    keys: list[bytes | None]
    high_watermark: int | None
    """Offset after the last record in the partition, from the fetch response;
    None if the client has not seen it yet. Lag = high_watermark - (offsets[-1] + 1)."""


class RebalanceListener(Protocol):
    """Hears about partitions moving to and from this consumer; see the module notes."""

    def on_revoke(self, partitions: list[TopicPartition]) -> None:
        """Called inside ``poll`` (or ``close``) before ``partitions`` are taken away."""

    def on_assign(self, partitions: list[TopicPartition]) -> None:
        """Called inside ``poll`` after assignment, before any record of ``partitions``."""


class Consumer(Protocol):
    """A group consumer of one or more topics; create one with :func:`make_consumer`."""

    def poll(self, max_records: int, timeout_s: float) -> list[PartitionRecords]:
        """Up to ``max_records`` records, waiting at most ``timeout_s`` for the first.

        During a group (re)join it may wait longer; see the module notes.

        Raises
        ------
        ConsumerError
            On an error the client cannot recover from.
        Exception
            Whatever a rebalance callback raised during this call.
        """
        ...

    def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        """Commit synchronously; each offset is the *next* offset to read.

        Raises
        ------
        CommitFailed
            If the coordinator did not accept the commit (e.g. the partition was
            revoked, the membership was lost, or the broker was unreachable).
        """
        ...

    def seek(self, tp: TopicPartition, offset: int) -> None:
        """Read ``tp`` from ``offset`` next; from ``on_assign``, resume after a checkpoint.

        Raises
        ------
        ConsumerError
            If ``tp`` is not assigned to this consumer.
        """
        ...

    def committed(self, tp: TopicPartition) -> int | None:
        """The group's committed offset for ``tp`` (a broker round trip), or None.

        Raises
        ------
        ConsumerError
            If the coordinator did not answer within the commit timeout.
        """
        ...

    def pause(self, tps: Iterable[TopicPartition]) -> None:
        """Stop returning records of ``tps`` (still assigned; heartbeats go on)."""
        ...

    def resume(self, tps: Iterable[TopicPartition]) -> None:
        """Undo :meth:`pause`."""
        ...

    def assignment(self) -> set[TopicPartition]:
        """The partitions currently assigned to this consumer."""
        ...

    def close(self) -> None:
        """Revoke owned partitions (calling ``on_revoke``), leave the group, release resources."""
        ...


def make_consumer(
    client: str | None,
    bootstrap: str,
    topics: Sequence[str],
    group_id: str,
    listener: RebalanceListener,
    options: Mapping[str, object] | None = None,
    *,
    max_poll_interval_s: float = 30.0,
    commit_timeout_s: float = 30.0,
    interrupt: threading.Event | None = None,
) -> Consumer:
    """Create a subscribed group consumer.

    Parameters
    ----------
    client
        ``"kafka-python"`` (the default, also for None) or ``"confluent-kafka"``.
    bootstrap
        ``host:port[,host:port...]``.
    topics
        Topics to subscribe to.
    group_id
        Consumer group; instances of one service share it to split partitions.
    listener
        Receives revoke/assign notifications; see the module notes.
    options
        Client settings passed through verbatim (the library's own key names;
        see the module notes for security settings).
    max_poll_interval_s
        Longest time allowed between two ``poll`` calls before the member is
        considered stuck and its partitions move. Must cover the longest batch
        plus checkpoint. Also bounds how long a rebalance waits for slow members.
    commit_timeout_s
        Bound on :meth:`Consumer.commit` and :meth:`Consumer.committed` when the
        coordinator is unreachable.
    interrupt
        Set when the caller is stopping: a ``poll`` waiting for a group join then
        returns with no records. (confluent-kafka joins in the background and its
        ``poll`` never blocks past ``timeout_s``, so only kafka-python uses it.)

    Raises
    ------
    ClientNotInstalled
        If the client library is not installed.
    KafkaConfigError
        If ``client`` is unknown or an option is rejected.
    """
    name = client or DEFAULT_CLIENT
    opts = dict(options or {})
    if name == "kafka-python":
        from detector.kafka._kafka_python_consumer import KafkaPythonConsumer

        return KafkaPythonConsumer(
            bootstrap,
            topics,
            group_id,
            listener,
            opts,
            max_poll_interval_s,
            commit_timeout_s,
            interrupt=interrupt,
        )
    if name == "confluent-kafka":
        require_confluent()
        from detector.kafka._confluent_consumer import ConfluentConsumer

        return ConfluentConsumer(
            bootstrap, topics, group_id, listener, opts, max_poll_interval_s, commit_timeout_s
        )
    raise KafkaConfigError(f"unknown Kafka client {name!r}; expected one of {CLIENTS}")


def _fill_tombstones(values: list[Any]) -> None:
    """Replace null values (tombstones) by ``b""`` in place, so decoders see bytes only."""
    # One C-speed scan per batch; the loop runs only when a tombstone is present.
    if None in values:
        for i, value in enumerate(values):
            if value is None:
                values[i] = b""


def native_crc32c() -> bool:
    """Whether kafka-python verifies record CRCs with the native ``crc32c`` package.

    kafka-python picks it up by itself when ``import crc32c`` works; without it
    the pure-Python check costs most of the consume time (24 k instead of 127 k
    records/s of 266 bytes, measured here).
    """
    try:
        from kafka.record import util
    except ImportError:
        return False
    return getattr(util, "crc32c_c", None) is not None
