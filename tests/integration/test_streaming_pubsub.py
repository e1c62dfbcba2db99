"""Streaming end to end: simulator traffic published to a local Pub/Sub emulator, read by the real detection
graph (`build_pipeline`) on the BundleBasedDirectRunner with --streaming, scored by the shipped model, and
landing in DuckDB as scores, alerts and dead letters.

The first 150 s of traffic are published as a backlog with event times in the past, the rest is replayed in
real time. The runner's Pub/Sub watermark is the wall clock, so the backlog's windows have already ended when
their events arrive: with enough allowed lateness they fire at once (then again per late bundle, accumulating)
instead of minutes later. The live replay keeps every pull short: the runner has one worker thread, and a
pull on an idle subscription blocks it, timers and `cancel()` included, for 30 s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time

import apache_beam as beam
import numpy as np
import orjson
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from devtools.demo import ReplayFeed, simulated_events
from devtools.pubsub_emulator import EmulatorUnavailableError, EventPublisher, PacedPublisher, PubSubEmulator
from pipelines.artifact import load_verified_model
from pipelines.config import DEFAULT_MODEL_MANIFEST, AlertPolicyConfig, DetectConfig, ModelConfig, WindowConfig
from pipelines.features.extract import feature_vector
from pipelines.features.offline import account_windows
from pipelines.pipeline import build_pipeline
from pipelines.sinks.duckdb_sink import open_store
from simulator.archetypes import ARCHETYPES
from simulator.generator import Simulation, SimulationConfig

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# One logprob harvester and one consumer app, busy enough that every full window passes min_requests.
SIMULATION = SimulationConfig(
    seed=5,
    start=dt.datetime(2026, 3, 3, 14, tzinfo=dt.UTC),
    duration_hours=0.25,
    accounts=2,
    extraction_fraction=0.5,
    campaign_sizes=(),
    organisation_sizes=(),
    rate_scale=3.0,
    archetype_mix={a.name: 0.0 for a in ARCHETYPES} | {"logprob_harvest": 1.0, "consumer_app": 1.0},
)
REPLAY_FROM_S = 300  # simulated seconds skipped, so the attack is under way when the test's traffic starts
BACKLOG_S = 150
WINDOW = WindowConfig(size_s=120, period_s=60, allowed_lateness_s=900)
POLICY = AlertPolicyConfig()
SECRET = "top secret prompt"
WAIT_S = 150.0
POLL_S = 1.0


@pytest.fixture(scope="module")
def manifest_path() -> str:
    # The shipped artifact must exist and verify: its absence fails the test, it never skips it.
    load_verified_model(DEFAULT_MODEL_MANIFEST)
    return DEFAULT_MODEL_MANIFEST


@pytest.fixture
def emulator(tmp_path):
    with contextlib.ExitStack() as stack:
        try:
            running = stack.enter_context(PubSubEmulator(log_path=tmp_path / "pubsub-emulator.log"))
        except EmulatorUnavailableError as error:
            pytest.skip(f"Pub/Sub emulator unavailable: {error}")
        yield running


def final_windows(store) -> dict[tuple[str, float], tuple[int, float, dict[str, float]]]:
    """(account, window end) -> (request count, score, features) of the window's most complete firing."""
    rows = store.execute(
        "select account_id, epoch(window_end), max(request_count), "
        "arg_max(struct_pack(score := score, features := features), request_count) from account_scores group by all"
    ).fetchall()
    return {
        (account, end): (count, firing["score"], orjson.loads(firing["features"]))
        for account, end, count, firing in rows
    }


