"""Seeded random draws: keyed generators and the range conventions of the profile dataclasses.

Every random draw of the simulator comes from a generator keyed by (seed, purpose, account, stream)
through numpy SeedSequence spawn keys, so generators never share state and draw order cannot leak
between streams.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from simulator.profiles import IntRange, Share, Span

FloatArray = npt.NDArray[np.float64]


def log_uniform(rng: random.Random, span: Span) -> float:
    low, high = span
    return low if low == high else math.exp(rng.uniform(math.log(low), math.log(high)))


def uniform(rng: random.Random, share: Share) -> float:
    return rng.uniform(*share)


def between(rng: random.Random, bounds: IntRange) -> int:
    return rng.randint(*bounds)


def log_between(rng: random.Random, bounds: IntRange) -> int:
    """An integer in bounds (inclusive), log-uniform: small counts are as common as large ones per octave."""
    low, high = bounds
    if low == high:
        return low
    return min(high, int(math.exp(rng.uniform(math.log(low), math.log(high + 1)))))


def zipf_weights(count: int) -> FloatArray:
    """Usage concentrates on the first items (the main API key, the busiest server)."""
    weights = 1.0 / np.arange(1, count + 1, dtype=np.float64)
    return weights / weights.sum()


def numpy_rng(seed: int, key: tuple[int, ...]) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(*key, 0)))


def python_rng(seed: int, key: tuple[int, ...]) -> random.Random:
    """Python's Random for scalar choices (faster than numpy one at a time), seeded apart from _numpy_rng."""
    state = np.random.SeedSequence(seed, spawn_key=(*key, 1)).generate_state(2, dtype=np.uint64)
    return random.Random(int(state[0]) << 64 | int(state[1]))


def apportion(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Splits total by weight (largest remainder), giving every positive-weight name one first if possible."""
    names = [name for name, weight in weights.items() if weight > 0]
    counts = dict.fromkeys(weights, 0)
    if total <= 0 or not names:
        return counts
    ranked = sorted(names, key=lambda name: (-weights[name], name))
    guaranteed = ranked[: min(total, len(ranked))]
    for name in guaranteed:
        counts[name] = 1
    remaining = total - len(guaranteed)
    weight_sum = sum(weights[name] for name in names)
    quotas = {name: remaining * weights[name] / weight_sum for name in names}
    for name in names:
        counts[name] += int(quotas[name])
    leftover = total - sum(counts.values())
    for name in sorted(names, key=lambda name: (-(quotas[name] - int(quotas[name])), name))[:leftover]:
        counts[name] += 1
    return counts
