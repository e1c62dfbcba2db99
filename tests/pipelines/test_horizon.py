"""Long-horizon evidence: per-account horizon windows, the same in batch and streaming, and what they alert."""

import datetime as dt

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from pipelines.config import AlertPolicyConfig, DetectConfig, WindowConfig
from pipelines.contract import decode_event
from pipelines.features.accumulator import WindowAccumulator
from pipelines.features.extract import feature_dict
from pipelines.features.offline import account_windows, sliding_windows
from pipelines.pipeline import build_detection
from pipelines.windowing import PanesToWindows
from tests.events import T0, event, event_bytes

BASE = T0.timestamp()
HORIZON = DetectConfig(input="in.jsonl", output="out.duckdb", horizon_s=4 * 3600)
CHECKED = ("request_count", "harvest_tokens", "harvest_per_minute", "harvest_per_account_day", "account_age_days")


def low_rate_extraction(n: int, account_id: str = "slow") -> dict:
    """~9 requests an hour: never 20 in any 60-min window, top-20 logprobs, answers at max_tokens."""
    return {
        "account_id": account_id,
        "at": T0 + dt.timedelta(seconds=n * 397),
        "completion_tokens": 1000,
        "prompt_tokens": 40,
        "params": {"max_tokens": 1000, "temperature": 0.0, "logprobs": True, "top_logprobs": 20, "n": 2},
        "prompt": {"text": f"Question {n}: explain the proof step by step"},
        "account": {"created_at": "2025-12-31T22:00:00Z", "tier": "free"},
    }


def low_rate_benign(n: int) -> dict:
    """As quiet, and ordinary: short chat answers, no logprobs, an old account."""
    return {
        "account_id": "quiet",
        "at": T0 + dt.timedelta(seconds=n * 397 + 11),
        "completion_tokens": 120,
        "params": {"temperature": 0.7, "stream": True, "max_tokens": 1000},
        "prompt": {"text": f"Can you help me word an email about topic {n}?"},
        "account": {"created_at": "2024-03-01T00:00:00Z", "tier": "tier-2"},
    }


EVENTS = [event(n, **low_rate_extraction(n)) for n in range(60)]  # 6.6 h


def summary(kv, pane_window=beam.DoFn.WindowParam):
    account_id, accumulator = kv
    start, end = float(pane_window.start), float(pane_window.end)
    features = feature_dict(accumulator, start, end)
    return account_id, int(start - BASE), tuple(round(features[name], 6) for name in CHECKED)


def oracle(config: WindowConfig) -> list[tuple]:
    """The batch function on plain Python: panes of the period, `sliding_windows`, `feature_dict`."""
    panes: dict[int, WindowAccumulator] = {}
    for e in EVENTS:
        panes.setdefault(int(e.timestamp // config.period_s * config.period_s), WindowAccumulator()).add(e)
    rows = []
    for start, accumulator in sliding_windows(panes, config):
        features = feature_dict(accumulator, start, start + config.size_s)
        rows.append(("slow", int(start - BASE), tuple(round(features[name], 6) for name in CHECKED)))
    return rows


@pytest.mark.parametrize("streaming", [False, True], ids=["batch", "streaming"])
def test_batch_and_streaming_give_the_oracle_long_horizon_values(streaming):
    config = HORIZON.horizon_window
    assert (config.size_s, config.period_s) == (4 * 3600, 3600)
    expected = oracle(config)
    assert len(expected) == 7 + 3  # windows starting 3 h before the first event to the last event's hour
    assert max(row[2][0] for row in expected) >= 20  # a horizon window holds the request floor
    with TestPipeline() as p:
        stamped = p | beam.Create([TimestampedValue(e, e.timestamp) for e in EVENTS])
        horizons = stamped | PanesToWindows(config, streaming, WindowAccumulator, late_firings=False)
        assert_that(horizons | beam.Map(summary), equal_to(expected))


def test_the_horizon_must_be_whole_periods_longer_than_the_window():
    with pytest.raises(ValueError, match="horizon"):
        DetectConfig(input="in", output="out", horizon_s=5400)
    with pytest.raises(ValueError, match="horizon"):
        DetectConfig(input="in", output="out", horizon_s=3600)
    assert DetectConfig(input="in", output="out", horizon_s=0).horizon_window is None


def test_a_low_rate_extraction_account_below_the_window_floor_alerts_through_the_horizon():
    """With the shipped model: no 60-min window holds 20 requests, the 24-h horizon does. Every 60-min window is
    below the floor, so none is scored or written (pipelines/request_floor.py), yet the horizon sees every event."""
    records = [("test", event_bytes(n, **low_rate_extraction(n))) for n in range(60)]
    records += [("test", event_bytes(1000 + n, **low_rate_benign(n))) for n in range(60)]
    config = DetectConfig(input="in.jsonl", output="out.duckdb", alerts=AlertPolicyConfig(cooldown_s=6 * 3600))
    every_window = list(account_windows([decode_event(payload) for _, payload in records], config.window))
    windows_below_floor = {w.features["request_count"] < config.alerts.min_requests for w in every_window}
    assert windows_below_floor == {True}, "NoWindowHoldsTheFloor"

    def only_the_extraction_account_alerts_through_the_horizon_within_a_day(alerts):
        assert {(a["account_id"], a["component"]) for a in alerts} == {("slow", "horizon")}, alerts
        assert all(a["request_count"] >= config.alerts.min_requests for a in alerts)
        first = min(dt.datetime.fromisoformat(a["window_end"]) for a in alerts)
        assert first - T0 <= dt.timedelta(hours=24)

    with TestPipeline() as p:
        outputs = build_detection(p | beam.Create(records), config)
        assert_that(outputs.alerts, only_the_extraction_account_alerts_through_the_horizon_within_a_day)
        assert_that(outputs.account_scores, equal_to([]), label="NoWindowIsWritten")
