"""Which features the classifier is shown, and how it may combine them: a quick leave-one-family-out comparison.

`python -m models.diagnostics.feature_sets` (a development check, not part of any protocol; its figures are in
`models/report/FEATURE_SETS.md`). Each variant (`Recipe`) names the features blanked before the booster and any
booster setting it changes (interaction or monotone constraints, tree size, an ensemble over family subsets).
For every family
(and once with none left out) the booster alone is refitted without that family (`models.train.booster`, the
family weights, `PeerStanding`; no calibration and no novelty component, which keeps a fold to seconds and does
not change the ranking much), its threshold chosen at the 1 % benign-account budget on the validation runs
without the family, and the family's evaluation accounts scored. `distillwatch evaluate --protocol lofo` is the
full protocol with the product's decision; this one is for choosing between recipes before a retrain.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from models.dataset import SimulationSpec, WindowDataset, request_counts, simulate_many
from models.evaluation.decision import horizon_spec
from models.evaluation.lofo import EXCLUDED_FAMILIES, EXTRACTION_SHARE, lofo_families
from models.evaluation.simulation import MixSpec, simulate_mixes, uniform_mix, without_family
from models.metrics import account_scores, recall_at_fpr
from models.train import booster, family_weights, training_specs
from pipelines.artifact import ModelManifest
from pipelines.config import DEFAULT_MODEL_MANIFEST, AlertPolicyConfig, WindowConfig
from pipelines.features.peers import PeerStanding
from pipelines.features.spec import (
    CLASSIFIER_BLANKED,
    FEATURE_INDEX,
    FEATURE_NAMES,
    MISSING,
    MODALITY_MARKERS,
    MONOTONE,
)
from simulator.archetypes import ARCHETYPES

PACING = ("minute_count_cv", "active_minute_share")
# Each feature in a tree of its own: the score is a sum of one-feature curves, so an unseen family is judged
# feature by feature (its harvest credited whatever its prompt length) instead of by the joint regions seen
# families occupy.
ADDITIVE = [[i] for i in range(len(FEATURE_INDEX))]
# Volume and continuity may only raise the score: no seen benign family's high rate can mark high rates benign.
VOLUME_MONOTONE = MONOTONE | {"request_count": 1, "requests_per_minute": 1, "active_minute_share": 1}


@dataclass(frozen=True)
class Recipe:
    """One way to fit the booster: what it is shown and how it may combine it."""

    blanked: tuple[str, ...]  # features blanked before the booster
    booster_params: dict[str, Any] = field(default_factory=dict)  # set on `models.train.booster`'s estimator
    # > 0: the mean of this many boosters, each fitted without a random `BAG_DROP` of the extraction families, so
    # that no one family's region decides the score alone.
    family_bags: int = 0


VARIANTS: dict[str, Recipe] = {
    "shipped": Recipe(CLASSIFIER_BLANKED),
    "knobs_shown": Recipe(MODALITY_MARKERS),  # the recipe up to 2026.12.7
    "tools_shown": Recipe(tuple(name for name in CLASSIFIER_BLANKED if name != "tool_use_share")),
    "pacing_blanked": Recipe(CLASSIFIER_BLANKED + PACING),
    # The strongest pull on left-out logprob_harvest under the shipped recipe (SHORTCUTS.md, 2026.12.8).
    "prompt_length_blanked": Recipe((*CLASSIFIER_BLANKED, "prompt_tokens_mean")),
    "additive": Recipe(CLASSIFIER_BLANKED, {"interaction_cst": ADDITIVE}),
    # Fewer, smaller trees: fewer family-specific regions to learn.
    "small_trees": Recipe(CLASSIFIER_BLANKED, {"max_leaf_nodes": 4, "max_iter": 150}),
    "volume_monotone": Recipe(
        CLASSIFIER_BLANKED, {"monotonic_cst": [VOLUME_MONOTONE.get(name, 0) for name in FEATURE_NAMES]}
    ),
    "family_bagged": Recipe(CLASSIFIER_BLANKED, family_bags=4),
}
VALIDATION_BUDGET = 0.01
BAG_DROP = 0.3
NONE_LEFT_OUT = ""


def shown_rows(raw: np.ndarray, peer_rows: np.ndarray, blanked: Sequence[str]) -> np.ndarray:
    """`PeerStanding`'s rows with exactly `blanked` (plus the tier rank it always blanks) set to MISSING: a
    feature the shipped step blanks but the variant shows gets its raw value back."""
    out = peer_rows.copy()
    shown_again = [FEATURE_INDEX[name] for name in CLASSIFIER_BLANKED if name not in blanked]
    out[:, shown_again] = raw[:, shown_again]
    out[:, [FEATURE_INDEX[name] for name in blanked]] = MISSING
    return out


def bags(training: WindowDataset, count: int, seed: int) -> list[WindowDataset]:
    """`count` subsets of `training`, each without a random `BAG_DROP` share of its extraction families."""
    families = sorted({t.archetype for t in training.truth.values() if t.label == "extraction"})
    rng = np.random.default_rng(seed)
    subsets = []
    for _ in range(count):
        subset = training
        for family in rng.choice(families, size=round(BAG_DROP * len(families)), replace=False):
            subset = without_family(subset, str(family))
        subsets.append(subset)
    return subsets


def fit_scorer(training: WindowDataset, recipe: Recipe, model_seed: int) -> Callable[[np.ndarray], np.ndarray]:
    peers = PeerStanding().fit(training.features, training.labels, groups=training.account_ids)
    blanked = recipe.blanked
    fitted = []
    with threadpool_limits(limits=1, user_api="openmp"):
        for subset in bags(training, recipe.family_bags, model_seed) if recipe.family_bags else [training]:
            model = booster(model_seed).set_params(**recipe.booster_params)
            model.fit(
                shown_rows(subset.features, peers.transform(subset.features), blanked),
                subset.labels,
                sample_weight=family_weights(subset),
            )
            fitted.append(model)

    def score(features: np.ndarray) -> np.ndarray:
        rows = shown_rows(features, peers.transform(features), blanked)
        with threadpool_limits(limits=1, user_api="openmp"):
            return np.mean([model.predict_proba(rows)[:, 1] for model in fitted], axis=0)

    return score


def per_account(data: WindowDataset, window_scores: np.ndarray, min_requests: int) -> tuple[list[str], np.ndarray]:
    accounts = sorted(data.truth)
    return accounts, account_scores(
        data.account_ids, window_scores, request_counts(data.features), accounts, min_requests
    )


@dataclass(frozen=True)
class FamilyOutcome:
    family: str
    label: str
    rate_at_threshold: float  # extraction: recall; benign: the family's own FPR
    recall_at_01: float | None  # extraction only: at <= 0.1 % held-out benign-account FPR
    recall_at_1: float | None  # extraction only: at <= 1 %


def outcomes(
    scores: np.ndarray, archetypes: np.ndarray, labels: np.ndarray, threshold: float, families: Sequence[str]
) -> list[FamilyOutcome]:
    """Per family, from evaluation account scores: `labels` "benign" | "extraction" per account."""
    benign = scores[labels == "benign"]
    result = []
    for family in families:
        own = scores[archetypes == family]
        label = str(labels[archetypes == family][0])
        rate = float(np.mean(own >= threshold))
        if label == "benign":
            result.append(FamilyOutcome(family, label, rate, None, None))
        else:
            low = recall_at_fpr(benign, own, 0.001).recall
            result.append(FamilyOutcome(family, label, rate, low, recall_at_fpr(benign, own, 0.01).recall))
    return result


@dataclass(frozen=True)
class Datasets:
    training: WindowDataset
    validation: WindowDataset
    evaluation: WindowDataset
    min_requests: int
    model_seed: int


_data: Datasets | None = None


def _load(data: Datasets) -> None:
    global _data
    _data = data


def validated_outcomes(
    score: Callable[[np.ndarray], np.ndarray],
    validation: WindowDataset,
    evaluation: WindowDataset,
    min_requests: int,
    families: Sequence[str],
) -> list[FamilyOutcome]:
    """`score` (feature rows -> window scores) thresholded at the budget on `validation`'s benign accounts, and
    the outcome of each of `families` on `evaluation`."""
    accounts, scores = per_account(validation, score(validation.features), min_requests)
    benign = np.array([validation.truth[a].label == "benign" for a in accounts])
    threshold = recall_at_fpr(scores[benign], scores[~benign], VALIDATION_BUDGET).threshold
    accounts, scores = per_account(evaluation, score(evaluation.features), min_requests)
    archetypes = np.array([evaluation.truth[a].archetype for a in accounts])
    labels = np.array([evaluation.truth[a].label for a in accounts])
    return outcomes(scores, archetypes, labels, threshold, families)


def _fold(variant: str, family: str) -> list[FamilyOutcome]:
    assert _data is not None  # set by _load
    score = fit_scorer(without_family(_data.training, family), VARIANTS[variant], _data.model_seed)
    families = [family] if family != NONE_LEFT_OUT else [f.name for f in lofo_families()]
    validation = without_family(_data.validation, family)
    return validated_outcomes(score, validation, _data.evaluation, _data.min_requests, families)


def simulate(eval_seeds: Sequence[int], eval_accounts: int, hours: float, accounts: int, workers: int) -> Datasets:
    manifest = ModelManifest.read(DEFAULT_MODEL_MANIFEST)  # the shipped recipe's runs; its model is not read
    trained = manifest.trained_on
    window = WindowConfig(trained["window_size_s"], trained["window_period_s"])
    policy = AlertPolicyConfig()
    horizon = horizon_spec(window, policy)
    training = [replace(spec, accounts=accounts) for spec in training_specs(manifest)]
    runs = (manifest.alert_policy or {})["validation_runs"]
    validation = [SimulationSpec(int(run["seed"]), accounts, float(run["hours"])) for run in runs]
    mix = uniform_mix(ARCHETYPES, frozenset(EXCLUDED_FAMILIES))
    evaluation = [MixSpec(f"fs{seed}", seed, eval_accounts, hours, mix, EXTRACTION_SHARE, ()) for seed in eval_seeds]
    return Datasets(
        simulate_many(training, window, workers, horizon),
        simulate_many(validation, window, workers, horizon),
        simulate_mixes(evaluation, window, workers, horizon),
        policy.min_requests,
        int(trained["model_seed"]),
    )


def _mean(values: Sequence[float | None]) -> float:
    return float(np.mean([v for v in values if v is not None]))


def markdown(results: dict[str, dict[str, list[FamilyOutcome]]]) -> str:
    """`results[variant][left-out family or NONE_LEFT_OUT]`."""
    lines = [
        "| variant | left-out extraction recall @ fold thr: mean / worst | @ ≤ 0.1 % FPR: mean | @ ≤ 1 % FPR: mean "
        "| left-out benign family FPR: mean / worst | all seen: recall @ thr / @ ≤ 0.1 % / @ ≤ 1 % |",
        "|---|---|---|---|---|---|",
    ]
    for variant, folds in results.items():
        left_out = [folds[family][0] for family in folds if family != NONE_LEFT_OUT]
        attacks = [o for o in left_out if o.label == "extraction"]
        benign = [o.rate_at_threshold for o in left_out if o.label == "benign"]
        seen = [o for o in folds[NONE_LEFT_OUT] if o.label == "extraction"]
        lines.append(
            f"| {variant} | {_mean([o.rate_at_threshold for o in attacks]):.3f} / "
            f"{min(o.rate_at_threshold for o in attacks):.3f} | {_mean([o.recall_at_01 for o in attacks]):.3f} | "
            f"{_mean([o.recall_at_1 for o in attacks]):.3f} | {_mean(benign):.3f} / {max(benign):.3f} | "
            f"{_mean([o.rate_at_threshold for o in seen]):.3f} / {_mean([o.recall_at_01 for o in seen]):.3f} / "
            f"{_mean([o.recall_at_1 for o in seen]):.3f} |"
        )
    lines += ["", "| left-out family | " + " | ".join(results) + " |", "|---|" + "---|" * len(results)]
    families = [family for family in next(iter(results.values())) if family != NONE_LEFT_OUT]
    for family in families:
        cells = []
        for folds in results.values():
            o = folds[family][0]
            cells.append(
                f"{o.rate_at_threshold:.2f}" + (f" / {o.recall_at_01:.2f}" if o.recall_at_01 is not None else "")
            )
        lines.append(f"| {family} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def add_simulation_arguments(parser: argparse.ArgumentParser) -> None:
    """The runs a comparison simulates (`simulated` reads them back)."""
    parser.add_argument("--accounts", type=int, default=120, help="accounts per training and validation seed")
    parser.add_argument("--eval-seeds", type=int, nargs="+", default=[3001, 3002])
    parser.add_argument("--eval-accounts", type=int, default=350, help="accounts per evaluation seed")
    parser.add_argument("--hours", type=float, default=3.0, help="per evaluation seed")
    parser.add_argument("--workers", type=int, default=2)


def simulated(args: argparse.Namespace) -> Datasets:
    return simulate(args.eval_seeds, args.eval_accounts, args.hours, args.accounts, args.workers)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    add_simulation_arguments(parser)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = simulated(args)
    families = [NONE_LEFT_OUT] + [family.name for family in lofo_families()]
    jobs = [(variant, family) for variant in args.variants for family in families]
    with ProcessPoolExecutor(args.workers, initializer=_load, initargs=(data,)) as pool:
        folds = list(pool.map(_fold, *zip(*jobs, strict=True)))
    results: dict[str, dict[str, list[FamilyOutcome]]] = {}
    for (variant, family), outcome in zip(jobs, folds, strict=True):
        results.setdefault(variant, {})[family] = outcome
    print(markdown(results))
    print(f"\n{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
