"""How per-window scores become account-level results: recall, FPR, delays, policy what-ifs, headline."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from models.dataset import request_counts
from models.evaluation.config import BASELINE_FPR, REQUEST_FLOORS, TARGET_FPR
from models.evaluation.decision import first_alert_components
from models.evaluation.detectors import MODEL, Scorer
from models.evaluation.sets import EvalSet
from models.metrics import OperatingPoint, account_scores, alert_delays, operating_point, quantile, recall_at_fpr
from models.product import COMPONENTS
from pipelines.config import AlertPolicyConfig


@dataclass(frozen=True)
class ThresholdResult:
    """One detector at one threshold: which accounts it alerts, and how soon after an attack starts."""

    label: str
    point: OperatingPoint
    alerted: frozenset[str]
    delays: dict[str, float]  # extraction accounts: seconds from onset to first alert (+inf: never)

    def full_rate_delays(self, eval_set: EvalSet) -> list[float]:
        return [delay for account, delay in self.delays.items() if eval_set.is_full_rate(account)]


@dataclass(frozen=True)
class DetectorResult:
    name: str
    window_scores: np.ndarray
    components: np.ndarray  # per window: the component that set its score (models.evaluation.decision)
    scores: np.ndarray  # per account, in EvalSet.accounts order
    roc_auc: float
    average_precision: float
    at_target_fpr: OperatingPoint  # threshold chosen for <= TARGET_FPR on the evaluation set
    at_baseline_fpr: ThresholdResult  # threshold chosen for <= BASELINE_FPR on the evaluation set


@dataclass(frozen=True)
class PolicyWhatIf:
    """The classifier under one request floor: at each severity threshold, and at the target FPR."""

    by_threshold: dict[float, OperatingPoint]
    median_full_rate_delay: dict[float, float]  # threshold -> seconds
    at_target_fpr: OperatingPoint


@dataclass(frozen=True)
class SetResult:
    eval_set: EvalSet
    detectors: dict[str, DetectorResult]
    operational: ThresholdResult  # the classifier at the alert policy's threshold
    # The earliest any detector could alert: the first window after the onset with enough requests.
    earliest_delays: dict[str, float]
    # The classifier under the policy's and other request floors: min_requests -> what-if.
    policy_what_ifs: dict[int, PolicyWhatIf]
    # Alerted accounts at the policy threshold, by the component of their first alert: (extraction, benign).
    fired_by: dict[str, tuple[int, int]]

    @property
    def model(self) -> DetectorResult:
        return self.detectors[MODEL]

    def columns(self) -> list[ThresholdResult]:
        return [self.operational, *(d.at_baseline_fpr for d in self.detectors.values())]


def finite(scores: np.ndarray) -> np.ndarray:
    """Accounts that can never alert (-inf) ranked below every real score, for sklearn's curves."""
    floor = scores[np.isfinite(scores)].min(initial=0.0) - 1.0
    return np.where(np.isfinite(scores), scores, floor)


def at_threshold(
    eval_set: EvalSet,
    window_scores: np.ndarray,
    scores: np.ndarray,
    point: OperatingPoint,
    label: str,
    min_requests: int,
) -> ThresholdResult:
    data = eval_set.data
    counts = request_counts(data.features)
    delays = alert_delays(
        data.account_ids, data.window_ends, window_scores, counts, eval_set.onsets(), point.threshold, min_requests
    )
    alerted = frozenset(a for a, s in zip(eval_set.accounts, scores, strict=True) if s >= point.threshold)
    return ThresholdResult(label, point, alerted, delays)


def evaluate_detector(eval_set: EvalSet, name: str, scorer: Scorer, min_requests: int) -> DetectorResult:
    data = eval_set.data
    window_scores, components = scorer(data)
    scores = account_scores(
        data.account_ids, window_scores, request_counts(data.features), eval_set.accounts, min_requests
    )
    benign, attacks = scores[~eval_set.is_attack], scores[eval_set.is_attack]
    baseline_point = recall_at_fpr(benign, attacks, BASELINE_FPR)
    return DetectorResult(
        name=name,
        window_scores=window_scores,
        components=components,
        scores=scores,
        roc_auc=float(roc_auc_score(eval_set.is_attack, finite(scores))),
        average_precision=float(average_precision_score(eval_set.is_attack, finite(scores))),
        at_target_fpr=recall_at_fpr(benign, attacks, TARGET_FPR),
        at_baseline_fpr=at_threshold(
            eval_set, window_scores, scores, baseline_point, f"{name} @ ≤{BASELINE_FPR:.0%} FPR", min_requests
        ),
    )


