"""`python -m benchmarks.run`: throughput, stage split, scaling curves and memory of the detection pipeline.

Writes `benchmarks/RESULTS.md` (tables, machine, method) and `benchmarks/*.png` (scaling curves).
Every configuration runs in its own subprocess (`benchmarks/measure.py`); this process samples the
subprocess tree's resident memory and CPU time from /proc while it runs. `--quick` runs small inputs
(a check that everything works end to end, not a measurement).

`--code-root DIR` measures the pipeline code of another checkout (its `pipelines/` and `models/` come
first on the path of the measured processes and their SDK workers), e.g. a clean clone of HEAD while
the working tree is being edited; every measured process reports where it imported `pipelines` from.
The report and results.json are rewritten after the headline and after each sweep, so an interrupted
run leaves its finished part.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.measure import PER_EVENT_STAGES, STAGES, RunSpec
from benchmarks.workload import Workload, cached_events
from pipelines.config import DEFAULT_MODEL_MANIFEST, ModelConfig, WindowConfig

REPO = Path(__file__).resolve().parent.parent
MEASURE = Path(__file__).resolve().parent / "measure.py"
SPAN_S = 4 * 3600
EVENTS_PER_ACCOUNT_HOUR = 100  # the simulator's default traffic is ~100 requests per account-hour
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
DEFAULT_WINDOW = WindowConfig()


@dataclass(frozen=True)
class Plan:
    """Input sizes of one benchmark mode."""

    headline_events: tuple[int, ...]
    events_sweep: tuple[int, ...]
    accounts_sweep: tuple[int, ...]
    accounts_sweep_events: int
    accounts_session_s: int  # accounts sweep: each account is active in one session this long
    accounts_window: tuple[int, int]  # accounts sweep (size_s, period_s)
    density_sweep: tuple[int, ...]  # events from the reference accounts: more events, same windows
    ratio_sweep: tuple[tuple[int, int], ...]  # (size_s, period_s)
    batch_sweep: tuple[int, ...]
    sweep_events: int  # ratio and batch sweeps


# Sized to finish in about an hour on a loaded 2-core machine (Beam: ~1,000 events/s per worker). The
# events sweep reuses the headline runs; sweeps at 100k events reuse the headline's 100k reference run.
FULL = Plan(
    headline_events=(100_000, 1_000_000),
    events_sweep=(100_000, 1_000_000),
    accounts_sweep=(1_000, 10_000, 100_000),
    accounts_sweep_events=100_000,
    accounts_session_s=600,
    # Tumbling 5-minute windows: with 1 h / 5 min sliding windows every active account costs >= 12
    # windows, and 100k accounts (1.3M windows) would take Beam over an hour on its own.
    accounts_window=(300, 300),
    density_sweep=(100_000, 300_000),
    ratio_sweep=((900, 300), (3600, 300), (14400, 300)),
    batch_sweep=(32, 256, 2048),
    sweep_events=100_000,
)
QUICK = Plan(
    headline_events=(4_000,),
    events_sweep=(2_000, 4_000),
    accounts_sweep=(10, 40),
    accounts_sweep_events=4_000,
    accounts_session_s=0,  # the first point is then the headline's input
    accounts_window=(DEFAULT_WINDOW.size_s, DEFAULT_WINDOW.period_s),
    density_sweep=(4_000, 8_000),
    ratio_sweep=((900, 300), (3600, 300)),
    batch_sweep=(256, 2048),
    sweep_events=4_000,
)


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


# ---------------------------------------------------------------------------------------------- running


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


# ---------------------------------------------------------------------------------------------- context


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


# ---------------------------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class Engine:
    label: str
    engine: str
    workers: int = 1


BASELINE = Engine("single-process baseline", "baseline")
BEAM_1 = Engine("Beam FnApiRunner, 1 worker (in_memory)", "beam", 1)
BEAM_2 = Engine("Beam FnApiRunner, 2 workers (multi_processing)", "beam", 2)


class Bench:
    def __init__(self, workdir: Path, manifest: Path, code_root: Path) -> None:
        self.workdir = workdir
        self.manifest = manifest
        self.code_root = code_root

    def measure(
        self, engine: Engine, workload: Workload, window: WindowConfig = DEFAULT_WINDOW, batch_size: int = 0
    ) -> Measurement:
        path = cached_events(workload, self.workdir / "events")
        spec = RunSpec(
            engine=engine.engine,
            input=str(path),
            manifest=str(self.manifest),
            workers=engine.workers,
            batch_size=batch_size or ModelConfig.batch_size,
            size_s=window.size_s,
            period_s=window.period_s,
            output=str(self.workdir / "store.duckdb"),
        )
        print(
            f"  {engine.label}: {workload.name} {window.size_s}/{window.period_s}s batch {spec.batch_size}", flush=True
        )
        result = run_measured(spec, self.code_root)
        measurement = Measurement(engine.label, workload, spec, ok=result["ok"], error=result.get("error", ""))
        if measurement.ok:
            for name in (
                "events",
                "windows",
                "seconds",
                "cpu_seconds",
                "peak_rss_mib",
                "max_process_rss_mib",
                "stages",
            ):
                setattr(measurement, name, result[name])
        print(f"    -> {_summary(measurement)}", flush=True)
        return measurement


def _summary(m: Measurement) -> str:
    if not m.ok:
        return f"FAILED: {m.error}"
    return (
        f"{m.events_per_s:,.0f} events/s, {m.seconds:.1f} s wall, {m.cpu_seconds:.1f} s CPU, {m.peak_rss_mib:,.0f} MiB"
    )


def reference_workload(events: int) -> Workload:
    """The simulator's traffic density (~100 requests per account-hour) over 4 h: windows per event
    stay the same whatever the size, so cost per event should too."""
    return Workload(events, max(1, events // (EVENTS_PER_ACCOUNT_HOUR * SPAN_S // 3600)), SPAN_S)


@dataclass
class Results:
    plan: Plan
    quick: bool
    machine: dict[str, str]
    model: str
    code_root: str
    headline: list[Measurement] = field(default_factory=list)
    sweeps: dict[str, list[tuple[Any, Measurement]]] = field(default_factory=dict)


SWEEPS: dict[str, tuple[str, str]] = {
    # name: (x-axis label, what it varies), in the order they run
    "events": ("events", "events, at ~100 events per account-hour over 4 h (accounts = events / 400)"),
    "accounts": (
        "accounts",
        "accounts, at a fixed event count (full mode: each account active in one 10-minute session,"
        " 5-minute tumbling windows)",
    ),
    "density": (
        "events",
        "events from a fixed set of accounts (the first headline input's): same windows, more events",
    ),
    "window_ratio": ("window size / period", "window size and period (panes per window), reference workload"),
    "batch_size": ("inference batch size", "RunInference max batch size (and the baseline's), reference workload"),
}


@dataclass(frozen=True)
class Job:
    engine: Engine
    workload: Workload
    window: WindowConfig = DEFAULT_WINDOW
    batch_size: int = ModelConfig.batch_size


def sweep_jobs(plan: Plan, engines: Sequence[Engine], sections: set[str]) -> dict[str, list[tuple[Any, Job]]]:
    reference = reference_workload(plan.sweep_events)
    points: dict[str, list[tuple[Any, Callable[[Engine], Job]]]] = {
        "events": [(n, lambda e, n=n: Job(e, reference_workload(n))) for n in plan.events_sweep],
        "accounts": [
            (a, lambda e, a=a: Job(e, Workload(plan.accounts_sweep_events, a, SPAN_S, plan.accounts_session_s),
                                   WindowConfig(*plan.accounts_window)))
            for a in plan.accounts_sweep
        ],
        "window_ratio": [
            (f"{size // 60}m/{period // 60}m ({size // period})",
             lambda e, s=size, p=period: Job(e, reference, WindowConfig(s, p)))
            for size, period in plan.ratio_sweep
        ],
        "batch_size": [(b, lambda e, b=b: Job(e, reference, batch_size=b)) for b in plan.batch_sweep],
        "density": [
            (n, lambda e, n=n: Job(e, replace(reference_workload(plan.density_sweep[0]), events=n)))
            for n in plan.density_sweep
        ],
    }  # fmt: skip
    return {
        name: [(x, job(engine)) for x, job in points[name] for engine in engines] for name in SWEEPS if name in sections
    }


def run_sweeps(
    bench: Bench,
    plan: Plan,
    engines: Sequence[Engine],
    results: Results,
    sections: set[str],
    parallel: int,
    after_each: Callable[[], None],
) -> None:
    """Runs each distinct job once (the headline's are reused), `parallel` at a time, one sweep after
    the other; `after_each` runs when a sweep is complete."""
    done = {Job(_engine_of(m), m.workload): m for m in results.headline}
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        for name, points in sweep_jobs(plan, engines, sections).items():
            todo = list(dict.fromkeys(job for _, job in points if job not in done))
            measured = pool.map(lambda job: bench.measure(job.engine, job.workload, job.window, job.batch_size), todo)
            done.update(zip(todo, measured, strict=True))
            results.sweeps[name] = [(x, done[job]) for x, job in points]
            after_each()


def _engine_of(measurement: Measurement) -> Engine:
    return next(e for e in (BASELINE, BEAM_1, BEAM_2) if e.label == measurement.label)


# ---------------------------------------------------------------------------------------------- report


def _fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows)]


def headline_table(results: Results) -> list[str]:
    rows = []
    for m in results.headline:
        baseline = next(
            (b for b in results.headline if b.label == BASELINE.label and b.workload == m.workload and b.ok), None
        )
        ratio = m.events_per_s / baseline.events_per_s if baseline and m.ok and baseline.events_per_s else 0.0
        if not m.ok:
            rows.append(
                [_fmt(m.workload.events), _fmt(m.workload.accounts), "", m.label, f"failed: {m.error}", *[""] * 6]
            )
            continue
        rows.append([
            _fmt(m.workload.events), _fmt(m.workload.accounts), _fmt(m.windows), m.label, _fmt(m.seconds, 1),
            _fmt(m.cpu_seconds, 1), _fmt(m.events_per_s), f"{ratio:.2f}", _fmt(m.us_per_event_cpu, 1),
            _fmt(m.peak_rss_mib), _fmt(m.max_process_rss_mib),
        ])  # fmt: skip
    return _table(
        ["events", "accounts", "windows", "engine", "wall s", "CPU s", "events/s", "ratio to baseline",
         "CPU µs/event", "peak RSS MiB (tree)", "largest process MiB"],
        rows,
    )  # fmt: skip


def stage_table(measurements: Sequence[Measurement]) -> list[str]:
    rows = []
    for m in measurements:
        if not m.ok:
            continue
        total = sum(m.stages.values()) or 1.0
        cells = [f"{m.stages.get(s, 0.0):.1f} ({100 * m.stages.get(s, 0.0) / total:.0f}%)" for s in STAGES]
        rows.append([_fmt(m.workload.events), m.label, *cells, f"{total:.1f}"])
    return _table(["events", "engine", *STAGES, "sum s"], rows)


def sweep_table(name: str, points: Sequence[tuple[Any, Measurement]]) -> list[str]:
    rows = []
    for x, m in points:
        if not m.ok:
            rows.append([x, m.label, f"failed: {m.error}", *[""] * 7])
            continue
        rows.append([
            x, m.label, _fmt(m.events), _fmt(m.windows), f"{m.windows / m.events:.3f}", _fmt(m.events_per_s),
            _fmt(m.us_per_event_cpu, 1), _fmt(m.stage_unit_cost(per_event=True), 1),
            _fmt(m.stage_unit_cost(per_event=False), 1), _fmt(m.peak_rss_mib),
        ])  # fmt: skip
    return _table(
        [SWEEPS[name][0], "engine", "events", "windows", "windows/event", "events/s", "CPU µs/event",
         "per-event stages µs/event", "per-window stages µs/window", "peak RSS MiB"],
        rows,
    )  # fmt: skip


def spread(values: Sequence[float]) -> float:
    """max/min - 1 of positive values (0 when fewer than two)."""
    values = [v for v in values if v > 0]
    return max(values) / min(values) - 1 if len(values) > 1 else 0.0


def target_lines(results: Results) -> list[str]:
    lines = []
    largest = max((m.workload.events for m in results.headline), default=0)
    baseline = next((m for m in results.headline if m.label == BASELINE.label and m.workload.events == largest), None)
    for m in results.headline:
        if m.workload.events == largest and m.label != BASELINE.label and baseline is not None:
            if not m.ok or not baseline.ok:
                lines.append(f"- Beam >= 50% of the baseline's events/s ({m.label}, {largest:,} events): run failed")
                continue
            ratio = m.events_per_s / baseline.events_per_s
            verdict = "met" if ratio >= 0.5 else "NOT met"
            lines.append(
                f"- Beam >= 50% of the baseline's events/s ({m.label}, {largest:,} events): {ratio:.2f}, {verdict}"
            )
    for name, unit in (("events", "events"), ("accounts", "accounts"), ("density", "events at fixed accounts")):
        for engine in sorted({m.label for _, m in results.sweeps.get(name, [])}):
            series = [m for _, m in results.sweeps[name] if m.label == engine and m.ok]
            if len(series) < 2:
                continue
            per_event = spread([m.us_per_event_cpu for m in series])
            stage_event = spread([m.stage_unit_cost(per_event=True) for m in series])
            stage_window = spread([m.stage_unit_cost(per_event=False) for m in series])
            memory = [f"{m.peak_rss_mib:,.0f}" for m in series]
            lines.append(
                f"- vs {unit} ({engine}): CPU per event varies {100 * per_event:.0f}% "
                f"({'within' if per_event <= 0.2 else 'OUTSIDE'} 20%); per-event stages per event "
                f"{100 * stage_event:.0f}%, per-window stages per window {100 * stage_window:.0f}%; "
                f"peak RSS MiB {' -> '.join(memory)}"
            )
    return lines


def plan_lines(plan: Plan) -> list[str]:
    def points(values: Sequence[object]) -> str:
        return ", ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in values)

    size, period = plan.accounts_window
    ratios = points([f"{s}/{p} s" for s, p in plan.ratio_sweep])
    return [
        "## Plan",
        "",
        f"- End to end: {points(plan.headline_events)} events (reference workload): baseline, Beam, 1 and 2 workers.",
        "- Sweeps run the baseline and one Beam configuration (see the tables); a point equal to a headline run",
        "  reuses it.",
        f"- Events: {points(plan.events_sweep)}.",
        f"- Accounts: {points(plan.accounts_sweep)} at {plan.accounts_sweep_events:,} events,"
        f" {size}/{period} s windows.",
        f"- Density: {points(plan.density_sweep)} events from the first events point's accounts.",
        f"- Window size/period: {ratios}; inference batch size: {points(plan.batch_sweep)}; both at"
        f" {plan.sweep_events:,} events.",
    ]


def write_report(results: Results, out: Path) -> Path:
    lines = [
        "# distillwatch benchmark results",
        "",
        f"Generated by `python -m benchmarks.run{' --quick' if results.quick else ''}` "
        f"on {time.strftime('%Y-%m-%d %H:%M %Z')}."
        + (" **Quick mode: tiny inputs, a smoke test, not a measurement.**" if results.quick else ""),
        "",
        "## Machine",
        "",
        *_table(["", ""], list(results.machine.items())),
        "",
        f"Model: `{results.model}`. Pipeline code measured: {results.code_root}.",
        "",
        "## Method",
        "",
        "- Input: synthetic contract-v1 JSONL (`benchmarks/workload.py`: exact event and account counts,",
        "  simulator-like fields and prompt text), written once and cached; every engine reads the same file.",
        "- Each configuration runs in its own process. Peak RSS is sampled from /proc over the whole process",
        "  tree (runner plus SDK worker processes) every 0.2 s; `largest process` is getrusage's ru_maxrss.",
        "  CPU s is the CPU time of the whole tree during the timed part (the steadier measure on a shared",
        "  machine); both wall and CPU time exclude the measuring process's imports.",
        "- Baseline: parse with the contract decoder, `pipelines.features.offline.account_windows`, the",
        "  model's predict_proba in batches of the RunInference batch size and the same occlusion",
        "  explanations. Beam: `pipelines.pipeline.build_pipeline` on the FnApiRunner",
        "  with a DuckDB store: `direct_num_workers=1` runs `direct_running_mode=in_memory` (the SDK harness",
        "  in the runner's process), `direct_num_workers=2` runs `multi_processing` (two SDK worker processes",
        "  over gRPC; `multi_threading` would share one GIL). Beam also dead-letters, dedups, applies the",
        "  alert policy and writes three tables: the baseline does none of that.",
        "- Every process runs with OMP_NUM_THREADS=1 (scikit-learn's tree ensembles are OpenMP code): the",
        "  runner's workers are the parallelism, and more threads than cores made scoring 5-20x slower here.",
        "- Stage split: Beam's own per-PTransform execution-time counters (the SDK state sampler attributes",
        "  time to the one transform running, so they are exclusive and add up); `runner` is wall time no",
        "  transform accounts for (grouping in the runner, coders between stages), shown for 1 worker only;",
        "  with 2 workers the stages add up both workers' time. Per-event stages: parse, dedup, panes;",
        "  per-window stages: windows (sliding windows and features), inference, alerts, sinks. The baseline",
        "  times its phases directly (panes = time to its first window).",
        "",
        "## End to end",
        "",
        *headline_table(results),
        "",
        "## Time by stage (seconds, share of the stage sum)",
        "",
        *stage_table(results.headline),
        "",
    ]
    for name, points in results.sweeps.items():
        lines += [
            f"## Scaling: {SWEEPS[name][1]}",
            "",
            *sweep_table(name, points),
            "",
            f"![{name}](scaling_{name}{'_quick' if results.quick else ''}.png)",
            "",
        ]
    lines += ["## Targets", "", *target_lines(results), ""]
    lines[lines.index("## Method") : lines.index("## Method")] = [*plan_lines(results.plan), ""]
    report = out / ("RESULTS_quick.md" if results.quick else "RESULTS.md")
    report.write_text("\n".join(lines))
    return report


def plot(results: Results, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for name, points in results.sweeps.items():
        figure, axes = plt.subplots(1, 3, figsize=(15, 4))
        for engine in sorted({m.label for _, m in points}):
            series = [(x, m) for x, m in points if m.label == engine and m.ok]
            xs = [str(x) for x, _ in series] if name == "window_ratio" else [x for x, _ in series]
            for axis, values in zip(
                axes,
                ([m.events_per_s for _, m in series], [m.us_per_event_cpu for _, m in series],
                 [m.peak_rss_mib for _, m in series]),
                strict=True,
            ):  # fmt: skip
                axis.plot(xs, values, marker="o", label=engine)
        for axis, ylabel in zip(
            axes, ("events/s (wall)", "CPU µs per event", "peak RSS MiB (process tree)"), strict=True
        ):
            axis.set_xlabel(SWEEPS[name][0])
            axis.set_ylabel(ylabel)
            axis.set_ylim(bottom=0)
            axis.grid(alpha=0.3)
            if name in ("events", "accounts", "density", "batch_size"):
                axis.set_xscale("log")
        axes[0].legend(fontsize=8)
        figure.suptitle(SWEEPS[name][1], fontsize=10)
        figure.tight_layout()
        path = out / f"scaling_{name}{'_quick' if results.quick else ''}.png"
        figure.savefig(path, dpi=110)
        plt.close(figure)
        written.append(path)
    return written


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny inputs: a smoke test of the whole benchmark")
    parser.add_argument("--model", type=Path, default=None, help="model manifest (default: the repo's artifact)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/distillwatch-bench"), help="inputs and stores")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="where reports go")
    parser.add_argument("--code-root", type=Path, default=REPO, help="checkout whose pipeline code is measured")
    parser.add_argument("--sections", default="headline,events,accounts,density,window_ratio,batch_size")
    parser.add_argument("--sweep-workers", type=int, default=1, help="Beam workers in the sweeps (full mode)")
    args = parser.parse_args(argv)

    plan = QUICK if args.quick else FULL
    sections = set(args.sections.split(","))
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = args.model or Path(DEFAULT_MODEL_MANIFEST)
    if not manifest.exists():
        print(f"no model at {manifest}: training a throwaway one (inference will be cheaper than the real model's)")
        manifest = throwaway_model(args.workdir / "throwaway-model", args.workdir / "events")
    results = Results(plan, args.quick, machine(), str(manifest), code_version(args.code_root.resolve()))
    bench = Bench(args.workdir, manifest, args.code_root.resolve())
    if "headline" in sections:
        print("end to end", flush=True)
        for events in plan.headline_events:
            for engine in (BASELINE, BEAM_1, BEAM_2):
                results.headline.append(bench.measure(engine, reference_workload(events)))
        save(results, args.out)
    # Quick mode only checks the plumbing: its sweeps run the fast baseline, two runs at a time (the
    # headline checks Beam). A measurement runs one configuration at a time.
    sweep_engine = BEAM_2 if args.sweep_workers == 2 else BEAM_1
    engines = (BASELINE,) if args.quick else (BASELINE, sweep_engine)
    run_sweeps(bench, plan, engines, results, sections, 2 if args.quick else 1, lambda: save(results, args.out))
    return 0


def save(results: Results, out: Path) -> None:
    """Writes the report, the plots and results.json for what has been measured so far."""
    report = write_report(results, out)
    images = plot(results, out)
    (out / ("results_quick.json" if results.quick else "results.json")).write_text(
        json.dumps([asdict(m) for m in results.headline] + [asdict(m) for p in results.sweeps.values() for _, m in p],
                   indent=1, default=str)
    )  # fmt: skip
    print(f"wrote {report} and {', '.join(p.name for p in images)}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
