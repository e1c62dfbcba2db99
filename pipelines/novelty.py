"""The benign-only novelty component: how far a window is from benign traffic, with a benign-set threshold.

Like the MMD detector, it knows nothing of attacks: an IsolationForest is fitted on benign training windows'
harvest-relevant features, and its threshold is a high quantile of the same statistic on benign windows of
other accounts (held out from the fit). It complements the supervised score where that one was never trained:
traffic unlike every benign window. Being odd is not enough to alert: the window must also harvest clearly
more than its benign tier peers (`HARVEST_GATE`), because a distiller needs volume and odd-but-small benign
traffic (a new integration, a tester) must not alert.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.ensemble import IsolationForest

from pipelines.features.spec import FEATURE_INDEX

NOVELTY_FEATURES: tuple[str, ...] = (
    "harvest_per_minute",
    "returned_targets_per_request",
    "harvest_per_account_day",
    "harvest_peer_percentile",
    "reasoning_token_share",
    "max_tokens_saturation_share",
    "logprobs_share",
    "top_logprobs_mean",
    "multi_choice_share",
    "reasoning_elicitation_share",
    "account_age_days",
)
_COLUMNS = np.array([FEATURE_INDEX[name] for name in NOVELTY_FEATURES])
QUANTILE = 0.999  # benign windows above the threshold: 0.1 %
HARVEST_GATE = 0.99  # harvest_peer_percentile a novel window must reach
CALIBRATION_SHARE = 0.25  # benign accounts held out of the forest's fit to set the threshold
TREES = 200


@dataclass(frozen=True)
class NoveltyCalibration:
    """What the manifest records next to the forest stored in the model file."""

    features: tuple[str, ...]
    threshold: float
    quantile: float
    harvest_gate: float
    fitted_windows: int
    calibration_windows: int

    def to_json(self) -> dict[str, object]:
        return asdict(self) | {"features": list(self.features)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> NoveltyCalibration:
        return cls(**(data | {"features": tuple(data["features"])}))  # type: ignore[arg-type]


def novelty_inputs(peer_rows: np.ndarray) -> np.ndarray:
    # Volumes span orders of magnitude; a signed log keeps the forest's uniform split points meaningful.
    selected = peer_rows[:, _COLUMNS]
    return np.sign(selected) * np.log1p(np.abs(selected))


def statistic(forest: IsolationForest, peer_rows: np.ndarray) -> np.ndarray:
    """Higher is further from benign traffic. `peer_rows` are rows after `PeerStanding` (percentile filled)."""
    return -forest.score_samples(novelty_inputs(peer_rows))


def _held_out(account_id: str) -> bool:
    digest = hashlib.sha256(account_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") < CALIBRATION_SHARE * 2**32


def fit_novelty(
    peer_rows: np.ndarray, labels: np.ndarray, account_ids: np.ndarray, seed: int, quantile: float = QUANTILE
) -> tuple[IsolationForest, NoveltyCalibration]:
    """Fits on benign windows of most benign accounts, thresholds on the others; extraction rows are never read."""
    benign = np.asarray(labels) == 0
    held_out = np.array([_held_out(str(a)) for a in account_ids], dtype=bool)
    fit_rows, calibration_rows = peer_rows[benign & ~held_out], peer_rows[benign & held_out]
    forest = IsolationForest(n_estimators=TREES, random_state=seed).fit(novelty_inputs(fit_rows))
    threshold = float(np.quantile(statistic(forest, calibration_rows), quantile))
    calibration = NoveltyCalibration(
        NOVELTY_FEATURES, threshold, quantile, HARVEST_GATE, len(fit_rows), len(calibration_rows)
    )
    return forest, calibration


def harvesting(peer_rows: np.ndarray, gate: float) -> np.ndarray:
    """Per row: harvesting at or above `gate` among its benign tier peers (`harvest_peer_percentile`)."""
    return peer_rows[:, FEATURE_INDEX["harvest_peer_percentile"]] >= gate


def novelty_fires(forest: IsolationForest, calibration: NoveltyCalibration, peer_rows: np.ndarray) -> np.ndarray:
    """Per row: far from benign traffic and harvesting above the gate among benign tier peers."""
    return (statistic(forest, peer_rows) > calibration.threshold) & harvesting(peer_rows, calibration.harvest_gate)
