"""Per-family results and their headline: the worst family and the mean over families, never pooled.

Pooling every family's accounts lets a large, easy family hide a small one the detector misses; the
leave-one-family-out protocol reports each family on its own and summarises by the worst of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from models.evaluation.config import TARGET_FPR
from models.metrics import operating_point, recall_at_fpr

Label = Literal["benign", "extraction"]


@dataclass(frozen=True)
class FamilyResult:
    """One family, scored by a model that never saw it, against held-out benign accounts."""

    family: str
    label: Label
    accounts: int
    alerted: int  # the family's accounts alerted at the policy threshold
    benign_accounts: int  # held-out benign accounts beside it (extraction families)
    benign_alerted: int  # of them, alerted at the policy threshold
    recall_at_target_fpr: float | None  # extraction families: at <= TARGET_FPR benign-account FPR

    @property
    def alert_share(self) -> float:
        """Recall for an extraction family, FPR for a benign one."""
        return self.alerted / self.accounts if self.accounts else float("nan")

    @property
    def benign_fpr(self) -> float:
        return self.benign_alerted / self.benign_accounts if self.benign_accounts else float("nan")


def extraction_result(family: str, attacks: np.ndarray, benign: np.ndarray, threshold: float) -> FamilyResult:
    """`attacks`, `benign`: account scores (-inf: never alertable) of the family and of held-out benign accounts."""
    point = operating_point(benign, attacks, threshold)
    return FamilyResult(
        family=family,
        label="extraction",
        accounts=len(attacks),
        alerted=point.true_positives,
        benign_accounts=len(benign),
        benign_alerted=point.false_positives,
        recall_at_target_fpr=recall_at_fpr(benign, attacks, TARGET_FPR).recall,
    )


def benign_result(family: str, scores: np.ndarray, threshold: float) -> FamilyResult:
    alerted = int(np.sum(scores >= threshold))
    return FamilyResult(family, "benign", len(scores), alerted, 0, 0, None)


@dataclass(frozen=True)
class Summary:
    worst: float
    worst_family: str
    mean: float


def summarise(values: dict[str, float], worst_is_highest: bool) -> Summary:
    """Worst and mean over families; each family weighs the same whatever its number of accounts."""
    if not values:
        return Summary(float("nan"), "-", float("nan"))
    pick = max if worst_is_highest else min
    family = pick(values, key=lambda name: values[name])
    return Summary(values[family], family, float(np.mean(list(values.values()))))


def headline(results: Sequence[FamilyResult]) -> dict[str, Summary]:
    """Recall (worst = lowest) over extraction families; FPR (worst = highest) over benign families."""
    attacks = [r for r in results if r.label == "extraction"]
    benign = [r for r in results if r.label == "benign"]
    return {
        "recall_at_threshold": summarise({r.family: r.alert_share for r in attacks}, worst_is_highest=False),
        "recall_at_0.1pct_fpr": summarise(
            {r.family: r.recall_at_target_fpr for r in attacks if r.recall_at_target_fpr is not None},
            worst_is_highest=False,
        ),
        "held_out_benign_fpr": summarise({r.family: r.benign_fpr for r in attacks}, worst_is_highest=True),
        "benign_family_fpr": summarise({r.family: r.alert_share for r in benign}, worst_is_highest=True),
    }
