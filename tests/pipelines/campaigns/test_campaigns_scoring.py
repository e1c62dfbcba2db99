"""Cluster scores: coordination times an extraction profile; rows shaped like the campaigns table."""

import dataclasses

import orjson

from pipelines.campaigns.config import CLIENT, NETWORK, PAYMENT, ROTATION, TEMPLATE, CampaignConfig
from pipelines.campaigns.evidence import AccountProfile, Token
from pipelines.campaigns.linking import SharedToken
from pipelines.campaigns.scoring import (
    Member,
    campaign_evidence,
    campaign_id,
    campaign_row,
    cluster_features,
    cluster_score,
)
from pipelines.sinks.schemas import CAMPAIGNS

CONFIG = CampaignConfig()
START, END = 1_767_225_600.0, 1_767_229_200.0
CRAWLER = AccountProfile(requests=15, prompt_tokens=3000, completion_tokens=30000, reasoning_tokens=0,
                         with_max_tokens=15, saturated=12, logprob_requests=0, top_logprobs=0,
                         account_age_days=2.0)  # fmt: skip
OFFICE = AccountProfile(requests=300, prompt_tokens=90000, completion_tokens=60000, reasoning_tokens=0,
                        with_max_tokens=30, saturated=3, logprob_requests=0, top_logprobs=0,
                        account_age_days=400.0)  # fmt: skip


def _shared(kind, value, df=10):
    return SharedToken(Token(kind, value), df, CONFIG.weight(kind, df))


def _members(n, profile, tokens):
    return [Member(f"acct-{i:02d}", profile, tuple(tokens)) for i in range(n)]


CAMPAIGN_TOKENS = [_shared(PAYMENT, "pf_1"), _shared(NETWORK, "34.1.2"), _shared(TEMPLATE, "3:ab")]
ORGANISATION_TOKENS = [_shared(PAYMENT, "pf_org"), _shared(NETWORK, "52.7.7")]


def test_a_coordinated_crawler_cluster_is_a_campaign_and_an_office_is_not():
    campaign = campaign_row(START, END, _members(20, CRAWLER, CAMPAIGN_TOKENS), CONFIG, "2026-01-01T01:00:05+00:00")
    assert campaign is not None and campaign["severity"] == "high" and campaign["score"] > 0.8
    assert campaign_row(START, END, _members(20, OFFICE, ORGANISATION_TOKENS), CONFIG, "") is None


def test_more_members_score_higher_and_one_kind_of_evidence_is_not_enough():
    def score(n, tokens):
        return cluster_score(cluster_features(_members(n, CRAWLER, tokens), END - START, CONFIG))

    assert score(4, CAMPAIGN_TOKENS) < score(8, CAMPAIGN_TOKENS) < score(30, CAMPAIGN_TOKENS)
    assert score(30, CAMPAIGN_TOKENS[:2]) > 0.8
    assert campaign_row(START, END, _members(30, CRAWLER, CAMPAIGN_TOKENS[:1]), CONFIG, "") is None  # one kind


def test_address_rotation_is_no_consensus_kind_for_coordination():
    # Rotation is scored as evasion; as a consensus kind too it would count twice.
    tokens = [*CAMPAIGN_TOKENS[:1], _shared(ROTATION, "rotating", df=500)]
    features = cluster_features(_members(30, CRAWLER, tokens), END - START, CONFIG)
    assert features["coverage_rotation"] == 1.0 and features["consensus_kinds"] == 1.0


def test_the_score_is_of_the_members_combined_traffic():
    assert campaign_row(START, END, _members(10, OFFICE, CAMPAIGN_TOKENS), CONFIG, "") is None
    # Asking for deep logprobs with long capped outputs is a harvest, however it is spread over the members.
    harvester = dataclasses.replace(OFFICE, completion_tokens=900000, saturated=30, logprob_requests=300,
                                    top_logprobs=6000, reasoning_tokens=100000)  # fmt: skip
    members = _members(10, OFFICE, CAMPAIGN_TOKENS)[:5] + [
        Member(f"acct-{i:02d}", harvester, tuple(CAMPAIGN_TOKENS)) for i in range(5, 10)
    ]
    row = campaign_row(START, END, members, CONFIG, "")
    assert row is not None
    features = orjson.loads(row["features"])
    assert features["request_count"] == 3000 and features["requests_per_hour"] == 3000
    assert features["harvest_tokens"] == 5 * 60000 + 5 * 1000000
    assert features["logprob_share"] == 0.5 and features["logprob_depth"] == 20


def test_too_small_clusters_are_not_campaigns():
    assert campaign_row(START, END, _members(2, CRAWLER, CAMPAIGN_TOKENS), CONFIG, "") is None


def test_evidence_lists_values_shared_by_two_or_more_members_strongest_first():
    members = [
        Member("a", CRAWLER, (_shared(PAYMENT, "pf_1"), _shared(CLIENT, "curl/8.1", 500), _shared(NETWORK, "1.2.3"))),
        Member("b", CRAWLER, (_shared(PAYMENT, "pf_1"), _shared(CLIENT, "curl/8.1", 500))),
        Member("c", CRAWLER, (_shared(PAYMENT, "pf_1"), _shared(CLIENT, "curl/8.1", 500))),
    ]
    assert campaign_evidence(members, limit=5) == [
        {"kind": "payment", "value": "pf_1", "accounts": ["a", "b", "c"]},
        {"kind": "user_agent", "value": "curl/8.1", "accounts": ["a", "b", "c"]},
    ]  # 1.2.3 links "a" to someone outside the cluster only
    assert len(campaign_evidence(members, limit=1)) == 1
    features = cluster_features(members, END - START, CONFIG)
    assert (features["coverage_payment"], features["coverage_ip_prefix"], features["consensus_kinds"]) == (1, 0, 2)


def test_rows_have_the_campaigns_table_columns_and_deterministic_ids():
    row = campaign_row(START, END, _members(8, CRAWLER, CAMPAIGN_TOKENS), CONFIG, "2026-01-01T01:00:05+00:00")
    assert list(row) == [c.name for c in CAMPAIGNS.columns]
    assert row["members"] == [f"acct-{i:02d}" for i in range(8)] and row["member_count"] == 8
    assert row["window_end"] == "2026-01-01T01:00:00+00:00"
    assert row["campaign_id"] == campaign_id(END, list(reversed(row["members"])))
    assert row["campaign_id"] != campaign_id(END + 300, row["members"])


def test_a_profile_crosses_the_shuffle_as_plain_values_and_comes_back_equal():
    profile = AccountProfile(requests=3, prompt_tokens=30, completion_tokens=900, reasoning_tokens=0, with_max_tokens=3,
                             saturated=3, logprob_requests=0, top_logprobs=0, account_age_days=None,
                             network_prefixes=2.0, prompt_sketch=b"\x01\x02")  # fmt: skip
    wire = profile.to_wire()
    assert all(isinstance(value, int | float | bytes | type(None)) for value in wire)
    back = AccountProfile.from_wire(wire)
    assert back == profile and back.prompt_sketch == profile.prompt_sketch
