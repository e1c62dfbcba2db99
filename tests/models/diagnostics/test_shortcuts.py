"""The shortcut diagnostics on hand-built cases whose answers are known."""

import numpy as np
import pytest

from models.dataset import GroundTruth, WindowDataset
from models.diagnostics.shortcuts import family_pulls, separations
from pipelines.features.spec import FEATURE_NAMES
from tests.models.stand_in_product import ORDINARY, SCORE, stand_in_product, window_row


def test_a_feature_drawn_per_label_from_disjoint_ranges_separates_and_noise_does_not():
    rng = np.random.default_rng(0)
    labels = (rng.random(4000) < 0.3).astype(np.int8)
    leaky = np.where(labels == 1, rng.uniform(0.0, 1.0, 4000), rng.uniform(2.0, 3.0, 4000))  # benign higher
    noise = rng.normal(size=4000)
    result = {s.feature: s for s in separations(np.c_[leaky, noise], labels, names=("leaky", "noise"))}
    assert result["leaky"].auc == pytest.approx(1.0)
    assert result["leaky"].direction == "benign higher"
    # Only the one quantile bin that straddles the gap holds both labels.
    assert result["leaky"].benign_exclusive > 0.8 and result["leaky"].extraction_exclusive > 0.8
    assert result["noise"].auc < 0.55
    assert separations(np.c_[noise, leaky], labels, names=("noise", "leaky"))[0].feature == "leaky"


def test_the_feature_that_holds_a_family_down_is_the_strongest_pull():
    # The stand-in classifier's probability is one feature column: 0.1 on the family's windows, 0.95 once that
    # column is replaced by the reference; no other feature changes the score.
    rows = np.vstack([window_row(0.1, 50, ORDINARY, 0.5) for _ in range(4)])
    accounts = np.array(["a", "a", "b", "b"])
    truth = {a: GroundTruth(a, "extraction", "fam", "v", None, 0.0) for a in ("a", "b")}
    data = WindowDataset(rows, np.ones(4, dtype=np.int8), accounts, np.arange(4.0), truth)
    reference = np.ones(len(FEATURE_NAMES))
    reference[SCORE] = 0.95
    result = family_pulls(stand_in_product(), reference, data, "fam", threshold=0.9, min_requests=20)
    assert (result.accounts, result.windows, result.recall) == (2, 4, 0.0)
    assert result.mean_score == pytest.approx(0.1)
    strongest = result.pulls[0]
    assert strongest.feature == FEATURE_NAMES[SCORE]
    assert (strongest.mean_score, strongest.recall) == (pytest.approx(0.95), 1.0)
    assert all(p.mean_score == pytest.approx(0.1) for p in result.pulls[1:])
    assert "harvest_peer_percentile" not in {p.feature for p in result.pulls}  # derived: never replaced
