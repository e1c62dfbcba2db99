import math

import numpy as np
import pytest

from models.metrics import account_scores, alert_delays, quantile, recall_at_fpr, wilson_interval

INF = math.inf


def test_account_score_is_the_max_over_windows_that_can_alert():
    ids = np.array(["a", "a", "a", "b", "b"])
    scores = np.array([0.2, 0.9, 0.4, 0.99, 0.3])
    counts = np.array([25, 19, 20, 5, 10])  # a's 0.9 and all of b's windows are under the request floor
    result = account_scores(ids, scores, counts, ["a", "b", "c"], min_requests=20)
    assert result.tolist() == [0.4, -INF, -INF]  # c has no window at all


def test_recall_at_fpr_allows_exactly_the_budgeted_false_positives():
    benign = np.linspace(0.0, 0.999, 1000)  # highest benign scores: 0.999, 0.998, ...
    attacks = np.array([0.9995, 0.9985, 0.99, -INF])
    point = recall_at_fpr(benign, attacks, max_fpr=0.001)  # 1 of 1,000 benign accounts may alert
    assert point.false_positives == 1 and point.fpr == pytest.approx(0.001)
    assert point.true_positives == 2 and point.recall == 0.5
    assert 0.998 < point.threshold < 0.9985


def test_recall_at_fpr_with_too_few_benign_accounts_allows_none():
    benign = np.array([0.1] * 998 + [0.7])  # 999 accounts: 0.1% is less than one account
    point = recall_at_fpr(benign, np.array([0.69, 0.71]), max_fpr=0.001)
    assert point.false_positives == 0 and point.recall == 0.5


def test_tied_benign_scores_never_exceed_the_budget():
    benign = np.array([0.9, 0.9, 0.9, 0.1])
    point = recall_at_fpr(benign, np.array([0.9, 0.95]), max_fpr=0.25)  # one false positive allowed
    assert point.false_positives == 0 and point.recall == 0.5  # admitting one 0.9 would admit all three


def test_accounts_that_cannot_alert_are_never_recalled():
    point = recall_at_fpr(np.array([-INF, -INF]), np.array([-INF, 0.1]), max_fpr=1.0)
    assert point.recall == 0.5 and point.false_positives == 0


def test_alert_delay_is_onset_to_the_end_of_the_first_alerting_window_after_it():
    ids = np.array(["x"] * 5 + ["y", "z"])
    ends = np.array([900.0, 1200.0, 1500.0, 1800.0, 2100.0, 1200.0, 1200.0])
    scores = np.array([0.9, 0.3, 0.9, 0.8, 0.95, 0.2, 0.99])
    counts = np.array([50, 50, 10, 50, 50, 50, 50])
    onsets = {"x": 1000.0, "y": 0.0}  # z is benign: no onset
    delays = alert_delays(ids, ends, scores, counts, onsets, threshold=0.5, min_requests=20)
    # x: 900 ends before the onset, 1200 scores low, 1500 has too few requests -> 1800
    assert delays == {"x": 800.0, "y": INF}


def test_quantiles_rank_misses_last_instead_of_averaging_them():
    delays = [300.0, 600.0, INF, INF]
    assert quantile(delays, 0.5) == 600.0
    assert quantile(delays, 0.9) == INF
    assert math.isnan(quantile([], 0.5))


def test_wilson_interval():
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-3)
    low, high = wilson_interval(95, 100)
    assert (low, high) == pytest.approx((0.8882, 0.9785), abs=1e-3)
    assert wilson_interval(10, 10)[1] == 1.0
