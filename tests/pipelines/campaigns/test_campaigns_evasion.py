"""Evasion evidence: address rotation and creation bursts run in lockstep, each needing most of a cluster."""

import dataclasses

import pytest

from pipelines.campaigns.config import CREATION, PAYMENT, TEMPLATE, TIMING, CampaignConfig
from pipelines.campaigns.evasion import LOCKSTEP_BURST_WEIGHT, ROTATION_WEIGHT, evasion, evasion_features, rotates
from pipelines.campaigns.evidence import AccountEvidence, AccountProfile, Token, summarise
from pipelines.campaigns.linking import SharedToken
from pipelines.campaigns.scoring import Member, campaign_row
from tests.events import T0, event

CONFIG = CampaignConfig()
START, END = T0.timestamp(), T0.timestamp() + 6 * 3600
# Mid-length answers to mid-length prompts, no max_tokens, accounts a year old: nothing of a harvest.
CHAT = AccountProfile(requests=20, prompt_tokens=8000, completion_tokens=7000, reasoning_tokens=0, with_max_tokens=0,
                      saturated=0, logprob_requests=0, top_logprobs=0, account_age_days=400.0,
                      network_prefixes=2.0)  # fmt: skip
ROTATING = dataclasses.replace(CHAT, network_prefixes=19.0)


def _shared(kind, value, df=30):
    return SharedToken(Token(kind, value), df, CONFIG.weight(kind, df))


LINKED = (_shared(PAYMENT, "pf_1"), _shared(TEMPLATE, "3:ab"))
BURST, LOCKSTEP = _shared(CREATION, "a:100"), _shared(TIMING, "2:cd")


def _members(profiles, extra=()):
    return [Member(f"acct-{i:02d}", p, (*LINKED, *extra)) for i, p in enumerate(profiles)]


def _features(members):
    return evasion_features([m.profile for m in members], [m.shared for m in members], CONFIG)


def test_an_account_rotates_when_nearly_every_request_comes_from_another_network():
    assert rotates(ROTATING)
    assert not rotates(dataclasses.replace(ROTATING, network_prefixes=8.0))  # home, office and phone
    assert not rotates(dataclasses.replace(ROTATING, requests=4, network_prefixes=4.0))  # too few to tell


def test_distinct_prefixes_are_counted_over_every_request_and_merge_in_any_order():
    def pane(first, last):
        evidence = AccountEvidence()
        for n in range(first, last):
            evidence.add(event(n, client={"ip": f"73.{n}.9.{n + 1}"}))
        evidence.add(event(last, client={"ip": "73.0.9.200"}))  # a /24 already seen
        return evidence

    one_way = pane(0, 10).merge(pane(10, 16))
    other_way = pane(10, 16).merge(pane(0, 10))
    assert summarise(one_way, END, CONFIG).profile.network_prefixes == 16
    assert summarise(other_way, END, CONFIG).profile.network_prefixes == 16


def test_rotation_counts_only_beyond_the_few_members_a_benign_organisation_has_on_the_move():
    assert evasion(_features(_members([CHAT] * 8 + [ROTATING] * 2))) == 0.0
    assert evasion(_features(_members([ROTATING] * 10))) == pytest.approx(ROTATION_WEIGHT)


def test_a_creation_burst_counts_only_when_run_in_lockstep():
    assert evasion(_features(_members([CHAT] * 10, (BURST,)))) == 0.0  # a class opening accounts in one lab
    assert evasion(_features(_members([CHAT] * 10, (LOCKSTEP,)))) == 0.0  # a company's cron job on old accounts
    assert evasion(_features(_members([CHAT] * 10, (BURST, LOCKSTEP)))) == pytest.approx(LOCKSTEP_BURST_WEIGHT)


def test_coordination_and_evasion_alert_without_a_harvest_profile_and_neither_does_alone():
    assert campaign_row(START, END, _members([CHAT] * 20), CONFIG, "") is None  # an organisation
    assert campaign_row(START, END, _members([CHAT] * 16 + [ROTATING] * 4), CONFIG, "") is None
    assert campaign_row(START, END, _members([ROTATING] * 20), CONFIG, "") is not None
    assert campaign_row(START, END, _members([ROTATING] * 2), CONFIG, "") is None  # too few to be a campaign
