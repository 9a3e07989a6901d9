"""Sources of raw record values: files now; Kafka with the live service."""

from detector.sources.file import FileSource, RawBatch

__all__ = ["FileSource", "RawBatch"]
