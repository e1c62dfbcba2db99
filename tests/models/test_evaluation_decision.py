"""The evaluation judges the product's decision: classifier, novelty lift and long-horizon rows, on a hand-built
case with known answers."""

import math

import numpy as np
import pytest

from models.dataset import GroundTruth, WindowDataset
from models.evaluation.aggregate import evaluate_set
from models.evaluation.detectors import MODEL, VOLUME, baseline, product_scorer
from models.evaluation.sets import EvalSet
from models.product import HORIZON, NOVELTY, SUPERVISED
from pipelines.config import AlertPolicyConfig, WindowConfig
from tests.models.stand_in_product import REQUESTS, stand_in_product, window_row

# account: (label, [(window end, classifier score, requests, odd value, harvest percentile, horizon row), ...])
CASE = {
    "x_supervised": ("extraction", [(3600, 0.8, 30, 1.0, 0.5, False)]),
    # Classifier says 0.2, but the window is novel and harvests above its peers: lifted to exactly 0.5.
    "x_novel": ("extraction", [(3600, 0.2, 30, 1000.0, 1.0, False)]),
    # Only ever 10 requests per window; its 24 h horizon row holds 25 and scores 0.7.
    "x_sparse": ("extraction", [(3600, 0.9, 10, 1.0, 0.5, False), (86400, 0.7, 25, 1.0, 0.5, True)]),
    # Per-window and horizon rows alert at the same end: the per-window one is the alert (pipelines.alerting).
    "x_both": ("extraction", [(7200, 0.6, 40, 1.0, 0.5, True), (7200, 0.6, 40, 1.0, 0.5, False)]),
    # Novel but harvesting like its peers: not lifted.
    "b_odd_small": ("benign", [(3600, 0.2, 30, 1000.0, 0.5, False)]),
    "b_quiet": ("benign", [(3600, 0.1, 50, 1.0, 0.9, False)]),
}


@pytest.fixture(scope="module")
def eval_set() -> EvalSet:
    rows, accounts, ends, horizon, truth = [], [], [], [], {}
    for account, (label, windows) in CASE.items():
        truth[account] = GroundTruth(account, label, "family", "standard", None, 0.0 if label == "extraction" else None)
        for end, score, requests, odd, percentile, is_horizon in windows:
            rows.append(window_row(score, requests, odd, percentile))
            accounts.append(account)
            ends.append(float(end))
            horizon.append(is_horizon)
    labels = np.zeros(len(rows), np.int8)
    data = WindowDataset(np.vstack(rows), labels, np.array(accounts), np.array(ends), truth, np.array(horizon))
    return EvalSet.build("hand-built", [], data, WindowConfig())


@pytest.fixture(scope="module")
def result(eval_set):
    policy = AlertPolicyConfig()
    product = stand_in_product()
    detectors = {MODEL: product_scorer(product, policy), VOLUME: baseline(VOLUME, lambda f: f[:, REQUESTS])}
    return evaluate_set(eval_set, detectors, policy)


def test_account_scores_are_the_product_decision(result):
    scores = dict(zip(result.eval_set.accounts, result.model.scores.tolist(), strict=True))
    assert scores == {
        "x_supervised": 0.8,
        "x_novel": 0.5,
        "x_sparse": 0.7,
        "x_both": 0.6,
        "b_odd_small": 0.2,
        "b_quiet": 0.1,
    }
    point = result.operational.point
    assert (point.true_positives, point.false_positives) == (4, 0)


def test_each_alerted_account_is_credited_to_the_component_of_its_first_alert(result):
    assert result.fired_by == {SUPERVISED: (2, 0), NOVELTY: (1, 0), HORIZON: (1, 0)}
    components = dict(zip(result.eval_set.data.account_ids.tolist(), result.model.components.tolist(), strict=True))
    assert components["x_novel"] == NOVELTY and components["b_odd_small"] == SUPERVISED


def test_baselines_judge_per_window_rows_only(result):
    volume = result.detectors[VOLUME]
    horizon = result.eval_set.data.is_horizon
    assert np.isneginf(volume.window_scores[horizon]).all()
    scores = dict(zip(result.eval_set.accounts, volume.scores.tolist(), strict=True))
    assert scores["x_sparse"] == -math.inf  # its only alertable row is a horizon row
