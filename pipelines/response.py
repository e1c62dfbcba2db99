"""Recommended response: one graduated action per alert, from its severity and its evidence.

The ladder (config.ESCALATION) is monitor < rate_limit < require_reverification < suspend:

- an account alert starts at its severity's rung (`ResponsePolicyConfig.account_actions`); a fresh account
  (`account_age_days` below `fresh_account_days`) climbs one rung;
- if the result is below require_reverification and the alert's top reason is an output-harvesting feature
  (logprobs, reasoning traces), the action is watermark_outputs instead: the customer keeps being served, and
  anything distilled from the outputs stays traceable;
- a campaign alert starts at its severity's rung (`campaign_actions`, one rung above accounts: coordination is
  evidence in itself) and climbs one rung at `large_campaign_members` members.

The action is advice written into the row (`recommended_action`); enforcing it is the gateway's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipelines.base import ScoredWindow
from pipelines.config import ESCALATION, ResponsePolicyConfig
from pipelines.features.spec import MISSING


def _climb(action: str, rungs: int) -> str:
    if action not in ESCALATION:
        return action
    return ESCALATION[min(ESCALATION.index(action) + rungs, len(ESCALATION) - 1)]


def account_action(scored: ScoredWindow, severity: str, policy: ResponsePolicyConfig) -> str:
    action = dict(policy.account_actions)[severity]
    age_days = scored.features.get("account_age_days", MISSING)
    if age_days != MISSING and age_days < policy.fresh_account_days:
        action = _climb(action, 1)
    top_reason = max(scored.reasons, key=lambda r: r.contribution, default=None)
    below_reverification = action in ESCALATION and ESCALATION.index(action) < ESCALATION.index(
        "require_reverification"
    )
    if below_reverification and top_reason is not None and top_reason.feature in policy.harvesting_features:
        return "watermark_outputs"
    return action


def campaign_action(row: Mapping[str, Any], policy: ResponsePolicyConfig) -> str:
    action = dict(policy.campaign_actions)[row["severity"]]
    if row["member_count"] >= policy.large_campaign_members:
        action = _climb(action, 1)
    return action
