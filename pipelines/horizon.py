"""Which long-horizon windows carry evidence the per-window path does not already judge.

A horizon window (24 h by default, sliding every hour) exists so that an account too sparse to reach the
request floor in any one window is still judged on what it accumulates. A horizon window below the floor itself
cannot alert and is never built (`pipelines.request_floor`). Two more kinds of horizon window add nothing and are
dropped before scoring:

- windows whose newest period holds no request: the account sent nothing since the previous horizon window,
  so the verdict could only repeat (without this, every burst would be re-judged for a whole horizon after it);
- windows in which some aligned per-window span already holds the floor: the per-window path scored that span
  with the model trained on exactly such windows.

The rule reads only the window's own accumulator, so batch and streaming keep the same windows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import apache_beam as beam

from pipelines.config import WindowConfig
from pipelines.features.accumulator import WindowAccumulator


def busiest_window_requests(minute_counts: Counter[int], window: WindowConfig) -> int:
    """The most requests in one sliding window of `window` (aligned like the per-window path's) among these minutes."""
    panes: Counter[int] = Counter()
    for minute, count in minute_counts.items():
        panes[minute * 60 // window.period_s] += count
    indices = sorted(panes)
    span = window.size_s // window.period_s
    busiest = running = 0
    first = 0
    for index in indices:  # windows ending at each present pane: the busiest one ends at one of them
        running += panes[index]
        while indices[first] <= index - span:
            running -= panes[indices[first]]
            first += 1
        busiest = max(busiest, running)
    return busiest


def adds_evidence(
    accumulator: WindowAccumulator, window_end: float, horizon: WindowConfig, window: WindowConfig, floor: int
) -> bool:
    if not accumulator.minute_counts:
        return False
    newest_minute_end = (max(accumulator.minute_counts) + 1) * 60
    if newest_minute_end <= window_end - horizon.period_s:
        return False
    return busiest_window_requests(accumulator.minute_counts, window) < floor


class KeepSparseHorizons(beam.DoFn):
    """(account_id, WindowAccumulator) per horizon window -> the same, where `adds_evidence` holds."""

    def __init__(self, horizon: WindowConfig, window: WindowConfig, floor: int) -> None:
        self._horizon, self._window, self._floor = horizon, window, floor
        self.dropped = beam.metrics.Metrics.counter("distillwatch", "horizon_windows_skipped")

    def process(
        self, element: tuple[str, WindowAccumulator], window_param: Any = beam.DoFn.WindowParam
    ) -> Iterator[tuple[str, WindowAccumulator]]:
        _, accumulator = element
        if adds_evidence(accumulator, float(window_param.end), self._horizon, self._window, self._floor):
            yield element
        else:
            self.dropped.inc()
