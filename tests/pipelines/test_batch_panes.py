"""A batch replay's horizon windows skip merging the hours of a window that an hour at the request floor rules out."""

import datetime as dt
import pickle
import random

import pytest

from pipelines.batch_panes import HOUR_S, HorizonHours, account_hour, horizon_floor, hour_pane
from pipelines.config import WindowConfig
from pipelines.features.accumulator import WindowAccumulator
from pipelines.horizon import adds_evidence
from tests.events import T0, event

WINDOW = WindowConfig(3600, 300)
HORIZON = WindowConfig(6 * 3600, 3600)
FLOOR = 20


def _hour(hour: int, offsets_s: list[int]) -> tuple[tuple[str, int], object]:
    start = int(T0.timestamp()) + hour * HOUR_S
    at = [T0 + dt.timedelta(seconds=hour * HOUR_S + offset) for offset in offsets_s]
    events = [event(hour * 10_000 + n, at=when) for n, when in enumerate(at)]
    return ("acct-1", start), account_hour(events, WINDOW.period_s)


def test_an_hour_at_the_floor_marks_every_window_holding_it_and_others_merge_their_hours():
    sparse = hour_pane(_hour(0, list(range(0, 3600, 400))), FLOOR)[1]
    busy = hour_pane(_hour(1, list(range(0, 3600, 100))), FLOOR)[1]
    assert sparse.hours is not None and sparse.hours.count == 9
    assert busy.hours is None
    window = HorizonHours().merge(sparse).merge(hour_pane(_hour(2, [5, 700]), FLOOR)[1])
    assert window.hours is not None and window.hours.count == 11
    assert window.merge(busy).hours is None
    assert window.merge(sparse).hours is None  # stays ruled out whatever merges in later


def test_both_kinds_survive_the_shuffle():
    sparse, busy = hour_pane(_hour(0, [1, 2, 3]), FLOOR)[1], HorizonHours(at_floor=True)
    assert pickle.loads(pickle.dumps(sparse)).hours.count == 3
    assert pickle.loads(pickle.dumps(busy)).hours is None


def test_windows_shorter_than_the_hour_have_no_such_floor():
    assert horizon_floor(3600, FLOOR) == FLOOR
    assert horizon_floor(900, FLOOR) is None
    assert hour_pane(_hour(1, list(range(0, 3600, 100))), None)[1].hours.count == 36


@pytest.mark.parametrize("seed", range(20))
def test_a_window_ruled_out_by_an_hour_is_one_the_horizon_rule_drops(seed):
    rng = random.Random(seed)
    hours = [_hour(h, sorted(rng.sample(range(3600), rng.choice([0, 3, 12, 19, 20, 40])))) for h in range(6)]
    window = HorizonHours()
    full = WindowAccumulator()
    for key_and_hour in hours:
        window.merge(hour_pane(key_and_hour, FLOOR)[1])
        full.merge(key_and_hour[1].hour())
    end = T0.timestamp() + 6 * HOUR_S
    if window.hours is None:
        assert not adds_evidence(full, end, HORIZON, WINDOW, FLOOR)
    else:
        assert window.hours.count == full.count and window.hours.minute_counts == full.minute_counts
