"""Scoring a cluster: how surely its members act as one, times how much their combined traffic looks like extraction.

The weights are a transparent, hand-set prior (DETECTOR_VERSION), not a fitted model; `evaluate.py` measures them.

* coordination = size x consensus: grows with the member count and needs at least two evidence kinds that most
  members share (a payer's accounts behind its office NAT have two; a campaign run from one harness has more);
* extraction = the cluster's traffic taken as one client: fresh accounts, max_tokens saturation, long outputs per
  prompt token, averaged with the members' own per-account scores when those are joined in.

A benign organisation is coordinated but does not look like extraction; unrelated accounts behind one NAT are
never linked in the first place (linking.py), so they never reach scoring.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from pipelines.campaigns.config import DETECTOR_VERSION, KINDS, CampaignConfig
from pipelines.campaigns.evidence import AccountProfile, Token
from pipelines.campaigns.linking import SharedToken
from pipelines.sinks.rows import iso_utc

CONSENSUS_SHARE = 0.5  # an evidence kind is a consensus kind when at least half of the members share it
SIZE_SCALE = 4.0  # members beyond the first at which the size factor reaches 1 - 1/e
OUTPUT_RATIO_SATURATION = 8.0  # completion/prompt tokens at which the output-ratio indicator reaches 1
# Fresh accounts, max_tokens saturation, output per prompt token. Freshness weighs least: students and hobbyists
# open accounts too; harvesting long, capped outputs is what extraction is for.
PROFILE_WEIGHTS = (0.25, 0.35, 0.4)
COORDINATION_ALONE = 0.25  # the score of a perfectly coordinated cluster with no sign of extraction: no alert


@dataclass(frozen=True)
class Member:
    account_id: str
    profile: AccountProfile
    shared: tuple[SharedToken, ...]  # the account's tokens that count as evidence in this window
    account_score: float | None  # the per-account classifier's score for the same window, when joined


def campaign_evidence(members: Sequence[Member], limit: int) -> list[dict[str, Any]]:
    """Tokens held by two or more members, strongest first (weight x members), each with the members holding it."""
    holders: dict[Token, list[str]] = defaultdict(list)
    weights: dict[Token, float] = {}
    for member in members:
        for shared in member.shared:
            holders[shared.token].append(member.account_id)
            weights[shared.token] = shared.weight
    ranked = sorted(
        (token for token, accounts in holders.items() if len(accounts) >= 2),
        key=lambda t: (-weights[t] * len(holders[t]), t),
    )
    return [{"kind": t.kind, "value": t.value, "accounts": sorted(holders[t])} for t in ranked[:limit]]


def _kind_coverage(members: Sequence[Member]) -> dict[str, float]:
    """Per kind: the share of members holding a token of that kind that another member also holds."""
    holders: dict[Token, int] = defaultdict(int)
    for member in members:
        for shared in member.shared:
            holders[shared.token] += 1
    covered: dict[str, int] = defaultdict(int)
    for member in members:
        for kind in {s.token.kind for s in member.shared if holders[s.token] >= 2}:
            covered[kind] += 1
    return {kind: covered[kind] / len(members) for kind in KINDS}


def cluster_features(members: Sequence[Member], config: CampaignConfig) -> dict[str, float]:
    profiles = [m.profile for m in members]
    prompt_tokens = sum(p.prompt_tokens for p in profiles)
    completion_tokens = sum(p.completion_tokens for p in profiles)
    with_max_tokens = sum(p.with_max_tokens for p in profiles)
    fresh = sum(
        1 for p in profiles if p.account_age_days is not None and p.account_age_days <= config.fresh_account_days
    )
    coverage = _kind_coverage(members)
    features = {
        "member_count": float(len(members)),
        "request_count": float(sum(p.requests for p in profiles)),
        "consensus_kinds": float(sum(1 for share in coverage.values() if share >= CONSENSUS_SHARE)),
        **{f"coverage_{kind}": share for kind, share in coverage.items()},
        "fresh_account_share": fresh / len(members),
        "max_tokens_saturation_share": sum(p.saturated for p in profiles) / with_max_tokens if with_max_tokens else 0.0,
        "output_input_ratio": completion_tokens / max(1, prompt_tokens),
    }
    scores = [m.account_score for m in members if m.account_score is not None]
    if scores:
        features["account_score_mean"] = sum(scores) / len(scores)
        features["account_score_max"] = max(scores)
    return features


def cluster_score(features: dict[str, float]) -> float:
    size = 1.0 - math.exp(-(features["member_count"] - 1.0) / SIZE_SCALE)
    coordination = size * min(1.0, features["consensus_kinds"] / 2.0)
    output_ratio = min(1.0, math.log1p(features["output_input_ratio"]) / math.log1p(OUTPUT_RATIO_SATURATION))
    profile = (
        PROFILE_WEIGHTS[0] * features["fresh_account_share"]
        + PROFILE_WEIGHTS[1] * features["max_tokens_saturation_share"]
        + PROFILE_WEIGHTS[2] * output_ratio
    )
    extraction = (profile + features["account_score_mean"]) / 2.0 if "account_score_mean" in features else profile
    return coordination * (COORDINATION_ALONE + (1.0 - COORDINATION_ALONE) * extraction)


def campaign_id(window_end: float, members: Sequence[str]) -> str:
    """Deterministic: a replay or a re-fired window with the same members yields the same id."""
    key = "|".join([DETECTOR_VERSION, repr(window_end), *sorted(members)])
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def campaign_row(
    window_start: float, window_end: float, members: Sequence[Member], config: CampaignConfig, created_at: str
) -> dict[str, Any] | None:
    """The `campaigns` table row for a cluster, or None when it is too small or does not score as a campaign."""
    if len(members) < config.min_members:
        return None
    features = cluster_features(members, config)
    score = cluster_score(features)
    severity = config.severity(score)
    if severity is None:
        return None
    account_ids = sorted(m.account_id for m in members)
    return {
        "campaign_id": campaign_id(window_end, account_ids),
        "window_start": iso_utc(window_start),
        "window_end": iso_utc(window_end),
        "members": account_ids,
        "member_count": len(account_ids),
        "evidence": campaign_evidence(members, config.max_evidence),
        "score": score,
        "severity": severity,
        "detector_version": DETECTOR_VERSION,
        "features": orjson.dumps(features, option=orjson.OPT_SORT_KEYS).decode(),
        "created_at": created_at,
        # Set after detection, by the analyst loop (pipelines/suppression.py, pipelines/response.py).
        "suppressed_by": None,
        "recommended_action": None,
    }
