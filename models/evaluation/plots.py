"""The figures of REPORT.md: ROC and precision-recall curves, and time to first alert."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import precision_recall_curve, roc_curve

from models.evaluation.aggregate import SetResult, finite
from models.evaluation.config import TARGET_FPR, TARGET_MEDIAN_DELAY_S, TARGET_RECALL


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
