"""The same windows and features as the Beam graph, computed in one plain Python process.

Used to build training data (so the model learns from exactly what serving computes) and as the
honest single-process baseline in the benchmark. `sliding_windows` is also what a batch runner can use
to turn one account's pane accumulators into its windows without a windowed shuffle.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

from pipelines.base import AccountWindow
from pipelines.config import WindowConfig
from pipelines.contract import UsageEvent
from pipelines.features.accumulator import WindowAccumulator
from pipelines.features.extract import feature_dict
from pipelines.request_floor import reaches_floor


def _merged(left: WindowAccumulator, right: WindowAccumulator) -> WindowAccumulator:
    return WindowAccumulator().merge(left).merge(right)


def sliding_windows(
    panes: Mapping[int, WindowAccumulator], config: WindowConfig
) -> Iterator[tuple[int, WindowAccumulator]]:
    """(window start, accumulator) for every sliding window holding at least one pane, by start.

    `panes` maps pane start (a multiple of the period, POSIX seconds) to that pane's accumulator. A
    window of k = size/period panes is the suffix of one aligned block of k panes plus a prefix of the
    next, so once each block's prefix and suffix merges are built a window costs at most one merge,
    whatever k: ~6 merges per window instead of up to k. The result equals merging the window's panes
    one by one (sums and minute counts exactly, the sketches up to their error bounds).

    Yielded accumulators may be pane accumulators or shared between windows: read them, never mutate
    them. `panes` is not modified.
    """
    period, k = config.period_s, config.size_s // config.period_s
    indices = sorted(start // period for start in panes)
    by_index = {start // period: accumulator for start, accumulator in panes.items()}
    # Per block of k aligned pane indices: the merge of the present panes from index i to the block's
    # end (suffix) and from the block's start to i (prefix); the outermost entry is the pane itself.
    suffix: dict[int, WindowAccumulator] = {}
    prefix: dict[int, WindowAccumulator] = {}
    block_start = 0
    while block_start < len(indices):
        block = indices[block_start] // k
        block_end = bisect_left(indices, (block + 1) * k, block_start)
        members = indices[block_start:block_end]
        running = by_index[members[0]]
        prefix[members[0]] = running
        for i in members[1:]:
            running = prefix[i] = _merged(running, by_index[i])
        running = by_index[members[-1]]
        suffix[members[-1]] = running
        for i in reversed(members[:-1]):
            running = suffix[i] = _merged(by_index[i], running)
        block_start = block_end
    for s in sorted({i - offset for i in indices for offset in range(k)}):
        block_end = (s // k + 1) * k  # first index of the next block
        first = bisect_left(indices, s)  # first present pane in the window (there is one)
        left = suffix[indices[first]] if indices[first] < block_end else None
        right = None
        if s % k:
            last = bisect_right(indices, s + k - 1) - 1  # last present pane in the window
            right = prefix[indices[last]] if indices[last] >= block_end else None
        if left is None:
            yield s * period, right
        elif right is None:
            yield s * period, left
        else:
            yield s * period, _merged(left, right)


def account_windows(
    events: Iterable[UsageEvent], config: WindowConfig, floor: int | None = None
) -> Iterator[AccountWindow]:
    """Every (account, sliding window) with at least one event, like Beam's SlidingWindows; with a `floor`,
    only those holding at least `floor` requests, like the pipeline's windows (`pipelines.request_floor`). Training
    reads every window (no floor)."""
    period, size = config.period_s, config.size_s
    panes: dict[str, dict[int, WindowAccumulator]] = defaultdict(dict)
    for event in events:
        pane_start = int(event.timestamp // period) * period
        account_panes = panes[event.account_id]
        accumulator = account_panes.get(pane_start)
        if accumulator is None:
            accumulator = account_panes[pane_start] = WindowAccumulator()
        accumulator.add(event)
    for account_id in sorted(panes):
        for start, accumulator in sliding_windows(panes[account_id], config):
            if floor is not None and not reaches_floor(accumulator.count, floor):
                continue
            yield AccountWindow(
                account_id, float(start), float(start + size), feature_dict(accumulator, start, start + size)
            )
