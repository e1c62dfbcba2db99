"""A detect run tunes the cyclic garbage collector for its duration only."""

import gc

import pytest

from distillwatch.detect import YOUNGEST_GENERATION_THRESHOLD, garbage_collected_rarely


def test_a_run_collects_rarely_and_leaves_the_collector_as_it_found_it():
    before = gc.get_threshold()
    with garbage_collected_rarely():
        assert gc.get_threshold() == (YOUNGEST_GENERATION_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > 0  # what existed before the run is out of the collected generations
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_collector_is_restored_when_the_run_fails():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), garbage_collected_rarely():
        raise RuntimeError("the run failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
