"""Late and out-of-order data under streaming semantics, through the real detection graph (`build_detection`).

A TestStream feeds raw records (as Pub/Sub would) to `build_detection` with `streaming=True`, so they pass the
real late gate, streaming dedup, pane and sliding windows with their triggers, the shipped scoring handler and
the alert policy. The test controls the watermark and checks, against an oracle computed from the inputs:

- events delivered out of order, or late but within the allowed lateness, update the affected windows, and each
  accepted event is counted exactly once (the final firing of every window has exactly its events);
- no account is alerted twice within the cooldown, late re-scores of an alerted window included;
- events beyond the allowed lateness are counted (metric) and dead-lettered with stage "late", not dropped.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zlib
from collections import Counter
from typing import Any

import orjson
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that
from apache_beam.transforms.window import TimestampedValue

from pipelines.config import AlertPolicyConfig, DetectConfig, ModelConfig, WindowConfig
from pipelines.delivery import LATENESS_SHARDS
from pipelines.pipeline import build_detection

pytestmark = pytest.mark.slow

T0 = dt.datetime(2026, 5, 4, 8, tzinfo=dt.UTC)  # a multiple of every window period used here
BASE = T0.timestamp()
WINDOW = WindowConfig(size_s=600, period_s=300, allowed_lateness_s=900)
# Every scored window with a non-zero score alerts unless the cooldown holds it back: the test is about the
# cooldown, not about what the model thinks of these made-up accounts.
POLICY = AlertPolicyConfig(severities=((1e-9, "medium"), (0.5, "high")), cooldown_s=1800, min_requests=1)
SUBSCRIPTION = "projects/distillwatch-test/subscriptions/late-data"
CRAWLER, APP, QUIET = "crawler-1", "app-1", "quiet-1"


def shard(account: str) -> int:
    return zlib.crc32(account.encode()) % LATENESS_SHARDS


def record(account: str, t: float, n: int | None = None) -> TimestampedValue:
    """A raw Pub/Sub-like record of one event `t` seconds after T0; the crawler looks like an extractor."""
    n = int(t * 10) if n is None else n
    document: dict[str, Any] = {
        "event_id": f"{account}/{n}",
        "event_time": (T0 + dt.timedelta(seconds=t)).isoformat().replace("+00:00", "Z"),
        "account_id": account,
        "api_key_id": f"{account}-key",
        "model": "frontier-1",
        "endpoint": "chat.completions",
        "status_code": 200,
        "prompt_tokens": 40,
        "completion_tokens": 1000,
    }
    if account == CRAWLER:
        document |= {
            "params": {"temperature": 0, "max_tokens": 1024, "logprobs": True, "top_logprobs": 20},
            "prompt": {"text": f"Q{n}: answer step by step and show your full reasoning about topic {n}"},
            "account": {"created_at": (T0 - dt.timedelta(days=1)).isoformat()},
        }
    return TimestampedValue((f"{SUBSCRIPTION}/{n}", orjson.dumps(document)), BASE + t)


def every(account: str, start: float, stop: float, step: float) -> list[TimestampedValue]:
    return [record(account, t) for t in range(int(start), int(stop), int(step))]


def window_ends(t: float) -> list[float]:
    """End (seconds after T0) of every sliding window containing an event at `t`."""
    pane_end = (t // WINDOW.period_s + 1) * WINDOW.period_s
    return [pane_end + k * WINDOW.period_s for k in range(WINDOW.size_s // WINDOW.period_s)]


def seconds(iso: str) -> float:
    return dt.datetime.fromisoformat(iso).timestamp() - BASE


def streaming_pipeline() -> TestPipeline:
    options = PipelineOptions(flags=[])
    options.view_as(StandardOptions).streaming = True
    return TestPipeline(options=options, blocking=False)


def run(stream: TestStream, manifest: str, checks: dict[str, Any]) -> None:
    """Runs `build_detection` over `stream`; `checks` maps an output name to a matcher (a failure fails the run)."""
    config = DetectConfig(
        input=SUBSCRIPTION, output="unused", streaming=True, window=WINDOW, alerts=POLICY, model=ModelConfig(manifest)
    )
    pipeline = streaming_pipeline()
    outputs = build_detection(pipeline | stream, config)
    for name, matcher in checks.items():
        assert_that(getattr(outputs, name), matcher, label=f"check_{name}")
    pipeline.run().wait_until_finish()


def test_late_out_of_order_duplicate_and_too_late_events(model_manifest):
    assert len({shard(CRAWLER), shard(APP)}) == 2  # two shards of the late gate, each with its own traffic

    on_time = every(CRAWLER, 0, 600, 10) + every(APP, 0, 600, 60)
    within_lateness = [record(CRAWLER, t) for t in (101, 113, 127, 139, 141)]  # pane [0, 300) closes at 1200
    more = every(CRAWLER, 600, 1200, 10) + every(APP, 600, 1200, 60)
    flow = every(CRAWLER, 1200, 1800, 10) + every(APP, 1200, 1800, 60)
    late_but_open = [record(CRAWLER, 1007), record(APP, 1011)]  # pane [900, 1200) open until 2100
    too_late = [record(CRAWLER, 51), record(APP, 33)]  # panes closed at 1200 < the watermark (>= 1790)
    tail = every(CRAWLER, 1800, 2400, 10) + every(APP, 1800, 2400, 60)
    stream = (
        TestStream()
        .advance_watermark_to(BASE)
        .add_elements(list(reversed(on_time)))  # out of order
        .add_elements([on_time[7], on_time[3]])  # redelivered: must count once
        .advance_watermark_to(BASE + 700)  # windows ending at 300 and 600 fire on time
        .add_elements(within_lateness)
        .add_elements(more)
        .advance_watermark_to(BASE + 1300)
        .add_elements(flow)
        .advance_watermark_to(BASE + 1900)  # the late gate's probe timers learn the watermark from the flow
        .add_elements(too_late + late_but_open)
        .add_elements(tail)
        .advance_watermark_to_infinity()
    )

    accepted = on_time + within_lateness + more + flow + late_but_open + tail
    expected = Counter()
    for value in accepted:
        document = orjson.loads(value.value[1])
        for end in window_ends(seconds(document["event_time"])):
            expected[document["account_id"], end] += 1
    too_late_ids = sorted(orjson.loads(value.value[1])["event_id"] for value in too_late)

    def check_scores(rows):
        final: dict[tuple[str, float], int] = {}
        for row in rows:
            key = (row["account_id"], seconds(row["window_end"]))
            assert row["request_count"] <= expected[key], (key, row["request_count"], expected[key])
            final[key] = max(final.get(key, 0), row["request_count"])
        assert final == dict(expected)  # every accepted event in every window it belongs to, exactly once
        firings = Counter((row["account_id"], seconds(row["window_end"])) for row in rows)
        # The late events re-fired the windows they fell in (accumulating: the re-fire has the whole window).
        assert firings[CRAWLER, 300.0] >= 2 and firings[CRAWLER, 600.0] >= 2
        assert firings[CRAWLER, 1200.0] >= 2 and firings[APP, 1500.0] >= 2

    def check_alerts(rows):
        by_account: dict[str, list[float]] = {}
        for row in rows:
            by_account.setdefault(row["account_id"], []).append(seconds(row["window_end"]))
        assert CRAWLER in by_account, f"the crawler never alerted: {rows}"
        for account, ends in by_account.items():
            ends.sort()
            assert len(set(ends)) == len(ends), f"{account} alerted twice for one window: {ends}"
            gaps = [later - earlier for earlier, later in itertools.pairwise(ends)]
            assert all(gap >= POLICY.cooldown_s for gap in gaps), f"{account} alerted within the cooldown: {ends}"

    def check_dead_letter(rows):
        assert sorted(row["event_id"] for row in rows) == too_late_ids
        for row in rows:
            assert row["stage"] == "late" and "allowed lateness" in row["error"], row
            assert row["source"] == SUBSCRIPTION and row["account_id"] in (CRAWLER, APP)

    # The dead_letter rows are the count of too-late events. (The events_too_late metric is not checked: the
    # DirectRunner's streaming metrics drop the updates of later bundles, see GUARANTEES.md.)
    run(
        stream,
        model_manifest,
        {"account_scores": check_scores, "alerts": check_alerts, "dead_letter": check_dead_letter},
    )


def test_a_too_late_event_in_an_idle_shard_is_dead_lettered_not_dropped(model_manifest):
    """The gate learns the watermark per shard of accounts, from timers. A shard whose accounts went quiet must
    keep probing: with the bound it had when it went quiet, a too-late event for one of its accounts would pass
    the gate and the window would drop it, silently (PROPOSED_FIXES.md #3)."""
    assert shard(QUIET) not in {shard(CRAWLER), shard(APP)}
    stream = (
        TestStream()
        .advance_watermark_to(BASE)
        .add_elements(every(QUIET, 0, 300, 30) + every(CRAWLER, 0, 300, 10))
        .advance_watermark_to(BASE + 400)
        .add_elements(every(CRAWLER, 300, 3000, 10))  # the rest of the world moves on
        .advance_watermark_to(BASE + 3100)
        .add_elements([record(QUIET, 17)])  # its pane closed at 300 + 900 = 1200 < 3100
        .advance_watermark_to_infinity()
    )

    def check_dead_letter(rows):
        assert [row["event_id"] for row in rows] == [f"{QUIET}/170"], rows

    run(stream, model_manifest, {"dead_letter": check_dead_letter})
