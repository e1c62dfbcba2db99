"""Sections of REPORT.md on detection: targets, data, baselines, recall per archetype, delays, policy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.evaluation.aggregate import SetResult
from models.evaluation.config import (
    BASELINE_FPR,
    FOREST_TRAINING_RUNS,
    FULL_RATE_ARCHETYPES,
    TARGET_FPR,
    TARGET_MEDIAN_DELAY_S,
    TARGET_RECALL,
    EvaluationConfig,
)
from models.evaluation.detectors import MODEL
from models.evaluation.markdown import median_p90, minutes, rate, table
from models.metrics import allowed_false_positives, quantile
from pipelines.config import AlertPolicyConfig


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
