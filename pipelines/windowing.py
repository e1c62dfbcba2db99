"""Per-account sliding event-time windows whose per-event cost does not grow with size/period.

Each event is added exactly once, to the accumulator of its account's `period`-sized pane (combiner
lifting does that before the shuffle). Each pane accumulator is then merged into the size/period
sliding windows that cover it, so the fan-out is per pane, not per event.

Late data: panes fire DISCARDING (a late firing carries only the late events), windows fire
ACCUMULATING (a late firing re-emits the whole updated window), so no event is counted twice.
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


def _late_firing_trigger() -> trigger.AfterWatermark:
    return trigger.AfterWatermark(late=trigger.AfterCount(1))


class WindowPerAccount(beam.PTransform):
    """PCollection[UsageEvent] (timestamped) -> PCollection[(account_id, WindowAccumulator)] per sliding window."""

    def __init__(self, config: WindowConfig) -> None:
        super().__init__()
        self._config = config

    def expand(self, events: beam.PCollection) -> beam.PCollection:
        config = self._config
        return (
            events
            | "KeyByAccount" >> beam.Map(lambda event: (event.account_id, event))
            | "PaneWindows"
            >> beam.WindowInto(
                window.FixedWindows(config.period_s),
                trigger=_late_firing_trigger(),
                accumulation_mode=trigger.AccumulationMode.DISCARDING,
                allowed_lateness=config.allowed_lateness_s,
            )
            | "AccumulatePanes" >> beam.CombinePerKey(AccumulateEvents())
            | "SlidingWindows"
            >> beam.WindowInto(
                window.SlidingWindows(config.size_s, config.period_s),
                trigger=_late_firing_trigger(),
                accumulation_mode=trigger.AccumulationMode.ACCUMULATING,
                allowed_lateness=config.allowed_lateness_s,
            )
            | "MergePanes" >> beam.CombinePerKey(MergePanes())
        )
