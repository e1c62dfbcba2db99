"""Scoring a cluster on the union of its members' traffic: how surely they act as one, times how much that
combined traffic - the campaign taken as one client - looks like a harvest.

The weights are a transparent, hand-set prior (DETECTOR_VERSION), not a fitted model; `models/campaign_evaluation`
measures them. No per-account score enters: members of a spread-out campaign each look harmless by design.

* coordination = size x consensus: grows with the member count and needs at least two evidence kinds that most
  members share (a payer's accounts behind its office NAT have two; a campaign run from one harness has more);
* extraction = the combined traffic's profile: fresh accounts, max_tokens saturation, completion + reasoning
  tokens per prompt token, logprob requests. The row's features also carry the combined harvest (tokens), rate,
  logprob depth and coverage (distinct prompts of all members together);
* evasion (evasion.py) = what the members do to hide: most of them rotating their address on nearly every request,
  accounts opened in bursts and run in lockstep. Extraction and evasion combine as independent signs (noisy-or),
  so a coordinated cluster that hides reaches an alert without an extreme harvest profile.

A benign organisation is coordinated but neither looks like extraction nor hides; unrelated accounts behind one NAT
are never linked in the first place (linking.py), so they never reach scoring.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from pipelines.campaigns.config import DETECTOR_VERSION, KINDS, ROTATION, CampaignConfig
from pipelines.campaigns.evasion import evasion, evasion_features
from pipelines.campaigns.evidence import AccountProfile, Token, union_prompt_sketches
from pipelines.campaigns.linking import SharedToken
from pipelines.sinks.rows import iso_utc

CONSENSUS_SHARE = 0.5  # an evidence kind is a consensus kind when at least half of the members share it
# Rotation is a way of hiding, scored as evasion (evasion.py); as a consensus kind it would count twice.
CONSENSUS_KINDS = tuple(kind for kind in KINDS if kind != ROTATION)
SIZE_SCALE = 4.0  # members beyond the first at which the size factor reaches 1 - 1/e
OUTPUT_RATIO_SATURATION = 8.0  # harvested/prompt tokens at which the output-ratio indicator reaches 1
# Fresh accounts, max_tokens saturation, output per prompt token. Freshness weighs least: students and hobbyists
# open accounts too; harvesting long, capped outputs is what extraction is for.
PROFILE_WEIGHTS = (0.25, 0.35, 0.4)
LOGPROB_WEIGHT = (
    0.2  # asking for logprobs adds to the profile (distillation on soft labels); its absence does not clear
)
COORDINATION_ALONE = 0.25  # the score of a perfectly coordinated cluster with no sign of extraction or evasion


@dataclass(frozen=True)
class Member:
    account_id: str
    profile: AccountProfile
    shared: tuple[SharedToken, ...]  # the account's tokens that count as evidence in this window


def campaign_evidence(members: Sequence[Member], limit: int) -> list[dict[str, Any]]:
    """Tokens held by two or more members, each with the members holding it: the strongest (weight x members) of
    every kind first, then the second strongest of every kind, and so on, so that no kind crowds out the others."""
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
    rank_in_kind: dict[str, int] = defaultdict(int)
    by_round = []
    for position, token in enumerate(ranked):
        by_round.append((rank_in_kind[token.kind], position, token))
        rank_in_kind[token.kind] += 1
    chosen = sorted(by_round)[:limit]
    return [{"kind": t.kind, "value": t.value, "accounts": sorted(holders[t])} for _, _, t in sorted(chosen)]


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


def cluster_features(members: Sequence[Member], window_s: float, config: CampaignConfig) -> dict[str, float]:
    """The union of the members' traffic, as one client: its harvest, rate, depth, coverage and profile."""
    profiles = [m.profile for m in members]
    requests = sum(p.requests for p in profiles)
    prompt_tokens = sum(p.prompt_tokens for p in profiles)
    harvest = sum(p.completion_tokens + p.reasoning_tokens for p in profiles)
    with_max_tokens = sum(p.with_max_tokens for p in profiles)
    logprob_requests = sum(p.logprob_requests for p in profiles)
    fresh = sum(
        1 for p in profiles if p.account_age_days is not None and p.account_age_days <= config.fresh_account_days
    )
    sketches = [p.prompt_sketch for p in profiles if p.prompt_sketch]
    coverage = _kind_coverage(members)
    return {
        "member_count": float(len(members)),
        "request_count": float(requests),
        "requests_per_hour": requests * 3600.0 / window_s,
        "harvest_tokens": float(harvest),
        "consensus_kinds": float(sum(1 for kind in CONSENSUS_KINDS if coverage[kind] >= CONSENSUS_SHARE)),
        **{f"coverage_{kind}": share for kind, share in coverage.items()},
        "distinct_prompt_share": min(1.0, union_prompt_sketches(sketches) / requests) if sketches and requests else 0.0,
        "fresh_account_share": fresh / len(members),
        "max_tokens_saturation_share": sum(p.saturated for p in profiles) / with_max_tokens if with_max_tokens else 0.0,
        "output_input_ratio": harvest / max(1, prompt_tokens),
        "logprob_share": logprob_requests / requests if requests else 0.0,
        "logprob_depth": sum(p.top_logprobs for p in profiles) / logprob_requests if logprob_requests else 0.0,
        **evasion_features(profiles, [m.shared for m in members], config),
    }


def cluster_score(features: dict[str, float]) -> float:
    size = 1.0 - math.exp(-(features["member_count"] - 1.0) / SIZE_SCALE)
    coordination = size * min(1.0, features["consensus_kinds"] / 2.0)
    output_ratio = min(1.0, math.log1p(features["output_input_ratio"]) / math.log1p(OUTPUT_RATIO_SATURATION))
    profile = (
        PROFILE_WEIGHTS[0] * features["fresh_account_share"]
        + PROFILE_WEIGHTS[1] * features["max_tokens_saturation_share"]
        + PROFILE_WEIGHTS[2] * output_ratio
    )
    extraction = min(1.0, profile + LOGPROB_WEIGHT * features["logprob_share"])
    suspicion = 1.0 - (1.0 - extraction) * (1.0 - evasion(features))
    return coordination * (COORDINATION_ALONE + (1.0 - COORDINATION_ALONE) * suspicion)


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
    features = cluster_features(members, window_end - window_start, config)
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
