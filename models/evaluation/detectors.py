"""The detectors compared on every set: the product (classifier + novelty + horizon), a volume rule and an
IsolationForest. The baselines judge per-window rows only; long-horizon rows are the product's own stage."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.ensemble import IsolationForest

from models.dataset import WindowDataset, request_counts
from models.product import ProductModel
from pipelines.config import AlertPolicyConfig

MODEL, VOLUME, ISOLATION = "classifier", "volume rule", "IsolationForest"

# Windows -> (window scores, higher = riskier; the component that set each score).
Scorer = Callable[[WindowDataset], tuple[np.ndarray, np.ndarray]]


def baseline(name: str, score: Callable[[np.ndarray], np.ndarray]) -> Scorer:
    def scorer(data: WindowDataset) -> tuple[np.ndarray, np.ndarray]:
        scores = np.where(data.is_horizon, -np.inf, score(data.features))
        return scores, np.full(len(scores), name)

    return scorer


def product_scorer(product: ProductModel, policy: AlertPolicyConfig) -> Scorer:
    return lambda data: product.decide(data, policy.alert_threshold)


def scorers(product: ProductModel, training: WindowDataset, policy: AlertPolicyConfig, seed: int) -> dict[str, Scorer]:
    # Unsupervised, so fitted without labels, on the training windows that could alert at all.
    alertable = training.features[request_counts(training.features) >= policy.min_requests]
    forest = IsolationForest(n_estimators=300, random_state=seed).fit(alertable)
    return {
        MODEL: product_scorer(product, policy),
        VOLUME: baseline(VOLUME, request_counts),
        ISOLATION: baseline(ISOLATION, lambda features: -forest.score_samples(features)),
    }
