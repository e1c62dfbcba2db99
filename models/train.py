"""Trains the extraction-risk classifier from simulator traffic with fixed seeds.

`distillwatch train` (or `python -m models.train`) rebuilds the shipped artifact: simulate the training
seeds, compute windows with the serving feature code (the per-window ones and the 24 h horizon rows the
pipeline scores for sparse accounts), fit a gradient-boosted classifier, calibrate it
with account-grouped folds (windows of one account never sit on both sides of a split), and write the
skops file plus a manifest pinning its sha256. `distillwatch evaluate` then measures it on other seeds
and records the headline metrics in the manifest.

Every random draw is seeded (simulator seeds, `model_seed`) and the booster runs single-threaded, so a
retrain on any machine gives the same predictions.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from models.dataset import HorizonSpec, SimulationSpec, WindowDataset, concatenate, simulate, simulate_many
from models.feedback import load_feedback
from models.product import ProductModel
from models.threshold import FPR_BUDGET, ThresholdChoice, choose_threshold
from pipelines.artifact import ModelManifest, save_model
from pipelines.config import DEFAULT_HORIZON_S, AlertPolicyConfig, WindowConfig
from pipelines.features.peers import PeerStanding
from pipelines.features.spec import FEATURE_NAMES, MONOTONIC_CST
from pipelines.novelty import fit_novelty

log = logging.getLogger("distillwatch.train")

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
# Bump by hand when the features, labels or training recipe change; the artifact's model_version is
# this release plus the sha256 prefix of the file.
RELEASE = "2026.12.8"
MODEL_FILE = "extraction_risk.skops"
CALIBRATION_FOLDS = 4
# Sigmoid, not isotonic: isotonic maps the top of the range to exactly 1.0, and ties there defeat tight FPR budgets.
CALIBRATION_METHOD = "sigmoid"
# A small fixed simulation whose feature statistics the manifest records (see probe_drift).
PROBE_RUN = SimulationSpec(seed=0, accounts=120, hours=0.5)
PROBE_TOLERANCE = 0.01  # standard deviations


@dataclass(frozen=True)
class TrainingConfig:
    seeds: tuple[int, ...] = (11, 12, 13, 14, 15, 16)
    accounts: int = 300  # per seed
    hours: float = 6.0  # per seed
    window: WindowConfig = field(default_factory=WindowConfig)
    model_seed: int = 7
    release: str = RELEASE
    workers: int = 2  # simulation processes; does not change the result
    feedback: str | None = None  # a store with analyst verdicts: their windows join the training data
    # The alert threshold: the most sensitive one alerting at most this share of the validation runs' benign
    # accounts (models.threshold). Validation seeds are neither training nor evaluation seeds.
    fpr_budget: float = FPR_BUDGET
    validation_seeds: tuple[int, ...] = (101, 102, 103, 104)
    min_requests: int = AlertPolicyConfig.min_requests  # the policy's request floor the threshold is chosen under
    # Share of training accounts logged by a gateway that leaves optional fields out (models.gateways); the
    # validation runs that set the threshold keep every field.
    partial_gateways: float = 0.0

    def specs(self) -> list[SimulationSpec]:
        return [
            SimulationSpec(seed, self.accounts, self.hours, partial_gateways=self.partial_gateways)
            for seed in self.seeds
        ]

    def validation_specs(self) -> list[SimulationSpec]:
        return [SimulationSpec(seed, self.accounts, self.hours) for seed in self.validation_seeds]

    def horizon(self) -> HorizonSpec:
        # Long-horizon rows join training: the classifier scores them in serving (an account below the per-window
        # floor is judged on what it accumulates) and would otherwise never have seen a row of their shape.
        return HorizonSpec.scored_by_default(self.window, self.min_requests)


def booster(model_seed: int) -> HistGradientBoostingClassifier:
    # 15 leaves of >= 100 windows: chosen on validation seeds 101-104 (never the evaluation seeds) over
    # 31 leaves of >= 20 (same account recall, lower window log-loss) and over a slower, longer schedule.
    return HistGradientBoostingClassifier(
        max_iter=300,
        learning_rate=0.06,
        max_leaf_nodes=15,
        min_samples_leaf=100,
        l2_regularization=1.0,
        early_stopping=False,  # a fixed number of trees: no random validation split to depend on
        random_state=model_seed,
        # Where the direction of risk is known the score may only move that way (pipelines/features/spec.py):
        # out of distribution, a shortcut on a secondary feature cannot outweigh the extraction signal.
        monotonic_cst=list(MONOTONIC_CST),
    )


def family_weights(dataset: WindowDataset) -> np.ndarray:
    """Per window, a weight giving every family (archetype) of a label the same total, each label keeping its
    window count: a family with many accounts (the hobbyists, a campaign's members) would otherwise set what
    "benign" or "extraction" looks like for every tree."""
    families = np.array([dataset.truth[account].archetype for account in dataset.account_ids])
    weights = np.empty(len(families))
    for label in (0, 1):
        mine = dataset.labels == label
        names, inverse, counts = np.unique(families[mine], return_inverse=True, return_counts=True)
        weights[mine] = mine.sum() / (len(names) * counts[inverse])
    return weights


def fit(dataset: WindowDataset, model_seed: int) -> Pipeline:
    """PeerStanding (benign peer reference, learnt from the benign windows, each account weighing the same) then
    the calibrated booster."""
    folds = list(
        GroupKFold(n_splits=CALIBRATION_FOLDS).split(dataset.features, dataset.labels, groups=dataset.account_ids)
    )
    calibrated = CalibratedClassifierCV(booster(model_seed), method=CALIBRATION_METHOD, cv=folds)
    model = Pipeline([("peers", PeerStanding()), ("classifier", calibrated)])
    # One OpenMP thread: float sums do not depend on the machine's core count, and the fit does not
    # stall when other processes compete for the cores (OpenMP spin-waits badly under contention).
    with threadpool_limits(limits=1, user_api="openmp"):
        return model.fit(
            dataset.features,
            dataset.labels,
            peers__groups=dataset.account_ids,
            classifier__sample_weight=family_weights(dataset),
        )


def fit_product(dataset: WindowDataset, model_seed: int) -> ProductModel:
    """`fit`, then the novelty component on the same data's benign windows (extraction rows are never read)."""
    model = fit(dataset, model_seed)
    peer_rows = model.named_steps["peers"].transform(dataset.features)
    forest, calibration = fit_novelty(peer_rows, dataset.labels, dataset.account_ids, model_seed)
    return ProductModel(model, forest, calibration)


def feature_probe(window: WindowConfig) -> dict[str, dict[str, float]]:
    """Mean and standard deviation of each feature over PROBE_RUN, a small fixed simulation."""
    features = simulate(PROBE_RUN, window).features
    means, stds = features.mean(axis=0), features.std(axis=0)
    return {name: {"mean": float(m), "std": float(s)} for name, m, s in zip(FEATURE_NAMES, means, stds, strict=True)}


def probe_drift(
    recorded: dict[str, dict[str, float]],
    current: dict[str, dict[str, float]],
    names: Sequence[str] = FEATURE_NAMES,
) -> dict[str, float]:
    """Features whose probe mean moved by more than PROBE_TOLERANCE standard deviations: name -> shift.

    The manifest records the probe at training time. A change to the simulator or to the feature code
    that alters what the features mean moves some of them, and the shipped model no longer matches what
    serving computes. Sketch merge order or float summation order only jitters them (~1e-4 std).
    """
    drift = {}
    for name in names:
        before, now = recorded[name], current[name]
        shift = abs(now["mean"] - before["mean"]) / max(before["std"], 1e-9)
        if shift > PROBE_TOLERANCE:
            drift[name] = shift
    return drift


def benign_medians(dataset: WindowDataset) -> dict[str, float]:
    """Per feature, the median over benign per-window rows: the reference reason codes occlude with."""
    benign = dataset.features[(dataset.labels == 0) & ~dataset.is_horizon]
    return {name: float(value) for name, value in zip(FEATURE_NAMES, np.median(benign, axis=0), strict=True)}


def training_specs(manifest: ModelManifest) -> list[SimulationSpec]:
    """The simulator runs a shipped model was trained on, as its manifest records them."""
    trained = manifest.trained_on
    accounts, hours = trained["accounts_per_seed"], trained["hours_per_seed"]
    partial = trained.get("partial_gateways", 0.0)  # absent from manifests written before the option existed
    return [SimulationSpec(seed, accounts, hours, partial_gateways=partial) for seed in trained["simulator_seeds"]]


def train(config: TrainingConfig, output_dir: Path = ARTIFACT_DIR) -> Path:
    started = time.perf_counter()
    dataset = simulate_many(config.specs(), config.window, config.workers, config.horizon())
    if config.feedback and (labelled := load_feedback(config.feedback)) is not None:
        dataset = concatenate([dataset, labelled])
    simulated = time.perf_counter()
    windows, positive = len(dataset.labels), int(dataset.labels.sum())
    log.info("simulated %d windows (%d positive) in %.0fs", windows, positive, simulated - started)
    fitted = fit_product(dataset, config.model_seed)
    model, forest, novelty = fitted.estimator, fitted.novelty, fitted.calibration
    log.info("fitted in %.0fs (novelty threshold %.4f)", time.perf_counter() - simulated, novelty.threshold)
    alert_policy = validation_threshold(fitted, config)
    log.info("alert threshold %.4f at %.2f%% benign-account FPR", alert_policy.threshold, 100 * config.fpr_budget)
    manifest = ModelManifest(
        model_version=config.release,
        model_file=MODEL_FILE,
        sha256="",  # pinned by save_model
        feature_names=FEATURE_NAMES,
        benign_medians=benign_medians(dataset),
        trained_on={
            "simulator_seeds": list(config.seeds),
            "accounts_per_seed": config.accounts,
            "hours_per_seed": config.hours,
            "held_out_variants": False,
            "window_size_s": config.window.size_s,
            "window_period_s": config.window.period_s,
            "accounts": len(dataset.truth),
            "windows": len(dataset.labels),
            "positive_windows": int(dataset.labels.sum()),
            "horizon_windows": int(dataset.is_horizon.sum()),
            "horizon_window_s": DEFAULT_HORIZON_S,
            "model_seed": config.model_seed,
            "partial_gateways": config.partial_gateways,
            "feature_probe": feature_probe(config.window),
            "estimator": f"Pipeline(PeerStanding, CalibratedClassifierCV(HistGradientBoostingClassifier with "
            f"monotonic_cst, {CALIBRATION_METHOD}, {CALIBRATION_FOLDS} account-grouped folds))",
        },
        novelty=novelty.to_json(),
        alert_policy=alert_policy.to_json(),
    )
    return save_model(model, output_dir, manifest, novelty=forest)


def validation_threshold(product: ProductModel, config: TrainingConfig) -> ThresholdChoice:
    """The threshold at the FPR budget on validation runs, with the long-horizon rows the pipeline scores."""
    specs = config.validation_specs()
    validation = simulate_many(specs, config.window, config.workers, config.horizon())
    runs = [{"seed": s.seed, "accounts": s.accounts, "hours": s.hours} for s in specs]
    with threadpool_limits(limits=1, user_api="openmp"):
        return choose_threshold(product, validation, config.fpr_budget, config.min_requests, runs)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = TrainingConfig()
    parser.add_argument("--seeds", type=int, nargs="+", default=list(defaults.seeds), help="simulator seeds")
    parser.add_argument("--accounts", type=int, default=defaults.accounts, help="accounts per seed")
    parser.add_argument("--hours", type=float, default=defaults.hours, help="simulated hours per seed")
    parser.add_argument("--model-seed", type=int, default=defaults.model_seed)
    parser.add_argument("--release", default=defaults.release, help="model_version becomes RELEASE+<sha256 prefix>")
    parser.add_argument("--workers", type=int, default=defaults.workers, help="simulation processes")
    parser.add_argument(
        "--fpr-budget",
        type=float,
        default=defaults.fpr_budget,
        help="share of validation benign accounts the alert threshold may alert (recorded as alert_policy)",
    )
    parser.add_argument(
        "--partial-gateways",
        type=float,
        default=defaults.partial_gateways,
        help="share of training accounts whose events leave out optional fields (models/gateways.py)",
    )
    parser.add_argument("--output-dir", type=Path, default=ARTIFACT_DIR)
    parser.add_argument(
        "--feedback", default=None, help="analyst verdicts: DuckDB store or bq:PROJECT:DATASET (models/feedback.py)"
    )


def run(args: argparse.Namespace) -> int:
    config = TrainingConfig(
        seeds=tuple(args.seeds),
        accounts=args.accounts,
        hours=args.hours,
        model_seed=args.model_seed,
        release=args.release,
        workers=args.workers,
        feedback=args.feedback,
        fpr_budget=args.fpr_budget,
        partial_gateways=args.partial_gateways,
    )
    manifest_path = train(config, args.output_dir)
    print(f"wrote {manifest_path} ({ModelManifest.read(manifest_path).model_version})")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    raise SystemExit(run(parser.parse_args()))