def evaluate_set(eval_set: EvalSet, scorers: dict[str, Scorer], policy: AlertPolicyConfig) -> SetResult:
    data, attack = eval_set.data, eval_set.is_attack
    results = {name: evaluate_detector(eval_set, name, scorer, policy.min_requests) for name, scorer in scorers.items()}
    model = results[MODEL]
    point = operating_point(model.scores[~attack], model.scores[attack], policy.alert_threshold)
    label = f"{MODEL} @ {policy.alert_threshold}"
    operational = at_threshold(eval_set, model.window_scores, model.scores, point, label, policy.min_requests)
    counts = request_counts(data.features)
    anything = np.ones(len(counts))  # every window scores 1.0: only the request floor decides
    earliest = alert_delays(
        data.account_ids, data.window_ends, anything, counts, eval_set.onsets(), 1.0, policy.min_requests
    )
    what_ifs = {}
    thresholds = [threshold for threshold, _ in policy.severities]
    for floor in sorted({policy.min_requests, *REQUEST_FLOORS}, reverse=True):
        scores = account_scores(data.account_ids, model.window_scores, counts, eval_set.accounts, floor)
        benign, attacks = scores[~attack], scores[attack]
        delays = {}
        for threshold in thresholds:
            by_account = alert_delays(
                data.account_ids, data.window_ends, model.window_scores, counts, eval_set.onsets(), threshold, floor
            )
            delays[threshold] = quantile([d for a, d in by_account.items() if eval_set.is_full_rate(a)], 0.5)
        what_ifs[floor] = PolicyWhatIf(
            {threshold: operating_point(benign, attacks, threshold) for threshold in thresholds},
            delays,
            recall_at_fpr(benign, attacks, TARGET_FPR),
        )
    first = first_alert_components(
        data.account_ids,
        data.window_ends,
        model.window_scores,
        model.components,
        counts,
        point.threshold,
        policy.min_requests,
    )
    return SetResult(eval_set, results, operational, earliest, what_ifs, fired_by(first, eval_set))


def fired_by(first: dict[str, str], eval_set: EvalSet) -> dict[str, tuple[int, int]]:
    """(extraction accounts, benign accounts) whose first alert came from each component."""
    attack = dict(zip(eval_set.accounts, eval_set.is_attack.tolist(), strict=True))
    counts = {}
    for component in COMPONENTS:
        accounts = [a for a, c in first.items() if c == component]
        extraction = sum(attack[a] for a in accounts)
        counts[component] = (extraction, len(accounts) - extraction)
    return counts


def headline(result: SetResult) -> dict[str, float | int | None]:
    """The numbers recorded in the manifest (and quoted by the model card and README)."""
    eval_set, model, operational = result.eval_set, result.model, result.operational
    delays = operational.full_rate_delays(eval_set)

    def seconds(value: float) -> float | None:  # JSON has no infinity: null means "not reached"
        return value if math.isfinite(value) else None

    return {
        "benign_accounts": eval_set.benign_count,
        "extraction_accounts": eval_set.attack_count,
        "alertable_extraction_accounts": int(np.isfinite(model.scores[eval_set.is_attack]).sum()),
        "roc_auc": round(model.roc_auc, 4),
        "recall_at_0.1pct_fpr": round(model.at_target_fpr.recall, 4),
        "recall_at_1pct_fpr": round(model.at_baseline_fpr.point.recall, 4),
        "recall_at_threshold": round(operational.point.recall, 4),
        "benign_fpr_at_threshold": round(operational.point.fpr, 5),
        "full_rate_accounts": len(delays),
        "median_time_to_alert_s": seconds(quantile(delays, 0.5)),
        "p90_time_to_alert_s": seconds(quantile(delays, 0.9)),
    }
