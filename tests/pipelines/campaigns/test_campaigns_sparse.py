"""A campaign spread thinly over many accounts with no shared IP is one campaign row; hard negatives never merge.

No single signal is required: the campaign is still found without its card groups, without its scheduler, or
without its prompt scaffold. The hard negatives (a company behind SSO, a course's students, a popular SDK, an
agency's card) share a lot, but never two things that together say "one operator".
"""

import itertools
from collections import Counter

import msgspec
import orjson
import pytest

from pipelines.campaigns.config import CampaignConfig
from pipelines.campaigns.offline import detect_campaigns
from pipelines.config import AlertPolicyConfig
from tests.events import T0
from tests.pipelines.campaigns.sparse_traffic import (
    HARD_NEGATIVES,
    OTHER_SCAFFOLD,
    SparseCampaign,
    campaign_events,
    campaign_members,
    extension_user_events,
    remote_company_events,
)

CONFIG = CampaignConfig()
WINDOW_START = T0.timestamp()  # the campaign window [T0, T0 + 6 h) holds every event


def _detect(events):
    (detection,) = [d for d in detect_campaigns(events, CONFIG) if d.window_start == WINDOW_START]
    return detection


@pytest.fixture(scope="module")
def negatives():
    return {name: list(generate()) for name, generate in HARD_NEGATIVES.items()}


def test_members_stay_below_the_per_account_floor_in_every_hour():
    per_hour = Counter((e.account_id, int(e.timestamp // 3600)) for e in campaign_events(SparseCampaign()))
    assert max(per_hour.values()) < AlertPolicyConfig().min_requests


@pytest.mark.parametrize(
    ("spec", "most_rows"),
    [
        (SparseCampaign(), 1),
        (SparseCampaign(card_group=1), 1),  # every member on its own virtual card
        (SparseCampaign(scaffold=False), 1),  # no shared prompt wording
        # No shared schedule: the scaffold (shared by 30, as common as a course template) and the SDK span the
        # card groups, as they would a course's students; address rotation, which a class behind its NAT lacks,
        # is what makes them one.
        (SparseCampaign(synchronised=False), 1),
    ],
    ids=["all-signals", "virtual-cards", "no-scaffold", "unsynchronised"],
)
def test_a_sparse_campaign_without_shared_ips_is_found_among_the_hard_negatives(spec, most_rows, negatives):
    events = [*campaign_events(spec), *itertools.chain.from_iterable(negatives.values())]
    detection = _detect(events)
    assert 1 <= len(detection.rows) <= most_rows
    members = sorted(a for row in detection.rows for a in row["members"])
    assert members == campaign_members(spec)  # every member, and nobody else
    assert not any(e["kind"] == "ip_prefix" for row in detection.rows for e in row["evidence"])  # residential IPs
    for cluster in detection.clusters:  # hard negatives are never linked with the campaign ...
        assert set(cluster) <= set(members) or not set(cluster) & set(members)
    linked = {a for cluster in detection.clusters for a in cluster} - set(members)
    assert {a.split("-")[0] for a in linked} <= {"acme"}  # ... nor with each other, but for one company's own


def test_the_row_names_the_shared_evidence_and_scores_the_combined_harvest(negatives):
    detection = _detect([*campaign_events(SparseCampaign()), *negatives["company"]])
    (row,) = detection.rows
    kinds = {e["kind"] for e in row["evidence"]}
    assert {"payment", "template", "timing"} <= kinds
    assert all(set(e["accounts"]) <= set(row["members"]) and len(e["accounts"]) >= 2 for e in row["evidence"])
    features = orjson.loads(row["features"])
    requests = sum(1 for e in campaign_events(SparseCampaign()))
    assert features["request_count"] == requests
    assert features["harvest_tokens"] == 4000 * requests
    assert features["max_tokens_saturation_share"] == 1.0


@pytest.mark.parametrize("name", sorted(set(HARD_NEGATIVES) - {"company"}))
def test_a_hard_negative_of_strangers_gives_no_row_and_no_link(name, negatives):
    detection = _detect(negatives[name])
    assert detection.rows == [] and detection.clusters == []


def test_a_company_behind_sso_may_link_as_one_organisation_but_is_no_campaign(negatives):
    detection = _detect(negatives["company"])
    assert detection.rows == []


def test_a_class_around_two_siblings_on_one_card_is_no_campaign(negatives):
    # The siblings' card links them; the class's template, campus NAT and popular SDK may then attach classmates
    # to that cluster, but a class's combined traffic is no harvest.
    siblings = {"student-000", "student-001"}
    events = [
        msgspec.structs.replace(e, account=msgspec.structs.replace(e.account, payment_fingerprint="pf_family"))
        if e.account_id in siblings
        else e
        for e in negatives["university"]
    ]
    detection = _detect(events)
    assert any(siblings <= set(cluster) for cluster in detection.clusters)
    assert detection.rows == []


def test_two_campaigns_on_the_same_sdk_and_proxy_network_stay_apart():
    other = SparseCampaign(wording=OTHER_SCAFFOLD)
    first = list(campaign_events(SparseCampaign(), seed=1, prefix="one"))
    second = list(campaign_events(other, seed=2, prefix="two"))
    rows = _detect(first + second).rows
    assert sorted(tuple(r["members"]) for r in rows) == [
        tuple(campaign_members(SparseCampaign(), "one")),
        tuple(campaign_members(other, "two")),
    ]


def test_two_campaigns_on_one_toolkit_behind_residential_proxies_are_one_row():
    # The same scaffold and SDK build, both rotating on every request: nothing tells two operators from one.
    first = list(campaign_events(SparseCampaign(), seed=1, prefix="one"))
    second = list(campaign_events(SparseCampaign(), seed=2, prefix="two"))
    (row,) = _detect(first + second).rows
    assert row["members"] == sorted(
        campaign_members(SparseCampaign(), "one") + campaign_members(SparseCampaign(), "two")
    )


def test_a_chat_like_campaign_alerts_on_coordination_and_address_rotation(negatives):
    # Mid-length answers, no max_tokens: no harvest profile. Its members rotate over residential networks on
    # every request, which no hard negative does.
    spec = SparseCampaign(harvest=False)
    detection = _detect([*campaign_events(spec), *itertools.chain.from_iterable(negatives.values())])
    members = sorted(a for row in detection.rows for a in row["members"])
    assert members == campaign_members(spec)
    assert all(orjson.loads(row["features"])["rotating_share"] > 0.9 for row in detection.rows)


def test_strangers_on_one_extension_who_all_rotate_form_no_cluster():
    # Client build, template and rotation together reach the link threshold, but only against a cluster: no two
    # of them share a card, a range or a schedule, so no cluster is ever seeded.
    assert _detect(list(extension_user_events())).clusters == []


def test_extension_users_stay_out_of_a_campaign_on_residential_proxies():
    events = [*campaign_events(SparseCampaign()), *extension_user_events()]
    members = sorted(a for row in _detect(events).rows for a in row["members"])
    assert members == campaign_members(SparseCampaign())


def test_a_remote_company_on_changing_home_and_phone_addresses_links_but_is_no_campaign():
    detection = _detect(list(remote_company_events()))
    assert detection.clusters  # one card and one template: linked as one organisation
    assert detection.rows == []
