"""Evaluates the shipped classifier and two baselines on held-out simulator runs; writes the report.

`distillwatch evaluate` (or `python -m models.evaluate`) simulates two evaluation sets the model never saw:
other seeds of the training variants ("held-out seeds") and other seeds of the held-out archetype
variants ("held-out variants": new behaviours of benign and extraction accounts alike). Every account
is scored as the alert policy sees it (`models.metrics`); the classifier is compared on the same
accounts with a volume rule and an IsolationForest fitted on the training windows. The results go to
`models/report/REPORT.md` (with PNG figures) and into the manifest's `metrics`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve
from threadpoolctl import threadpool_limits

from models.dataset import SimulationSpec, WindowDataset, request_counts, select_runs, simulate_many
from models.metrics import (
    OperatingPoint,
    account_scores,
    alert_delays,
    allowed_false_positives,
    operating_point,
    quantile,
    recall_at_fpr,
    wilson_interval,
)
from models.train import training_specs
from pipelines.artifact import LoadedModel, ModelIntegrityError, ModelManifest, load_verified_model
from pipelines.config import DEFAULT_MODEL_MANIFEST, AlertPolicyConfig, WindowConfig
from pipelines.scoring import explain

log = logging.getLogger("distillwatch.evaluate")

REPORT_DIR = Path(__file__).resolve().parent / "report"
# Single-account attacks at their archetype's natural rate. Not full rate by design: low_and_slow
# (throttled), reseller_proxy (one customer's attack diluted in legitimate traffic) and
# distributed_campaign (the rate is split over many accounts); the report lists them per archetype.
FULL_RATE_ARCHETYPES = frozenset({"distillation_crawler", "reasoning_coercion", "logprob_harvest", "capability_narrow"})
TARGET_RECALL = 0.95
TARGET_FPR = 0.001
TARGET_MEDIAN_DELAY_S = 300.0
BASELINE_FPR = 0.01
REQUEST_FLOORS = (10, 5)  # what-if values of the policy's min_requests, reported beside the policy's own
TOP_FALSE_POSITIVES = 5
FOREST_TRAINING_RUNS = 2
MODEL, VOLUME, ISOLATION = "classifier", "volume rule", "IsolationForest"

Scorer = Callable[[np.ndarray], np.ndarray]  # window features (n, F) -> window scores, higher = riskier


@dataclass(frozen=True)
class EvaluationConfig:
    manifest_path: Path = Path(DEFAULT_MODEL_MANIFEST)
    held_out_seeds: tuple[int, ...] = tuple(range(1001, 1011))
    variant_seeds: tuple[int, ...] = tuple(range(2001, 2005))
    accounts: int = 500  # per seed
    hours: float = 6.0  # per seed
    workers: int = 2
    report_dir: Path = REPORT_DIR
    update_manifest: bool = True
    policy: AlertPolicyConfig = field(default_factory=AlertPolicyConfig)


@dataclass(frozen=True)
class EvalSet:
    name: str
    seeds: tuple[int, ...]
    data: WindowDataset
    window: WindowConfig
    accounts: tuple[str, ...]
    is_attack: np.ndarray  # per account, in `accounts` order

    @classmethod
    def build(cls, name: str, specs: Sequence[SimulationSpec], data: WindowDataset, window: WindowConfig) -> EvalSet:
        accounts = tuple(sorted(data.truth))
        is_attack = np.array([data.truth[a].label == "extraction" for a in accounts], dtype=bool)
        return cls(name, tuple(s.seed for s in specs), data, window, accounts, is_attack)

    @property
    def benign_count(self) -> int:
        return int((~self.is_attack).sum())

    @property
    def attack_count(self) -> int:
        return int(self.is_attack.sum())

    def onsets(self) -> dict[str, float]:
        return {a: t.attack_onset for a, t in self.data.truth.items() if t.attack_onset is not None}

    def group(self, account: str) -> str:
        truth = self.data.truth[account]
        return f"{truth.archetype}/{truth.variant}"

    def is_full_rate(self, account: str) -> bool:
        return self.data.truth[account].archetype in FULL_RATE_ARCHETYPES

    def groups(self, attack: bool) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for account, is_attack in zip(self.accounts, self.is_attack, strict=True):
            if is_attack == attack:
                grouped[self.group(account)].append(account)
        return dict(sorted(grouped.items()))


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

    @property
    def model(self) -> DetectorResult:
        return self.detectors[MODEL]

    def columns(self) -> list[ThresholdResult]:
        return [self.operational, *(d.at_baseline_fpr for d in self.detectors.values())]


# ----------------------------------------------------------------------------- metrics


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
    window_scores = scorer(data.features)
    scores = account_scores(
        data.account_ids, window_scores, request_counts(data.features), eval_set.accounts, min_requests
    )
    benign, attacks = scores[~eval_set.is_attack], scores[eval_set.is_attack]
    baseline_point = recall_at_fpr(benign, attacks, BASELINE_FPR)
    return DetectorResult(
        name=name,
        window_scores=window_scores,
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
    return SetResult(eval_set, results, operational, earliest, what_ifs)


def scorers(model: LoadedModel, training: WindowDataset, policy: AlertPolicyConfig, seed: int) -> dict[str, Scorer]:
    # Unsupervised, so fitted without labels, on the training windows that could alert at all.
    alertable = training.features[request_counts(training.features) >= policy.min_requests]
    forest = IsolationForest(n_estimators=300, random_state=seed).fit(alertable)
    return {
        MODEL: lambda features: model.estimator.predict_proba(features)[:, 1],
        VOLUME: request_counts,
        ISOLATION: lambda features: -forest.score_samples(features),
    }


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


# ----------------------------------------------------------------------------- report


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def rate(successes: int, trials: int) -> str:
    if trials == 0:
        return "-"
    low, high = wilson_interval(successes, trials)
    return f"{successes / trials:.3f} [{low:.3f}, {high:.3f}]"


def minutes(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    return "never" if math.isinf(seconds) else f"{seconds / 60:.0f} min"


def median_p90(delays: Sequence[float]) -> str:
    return f"{minutes(quantile(delays, 0.5))} / {minutes(quantile(delays, 0.9))}"


def targets_section(results: Sequence[SetResult], policy: AlertPolicyConfig) -> list[str]:
    def recall_cell(result: SetResult) -> str:
        point = result.model.at_target_fpr
        allowed = allowed_false_positives(result.eval_set.benign_count, TARGET_FPR)
        return f"{rate(point.true_positives, result.eval_set.attack_count)}, {allowed} FP allowed"

    def delay_cell(result: SetResult) -> str:
        delays = result.operational.full_rate_delays(result.eval_set)
        return f"{minutes(quantile(delays, 0.5))} (p90 {minutes(quantile(delays, 0.9))}, {len(delays)} accounts)"

    held_out = results[0]
    delay = quantile(held_out.operational.full_rate_delays(held_out.eval_set), 0.5)
    met_recall = held_out.model.at_target_fpr.recall >= TARGET_RECALL
    lines = [
        "## Targets",
        "",
        *table(
            ["target", *(r.eval_set.name for r in results), "met on held-out seeds"],
            [
                [
                    f"recall ≥ {TARGET_RECALL} of extraction accounts at ≤ {TARGET_FPR:.1%} benign-account FPR",
                    *(recall_cell(r) for r in results),
                    "yes" if met_recall else "**no**",
                ],
                [
                    f"median attack onset → first alert ≤ {TARGET_MEDIAN_DELAY_S / 60:.0f} min, full-rate attacks "
                    f"(classifier @ {policy.alert_threshold})",
                    *(delay_cell(r) for r in results),
                    "yes" if delay <= TARGET_MEDIAN_DELAY_S else "**no**",
                ],
            ],
        ),
    ]
    for result in results:
        eval_set = result.eval_set
        benign = eval_set.benign_count
        missed = eval_set.attack_count - result.model.at_target_fpr.true_positives
        never_alertable = int(np.isinf(result.model.scores[eval_set.is_attack]).sum())
        lines.append(
            f"- *{eval_set.name}*: {benign} benign accounts, so an FPR of {TARGET_FPR:.1%} allows at most "
            f"{allowed_false_positives(benign, TARGET_FPR)} of them to be alerted, and {BASELINE_FPR:.0%} at most "
            f"{allowed_false_positives(benign, BASELINE_FPR)}. At ≤ {TARGET_FPR:.1%} FPR the classifier misses "
            f"{missed} of {eval_set.attack_count} extraction accounts; {never_alertable} extraction accounts never "
            f"had a window with ≥ {policy.min_requests} requests, so no detector could alert on them."
        )
    return [*lines, ""]


def data_section(results: Sequence[SetResult], config: EvaluationConfig) -> list[str]:
    rows = []
    for result in results:
        eval_set = result.eval_set
        alertable = np.isfinite(result.model.scores)
        rows.append(
            [
                eval_set.name,
                ", ".join(map(str, eval_set.seeds)),
                f"{config.accounts} x {config.hours:g} h",
                f"{eval_set.benign_count} ({int((alertable & ~eval_set.is_attack).sum())})",
                f"{eval_set.attack_count} ({int((alertable & eval_set.is_attack).sum())})",
                len(eval_set.data.labels),
            ]
        )
    header = [
        "set",
        "simulator seeds",
        "accounts x hours per seed",
        "benign accounts (alertable)",
        "extraction accounts (alertable)",
        "windows",
    ]
    return [
        "## Evaluation data",
        "",
        *table(header, rows),
        "*Alertable*: at least one window with enough requests to pass the policy's request floor. Extraction "
        "accounts that are never alertable cap every detector's recall: the policy, not the model, misses them. "
        "Held-out variants replace every archetype's behaviour, benign ones included, by a variant absent from "
        "training, so their FPR measures unseen benign behaviour too.",
        "",
    ]


def detectors_section(results: Sequence[SetResult], policy: AlertPolicyConfig) -> list[str]:
    lines = [
        "## Classifier against baselines (same accounts)",
        "",
        f"Volume rule: a window's score is its request count. IsolationForest: unsupervised, fitted without "
        f"labels on the windows with ≥ {policy.min_requests} requests of the first {FOREST_TRAINING_RUNS} "
        "training runs; score = anomaly score. "
        "Recall at an FPR uses the threshold that reaches it on the evaluation set itself (the best any "
        "detector can do at that FPR); the last two columns are what the shipped policy threshold does.",
        "",
        "![ROC](roc.png)",
        "",
        "![Precision-recall](pr.png)",
        "",
    ]
    header = [
        "detector",
        "ROC AUC",
        "average precision",
        f"recall @ ≤ {TARGET_FPR:.1%} FPR",
        f"recall @ ≤ {BASELINE_FPR:.0%} FPR",
        f"recall @ {policy.alert_threshold}",
        f"benign FPR @ {policy.alert_threshold}",
    ]
    for result in results:
        eval_set, operational = result.eval_set, result.operational.point
        rows = []
        for detector in result.detectors.values():
            is_model = detector.name == MODEL
            rows.append(
                [
                    detector.name,
                    f"{detector.roc_auc:.4f}",
                    f"{detector.average_precision:.4f}",
                    rate(detector.at_target_fpr.true_positives, eval_set.attack_count),
                    rate(detector.at_baseline_fpr.point.true_positives, eval_set.attack_count),
                    rate(operational.true_positives, eval_set.attack_count) if is_model else "-",
                    f"{rate(operational.false_positives, eval_set.benign_count)} ({operational.false_positives})"
                    if is_model
                    else "-",
                ]
            )
        lines += [f"### {eval_set.name}", "", *table(header, rows)]
    return lines


def archetype_section(results: Sequence[SetResult], policy: AlertPolicyConfig) -> list[str]:
    lines = [
        "## Recall per archetype",
        "",
        f"Share of each archetype's extraction accounts alerted: the classifier at the policy threshold "
        f"{policy.alert_threshold}, and every detector at its ≤ {BASELINE_FPR:.0%} FPR threshold.",
        "",
    ]
    for result in results:
        columns = result.columns()
        rows = []
        for group, accounts in result.eval_set.groups(attack=True).items():
            indices = [result.eval_set.accounts.index(a) for a in accounts]
            alertable = int(np.isfinite(result.model.scores[indices]).sum())
            shares = [f"{sum(a in c.alerted for a in accounts) / len(accounts):.2f}" for c in columns]
            rows.append([group, len(accounts), alertable, *shares])
        header = ["archetype/variant", "accounts", "alertable", *(c.label for c in columns)]
        lines += [f"### {result.eval_set.name}", "", *table(header, rows)]
    return lines


def delay_section(results: Sequence[SetResult]) -> list[str]:
    lines = [
        "## Time from attack onset to first alert",
        "",
        "Event time from an account's attack onset to the end of its first alerting window after it. Windows "
        "end every 5 min, so 5 min is one window period; in production, pipeline latency and the watermark "
        "come on top. Accounts never alerted count as *never* and rank last in the quantiles. Full-rate "
        f"attacks: {', '.join(sorted(FULL_RATE_ARCHETYPES))}. *Earliest possible*: the first window after the "
        "onset that passes the request floor, whatever its score: the best any detector can do under the "
        "policy.",
        "",
        "![Time to first alert](time_to_alert.png)",
        "",
    ]
    for result in results:
        eval_set, columns = result.eval_set, result.columns()
        full_rate = [a for a in result.operational.delays if eval_set.is_full_rate(a)]
        groups = [("**all full-rate**", full_rate), *eval_set.groups(attack=True).items()]
        delays = [result.earliest_delays, *(c.delays for c in columns)]
        rows = [
            [
                group,
                "yes" if all(eval_set.is_full_rate(a) for a in accounts) else "no",
                len(accounts),
                *(median_p90([d[a] for a in accounts]) for d in delays),
            ]
            for group, accounts in groups
        ]
        labels = ["earliest possible", *(c.label for c in columns)]
        header = ["archetype/variant", "full rate", "accounts", *(f"{label}: median / p90" for label in labels)]
        onsets = [eval_set.data.truth[a].attack_onset or 0.0 for a in full_rate]
        aligned = sum(onset % eval_set.window.period_s == 0 for onset in onsets)
        lines += [
            f"### {eval_set.name}",
            "",
            *table(header, rows),
            f"{aligned} of {len(full_rate)} full-rate attacks start on a window boundary (most at the start of "
            "the simulation, as fresh accounts), so their delays come in whole periods.",
            "",
        ]
    return lines


def policy_section(results: Sequence[SetResult], policy: AlertPolicyConfig) -> list[str]:
    severities = ", ".join(f"{threshold} {name}" for threshold, name in policy.severities)
    lines = [
        "## Alert policy what-ifs",
        "",
        f"The classifier at each severity threshold of the policy ({severities}), "
        f"and with a lower request floor than the policy's {policy.min_requests}: quiet accounts become "
        "alertable, at the cost of judging windows on fewer requests. Each cell: recall / benign-account FPR "
        "(false-positive accounts) / median onset-to-alert delay of full-rate attacks. The policy was not "
        "tuned on these sets; read a better row as a hypothesis to confirm on other seeds. The last column is "
        "the recall at the threshold that keeps "
        f"≤ {TARGET_FPR:.1%} FPR on this set (an oracle threshold, shown with its value).",
        "",
    ]
    for result in results:
        eval_set = result.eval_set
        rows = []
        for floor, what_if in result.policy_what_ifs.items():
            cells = [
                f"{point.recall:.3f} / {point.fpr:.4f} ({point.false_positives}) / "
                f"{minutes(what_if.median_full_rate_delay[threshold])}"
                for threshold, point in what_if.by_threshold.items()
            ]
            oracle = what_if.at_target_fpr
            rows.append(
                [
                    f"{floor}{' (policy)' if floor == policy.min_requests else ''}",
                    *cells,
                    # Probabilities never exceed 1: a threshold above it means no threshold meets the FPR.
                    f"{rate(oracle.true_positives, eval_set.attack_count)} at "
                    + (f"{oracle.threshold:.4f}" if oracle.threshold <= 1.0 else "none (> 1)"),
                ]
            )
        header = [
            "min_requests",
            *(f"@ {threshold} ({name})" for threshold, name in policy.severities),
            f"recall @ ≤ {TARGET_FPR:.1%} FPR",
        ]
        lines += [f"### {eval_set.name}", "", *table(header, rows)]
    return lines


def explain_top_false_positives(result: SetResult, model: LoadedModel, policy: AlertPolicyConfig) -> list[str]:
    eval_set, detector = result.eval_set, result.model
    data = eval_set.data
    counts = request_counts(data.features)
    medians = model.manifest.benign_medians
    ranked = [i for i in np.argsort(-detector.scores, kind="stable") if not eval_set.is_attack[i]]
    rows = []
    for i in ranked[:TOP_FALSE_POSITIVES]:
        account = eval_set.accounts[i]
        windows = np.flatnonzero((data.account_ids == account) & (counts >= policy.min_requests))
        if windows.size == 0:
            break  # the remaining benign accounts cannot alert at all
        top = windows[np.argmax(detector.window_scores[windows])]
        reasons = explain(model, data.features[[top]], detector.window_scores[[top]], policy.max_reasons)[0]
        rows.append(
            [
                f"`{account}`",
                eval_set.group(account),
                f"{detector.scores[i]:.3f}",
                dt.datetime.fromtimestamp(data.window_ends[top], dt.UTC).strftime("%H:%M"),
                int(counts[top]),
                "; ".join(
                    f"{r.feature} = {r.value:.3g} (benign median {medians[r.feature]:.3g}, -{r.contribution:.2f})"
                    for r in reasons
                )
                or "-",
            ]
        )
    return table(["account", "archetype/variant", "score", "window end (UTC)", "requests", "top reasons"], rows)


def false_positive_section(results: Sequence[SetResult], model: LoadedModel, policy: AlertPolicyConfig) -> list[str]:
    lines = ["## False positives", ""]
    for result in results:
        alerted = result.operational.alerted
        rows = [
            [
                group,
                len(accounts),
                sum(a in alerted for a in accounts),
                f"{rate(sum(a in alerted for a in accounts), len(accounts))}",
            ]
            for group, accounts in result.eval_set.groups(attack=False).items()
        ]
        lines += [
            f"### {result.eval_set.name}",
            "",
            f"Benign accounts alerted by the classifier at {policy.alert_threshold}, by archetype:",
            "",
            *table(["benign archetype/variant", "accounts", "alerted", "share"], rows),
            f"Top {TOP_FALSE_POSITIVES} benign accounts by score, explained as the pipeline explains alerts "
            "(occlusion: each feature in turn reset to its benign training median; the score drop is its "
            "contribution):",
            "",
            *explain_top_false_positives(result, model, policy),
        ]
    return lines


NOTES = [
    "## Reading these numbers",
    "",
    "- All traffic is simulated (`simulator/`): the numbers say how well the classifier separates the "
    "simulator's archetypes, not how it will do on real traffic. The held-out variants are the closest thing "
    "here to behaviour nobody planned for.",
    "- FPR is per account over the simulated hours. Over days each benign account has many more windows, so "
    "the per-account FPR grows; the operational quantity is alerts per day, bounded by the cooldown.",
    "- Recall at a given FPR uses a threshold chosen on the evaluation set (an oracle threshold); the policy "
    "columns are what the shipped threshold does. Accounts of one campaign are not independent, so the "
    "Wilson intervals [in brackets] are somewhat optimistic for campaigns.",
    "- Isotonic calibration maps the top of the score range to exactly 1.0. When more benign accounts than an "
    "FPR budget allows score 1.0, no threshold meets that budget and the recall there is 0, however many "
    "extraction accounts also score 1.0.",
]


def report_markdown(results: Sequence[SetResult], model: LoadedModel, config: EvaluationConfig) -> str:
    manifest, policy = model.manifest, config.policy
    trained = manifest.trained_on
    intro = [
        "# Extraction-risk classifier: evaluation report",
        "",
        f"Model `{manifest.model_version}` (sha256 `{manifest.sha256[:16]}…`), trained on simulator seeds "
        f"{trained['simulator_seeds']} ({trained['accounts_per_seed']} accounts x {trained['hours_per_seed']:g} h "
        "each, training variants only). Written by `distillwatch evaluate`.",
        "",
        f"The alert policy is the pipeline's: a window alerts when its score is ≥ {policy.alert_threshold} and it "
        f"holds ≥ {policy.min_requests} requests. An **account's score** is its highest score over such "
        "windows; an account without any can never alert. **FPR** is the share of benign *accounts* alerted at "
        f"least once in the {config.hours:g} h simulated per seed, **recall** the share of extraction accounts "
        "alerted at least once. Brackets are 95% Wilson intervals.",
        "",
    ]
    sections = [
        intro,
        targets_section(results, policy),
        data_section(results, config),
        detectors_section(results, policy),
        archetype_section(results, policy),
        delay_section(results),
        policy_section(results, policy),
        false_positive_section(results, model, policy),
        NOTES,
    ]
    return "\n".join(line for section in sections for line in section) + "\n"


def plot_curves(results: Sequence[SetResult], directory: Path) -> None:
    roc = Figure(figsize=(11, 4.5), layout="constrained")
    pr = Figure(figsize=(11, 4.5), layout="constrained")
    for column, result in enumerate(results, start=1):
        y, benign = result.eval_set.is_attack, result.eval_set.benign_count
        roc_ax = roc.add_subplot(1, len(results), column)
        pr_ax = pr.add_subplot(1, len(results), column)
        for detector in result.detectors.values():
            fpr, tpr, _ = roc_curve(y, finite(detector.scores))
            roc_ax.step(fpr, tpr, where="post", label=f"{detector.name} (AUC {detector.roc_auc:.3f})")
            precision, recall, _ = precision_recall_curve(y, finite(detector.scores))
            pr_ax.step(recall, precision, where="post", label=f"{detector.name} (AP {detector.average_precision:.3f})")
        point = result.operational.point
        # Log axis: an FPR of 0 is drawn at half an account.
        roc_ax.plot([max(point.fpr, 0.5 / benign)], [point.recall], "k*", label=result.operational.label)
        roc_ax.axvline(TARGET_FPR, color="grey", linestyle=":", linewidth=1)
        roc_ax.axhline(TARGET_RECALL, color="grey", linestyle=":", linewidth=1)
        roc_ax.set(xscale="log", xlim=(0.5 / benign, 1), ylim=(0, 1.01), xlabel="benign-account FPR (log scale)")
        roc_ax.set(ylabel="extraction-account recall", title=f"ROC, {result.eval_set.name}")
        roc_ax.legend(loc="lower right", fontsize=8)
        pr_ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="recall", ylabel="precision")
        pr_ax.set_title(f"precision-recall, {result.eval_set.name}")
        pr_ax.legend(loc="lower left", fontsize=8)
    roc.savefig(directory / "roc.png", dpi=110)
    pr.savefig(directory / "pr.png", dpi=110)


def plot_delays(results: Sequence[SetResult], directory: Path) -> None:
    figure = Figure(figsize=(6.5, 4.5), layout="constrained")
    ax = figure.add_subplot()
    for result in results:
        delays = np.sort(result.operational.full_rate_delays(result.eval_set)) / 60
        shares = np.arange(1, len(delays) + 1) / max(1, len(delays))
        alerted = np.isfinite(delays)  # never-alerted accounts keep the curve below 1
        ax.step(delays[alerted], shares[alerted], where="post", label=result.eval_set.name)
    ax.axvline(TARGET_MEDIAN_DELAY_S / 60, color="grey", linestyle=":", linewidth=1)
    ax.axhline(0.5, color="grey", linestyle=":", linewidth=1)
    ax.set(xlim=(0, 60), ylim=(0, 1.01), xlabel="minutes from attack onset to first alert")
    ax.set(ylabel="share of full-rate extraction accounts", title="time to first alert (classifier @ policy)")
    ax.legend(loc="lower right")
    figure.savefig(directory / "time_to_alert.png", dpi=110)


# ----------------------------------------------------------------------------- run


def evaluate(config: EvaluationConfig) -> list[SetResult]:
    started = time.perf_counter()
    model = load_verified_model(config.manifest_path)
    trained = model.manifest.trained_on
    training = training_specs(model.manifest)
    overlap = {s.seed for s in training} & (set(config.held_out_seeds) | set(config.variant_seeds))
    if overlap:
        raise ValueError(f"evaluation seeds {sorted(overlap)} were used for training")
    sets = {
        "held-out seeds": [SimulationSpec(s, config.accounts, config.hours) for s in config.held_out_seeds],
        "held-out variants": [SimulationSpec(s, config.accounts, config.hours, True) for s in config.variant_seeds],
    }
    # The IsolationForest samples 256 windows per tree: a couple of training runs are plenty to fit it.
    forest_runs = training[:FOREST_TRAINING_RUNS]
    window = WindowConfig(trained["window_size_s"], trained["window_period_s"])
    # One process pool for every simulation.
    data = simulate_many([*forest_runs, *(spec for specs in sets.values() for spec in specs)], window, config.workers)
    log.info("simulated %d windows in %.0fs", len(data.labels), time.perf_counter() - started)
    with threadpool_limits(limits=1, user_api="openmp"):  # see models.train.fit
        detectors = scorers(model, select_runs(data, forest_runs), config.policy, seed=trained["model_seed"])
        results = [
            evaluate_set(EvalSet.build(name, specs, select_runs(data, specs), window), detectors, config.policy)
            for name, specs in sets.items()
        ]
        config.report_dir.mkdir(parents=True, exist_ok=True)
        plot_curves(results, config.report_dir)
        plot_delays(results, config.report_dir)
        report = report_markdown(results, model, config)
    (config.report_dir / "REPORT.md").write_text(report)
    if config.update_manifest:
        record_metrics(config, model, results)
    log.info("evaluated in %.0fs; report in %s", time.perf_counter() - started, config.report_dir)
    return results


def record_metrics(config: EvaluationConfig, model: LoadedModel, results: Sequence[SetResult]) -> None:
    current = ModelManifest.read(config.manifest_path)
    if current.sha256 != model.manifest.sha256:
        raise ModelIntegrityError(f"{config.manifest_path} changed during the evaluation; metrics not recorded")
    metrics: dict[str, object] = {
        "evaluation": {
            "held_out_seeds": list(config.held_out_seeds),
            "variant_seeds": list(config.variant_seeds),
            "accounts_per_seed": config.accounts,
            "hours_per_seed": config.hours,
            "alert_threshold": config.policy.alert_threshold,
            "min_requests": config.policy.min_requests,
        },
    }
    for result in results:
        metrics[result.eval_set.name.replace("-", "_").replace(" ", "_")] = headline(result)
    replace(current, metrics=metrics).write(config.manifest_path)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = EvaluationConfig()
    parser.add_argument("--model", type=Path, default=defaults.manifest_path, help="model manifest.json")
    parser.add_argument("--held-out-seeds", type=int, nargs="+", default=list(defaults.held_out_seeds))
    parser.add_argument("--variant-seeds", type=int, nargs="+", default=list(defaults.variant_seeds))
    parser.add_argument("--accounts", type=int, default=defaults.accounts, help="accounts per seed")
    parser.add_argument("--hours", type=float, default=defaults.hours, help="simulated hours per seed")
    parser.add_argument("--workers", type=int, default=defaults.workers, help="simulation processes")
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=None,
        help=f"default: {defaults.report_dir} for the shipped model, else report/ beside the manifest",
    )
    parser.add_argument(
        "--no-update-manifest",
        dest="update_manifest",
        action="store_false",
        help="do not record the headline metrics in the manifest",
    )


def run(args: argparse.Namespace) -> int:
    # Evaluating another artifact must not overwrite the shipped model's report.
    shipped = args.model.resolve() == EvaluationConfig().manifest_path.resolve()
    report_dir = args.report_dir or (REPORT_DIR if shipped else args.model.parent / "report")
    config = EvaluationConfig(
        manifest_path=args.model,
        held_out_seeds=tuple(args.held_out_seeds),
        variant_seeds=tuple(args.variant_seeds),
        accounts=args.accounts,
        hours=args.hours,
        workers=args.workers,
        report_dir=report_dir,
        update_manifest=args.update_manifest,
    )
    for result in evaluate(config):
        print(f"{result.eval_set.name}: {headline(result)}")
    print(f"wrote {config.report_dir / 'REPORT.md'}")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    raise SystemExit(run(parser.parse_args()))
