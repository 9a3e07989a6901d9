"""Types of the C parser of Kafka record batches (detector/kafka/_batches.c)."""

from typing import Any

def records(
    buffer: Any, start: int, count: int, base_offset: int
) -> list[tuple[int, bytes | None, bytes | None]]: ...
