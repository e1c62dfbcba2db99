import numpy as np
import pytest

from pipelines.features.spec import FEATURE_INDEX, FEATURE_NAMES
from pipelines.novelty import NoveltyCalibration, fit_novelty, novelty_fires, statistic

PERCENTILE = FEATURE_INDEX["harvest_peer_percentile"]


def benign_rows(rng, n):
    rows = np.abs(rng.normal(1.0, 0.3, size=(n, len(FEATURE_NAMES))))
    rows[:, PERCENTILE] = rng.uniform(0, 1, n)
    return rows


@pytest.fixture(scope="module")
def population():
    rng = np.random.default_rng(0)
    benign = benign_rows(rng, 40_000)
    extraction = benign_rows(rng, 4_000) * 50
    rows = np.vstack([benign, extraction])
    labels = np.r_[np.zeros(len(benign)), np.ones(len(extraction))]
    accounts = np.array([f"acct-{i // 10}" for i in range(len(rows))])  # 10 windows per account
    return rows, labels, accounts


def test_the_threshold_is_set_from_benign_windows_only(population):
    rows, labels, accounts = population
    forest, calibration = fit_novelty(rows, labels, accounts, seed=0, quantile=0.99)
    benign = labels == 0
    again, benign_only = fit_novelty(rows[benign], labels[benign], accounts[benign], seed=0, quantile=0.99)
    assert benign_only.threshold == calibration.threshold
    np.testing.assert_array_equal(statistic(again, rows), statistic(forest, rows))
    assert calibration.fitted_windows + calibration.calibration_windows == benign.sum()


def test_benign_false_positive_rate_on_held_out_windows_is_near_the_quantile(population):
    forest, calibration = fit_novelty(*population, seed=0, quantile=0.99)
    fresh = benign_rows(np.random.default_rng(1), 20_000)
    rate = (statistic(forest, fresh) > calibration.threshold).mean()
    assert 0.005 < rate < 0.02


def test_novel_windows_fire_only_when_they_harvest_above_benign_peers(population):
    forest, calibration = fit_novelty(*population, seed=0)
    odd = benign_rows(np.random.default_rng(2), 4) * 50
    odd[:, PERCENTILE] = [1.0, 0.995, 0.5, 0.0]  # the first two above the harvest gate
    assert (statistic(forest, odd) > calibration.threshold).all()
    assert novelty_fires(forest, calibration, odd).tolist() == [True, True, False, False]
    assert NoveltyCalibration.from_json(calibration.to_json()) == calibration
