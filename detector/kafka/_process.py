"""Child processes (a broker, an object store) that never outlive their parent.

Three layers make sure of it, because a leaked broker keeps a port and memory
long after a failed test run:

* every child runs in its own process group, so stopping it also stops anything
  it forked, and a Ctrl-C at the terminal reaches only Python, which then stops
  the child in order;
* an :mod:`atexit` hook stops every child still registered when the interpreter
  exits normally or through an uncaught exception (a failed pytest session);
* on Linux the kernel sends the child SIGKILL when its parent dies, which covers
  the parent being killed by a signal, where no Python code runs. The kernel ties
  this to the *thread* that started the child: start children from a thread that
  outlives them (the main thread, in tests and the demo).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

__all__ = ["free_port", "log_size", "log_tail", "spawn", "terminate"]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1

_live: set[subprocess.Popen[bytes]] = set()
_live_lock = threading.Lock()


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` right now.

    Another process may take it before the caller binds it; callers that pick a
    port this way retry with a new one when the bind fails.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _parent_death_signal() -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    # Resolved before fork: between fork and exec the child may only do trivial work.
    def set_pdeathsig() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)

    return set_pdeathsig


_preexec = _parent_death_signal()


def spawn(
    argv: Sequence[str], *, log_path: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a new process group, output appended to ``log_path``.

    Output goes to a file rather than a pipe: nobody reads a pipe while the
    child runs, and a full pipe would block the child on its next log line.
    """
    with log_path.open("ab") as out:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            start_new_session=True,
            preexec_fn=_preexec,  # prepared before fork, so safe beside other threads
        )
    with _live_lock:
        _live.add(proc)
    return proc


def terminate(proc: subprocess.Popen[bytes], grace_s: float) -> None:
    """Stop ``proc`` and its process group: SIGTERM, then SIGKILL after ``grace_s``."""
    try:
        if proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                log.info("pid %d still running %.1f s after SIGTERM; killing it", proc.pid, grace_s)
        # Also when the leader has exited: a child it forked may still hold the port.
        _signal_group(proc, signal.SIGKILL)
        proc.wait()
    finally:
        with _live_lock:
            _live.discard(proc)


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    # start_new_session made the child a group leader, so its pid is the group id.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def log_size(path: Path) -> int:
    """Current size of a log, to read only what a new child writes after it."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def log_tail(path: Path, lines: int = 40, since: int = 0) -> str:
    """The last ``lines`` lines of a child's log written after byte ``since``."""
    try:
        with path.open("rb") as log_file:
            log_file.seek(max(since, log_size(path) - 64_000))
            text = log_file.read().decode("utf-8", "replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


@atexit.register
def _stop_all() -> None:
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        terminate(proc, grace_s=2.0)
