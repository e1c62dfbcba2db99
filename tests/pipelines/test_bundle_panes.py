"""Folding a bundle's events into per-account panes: one accumulator per account and pane, every event in it once."""

from apache_beam.transforms.window import GlobalWindow

from pipelines.bundle_panes import FoldIntoPanes
from pipelines.features.accumulator import WindowAccumulator
from tests.events import T0, event

BASE = T0.timestamp()  # a whole minute


def folded(events):
    fold = FoldIntoPanes(60, WindowAccumulator)
    fold.start_bundle()
    for e in events:
        fold.process(e)
    return list(fold.finish_bundle())


def test_a_bundle_yields_one_accumulator_per_account_and_pane_stamped_with_its_earliest_event():
    events = [
        event(50, account_id="a"),  # event n happens n seconds after T0
        event(5, account_id="a"),
        event(65, account_id="a"),
        event(7, account_id="b"),
    ]
    out = {(wv.value[0], float(wv.timestamp)): wv for wv in folded(events)}
    assert sorted(out) == [("a", BASE + 5), ("a", BASE + 65), ("b", BASE + 7)]
    assert [out[k].value[1].count for k in sorted(out)] == [2, 1, 1]
    assert all(wv.windows == (GlobalWindow(),) for wv in out.values())


def test_the_next_bundle_starts_empty():
    fold = FoldIntoPanes(60, WindowAccumulator)
    fold.start_bundle()
    fold.process(event(0))
    assert len(list(fold.finish_bundle())) == 1
    fold.start_bundle()
    assert list(fold.finish_bundle()) == []
