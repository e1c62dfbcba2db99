"""Streaming benchmark: Pub/Sub emulator -> streaming pipeline -> DuckDB, at increasing event rates.

`python -m benchmarks.streaming` runs the demo's path (simulated live traffic with event time = publish
time, published with the official client to the Pub/Sub emulator; the real graph on the
BundleBasedDirectRunner) once per rate and reports, per rate:

- offered events/s (published) and the share of them the windows counted by the end of the run;
- latency from a window's end (= the publish time of its last possible event) to its score row and to
  its alert row, p50/p95: what an analyst waits for, once the watermark passes the window's end;
- whether the runner kept up: the latency of the last third of windows against the first third.

The local runner executes the whole graph on one worker thread, so these are per-core figures of the
local runner, not of Dataflow (see infra/RUNBOOK.md for how they translate).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import apache_beam as beam
import duckdb
import numpy as np
from apache_beam.options.pipeline_options import PipelineOptions

from devtools.demo import FEED_TICK_S, STREAMING_RUNNER, ReplayFeed, simulated_events
from devtools.pubsub_emulator import EventPublisher, PacedPublisher, PubSubEmulator
from pipelines.config import DEFAULT_MODEL_MANIFEST, AlertPolicyConfig, DetectConfig, ModelConfig, WindowConfig
from pipelines.pipeline import build_pipeline
from pipelines.sinks.duckdb_sink import open_store
from simulator.generator import Simulation, SimulationConfig

WINDOW = WindowConfig(size_s=120, period_s=60, allowed_lateness_s=60)
# Below this share of the offered events counted, the run ended with a backlog: the runner did not keep up.
KEPT_UP_SHARE = 0.9
RESULTS_JSON = "results_streaming.json"


@dataclass
class StreamingPoint:
    rate_scale: float
    accounts: int
    run_s: float
    published: int
    offered_events_per_s: float
    counted_share: float  # event counts in closed windows / what the published events should add up to
    windows: int
    score_latency_p50_s: float
    score_latency_p95_s: float
    late_third_over_early_third: float  # score latency, last third of windows / first third (>> 1: falling behind)
    alerts: int
    alert_latency_p50_s: float | None
    alert_latency_p95_s: float | None


def expected_window_counts(event_times: list[float], last_closed: float, window: WindowConfig) -> int:
    """What the request counts of all windows ending by `last_closed` add up to if no event was lost.

    An event is counted in the size/period windows holding it; only those ending by `last_closed` had been
    written when the run stopped.
    """
    period, panes = window.period_s, window.size_s // window.period_s
    total = 0
    for t in event_times:
        pane_end = (t // period + 1) * period
        if pane_end <= last_closed:
            total += min(panes, int((last_closed - pane_end) // period) + 1)
    return total


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


@dataclass(frozen=True)
class RunContext:
    """Where and when the points were measured (written with them, so the report can be re-rendered)."""

    measured_at: str  # UTC, minutes
    machine: str
    python: str
    beam: str
    load_average: float | None  # 1-minute load average at the end; None: not recorded
    cores: int

    @classmethod
    def now(cls) -> RunContext:
        return cls(
            measured_at=f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}",
            machine=platform.processor() or platform.machine(),
            python=platform.python_version(),
            beam=beam.__version__,
            load_average=round(os.getloadavg()[0], 1),
            cores=os.cpu_count() or 0,
        )


def save_results(points: list[StreamingPoint], context: RunContext, out: Path) -> None:
    document = {"run": asdict(context), "points": [asdict(p) for p in points]}
    (out / RESULTS_JSON).write_text(json.dumps(document, indent=2) + "\n")


def load_results(out: Path) -> tuple[list[StreamingPoint], RunContext]:
    document = json.loads((out / RESULTS_JSON).read_text())
    return [StreamingPoint(**p) for p in document["points"]], RunContext(**document["run"])


def measure(rate_scale: float, accounts: int, run_s: float, model: str, workdir: Path) -> StreamingPoint:
    started = dt.datetime.now(dt.UTC)
    output = str(workdir / f"streaming-{accounts}x{rate_scale:g}.duckdb")
    Path(output).unlink(missing_ok=True)
    open_store(output).close()
    simulation = Simulation(
        SimulationConfig(
            seed=11,
            start=started,
            duration_hours=(run_s + 120) / 3600,
            accounts=accounts,
            extraction_fraction=0.2,
            campaign_sizes=(),
            rate_scale=rate_scale,
        )
    )
    publish_times: list[float] = []
    with PubSubEmulator() as emulator:
        config = DetectConfig(
            input=emulator.create_topic_and_subscription("usage-events", "detector"),
            output=output,
            streaming=True,
            window=WINDOW,
            alerts=AlertPolicyConfig(cooldown_s=600),
            model=ModelConfig(model),
        )
        pipeline = beam.Pipeline(options=PipelineOptions(flags=[], runner=STREAMING_RUNNER, streaming=True))
        build_pipeline(pipeline, config)
        result = pipeline.run()
        feed_started = time.time()
        replay = ReplayFeed(simulated_events(simulation, feed_started - started.timestamp()))

        def produce(now: float) -> list:
            due = replay(now)
            publish_times.extend(event.timestamp for event in due)
            return due

        with EventPublisher(emulator.topic_path("usage-events")) as publisher:
            paced = PacedPublisher(publisher, produce, FEED_TICK_S)
            paced.start()
            try:
                time.sleep(run_s)
            finally:
                result.cancel()
                paced.stop()
    if paced.error is not None:
        raise RuntimeError(f"the feed failed: {paced.error}")
    with duckdb.connect(output, read_only=True) as store:
        # The last firing of each window (late firings re-emit the whole window).
        windows = store.execute(
            """
            select epoch(window_end), request_count, epoch(scored_at) - epoch(window_end)
            from account_scores
            qualify row_number() over (partition by account_id, window_start order by scored_at desc) = 1
            order by window_end
            """
        ).fetchall()
        alert_latencies = [
            latency
            for (latency,) in store.execute("select epoch(created_at) - epoch(window_end) from alerts").fetchall()
        ]
    last_closed = max((end for end, _, _ in windows), default=feed_started)
    expected = expected_window_counts(publish_times, last_closed, WINDOW)
    counted = sum(count for _, count, _ in windows)
    latencies = [latency for _, _, latency in windows]
    third = max(1, len(latencies) // 3)
    return StreamingPoint(
        rate_scale=rate_scale,
        accounts=accounts,
        run_s=run_s,
        published=len(publish_times),
        offered_events_per_s=len(publish_times) / run_s,
        counted_share=counted / expected if expected else float("nan"),
        windows=len(windows),
        score_latency_p50_s=_percentile(latencies, 50),
        score_latency_p95_s=_percentile(latencies, 95),
        late_third_over_early_third=_percentile(latencies[-third:], 50) / max(_percentile(latencies[:third], 50), 1e-3),
        alerts=len(alert_latencies),
        alert_latency_p50_s=_percentile(alert_latencies, 50) if alert_latencies else None,
        alert_latency_p95_s=_percentile(alert_latencies, 95) if alert_latencies else None,
    )


def _fmt(value: float | None, digits: int = 1) -> str:
    return "" if value is None or value != value else f"{value:,.{digits}f}"


def fell_behind(point: StreamingPoint) -> bool:
    """The runner did not keep up: a backlog was left when the run was cancelled."""
    return point.counted_share < KEPT_UP_SHARE


def _sustained(points: list[StreamingPoint]) -> str:
    behind = [p.counted_share * p.offered_events_per_s for p in points if fell_behind(p)]
    if not behind:
        return "It kept up at every rate run here."
    return f"Where it fell behind, it sustained {min(behind):.0f}-{max(behind):.0f} events/s."


def report(points: list[StreamingPoint], context: RunContext, out: Path) -> Path:
    """Writes RESULTS_streaming.md from the points and where they were measured."""
    command = f"python -m benchmarks.streaming --points {','.join(f'{p.accounts}x{p.rate_scale:g}' for p in points)}"
    load = "not recorded" if context.load_average is None else f"{context.load_average:.1f}"
    lines = [
        "# distillwatch streaming benchmark",
        "",
        f"Generated by `{command} --run-s {points[0].run_s:g}`, measured {context.measured_at} UTC on "
        f"{context.machine}, Python {context.python}, Apache Beam {context.beam} (re-render from "
        f"{RESULTS_JSON}: `python -m benchmarks.streaming --render-only`). Pub/Sub emulator -> "
        f"`{STREAMING_RUNNER} --streaming` (one worker thread) -> DuckDB; windows {WINDOW.size_s} s every "
        f"{WINDOW.period_s} s, allowed lateness {WINDOW.allowed_lateness_s} s. Event time = publish time, so a "
        "window's end is the publish time of its last possible event: latency = row written - window end. "
        f"Load average at the end: {load} on {context.cores} cores (other jobs share the machine).",
        "",
        "| accounts | rate scale | run s | offered events/s | counted share | counted events/s | windows "
        "| score latency p50 / p95 s | late/early third | alerts | alert latency p50 / p95 s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in points:
        lines.append(
            f"| {p.accounts} | {p.rate_scale:g} | {p.run_s:.0f} | {_fmt(p.offered_events_per_s)} | "
            f"{_fmt(p.counted_share, 3)} | {_fmt(p.counted_share * p.offered_events_per_s)} | {p.windows} | "
            f"{_fmt(p.score_latency_p50_s)} / "
            f"{_fmt(p.score_latency_p95_s)} | {_fmt(p.late_third_over_early_third, 2)} | {p.alerts} | "
            f"{_fmt(p.alert_latency_p50_s)} / {_fmt(p.alert_latency_p95_s)} |"
        )
    lines += [
        "",
        "A counted share near 1 means the runner kept up at that rate. Below 1, the runner fell behind and the",
        "run was cancelled with a backlog: `counted events/s` (share x offered rate) then approximates what it",
        "sustains, and the latency figures describe only the windows it did close. The late/early ratio compares",
        "the score latency of the last third of closed windows with the first third (well above 1: falling behind).",
        "",
        "What bounds the local runner (profile it with any stack sampler; this command does not): per-bundle",
        "overhead of the BundleBasedDirectRunner itself, which re-inspects every DoFn's signature at each bundle",
        "start and fires timers key by key. " + _sustained(points),
        "That is enough for the demo and the integration tests, and no measure of Dataflow, whose per-core figures",
        "the batch benchmark (RESULTS.md) and infra/RUNBOOK.md give.",
        "",
    ]
    path = out / "RESULTS_streaming.md"
    path.write_text("\n".join(lines))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--points",
        default="300x3,300x10,30x30,30x100",
        help="comma-separated ACCOUNTSxRATE_SCALE runs (rate scale multiplies every account's request rate)",
    )
    parser.add_argument("--run-s", type=float, default=180.0, help="seconds of live traffic per rate")
    parser.add_argument("--model", default=DEFAULT_MODEL_MANIFEST)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/distillwatch-bench"))
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument(
        "--render-only", action="store_true", help=f"rewrite RESULTS_streaming.md from --out's {RESULTS_JSON}, no runs"
    )
    args = parser.parse_args(argv)
    if args.render_only:
        print(f"report: {report(*load_results(args.out), args.out)}")
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    points = []
    for accounts, scale in (point.split("x") for point in args.points.split(",")):
        point = measure(float(scale), int(accounts), args.run_s, args.model, args.workdir)
        print(json.dumps(asdict(point)), flush=True)
        points.append(point)
    context = RunContext.now()
    save_results(points, context, args.out)
    print(f"report: {report(points, context, args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
