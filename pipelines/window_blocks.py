"""Batch windows at the request floor, built per account and `size`-aligned block of panes.

A window starting in block b = [b * size, (b + 1) * size) holds a suffix of b's panes and a prefix of b + 1's,
so each block's panes go to their own block and to the one before (2 copies, not size/period), and one grouping
per account and block sees every pane its windows can hold.

The panes travel packed: their (start, request count) pairs as plain integers and the accumulators as one
pickled blob per account-hour, packed once for both copies. A block is planned from the counts alone, and its
blob is unpickled only when one of its windows reaches the floor: most blocks of a sparse account have none, so
their accumulators are never decoded. Packing also replaces one pickle per accumulator (the coder's fallback
for unknown types) with one per map.
"""

from __future__ import annotations

import pickle
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import apache_beam as beam

from pipelines.config import WindowConfig
from pipelines.request_floor import reaches_floor

if TYPE_CHECKING:
    from pipelines.windowing import CountedAccumulator, PaneKey

PaneCounts = tuple[tuple[int, int], ...]  # ((pane start, requests), ...)
PackedPanes = tuple[PaneCounts, bytes]  # the counts, and the accumulators pickled in the same order


def windows_below_floor_counter() -> beam.metrics.metricbase.Counter:
    return beam.metrics.Metrics.counter("distillwatch", "windows_below_floor")


def covering_window_starts(pane_start: int, config: WindowConfig) -> range:
    """Starts of the sliding windows (aligned like Beam's SlidingWindows) that contain a pane."""
    return range(pane_start, pane_start - config.size_s, -config.period_s)


def pack_panes(panes: Mapping[int, CountedAccumulator]) -> PackedPanes:
    starts = sorted(panes)
    blob = pickle.dumps(tuple(panes[start] for start in starts), pickle.HIGHEST_PROTOCOL)
    return tuple((start, panes[start].count) for start in starts), blob


def unpack_panes(packed: PackedPanes) -> Iterator[tuple[int, CountedAccumulator]]:
    counts, blob = packed
    return zip((start for start, _ in counts), pickle.loads(blob), strict=True)


@dataclass(frozen=True)
class BlockPlan:
    """Which windows starting in a block reach the floor, worked out from pane counts alone."""

    starts: list[int]  # the pane starts, sorted
    split: int  # starts[:split] lie in the block, starts[split:] in the next
    window_starts: list[int]  # every window starting in the block that holds a pane
    kept: list[tuple[int, int, int]]  # (window start, its first and one-past-last pane index) at the floor


def plan_block(block: int, counts: Mapping[int, int], config: WindowConfig, floor: int) -> BlockPlan:
    starts = sorted(counts)
    size = config.size_s
    first, end = block * size, (block + 1) * size
    split = bisect_left(starts, end)
    window_starts = sorted({s for p in starts for s in covering_window_starts(p, config) if first <= s < end})
    kept: list[tuple[int, int, int]] = []
    if reaches_floor(sum(counts.values()), floor):  # otherwise no window can: skip counting each one
        for start in window_starts:
            low, high = bisect_left(starts, start), bisect_left(starts, start + size)
            if reaches_floor(sum(counts[p] for p in starts[low:high]), floor):
                kept.append((start, low, high))
    return BlockPlan(starts, split, window_starts, kept)


def _merged(new_accumulator: Callable[[], CountedAccumulator], *parts: CountedAccumulator) -> CountedAccumulator:
    merged = new_accumulator()
    for part in parts:
        merged.merge(part)
    return merged


