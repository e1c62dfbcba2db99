"""The detectors compared on every set: the shipped classifier, a volume rule and an IsolationForest."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.ensemble import IsolationForest

from models.dataset import WindowDataset, request_counts
from pipelines.artifact import LoadedModel
from pipelines.config import AlertPolicyConfig

MODEL, VOLUME, ISOLATION = "classifier", "volume rule", "IsolationForest"

Scorer = Callable[[np.ndarray], np.ndarray]  # window features (n, F) -> window scores, higher = riskier


def scorers(model: LoadedModel, training: WindowDataset, policy: AlertPolicyConfig, seed: int) -> dict[str, Scorer]:
    # Unsupervised, so fitted without labels, on the training windows that could alert at all.
    alertable = training.features[request_counts(training.features) >= policy.min_requests]
    forest = IsolationForest(n_estimators=300, random_state=seed).fit(alertable)
    return {
        MODEL: lambda features: model.estimator.predict_proba(features)[:, 1],
        VOLUME: request_counts,
        ISOLATION: lambda features: -forest.score_samples(features),
    }
