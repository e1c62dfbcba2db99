"""One measured configuration: running it as a subprocess, sampling its process tree's memory and CPU from
/proc, and what a measurement records; also the machine, code and model a run measured."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.measure import PER_EVENT_STAGES, STAGES, RunSpec
from benchmarks.plan import SPAN_S
from benchmarks.workload import Workload, cached_events
from pipelines.config import WindowConfig

REPO = Path(__file__).resolve().parent.parent
MEASURE = Path(__file__).resolve().parent / "measure.py"
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Measurement:
    label: str
    workload: Workload
    spec: RunSpec
    ok: bool
    error: str = ""
    events: int = 0
    windows: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_mib: float = 0.0  # the whole process tree (runner and SDK workers), sampled
    max_process_rss_mib: float = 0.0  # the largest single process (getrusage ru_maxrss)
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.ok and self.seconds else 0.0

    @property
    def us_per_event_cpu(self) -> float:
        return 1e6 * self.cpu_seconds / self.events if self.ok and self.events else 0.0

    def stage_unit_cost(self, per_event: bool) -> float:
        """Microseconds of the per-event stages per event, or of the per-window stages per window."""
        names = [s for s in STAGES if (s in PER_EVENT_STAGES) == per_event and s not in ("runner", "io/shuffle")]
        count = self.events if per_event else self.windows
        return 1e6 * sum(self.stages.get(s, 0.0) for s in names) / count if self.ok and count else 0.0


def _tree(root: int) -> list[int]:
    """root and its live descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _sample(pid: int) -> tuple[int, float] | None:
    """(resident KiB, CPU seconds) of one process, None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        resident_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return resident_pages * PAGE_KIB, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def run_measured(spec: RunSpec, code_root: Path, interval_s: float = 0.2) -> dict[str, Any]:
    """Runs one RunSpec in a subprocess; returns its result plus peak tree RSS and tree CPU time."""
    # One OpenMP thread per process (scikit-learn's tree ensembles): the workers are the parallelism.
    env = {**os.environ, "PYTHONPATH": str(code_root), "OMP_NUM_THREADS": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(
        [sys.executable, str(MEASURE), json.dumps(asdict(spec))],
        cwd=code_root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak_kib = 0
    cpu_of: dict[int, float] = {}  # last CPU seconds seen per process of the tree
    while process.poll() is None:
        total = 0
        for pid in _tree(process.pid):
            sample = _sample(pid)
            if sample is not None:
                total += sample[0]
                cpu_of[pid] = sample[1]
        peak_kib = max(peak_kib, total)
        time.sleep(interval_s)
    stdout, stderr = process.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # getrusage is exact for the child and the descendants it waited for (the FnApiRunner waits for
    # its SDK worker processes); the samples cover any it did not wait for, to within one interval.
    waited_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    cpu = max(waited_cpu, sum(cpu_of.values()))
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        return {"ok": False, "error": _last_error(stderr)}
    result = json.loads(lines[-1])
    if Path(result["code_root"]) != code_root:
        return {"ok": False, "error": f"measured {result['code_root']}, not {code_root}"}
    result.update(
        ok=True,
        cpu_seconds=cpu - result["setup_cpu_seconds"],  # the timed part only, as for the wall time
        peak_rss_mib=peak_kib / 1024,
        max_process_rss_mib=after.ru_maxrss / 1024,
    )
    return result


def _last_error(stderr: str) -> str:
    errors = [line.strip() for line in stderr.splitlines() if "Error" in line or "Exception" in line]
    return (errors[-1] if errors else stderr.strip().splitlines()[-1] if stderr.strip() else "failed")[:300]


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "?")
    mem_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line
    )
    load = Path("/proc/loadavg").read_text().split()[:3]
    return {
        "CPU": model,
        "cores": str(os.cpu_count()),
        "RAM": f"{mem_kib / 1024**2:.1f} GiB",
        "load average at start (1/5/15 min)": " / ".join(load),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Apache Beam": metadata.version("apache-beam"),
        "scikit-learn": metadata.version("scikit-learn"),
    }


def code_version(root: Path) -> str:
    """`root (commit abc1234)`, `+ uncommitted changes` when its tree differs: results name what they measured."""
    git = ["git", "-C", str(root)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    if not commit:
        return str(root)
    dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
    return f"{root} (commit {commit}{' + uncommitted changes' if dirty.stdout.strip() else ''})"


def throwaway_model(directory: Path, workdir: Path) -> Path:
    """A small classifier for when no trained artifact exists yet: the pipeline runs, but inference
    costs less than with the real model, so throughput is overstated."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    from pipelines.artifact import ModelManifest, save_model
    from pipelines.contract import decode_event
    from pipelines.features.extract import feature_vector
    from pipelines.features.offline import account_windows
    from pipelines.features.spec import FEATURE_INDEX, FEATURE_NAMES

    manifest_path = directory / "manifest.json"
    if manifest_path.exists():
        return manifest_path
    events_path = cached_events(Workload(4_000, 100, SPAN_S), workdir)
    with events_path.open("rb") as lines:
        windows = account_windows((decode_event(line) for line in lines), WindowConfig())
        rows = np.vstack([feature_vector(w.features) for w in windows])
    labels = rows[:, FEATURE_INDEX["logprobs_share"]] > 0.5  # the workload's extraction-like accounts
    estimator = HistGradientBoostingClassifier(max_iter=50, random_state=7).fit(rows, labels)
    manifest = ModelManifest(
        model_version="benchmark-throwaway",
        model_file="model.skops",
        sha256="",
        feature_names=FEATURE_NAMES,
        benign_medians=dict(zip(FEATURE_NAMES, np.median(rows[~labels], axis=0).tolist(), strict=True)),
    )
    return save_model(estimator, directory, manifest)
