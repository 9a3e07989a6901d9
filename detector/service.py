"""The live service: the replay pipeline with a Kafka source and Kafka sinks, at least once.

The loop polls a batch, runs each partition's records through the pipeline with that
partition's state, and every ``checkpoint_interval_s`` (and on revoke and shutdown) takes a
checkpoint in this order (Quix Streams' order):

1. flush the sinks: the producer confirms delivery of every alert and dead letter so far;
2. write each partition's state with the offset it covers, atomically, to the state dir,
   and the instance's learned model beside them;
3. commit those offsets to Kafka.

With campaign detection on, the instance also exchanges account signatures with the other
instances through a compacted topic (:mod:`detector.exchange`), and checkpoints its campaign
ids and campaign alert episodes beside the model; signatures themselves are rebuilt from the
restored window state and the topic.

A crash at any point therefore loses nothing: on restart each partition's state is restored
and consumption resumes at the checkpoint's offset (never past the committed one's records),
so every record after it is applied again. Alerts already delivered after the checkpoint are
in a per-partition ledger (written after delivery is confirmed) and are not raised twice;
their ids are stable per episode in any case.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import msgspec
import numpy as np

from detector.alerts import Alert, Sink
from detector.checkpoint import (
    read_checkpoint,
    read_model,
    remove_stale_temporaries,
    write_checkpoint,
    write_model,
)
from detector.config import Config
from detector.exchange import SignatureExchange
from detector.kafka import (
    TRANSIENT_ERRORS,
    BufferFull,
    Consumer,
    Producer,
    TopicPartition,
    create_topics,
    make_consumer,
    make_producer,
)
from detector.logs import get_logger, log_event
from detector.pipeline import Partition, Pipeline
from detector.records import Reject
from detector.scoring import RiskScorer
from detector.telemetry import Telemetry

__all__ = [
    "KafkaAlertSink",
    "KafkaDeadLetterSink",
    "Service",
    "config_with_flags",
    "stop_on_signals",
]

log = get_logger("detector.service")
_SIGNATURE_PARTITIONS = 8


class KafkaAlertSink:
    """Alerts to a topic, keyed by account (or campaign) id."""

    def __init__(self, producer: Producer, topic: str, delivery_timeout_s: float):
        self._producer, self._topic, self._timeout = producer, topic, delivery_timeout_s
        self._encoder = msgspec.json.Encoder()

    def write(self, items: Sequence[msgspec.Struct]) -> None:
        for item in items:
            assert isinstance(item, Alert)
            key = (item.account_id or item.campaign_id or "").encode()
            self._send(self._encoder.encode(item), key, None)

    def _send(
        self, value: bytes, key: bytes | None, headers: list[tuple[str, bytes]] | None
    ) -> None:
        try:
            self._producer.send(self._topic, value, key=key, headers=headers)
        except BufferFull:
            # Backpressure: the broker is slower than we are. Wait for what is in flight to
            # be acknowledged, then try once more; a second refusal is a broker problem.
            self._producer.flush(self._timeout)
            self._producer.send(self._topic, value, key=key, headers=headers)

    def flush(self) -> None:
        self._producer.flush(self._timeout)

    def close(self) -> None:
        pass  # the producer is shared; the service closes it


class KafkaDeadLetterSink(KafkaAlertSink):
    """Rejects to a topic: the contract's dead-letter record as the body, reason in headers."""

    def write(self, items: Sequence[msgspec.Struct]) -> None:
        for item in items:
            assert isinstance(item, Reject)
            headers = [("reason", item.category.encode()), ("source", item.source.encode())]
            self._send(self._encoder.encode(item), None, headers)


@dataclass
class _Owned:
    """A partition this instance owns: its detector state and how far it has got."""

    tp: TopicPartition
    partition: Partition
    next_offset: int | None
    ledger: Path
    high_watermark: int | None = None


