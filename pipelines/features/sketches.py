"""Mergeable, bounded-memory sketches (Apache DataSketches) wrapped so Beam can pickle accumulators.

Both wrappers create their sketch on first use: most pane accumulators never see, say, a user agent,
and an accumulator is created per pane and per window, so empty sketches are not worth building.
"""

from __future__ import annotations

from datasketches import frequent_items_error_type, frequent_strings_sketch, hll_sketch, hll_union

# lg_k=10: ~3% relative error, <= ~1 KiB per sketch however many items an account sends.
HLL_LG_K = 10
# Frequent-items map of 2**6 slots: enough to find the dominant prompt template in a window.
FREQ_LG_MAX_K = 6


class DistinctCounter:
    """HyperLogLog distinct count; exact for small cardinalities (list mode), bounded for large.

    A counter that items were added to holds an `hll_sketch`; one that others were merged into holds
    an `hll_union` and keeps absorbing sketches into it: one union update per merge (~0.5 us) instead
    of a fresh union, two updates and a result per merge. Estimates are the same either way.
    """

    __slots__ = ("_sketch",)

    def __init__(self) -> None:
        self._sketch: hll_sketch | hll_union | None = None

    def add(self, item: str) -> None:
        if self._sketch is None:
            self._sketch = hll_sketch(HLL_LG_K)
        self._sketch.update(item)  # a union takes items too

    def merge(self, other: DistinctCounter) -> None:
        theirs = other._sketch
        if theirs is None:
            return
        if isinstance(theirs, hll_union):
            theirs = theirs.get_result()  # a copy: `other` is only read
        union = self._sketch
        if not isinstance(union, hll_union):
            mine, union = union, hll_union(HLL_LG_K)
            if mine is not None:
                union.update(mine)
            self._sketch = union
        union.update(theirs)

    def estimate(self) -> float:
        return 0.0 if self._sketch is None else self._sketch.get_estimate()

    def __getstate__(self) -> bytes:
        sketch = self._sketch
        if isinstance(sketch, hll_union):
            sketch = sketch.get_result()
        return b"" if sketch is None else sketch.serialize_compact()

    def __setstate__(self, state: bytes) -> None:
        self._sketch = hll_sketch.deserialize(state) if state else None


class FrequentItems:
    """Misra-Gries heavy hitters: estimates how often the most common item occurs."""

    __slots__ = ("_sketch",)

    def __init__(self) -> None:
        self._sketch: frequent_strings_sketch | None = None

    def add(self, item: str) -> None:
        if self._sketch is None:
            self._sketch = frequent_strings_sketch(FREQ_LG_MAX_K)
        self._sketch.update(item)

    def merge(self, other: FrequentItems) -> None:
        theirs = other._sketch
        if theirs is None:
            return
        if self._sketch is None:
            self._sketch = frequent_strings_sketch(FREQ_LG_MAX_K)
        self._sketch.merge(theirs)  # reads `theirs` only

    def top_count(self) -> float:
        if self._sketch is None or self._sketch.is_empty():
            return 0.0
        items = self._sketch.get_frequent_items(frequent_items_error_type.NO_FALSE_NEGATIVES)
        # Lower bound (item[2]): never overstates repetition for a diverse stream.
        return float(max(item[2] for item in items)) if items else 0.0

    def __getstate__(self) -> bytes:
        return b"" if self._sketch is None else self._sketch.serialize()

    def __setstate__(self, state: bytes) -> None:
        self._sketch = frequent_strings_sketch.deserialize(state) if state else None
