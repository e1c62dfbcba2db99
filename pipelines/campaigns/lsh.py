"""Locality-sensitive hashing: similar sets (MinHash) or similar vectors (SimHash) yield equal band tokens.

Equal band tokens are what the inverted index joins on, so similar accounts meet under one key and nobody is
compared with everybody. Every hash is seeded by constants, so all workers and every replay agree.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable

import numpy as np

_SEED = 20260101


def stable_hash64(text: str) -> int:
    """A 64-bit hash that, unlike `hash()`, is the same in every process."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


@functools.cache
def _minhash_parameters(count: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([_SEED, count])
    odd = rng.integers(0, 2**63, size=count, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    return odd.reshape(-1, 1), rng.integers(0, 2**63, size=count, dtype=np.uint64).reshape(-1, 1)


def minhash(items: Iterable[str], count: int) -> np.ndarray:
    """MinHash signature (`count` uint32s) of a non-empty set; P(equal at a row) = Jaccard similarity.

    Row i hashes with multiply-shift (a_i * x + b_i mod 2^64, high 32 bits), a universal family.
    """
    hashes = np.fromiter((stable_hash64(item) for item in set(items)), dtype=np.uint64)
    if hashes.size == 0:
        raise ValueError("MinHash of an empty set")
    a, b = _minhash_parameters(count)
    permuted = (a * hashes.reshape(1, -1) + b) >> np.uint64(32)  # uint64 arithmetic wraps: that is the mod 2^64
    return permuted.min(axis=1).astype(np.uint32)


@functools.cache
def _hyperplanes(dimensions: int, bits: int) -> np.ndarray:
    return np.random.default_rng([_SEED, dimensions, bits]).standard_normal((bits, dimensions))


def simhash_bits(vector: np.ndarray, bits: int) -> np.ndarray:
    """Signs of `bits` random projections; P(equal bit) = 1 - angle(u, v) / pi."""
    return _hyperplanes(vector.size, bits) @ vector > 0


def band_tokens(signature: np.ndarray, bands: int) -> list[str]:
    """One token per band of the signature ("band:digest"): two signatures share a token iff a band is identical."""
    rows = len(signature) // bands
    tokens = []
    for band in range(bands):
        chunk = np.ascontiguousarray(signature[band * rows : (band + 1) * rows])
        tokens.append(f"{band}:{hashlib.blake2b(chunk.tobytes(), digest_size=6).hexdigest()}")
    return tokens
