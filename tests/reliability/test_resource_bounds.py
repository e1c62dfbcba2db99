"""Memory stays bounded: the per-account window state does not grow with the account's events.

`resource_bounds.py` runs in a subprocess (so the suite's own memory never counts) and reports its peak RSS
(ru_maxrss) after each scenario. The full-size figures (1M events, 1M accounts) are measured with the same
script, one scenario per process, and recorded in GUARANTEES.md; here smaller N keep the suite fast, compared at
N and 4N.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def peaks() -> dict[tuple[str, int], dict]:
    """One process runs the scenarios in increasing order of need; each report carries the peak RSS so far."""
    runs = ["single-account:25000", "single-account:100000", "many-accounts:1000", "many-accounts:4000"]
    command = [sys.executable, "-m", "tests.reliability.resource_bounds", *runs]
    environment = os.environ | {"OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600, check=True)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    reports = {}
    for count, report in zip(lines[0::2], lines[1::2], strict=True):
        reports[report["scenario"], report["n"]] = report | count
        print(f"\n{json.dumps(report | count)}")
    return reports


@pytest.mark.slow
def test_one_account_with_4x_the_events_needs_no_more_memory(peaks):
    small, large = peaks["single-account", 25_000], peaks["single-account", 100_000]
    assert small["windows"] == large["windows"] == 23  # one hour of events: 12 + 11 partial 1-hour windows
    # Measured: +0.1 MB. Keeping the events (even ~200 bytes each) would cost 15+ MB for the 75k extra events.
    assert large["peak_rss_mb"] - small["peak_rss_mb"] < 10, (small, large)


@pytest.mark.slow
def test_memory_per_account_is_bounded_by_its_sketches(peaks):
    small, large = peaks["many-accounts", 1_000], peaks["many-accounts", 4_000]
    assert (small["windows"], large["windows"]) == (1_000, 4_000)
    per_account_kb = (large["peak_rss_mb"] - small["peak_rss_mb"]) * 1024 / 3_000
    # ~4.5-6 KB per account measured (pane + window accumulators, serialised between stages); a sketch gone
    # unbounded (or per-event state) would be far more.
    assert per_account_kb < 20, (small, large, per_account_kb)
