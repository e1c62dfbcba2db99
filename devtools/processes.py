"""Local helper processes (emulators): free ports, own process group, readiness, log tails, stop.

Each helper runs in its own session, so its process group holds whatever its launcher forks (a JVM, a
Python child); stopping signals that group and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

STOP_TIMEOUT_S = 10.0
POLL_INTERVAL_S = 0.2


class EmulatorUnavailableError(RuntimeError):
    """An emulator, or something it needs (Java, a wheel, an extension), is not installed here."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def log_tail(log_path: Path | None, lines: int = 30) -> str:
    if log_path is None or not log_path.exists():
        return ""
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def start_in_own_group(command: Sequence[str], log_path: Path) -> subprocess.Popen[bytes]:
    """Starts `command` in a new session (its own process group), stdout and stderr into `log_path`."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            list(command), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )


def wait_until_ready(
    process: subprocess.Popen[bytes], is_ready: Callable[[], bool], name: str, log_path: Path, timeout_s: float
) -> None:
    """Polls `is_ready` until it holds; raises RuntimeError with the log's tail if the process exits or times out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if is_ready():
            return
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log_tail(log_path)}")
        time.sleep(POLL_INTERVAL_S)
    raise RuntimeError(f"{name} not ready after {timeout_s}s:\n{log_tail(log_path)}")


def stop_group(process: subprocess.Popen[bytes], timeout_s: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM to the process group, then SIGKILL to whatever of it is left once the leader has exited (or has not
    within `timeout_s`): a forked child that outlives its launcher does not keep a port or a file."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout_s)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
