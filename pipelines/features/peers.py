"""A window's standing among its tier peers, without a cross-account shuffle.

Training records, per billing tier, quantiles of `harvest_per_minute` over benign windows; the fitted step
travels inside the model artifact, so every worker computes `harvest_peer_percentile` from the model it scores
with (a hot-swapped model brings its own reference). It is the first step of the shipped scikit-learn pipeline
and also puts the constrained features in the form the booster's monotone constraints expect:

- Peers are benign windows of the same workload kind (`workload_kind`: generation, logprob scoring, embeddings)
  and billing tier. A logprob or embedding harvester moves few tokens next to a chat app or a benchmark lab;
  next to the benign users of the same API feature it is the outlier it is.
- Every benign account weighs the same in its peer group's reference, whatever its number of windows: an
  always-on heavy lab has a window every period and would otherwise set the upper percentiles that the
  novelty component's harvest gate compares against (fit with `groups`, the windows' account ids).
- `account_tier_rank` chooses the peer group and is then blanked: a tier is not evidence of intent; so are
  the modality markers of `CLASSIFIER_BLANKED` (their information is in the workload kind and in the harvest).
- A missing `account_age_days` becomes an old account: with the -1 constraint, MISSING (-1) would otherwise
  be read as the youngest account of all, and missing metadata must never be evidence.
"""

from __future__ import annotations

from typing import Self

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from pipelines.features.spec import CLASSIFIER_BLANKED, FEATURE_INDEX, MISSING, TIER_RANKS

QUANTILES = 201  # reference points per peer group: percentiles resolved to 0.5 %
MIN_PEERS = 200  # benign windows a tier needs before it gets a reference of its own (else: all tiers pooled)
NO_RISK_AGE_DAYS = 10_000.0

_HARVEST = FEATURE_INDEX["harvest_per_minute"]
_PERCENTILE = FEATURE_INDEX["harvest_peer_percentile"]
_TIER = FEATURE_INDEX["account_tier_rank"]
_AGE = FEATURE_INDEX["account_age_days"]
_POOLED = len(TIER_RANKS)  # row of the reference for accounts without a (well-populated) tier
_LOGPROBS = FEATURE_INDEX["logprobs_share"]
_EMBEDDINGS = FEATURE_INDEX["embeddings_share"]
_BLANKED = [FEATURE_INDEX[name] for name in CLASSIFIER_BLANKED]
KINDS = 3
KIND_SHARE = 0.5


def _account_weights(accounts: np.ndarray) -> np.ndarray:
    """Per window, 1 / its account's window count: each account sums to 1."""
    _, inverse, counts = np.unique(accounts, return_inverse=True, return_counts=True)
    return 1.0 / counts[inverse]


def _quantiles(values: np.ndarray, weights: np.ndarray, levels: np.ndarray) -> np.ndarray:
    return np.quantile(values, levels, weights=weights, method="inverted_cdf")


def workload_kind(features: np.ndarray) -> np.ndarray:
    """Per row: 0 generation, 1 logprob scoring (most requests ask for logprobs), 2 embeddings (most requests)."""
    kind = np.zeros(len(features), dtype=np.int64)
    kind[features[:, _LOGPROBS] >= KIND_SHARE] = 1
    kind[features[:, _EMBEDDINGS] >= KIND_SHARE] = 2
    return kind


class PeerStanding(TransformerMixin, BaseEstimator):
    """Feature rows -> the same rows with the peer percentile filled and the constrained features normalised."""

    def fit(self, features: np.ndarray, labels: np.ndarray, groups: np.ndarray | None = None) -> Self:
        """`groups`: each window's account; None weighs every window the same."""
        is_benign = np.asarray(labels) == 0
        benign = features[is_benign]
        weights = _account_weights(np.asarray(groups)[is_benign]) if groups is not None else np.ones(len(benign))
        kinds = workload_kind(benign)
        levels = np.linspace(0.0, 1.0, QUANTILES)
        everyone = _quantiles(benign[:, _HARVEST], weights, levels)
        reference = np.empty((KINDS, _POOLED + 1, QUANTILES))
        peers = np.zeros((KINDS, _POOLED + 1), dtype=np.int64)
        for kind in range(KINDS):
            mine = kinds == kind
            own, own_weights = benign[mine], weights[mine]
            # A kind too rare among benign windows is compared with all of them; a sparse tier with its kind pooled.
            pooled = _quantiles(own[:, _HARVEST], own_weights, levels) if len(own) >= MIN_PEERS else everyone
            reference[kind] = pooled
            peers[kind, _POOLED] = len(own)
            for rank in range(_POOLED):
                tier = own[:, _TIER] == rank
                peers[kind, rank] = int(tier.sum())
                if tier.sum() >= MIN_PEERS:
                    reference[kind, rank] = _quantiles(own[tier, _HARVEST], own_weights[tier], levels)
        self.reference_ = reference
        self.peers_ = peers
        return self

    def percentile(self, harvest_per_minute: np.ndarray, tier_rank: np.ndarray, kind: np.ndarray) -> np.ndarray:
        """Share of the peer group's benign reference points at or below each value, in [0, 1]."""
        groups = np.where((tier_rank >= 0) & (tier_rank < _POOLED), tier_rank, _POOLED).astype(np.int64)
        result = np.empty(len(harvest_per_minute))
        for k, group in {(int(a), int(b)) for a, b in zip(kind, groups, strict=True)}:
            rows = (kind == k) & (groups == group)
            result[rows] = np.searchsorted(self.reference_[k, group], harvest_per_minute[rows], side="right")
        return result / QUANTILES

    def transform(self, features: np.ndarray) -> np.ndarray:
        out = np.array(features, dtype=np.float64, copy=True)
        out[:, _PERCENTILE] = self.percentile(out[:, _HARVEST], out[:, _TIER], workload_kind(out))
        out[:, _TIER] = MISSING
        out[:, _BLANKED] = MISSING  # after workload_kind has read embeddings_share
        out[out[:, _AGE] == MISSING, _AGE] = NO_RISK_AGE_DAYS
        return out
