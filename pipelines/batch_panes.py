"""Batch replay: each account's hour of events, reduced once, feeds the windows, the long horizon and the campaigns.

The per-account windows (panes of `period`), the horizon (hourly panes) and the campaign stage (its own panes,
whole hours) each used to key and accumulate every event again. Here every event is added once, in one loop, to its
`period` pane's `WindowAccumulator` and to its hour's `AccountEvidence`; the horizon's hourly pane is the merge of
that hour's panes. The runner then moves a few accumulators per account and hour instead of each event three times.

It needs panes that tile the hour (`tiles_the_hour`), which every period dividing 3600 s does (the default 300 s);
otherwise the graph falls back to accumulating events per stage (pipelines/pipeline.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import apache_beam as beam

from pipelines.campaigns.evidence import AccountEvidence
from pipelines.contract import UsageEvent
from pipelines.features.accumulator import WindowAccumulator
from pipelines.request_floor import reaches_floor
from pipelines.windowing import PaneKey

HOUR_S = 3600


def tiles_the_hour(period_s: int) -> bool:
    return HOUR_S % period_s == 0


def account_hour_key(event: UsageEvent) -> PaneKey:
    """(account_id, start of the event's hour): every delivery of one event has the same key."""
    return event.account_id, int(event.timestamp // HOUR_S * HOUR_S)


class AccountHour:
    """One account's hour: a `WindowAccumulator` per `period` pane with events, and the hour's `AccountEvidence`."""

    __slots__ = ("evidence", "panes", "period_s")

    def __init__(self, period_s: int) -> None:
        self.period_s = period_s
        self.panes: dict[int, WindowAccumulator] = {}
        self.evidence = AccountEvidence()

    def add(self, event: UsageEvent) -> None:
        pane_start = int(event.timestamp // self.period_s * self.period_s)
        pane = self.panes.get(pane_start)
        if pane is None:
            pane = self.panes[pane_start] = WindowAccumulator()
        pane.add(event)
        self.evidence.add(event)

    def merge(self, other: AccountHour) -> AccountHour:
        for pane_start, pane in other.panes.items():
            mine = self.panes.get(pane_start)
            if mine is None:
                self.panes[pane_start] = pane
            else:
                mine.merge(pane)
        self.evidence.merge(other.evidence)
        return self

    def hour(self) -> WindowAccumulator:
        """The whole hour as one pane (a new accumulator: the period panes stay as they are)."""
        merged = WindowAccumulator()
        for pane in self.panes.values():
            merged.merge(pane)
        return merged

    def __getstate__(self) -> tuple[int, dict[int, WindowAccumulator], AccountEvidence]:
        return self.period_s, self.panes, self.evidence

    def __setstate__(self, state: tuple[int, dict[int, WindowAccumulator], AccountEvidence]) -> None:
        self.period_s, self.panes, self.evidence = state


def account_hour(events: Iterable[UsageEvent], period_s: int) -> AccountHour:
    reduced = AccountHour(period_s)
    for event in events:
        reduced.add(event)
    return reduced


class AccumulateAccountHour(beam.CombineFn):
    """Events -> their `AccountHour` (lifted before the shuffle: the runner moves accumulators, never events)."""

    def __init__(self, period_s: int) -> None:
        self._period_s = period_s

    def create_accumulator(self) -> AccountHour:
        return AccountHour(self._period_s)

    def add_input(self, accumulator: AccountHour, event: UsageEvent) -> AccountHour:
        accumulator.add(event)
        return accumulator

    def merge_accumulators(self, accumulators: Iterable[AccountHour]) -> AccountHour:
        merged, *rest = accumulators
        for accumulator in rest:
            merged.merge(accumulator)
        return merged

    def extract_output(self, accumulator: AccountHour) -> AccountHour:
        return accumulator


class AccountHours(beam.PTransform):
    """Events -> ((account_id, hour start), AccountHour), combined before the shuffle (every event counts once)."""

    def __init__(self, period_s: int) -> None:
        super().__init__()
        self._period_s = period_s

    def expand(self, events: beam.PCollection) -> beam.PCollection:
        return (
            events
            | "KeyByAccountHour" >> beam.Map(lambda event: (account_hour_key(event), event))
            | "AccumulateHours" >> beam.CombinePerKey(AccumulateAccountHour(self._period_s))
        )


def period_panes(element: tuple[PaneKey, AccountHour]) -> tuple[PaneKey, dict[int, WindowAccumulator]]:
    """The hour's `period` panes, as one map (`WindowsFromPanes(pane_maps=True)`): the runner moves one element per
    account and hour, not one per pane."""
    key, reduced = element
    return key, reduced.panes


class HorizonHours:
    """A horizon window's accumulator in a batch replay: its hours merged, or, once one of its hours alone holds the
    request floor, nothing (`hours` None).

    Such a window is never scored: with windows of an hour or more, that hour lies within one aligned per-window
    span, so the span holds the floor too and `pipelines.horizon.adds_evidence` drops the window. Its hours are not
    merged at all, which spares the merges and the shuffle of most horizon windows of busy accounts.
    """

    __slots__ = ("hours",)

    def __init__(self, hours: WindowAccumulator | None = None, at_floor: bool = False) -> None:
        self.hours = None if at_floor else (WindowAccumulator() if hours is None else hours)

    @property
    def count(self) -> int:
        """Requests the request floor can credit (`pipelines.window_blocks`). A ruled-out window is dropped whatever its
        count, so it credits none: the floor then drops it without a merge."""
        return 0 if self.hours is None else self.hours.count

    def merge(self, other: HorizonHours) -> HorizonHours:
        if self.hours is not None:
            if other.hours is None:
                self.hours = None
            else:
                self.hours.merge(other.hours)
        return self

    def __getstate__(self) -> tuple[WindowAccumulator | None]:
        return (self.hours,)  # a tuple: pickle skips __setstate__ for a false state such as None

    def __setstate__(self, state: tuple[WindowAccumulator | None]) -> None:
        (self.hours,) = state


def horizon_floor(window_size_s: int, min_requests: int) -> int | None:
    """The request count at which one hour rules out every horizon window holding it (None: no such count, for
    windows shorter than the hour)."""
    return min_requests if window_size_s >= HOUR_S else None


def hour_pane(element: tuple[PaneKey, AccountHour], floor: int | None) -> tuple[PaneKey, HorizonHours]:
    key, reduced = element
    if floor is not None and reaches_floor(sum(pane.count for pane in reduced.panes.values()), floor):
        return key, HorizonHours(at_floor=True)
    return key, HorizonHours(reduced.hour())


class HorizonsBelowFloor(beam.DoFn):
    """(account_id, HorizonHours) per horizon window -> (account_id, WindowAccumulator), unless an hour held the
    floor (counted with the other horizon windows that add nothing)."""

    def __init__(self) -> None:
        self.dropped = beam.metrics.Metrics.counter("distillwatch", "horizon_windows_skipped")

    def process(self, element: tuple[str, HorizonHours]) -> Iterator[tuple[str, WindowAccumulator]]:
        account_id, horizon = element
        if horizon.hours is None:
            self.dropped.inc()
            return
        yield account_id, horizon.hours


def hour_evidence(element: tuple[PaneKey, AccountHour]) -> tuple[PaneKey, AccountEvidence]:
    key, reduced = element
    return key, reduced.evidence
