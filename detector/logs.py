"""Structured logs: one JSON object per line on standard error, ``event`` plus fields.

Log lines never carry prompt text or account ids beyond what an operator needs (counts,
partitions, offsets, durations).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import msgspec

__all__ = ["configure_logging", "get_logger", "log_event"]

_ENCODER = msgspec.json.Encoder()


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        fields.update(getattr(record, "fields", {}))
        if record.exc_info:
            fields["error"] = self.formatException(record.exc_info)
        return _ENCODER.encode(fields).decode()


class _PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in getattr(record, "fields", {}).items())
        when = time.strftime("%H:%M:%S", time.localtime(record.created))
        return f"{when} {record.levelname.lower():7} {record.getMessage()} {extra}".rstrip()


def configure_logging(level: str = "INFO", json: bool | None = None) -> None:
    """JSON lines when stderr is not a terminal (or ``json=True``), readable lines otherwise."""
    handler = logging.StreamHandler(sys.stderr)
    use_json = not sys.stderr.isatty() if json is None else json
    handler.setFormatter(_JsonFormatter() if use_json else _PlainFormatter())
    root = logging.getLogger("detector")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)


def log_event(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    """Log ``event`` with structured ``fields``.

    Examples
    --------
    >>> import logging
    >>> log_event(get_logger("detector.doc"), logging.DEBUG, "checkpoint", partitions=2)
    """
    logger.log(level, event, extra={"fields": fields})
