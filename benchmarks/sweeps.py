"""The engines compared, one benchmark's runs (`Bench`), the results so far, and the sweeps that vary one input."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.measure import RunSpec
from benchmarks.measured import Measurement, run_measured
from benchmarks.plan import DEFAULT_WINDOW, SPAN_S, SWEEPS, Plan, reference_workload
from benchmarks.workload import Workload, cached_events
from pipelines.config import ModelConfig, WindowConfig


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


@dataclass
class Results:
    plan: Plan
    quick: bool
    machine: dict[str, str]
    model: str
    code_root: str
    headline: list[Measurement] = field(default_factory=list)
    sweeps: dict[str, list[tuple[Any, Measurement]]] = field(default_factory=dict)


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
