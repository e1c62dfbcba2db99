"""A window's standing among its tier peers, without a cross-account shuffle.

Training records, per billing tier, quantiles of `harvest_per_minute` over benign windows; the fitted step
travels inside the model artifact, so every worker computes `harvest_peer_percentile` from the model it scores
with (a hot-swapped model brings its own reference). It is the first step of the shipped scikit-learn pipeline
and also puts the constrained features in the form the booster's monotone constraints expect:

- `account_tier_rank` chooses the peer group and is then blanked: a tier is not evidence of intent.
- A missing `account_age_days` becomes an old account: with the -1 constraint, MISSING (-1) would otherwise
  be read as the youngest account of all, and missing metadata must never be evidence.
"""

from __future__ import annotations

from typing import Self

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from pipelines.features.spec import FEATURE_INDEX, MISSING, TIER_RANKS

QUANTILES = 201  # reference points per peer group: percentiles resolved to 0.5 %
MIN_PEERS = 200  # benign windows a tier needs before it gets a reference of its own (else: all tiers pooled)
NO_RISK_AGE_DAYS = 10_000.0

_HARVEST = FEATURE_INDEX["harvest_per_minute"]
_PERCENTILE = FEATURE_INDEX["harvest_peer_percentile"]
_TIER = FEATURE_INDEX["account_tier_rank"]
_AGE = FEATURE_INDEX["account_age_days"]
_POOLED = len(TIER_RANKS)  # row of the reference for accounts without a (well-populated) tier


class PeerStanding(TransformerMixin, BaseEstimator):
    """Feature rows -> the same rows with the peer percentile filled and the constrained features normalised."""

    def fit(self, features: np.ndarray, labels: np.ndarray) -> Self:
        benign = features[np.asarray(labels) == 0]
        levels = np.linspace(0.0, 1.0, QUANTILES)
        pooled = np.quantile(benign[:, _HARVEST], levels)
        reference = np.tile(pooled, (_POOLED + 1, 1))
        peers = np.zeros(_POOLED + 1, dtype=np.int64)
        for rank in range(_POOLED):
            harvest = benign[benign[:, _TIER] == rank, _HARVEST]
            peers[rank] = harvest.size
            if harvest.size >= MIN_PEERS:
                reference[rank] = np.quantile(harvest, levels)
        peers[_POOLED] = len(benign)
        self.reference_ = reference
        self.peers_ = peers
        return self

    def percentile(self, harvest_per_minute: np.ndarray, tier_rank: np.ndarray) -> np.ndarray:
        """Share of the peer group's benign reference points at or below each value, in [0, 1]."""
        groups = np.where((tier_rank >= 0) & (tier_rank < _POOLED), tier_rank, _POOLED).astype(np.int64)
        result = np.empty(len(harvest_per_minute))
        for group in np.unique(groups):
            rows = groups == group
            result[rows] = np.searchsorted(self.reference_[group], harvest_per_minute[rows], side="right")
        return result / QUANTILES

    def transform(self, features: np.ndarray) -> np.ndarray:
        out = np.array(features, dtype=np.float64, copy=True)
        out[:, _PERCENTILE] = self.percentile(out[:, _HARVEST], out[:, _TIER])
        out[:, _TIER] = MISSING
        out[out[:, _AGE] == MISSING, _AGE] = NO_RISK_AGE_DAYS
        return out