class Service:
    """Run the detector on Kafka until :meth:`stop` (or SIGTERM/SIGINT via :meth:`run`).

    ``consumer_factory`` and ``producer`` default to the configured Kafka client; tests pass
    their own to inject faults.
    """

    def __init__(
        self,
        config: Config,
        extra_alert_sinks: Sequence[Sink] = (),
        producer: Producer | None = None,
        consumer_factory: Callable[[Service], Consumer] | None = None,
        stop_event: threading.Event | None = None,
    ):
        self.config = config
        kafka, svc = config.kafka, config.service
        self.producer = producer or make_producer(
            kafka.client, kafka.bootstrap_servers, kafka.producer
        )
        alert_sinks: list[Sink] = list(extra_alert_sinks)
        reject_sinks: list[Sink] = []
        if kafka.alerts_topic:
            alert_sinks.insert(
                0, KafkaAlertSink(self.producer, kafka.alerts_topic, svc.delivery_timeout_s)
            )
        if kafka.dead_letter_topic:
            reject_sinks.append(
                KafkaDeadLetterSink(self.producer, kafka.dead_letter_topic, svc.delivery_timeout_s)
            )
        self.pipeline = Pipeline(config, alert_sinks, reject_sinks)
        self.state_dir = Path(svc.state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        removed = remove_stale_temporaries(self.state_dir)
        if removed:
            log_event(
                log,
                logging.INFO,
                "stale temporaries removed",
                count=removed,
                state_dir=str(self.state_dir),
            )
        # The anomaly model and population baselines belong to the instance, not to a
        # partition: restore them too, so a restart scores as the run before it did.
        saved = read_model(self._model_path, self.pipeline.config_hash)
        if isinstance(saved, RiskScorer):  # written before campaigns existed
            saved = {"scorer": saved}
        if isinstance(saved, dict) and isinstance(saved.get("scorer"), RiskScorer):
            self.pipeline.scorer = saved["scorer"]
            if self.pipeline.campaigns is not None and saved.get("campaigns"):
                self.pipeline.campaigns.restore(saved["campaigns"])
        self.exchange = self._signature_exchange()
        self.owned: dict[TopicPartition, _Owned] = {}
        self._stop = stop_event or threading.Event()
        self._checkpointed_for_close = False
        self._last_checkpoint = time.monotonic()
        self._last_loop = time.monotonic()
        self._backing_off = False
        self.telemetry = Telemetry(self.pipeline, self._tracked, self._lag, self.ready)
        self.metrics_port: int | None = None
        if config.telemetry.enabled:
            self.metrics_port = self.telemetry.serve(config.telemetry.host, config.telemetry.port)
        self.consumer = (consumer_factory or _default_consumer)(self)

    # -- rebalance callbacks (called inside consumer.poll) ------------------------------------

    def on_assign(self, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            if tp in self.owned:
                continue
            self.owned[tp] = owned = self._restore(tp)
            self.pipeline.track_partition(owned.partition)
            self.pipeline.refresh_signatures(owned.partition)
            if owned.next_offset is not None:
                self.consumer.seek(tp, owned.next_offset)
        log_event(
            log,
            logging.INFO,
            "partitions assigned",
            partitions=[f"{tp.topic}/{tp.partition}" for tp in partitions],
        )

    def on_revoke(self, partitions: list[TopicPartition]) -> None:
        mine = [tp for tp in partitions if tp in self.owned]
        try:
            if mine and not self._checkpointed_for_close:
                self.checkpoint(mine)
        finally:
            # Gone even when the checkpoint failed (a lost membership cannot commit): the
            # partitions are no longer ours, and their next owner resumes at the last
            # checkpoint, so at least once holds.
            for tp in mine:
                if self.pipeline.campaigns is not None:
                    # Whoever gets the partition now publishes its accounts' signatures.
                    self.pipeline.campaigns.release(list(self.owned[tp].partition.state.row_of))
                self.pipeline.drop_partition(self.owned[tp].partition)
                del self.owned[tp]
            log_event(
                log,
                logging.INFO,
                "partitions revoked",
                partitions=[f"{tp.topic}/{tp.partition}" for tp in partitions],
            )

    # -- the loop ---------------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        """Consume until stopped; always ends with a checkpoint and a clean close."""
        kafka, svc = self.config.kafka, self.config.service
        backoff = svc.retry_backoff_s
        rewind = False
        log_event(
            log,
            logging.INFO,
            "service started",
            topics=kafka.topics,
            group_id=kafka.group_id,
            client=kafka.client,
            config_hash=self.pipeline.config_hash,
            metrics_port=self.metrics_port,
        )
        try:
            while not self._stop.is_set():
                try:
                    if rewind:
                        self._rewind()
                        rewind = False
                    self.step()
                    if time.monotonic() - self._last_checkpoint >= svc.checkpoint_interval_s:
                        self.checkpoint(list(self.owned))
                    backoff = svc.retry_backoff_s
                    self._backing_off = False
                    self._last_loop = time.monotonic()
                except Exception as exc:  # broker trouble: nothing is lost, try again
                    if not _is_transient(exc):
                        raise
                    self._backing_off = True
                    self.telemetry.broker_errors.labels(type(exc).__name__).inc()
                    log_event(
                        log,
                        logging.WARNING,
                        "broker unavailable, retrying",
                        error=f"{type(exc).__name__}: {exc}",
                        retry_in_s=backoff,
                    )
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, svc.retry_backoff_max_s)
                    rewind = True
        finally:
            self._shutdown()

    def step(self) -> int:
        """One poll and its processing; returns the number of records handled."""
        kafka = self.config.kafka
        batches = self.consumer.poll(kafka.poll_max_records, kafka.poll_timeout_s)
        started = time.perf_counter()
        remote = self.exchange.drain() if self.exchange is not None else 0
        handled = 0
        delivered: dict[TopicPartition, list[Alert]] = {}
        for records in batches:
            owned = self.owned.get(records.tp)
            if owned is None or not records.values:
                continue
            alerts = self.pipeline.process(
                records.values,
                f"{records.tp.topic}/{records.tp.partition}",
                records.offsets,
                partition=owned.partition,
            )
            owned.next_offset = records.offsets[-1] + 1
            owned.high_watermark = records.high_watermark
            newest = owned.partition.state.watermark
            if np.isfinite(newest):
                self.telemetry.event_lag_seconds.observe(max(time.time() - newest, 0.0))
            handled += len(records.values)
            if alerts:
                delivered[records.tp] = alerts
        if self.exchange is not None:
            self.exchange.publish()
            if remote and not handled:
                # Other instances' signatures changed the picture while this instance's
                # input is quiet: regroup now rather than at the next event-time pass.
                self.pipeline.run_campaigns()
        if delivered:
            # Confirm delivery before recording the alerts as delivered in the ledger.
            self.pipeline.flush()
            for tp, alerts in delivered.items():
                _append_ledger(self.owned[tp].ledger, alerts)
        if handled:
            self.telemetry.batch_seconds.observe(time.perf_counter() - started)
        return handled

    def checkpoint(self, partitions: list[TopicPartition]) -> None:
        """Flush sinks, write state, commit offsets: in that order."""
        try:
            self._checkpoint(partitions)
        except Exception:
            self.telemetry.checkpoint_failures.inc()
            raise
        self.telemetry.checkpoint_last_success.set(time.time())

    def ready(self) -> tuple[bool, str]:
        """Readiness (``/readyz``): partitions assigned and restored, the loop polling, not
        backing off from broker errors, lag within ``telemetry.ready_max_lag_records``."""
        bounds = self.config.telemetry
        if not self.owned:
            return False, "no partitions assigned (yet)"
        age = time.monotonic() - self._last_loop
        if age > bounds.ready_max_loop_age_s:
            return False, f"no poll completed for {age:.0f} s"
        if self._backing_off:
            return False, "broker unavailable, retrying"
        lag = sum(self._lag().values())
        if lag > bounds.ready_max_lag_records:
            return False, f"consumer lag {lag} records, above {bounds.ready_max_lag_records}"
        return True, f"ready: {len(self.owned)} partitions, lag {lag} records"

    def _checkpoint(self, partitions: list[TopicPartition]) -> None:
        started = time.monotonic()
        self.pipeline.flush()
        offsets: dict[TopicPartition, int] = {}
        for tp in partitions:
            owned = self.owned[tp]
            if owned.next_offset is None:
                continue
            arrays, meta = owned.partition.snapshot()
            meta["offset"] = owned.next_offset
            meta["config_hash"] = self.pipeline.config_hash
            write_checkpoint(self._path(tp), arrays, meta)
            owned.ledger.unlink(missing_ok=True)  # the checkpoint now covers those alerts
            offsets[tp] = owned.next_offset
        campaigns = self.pipeline.campaigns
        write_model(
            self._model_path,
            {
                "scorer": self.pipeline.scorer,
                "campaigns": campaigns.snapshot() if campaigns is not None else None,
            },
            self.pipeline.config_hash,
        )
        if offsets:
            self.consumer.commit(offsets)
        self._last_checkpoint = time.monotonic()
        self.telemetry.checkpoint_seconds.observe(self._last_checkpoint - started)
        log_event(
            log,
            logging.DEBUG,
            "checkpoint",
            partitions=len(offsets),
            seconds=round(self._last_checkpoint - started, 4),
        )

    # -- internals --------------------------------------------------------------------------

    def _rewind(self) -> None:
        """Go back to the last checkpoint, as a restart would.

        A batch that failed half-way (a send refused, a delivery unconfirmed) has updated
        state that no longer matches what reached the sinks; consuming on would lose those
        alerts. Reloading each partition's checkpoint and seeking to its offset replays the
        batch instead: at least once, and the ledger keeps delivered alerts from repeating.
        """
        for tp in list(self.owned):
            self.pipeline.drop_partition(self.owned[tp].partition)
            self.owned[tp] = owned = self._restore(tp)
            self.pipeline.track_partition(owned.partition)
            self.pipeline.refresh_signatures(owned.partition)
            offset = owned.next_offset
            if offset is None:
                offset = self.consumer.committed(tp)
            self.consumer.seek(tp, offset if offset is not None else 0)

    def _signature_exchange(self) -> SignatureExchange | None:
        kafka, campaigns = self.config.kafka, self.pipeline.campaigns
        if campaigns is None or not kafka.signatures_topic:
            return None
        # The admin client is kafka-python's: it takes the consumer's security settings when
        # they are in kafka-python's terms.
        admin_options = (
            {
                k: v
                for k, v in kafka.consumer.items()
                if k.startswith(("security_", "sasl_", "ssl_"))
            }
            if kafka.client == "kafka-python"
            else {}
        )
        try:
            create_topics(
                kafka.bootstrap_servers,
                {kafka.signatures_topic: _SIGNATURE_PARTITIONS},
                compacted=[kafka.signatures_topic],
                options=admin_options,
            )
        except Exception as exc:  # e.g. no permission to create: it may exist already
            log_event(
                log,
                logging.WARNING,
                "cannot create the signatures topic",
                topic=kafka.signatures_topic,
                error=f"{type(exc).__name__}: {exc}",
            )
        # A producer of its own: signatures are best effort and must neither fill the alert
        # producer's buffer nor make an alert flush wait for them.
        producer = make_producer(kafka.client, kafka.bootstrap_servers, kafka.producer)
        return SignatureExchange.for_kafka(
            campaigns,
            producer,
            kafka.signatures_topic,
            kafka.client,
            kafka.bootstrap_servers,
            kafka.group_id,
            dict(kafka.consumer),
        )

    def _tracked(self) -> int:
        return sum(len(o.partition.state) for o in list(self.owned.values()))

    def _lag(self) -> dict[tuple[str, int], int]:
        return {
            (o.tp.topic, o.tp.partition): max(o.high_watermark - o.next_offset, 0)
            for o in list(self.owned.values())
            if o.high_watermark is not None and o.next_offset is not None
        }

    @property
    def _model_path(self) -> Path:
        return self.state_dir / "model.pkl"

    def _path(self, tp: TopicPartition) -> Path:
        return self.state_dir / f"{tp.topic}-{tp.partition}.ckpt"

    def _restore(self, tp: TopicPartition) -> _Owned:
        partition = self.pipeline.new_partition()
        ledger = self.state_dir / f"{tp.topic}-{tp.partition}.delivered"
        checkpoint = read_checkpoint(self._path(tp))
        next_offset: int | None = None
        if checkpoint is not None:
            arrays, meta = checkpoint
            partition.restore(arrays, meta)
            next_offset = int(meta["offset"])
            log_event(
                log,
                logging.INFO,
                "state restored",
                partition=f"{tp.topic}/{tp.partition}",
                offset=next_offset,
                accounts=len(partition.state),
            )
        partition.policy.suppress(_read_ledger(ledger))
        return _Owned(tp, partition, next_offset, ledger)

    def _shutdown(self) -> None:
        try:
            if self.owned:
                self.checkpoint(list(self.owned))
                # Covered: closing the consumer revokes the partitions, and a second
                # checkpoint from inside close() would wait on a commit that confluent-kafka
                # never answers there (measured: 30 s, then CommitFailed).
                self._checkpointed_for_close = True
        except Exception as exc:
            log_event(
                log, logging.ERROR, "final checkpoint failed", error=f"{type(exc).__name__}: {exc}"
            )
        finally:
            # Timed, so that a slow stop says which part of it was slow.
            seconds: dict[str, float] = {}
            for name, close in (
                ("exchange", self.exchange.close if self.exchange else None),
                ("consumer", self.consumer.close),
                ("producer", self.producer.close),
                ("pipeline", self.pipeline.close),
                ("telemetry", self.telemetry.close),
            ):
                if close is not None:
                    started = time.monotonic()
                    close()
                    seconds[name] = round(time.monotonic() - started, 3)
            stats = self.pipeline.stats
            log_event(
                log,
                logging.INFO,
                "service stopped",
                records=stats.records,
                rejected=stats.rejected,
                alerts=sum(stats.alerts.values()),
                close_seconds=seconds,
            )


def stop_on_signals(grace_s: float) -> threading.Event:
    """An event set by SIGTERM/SIGINT. Installed before the service connects, so a stop
    during start-up is graceful too. If the shutdown then hangs (broker gone), the process
    leaves after ``grace_s``: the last complete checkpoint still covers everything committed.
    """
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            return
        log_event(
            log, logging.INFO, "stopping", signal=signal.Signals(signum).name, grace_s=grace_s
        )
        stop.set()
        watchdog = threading.Timer(grace_s, _give_up, args=(grace_s,))
        watchdog.daemon = True
        watchdog.start()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    return stop


def _give_up(grace_s: float) -> None:
    """Leave a shutdown that outlived its grace, saying where every thread was stuck."""
    log_event(log, logging.ERROR, "shutdown exceeded its grace, exiting", grace_s=grace_s)
    faulthandler.dump_traceback(all_threads=True)
    os._exit(1)


def _default_consumer(service: Service) -> Consumer:
    kafka = service.config.kafka
    return make_consumer(
        kafka.client,
        kafka.bootstrap_servers,
        kafka.topics,
        kafka.group_id,
        service,
        kafka.consumer,
        interrupt=service._stop,
    )


def _is_transient(exc: Exception) -> bool:
    """Errors a broker outage causes and a retry cures; anything else stops the service."""
    return isinstance(exc, TRANSIENT_ERRORS)


def _append_ledger(path: Path, alerts: list[Alert]) -> None:
    lines = b"".join(
        msgspec.json.encode([a.account_id, a.alert_id, a.severity]) + b"\n"
        for a in alerts
        if a.account_id is not None
    )
    with path.open("ab") as f:
        f.write(lines)
        f.flush()
        os.fsync(f.fileno())


def _read_ledger(path: Path) -> list[tuple[str, str, str]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_bytes().splitlines():
        try:
            account, alert_id, severity = msgspec.json.decode(line)
        except (msgspec.DecodeError, ValueError):
            continue  # a torn last line from a crash mid-write: that alert was not recorded
        out.append((account, alert_id, severity))
    return out


def config_with_flags(config: Config, flags: Mapping[str, Any]) -> Config:
    """The config with ``run``'s command-line overrides applied (``None`` = not given)."""
    kafka = {k: v for k, v in flags.items() if v is not None}
    if "topic" in kafka:
        kafka["topics"] = [kafka.pop("topic")]
    if not kafka:
        return config
    data = msgspec.to_builtins(config)
    data["kafka"].update(kafka)
    return msgspec.convert(data, Config)
