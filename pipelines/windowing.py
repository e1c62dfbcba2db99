"""Per-account sliding event-time windows whose per-event cost does not grow with size/period.

Each event is added exactly once, to the accumulator of its account's `period`-sized pane (combiner
lifting does that before the shuffle). Each pane accumulator is then merged into the size/period
sliding windows that cover it, so the fan-out is per pane, not per event.

Late data (streaming): panes fire DISCARDING (a late firing carries only the late events), windows fire
ACCUMULATING (a late firing re-emits the whole updated window), so no event is counted twice.

A request floor (`floor`, the alert policy's `min_requests`; the rule is `pipelines.request_floor`) drops every
window holding fewer requests before its panes are merged. A window's request count is the sum of its panes'
counts, so the gate reads counts only.

A batch replay has no late data and no triggers, so it computes the same panes and windows with the
window start in the key, in the global window: the portable runners group a non-global window through
a general trigger driver (timers per key and window), which cost a third of a batch replay's CPU. Its
output is placed in the same sliding windows, so everything downstream is shared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, Self

import apache_beam as beam
from apache_beam.coders.coders import IntervalWindowCoder
from apache_beam.transforms import trigger, window
from apache_beam.utils.timestamp import Timestamp

from pipelines.bundle_panes import FoldIntoPanes
from pipelines.config import WindowConfig
from pipelines.contract import UsageEvent
from pipelines.features.accumulator import WindowAccumulator
from pipelines.request_floor import reaches_floor
from pipelines.window_blocks import WindowsAtFloor, covering_window_starts, windows_below_floor_counter


class PaneAccumulator(Protocol):
    """What a pane and a window hold: events are added once, panes merge into windows."""

    def add(self, event: UsageEvent) -> None: ...

    def merge(self, other: Self) -> Self: ...


class CountedAccumulator(PaneAccumulator, Protocol):
    """A pane accumulator that knows how many requests it holds (what the request floor reads)."""

    count: int


class AccumulateEvents(beam.CombineFn):
    """Events into one pane's accumulator (lifted before the shuffle)."""

    def __init__(self, new_accumulator: Callable[[], PaneAccumulator]) -> None:
        self._new = new_accumulator

    def create_accumulator(self) -> PaneAccumulator:
        return self._new()

    def add_input(self, accumulator: PaneAccumulator, event: UsageEvent) -> PaneAccumulator:
        accumulator.add(event)
        return accumulator

    def merge_accumulators(self, accumulators: Iterable[PaneAccumulator]) -> PaneAccumulator:
        merged, *rest = accumulators
        for accumulator in rest:
            merged.merge(accumulator)
        return merged

    def extract_output(self, accumulator: PaneAccumulator) -> PaneAccumulator:
        return accumulator


class MergePanes(beam.CombineFn):
    """Combines pane accumulators into a window's. Inputs are shared by several windows: never mutated."""

    def __init__(self, new_accumulator: Callable[[], PaneAccumulator]) -> None:
        self._new = new_accumulator

    def create_accumulator(self) -> PaneAccumulator:
        return self._new()

    def add_input(self, accumulator: PaneAccumulator, pane: PaneAccumulator) -> PaneAccumulator:
        return accumulator.merge(pane)

    def merge_accumulators(self, accumulators: Iterable[PaneAccumulator]) -> PaneAccumulator:
        merged = self._new()
        for accumulator in accumulators:
            merged.merge(accumulator)
        return merged

    def extract_output(self, accumulator: PaneAccumulator) -> PaneAccumulator:
        return accumulator


class MergePanesAtFloor(beam.CombineFn):
    """Streaming: a window's panes, merged only once they hold `floor` requests; below it the output is None.

    The accumulator is the list of panes, so a window that never reaches the floor is never merged. Inputs are
    shared by several windows: never mutated."""

    def __init__(self, new_accumulator: Callable[[], CountedAccumulator], floor: int) -> None:
        self._new = new_accumulator
        self._floor = floor
        self._skipped = windows_below_floor_counter()

    def create_accumulator(self) -> list[CountedAccumulator]:
        return []

    def add_input(self, panes: list[CountedAccumulator], pane: CountedAccumulator) -> list[CountedAccumulator]:
        panes.append(pane)
        return panes

    def merge_accumulators(self, accumulators: Iterable[list[CountedAccumulator]]) -> list[CountedAccumulator]:
        return [pane for panes in accumulators for pane in panes]

    def extract_output(self, panes: list[CountedAccumulator]) -> CountedAccumulator | None:
        if not reaches_floor(sum(pane.count for pane in panes), self._floor):
            self._skipped.inc()
            return None
        merged = self._new()
        for pane in panes:
            merged.merge(pane)
        return merged


