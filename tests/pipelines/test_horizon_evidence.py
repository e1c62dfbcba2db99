"""Which horizon windows are scored: only those where the account was active in the newest period and no
per-window span already reached the request floor."""

import datetime as dt
from collections import Counter

from pipelines.config import WindowConfig
from pipelines.features.accumulator import WindowAccumulator
from pipelines.horizon import adds_evidence, busiest_window_requests
from tests.events import T0, event

WINDOW = WindowConfig(3600, 300)
HORIZON = WindowConfig(4 * 3600, 3600)
BASE_MINUTE = int(T0.timestamp() // 60)


def test_the_busiest_window_is_counted_on_the_per_window_alignment():
    # 10 requests in minute 0 and 10 in minute 60: 61 minutes apart, no aligned 1-h window holds both.
    counts = Counter({BASE_MINUTE: 10, BASE_MINUTE + 60: 10})
    assert busiest_window_requests(counts, WINDOW) == 10
    # Minutes 0 and 59 share the window starting at minute 0.
    assert busiest_window_requests(Counter({BASE_MINUTE: 10, BASE_MINUTE + 59: 10}), WINDOW) == 20
    # Minutes 4 and 63 are 59 minutes apart but in panes 0 and 12: no aligned window of 12 panes holds both.
    assert busiest_window_requests(Counter({BASE_MINUTE + 4: 10, BASE_MINUTE + 63: 10}), WINDOW) == 10
    assert busiest_window_requests(Counter(), WINDOW) == 0


def _accumulator(offsets_s):
    accumulator = WindowAccumulator()
    for n, offset in enumerate(offsets_s):
        accumulator.add(event(n, at=T0 + dt.timedelta(seconds=offset)))
    return accumulator


def test_a_sparse_account_active_in_the_newest_hour_adds_evidence():
    sparse = _accumulator(range(0, 4 * 3600, 400))  # 9 an hour for 4 h
    end = T0.timestamp() + 4 * 3600
    assert adds_evidence(sparse, end, HORIZON, WINDOW, floor=20)


def test_a_horizon_with_nothing_new_in_its_newest_hour_adds_nothing():
    sparse = _accumulator(range(0, 3 * 3600, 400))  # silent in the 4th hour
    end = T0.timestamp() + 4 * 3600
    assert not adds_evidence(sparse, end, HORIZON, WINDOW, floor=20)


def test_an_account_whose_windows_reach_the_floor_is_left_to_the_per_window_path():
    dense = _accumulator([*range(0, 600, 20), 4 * 3600 - 10])  # 30 requests in 10 minutes, one in the last hour
    end = T0.timestamp() + 4 * 3600
    assert not adds_evidence(dense, end, HORIZON, WINDOW, floor=20)
    assert adds_evidence(dense, end, HORIZON, WINDOW, floor=40)
