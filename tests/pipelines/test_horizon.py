"""Long-horizon evidence: per-account horizon windows, the same in batch and streaming, and what they alert."""

import datetime as dt

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from pipelines.config import DetectConfig, WindowConfig
from pipelines.features.accumulator import WindowAccumulator
from pipelines.features.extract import feature_dict
from pipelines.features.offline import sliding_windows
from pipelines.windowing import PanesToWindows
from tests.events import T0, event

BASE = T0.timestamp()
HORIZON = DetectConfig(input="in.jsonl", output="out.duckdb", horizon_s=4 * 3600)
CHECKED = ("request_count", "harvest_tokens", "harvest_per_minute", "harvest_per_account_day", "account_age_days")


def low_rate_extraction(n, account_id="slow"):
    """~9 requests an hour: never 20 in any 60-min window, top-20 logprobs, answers at max_tokens."""
    at = T0 + dt.timedelta(seconds=n * 397)
    return event(
        n,
        account_id=account_id,
        at=at,
        completion_tokens=1000,
        prompt_tokens=40,
        params={"max_tokens": 1000, "temperature": 0.0, "logprobs": True, "top_logprobs": 20, "n": 2},
        prompt={"text": f"Question {n}: explain the proof step by step"},
        account={"created_at": "2025-12-31T22:00:00Z", "tier": "free"},
    )


EVENTS = [low_rate_extraction(n) for n in range(60)]  # 6.6 h


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
