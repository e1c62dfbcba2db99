"""The same windows and features as the Beam graph, computed in one plain Python process.

Used to build training data (so the model learns from exactly what serving computes) and as the
honest single-process baseline in the benchmark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pipelines.config import WindowConfig
from pipelines.contract import UsageEvent
from pipelines.features.accumulator import WindowAccumulator
from pipelines.features.extract import feature_dict


@dataclass(frozen=True)
class AccountWindow:
    account_id: str
    window_start: float
    window_end: float
    features: dict[str, float]


def account_windows(events: Iterable[UsageEvent], config: WindowConfig) -> Iterator[AccountWindow]:
    """Every (account, sliding window) with at least one event, like Beam's SlidingWindows."""
    period, size = config.period_s, config.size_s
    panes: dict[str, dict[int, WindowAccumulator]] = defaultdict(dict)
    for event in events:
        pane_start = int(event.timestamp // period) * period
        account_panes = panes[event.account_id]
        accumulator = account_panes.get(pane_start)
        if accumulator is None:
            accumulator = account_panes[pane_start] = WindowAccumulator()
        accumulator.add(event)
    panes_per_window = size // period
    for account_id in sorted(panes):
        account_panes = panes[account_id]
        window_starts = sorted({pane - k * period for pane in account_panes for k in range(panes_per_window)})
        for start in window_starts:
            merged = WindowAccumulator()
            for pane in range(start, start + size, period):
                if pane in account_panes:
                    merged.merge(account_panes[pane])
            yield AccountWindow(
                account_id, float(start), float(start + size), feature_dict(merged, start, start + size)
            )
