"""Names of the supported client libraries, and the check for the optional one."""

from __future__ import annotations

from detector.kafka.errors import ClientNotInstalled

__all__ = ["CLIENTS", "DEFAULT_CLIENT", "require_confluent"]

DEFAULT_CLIENT = "kafka-python"
CLIENTS = ("kafka-python", "confluent-kafka")


def require_confluent() -> None:
    """Raise :class:`ClientNotInstalled` unless confluent-kafka can be imported."""
    try:
        import confluent_kafka  # noqa: F401
    except ImportError as exc:
        raise ClientNotInstalled(
            "client 'confluent-kafka' is not installed: pip install 'distill-detector[fast]'"
        ) from exc
