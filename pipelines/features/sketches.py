"""Mergeable, bounded-memory sketches (Apache DataSketches) wrapped so Beam can pickle accumulators."""

from __future__ import annotations

from datasketches import frequent_items_error_type, frequent_strings_sketch, hll_sketch, hll_union

# lg_k=10: ~3% relative error, <= ~1 KiB per sketch however many items an account sends.
HLL_LG_K = 10
# Frequent-items map of 2**6 slots: enough to find the dominant prompt template in a window.
FREQ_LG_MAX_K = 6


class DistinctCounter:
    """HyperLogLog distinct count; exact for small cardinalities (list mode), bounded for large."""

    __slots__ = ("_sketch",)

    def __init__(self) -> None:
        self._sketch = hll_sketch(HLL_LG_K)

    def add(self, item: str) -> None:
        self._sketch.update(item)

    def merge(self, other: DistinctCounter) -> None:
        if other._sketch.is_empty():
            return
        union = hll_union(HLL_LG_K)
        union.update(self._sketch)
        union.update(other._sketch)
        self._sketch = union.get_result()

    def estimate(self) -> float:
        return self._sketch.get_estimate()

    def __getstate__(self) -> bytes:
        return self._sketch.serialize_compact()

    def __setstate__(self, state: bytes) -> None:
        self._sketch = hll_sketch.deserialize(state)


class FrequentItems:
    """Misra-Gries heavy hitters: estimates how often the most common item occurs."""

    __slots__ = ("_sketch",)

    def __init__(self) -> None:
        self._sketch = frequent_strings_sketch(FREQ_LG_MAX_K)

    def add(self, item: str) -> None:
        self._sketch.update(item)

    def merge(self, other: FrequentItems) -> None:
        if not other._sketch.is_empty():
            self._sketch.merge(other._sketch)

    def top_count(self) -> float:
        if self._sketch.is_empty():
            return 0.0
        items = self._sketch.get_frequent_items(frequent_items_error_type.NO_FALSE_NEGATIVES)
        # Lower bound (item[2]): never overstates repetition for a diverse stream.
        return float(max(item[2] for item in items)) if items else 0.0

    def __getstate__(self) -> bytes:
        return self._sketch.serialize()

    def __setstate__(self, state: bytes) -> None:
        self._sketch = frequent_strings_sketch.deserialize(state)
