"""Account-level detection metrics, as the alert policy sees them.

A window can only alert with at least `min_requests` requests, so an account's score is its highest
score over such windows, and an account without any (too quiet to accuse) scores -inf: it is never
alerted at any threshold. Thresholds mean "alert when score >= threshold", like the pipeline's policy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OperatingPoint:
    threshold: float  # alert when score >= threshold
    recall: float
    fpr: float  # realised share of benign accounts alerted
    true_positives: int
    false_positives: int


def account_scores(
    account_ids: np.ndarray,
    window_scores: np.ndarray,
    request_counts: np.ndarray,
    accounts: Sequence[str],
    min_requests: int,
) -> np.ndarray:
    """Per account (in `accounts` order): the max window score over windows with >= min_requests."""
    index = {account: i for i, account in enumerate(accounts)}
    eligible = request_counts >= min_requests
    rows = np.fromiter((index[a] for a in account_ids[eligible]), dtype=np.int64, count=int(eligible.sum()))
    scores = np.full(len(accounts), -np.inf)
    np.maximum.at(scores, rows, window_scores[eligible])
    return scores


def allowed_false_positives(benign_accounts: int, max_fpr: float) -> int:
    """How many benign accounts an FPR budget allows: with 1,000 accounts, 0.1% is a single account."""
    return math.floor(max_fpr * benign_accounts + 1e-9)


def operating_point(benign: np.ndarray, attacks: np.ndarray, threshold: float) -> OperatingPoint:
    true_positives = int(np.sum(attacks >= threshold))
    false_positives = int(np.sum(benign >= threshold))
    return OperatingPoint(
        threshold=threshold,
        recall=true_positives / len(attacks),
        fpr=false_positives / len(benign),
        true_positives=true_positives,
        false_positives=false_positives,
    )


def recall_at_fpr(benign: np.ndarray, attacks: np.ndarray, max_fpr: float) -> OperatingPoint:
    """The most sensitive threshold that alerts at most `allowed_false_positives` benign accounts."""
    allowed = allowed_false_positives(len(benign), max_fpr)
    ranked = np.sort(benign)[::-1]
    # Just above the (allowed + 1)-th highest benign score, so ties with it never slip in extra false
    # positives; and never -inf itself, which would "alert" accounts that cannot alert.
    below = ranked[allowed] if allowed < len(ranked) else -math.inf
    return operating_point(benign, attacks, float(np.nextafter(below, math.inf)))


def alert_delays(
    account_ids: np.ndarray,
    window_ends: np.ndarray,
    window_scores: np.ndarray,
    request_counts: np.ndarray,
    onsets: Mapping[str, float],
    threshold: float,
    min_requests: int,
) -> dict[str, float]:
    """Seconds from each account's attack onset to the end of its first alerting window after it.

    Alerting means score >= threshold with >= min_requests requests; windows ending at or before the
    onset do not count (they hold none of the attack). An account that never alerts gets +inf.
    """
    delays = dict.fromkeys(onsets, math.inf)
    alerting = (window_scores >= threshold) & (request_counts >= min_requests)
    for account, end in zip(account_ids[alerting], window_ends[alerting], strict=True):
        onset = onsets.get(account)
        if onset is not None and end > onset:
            delays[account] = min(delays[account], end - onset)
    return delays


def quantile(values: Sequence[float], q: float) -> float:
    """Empirical quantile (an observed value, no interpolation), so misses (+inf) are ranked, not averaged."""
    if len(values) == 0:
        return math.nan
    return float(np.quantile(np.asarray(values, dtype=float), q, method="inverted_cdf"))


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion: honest at 0 or n successes, unlike the normal one."""
    if trials == 0:
        return (0.0, 1.0)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return (max(0.0, centre - half), min(1.0, centre + half))
