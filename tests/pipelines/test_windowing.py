"""Windowing under streaming semantics (TestStream): out-of-order and late events, no double counting."""

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms import window
from apache_beam.transforms.window import TimestampedValue

from pipelines.config import WindowConfig
from pipelines.windowing import WindowPerAccount
from tests.events import T0, event

BASE = T0.timestamp()


def at(seconds, account_id="a"):
    e = event(int(seconds), account_id=account_id)
    return TimestampedValue(e, e.timestamp)


def window_counts(kv, pane_window=beam.DoFn.WindowParam):
    account_id, accumulator = kv
    return account_id, int(float(pane_window.start) - BASE), accumulator.count


def streaming_options():
    options = PipelineOptions(flags=[])
    options.view_as(StandardOptions).streaming = True
    return options


def test_out_of_order_and_late_events_update_windows_exactly_once():
    stream = (
        TestStream()
        .advance_watermark_to(BASE)
        .add_elements([at(70), at(10), at(130), at(15, account_id="b")])  # out of order
        .advance_watermark_to(BASE + 200)  # closes windows ending at 60, 120, 180
        .add_elements([at(20)])  # late for [-60,60) and [0,120), within allowed lateness
        .advance_watermark_to(BASE + 10_000)  # beyond the lateness horizon of every early window
        .add_elements([at(25)])  # too late: dropped by the windowing (issue: route to dead letter)
        .advance_watermark_to_infinity()
    )
    config = WindowConfig(size_s=120, period_s=60, allowed_lateness_s=300)
    with TestPipeline(options=streaming_options()) as p:
        counts = p | stream | WindowPerAccount(config, streaming=True) | beam.Map(window_counts)
        assert_that(
            counts,
            equal_to(
                [
                    # on-time firings
                    ("a", -60, 1),
                    ("a", 0, 2),
                    ("a", 60, 2),
                    ("b", -60, 1),
                    ("b", 0, 1),
                    # late firings re-emit the whole updated window (accumulating), each event once
                    ("a", -60, 2),
                    ("a", 0, 3),
                    # closed when the watermark passes 240
                    ("a", 120, 1),
                ]
            ),
        )


def test_every_event_is_counted_in_exactly_size_over_period_windows():
    events = [at(n * 7) for n in range(500)]
    config = WindowConfig(size_s=3600, period_s=300)
    with TestPipeline() as p:
        windows = p | beam.Create(events) | WindowPerAccount(config, streaming=False) | beam.Map(window_counts)
        total = (
            windows | beam.WindowInto(window.GlobalWindows()) | beam.Map(lambda kv: kv[2]) | beam.CombineGlobally(sum)
        )
        # 500 events over 3493 s: each appears in exactly 12 windows
        assert_that(total, equal_to([500 * 12]))
