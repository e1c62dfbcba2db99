"""Which features the classifier can use as shortcuts, and which ones pull a left-out family's scores down.

`python -m models.diagnostics.shortcuts` (a development check, not part of any protocol) measures two things:

1. On training simulator windows (those at the alert policy's request floor): per feature, how well it alone
   separates the labels (ROC AUC, folded so 0.5 is none and 1.0 a perfect split either way) and the share
   of each label's windows in value bins only that label populates. A secondary feature with a high AUC is
   a shortcut the simulator offers.
2. For each family given: a model trained without it (`models.train.fit_product`, as a LOFO fold) scores the
   family's windows on evaluation runs; then each feature in turn is replaced by the median of the fold's
   extraction training windows and the windows re-scored. A feature whose replacement raises the family's
   scores is one the fold model reads as "benign" on this family: what pulls it down.

Writes `models/report/SHORTCUTS.md`.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from models.dataset import SimulationSpec, WindowDataset, request_counts, simulate_many
from models.evaluation.config import REPORT_DIR
from models.evaluation.simulation import MixSpec, simulate_mixes, uniform_mix, without_family
from models.metrics import account_scores
from models.product import ProductModel
from models.train import fit_product
from pipelines.config import AlertPolicyConfig, WindowConfig
from pipelines.features.spec import FEATURE_NAMES
from simulator.archetypes import ARCHETYPES, CAMPAIGN_ARCHETYPE

log = logging.getLogger("distillwatch.diagnostics")

BINS = 20
# Filled from other features by the model's first step: replacing the raw value changes nothing.
DERIVED = frozenset({"harvest_peer_percentile", "account_tier_rank"})
DEFAULT_FAMILIES = ("multilingual_coercion", "grader_extraction", "embedding_extraction")


@dataclass(frozen=True)
class Separation:
    feature: str
    auc: float  # folded: max(AUC, 1 - AUC)
    direction: str  # "extraction higher" | "benign higher"
    benign_exclusive: float  # share of benign windows in bins holding no extraction window
    extraction_exclusive: float
    benign_iqr: tuple[float, float]
    extraction_iqr: tuple[float, float]


@dataclass(frozen=True)
class Pull:
    feature: str
    mean_score: float  # of the family's scored windows, the feature replaced
    recall: float  # the family's accounts alerted at the threshold, the feature replaced


@dataclass(frozen=True)
class FamilyPulls:
    family: str
    accounts: int
    windows: int
    mean_score: float  # unchanged
    recall: float  # unchanged
    pulls: tuple[Pull, ...]  # strongest pull first


def exclusive_shares(values: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Per label, the share of its windows in pooled-quantile bins that hold no window of the other label."""
    edges = np.unique(np.quantile(values, np.linspace(0.0, 1.0, BINS + 1)))
    bins = np.digitize(values, edges[1:-1])
    shares = []
    for label in (0, 1):
        own, other = set(bins[labels == label].tolist()), set(bins[labels != label].tolist())
        shares.append(float(np.isin(bins[labels == label], sorted(own - other)).mean()))
    return shares[0], shares[1]


def separations(features: np.ndarray, labels: np.ndarray, names: Sequence[str] = FEATURE_NAMES) -> list[Separation]:
    """Per feature, strongest separation first."""
    result = []
    for j, name in enumerate(names):
        values = features[:, j]
        if np.ptp(values) == 0:
            continue
        auc = float(roc_auc_score(labels, values))
        benign, extraction = exclusive_shares(values, labels)
        quartiles = [tuple(float(q) for q in np.quantile(values[labels == label], [0.25, 0.75])) for label in (0, 1)]
        result.append(
            Separation(
                name,
                max(auc, 1.0 - auc),
                "extraction higher" if auc >= 0.5 else "benign higher",
                benign,
                extraction,
                quartiles[0],  # type: ignore[arg-type]
                quartiles[1],  # type: ignore[arg-type]
            )
        )
    return sorted(result, key=lambda s: -s.auc)


def family_pulls(
    product: ProductModel,
    reference: np.ndarray,
    evaluation: WindowDataset,
    family: str,
    threshold: float,
    min_requests: int,
) -> FamilyPulls:
    """`reference`: per feature, the value a feature is replaced with (the fold's extraction median)."""
    accounts = sorted(a for a, t in evaluation.truth.items() if t.archetype == family)
    own = evaluation.rows(np.isin(evaluation.account_ids, accounts), {a: evaluation.truth[a] for a in accounts})
    scored = (request_counts(own.features) >= min_requests) & (own.labels == 1)

    def measure(data: WindowDataset) -> tuple[float, float]:
        scores, _ = product.decide(data, threshold)
        counts = request_counts(own.features)
        by_account = account_scores(own.account_ids, scores, counts, accounts, min_requests)
        mean = float(scores[scored].mean()) if scored.any() else float("nan")
        return mean, float(np.mean(by_account >= threshold)) if accounts else float("nan")

    base_mean, base_recall = measure(own)
    pulls = []
    for j, name in enumerate(FEATURE_NAMES):
        if name in DERIVED:
            continue
        replaced = own.features.copy()
        replaced[:, j] = reference[j]
        mean, recall = measure(WindowDataset(replaced, own.labels, own.account_ids, own.window_ends, own.truth))
        pulls.append(Pull(name, mean, recall))
    pulls.sort(key=lambda p: -(p.mean_score - base_mean))
    return FamilyPulls(family, len(accounts), int(scored.sum()), base_mean, base_recall, tuple(pulls))