def assert_same_window(got: tuple[int, float, dict[str, float]], count: int, features: dict, score: float) -> None:
    # Every feature is order-independent (tests/reliability/GUARANTEES.md, section 2): only float sums may
    # differ in their last bits, because the streaming path folds events per bundle.
    got_count, got_score, got_features = got
    assert got_count == count
    assert set(got_features) == set(features)
    for name, value in features.items():
        assert got_features[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name
    assert got_score == pytest.approx(score, abs=1e-9)


def test_streaming_pipeline_scores_alerts_and_dead_letters_pubsub_events(emulator, manifest_path, tmp_path):
    simulation = Simulation(SIMULATION)
    truth = simulation.ground_truth()
    extractors = {t.account_id for t in truth if t.label == "extraction"}
    assert extractors and all(
        dt.datetime.fromisoformat(str(t.attack_onset)) <= SIMULATION.start + dt.timedelta(seconds=REPLAY_FROM_S)
        for t in truth
        if t.label == "extraction"
    ), "the simulated attack must start before the replayed slice"

    now = time.time()
    shift_s = now - BACKLOG_S - (SIMULATION.start.timestamp() + REPLAY_FROM_S)
    replay = ReplayFeed(e for e in simulated_events(simulation, shift_s) if e.timestamp >= now - BACKLOG_S)
    backlog = replay(now)
    # What the pipeline must converge to for every window that had ended when the backlog was published:
    # the same features (so the same score) as the offline code the model was trained with, for every window at
    # the request floor (the others cannot alert and are not written, pipelines/request_floor.py).
    model = load_verified_model(manifest_path)
    closed = [w for w in account_windows(backlog, WINDOW, POLICY.min_requests) if w.window_end <= now]
    offline_scores = model.estimator.predict_proba(np.vstack([feature_vector(w.features) for w in closed]))[:, 1]
    expected = {
        (w.account_id, w.window_end): (int(w.features["request_count"]), float(score))
        for w, score in zip(closed, offline_scores, strict=True)
    }
    offline_features = {(w.account_id, w.window_end): w.features for w in closed}

    subscription = emulator.create_topic_and_subscription("usage-events", "detector")
    output = str(tmp_path / "detections.duckdb")
    open_store(output).close()
    with EventPublisher(emulator.topic_path("usage-events")) as publisher:
        publisher.publish_events(backlog)
        # No event_time attribute: the message's publish time becomes its timestamp.
        publisher.publish_raw(b'{"event_id": "broken-1", "prompt": {"text": "' + SECRET.encode() + b'", "model": ')
        published_at = time.monotonic()

        config = DetectConfig(
            input=subscription,
            output=output,
            streaming=True,
            window=WINDOW,
            alerts=POLICY,
            model=ModelConfig(manifest_path),
        )
        pipeline = beam.Pipeline(options=PipelineOptions(flags=[], runner="BundleBasedDirectRunner", streaming=True))
        build_pipeline(pipeline, config)
        result = pipeline.run()
        live = PacedPublisher(publisher, replay, interval_s=2.0)
        live.start()
        first_alert_s = None
        try:
            with open_store(output) as store:
                deadline = time.monotonic() + WAIT_S
                while True:
                    windows = final_windows(store)
                    alerted = {row[0] for row in store.execute("select account_id from alerts").fetchall()}
                    dead = store.execute("select count(*) from dead_letter").fetchone()[0]
                    if first_alert_s is None and alerted & extractors:
                        first_alert_s = time.monotonic() - published_at
                    complete = all(windows.get(key, (0,))[0] == count for key, (count, _) in expected.items())
                    if (complete and dead and extractors <= alerted) or time.monotonic() > deadline:
                        break
                    time.sleep(POLL_S)
        finally:
            # Cancel while the replay still publishes, so the runner's in-flight pull returns at once.
            result.cancel()
            live.stop()
    assert live.error is None
    assert complete, f"windows after {WAIT_S:.0f}s: {windows}, expected {expected}"
    assert dead, "the malformed record never reached dead_letter"
    assert extractors <= alerted, f"no alert for {extractors - alerted}; offline scores {expected}"
    print(f"\nbacklog of {len(backlog)} events: publish -> first alert {first_alert_s:.1f}s")

    for key, (count, offline_score) in expected.items():
        assert_same_window(windows[key], count, offline_features[key], offline_score)
    assert all(count >= POLICY.min_requests for count, *_ in windows.values()), "a window below the floor was written"
    with open_store(output) as store:
        assert store.execute("select distinct model_version from account_scores").fetchall() == [(model.version,)]
        alerts = store.execute("select account_id, severity, score, request_count, len(reasons) from alerts").fetchall()
        dead_letters = store.execute("select stage, source, payload, event_id from dead_letter").fetchall()
    assert {account for account, *_ in alerts} == extractors  # and so no benign account
    for _, severity, score, request_count, reasons in alerts:
        assert severity == POLICY.severity(score)
        assert request_count >= POLICY.min_requests
        assert reasons > 0

    assert len(dead_letters) == 1
    stage, source, payload, event_id = dead_letters[0]
    assert stage == "parse"
    assert source.startswith(subscription + "/")
    assert SECRET not in payload
    assert event_id is None  # unparseable JSON: nothing can be read from it
