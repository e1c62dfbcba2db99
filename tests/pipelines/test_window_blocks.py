"""Batch windows per account and block of panes: the offline oracle's windows, merged only at the floor, from
panes that travel packed and are unpacked only for a block with a window at the floor."""

import datetime as dt
import pickle

import pytest

from pipelines.config import WindowConfig
from pipelines.features.accumulator import WindowAccumulator
from pipelines.features.extract import feature_dict
from pipelines.features.offline import sliding_windows
from pipelines.window_blocks import BlockWindows, pack_panes, plan_block, unpack_panes, windows_of_block
from tests.events import T0, event

BASE = T0.timestamp()
CONFIG = WindowConfig(size_s=900, period_s=300, allowed_lateness_s=600)


def test_a_block_merges_only_its_windows_at_the_floor_and_from_every_pane_they_hold():
    panes = {}
    for offset, requests in ((0, 1), (300, 2), (900, 3), (1800, 1)):  # block 0 = [0, 900), block 1 = [900, 1800)
        pane = panes.setdefault(int(BASE) + offset, WindowAccumulator())
        for n in range(requests):
            pane.add(event(offset + n, at=T0 + dt.timedelta(seconds=offset + n)))
    block = int(BASE) // 900
    assert int(BASE) % 900 == 0
    got = {start - int(BASE): (w.count if w is not None else None)
           for start, w in windows_of_block(block, panes.items(), CONFIG, 4, WindowAccumulator)}  # fmt: skip
    # windows starting in the block: [0, 900) holds 3, [300, 1200) holds 5, [600, 1500) holds 3
    assert got == {0: None, 300: 5, 600: None}
    assert all(p.count == c for p, c in zip(panes.values(), (1, 2, 3, 1), strict=True))  # panes left as they were


def varied_panes(offsets):
    """Pane start -> accumulator, with distinct ips, user agents and prompts so every sketch holds something."""
    panes = {}
    for offset, requests in offsets:
        pane = panes.setdefault(int(BASE) + offset, WindowAccumulator())
        for n in range(requests):
            seconds = offset + n
            client = {"ip": f"10.0.{n % 3}.{seconds % 7}", "user_agent": f"agent-{seconds % 4}"}
            prompt = {"text": f"Q{seconds}: translate item {n % 5} step by step"}
            pane.add(event(seconds, at=T0 + dt.timedelta(seconds=seconds), client=client, prompt=prompt))
    return panes


# Two blocks of three panes (900 s windows every 300 s), with a gap: windows of one pane, of panes from both blocks.
OFFSETS = ((0, 2), (300, 1), (600, 3), (900, 4), (1500, 2), (1800, 1), (2400, 5))


@pytest.mark.parametrize("floor", [0, 4])
def test_a_block_builds_the_windows_of_the_offline_sliding_windows(floor):
    panes = varied_panes(OFFSETS)
    offline = {start: feature_dict(w, start, start + CONFIG.size_s) for start, w in sliding_windows(panes, CONFIG)}
    for block in range(int(BASE) // 900 - 1, int(BASE) // 900 + 3):
        in_block = {p: w for p, w in panes.items() if block * 900 <= p < (block + 2) * 900}
        for start, merged in windows_of_block(block, in_block.items(), CONFIG, floor, WindowAccumulator):
            assert block * 900 <= start < (block + 1) * 900
            if offline[start]["request_count"] < floor:
                assert merged is None
            else:
                assert feature_dict(merged, start, start + CONFIG.size_s) == offline[start]


class CountingAccumulator(WindowAccumulator):
    __slots__ = ()
    merges = 0

    def merge(self, other):
        CountingAccumulator.merges += 1
        return super().merge(other)


def test_a_window_costs_at_most_one_merge_beyond_its_blocks_suffixes_and_prefixes():
    size_s, period_s = 3600, 300  # 12 panes a window
    config = WindowConfig(size_s=size_s, period_s=period_s)
    panes = {}
    for offset in range(0, 2 * size_s, period_s):
        pane = panes.setdefault(int(BASE) // size_s * size_s + offset, CountingAccumulator())
        pane.add(event(offset, at=T0 + dt.timedelta(seconds=offset)))
    block = min(panes) // size_s
    CountingAccumulator.merges = 0
    windows = list(windows_of_block(block, panes.items(), config, 0, CountingAccumulator))
    assert len(windows) == 12
    # Two merges each (into a new accumulator): 11 suffixes of this block, the 10 prefixes of the next block that
    # a window holds, and the 11 windows that hold both; merging each window's 12 panes one by one would take 144.
    assert CountingAccumulator.merges == 2 * 11 + 2 * 10 + 2 * 11


def test_packed_panes_carry_their_counts_and_unpack_to_the_same_accumulators():
    panes = varied_panes(OFFSETS[:3])
    counts, blob = pack_panes(panes)
    assert counts == tuple((start, panes[start].count) for start in sorted(panes))
    assert isinstance(blob, bytes)
    unpacked = dict(unpack_panes((counts, blob)))
    assert sorted(unpacked) == sorted(panes)
    for start, pane in panes.items():
        assert feature_dict(unpacked[start], start, start + 300) == feature_dict(pane, start, start + 300)


def test_a_block_below_the_floor_in_total_lists_its_windows_and_keeps_none():
    block = int(BASE) // 900
    counts = {int(BASE) + 300: 1, int(BASE) + 600: 2, int(BASE) + 900: 1}  # 4 requests in all, floor 5
    plan = plan_block(block, counts, CONFIG, 5)
    assert plan.kept == []
    assert [s - int(BASE) for s in plan.window_starts] == [0, 300, 600]
    assert plan_block(block, counts, CONFIG, 4).kept == [(int(BASE) + 300, 0, 3)]  # [300, 1200) holds all 4


def test_a_block_with_no_window_at_the_floor_never_unpacks_its_panes():
    block = int(BASE) // 900
    unreadable = b"not a pickle"
    element = (("a", block), [(((int(BASE) + 300, 2),), unreadable), (((int(BASE) + 900, 1),), unreadable)])
    assert list(BlockWindows(CONFIG, WindowAccumulator, 4).process(element)) == []
    with pytest.raises(pickle.UnpicklingError):
        list(BlockWindows(CONFIG, WindowAccumulator, 3).process(element))  # [300, 1200) holds 3: it must unpack


def test_block_windows_merge_packed_panes_as_the_offline_windows():
    panes = varied_panes(OFFSETS)
    offline = {start: feature_dict(w, start, start + CONFIG.size_s) for start, w in sliding_windows(panes, CONFIG)}
    block = int(BASE) // 900
    by_block = {}
    for start, pane in panes.items():
        by_block.setdefault(start // 900, {})[start] = pane
    element = (("a", block), [pack_panes(by_block[block]), pack_panes(by_block[block + 1])])
    windows = BlockWindows(CONFIG, WindowAccumulator, 4).process(element)
    got = {start: feature_dict(w, start, start + 900) for (_, start), w in windows}
    assert got == {s: f for s, f in offline.items() if block * 900 <= s < (block + 1) * 900 and f["request_count"] >= 4}
    assert got
