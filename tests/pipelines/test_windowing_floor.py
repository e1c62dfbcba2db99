"""The request floor in the windowing: windows below it are dropped unmerged, in batch and streaming alike, and
exactly the windows the offline oracle keeps are built."""

import datetime as dt

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from pipelines.config import WindowConfig
from pipelines.features.extract import feature_dict
from pipelines.features.offline import account_windows
from pipelines.windowing import WindowPerAccount
from tests.events import T0, event

BASE = T0.timestamp()
CONFIG = WindowConfig(size_s=900, period_s=300, allowed_lateness_s=600)
FLOOR = 4


def at(seconds, account_id="a", n=None):
    e = event(int(seconds) if n is None else n, account_id=account_id, at=T0 + dt.timedelta(seconds=seconds))
    return TimestampedValue(e, e.timestamp)


def summary(kv, pane_window=beam.DoFn.WindowParam):
    account_id, accumulator = kv
    start, end = float(pane_window.start), float(pane_window.end)
    return (
        account_id,
        int(start - BASE),
        accumulator.count,
        round(feature_dict(accumulator, start, end)["harvest_tokens"]),
    )


def mixed_events():
    """A busy account (one request every 37 s) and a sparse one (one every 10 min), out of order."""
    busy = [(n * 37 * 7) % 2400 for n in range(60)]
    sparse = [n * 600 + 11 for n in range(4)]
    return [at(s, "busy", n) for n, s in enumerate(busy)] + [at(s, "sparse", 100 + n) for n, s in enumerate(sparse)]


def oracle(events, floor):
    rows = []
    for w in account_windows([e.value for e in events], CONFIG, floor):
        rows.append((w.account_id, int(w.window_start - BASE), int(w.features["request_count"]),
                     round(w.features["harvest_tokens"])))  # fmt: skip
    return rows


def streaming_options():
    options = PipelineOptions(flags=[])
    options.view_as(StandardOptions).streaming = True
    return options


@pytest.mark.parametrize("streaming", [False, True], ids=["batch", "streaming"])
def test_both_paths_build_exactly_the_windows_the_oracle_keeps_at_the_floor(streaming):
    events = mixed_events()
    expected = oracle(events, FLOOR)
    everything = oracle(events, None)
    assert {row[0] for row in expected} == {"busy"}  # the sparse account holds at most 2 requests per window
    assert len(expected) < len(everything)  # the busy account's edge windows are below the floor too
    assert all(row[2] >= FLOOR for row in expected)
    options = streaming_options() if streaming else None
    with TestPipeline(options=options) as p:
        windows = p | beam.Create(events) | WindowPerAccount(CONFIG, streaming, floor=FLOOR) | beam.Map(summary)
        assert_that(windows, equal_to(expected))


def test_without_a_floor_every_window_is_built():
    events = mixed_events()
    with TestPipeline() as p:
        windows = p | beam.Create(events) | WindowPerAccount(CONFIG, streaming=False, floor=0) | beam.Map(summary)
        assert_that(windows, equal_to(oracle(events, None)))


def test_streaming_emits_a_window_when_late_data_brings_it_to_the_floor():
    stream = (
        TestStream()
        .advance_watermark_to(BASE)
        .add_elements([at(10, n=1), at(20, n=2), at(30, n=3)])  # 3 requests: below the floor of 4
        .advance_watermark_to(BASE + 350)  # closes the pane [0, 300) and the window [-600, 300): below, dropped
        .add_elements([at(40, n=4)])  # late, within the allowed lateness: [-600, 300) now holds 4, a late firing
        .advance_watermark_to_infinity()
    )
    with TestPipeline(options=streaming_options()) as p:
        windows = p | stream | WindowPerAccount(CONFIG, streaming=True, floor=FLOOR) | beam.Map(summary)
        assert_that(windows | beam.Map(lambda row: row[1:3]), equal_to([(-600, 4), (-300, 4), (0, 4)]))
