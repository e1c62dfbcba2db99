"""The product's decision on evaluation windows, as the pipeline takes it.

Every protocol scores windows through `pipelines.scoring.decide_windows`, the function serving uses: the
supervised score, lifted to the alert threshold where the benign-only novelty component fires. Long-horizon
rows (`models.dataset.HorizonSpec`, kept by `pipelines.horizon.adds_evidence`) are scored the same way and
credited to the horizon component, like the pipeline's horizon branch.
"""

from __future__ import annotations

import numpy as np

from models.dataset import HorizonSpec
from models.product import HORIZON
from pipelines.config import AlertPolicyConfig, WindowConfig


def horizon_spec(window: WindowConfig, policy: AlertPolicyConfig) -> HorizonSpec:
    """The long-horizon windows `distillwatch detect` scores by default."""
    return HorizonSpec.scored_by_default(window, policy.min_requests)


def first_alert_components(
    account_ids: np.ndarray,
    window_ends: np.ndarray,
    scores: np.ndarray,
    components: np.ndarray,
    counts: np.ndarray,
    threshold: float,
    min_requests: int,
) -> dict[str, str]:
    """Per alerted account, the component of its first alert, as `pipelines.alerting.decide` orders windows:
    earliest end, then highest score, then a per-window row before a long-horizon one."""
    eligible = np.flatnonzero((scores >= threshold) & (counts >= min_requests))
    order = sorted(eligible.tolist(), key=lambda i: (window_ends[i], -scores[i], components[i] == HORIZON))
    first: dict[str, str] = {}
    for i in order:
        first.setdefault(str(account_ids[i]), str(components[i]))
    return first
