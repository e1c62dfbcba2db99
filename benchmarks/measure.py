"""One measured run, meant to be a subprocess of `benchmarks.run` (so peak RSS is that run's alone).

`python -m benchmarks.measure '<json spec>'` prints one JSON line: wall seconds, counts and the time
per stage. Two engines:

- `baseline`: the plain single-process implementation of the same features and scoring. The input
  file is parsed with the contract decoder, windowed by `pipelines.features.offline.account_windows` with the
  pipeline's request floor and scored with the model's predict_proba in batches of the same size as
  RunInference's, plus the same occlusion explanations for windows that may alert (score at the threshold),
  with one OpenMP thread (one process, one core). Stages are timed directly: `panes` is the time to
  the first window (account_windows adds every event to its pane first), `windows` the rest of the
  window and feature computation, `inference` includes loading the model. It writes no sink.
- `beam`: `pipelines.pipeline.build_pipeline` on the FnApiRunner, writing a fresh DuckDB store, with the garbage
  collector tuned as `distillwatch detect` tunes it (`distillwatch.detect.garbage_collected_rarely`). The
  stage split comes from Beam's own per-PTransform execution-time counters (the SDK's state sampler
  attributes each sampled instant to the one transform executing then, so the counters are exclusive
  and add up). Time no transform accounts for (runner-side grouping, coders between fused stages,
  bundle management) is reported as `runner`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from pipelines.config import AlertPolicyConfig, DetectConfig, ModelConfig, WindowConfig, manifest_alert_threshold

# Beam step-name prefixes -> benchmark stage. Unmatched steps (reads, reshuffles, GBK reads/writes
# inserted by the runner) count as `io/shuffle`.
STAGE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("ReadJsonl", "parse"),
    ("ParseEvents", "parse"),
    ("RouteTooLateEvents", "parse"),
    ("DeduplicateEvents", "dedup"),
    ("AllDeadLetters", "parse"),
    # Per event: key by (account, pane) and accumulate panes (batch: AccountPanes; streaming: KeyByAccount,
    # PaneWindows); per window: everything else (SlidingWindows, MergePanes, ...), the long horizon's included.
    ("AccountPanes", "panes"),
    ("WindowPerAccount/KeyByAccount", "panes"),
    ("WindowPerAccount/PaneWindows", "panes"),
    ("WindowPerAccount/AccumulatePanes", "panes"),
    ("WindowPerAccount", "windows"),
    ("WindowsIntoPlace", "windows"),
    ("HorizonPerAccount", "windows"),
    ("HorizonsIntoPlace", "windows"),
    ("HorizonsBelowFloor", "windows"),
    ("SparseHorizons", "windows"),
    ("HorizonFeatures", "windows"),
    ("Features", "windows"),
    ("HorizonUnwindow", "inference"),
    ("HorizonScore", "inference"),
    ("HorizonToScoredWindow", "inference"),
    ("EligibleWindows", "alerts"),
    ("EligibleHorizons", "alerts"),
    ("WindowsAndHorizons", "alerts"),
    ("Unwindow", "inference"),
    ("ScoreRows", "sinks"),  # before "Score"
    ("Score", "inference"),
    ("ToScoredWindow", "inference"),
    ("AlertPolicy", "alerts"),
    ("AlertRows", "alerts"),
    ("DetectCampaigns", "campaigns"),
    ("DuckDB_", "sinks"),
    ("BigQuery_", "sinks"),
)
STAGES: tuple[str, ...] = (
    "parse", "dedup", "panes", "windows", "inference", "alerts", "campaigns", "sinks", "io/shuffle", "runner",
)  # fmt: skip
PER_EVENT_STAGES: tuple[str, ...] = ("parse", "dedup", "panes")


@dataclass(frozen=True)
class RunSpec:
    engine: str  # "baseline" | "beam"
    input: str
    manifest: str
    workers: int = 1  # beam: direct_num_workers (1 -> in_memory, >1 -> multi_processing)
    batch_size: int = ModelConfig.batch_size
    size_s: int = WindowConfig.size_s
    period_s: int = WindowConfig.period_s
    output: str = ""  # beam: DuckDB store to create (removed first)
    profile: str = ""  # write cProfile stats here (in-process work only)


@dataclass
class RunResult:
    engine: str
    workers: int
    running_mode: str
    events: int
    windows: int
    seconds: float
    setup_cpu_seconds: float  # CPU this process spent before the timed part (imports, input checks)
    code_root: str  # the checkout `pipelines` was imported from
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage


def _batches(rows: np.ndarray, size: int) -> Iterator[np.ndarray]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def run_baseline(spec: RunSpec) -> RunResult:
    import threadpoolctl

    from pipelines.artifact import load_verified_model
    from pipelines.contract import decode_event
    from pipelines.features.extract import feature_vector
    from pipelines.features.offline import account_windows
    from pipelines.scoring import explain

    policy = AlertPolicyConfig().with_alert_threshold(manifest_alert_threshold(spec.manifest))
    setup_cpu, started = time.process_time(), time.perf_counter()
    with open(spec.input, "rb") as lines:
        events = [decode_event(line) for line in lines]
    parsed = time.perf_counter()
    # The pipeline's request floor (pipelines/request_floor.py): windows below it are never built.
    windows = account_windows(events, WindowConfig(spec.size_s, spec.period_s), floor=policy.min_requests)
    first = next(windows)
    paned = time.perf_counter()
    rows = np.vstack([feature_vector(first.features), *(feature_vector(w.features) for w in windows)])
    featured = time.perf_counter()
    model = load_verified_model(spec.manifest)
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        for batch in _batches(rows, spec.batch_size):
            scores = model.estimator.predict_proba(batch)[:, 1]
            # The pipeline's rule (pipelines/scoring.py): only windows that may alert are explained; every window
            # here already holds the request floor.
            alerting = np.flatnonzero(scores >= policy.alert_threshold)
            if alerting.size:
                explain(model, batch[alerting], scores[alerting], policy.max_reasons)
    scored = time.perf_counter()
    return RunResult(
        engine="baseline",
        workers=1,
        running_mode="single process",
        events=len(events),
        windows=len(rows),
        seconds=scored - started,
        setup_cpu_seconds=setup_cpu,
        code_root=_code_root(),
        stages={
            "parse": parsed - started,
            "panes": paned - parsed,
            "windows": featured - paned,
            "inference": scored - featured,
        },
    )


def _code_root() -> str:
    import pipelines

    return str(Path(pipelines.__file__).resolve().parent.parent)


def stage_of(step: str) -> str:
    for prefix, stage in STAGE_PREFIXES:
        if step.startswith(prefix):
            return stage
    return "io/shuffle"


def run_beam(spec: RunSpec) -> RunResult:
    import apache_beam as beam
    from apache_beam.metrics import monitoring_infos
    from apache_beam.options.pipeline_options import PipelineOptions

    from distillwatch.detect import garbage_collected_rarely
    from pipelines.pipeline import build_pipeline
    from pipelines.sinks.duckdb_sink import open_store

    Path(spec.output).unlink(missing_ok=True)
    open_store(spec.output).close()
    config = DetectConfig(
        input=spec.input,
        output=spec.output,
        window=WindowConfig(spec.size_s, spec.period_s),
        model=ModelConfig(spec.manifest, batch_size=spec.batch_size),
    )
    # in_memory runs the SDK harness in this process; with more than one worker the FnApiRunner only
    # parallelises in multi_processing mode (multi_threading shares one GIL).
    mode = "in_memory" if spec.workers == 1 else "multi_processing"
    options = PipelineOptions(runner="FnApiRunner", direct_num_workers=spec.workers, direct_running_mode=mode)
    setup_cpu, started = time.process_time(), time.perf_counter()
    with garbage_collected_rarely():  # as `distillwatch detect` runs it
        pipeline = beam.Pipeline(options=options)
        build_pipeline(pipeline, config)
        result = pipeline.run()
        result.wait_until_finish()
    seconds = time.perf_counter() - started

    # Read once: the runner keeps a multi-bundle stage's infos as a generator, so a second read (even
    # through `result.metrics()`) finds that stage empty.
    infos = list(result.monitoring_infos())
    counters: dict[str, int] = {}
    stages = dict.fromkeys(STAGES, 0.0)
    for info in infos:
        if (
            info.urn == monitoring_infos.USER_COUNTER_URN
            and info.labels[monitoring_infos.NAMESPACE_LABEL] == "distillwatch"
        ):
            name = info.labels[monitoring_infos.NAME_LABEL]
            counters[name] = counters.get(name, 0) + monitoring_infos.extract_counter_value(info)
        elif info.urn == monitoring_infos.TOTAL_MSECS_URN:
            step = info.labels[monitoring_infos.PTRANSFORM_LABEL]
            stages[stage_of(step)] += monitoring_infos.extract_counter_value(info) / 1000
    # Worker time the counters do not cover. With several workers the counters add up CPU time on all
    # of them, so the remainder is only meaningful (and only reported) for one worker.
    stages["runner"] = max(0.0, seconds - sum(stages.values())) if spec.workers == 1 else 0.0
    return RunResult(
        engine="beam",
        workers=spec.workers,
        running_mode=mode,
        events=int(counters.get("events_parsed", 0)),
        windows=int(counters.get("windows_scored", 0)),
        seconds=seconds,
        setup_cpu_seconds=setup_cpu,
        code_root=_code_root(),
        stages=stages,
    )


def measure(spec: RunSpec) -> RunResult:
    run = run_baseline if spec.engine == "baseline" else run_beam
    if not spec.profile:
        return run(spec)
    profiler = cProfile.Profile()
    result = profiler.runcall(run, spec)
    profiler.dump_stats(spec.profile)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", help="RunSpec as JSON")
    spec = RunSpec(**json.loads(parser.parse_args(argv).spec))
    result = measure(spec)
    sys.stdout.flush()
    # The last stdout line is the result; Beam may have logged before it.
    print(json.dumps(asdict(result)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
