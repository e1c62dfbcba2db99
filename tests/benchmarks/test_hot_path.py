"""The optimised feature hot path computes what the straightforward version did."""

import datetime as dt
import pickle
import random

import pytest

from pipelines.config import WindowConfig
from pipelines.features.accumulator import _SUMS, REASONING_ELICITATION, WindowAccumulator, reasoning_elicited
from pipelines.features.extract import feature_dict
from pipelines.features.offline import sliding_windows
from pipelines.features.sketches import DistinctCounter
from pipelines.features.spec import FEATURE_NAMES
from tests.events import T0, event

SKETCHED = {
    "distinct_api_keys", "distinct_ips", "distinct_ip_prefixes", "distinct_user_agents", "prompt_distinct_share",
    "template_top_share",
}  # fmt: skip


def test_merge_adds_every_summed_field():
    left, right = WindowAccumulator(), WindowAccumulator()
    for i, name in enumerate(_SUMS):
        setattr(left, name, i)
        setattr(right, name, 1000 * (i + 1))
    left.merge(right)
    assert {name: getattr(left, name) for name in _SUMS} == {name: i + 1000 * (i + 1) for i, name in enumerate(_SUMS)}


@pytest.mark.parametrize(
    "text",
    [
        "Explain topic 3 step by step",
        "STEP-BY-STEP please",
        "show me your complete thinking",
        "Let us think out loud",
        "use a scratchpad",
        "chain of thought",
        "a plain question",
        "stepwise, no show",
        "\u017ftep by \u017ftep",  # long s: matches "s" case-insensitively
        "Schritt für Schritt, step by step",
    ],
)
def test_reasoning_elicitation_matches_the_regex(text):
    assert reasoning_elicited(text, text.lower()) == (REASONING_ELICITATION.search(text) is not None)


def test_distinct_counter_union_mode_survives_pickling_and_never_changes_its_inputs():
    panes = []
    for p in range(3):
        counter = DistinctCounter()
        for i in range(40):
            counter.add(f"item-{p * 20 + i}")  # overlapping ranges: 80 distinct in all
        panes.append(counter)
    before = [pane.estimate() for pane in panes]
    merged = DistinctCounter()
    for pane in panes:
        merged.merge(pane)
    again = DistinctCounter()
    again.merge(merged)  # merging a merged (union-mode) counter
    assert [pane.estimate() for pane in panes] == before
    assert merged.estimate() == pytest.approx(80, abs=1)
    assert pickle.loads(pickle.dumps(merged)).estimate() == merged.estimate() == again.estimate()
    assert pickle.loads(pickle.dumps(DistinctCounter())).estimate() == 0.0


def _naive_windows(panes, config):
    period, size = config.period_s, config.size_s
    for start in sorted({pane - k * period for pane in panes for k in range(size // period)}):
        merged = WindowAccumulator()
        for pane in range(start, start + size, period):
            if pane in panes:
                merged.merge(panes[pane])
        yield start, merged


@pytest.mark.parametrize(("size_s", "period_s"), [(3600, 300), (900, 300), (300, 300), (3600, 60)])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sliding_windows_equal_merging_each_windows_panes(size_s, period_s, seed):
    rng = random.Random(seed)
    config = WindowConfig(size_s=size_s, period_s=period_s)
    panes: dict[int, WindowAccumulator] = {}
    for n in range(rng.randint(1, 120)):
        offset = rng.randrange(0, 6 * 3600) if rng.random() < 0.7 else rng.randrange(0, 600)  # dense and sparse
        e = event(
            n,
            at=T0 + dt.timedelta(seconds=offset),
            client={"ip": f"10.0.{rng.randrange(3)}.{rng.randrange(5)}", "user_agent": f"ua{rng.randrange(3)}"},
            prompt={"text": f"Q{rng.randrange(40)}: step by step" if rng.random() < 0.5 else "hello"},
            params={"temperature": rng.choice([0.0, 0.5, 1.0]), "max_tokens": 100},
        )
        panes.setdefault(int(e.timestamp) // period_s * period_s, WindowAccumulator()).add(e)
    snapshot = {start: pickle.dumps(acc) for start, acc in panes.items()}
    fast = list(sliding_windows(panes, config))
    slow = list(_naive_windows(panes, config))
    assert [start for start, _ in fast] == [start for start, _ in slow]
    for (start, got), (_, expected) in zip(fast, slow, strict=True):
        features, reference = feature_dict(got, start, start + size_s), feature_dict(expected, start, start + size_s)
        for name in FEATURE_NAMES:
            tolerance = 0.05 if name in SKETCHED else 1e-9
            assert features[name] == pytest.approx(reference[name], rel=tolerance, abs=1e-9), name
    assert {start: pickle.dumps(acc) for start, acc in panes.items()} == snapshot  # panes never modified
