import os
import pickle
import random
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from pipelines.features.sketches import COUNT_BUCKETS, BucketCounts

ITEMS = st.lists(st.text(min_size=1, max_size=12), max_size=400)


def counts_of(items: list[str]) -> BucketCounts:
    counts = BucketCounts()
    for item in items:
        counts.add(item)
    return counts


@given(ITEMS, st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=8))
def test_bucket_counts_are_the_same_in_any_order_and_split(items, seed, parts):
    whole = counts_of(items).top_count()
    shuffled = list(items)
    random.Random(seed).shuffle(shuffled)
    merged = BucketCounts()
    for part in range(parts):
        merged.merge(pickle.loads(pickle.dumps(counts_of(shuffled[part::parts]))))
    assert merged.top_count() == whole


@given(ITEMS)
def test_top_bucket_bounds_the_top_item_from_above(items):
    top_item = max((items.count(item) for item in set(items)), default=0)
    top_bucket = counts_of(items).top_count()
    assert top_item <= top_bucket <= len(items)


def test_a_repeated_item_is_counted_exactly_and_diverse_items_spread():
    assert counts_of(["What is 0 + 0?"] * 50).top_count() == 50
    diverse = counts_of([f"distinct prompt {n}" for n in range(20 * COUNT_BUCKETS)])
    assert diverse.top_count() < 2 * 20  # ~20 per bucket: no bucket holds a template's worth of repetition


def test_buckets_do_not_depend_on_the_process_hash_seed():
    # `hash()` of a str changes with PYTHONHASHSEED; buckets must agree between workers.
    script = (
        "from pipelines.features.sketches import BucketCounts\n"
        "c = BucketCounts()\n"
        "for n in range(300): c.add(f'item {n % 37}')\n"
        "print(sorted(c.__getstate__().items()))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1
