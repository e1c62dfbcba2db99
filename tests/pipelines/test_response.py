"""The graduated response: severity picks the rung, a fresh account climbs one, harvesting evidence watermarks."""

from __future__ import annotations

import pytest

from pipelines.base import Reason, ScoredWindow
from pipelines.config import ResponsePolicyConfig
from pipelines.features.spec import MISSING
from pipelines.response import account_action, campaign_action

POLICY = ResponsePolicyConfig()


def scored(age_days: float, top_reason: str = "completion_tokens_mean") -> ScoredWindow:
    reasons = (Reason(top_reason, 1.0, 0.4), Reason("temperature_std", 0.0, 0.1))
    return ScoredWindow("a", 0.0, 3600.0, 50, {"account_age_days": age_days}, 0.9, "m1", reasons)


@pytest.mark.parametrize(
    ("severity", "age_days", "expected"),
    [
        ("medium", 400.0, "monitor"),
        ("high", 400.0, "rate_limit"),
        ("critical", 400.0, "require_reverification"),
        ("medium", 2.0, "rate_limit"),  # fresh: one rung up
        ("critical", 2.0, "suspend"),
        ("high", MISSING, "rate_limit"),  # unknown age is not fresh
    ],
)
def test_severity_and_account_age_pick_the_rung(severity, age_days, expected):
    assert account_action(scored(age_days), severity, POLICY) == expected


def test_harvesting_evidence_watermarks_below_reverification_only():
    assert account_action(scored(400.0, "logprobs_share"), "high", POLICY) == "watermark_outputs"
    assert account_action(scored(400.0, "logprobs_share"), "critical", POLICY) == "require_reverification"


def test_campaigns_start_higher_and_large_ones_climb():
    assert campaign_action({"severity": "medium", "member_count": 3}, POLICY) == "rate_limit"
    assert campaign_action({"severity": "high", "member_count": 12}, POLICY) == "suspend"
    assert campaign_action({"severity": "critical", "member_count": 50}, POLICY) == "suspend"


def test_policy_is_configurable_and_checked():
    lenient = ResponsePolicyConfig(
        account_actions=(("medium", "monitor"), ("high", "monitor"), ("critical", "monitor"))
    )
    assert account_action(scored(400.0), "critical", lenient) == "monitor"
    with pytest.raises(ValueError, match="unknown action"):
        ResponsePolicyConfig(account_actions=(("medium", "ban"),))
