"""Coordinated groups: distributed extraction campaigns, and benign cohorts that must not merge with them.

Campaigns follow the public reports (Anthropic, Feb 2026: proxy networks running ~20k accounts with
traffic load-balanced so no account looks heavy; payment shared in groups; one SDK and one prompt
scaffold) and an independent evaluation (150 accounts, a few requests each per 15 minutes, residential
addresses differing on every request). No signal is universal: cards, agents, address ranges and the
schedule are each shared by only some members, and members run at several degrees of sparsity, many
below the per-account floor of 20 requests per hour.

Benign cohorts share one of those signals for an innocent reason: a company's accounts behind one SSO and
SDK, a university class on a campus network, strangers using one open-source SDK's default user agent,
an agency paying for many client accounts with one card. Their accounts are sized by
`SimulationConfig.cohort_sizes` and carry no campaign id.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.benign_catalogue import CONSUMER_APP, HOBBYIST
from simulator.catalogue_common import AUTOMATION_AGENTS, single
from simulator.extraction_catalogue import CRAWLER
from simulator.profiles import Archetype, Coordination, IdentityProfile, PromptProfile, TimingProfile, Variant

# fmt: off
_MEMBER = replace(CRAWLER, timing=TimingProfile(rate_per_s=(0.01, 0.05), session_minutes=(30.0, 90.0),
                                                pause_minutes=(10.0, 40.0)))
# A few requests per member per 15 minutes, and a handful per hour: below the per-account floor.
_SPARSE_MEMBER = replace(CRAWLER, timing=TimingProfile(rate_per_s=(0.001, 0.005)))
_VERY_SPARSE_MEMBER = replace(CRAWLER, timing=TimingProfile(rate_per_s=(0.0003, 0.0015)))
# Campaign accounts are created in bursts just before they start.
_MEMBER_IDENTITY = IdentityProfile(api_keys=(1, 2), ip_prefixes=(1, 3), ips_per_prefix=(1, 3),
                                   user_agent_families=AUTOMATION_AGENTS, account_age_days=(0.05, 6.0))
_RESIDENTIAL_MEMBER = replace(_MEMBER_IDENTITY, network="residential")

_SPARSE_CHAT = replace(HOBBYIST, timing=TimingProfile(rate_per_s=(0.0005, 0.006), trace_pattern="conv"))
_SPARSE_APP = replace(CONSUMER_APP, timing=TimingProfile(rate_per_s=(0.001, 0.01), trace_pattern="conv"))
_COLLEAGUES = IdentityProfile(api_keys=(1, 2), ip_prefixes=(1, 2), account_age_days=(20.0, 1500.0))
_STUDENTS = IdentityProfile(api_keys=(1, 1), ip_prefixes=(1, 2), account_age_days=(0.1, 20.0),
                            tiers=("free", "tier-1"))


CAMPAIGN_ARCHETYPES: tuple[Archetype, ...] = (
    # Weight 0: campaign accounts come from SimulationConfig.campaign_sizes, not from the weighted mix.
    Archetype("distributed_campaign", "extraction", 0.0, variants=(
        # The plain shape: every member shares cards from one small pool, the ranges, the agents and the schedule.
        Variant("synchronised", False, _MEMBER_IDENTITY, single(_MEMBER, True), Coordination(
            ip_prefixes=(2, 4), payment_fingerprints=(1, 3), user_agents=(1, 2), synchronised=True,
            shared_templates=True, start_fraction=(0.0, 0.3), member_stagger=0.02,
        )),
        Variant("load_balanced_proxy", False, _RESIDENTIAL_MEMBER, single(_SPARSE_MEMBER, True), Coordination(
            ip_prefixes=(1, 4), payment_fingerprints=(1, 1), user_agents=(2, 6), synchronised=True,
            shared_templates=True, start_fraction=(0.0, 0.2), member_stagger=0.05,
            own_card_share=(0.1, 0.4), payment_group_size=(3, 10), user_agents_per_member=(1, 2),
            shared_infrastructure_share=(0.0, 0.2), rotating_ips=True, synchronised_share=(0.5, 1.0),
        )),
        Variant("payment_groups", False, _MEMBER_IDENTITY, single(_SPARSE_MEMBER, True), Coordination(
            ip_prefixes=(5, 20), payment_fingerprints=(1, 1), user_agents=(3, 8), synchronised=True,
            shared_templates=True, start_fraction=(0.0, 0.3), member_stagger=0.1,
            own_card_share=(0.2, 0.5), payment_group_size=(5, 25), user_agents_per_member=(1, 1),
            shared_infrastructure_share=(0.3, 0.7), synchronised_share=(0.2, 0.6),
        )),
        Variant("staggered", True, _MEMBER_IDENTITY, single(_MEMBER, True), Coordination(
            ip_prefixes=(3, 8), payment_fingerprints=(2, 5), user_agents=(2, 4), synchronised=False,
            shared_templates=False, start_fraction=(0.0, 0.2), member_stagger=0.5,
        )),
        # Scaffold only: nearly every member pays with its own virtual card from its own addresses. Its members
        # are session-less, so `synchronised` shares only the diurnal envelope, not their request times (measured
        # in models/report/CAMPAIGNS.md: as many requests within seconds of another member's as at random times).
        Variant("virtual_cards", True, _RESIDENTIAL_MEMBER, single(_VERY_SPARSE_MEMBER, True), Coordination(
            ip_prefixes=(1, 2), payment_fingerprints=(1, 2), user_agents=(2, 4), synchronised=True,
            shared_templates=True, start_fraction=(0.0, 0.2), member_stagger=0.1,
            own_card_share=(0.6, 0.9), user_agents_per_member=(1, 1), shared_infrastructure_share=(0.0, 0.1),
            rotating_ips=True, synchronised_share=(0.7, 1.0),
        )),
    )),
)

BENIGN_COHORT_ARCHETYPES: tuple[Archetype, ...] = (
    # Weight 0: cohort accounts come from SimulationConfig.cohort_sizes.
    Archetype("benign_cohort", "benign", 0.0, variants=(
        Variant("company_sso", False, replace(_COLLEAGUES, user_agent_families=("openai-python",)),
                single(_SPARSE_APP, False), Coordination(
            ip_prefixes=(1, 2), payment_fingerprints=(1, 1), user_agents=(1, 1), synchronised=True,
            shared_templates=True, start_fraction=(0.0, 0.2), member_stagger=0.3,
            shared_infrastructure_share=(0.9, 1.0), synchronised_share=(0.3, 0.8),
        )),
        Variant("university_class", False, replace(_STUDENTS, user_agent_families=("openai-python",)), single(replace(
            _SPARSE_CHAT, prompts=PromptProfile(family="tutoring", domains_per_account=(1, 2)),
        ), False), Coordination(
            ip_prefixes=(1, 2), payment_fingerprints=(1, 1), user_agents=(1, 2), synchronised=True,
            shared_templates=True, start_fraction=(0.0, 0.4), member_stagger=0.05,
            own_card_share=(1.0, 1.0), shared_infrastructure_share=(0.6, 0.9), synchronised_share=(0.6, 1.0),
        )),
        Variant("oss_sdk_default", False, IdentityProfile(user_agent_families=("langchain", "llamaindex")),
                single(_SPARSE_CHAT, False), Coordination(
            ip_prefixes=(1, 1), payment_fingerprints=(1, 1), user_agents=(1, 1), synchronised=False,
            shared_templates=False, start_fraction=(0.0, 0.0), member_stagger=0.8,
            own_card_share=(1.0, 1.0), shared_infrastructure_share=(0.0, 0.0),
        )),
        Variant("agency_one_card", True, IdentityProfile(), single(_SPARSE_APP, False), Coordination(
            ip_prefixes=(1, 1), payment_fingerprints=(1, 1), user_agents=(4, 10), synchronised=False,
            shared_templates=False, start_fraction=(0.0, 0.0), member_stagger=0.8,
            user_agents_per_member=(1, 2), shared_infrastructure_share=(0.0, 0.0),
        )),
        Variant("bootcamp", True, replace(_STUDENTS, account_age_days=(5.0, 120.0)), single(replace(
            _SPARSE_CHAT, prompts=PromptProfile(family="code_assist", domains=("code",), domains_per_account=(1, 1)),
        ), False), Coordination(
            ip_prefixes=(1, 3), payment_fingerprints=(1, 1), user_agents=(1, 3), synchronised=True,
            shared_templates=True, start_fraction=(0.0, 0.3), member_stagger=0.1,
            own_card_share=(1.0, 1.0), user_agents_per_member=(1, 1), shared_infrastructure_share=(0.3, 0.8),
            synchronised_share=(0.5, 1.0),
        )),
    )),
)
# fmt: on
