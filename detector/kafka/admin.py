"""Topic creation through kafka-python's admin client."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping

from detector.kafka.errors import KafkaClientError, KafkaConfigError

__all__ = ["create_topics"]

log = logging.getLogger(__name__)

_TOPIC_ALREADY_EXISTS = 36


def create_topics(
    bootstrap: str,
    topics: Mapping[str, int],
    compacted: Collection[str] = frozenset(),
    *,
    replication_factor: int = 1,
    options: Mapping[str, object] | None = None,
    timeout_s: float = 15.0,
) -> None:
    """Create topics if they do not exist, and wait until metadata shows their partitions.

    Idempotent: a topic that already exists is left as it is (with a warning if
    it has fewer partitions than asked for).

    Parameters
    ----------
    bootstrap
        ``host:port[,host:port...]``.
    topics
        Topic name to number of partitions.
    compacted
        Names (among ``topics``) created with ``cleanup.policy=compact``, e.g.
        changelog and signature topics.
    replication_factor
        Replicas per partition (1 for a local broker).
    options
        kafka-python admin-client settings passed through verbatim, e.g. the
        security settings ``security_protocol``, ``sasl_mechanism``,
        ``sasl_plain_username``, ``sasl_plain_password``, ``ssl_cafile``.
    timeout_s
        Bound on the whole operation.

    Raises
    ------
    KafkaClientError
        If the broker refuses a topic or the partitions do not appear in time.
    KafkaConfigError
        If ``compacted`` names a topic not in ``topics``, or an option is unknown.
    """
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaConfigurationError, KafkaError, for_code

    unknown = set(compacted) - set(topics)
    if unknown:
        raise KafkaConfigError(f"compacted topics not in topics: {sorted(unknown)}")
    if not topics:
        return
    timeout_ms = int(timeout_s * 1000)
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="distill-detector-admin",
            request_timeout_ms=timeout_ms,
            bootstrap_timeout_ms=timeout_ms,
            **dict(options or {}),
        )
    except KafkaConfigurationError as exc:
        raise KafkaConfigError(f"admin client options: {exc}") from exc
    except KafkaError as exc:
        raise KafkaClientError(f"cannot reach {bootstrap}: {exc!r}") from exc
    try:
        request = {
            name: {
                "num_partitions": partitions,
                "replication_factor": replication_factor,
                "configs": {"cleanup.policy": "compact"} if name in compacted else {},
            }
            for name, partitions in topics.items()
        }
        result = admin.create_topics(request, timeout_ms=timeout_ms, raise_errors=False)
        for topic in result["topics"]:
            code = topic["error_code"]
            if code not in (0, _TOPIC_ALREADY_EXISTS):
                raise KafkaClientError(
                    f"creating topic {topic['name']!r}: {for_code(code).__name__}"
                    f" {topic.get('error_message') or ''}".rstrip()
                )
        admin.wait_for_topics(list(topics), timeout_ms=timeout_ms)
        for described in admin.describe_topics(list(topics)):
            name, have = described["name"], len(described["partitions"])
            if have < topics[name]:
                log.warning("topic %r exists with %d partitions, not %d", name, have, topics[name])
    except KafkaError as exc:
        raise KafkaClientError(f"creating topics {sorted(topics)}: {exc!r}") from exc
    finally:
        admin.close()
