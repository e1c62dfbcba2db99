"""MinHash and SimHash band tokens: similar inputs share tokens, dissimilar ones rarely do, all deterministically."""

import numpy as np
import pytest

from pipelines.campaigns.lsh import band_tokens, minhash, simhash_bits, stable_hash64


def test_stable_hash_is_deterministic_and_spreads():
    assert stable_hash64("a") == stable_hash64("a")
    assert len({stable_hash64(str(i)) for i in range(10_000)}) == 10_000


def test_minhash_estimates_jaccard_similarity():
    a = {f"item-{i}" for i in range(300)}
    b = {f"item-{i}" for i in range(100, 400)}  # Jaccard 200 / 400 = 0.5
    rows = 512
    estimate = float(np.mean(minhash(a, rows) == minhash(b, rows)))
    assert estimate == pytest.approx(0.5, abs=0.07)
    assert np.array_equal(minhash(a, rows), minhash(sorted(a), rows))  # a set: order and repeats do not matter
    disjoint = {f"other-{i}" for i in range(300)}
    assert float(np.mean(minhash(a, rows) == minhash(disjoint, rows))) < 0.03


def test_minhash_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        minhash([], 8)


def test_band_tokens_are_shared_exactly_where_bands_agree():
    signature = np.arange(12, dtype=np.uint32)
    changed = signature.copy()
    changed[5] = 99  # inside band 1 of 3 (rows 4..7)
    tokens, changed_tokens = band_tokens(signature, 3), band_tokens(changed, 3)
    assert [t == c for t, c in zip(tokens, changed_tokens, strict=True)] == [True, False, True]
    assert [t.split(":")[0] for t in tokens] == ["0", "1", "2"]
    # Equal values in different bands never collide: the band index is part of the token.
    assert len(set(band_tokens(np.zeros(12, dtype=np.uint32), 3))) == 3


def test_simhash_depends_on_direction_only():
    rng = np.random.default_rng(1)
    v = rng.standard_normal(30)
    assert np.array_equal(simhash_bits(v, 64), simhash_bits(3 * v, 64))
    assert np.array_equal(simhash_bits(-v, 64), ~simhash_bits(v, 64))
    near = v + 0.05 * rng.standard_normal(30)
    far = rng.standard_normal(30)
    agree = np.mean(simhash_bits(v, 64) == simhash_bits(near, 64))
    assert agree > 0.9 > np.mean(simhash_bits(v, 64) == simhash_bits(far, 64))
