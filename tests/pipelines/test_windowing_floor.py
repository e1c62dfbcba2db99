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
from pipelines.features.accumulator import WindowAccumulator
from pipelines.features.extract import feature_dict
from pipelines.features.offline import account_windows, sliding_windows
from pipelines.windowing import WindowPerAccount, windows_of_block
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


def test_a_block_merges_only_its_windows_at_the_floor_and_from_every_pane_they_hold():
    panes = {}
    for offset, requests in ((0, 1), (300, 2), (900, 3), (1800, 1)):  # block 0 = [0, 900), block 1 = [900, 1800)
        pane = panes.setdefault(int(BASE) + offset, WindowAccumulator())
        for n in range(requests):
            pane.add(event(offset + n, at=T0 + dt.timedelta(seconds=offset + n)))
    block = int(BASE) // 900
    assert int(BASE) % 900 == 0
    got = {start - int(BASE): (w.count if w is not None else None)
           for start, w in windows_of_block(block, panes.items(), CONFIG, 4, WindowAccumulator)}  # fmt: skip
    # windows starting in the block: [0, 900) holds 3, [300, 1200) holds 5, [600, 1500) holds 3
    assert got == {0: None, 300: 5, 600: None}
    assert all(p.count == c for p, c in zip(panes.values(), (1, 2, 3, 1), strict=True))  # panes left as they were


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


def varied_panes(offsets):
    """Pane start -> accumulator, with distinct ips, user agents and prompts so every sketch holds something."""
    panes = {}
    for offset, requests in offsets:
        pane = panes.setdefault(int(BASE) + offset, WindowAccumulator())
        for n in range(requests):
            seconds = offset + n
            client = {"ip": f"10.0.{n % 3}.{seconds % 7}", "user_agent": f"agent-{seconds % 4}"}
            prompt = {"text": f"Q{seconds}: translate item {n % 5} step by step"}
            pane.add(event(seconds, at=T0 + dt.timedelta(seconds=seconds), client=client, prompt=prompt))
    return panes


# Two blocks of three panes (900 s windows every 300 s), with a gap: windows of one pane, of panes from both blocks.
OFFSETS = ((0, 2), (300, 1), (600, 3), (900, 4), (1500, 2), (1800, 1), (2400, 5))


@pytest.mark.parametrize("floor", [0, 4])
def test_a_block_builds_the_windows_of_the_offline_sliding_windows(floor):
    panes = varied_panes(OFFSETS)
    offline = {start: feature_dict(w, start, start + CONFIG.size_s) for start, w in sliding_windows(panes, CONFIG)}
    for block in range(int(BASE) // 900 - 1, int(BASE) // 900 + 3):
        in_block = {p: w for p, w in panes.items() if block * 900 <= p < (block + 2) * 900}
        for start, merged in windows_of_block(block, in_block.items(), CONFIG, floor, WindowAccumulator):
            assert block * 900 <= start < (block + 1) * 900
            if offline[start]["request_count"] < floor:
                assert merged is None
            else:
                assert feature_dict(merged, start, start + CONFIG.size_s) == offline[start]


class CountingAccumulator(WindowAccumulator):
    __slots__ = ()
    merges = 0

    def merge(self, other):
        CountingAccumulator.merges += 1
        return super().merge(other)


def test_a_window_costs_at_most_one_merge_beyond_its_blocks_suffixes_and_prefixes():
    size_s, period_s = 3600, 300  # 12 panes a window
    config = WindowConfig(size_s=size_s, period_s=period_s)
    panes = {}
    for offset in range(0, 2 * size_s, period_s):
        pane = panes.setdefault(int(BASE) // size_s * size_s + offset, CountingAccumulator())
        pane.add(event(offset, at=T0 + dt.timedelta(seconds=offset)))
    block = min(panes) // size_s
    CountingAccumulator.merges = 0
    windows = list(windows_of_block(block, panes.items(), config, 0, CountingAccumulator))
    assert len(windows) == 12
    # Two merges each (into a new accumulator): 11 suffixes of this block, the 10 prefixes of the next block that
    # a window holds, and the 11 windows that hold both; merging each window's 12 panes one by one would take 144.
    assert CountingAccumulator.merges == 2 * 11 + 2 * 10 + 2 * 11
