"""Streaming: a bundle's events folded into per-account pane accumulators before the runner groups them.

Beam lifts a combine ahead of its shuffle only in the default windowing, and the streaming windows have their own
triggers, so without this every event crossed each windowed grouping on its own: one element through the window
assignment, the shuffle and the trigger driver per event and per stage (per-account windows, long horizon,
campaign evidence). Here each bundle adds its events to one accumulator per (account, pane) and emits those, so
the groupings move at most one element per account and pane per bundle.

Exactness: the events of one bundle reach the grouping together under one input watermark, so whether their pane
fires on time or late, and which firing holds them, is what it was event by event; the accumulators' merge is
order-independent (the batch path merges them in any order too).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import Timestamp
from apache_beam.utils.windowed_value import WindowedValue

from pipelines.contract import UsageEvent

_GLOBAL = (GlobalWindow(),)


class FoldIntoPanes(beam.DoFn):
    """Timestamped events in the global window -> (account_id, accumulator) per account and `period_s` pane of the
    bundle, stamped with the pane's earliest event time (so it falls in the pane's fixed window)."""

    def __init__(self, period_s: int, new_accumulator: Callable[[], Any]) -> None:
        self._period_s = period_s
        self._new = new_accumulator
        self._panes: dict[tuple[str, int], tuple[Any, float]] = {}

    def start_bundle(self) -> None:
        self._panes = {}

    def process(self, event: UsageEvent) -> None:
        key = (event.account_id, int(event.timestamp // self._period_s))
        held = self._panes.get(key)
        if held is None:
            accumulator, earliest = self._new(), event.timestamp
        else:
            accumulator, earliest = held[0], min(held[1], event.timestamp)
        accumulator.add(event)
        self._panes[key] = (accumulator, earliest)

    def finish_bundle(self) -> Iterator[WindowedValue]:
        for (account_id, _), (accumulator, earliest) in self._panes.items():
            yield WindowedValue((account_id, accumulator), Timestamp.of(earliest), _GLOBAL)
        self._panes = {}
