"""The classifier's view of a window: only the features whose direction of risk is known.

The step between `PeerStanding` and the booster. Every feature is still computed, written with each score and
read by the benign-only novelty component (which sees `PeerStanding`'s rows, not these); the booster sees
`MISSING` for every feature without a monotone constraint (`pipelines.features.spec.CLASSIFIER_INPUTS`). An
unconstrained feature lets a tree learn "this secondary value means benign" from the simulator, and out of
distribution (an IP spread or prompt diversity the simulator never drew) that shortcut outweighs what the
account harvests (models/report/FEATURE_SETS.md). The kept columns are fitted into the step, so an artifact
keeps the view it was trained with whatever a later spec says.
"""

from __future__ import annotations

from typing import Self

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from pipelines.features.spec import CLASSIFIER_INPUTS, FEATURE_NAMES, MISSING


class KnownRiskColumns(TransformerMixin, BaseEstimator):
    """Feature rows -> the same rows with every feature outside `CLASSIFIER_INPUTS` set to MISSING."""

    def fit(self, features: np.ndarray, labels: np.ndarray | None = None) -> Self:
        self.blanked_ = np.array([i for i, name in enumerate(FEATURE_NAMES) if name not in CLASSIFIER_INPUTS])
        return self

    def transform(self, features: np.ndarray) -> np.ndarray:
        out = np.array(features, dtype=np.float64, copy=True)
        out[:, self.blanked_] = MISSING
        return out
