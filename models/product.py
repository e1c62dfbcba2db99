"""What one training run ships, and the decision it takes on windows: `pipelines.scoring.decide_windows`.

The supervised pipeline and the benign-only novelty component together; every evaluation protocol and the
threshold choice (`models.threshold`) score windows through `decide`, the function serving uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import IsolationForest

from models.dataset import WindowDataset
from pipelines.artifact import LoadedModel
from pipelines.novelty import NoveltyCalibration
from pipelines.scoring import WindowDecision, decide_windows

SUPERVISED, NOVELTY, HORIZON = "supervised", "novelty", "horizon"
COMPONENTS = (SUPERVISED, NOVELTY, HORIZON)


@dataclass(frozen=True)
class ProductModel:
    estimator: Any
    novelty: IsolationForest | None
    calibration: NoveltyCalibration | None

    @classmethod
    def shipped(cls, model: LoadedModel) -> ProductModel:
        novelty = model.manifest.novelty
        return cls(model.estimator, model.novelty, NoveltyCalibration.from_json(novelty) if novelty else None)

    def decision(self, data: WindowDataset, alert_threshold: float) -> WindowDecision:
        return decide_windows(self.estimator, self.novelty, self.calibration, data.features, alert_threshold)

    def decide(self, data: WindowDataset, alert_threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """(window scores, component per window) for every row of `data`."""
        decision = self.decision(data, alert_threshold)
        per_window = np.where(decision.novel, NOVELTY, SUPERVISED)
        return decision.scores, np.where(data.is_horizon, HORIZON, per_window)
