"""Per-account sliding event-time windows whose per-event cost does not grow with size/period.

Each event is added exactly once, to the accumulator of its account's `period`-sized pane (combiner
lifting does that before the shuffle). Each pane accumulator is then merged into the size/period
sliding windows that cover it, so the fan-out is per pane, not per event.

Late data (streaming): panes fire DISCARDING (a late firing carries only the late events), windows fire
ACCUMULATING (a late firing re-emits the whole updated window), so no event is counted twice. A batch
replay has no late data, so it keeps Beam's default trigger, which runners execute far faster.
"""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.transforms import trigger, window

from pipelines.config import WindowConfig
from pipelines.contract import UsageEvent
from pipelines.features.accumulator import WindowAccumulator


class AccumulateEvents(beam.CombineFn):
    def create_accumulator(self) -> WindowAccumulator:
        return WindowAccumulator()

    def add_input(self, accumulator: WindowAccumulator, event: UsageEvent) -> WindowAccumulator:
        accumulator.add(event)
        return accumulator

    def merge_accumulators(self, accumulators: Iterable[WindowAccumulator]) -> WindowAccumulator:
        merged, *rest = accumulators
        for accumulator in rest:
            merged.merge(accumulator)
        return merged

    def extract_output(self, accumulator: WindowAccumulator) -> WindowAccumulator:
        return accumulator


class MergePanes(beam.CombineFn):
    """Combines pane accumulators into a window's. Inputs are shared by several windows: never mutated."""

    def create_accumulator(self) -> WindowAccumulator:
        return WindowAccumulator()

    def add_input(self, accumulator: WindowAccumulator, pane: WindowAccumulator) -> WindowAccumulator:
        return accumulator.merge(pane)

    def merge_accumulators(self, accumulators: Iterable[WindowAccumulator]) -> WindowAccumulator:
        merged = WindowAccumulator()
        for accumulator in accumulators:
            merged.merge(accumulator)
        return merged

    def extract_output(self, accumulator: WindowAccumulator) -> WindowAccumulator:
        return accumulator


def _window_into(
    windowfn: window.WindowFn, config: WindowConfig, accumulation: int, streaming: bool
) -> beam.WindowInto:
    if not streaming:
        return beam.WindowInto(windowfn)
    return beam.WindowInto(
        windowfn,
        trigger=trigger.AfterWatermark(late=trigger.AfterCount(1)),
        accumulation_mode=accumulation,
        allowed_lateness=config.allowed_lateness_s,
    )


class WindowPerAccount(beam.PTransform):
    """PCollection[UsageEvent] (timestamped) -> PCollection[(account_id, WindowAccumulator)] per sliding window."""

    def __init__(self, config: WindowConfig, streaming: bool) -> None:
        super().__init__()
        self._config = config
        self._streaming = streaming

    def expand(self, events: beam.PCollection) -> beam.PCollection:
        config, streaming = self._config, self._streaming
        discarding, accumulating = trigger.AccumulationMode.DISCARDING, trigger.AccumulationMode.ACCUMULATING
        return (
            events
            | "KeyByAccount" >> beam.Map(lambda event: (event.account_id, event))
            | "PaneWindows" >> _window_into(window.FixedWindows(config.period_s), config, discarding, streaming)
            | "AccumulatePanes" >> beam.CombinePerKey(AccumulateEvents())
            | "SlidingWindows"
            >> _window_into(window.SlidingWindows(config.size_s, config.period_s), config, accumulating, streaming)
            | "MergePanes" >> beam.CombinePerKey(MergePanes())
        )
