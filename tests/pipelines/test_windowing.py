"""Windowing under streaming semantics (TestStream): out-of-order and late events, no double counting."""

import apache_beam as beam
import pytest
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


def window_summary(kv, pane_window=beam.DoFn.WindowParam):
    account_id, accumulator = kv
    start, end = int(float(pane_window.start) - BASE), int(float(pane_window.end) - BASE)
    return account_id, start, end, accumulator.count, accumulator.prompt_tokens


@pytest.mark.parametrize("streaming", [False, True], ids=["batch", "streaming"])
def test_both_paths_build_exactly_the_sliding_windows_of_each_account(streaming):
    """Batch keys panes and windows by start time (no triggers); streaming uses Beam's windows: same result."""
    offsets = [(n * 37) % 2000 for n in range(400)]  # out of order
    events = [at(offset, account_id=f"acct-{n % 3}") for n, offset in enumerate(offsets)]
    config = WindowConfig(size_s=900, period_s=300)
    expected: dict[tuple[str, int], list[int]] = {}
    for n, offset in enumerate(offsets):
        pane = offset // 300 * 300
        for start in range(pane - 600, pane + 1, 300):  # the 900/300 = 3 windows holding the pane
            totals = expected.setdefault((f"acct-{n % 3}", start), [0, 0])
            totals[0] += 1
            totals[1] += events[n].value.prompt_tokens
    with TestPipeline() as p:
        windows = p | beam.Create(events) | WindowPerAccount(config, streaming=streaming) | beam.Map(window_summary)
        rows = [(account, start, start + 900, count, tokens) for (account, start), (count, tokens) in expected.items()]
        assert_that(windows, equal_to(rows))
