"""`python -m benchmarks.run --quick` end to end: it runs and writes a well-formed report (no timing checks)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def table_after(lines, heading):
    start = lines.index(heading) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


@pytest.mark.slow
def test_quick_benchmark_writes_a_well_formed_report(tmp_path):
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--workdir", str(tmp_path / "work"), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = (out / "RESULTS_quick.md").read_text().splitlines()
    for heading in (
        "## Machine",
        "## Plan",
        "## Method",
        "## End to end",
        "## Time by stage (seconds, share of the stage sum)",
    ):
        assert heading in lines
    scaling = [line for line in lines if line.startswith("## Scaling: ")]
    assert len(scaling) == 5
    assert "## Targets" in lines

    headline = table_after(lines, "## End to end")
    header, separator, *rows = headline
    assert header[:4] == ["events", "accounts", "windows", "engine"] and set(separator) == {"---"}
    assert {row[3] for row in rows} >= {
        "single-process baseline",
        "Beam FnApiRunner, 1 worker (in_memory)",
        "Beam FnApiRunner, 2 workers (multi_processing)",
    }
    for row in rows:
        assert len(row) == len(header)
        assert row[4].startswith("failed:") or float(row[6].replace(",", "")) > 0  # events/s
    baseline = next(row for row in rows if row[3] == "single-process baseline")
    assert float(baseline[7]) == pytest.approx(1.0)  # its own ratio

    stages = table_after(lines, "## Time by stage (seconds, share of the stage sum)")
    assert all(len(row) == len(stages[0]) for row in stages)
    assert all(re.fullmatch(r"[\d.]+ \(\d+%\)", cell) for row in stages[2:] for cell in row[2:-1])

    for heading in scaling:
        sweep = table_after(lines, heading)
        assert len(sweep) >= 4 and all(len(row) == len(sweep[0]) for row in sweep)
    for png in out.glob("scaling_*_quick.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(list(out.glob("scaling_*_quick.png"))) == 5
    assert len(json.loads((out / "results_quick.json").read_text())) >= len(rows)
