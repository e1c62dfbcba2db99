"""Streaming benchmark: Pub/Sub emulator -> streaming pipeline -> DuckDB, at increasing event rates.

`python -m benchmarks.streaming` runs the demo's path (simulated live traffic with event time = publish
time, published with the official client to the Pub/Sub emulator; the real graph on the
BundleBasedDirectRunner) once per rate and reports, per rate:

- offered events/s (published), the backlog left in the subscription when the run is cancelled, so the events/s
  the runner sustained ((published - backlog) / run time), and the share of the events that the closed windows
  counted, against what the published events should add up to in them (a correctness check);
- latency from a window's end (= the publish time of its last possible event) to its score row and to
  its alert row, p50/p95: what an analyst waits for, once the watermark passes the window's end;
- whether the runner kept up: the latency of the last third of windows against the first third.

The local runner executes the whole graph on one worker thread, so these are per-core figures of the
local runner, not of Dataflow (see infra/RUNBOOK.md for how they translate). A point written `30x250/stock` runs
the runner as shipped; the others run the fast local mode (`distillwatch/local_streaming.py`), same graph.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import apache_beam as beam
import duckdb
import numpy as np
from apache_beam.options.pipeline_options import PipelineOptions

from devtools.demo import FEED_TICK_S, STREAMING_RUNNER, ReplayFeed, simulated_events
from devtools.pubsub_emulator import EventPublisher, PacedPublisher, PubSubEmulator
from distillwatch.local_streaming import use_fast_local_streaming
from pipelines.config import (
    DEFAULT_MODEL_MANIFEST,
    AlertPolicyConfig,
    DetectConfig,
    ModelConfig,
    WindowConfig,
    manifest_alert_threshold,
)
from pipelines.pipeline import build_pipeline
from pipelines.sinks.duckdb_sink import open_store
from simulator.generator import Simulation, SimulationConfig

WINDOW = WindowConfig(size_s=120, period_s=60, allowed_lateness_s=60)
# Below this share of the offered events read by the end, the run ended with a backlog: the runner did not keep up.
KEPT_UP_SHARE = 0.9
STOCK = "stock"
RESULTS_JSON = "results_streaming.json"


@dataclass
class StreamingPoint:
    rate_scale: float
    accounts: int
    runner_mode: str  # "stock": the BundleBasedDirectRunner as shipped; "fast": distillwatch/local_streaming.py
    run_s: float
    published: int
    offered_events_per_s: float
    backlog: int  # messages still in the subscription when the run was cancelled
    cpu_s: float  # CPU seconds of this process (runner, feed and publisher) over the run
    counted_share: float  # event counts in closed windows / what the published events should add up to
    windows: int
    score_latency_p50_s: float
    score_latency_p95_s: float
    late_third_over_early_third: float  # score latency, last third of windows / first third (>> 1: falling behind)
    alerts: int
    alert_latency_p50_s: float | None
    alert_latency_p95_s: float | None


def expected_window_counts(
    events: Iterable[tuple[str, float]], last_closed: float, window: WindowConfig, floor: int = 1
) -> int:
    """What the request counts of all windows ending by `last_closed` add up to if no event was lost.

    `events` are (account_id, event time). An event is counted in the size/period windows of its account holding
    it; only those ending by `last_closed` had been written when the run stopped, and only those holding at least
    `floor` requests are written at all (pipelines/request_floor.py).
    """
    period, size = window.period_s, window.size_s
    per_window: Counter[tuple[str, float]] = Counter()
    for account_id, t in events:
        pane_start = t // period * period
        for start in range(int(pane_start), int(pane_start) - size, -period):
            if start + size <= last_closed:
                per_window[account_id, start] += 1
    return sum(count for count in per_window.values() if count >= floor)


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


def drain(subscription: str) -> int:
    """Pulls (and acknowledges) whatever is left in `subscription`; returns how many messages that was."""
    from google.api_core.exceptions import DeadlineExceeded
    from google.cloud import pubsub_v1

    left = 0
    with pubsub_v1.SubscriberClient() as subscriber:
        while True:
            try:
                response = subscriber.pull(subscription=subscription, max_messages=1000, timeout=5)
            except DeadlineExceeded:
                return left
            if not response.received_messages:
                return left
            left += len(response.received_messages)
            subscriber.acknowledge(subscription=subscription, ack_ids=[m.ack_id for m in response.received_messages])


def sustained_events_per_s(point: StreamingPoint) -> float:
    return (point.published - point.backlog) / point.run_s


def events_per_cpu_s(point: StreamingPoint) -> float:
    """Events read per CPU second of the process: steadier than wall-clock rates on a shared machine."""
    return (point.published - point.backlog) / point.cpu_s


def measure(
    rate_scale: float, accounts: int, run_s: float, model: str, workdir: Path, runner_mode: str = "fast"
) -> StreamingPoint:
    started = dt.datetime.now(dt.UTC)
    output = str(workdir / f"streaming-{accounts}x{rate_scale:g}-{runner_mode}.duckdb")
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
    published: list[tuple[str, float]] = []  # (account_id, event time)
    with PubSubEmulator() as emulator:
        config = DetectConfig(
            input=emulator.create_topic_and_subscription("usage-events", "detector"),
            output=output,
            streaming=True,
            window=WINDOW,
            alerts=AlertPolicyConfig(cooldown_s=600).with_alert_threshold(manifest_alert_threshold(model)),
            model=ModelConfig(model),
        )
        use_fast_local_streaming(runner_mode != STOCK)
        pipeline = beam.Pipeline(options=PipelineOptions(flags=[], runner=STREAMING_RUNNER, streaming=True))
        build_pipeline(pipeline, config)
        result = pipeline.run()
        feed_started = time.time()
        cpu_started = time.process_time()
        replay = ReplayFeed(simulated_events(simulation, feed_started - started.timestamp()))

        def produce(now: float) -> list:
            due = replay(now)
            published.extend((event.account_id, event.timestamp) for event in due)
            return due

        with EventPublisher(emulator.topic_path("usage-events")) as publisher:
            paced = PacedPublisher(publisher, produce, FEED_TICK_S)
            paced.start()
            try:
                time.sleep(run_s)
            finally:
                cpu_s = time.process_time() - cpu_started
                result.cancel()
                paced.stop()
        backlog = drain(config.input)
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
    expected = expected_window_counts(published, last_closed, WINDOW, config.alerts.min_requests)
    counted = sum(count for _, count, _ in windows)
    latencies = [latency for _, _, latency in windows]
    third = max(1, len(latencies) // 3)
    return StreamingPoint(
        rate_scale=rate_scale,
        accounts=accounts,
        runner_mode=runner_mode,
        run_s=run_s,
        published=len(published),
        offered_events_per_s=len(published) / run_s,
        backlog=backlog,
        cpu_s=cpu_s,
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
    return point.backlog > (1 - KEPT_UP_SHARE) * point.published


def point_name(point: StreamingPoint) -> str:
    name = f"{point.accounts}x{point.rate_scale:g}"
    return f"{name}/{STOCK}" if point.runner_mode == STOCK else name


def rate_span(rates: list[float]) -> str:
    """ "416" or "416-788": how the README and the report quote a range of rates."""
    low, high = f"{min(rates):.0f}", f"{max(rates):.0f}"
    return low if low == high else f"{low}-{high}"


def _sustained(points: list[StreamingPoint], runner_mode: str) -> str:
    ran = [p for p in points if p.runner_mode == runner_mode]
    behind = [sustained_events_per_s(p) for p in ran if fell_behind(p)]
    kept = [p.offered_events_per_s for p in ran if not fell_behind(p)]
    parts = []
    if kept:
        parts.append(f"kept up at up to {max(kept):.0f} events/s offered")
    if behind:
        parts.append(f"where it fell behind, it sustained {rate_span(behind)} events/s")
    return "; ".join(parts) if parts else "not run"


def report(points: list[StreamingPoint], context: RunContext, out: Path) -> Path:
    """Writes RESULTS_streaming.md from the points and where they were measured."""
    command = f"python -m benchmarks.streaming --points {','.join(point_name(p) for p in points)}"
    load = "not recorded" if context.load_average is None else f"{context.load_average:.1f}"
    lines = [
        "# distillwatch streaming benchmark",
        "",
        f"Generated by `{command} --run-s {points[0].run_s:g}`, measured {context.measured_at} UTC on "
        f"{context.machine}, Python {context.python}, Apache Beam {context.beam} (re-render from "
        f"{RESULTS_JSON}: `python -m benchmarks.streaming --render-only`). Pub/Sub emulator -> "
        f"`{STREAMING_RUNNER} --streaming` (one worker thread) -> DuckDB; windows {WINDOW.size_s} s every "
        f"{WINDOW.period_s} s, allowed lateness {WINDOW.allowed_lateness_s} s. The feed publishes from the same "
        "process. Event time = publish time, so a window's end is the publish time of its last possible event: "
        "latency = row written - window end. "
        f"Load average at the end: {load} on {context.cores} cores (other jobs on the machine count in it).",
        "",
        "| accounts | rate scale | runner | run s | offered events/s | backlog at the end | sustained events/s "
        "| CPU s | events per CPU s | counted share | windows | score latency p50 / p95 s | late/early third | alerts "
        "| alert latency p50 / p95 s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in points:
        lines.append(
            f"| {p.accounts} | {p.rate_scale:g} | {p.runner_mode} | {p.run_s:.0f} | {_fmt(p.offered_events_per_s)} | "
            f"{p.backlog:,} | {_fmt(sustained_events_per_s(p))} | {_fmt(p.cpu_s)} | {_fmt(events_per_cpu_s(p), 0)} | "
            f"{_fmt(p.counted_share, 3)} | {p.windows} | "
            f"{_fmt(p.score_latency_p50_s)} / "
            f"{_fmt(p.score_latency_p95_s)} | {_fmt(p.late_third_over_early_third, 2)} | {p.alerts} | "
            f"{_fmt(p.alert_latency_p50_s)} / {_fmt(p.alert_latency_p95_s)} |"
        )
    lines += [
        "",
        "`stock` is the BundleBasedDirectRunner as shipped, `fast` the local streaming mode of",
        "`distillwatch/local_streaming.py` (the demo's): the same graph, with up to 2,000 messages per bundle",
        "instead of 10 and each DoFn class's state and timer specs worked out once instead of at every bundle start.",
        "Backlog: messages still in the subscription when the run was cancelled; sustained events/s = (published -",
        "backlog) / run time. Above a 10 % backlog the runner fell behind. CPU s: this process (runner, feed and",
        "publisher), the steadier figure when other jobs share the machine. The counted share compares the request",
        "counts of the windows closed by the end with what the published events add up to in them, over the windows",
        "at the request floor (the only ones written, pipelines/request_floor.py; 1: nothing lost or counted",
        "twice); the late/early ratio compares the score latency of the last third of closed",
        "windows with the first third (well above 1: falling behind).",
        "",
        "In streaming, each bundle's events are folded into one accumulator per account and pane before the",
        "windowed groupings (`pipelines/bundle_panes.py`): the trigger driver moves panes, not events.",
        "What bounds the local runner (py-spy profiles): its cost is per bundle, per ParDo and per element; with 300",
        "accounts a bundle holds few events per account and pane, which bounds what the fold saves.",
        f"Stock: {_sustained(points, STOCK)}. Fast: {_sustained(points, 'fast')}.",
        "No measure of Dataflow, whose per-core figures the batch benchmark (RESULTS.md) and infra/RUNBOOK.md give.",
        "",
    ]
    path = out / "RESULTS_streaming.md"
    path.write_text("\n".join(lines))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--points",
        default="30x100/stock,30x100,30x250,300x25",
        help="comma-separated ACCOUNTSxRATE_SCALE runs (rate scale multiplies every account's request rate); "
        "a /stock suffix runs the BundleBasedDirectRunner as shipped instead of the fast local mode",
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
    for name in args.points.split(","):
        size, _, mode = name.partition("/")
        accounts, scale = size.split("x")
        point = measure(float(scale), int(accounts), args.run_s, args.model, args.workdir, mode or "fast")
        print(json.dumps(asdict(point)), flush=True)
        points.append(point)
    context = RunContext.now()
    save_results(points, context, args.out)
    print(f"report: {report(points, context, args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
