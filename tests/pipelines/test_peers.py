import numpy as np
import pytest

from pipelines.features.peers import NO_RISK_AGE_DAYS, PeerStanding, workload_kind
from pipelines.features.spec import CLASSIFIER_BLANKED, FEATURE_INDEX, FEATURE_NAMES, MISSING

HARVEST, TIER, AGE = (FEATURE_INDEX[n] for n in ("harvest_per_minute", "account_tier_rank", "account_age_days"))
PERCENTILE = FEATURE_INDEX["harvest_peer_percentile"]


def rows(rng, n, tier, scale):
    features = np.zeros((n, len(FEATURE_NAMES)))
    features[:, HARVEST] = rng.exponential(scale, n)
    features[:, TIER] = tier
    features[:, AGE] = 100.0
    return features


@pytest.fixture(scope="module")
def training():
    rng = np.random.default_rng(0)
    benign = np.vstack([rows(rng, 5000, 1, 10.0), rows(rng, 5000, 5, 1000.0), rows(rng, 50, 6, 1.0)])
    extraction = rows(rng, 3000, 1, 1e6)
    features = np.vstack([benign, extraction])
    labels = np.r_[np.zeros(len(benign)), np.ones(len(extraction))]
    return features, labels


def test_percentile_is_among_benign_peers_of_the_same_tier(training):
    standing = PeerStanding().fit(*training)
    probe = np.zeros((3, len(FEATURE_NAMES)))
    probe[:, HARVEST] = 10.0 * np.log(2)  # the median of tier 1's benign harvest
    probe[:, TIER] = [1, 5, MISSING]
    percentile = standing.transform(probe)[:, PERCENTILE]
    assert percentile[0] == pytest.approx(0.5, abs=0.02)
    assert percentile[1] < 0.05  # tiny for a tier-5 customer
    assert 0.05 < percentile[2] < percentile[0]  # no tier: against all benign windows pooled


def test_extraction_windows_do_not_move_the_reference(training):
    features, labels = training
    benign_only = PeerStanding().fit(features[labels == 0], labels[labels == 0])
    np.testing.assert_array_equal(PeerStanding().fit(features, labels).reference_, benign_only.reference_)


def test_a_sparse_tier_falls_back_to_the_pooled_reference_and_tier_and_missing_age_are_never_evidence(training):
    standing = PeerStanding().fit(*training)
    probe = rows(np.random.default_rng(1), 4, 6, 5.0)
    probe[0, AGE] = MISSING
    pooled = probe.copy()
    pooled[:, TIER] = MISSING
    out = standing.transform(probe)
    np.testing.assert_array_equal(out[:, PERCENTILE], standing.transform(pooled)[:, PERCENTILE])
    assert (out[:, TIER] == MISSING).all()
    assert out[0, AGE] == NO_RISK_AGE_DAYS and out[1, AGE] == 100.0
    assert probe[0, AGE] == MISSING  # the input is not modified


def test_a_window_is_compared_with_benign_peers_of_its_workload_kind():
    rng = np.random.default_rng(2)
    chat = rows(rng, 3000, 1, 1000.0)
    scoring = rows(rng, 3000, 1, 10.0)
    scoring[:, FEATURE_INDEX["logprobs_share"]] = 1.0
    standing = PeerStanding().fit(np.vstack([chat, scoring]), np.zeros(6000))
    probe = np.vstack([chat[:1], scoring[:1]])
    probe[:, HARVEST] = 200.0  # a small chat app, but ~20x what a benign logprob scorer harvests
    assert workload_kind(probe).tolist() == [0, 1]
    low, high = standing.transform(probe)[:, PERCENTILE]
    assert low < 0.3 and high > 0.99


def test_every_benign_account_weighs_the_same_in_the_reference():
    """One always-on heavy account with many windows does not set the percentiles of the many light ones."""
    rng = np.random.default_rng(3)
    light = rows(rng, 900, 1, 10.0)  # 300 accounts of 3 windows
    heavy = rows(rng, 900, 1, 10_000.0)  # 3 accounts of 300 windows
    features = np.vstack([light, heavy])
    accounts = np.r_[np.repeat(np.arange(300), 3), np.repeat(np.arange(300, 303), 300)].astype(str)
    probe = np.zeros((1, len(FEATURE_NAMES)))
    probe[:, HARVEST] = 1_000.0  # far above every light account, far below the heavy ones
    by_window = PeerStanding().fit(features, np.zeros(len(features))).transform(probe)[0, PERCENTILE]
    by_account = PeerStanding().fit(features, np.zeros(len(features)), accounts).transform(probe)[0, PERCENTILE]
    assert 0.5 <= by_window < 0.6  # the light half plus the heavy windows below 1,000
    assert by_account > 0.98


def test_modality_markers_are_blanked_for_the_classifier_after_choosing_the_peer_group():
    rng = np.random.default_rng(4)
    embedding = rows(rng, 400, 1, 10.0)
    embedding[:, FEATURE_INDEX["embeddings_share"]] = 1.0
    embedding[:, FEATURE_INDEX["completion_tokens_mean"]] = 1.0
    out = PeerStanding().fit(embedding, np.zeros(400)).transform(embedding)
    assert workload_kind(embedding).tolist() == [2] * 400
    for name in CLASSIFIER_BLANKED:
        assert (out[:, FEATURE_INDEX[name]] == MISSING).all()
    assert embedding[0, FEATURE_INDEX["embeddings_share"]] == 1.0  # the input is not modified
