"""`distillwatch demo --streaming`: the real streaming pipeline on a laptop, fed a simulated live API.

Starts the Pub/Sub emulator, creates a topic and subscription, replays simulator traffic in real time
(event_time = now) from a background thread, runs the detection pipeline on the BundleBasedDirectRunner
into a DuckDB file, prints alerts as they land there, and closes with how they compare to ground truth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import apache_beam as beam
import duckdb
import msgspec
import orjson
from apache_beam.options.pipeline_options import PipelineOptions

from devtools.pubsub_emulator import EventPublisher, PacedPublisher, PubSubEmulator
from distillwatch.ground_truth import compare_alerts
from distillwatch.local_streaming import use_fast_local_streaming
from pipelines.artifact import load_verified_model
from pipelines.config import (
    DEFAULT_MODEL_MANIFEST,
    AlertPolicyConfig,
    DetectConfig,
    ModelConfig,
    WindowConfig,
    manifest_alert_threshold,
)
from pipelines.contract import UsageEvent, decode_event
from pipelines.pipeline import build_pipeline
from pipelines.sinks.duckdb_sink import open_store
from simulator.generator import Simulation, SimulationConfig

log = logging.getLogger("distillwatch.demo")

TOPIC = "usage-events"
SUBSCRIPTION = "detector"
STREAMING_RUNNER = "BundleBasedDirectRunner"
# Every pull is one bundle through the whole graph on a single worker thread: ticks of 1 s give fewer, fuller
# bundles than per-event publishing, so the runner keeps up, and still keep every pull short.
FEED_TICK_S = 1.0
POLL_S = 2.0
MALFORMED_EVERY_S = 60.0
SECRET = b"secret prompt text"


def simulated_events(simulation: Simulation, shift_s: float = 0.0) -> Iterator[UsageEvent]:
    """The simulation's events as contract structs, in event-time order, every time moved by `shift_s`.

    Event times and account creation times move together, so every feature of every window is unchanged.
    """
    delta = dt.timedelta(seconds=shift_s)
    for document in simulation.events():
        event = decode_event(orjson.dumps(document))
        if shift_s:
            account = event.account
            if account is not None and account.created_at is not None:
                account = msgspec.structs.replace(account, created_at=account.created_at + delta)
            event = msgspec.structs.replace(event, event_time=event.event_time + delta, account=account)
        yield event


class ReplayFeed:
    """Releases a time-ordered event stream in real time: each call returns the events whose time has come."""

    def __init__(self, events: Iterable[UsageEvent]) -> None:
        self._events = iter(events)
        self._next = next(self._events, None)

    def __call__(self, now: float) -> list[UsageEvent]:
        due = []
        while self._next is not None and self._next.timestamp <= now:
            due.append(self._next)
            self._next = next(self._events, None)
        return due


class DemoFeed:
    """What the simulated API gateway emits at each tick: replayed traffic, now and then a malformed record."""

    def __init__(self, replay: ReplayFeed) -> None:
        self._replay = replay
        self._next_malformed: float | None = None
        self.events = 0
        self.malformed = 0

    def __call__(self, now: float) -> list[UsageEvent | bytes]:
        items: list[UsageEvent | bytes] = list(self._replay(now))
        self.events += len(items)
        if self._next_malformed is None:
            self._next_malformed = now + MALFORMED_EVERY_S / 2
        if now >= self._next_malformed:
            # A gateway bug: the dead_letter table must catch it, with the prompt text redacted.
            items.append(b'{"event_id": "broken-%d", "prompt": {"text": "%s' % (int(now), SECRET))
            self.malformed += 1
            self._next_malformed = now + MALFORMED_EVERY_S
        return items


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--streaming", action="store_true", help="run the streaming demo (Pub/Sub emulator)")
    parser.add_argument("--duration", type=float, default=180.0, help="seconds to run before shutting down")
    parser.add_argument("--output", default=None, help="DuckDB file (default: a new out/demo-<time>.duckdb)")
    parser.add_argument("--model", default=DEFAULT_MODEL_MANIFEST, help="model manifest.json")
    parser.add_argument("--window-size", type=int, default=120, help="sliding window size, seconds")
    parser.add_argument("--window-period", type=int, default=60, help="sliding window period, seconds")
    parser.add_argument("--alert-cooldown", type=int, default=600, help="seconds between alerts per account")
    parser.add_argument("--accounts", type=int, default=30, help="simulated accounts")
    parser.add_argument("--extraction-fraction", type=float, default=0.2, help="share of extraction accounts")
    parser.add_argument("--rate-scale", type=float, default=3.0, help="multiplies every account's request rate")
    parser.add_argument("--seed", type=int, default=7, help="simulation seed")


def _new_alerts(store: duckdb.DuckDBPyConnection, seen: set[str]) -> list[tuple]:
    rows = store.execute(
        """
        select alert_id, account_id, severity, score, window_end, created_at,
               list_transform(reasons[1:3], r -> r.feature || '=' || round(r.value, 2)::varchar)
        from alerts order by created_at
        """
    ).fetchall()
    return [row for row in rows if row[0] not in seen]


def _print_alert(row: tuple, labels: dict[str, str], feed_started_s: float) -> None:
    _, account_id, severity, score, window_end, created_at, reasons = row
    # Event time = publish time here, so created_at - window_end is the publish->alert latency of the
    # window's last request.
    print(
        f"  ALERT t+{created_at.timestamp() - feed_started_s:3.0f}s {account_id} ({labels.get(account_id, '?')}) "
        f"{severity} score={score:.3f} window ..{window_end:%H:%M:%S} "
        f"+{(created_at - window_end).total_seconds():.1f}s  {', '.join(reasons)}",
        flush=True,
    )


def _follow_alerts(
    store: duckdb.DuckDBPyConnection,
    duration_s: float,
    feed: PacedPublisher,
    labels: dict[str, str],
    feed_started_s: float,
) -> None:
    seen: set[str] = set()
    deadline = time.monotonic() + duration_s
    try:
        while time.monotonic() < deadline and feed.error is None:
            time.sleep(POLL_S)
            for row in _new_alerts(store, seen):
                seen.add(row[0])
                _print_alert(row, labels, feed_started_s)
    except KeyboardInterrupt:
        print("\ndemo: interrupted")


def _print_summary(store: duckdb.DuckDBPyConnection, simulation: Simulation, feed: DemoFeed, output: str) -> None:
    windows, accounts = store.execute("select count(*), count(distinct account_id) from account_scores").fetchone()
    alerted = {row[0] for row in store.execute("select distinct account_id from alerts").fetchall()}
    malformed, late, leaked = store.execute(
        "select count(*) filter (where stage = 'parse'), count(*) filter (where stage = 'late'),"
        " count(*) filter (where contains(payload, ?)) from dead_letter",
        [SECRET.decode()],
    ).fetchone()
    truth = simulation.ground_truth()
    extraction = [t for t in truth if t.label == "extraction" and t.attack_onset]
    print(f"\ndemo: replayed {feed.events} events and {feed.malformed} malformed records; dead letters: {malformed}")
    print(f"      malformed (prompt text {'LEAKED' if leaked else 'redacted'}), {late} too late")
    print(f"demo: {windows} windows of {accounts} accounts scored; store: {output}")
    # An extraction account whose attack starts after the run is benign for as long as the demo watched it.
    outcome = compare_alerts(alerted, {t.account_id: t in extraction for t in truth})
    for line in outcome.lines():
        print(f"demo: {line}")
    peaks = {
        account: (score, requests)
        for account, score, requests in store.execute(
            "select account_id, max(score), max(request_count) from account_scores group by 1"
        ).fetchall()
    }
    for t in extraction:
        onset_s = max(0.0, (dt.datetime.fromisoformat(str(t.attack_onset)) - simulation.config.start).total_seconds())
        score, requests = peaks.get(t.account_id, (0.0, 0))
        print(
            f"      {'ALERTED' if t.account_id in alerted else 'missed '} {t.account_id} {t.archetype}/{t.variant} "
            f"attacking from t+{onset_s:.0f}s (max score {score:.2f}, max {requests} requests/window)"
        )


def run(args: argparse.Namespace) -> int:
    if not args.streaming:
        print("distillwatch demo: only the streaming demo exists; pass --streaming")
        return 2
    if not Path(args.model).is_file():
        print(f"distillwatch demo: no model manifest at {args.model}; train one first (distillwatch train)")
        return 1
    # Like `detect`: refuse a tampered or mismatched artifact before starting anything.
    load_verified_model(args.model)
    started = dt.datetime.now(dt.UTC)
    output = args.output or f"out/demo-{started:%Y%m%dT%H%M%S}.duckdb"
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    open_store(output).close()  # the tables exist before the first poll
    simulation = Simulation(
        SimulationConfig(
            seed=args.seed,
            start=started,
            duration_hours=(args.duration + 60) / 3600,
            accounts=args.accounts,
            extraction_fraction=args.extraction_fraction,
            campaign_sizes=(),
            rate_scale=args.rate_scale,
        )
    )
    labels = {t.account_id: f"{t.label}: {t.archetype}" for t in simulation.ground_truth()}
    with PubSubEmulator() as emulator:
        config = DetectConfig(
            input=emulator.create_topic_and_subscription(TOPIC, SUBSCRIPTION),
            output=output,
            streaming=True,
            # The runner's watermark is the wall clock at each pull, so requests of a window's last tick, or any
            # pulled while the runner lags, arrive late: one period of lateness re-fires the window with them.
            window=WindowConfig(args.window_size, args.window_period, allowed_lateness_s=args.window_period),
            alerts=AlertPolicyConfig(cooldown_s=args.alert_cooldown).with_alert_threshold(
                manifest_alert_threshold(args.model)
            ),
            model=ModelConfig(args.model),
        )
        use_fast_local_streaming()  # same graph, fuller bundles: see distillwatch/local_streaming.py
        pipeline = beam.Pipeline(options=PipelineOptions(flags=[], runner=STREAMING_RUNNER, streaming=True))
        build_pipeline(pipeline, config)
        result = pipeline.run()
        # The simulation starts when the feed does, whatever the emulator and pipeline took to start.
        feed_started_s = time.time()
        feed = DemoFeed(ReplayFeed(simulated_events(simulation, feed_started_s - started.timestamp())))
        with EventPublisher(emulator.topic_path(TOPIC)) as publisher:
            paced = PacedPublisher(publisher, feed, FEED_TICK_S)
            paced.start()
            print(f"demo: simulated traffic -> Pub/Sub emulator {emulator.host} -> pipeline -> {output}")
            print(f"demo: windows {args.window_size}s every {args.window_period}s; running {args.duration:.0f}s\n")
            try:
                with open_store(output) as store:
                    _follow_alerts(store, args.duration, paced, labels, feed_started_s)
                    _print_summary(store, simulation, feed, output)
            finally:
                # Cancel while the feed still publishes: the runner's in-flight pull returns at once.
                result.cancel()
                paced.stop()
    if paced.error is not None:
        log.error("demo: the live feed failed: %s", paced.error)
        return 1
    return 0
