"""How the evaluation aggregates window scores into account results, on a hand-built case with known answers."""

import math

import numpy as np
import pytest

from models.dataset import GroundTruth, WindowDataset
from models.evaluation.aggregate import evaluate_set, headline
from models.evaluation.detectors import MODEL
from models.evaluation.families import benign_result, extraction_result
from models.evaluation.families import headline as family_headline
from models.evaluation.sets import EvalSet
from pipelines.config import AlertPolicyConfig, WindowConfig
from pipelines.features.spec import FEATURE_INDEX, FEATURE_NAMES

INF = math.inf
REQUESTS = FEATURE_INDEX["request_count"]
# The hand-made "model" reads its window score from this column; what the column means does not matter.
SCORE = FEATURE_INDEX["requests_per_minute"]

# account: (label, archetype, attack onset, [(window end, score, requests), ...]); policy: >= 0.5 and >= 20 requests.
CASE = {
    # Alerts in two windows, counts once; onset 0 -> first alerting window ends at 300 s.
    "x_full": ("extraction", "distillation_crawler", 0.0, [(300, 0.95, 30), (600, 0.99, 30)]),
    # A window ending exactly at the onset holds none of the attack: the delay runs to the window ending at 900.
    "x_late": ("extraction", "logprob_harvest", 300.0, [(300, 0.7, 30), (600, 0.2, 30), (900, 0.6, 25)]),
    # Its 0.99 window has too few requests to alert; its account score is the 0.4 of the window that may.
    "x_quiet": ("extraction", "reasoning_coercion", 0.0, [(300, 0.99, 10), (600, 0.4, 30)]),
    # Not a full-rate archetype: alerted, but outside the full-rate delay quantiles.
    "x_slow": ("extraction", "low_and_slow", 600.0, [(1200, 0.55, 20)]),
    "b_alerted": ("benign", "consumer_app", None, [(300, 0.5, 40), (600, 0.1, 40)]),  # exactly the threshold
    "b_low": ("benign", "rag_service", None, [(300, 0.3, 50)]),
    "b_unalertable": ("benign", "researcher_hobbyist", None, [(300, 0.99, 5)]),  # never alertable: -inf
    "b_mid": ("benign", "batch_eval", None, [(300, 0.45, 60)]),
}


def hand_built_set() -> EvalSet:
    rows, accounts, ends, truth = [], [], [], {}
    for account, (label, archetype, onset, windows) in CASE.items():
        truth[account] = GroundTruth(account, label, archetype, "standard", None, onset)
        for end, score, requests in windows:
            row = np.zeros(len(FEATURE_NAMES))
            row[REQUESTS], row[SCORE] = requests, score
            rows.append(row)
            accounts.append(account)
            ends.append(float(end))
    data = WindowDataset(np.vstack(rows), np.zeros(len(rows), np.int8), np.array(accounts), np.array(ends), truth)
    return EvalSet.build("hand-built", [], data, WindowConfig())


@pytest.fixture(scope="module")
def result():
    def scorer(data: WindowDataset) -> tuple[np.ndarray, np.ndarray]:
        return data.features[:, SCORE], np.full(len(data.labels), "supervised")

    return evaluate_set(hand_built_set(), {MODEL: scorer}, AlertPolicyConfig())


def test_account_scores_are_the_max_over_windows_passing_the_request_floor(result):
    scores = dict(zip(result.eval_set.accounts, result.model.scores.tolist(), strict=True))
    assert scores == {
        "x_full": 0.99,
        "x_late": 0.7,
        "x_quiet": 0.4,
        "x_slow": 0.55,
        "b_alerted": 0.5,
        "b_low": 0.3,
        "b_unalertable": -INF,
        "b_mid": 0.45,
    }


def test_recall_counts_each_extraction_account_once_and_fpr_is_over_benign_accounts(result):
    point = result.operational.point
    assert point.threshold == 0.5
    assert (point.true_positives, point.recall) == (3, 0.75)  # x_full, x_late, x_slow; x_full's 2 windows count once
    assert (point.false_positives, point.fpr) == (1, 0.25)  # b_alerted, at score == threshold
    assert result.operational.alerted == {"x_full", "x_late", "x_slow", "b_alerted"}


def test_alert_delay_runs_from_onset_to_the_end_of_the_first_alerting_window(result):
    assert result.operational.delays == {"x_full": 300.0, "x_late": 600.0, "x_quiet": INF, "x_slow": 600.0}
    # Earliest possible: the first window after the onset passing the request floor, whatever its score.
    assert result.earliest_delays == {"x_full": 300.0, "x_late": 300.0, "x_quiet": 600.0, "x_slow": 600.0}


def test_headline_takes_delay_quantiles_over_full_rate_accounts_only(result):
    numbers = headline(result)
    assert numbers["benign_accounts"] == 4 and numbers["extraction_accounts"] == 4
    assert numbers["alertable_extraction_accounts"] == 4
    assert numbers["recall_at_threshold"] == 0.75 and numbers["benign_fpr_at_threshold"] == 0.25
    assert numbers["full_rate_accounts"] == 3  # low_and_slow is not full rate
    assert numbers["median_time_to_alert_s"] == 600.0  # of 300, 600, never
    assert numbers["p90_time_to_alert_s"] is None  # x_quiet never alerts: "not reached"


def test_recall_at_target_fpr_allows_no_false_positive_among_four_benign_accounts(result):
    # 0.1% of 4 benign accounts is no account: the threshold sits just above the highest benign score (0.5).
    point = result.model.at_target_fpr
    assert point.false_positives == 0 and 0.5 < point.threshold < 0.55
    assert point.true_positives == 3 and point.recall == 0.75


def test_lower_request_floor_what_if_makes_quiet_windows_count(result):
    five = result.policy_what_ifs[5].by_threshold[0.5]
    assert five.true_positives == 4  # x_quiet's 0.99 window has 10 requests
    assert five.false_positives == 2  # b_unalertable's 0.99 window has 5


def test_family_headline_is_the_worst_family_and_the_unweighted_mean():
    benign = np.array([0.1, 0.2, 0.6, -INF])  # held-out benign accounts: one at or above 0.5
    results = [
        extraction_result("big_easy", np.array([0.9] * 99 + [0.1]), benign, 0.5),  # 99 of 100
        extraction_result("small_hard", np.array([0.9, 0.4, 0.3, -INF]), benign, 0.5),  # 1 of 4
        benign_result("noisy_benign", np.array([0.7, 0.1]), 0.5),  # 1 of 2 alerted
        benign_result("quiet_benign", np.array([0.1, 0.1, 0.2, 0.3]), 0.5),
    ]
    summary = family_headline(results)
    recall = summary["recall_at_threshold"]
    assert (recall.worst, recall.worst_family) == (0.25, "small_hard")
    assert recall.mean == pytest.approx((0.99 + 0.25) / 2)  # not pooled: pooled would be 100 / 104
    # 0.1% of 4 benign accounts allows none: the threshold must clear 0.6.
    at_fpr = summary["recall_at_0.1pct_fpr"]
    assert (at_fpr.worst, at_fpr.worst_family) == (0.25, "small_hard")
    assert at_fpr.mean == pytest.approx((0.99 + 0.25) / 2)
    assert summary["held_out_benign_fpr"].worst == 0.25
    fpr = summary["benign_family_fpr"]
    assert (fpr.worst, fpr.worst_family, fpr.mean) == (0.5, "noisy_benign", 0.25)
