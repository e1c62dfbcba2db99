"""The alert threshold, chosen on benign validation traffic at an account-level false-positive budget.

A fixed 0.5 says nothing about how many benign accounts it alerts; a trust-and-safety team budgets that
number. Training simulates validation runs (seeds of their own, never training or evaluation seeds) and
picks the most sensitive threshold at which at most `fpr_budget` of their benign accounts would be alerted
by the product's decision: an account alerts at threshold t when some window passing the request floor
scores >= t, or when the novelty component fires on one (it lifts such a window to t, whatever t).
Extraction accounts of the validation runs are never read.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from models.dataset import WindowDataset, request_counts
from models.metrics import account_scores, allowed_false_positives
from models.product import ProductModel

FPR_BUDGET = 0.01  # of benign accounts per validation run; at 0.1 % the novelty component alone spends it
MIN_THRESHOLD = 0.05  # below it the classifier's calibrated score means "no evidence"; never alert there


@dataclass(frozen=True)
class ThresholdChoice:
    """What the manifest records as `alert_policy`; `pipelines.config` reads `threshold` from it."""

    threshold: float
    fpr_budget: float
    benign_accounts: int  # of the validation runs
    benign_alerted: int  # of them, alerted at `threshold`
    novelty_alerted: int  # of them, alerted by the novelty component whatever the threshold
    validation_runs: list[dict[str, float]]

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def choose_threshold(
    product: ProductModel,
    validation: WindowDataset,
    fpr_budget: float,
    min_requests: int,
    validation_runs: list[dict[str, float]],
) -> ThresholdChoice:
    benign_accounts = sorted(a for a, t in validation.truth.items() if t.label == "benign")
    benign = np.isin(validation.account_ids, benign_accounts)
    data = validation.rows(benign, {a: validation.truth[a] for a in benign_accounts})
    # Below an infinite threshold every window novelty fires on is lifted: which rows it fires on, whatever t.
    decision = product.decision(data, math.inf)
    counts = request_counts(data.features)
    fires = decision.novel
    by_account = account_scores(data.account_ids, decision.supervised, counts, benign_accounts, min_requests)
    novel_accounts = set(data.account_ids[fires & (counts >= min_requests)].tolist())
    novel = np.array([a in novel_accounts for a in benign_accounts], dtype=bool)
    allowed = allowed_false_positives(len(benign_accounts), fpr_budget) - int(novel.sum())
    ranked = np.sort(by_account[~novel])[::-1]
    if allowed < 0:
        threshold = 1.0  # novelty alone spends the budget: the supervised path keeps only certain scores
    else:
        below = ranked[allowed] if allowed < len(ranked) else -math.inf
        threshold = float(min(1.0, max(MIN_THRESHOLD, np.nextafter(below, math.inf))))
    alerted = int(np.sum((by_account >= threshold) | novel))
    return ThresholdChoice(threshold, fpr_budget, len(benign_accounts), alerted, int(novel.sum()), validation_runs)
