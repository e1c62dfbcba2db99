"""The alert threshold at a benign-account FPR budget, on a hand-built validation set with known answers."""

import math

import numpy as np
import pytest

from models.dataset import GroundTruth, WindowDataset
from models.threshold import choose_threshold
from pipelines.config import AlertPolicyConfig
from tests.models.stand_in_product import NOVEL, ORDINARY, stand_in_product, window_row

PRODUCT = stand_in_product()
# account: (label, [(supervised score, requests, novel), ...])
CASE = {
    "b_high": ("benign", [(0.9, 30, False), (0.1, 30, False)]),
    "b_mid": ("benign", [(0.7, 30, False), (0.95, 5, False)]),  # its 0.95 window is below the request floor
    "b_novel": ("benign", [(0.3, 30, True)]),  # novelty alerts it at any threshold
    "b_low": ("benign", [(0.2, 30, False)]),
    "x_attack": ("extraction", [(0.99, 30, False)]),  # never read
}


@pytest.fixture(scope="module")
def validation() -> WindowDataset:
    rows, accounts, truth = [], [], {}
    for account, (label, windows) in CASE.items():
        truth[account] = GroundTruth(account, label, "a", "v", None, 0.0 if label == "extraction" else None)
        for score, requests, novel in windows:
            rows.append(window_row(score, requests, NOVEL if novel else ORDINARY, 1.0))
            accounts.append(account)
    n = len(rows)
    return WindowDataset(np.vstack(rows), np.zeros(n, np.int8), np.array(accounts), np.zeros(n), truth)


def choose(validation, budget):
    return choose_threshold(PRODUCT, validation, budget, AlertPolicyConfig().min_requests, [])


def test_the_novelty_alerted_account_spends_the_budget_first(validation):
    choice = choose(validation, 0.25)  # 1 of 4 benign accounts: b_novel
    assert choice.benign_accounts == 4 and choice.novelty_alerted == 1
    assert choice.threshold == np.nextafter(0.9, math.inf)
    assert choice.benign_alerted == 1


def test_the_threshold_sits_just_above_the_first_benign_score_the_budget_cannot_take(validation):
    choice = choose(validation, 0.5)  # 2 of 4: b_novel and b_high
    assert choice.threshold == np.nextafter(0.7, math.inf)
    assert choice.benign_alerted == 2


def test_a_budget_novelty_alone_exceeds_leaves_only_certain_scores(validation):
    assert choose(validation, 0.0).threshold == 1.0


def test_the_policy_alerts_from_the_chosen_threshold_and_keeps_severities_ascending():
    policy = AlertPolicyConfig().with_alert_threshold(0.9)
    assert policy.alert_threshold == 0.9
    assert [t for t, _ in policy.severities] == [0.9, 0.9, 0.95]
    assert policy.severity(0.92) == "high" and policy.severity(0.89) is None