def merge_block(
    plan: BlockPlan, by_start: Mapping[int, CountedAccumulator], new_accumulator: Callable[[], CountedAccumulator]
) -> Iterator[tuple[int, CountedAccumulator | None]]:
    """(window start, merged panes) for each window of the plan; None for a window below the floor.

    A window is the suffix of this block's panes plus a prefix of the next block's, merged as
    `pipelines.features.offline.sliding_windows` merges them (the same merge tree, so the same sketches): each
    suffix and prefix is built once, from the panes the windows at the floor need, and a window costs at most one
    merge more. Panes are read, never mutated; a yielded accumulator may be a pane or shared by several windows,
    so it is only read downstream."""
    starts, split, kept = plan.starts, plan.split, plan.kept
    # suffix[i]: this block's panes from index i to its last; prefix[i]: the next block's from its first to index i.
    suffix: dict[int, CountedAccumulator] = {}
    prefix: dict[int, CountedAccumulator] = {}
    lowest = min((low for _, low, _ in kept if low < split), default=split)
    if lowest < split:
        running = suffix[split - 1] = by_start[starts[split - 1]]
        for i in range(split - 2, lowest - 1, -1):
            running = suffix[i] = _merged(new_accumulator, by_start[starts[i]], running)
    highest = max((high - 1 for _, _, high in kept if high > split), default=split - 1)
    if highest >= split:
        running = prefix[split] = by_start[starts[split]]
        for i in range(split + 1, highest + 1):
            running = prefix[i] = _merged(new_accumulator, running, by_start[starts[i]])
    kept_at = {start: (low, high) for start, low, high in kept}
    for start in plan.window_starts:
        if start not in kept_at:
            yield start, None
            continue
        low, high = kept_at[start]
        left = suffix[low] if low < split else None
        right = prefix[high - 1] if high > split else None
        if left is None or right is None:
            yield start, left if right is None else right
        else:
            yield start, _merged(new_accumulator, left, right)


def windows_of_block(
    block: int,
    panes: Iterable[tuple[int, CountedAccumulator]],
    config: WindowConfig,
    floor: int,
    new_accumulator: Callable[[], CountedAccumulator],
) -> Iterator[tuple[int, CountedAccumulator | None]]:
    """(window start, merged panes) for each sliding window starting in `block` that holds a pane; None for a
    window below `floor`, which is not merged. `panes` are (pane start, accumulator), one per start, from that
    block and the next: every pane such a window can hold."""
    by_start = dict(panes)
    plan = plan_block(block, {start: pane.count for start, pane in by_start.items()}, config, floor)
    return merge_block(plan, by_start, new_accumulator)


class BlockWindows(beam.DoFn):
    """((account_id, block), packed pane maps) -> ((account_id, window_start), merged) for its windows at the floor.

    The block is planned from the pane counts; its accumulators are unpickled only if a window reaches the floor."""

    def __init__(self, config: WindowConfig, new_accumulator: Callable[[], CountedAccumulator], floor: int) -> None:
        self._config = config
        self._new = new_accumulator
        self._floor = floor
        self.skipped = windows_below_floor_counter()

    def process(self, element: tuple[PaneKey, Iterable[PackedPanes]]) -> Iterator[tuple[PaneKey, CountedAccumulator]]:
        (account_id, block), packed = element
        packed = list(packed)
        counts = {start: requests for pane_counts, _ in packed for start, requests in pane_counts}
        plan = plan_block(block, counts, self._config, self._floor)
        if not plan.kept:
            self.skipped.inc(len(plan.window_starts))
            return
        by_start = {start: pane for part in packed for start, pane in unpack_panes(part)}
        for start, merged in merge_block(plan, by_start, self._new):
            if merged is None:
                self.skipped.inc()
            else:
                yield (account_id, start), merged


class WindowsAtFloor(beam.PTransform):
    """Batch: (key, {pane_start: pane}) -> ((account_id, window_start), merged) for the windows at the floor, through
    one grouping per account and `size`-aligned block. A key is (account_id, anything); each pane is in one map."""

    def __init__(self, config: WindowConfig, new_accumulator: Callable[[], CountedAccumulator], floor: int) -> None:
        super().__init__()
        self._config = config
        self._new = new_accumulator
        self._floor = floor

    def expand(self, panes: beam.PCollection) -> beam.PCollection:
        size = self._config.size_s

        def to_blocks(element: tuple[PaneKey, dict[int, CountedAccumulator]]) -> Iterator[tuple[PaneKey, PackedPanes]]:
            (account_id, _), pane_map = element
            by_block: dict[int, dict[int, CountedAccumulator]] = {}
            for pane_start, pane in pane_map.items():
                by_block.setdefault(pane_start // size, {})[pane_start] = pane
            for block, block_panes in by_block.items():  # windows starting in it or the one before hold its panes
                packed = pack_panes(block_panes)  # once for both copies
                yield (account_id, block), packed
                yield (account_id, block - 1), packed

        return (
            panes
            | "ToBlocks" >> beam.FlatMap(to_blocks)
            | "GroupBlocks" >> beam.GroupByKey()
            | "BlockWindows" >> beam.ParDo(BlockWindows(self._config, self._new, self._floor))
        )
