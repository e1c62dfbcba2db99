"""The helper-process toolkit the emulator harnesses share: free ports, stopping a whole process group, readiness."""

from __future__ import annotations

import os
import socket
import sys
import textwrap
import time
from pathlib import Path

import pytest

from devtools.processes import free_port, start_in_own_group, stop_group, wait_until_ready

# A launcher that forks a child which ignores SIGTERM (as a JVM under a wrapper script may), then waits.
LAUNCHER = textwrap.dedent("""
    import os, signal, sys, time
    child = os.fork()
    if child == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(600)
        os._exit(0)
    with open(sys.argv[1], "w") as pids:
        pids.write(str(child))
    print("launched", flush=True)
    time.sleep(600)
""")


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie nobody has reaped yet has stopped running)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def _wait_for(condition, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_free_port_can_be_bound():
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", port))
    assert 0 < port < 65536


def test_stop_group_stops_the_launcher_and_its_forked_child(tmp_path):
    pid_file, log = tmp_path / "child.pid", tmp_path / "launcher.log"
    process = start_in_own_group([sys.executable, "-c", LAUNCHER, str(pid_file)], log)
    try:
        wait_until_ready(process, lambda: "launched" in log.read_text(), "launcher", log, timeout_s=30)
        child = int(pid_file.read_text())
        assert os.getpgid(child) == process.pid  # the child is in the launcher's own group
        assert _alive(child)
    finally:
        stop_group(process, timeout_s=5)
    assert process.returncode is not None
    assert _wait_for(lambda: not _alive(child)), "the forked child outlived stop_group"


def test_wait_until_ready_reports_an_exit_with_the_log_tail(tmp_path):
    log = tmp_path / "helper.log"
    script = "import sys; print('\\n'.join(f'line {n}' for n in range(100))); print('port in use'); sys.exit(3)"
    process = start_in_own_group([sys.executable, "-c", script], log)
    with pytest.raises(RuntimeError, match="helper exited with 3") as raised:
        wait_until_ready(process, lambda: False, "helper", log, timeout_s=60)
    assert str(raised.value).endswith("port in use")
    assert "line 99" in str(raised.value) and "line 0\n" not in str(raised.value)  # the tail, not the whole log


def test_wait_until_ready_gives_up_with_the_log_tail(tmp_path):
    log = tmp_path / "slow.log"
    script = "import time; print('still starting', flush=True); time.sleep(600)"
    process = start_in_own_group([sys.executable, "-c", script], log)
    try:
        assert _wait_for(lambda: log.read_text() != "")
        with pytest.raises(RuntimeError, match=r"slow not ready after 0\.5s") as raised:
            wait_until_ready(process, lambda: False, "slow", log, timeout_s=0.5)
    finally:
        stop_group(process)
    assert str(raised.value).endswith("still starting")
