"""kafka-python's fetched partition data, with each v2 record batch's records parsed in C.

kafka-python parses every record in Python: seven varints, a record object and a
13-field ``ConsumerRecord`` each. That is 7-9 µs per record, most of that client's
consume time. :class:`ColumnarPartitionRecords` takes the place of kafka-python's
``Fetcher.PartitionRecords`` on our consumers only (:func:`install`). It keeps the
client's batch handling: CRC checks, decompression, control batches and offset
bookkeeping. Only the loop over the records of each v2 batch is replaced, by
:func:`detector.kafka._batches.records`, which returns ``(offset, key, value)``
tuples. Legacy (v0/v1) message sets, deserializers and ``read_committed`` go
through kafka-python's own loop, and come out in the same tuple shape.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import kafka.errors
from kafka.consumer.fetcher import Fetcher
from kafka.protocol.consumer import IsolationLevel

from detector.kafka._batches import records as _batch_records

__all__ = ["ColumnarPartitionRecords", "Record", "install"]

log = logging.getLogger(__name__)

Record = tuple[int, bytes | None, bytes | None]
"""(offset, key, value); a null key or value is None."""


def install(consumer: Any) -> bool:
    """Make ``consumer`` (a :class:`kafka.KafkaConsumer`) parse batches in C.

    Returns False, and leaves the consumer as it is, if its fetcher is not the
    kafka-python 3 fetcher this was written against; its records then keep
    kafka-python's ``ConsumerRecord`` shape.
    """
    fetcher = getattr(consumer, "_fetcher", None)
    if not isinstance(fetcher, Fetcher) or fetcher.PartitionRecords is not Fetcher.PartitionRecords:
        log.warning("kafka-python's fetcher is not the expected one: records parsed in Python")
        return False
    # On this fetcher instance only: other KafkaConsumers in the process stay as they are.
    fetcher.PartitionRecords = ColumnarPartitionRecords
    return True


class ColumnarPartitionRecords(Fetcher.PartitionRecords):  # type: ignore[misc]
    """One partition's fetched data; ``take`` returns :data:`Record` tuples."""

    next_fetch_offset: int

    def _maybe_skip_record(self, record: Record) -> bool:
        # A fetch from inside a compressed batch returns the whole batch.
        return record[0] < self.fetch_offset

    def take(self, n: int | None = None) -> list[Record]:
        records: list[Record] = super().take(n)
        if records:
            # kafka-python's loop advances this after each record it yields; ours yields a
            # whole batch's records from a list, so it is set from what was taken.
            self.next_fetch_offset = max(self.next_fetch_offset, records[-1][0] + 1)
        return records

    def _unpack_records(
        self, tp: Any, records: Any, key_deserializer: Any, value_deserializer: Any
    ) -> Iterator[Record]:
        if (
            key_deserializer is not None
            or value_deserializer is not None
            or self.isolation_level != IsolationLevel.READ_UNCOMMITTED
        ):
            for record in super()._unpack_records(
                tp, records, key_deserializer, value_deserializer
            ):
                yield record.offset, record.key, record.value
            return
        batch = records.next_batch()
        last_batch = None
        while batch is not None:
            last_batch = batch
            if self.check_crcs and not batch.validate_crc():
                raise kafka.errors.CorruptRecordError(
                    f"Record batch for partition {tp} at offset {batch.base_offset}"
                    " failed crc check"
                )
            if batch.magic == 2:
                self.leader_epoch = batch.leader_epoch
                if batch.is_control_batch:
                    self.next_fetch_offset = batch.next_offset
                    batch = records.next_batch()
                    continue
                batch_records = self._v2_records(tp, batch)
            else:
                batch_records = self._legacy_records(tp, batch)
            self.records_read += len(batch_records)
            self.bytes_read += batch.size_in_bytes
            yield from batch_records
            batch = records.next_batch()
        # As kafka-python: a v2 batch keeps its last offset even when compaction removed
        # its last records, and the next fetch starts after it.
        if last_batch is not None and last_batch.magic == 2:
            self.next_fetch_offset = last_batch.next_offset
        self.drain()

    @staticmethod
    def _v2_records(tp: Any, batch: Any) -> list[Record]:
        iter(batch)  # decompresses the batch's records in place, if compressed
        try:
            return _batch_records(batch._buffer, batch._pos, batch.records_count, batch.base_offset)
        except ValueError as exc:
            raise kafka.errors.CorruptRecordError(
                f"Record batch for partition {tp} at offset {batch.base_offset}: {exc}"
            ) from exc

    def _legacy_records(self, tp: Any, batch: Any) -> list[Record]:
        out: list[Record] = []
        for record in batch:
            if self.check_crcs and not record.validate_crc():
                raise kafka.errors.CorruptRecordError(
                    f"Record for partition {tp} at offset {record.offset} failed crc check"
                )
            out.append((record.offset, record.key, record.value))
        return out