def _markdown(
    command: str, seconds: float, training: Sequence[Separation], families: Sequence[FamilyPulls], threshold: float
) -> str:
    lines = [
        "# Shortcuts: what separates the labels in training, and what pulls a left-out family down",
        "",
        f"Made by `{command}` in {seconds / 60:.1f} min (`models/diagnostics/shortcuts.py`).",
        "",
        "## Each feature alone on the training simulator (windows at the request floor)",
        "",
        "AUC folded (0.5: no separation, 1.0: a perfect split either way); exclusive: share of a label's windows "
        "in one of 20 quantile bins that the other label never populates; IQR: interquartile range per label.",
        "",
        "| feature | AUC | higher for | benign exclusive | extraction exclusive | benign IQR | extraction IQR |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in training:
        lines.append(
            f"| {s.feature} | {s.auc:.3f} | {s.direction.split()[0]} | {s.benign_exclusive:.3f} | "
            f"{s.extraction_exclusive:.3f} | {s.benign_iqr[0]:.3g} - {s.benign_iqr[1]:.3g} | "
            f"{s.extraction_iqr[0]:.3g} - {s.extraction_iqr[1]:.3g} |"
        )
    lines += [
        "",
        "## What pulls a left-out family's scores down",
        "",
        f"A model trained without the family scores its extraction windows at the floor; each feature in turn "
        f"is set to the median of the fold's extraction training windows. Recall: the family's accounts with a "
        f"window at >= {threshold:.3f}. The six strongest pulls (largest rise of the mean score) per family.",
        "",
    ]
    for f in families:
        lines += [
            f"### {f.family} ({f.accounts} accounts, {f.windows} windows): mean score {f.mean_score:.3f}, "
            f"recall {f.recall:.3f}",
            "",
            "| feature replaced | mean score | recall |",
            "|---|---|---|",
        ]
        lines += [f"| {p.feature} | {p.mean_score:.3f} | {p.recall:.3f} |" for p in f.pulls[:6]]
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    parser.add_argument("--accounts", type=int, default=150, help="accounts per training seed")
    parser.add_argument("--hours", type=float, default=6.0)
    parser.add_argument("--eval-seeds", type=int, nargs="+", default=[3001])
    parser.add_argument("--eval-accounts", type=int, default=350)
    parser.add_argument("--eval-hours", type=float, default=3.0)
    parser.add_argument("--families", nargs="*", default=list(DEFAULT_FAMILIES))
    parser.add_argument("--threshold", type=float, default=0.891, help="alert threshold for the recall columns")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--model-seed", type=int, default=7)
    parser.add_argument("--output", type=Path, default=REPORT_DIR / "SHORTCUTS.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    window, floor = WindowConfig(), AlertPolicyConfig().min_requests
    training = simulate_many([SimulationSpec(s, args.accounts, args.hours) for s in args.seeds], window, args.workers)
    at_floor = request_counts(training.features) >= floor
    training_separation = separations(training.features[at_floor], training.labels[at_floor])
    mix = uniform_mix(ARCHETYPES, frozenset({CAMPAIGN_ARCHETYPE}))
    runs = [MixSpec(f"d{s}", s, args.eval_accounts, args.eval_hours, mix, 0.5, ()) for s in args.eval_seeds]
    evaluation = simulate_mixes(runs, window, args.workers)
    log.info("simulated in %.0fs", time.perf_counter() - started)
    families = []
    for family in args.families:
        without = without_family(training, family)
        positives = without.features[(without.labels == 1) & (request_counts(without.features) >= floor)]
        with threadpool_limits(limits=1, user_api="openmp"):
            product = fit_product(without, args.model_seed)
            families.append(
                family_pulls(product, np.median(positives, axis=0), evaluation, family, args.threshold, floor)
            )
        log.info("%s: %s", family, families[-1].pulls[:3])
    command = "python -m models.diagnostics.shortcuts " + " ".join(argv if argv is not None else sys.argv[1:])
    report = _markdown(command.strip(), time.perf_counter() - started, training_separation, families, args.threshold)
    args.output.write_text(report + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    raise SystemExit(main())
