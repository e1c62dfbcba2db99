"""Leave-one-family-out: each family scored by a model trained without it.

A family is an archetype of the simulator catalogue, read from `simulator.archetypes` at run time, so
families added there join the protocol without a change here. For each family the training recipe of
the shipped model (its simulator seeds, at `scale`) is refitted with `models.train.fit_product`
(classifier and benign-only novelty component) on every account except that family's, then scored, as
the pipeline decides (`models.evaluation.decision`), on separate evaluation runs in which every family
has the same weight: an extraction family's recall is measured against the held-out benign accounts, a
benign family's FPR on its own accounts. The shipped model, which saw every family, is scored on the
same accounts for comparison.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from models.dataset import SimulationSpec, WindowDataset, request_counts, simulate_many
from models.evaluation.config import REPORT_DIR, resolved_policy
from models.evaluation.decision import first_alert_components, horizon_spec
from models.evaluation.families import FamilyResult, benign_result, extraction_result
from models.evaluation.simulation import MixSpec, simulate_mixes, uniform_mix, without_family
from models.metrics import account_scores
from models.product import COMPONENTS, ProductModel
from models.threshold import choose_threshold
from models.train import fit_product, training_specs
from pipelines.artifact import load_verified_model
from pipelines.config import DEFAULT_MODEL_MANIFEST, AlertPolicyConfig, WindowConfig
from simulator.archetypes import ARCHETYPES, CAMPAIGN_ARCHETYPE, Archetype

log = logging.getLogger("distillwatch.evaluate.lofo")

# Families not left out, with the reason the report gives. Their accounts stay in every fold's training data.
EXCLUDED_FAMILIES = {
    CAMPAIGN_ARCHETYPE: "each member account is slow on its own by design; campaigns are judged by the campaign "
    "stage (`pipelines/campaigns`), which has its own evaluation",
}
EXTRACTION_SHARE = 0.5  # of the evaluation accounts: enough accounts per extraction family
# The training recipe simulates one 10-account campaign out of the 17 % extraction accounts: below 120
# accounts a seed has hardly any extraction account of another family.
MIN_TRAINING_ACCOUNTS = 120


@dataclass(frozen=True)
class LofoConfig:
    manifest_path: Path = Path(DEFAULT_MODEL_MANIFEST)
    eval_seeds: tuple[int, ...] = (3001, 3002, 3003)
    eval_accounts: int = 700  # per evaluation seed, at scale 1
    hours: float = 6.0  # per evaluation seed
    scale: float = 1.0  # multiplies training and evaluation accounts
    workers: int = 2
    report_dir: Path = REPORT_DIR
    policy: AlertPolicyConfig = field(default_factory=AlertPolicyConfig)  # its threshold: see `alert_threshold`
    alert_threshold: float | None = None  # None: the manifest's (alert_policy), as `distillwatch detect` uses
    families: tuple[str, ...] | None = None  # left out in turn; None: every family (a subset: to iterate quickly)


@dataclass(frozen=True)
class Fold:
    family: str
    result: FamilyResult  # by the model trained without the family
    shipped: FamilyResult  # by the shipped model, which saw it
    training_windows: int
    seconds: float
    threshold: float  # the fold model's alert threshold, chosen like the shipped one's (models.threshold)
    # The family's accounts alerted by the fold model, by the component of their first alert.
    fired_by: dict[str, int]


@dataclass(frozen=True)
class LofoResult:
    config: LofoConfig
    model_version: str
    folds: tuple[Fold, ...]
    training_runs: tuple[SimulationSpec, ...]
    eval_runs: tuple[MixSpec, ...]
    benign_accounts: int  # held-out benign accounts of the evaluation runs
    seconds: float


def lofo_families(catalogue: Sequence[Archetype] = ARCHETYPES, only: Sequence[str] | None = None) -> list[Archetype]:
    """The families left out in turn: every one not excluded, or those of `only` (which must exist)."""
    families = [archetype for archetype in catalogue if archetype.name not in EXCLUDED_FAMILIES]
    if only is None:
        return families
    unknown = set(only) - {family.name for family in families}
    if unknown:
        raise ValueError(f"no such family to leave out: {sorted(unknown)}")
    return [family for family in families if family.name in only]


def family_result(
    family: Archetype, scores: np.ndarray, archetypes: np.ndarray, benign: np.ndarray, threshold: float
) -> FamilyResult:
    """`scores`, `archetypes`, `benign`: per evaluation account."""
    own = scores[archetypes == family.name]
    if family.label == "benign":
        return benign_result(family.name, own, threshold)
    return extraction_result(family.name, own, scores[benign], threshold)


# Each worker process holds the training windows once instead of receiving them with every fold.
_training: WindowDataset | None = None
_evaluation: WindowDataset | None = None
_validation: WindowDataset | None = None


def _load_worker(training: WindowDataset, evaluation: WindowDataset, validation: WindowDataset | None) -> None:
    global _training, _evaluation, _validation
    _training, _evaluation, _validation = training, evaluation, validation


def _fold_window_scores(
    family: str, model_seed: int, policy: AlertPolicyConfig, fpr_budget: float | None
) -> tuple[np.ndarray, np.ndarray, int, float, float]:
    """The fold's product decision on the evaluation windows: supervised model, novelty component and alert
    threshold all fitted without the family (a left-out benign family is absent from the novelty component's
    benign set and from the threshold's validation accounts too). Without a budget: the policy's threshold."""
    assert _training is not None and _evaluation is not None  # set by _load_worker
    started = time.perf_counter()
    without = without_family(_training, family)
    product = fit_product(without, model_seed)
    threshold = policy.alert_threshold
    with threadpool_limits(limits=1, user_api="openmp"):
        if _validation is not None and fpr_budget is not None:
            validation = without_family(_validation, family)
            threshold = choose_threshold(product, validation, fpr_budget, policy.min_requests, []).threshold
        scores, components = product.decide(_evaluation, threshold)
    return scores, components, len(without.labels), time.perf_counter() - started, threshold


def run_lofo(config: LofoConfig) -> LofoResult:
    started = time.perf_counter()
    model = load_verified_model(config.manifest_path)
    config = replace(config, policy=resolved_policy(config.policy, config.alert_threshold, model.manifest))
    trained = model.manifest.trained_on
    window = WindowConfig(trained["window_size_s"], trained["window_period_s"])
    training_accounts = max(MIN_TRAINING_ACCOUNTS, round(trained["accounts_per_seed"] * config.scale))
    training_runs = tuple(replace(spec, accounts=training_accounts) for spec in training_specs(model.manifest))
    overlap = set(config.eval_seeds) & set(trained["simulator_seeds"])
    if overlap:
        raise ValueError(f"evaluation seeds {sorted(overlap)} were used for training")
    mix = uniform_mix(ARCHETYPES, frozenset(EXCLUDED_FAMILIES))
    eval_accounts = max(1, round(config.eval_accounts * config.scale))
    eval_runs = tuple(
        MixSpec(f"lofo{seed}", seed, eval_accounts, config.hours, mix, EXTRACTION_SHARE, ())
        for seed in config.eval_seeds
    )
    training = simulate_many(training_runs, window, config.workers, horizon_spec(window, config.policy))
    # The shipped threshold's validation runs, at the same scale: each fold picks its own threshold on them.
    shipped_policy = model.manifest.alert_policy
    validation = None
    if shipped_policy and config.alert_threshold is None:
        validation_runs = [
            SimulationSpec(int(run["seed"]), training_accounts, float(run["hours"]))
            for run in shipped_policy["validation_runs"]
        ]
        validation = simulate_many(validation_runs, window, config.workers, horizon_spec(window, config.policy))
    evaluation = simulate_mixes(eval_runs, window, config.workers, horizon_spec(window, config.policy))
    log.info(
        "simulated %d + %d windows in %.0fs",
        len(training.labels),
        len(evaluation.labels),
        time.perf_counter() - started,
    )

    accounts = sorted(evaluation.truth)
    archetypes = np.array([evaluation.truth[a].archetype for a in accounts])
    benign = np.array([evaluation.truth[a].label == "benign" for a in accounts])
    counts = request_counts(evaluation.features)
    min_requests, threshold = config.policy.min_requests, config.policy.alert_threshold

    def to_accounts(window_scores: np.ndarray) -> np.ndarray:
        return account_scores(evaluation.account_ids, window_scores, counts, accounts, min_requests)

    def fired_by(family: str, window_scores: np.ndarray, components: np.ndarray, at: float) -> dict[str, int]:
        first = first_alert_components(
            evaluation.account_ids, evaluation.window_ends, window_scores, components, counts, at, min_requests
        )
        own = [first[a] for a in first if evaluation.truth[a].archetype == family]
        return {component: own.count(component) for component in COMPONENTS}

    with threadpool_limits(limits=1, user_api="openmp"):
        shipped_scores = to_accounts(ProductModel.shipped(model).decide(evaluation, threshold)[0])
    families = lofo_families(only=config.families)
    seeds = [trained["model_seed"]] * len(families)
    names = [family.name for family in families]
    policies = [config.policy] * len(families)
    budgets = [shipped_policy["fpr_budget"] if validation is not None else None] * len(families)
    workers = (training, evaluation, validation)
    with ProcessPoolExecutor(config.workers, initializer=_load_worker, initargs=workers) as pool:
        outputs = list(pool.map(_fold_window_scores, names, seeds, policies, budgets))
    folds = []
    for family, output in zip(families, outputs, strict=True):
        window_scores, components, training_windows, seconds, fold_threshold = output
        folds.append(
            Fold(
                family=family.name,
                result=family_result(family, to_accounts(window_scores), archetypes, benign, fold_threshold),
                shipped=family_result(family, shipped_scores, archetypes, benign, threshold),
                training_windows=training_windows,
                seconds=seconds,
                threshold=fold_threshold,
                fired_by=fired_by(family.name, window_scores, components, fold_threshold),
            )
        )
        log.info("fold %s: %s in %.0fs", family.name, folds[-1].result, seconds)
    return LofoResult(
        config=config,
        model_version=model.manifest.model_version,
        folds=tuple(folds),
        training_runs=training_runs,
        eval_runs=eval_runs,
        benign_accounts=int(benign.sum()),
        seconds=time.perf_counter() - started,
    )