def _late_firing_window_into(windowfn: window.WindowFn, config: WindowConfig, accumulation: int) -> beam.WindowInto:
    return beam.WindowInto(
        windowfn,
        trigger=trigger.AfterWatermark(late=trigger.AfterCount(1)),
        accumulation_mode=accumulation,
        allowed_lateness=config.allowed_lateness_s,
    )


class _WindowNamedInKey(window.NonMergingWindowFn):
    """Batch: ((account_id, window_start), value) goes into the sliding window [start, start + size)."""

    def __init__(self, size_s: int) -> None:
        self._size_s = size_s

    def assign(self, context: window.WindowFn.AssignContext) -> list[window.IntervalWindow]:
        start = context.element[0][1]
        return [window.IntervalWindow(start, start + self._size_s)]

    def get_window_coder(self) -> IntervalWindowCoder:
        return IntervalWindowCoder()


PaneKey = tuple[str, int]  # (account_id, start of the pane or window), batch only


def _window_end_stamped(element: tuple[PaneKey, Any], size_s: int) -> window.TimestampedValue:
    # The timestamp a windowed combine gives its output: the window's last instant.
    return window.TimestampedValue(element, Timestamp(micros=(element[0][1] + size_s) * 1_000_000 - 1))


class AccountPanes(beam.PTransform):
    """Batch: PCollection[UsageEvent] -> ((account_id, pane_start), accumulator) per `period`-sized pane, in the
    global window. Each event is added once; combiner lifting adds it before the shuffle."""

    def __init__(self, period_s: int, new_accumulator: Callable[[], PaneAccumulator]) -> None:
        super().__init__()
        self._period_s = period_s
        self._new = new_accumulator

    def expand(self, events: beam.PCollection) -> beam.PCollection:
        period = self._period_s

        def key_by_pane(event: UsageEvent) -> tuple[PaneKey, UsageEvent]:
            return (event.account_id, int(event.timestamp // period * period)), event

        return (
            events
            | "KeyByAccountPane" >> beam.Map(key_by_pane)
            | "AccumulatePanes" >> beam.CombinePerKey(AccumulateEvents(self._new))
        )


class WindowsFromPanes(beam.PTransform):
    """Batch: ((account_id, pane_start), accumulator) panes -> ((account_id, window_start), accumulator) per sliding
    window of `config`, in the global window (the window start in the key).

    The panes may be finer than `config.period_s` (a whole number of them per period): they are merged into the
    config's panes first, so a coarser windowing reuses finer panes instead of adding every event again.

    Without a `floor`, each pane goes to every window that covers it (size/period copies) and the windows are
    combined. With one, each pane goes to the `size`-aligned block it lies in and to the one before (2 copies),
    and each block's windows are counted from their panes and merged only when they reach the floor
    (`pipelines.window_blocks`): most windows of a sparse account are dropped without a merge or a shuffle of their own.
    With `pane_maps` the input is (key, {pane_start: pane}), a group of one account's period panes moved as one.
    """

    def __init__(
        self,
        config: WindowConfig,
        new_accumulator: Callable[[], PaneAccumulator],
        pane_s: int | None = None,
        floor: int | None = None,
        pane_maps: bool = False,
    ) -> None:
        super().__init__()
        pane_s = pane_s or config.period_s
        if config.period_s % pane_s:
            raise ValueError(f"panes of {pane_s}s do not tile periods of {config.period_s}s")
        if pane_maps and (floor is None or pane_s != config.period_s):
            raise ValueError("pane maps hold period panes, windowed at a floor")
        self._config = config
        self._new = new_accumulator
        self._pane_s = pane_s
        self._floor = floor
        self._pane_maps = pane_maps

    def expand(self, panes: beam.PCollection) -> beam.PCollection:
        config, period = self._config, self._config.period_s
        if self._pane_maps:
            return panes | "WindowsAtFloor" >> WindowsAtFloor(config, self._new, self._floor)

        def to_windows(element: tuple[PaneKey, PaneAccumulator]) -> Iterator[tuple[PaneKey, PaneAccumulator]]:
            (account_id, pane_start), pane = element
            for start in covering_window_starts(pane_start, config):
                yield (account_id, start), pane

        if self._pane_s != period:
            panes = (
                panes
                | "ToPeriodPanes" >> beam.MapTuple(lambda key, pane: ((key[0], key[1] // period * period), pane))
                | "MergeIntoPeriodPanes" >> beam.CombinePerKey(MergePanes(self._new))
            )
        if self._floor is not None:
            pane_maps = panes | "PaneMaps" >> beam.MapTuple(lambda key, pane: (key, {key[1]: pane}))
            return pane_maps | "WindowsAtFloor" >> WindowsAtFloor(config, self._new, self._floor)
        return (
            panes
            | "SlidingWindows" >> beam.FlatMap(to_windows)
            | "MergePanes" >> beam.CombinePerKey(MergePanes(self._new))
        )


class IntoKeyedWindows(beam.PTransform):
    """Batch: ((account_id, window_start), value) in the global window -> (account_id, value) in its sliding
    window [start, start + size), stamped as a windowed combine would stamp it, so downstream is shared."""

    def __init__(self, size_s: int) -> None:
        super().__init__()
        self._size_s = size_s

    def expand(self, keyed: beam.PCollection) -> beam.PCollection:
        return (
            keyed
            | "StampWindowEnd" >> beam.Map(_window_end_stamped, self._size_s)
            | "IntoItsWindow" >> beam.WindowInto(_WindowNamedInKey(self._size_s))
            | "DropWindowStart" >> beam.Map(lambda kv: (kv[0][0], kv[1]))
        )


def _batch_windows(
    events: beam.PCollection,
    config: WindowConfig,
    new_accumulator: Callable[[], PaneAccumulator],
    floor: int | None,
) -> beam.PCollection:
    # Expanded in place (no composite labels), so the steps keep the names the benchmark's stage split reads.
    panes = AccountPanes(config.period_s, new_accumulator).expand(events)
    windows = WindowsFromPanes(config, new_accumulator, floor=floor).expand(panes)
    return IntoKeyedWindows(config.size_s).expand(windows)


class PanesToWindows(beam.PTransform):
    """PCollection[UsageEvent] (timestamped) -> PCollection[(account_id, accumulator)] per sliding window.

    The one pane -> window transform: the per-account windows and the campaign stage's evidence both use it,
    each with its own accumulator type. In streaming each bundle's events are first folded into one accumulator
    per account and pane (`pipelines.bundle_panes`), so the windowed groupings move folded panes, not events.
    `late_firings` (streaming only) re-fires a window for data within the allowed lateness; without it a window
    fires once, when the watermark passes its end. With a `floor` (accumulators that count requests), windows
    below it are dropped unmerged, in batch and streaming alike; in streaming a late firing that brings a window
    to the floor emits it then.
    """

    def __init__(
        self,
        config: WindowConfig,
        streaming: bool,
        new_accumulator: Callable[[], PaneAccumulator],
        late_firings: bool = True,
        floor: int | None = None,
    ) -> None:
        super().__init__()
        self._config = config
        self._streaming = streaming
        self._new = new_accumulator
        self._late_firings = late_firings
        self._floor = floor

    def expand(self, events: beam.PCollection) -> beam.PCollection:
        config, new, floor = self._config, self._new, self._floor
        if not self._streaming:
            return _batch_windows(events, config, new, floor)
        if self._late_firings:
            discarding, accumulating = trigger.AccumulationMode.DISCARDING, trigger.AccumulationMode.ACCUMULATING
            panes = _late_firing_window_into(window.FixedWindows(config.period_s), config, discarding)
            windows = _late_firing_window_into(
                window.SlidingWindows(config.size_s, config.period_s), config, accumulating
            )
        else:
            panes = beam.WindowInto(window.FixedWindows(config.period_s))
            windows = beam.WindowInto(window.SlidingWindows(config.size_s, config.period_s))
        sliding = (
            events
            | "FoldIntoPanes" >> beam.ParDo(FoldIntoPanes(config.period_s, new))
            | "PaneWindows" >> panes
            | "AccumulatePanes" >> beam.CombinePerKey(MergePanes(new))
            | "SlidingWindows" >> windows
        )
        if floor is None:
            return sliding | "MergePanes" >> beam.CombinePerKey(MergePanes(new))
        return (
            sliding
            | "MergePanesAtFloor" >> beam.CombinePerKey(MergePanesAtFloor(new, floor))
            | "DropBelowFloor" >> beam.Filter(lambda kv: kv[1] is not None)
        )


class WindowPerAccount(beam.PTransform):
    """PCollection[UsageEvent] (timestamped) -> PCollection[(account_id, WindowAccumulator)] per sliding window
    (with a `floor`: per sliding window holding at least `floor` requests)."""

    def __init__(self, config: WindowConfig, streaming: bool, floor: int | None = None) -> None:
        super().__init__()
        self._config = config
        self._streaming = streaming
        self._floor = floor

    def expand(self, events: beam.PCollection) -> beam.PCollection:
        # Expanded in place, so the steps keep this transform's names (the benchmark's stage split reads them).
        return PanesToWindows(self._config, self._streaming, WindowAccumulator, floor=self._floor).expand(events)
