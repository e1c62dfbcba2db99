"""Scoring through Beam RunInference with a scikit-learn model handler (predict_proba).

The handler loads the verified artifact (`pipelines.artifact`), scores batches of feature vectors and, for
windows that may alert (score at the alert threshold and request count at the policy's floor), explains the
score by occlusion: each feature in turn is reset to its benign median and the score drop is its contribution.
One extra predict_proba call per batch covers them all. Reasons are written only with alerts, so a window below
the floor is not explained; the pipeline's windows below the floor never reach the handler at all
(`pipelines.request_floor`).

When the artifact has a novelty component (`pipelines.novelty`), a window the supervised score leaves below
the alert threshold but which the novelty component flags (far from benign traffic and harvesting above its
benign tier peers) is raised to the alert threshold, i.e. a medium alert, with component "novelty".

The alert threshold is the scoring model's own (its manifest's `alert_policy`), unless the run fixes one for every
model (`--alert-threshold`). It travels on each Score, so after a hot swap (`--watch-models`) every window is
explained, lifted and judged by the alert policy at the threshold of the model that scored it.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from apache_beam.io.filesystems import FileSystems
from apache_beam.ml.inference.base import ModelHandler, PredictionResult
from sklearn.ensemble import IsolationForest
from threadpoolctl import ThreadpoolController

from pipelines.artifact import LoadedModel, ModelIntegrityError, load_verified_model
from pipelines.base import Reason, Score
from pipelines.config import DetectConfig, alert_threshold_of
from pipelines.features.spec import FEATURE_NAMES
from pipelines.novelty import NoveltyCalibration, novelty_fires, statistic

REQUEST_COUNT = FEATURE_NAMES.index("request_count")


def explain(model: LoadedModel, rows: np.ndarray, scores: np.ndarray, max_reasons: int) -> list[tuple[Reason, ...]]:
    """Occlusion attributions for each row of `rows` (n, F): the top `max_reasons` score drops."""
    n, f = rows.shape
    reference = model.reference_vector()
    occluded = np.repeat(rows, f, axis=0)  # (n*f, F): row i with feature j set to its benign median
    columns = np.tile(np.arange(f), n)
    occluded[np.arange(n * f), columns] = reference[columns]
    drops = scores.repeat(f) - model.estimator.predict_proba(occluded)[:, 1]
    drops = drops.reshape(n, f)
    explanations = []
    for i in range(n):
        top = [j for j in np.argsort(-drops[i])[:max_reasons] if drops[i, j] > 0]
        explanations.append(tuple(Reason(FEATURE_NAMES[j], float(rows[i, j]), float(drops[i, j])) for j in top))
    return explanations


@dataclass(frozen=True)
class WindowDecision:
    """What the product decides per window: the score the alert policy reads and which component set it."""

    supervised: np.ndarray  # the classifier's probability
    scores: np.ndarray  # supervised, lifted to the alert threshold where novelty fires
    novel: np.ndarray  # rows novelty lifted
    margin: np.ndarray  # novelty statistic over its threshold (0 where not computed)


def decide_windows(
    estimator: Any,
    novelty: IsolationForest | None,
    calibration: NoveltyCalibration | None,
    rows: np.ndarray,
    alert_threshold: float,
) -> WindowDecision:
    """The one scoring decision of serving and of every evaluation protocol (`models/evaluation`)."""
    supervised = estimator.predict_proba(rows)[:, 1]
    if novelty is None or calibration is None:
        return WindowDecision(supervised, supervised, np.zeros(len(rows), dtype=bool), np.zeros(len(rows)))
    peer_rows = estimator.named_steps["peers"].transform(rows)
    novel = novelty_fires(novelty, calibration, peer_rows) & (supervised < alert_threshold)
    if not novel.any():
        return WindowDecision(supervised, supervised, novel, np.zeros(len(rows)))
    margin = statistic(novelty, peer_rows) - calibration.threshold
    return WindowDecision(supervised, np.where(novel, alert_threshold, supervised), novel, margin)


def decide_with(model: LoadedModel, rows: np.ndarray, alert_threshold: float) -> WindowDecision:
    calibration = NoveltyCalibration.from_json(model.manifest.novelty) if model.manifest.novelty else None
    return decide_windows(model.estimator, model.novelty, calibration, rows, alert_threshold)


@functools.lru_cache(maxsize=4)
def _load_verified_cached(manifest_path: str, modified: float) -> LoadedModel:
    return load_verified_model(manifest_path)


def _modified(manifest_path: str) -> float:
    """When the manifest was last written: locally its mtime, in a bucket (gs://, a hot swap's) its object's update
    time. Either raises OSError (Beam's BeamIOError is one) when the manifest is not there."""
    if FileSystems.get_scheme(manifest_path) is None:
        return os.stat(manifest_path).st_mtime_ns
    return FileSystems.get_filesystem(manifest_path).metadata(manifest_path).last_updated_in_seconds


def load_model_once_per_process(manifest_path: str) -> LoadedModel:
    """The local streaming runner rebuilds RunInference's DoFn (and its shared model handle) every bundle;
    verifying and loading the artifact each time cost seconds per bundle. A manifest rewritten in place
    (new mtime) is loaded afresh."""
    return _load_verified_cached(manifest_path, _modified(manifest_path))


@functools.cache
def _threadpools() -> ThreadpoolController:
    # Finding the loaded thread pools costs ~2 ms: once per process, not per batch.
    return ThreadpoolController()


class ExtractionRiskModelHandler(ModelHandler[np.ndarray, PredictionResult, LoadedModel]):
    """RunInference handler: feature vector -> PredictionResult(inference=Score, model_id=model_version)."""

    def __init__(
        self,
        manifest_path: str,
        alert_threshold: float | None,
        max_reasons: int,
        max_batch_size: int,
        explain_min_requests: int = 0,
    ) -> None:
        """`alert_threshold`: the one for every model; None: each model's manifest's (`alert_threshold_of`)."""
        super().__init__()
        self._manifest_path = manifest_path
        self._alert_threshold = alert_threshold
        self._explain_min_requests = explain_min_requests
        self._max_reasons = max_reasons
        self._max_batch_size = max_batch_size

    def load_model(self) -> LoadedModel:
        return load_model_once_per_process(self._manifest_path)

    def update_model_path(self, model_path: str | None = None) -> None:
        # Called by RunInference when the watched side input announces a new manifest. One that does not verify
        # (tampered, truncated, still being copied, gone) is refused here and the current model kept: otherwise
        # every later bundle fails to load a model, which a streaming job retries forever. The threshold stays with
        # the kept model: it is read from the model each batch is scored with (`threshold_for`).
        if not model_path:
            return
        try:
            load_model_once_per_process(model_path)
        except (ModelIntegrityError, OSError):
            logging.getLogger("distillwatch").exception(
                "refusing model update to %s; still scoring with %s", model_path, self._manifest_path
            )
            return
        self._manifest_path = model_path

    def threshold_for(self, model: LoadedModel) -> float:
        return self._alert_threshold if self._alert_threshold is not None else alert_threshold_of(model.manifest)

    def run_inference(
        self, batch: Sequence[np.ndarray], model: LoadedModel, inference_args: dict[str, Any] | None = None
    ) -> Iterable[PredictionResult]:
        rows = np.vstack(batch)
        threshold = self.threshold_for(model)
        # One OpenMP thread per call (the limit is per calling thread): Beam already scores on one thread per
        # core, and the booster's OpenMP threads spin-wait on contended cores (5.8x slower measured). As in
        # training (models/train.py); predictions do not change.
        with _threadpools().limit(limits=1, user_api="openmp"):
            decision = decide_with(model, rows, threshold)
            supervised, scores, novel, margin = decision.supervised, decision.scores, decision.novel, decision.margin
            may_alert = (scores >= threshold) & (rows[:, REQUEST_COUNT] >= self._explain_min_requests)
            to_explain = np.flatnonzero(may_alert)
            reasons: dict[int, tuple[Reason, ...]] = {}
            if to_explain.size:
                # Against the supervised score: what that model saw, also for a window novelty lifted.
                explained = explain(model, rows[to_explain], supervised[to_explain], self._max_reasons)
                reasons = dict(zip(to_explain.tolist(), explained, strict=True))
            for i in np.flatnonzero(novel).tolist():
                reasons[i] = (Reason("novelty_statistic_over_threshold", float(margin[i]), 0.0), *reasons.get(i, ()))
        return [
            PredictionResult(
                example,
                Score(float(score), reasons.get(i, ()), threshold, "novelty" if novel[i] else "supervised"),
                model_id=model.version,
            )
            for i, (example, score) in enumerate(zip(batch, scores, strict=True))
        ]

    def batch_elements_kwargs(self) -> dict[str, int]:
        # Full batches from the start: BatchElements otherwise starts small and grows slowly, and each call has a
        # fixed cost (the calibrated ensemble and the novelty forest) worth hundreds of rows. A bundle's end still
        # flushes a partial batch, so streaming latency does not change.
        return {"min_batch_size": self._max_batch_size, "max_batch_size": self._max_batch_size}

    def get_metrics_namespace(self) -> str:
        return "distillwatch_inference"


def handler_for(config: DetectConfig) -> ExtractionRiskModelHandler:
    """The handler a detection run scores with: its first model, and the threshold the policy fixes, if any."""
    return ExtractionRiskModelHandler(
        config.model.manifest_path,
        alert_threshold=config.alerts.fixed_threshold,
        max_reasons=config.alerts.max_reasons,
        max_batch_size=config.model.batch_size,
        explain_min_requests=config.alerts.min_requests,
    )
