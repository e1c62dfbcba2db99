"""The extraction archetype catalogue: accounts that harvest the model's outputs to train another model."""

from __future__ import annotations

from dataclasses import replace

from simulator.benign_catalogue import CONSUMER_APP, HOBBYIST
from simulator.catalogue_common import ALL_COUNTRIES, AUTOMATION_AGENTS, CLOUD_COUNTRIES, single
from simulator.profiles import (
    Archetype,
    Behaviour,
    Component,
    Coordination,
    IdentityProfile,
    ParameterProfile,
    PromptProfile,
    StatusProfile,
    TimingProfile,
    TokenProfile,
    Variant,
    Workload,
)

# fmt: off
_CRAWLER = Behaviour(
    timing=TimingProfile(rate_per_s=(0.05, 0.25), gap_shape=(4.0, 16.0), drift_sigma=0.05),
    # Includes the crawler's instruction/system prompt, hence longer than the visible question.
    prompt_tokens=TokenProfile(median=250.0, sigma=0.5, scale=(0.6, 2.0)),
    completion_tokens=TokenProfile(median=2200.0, sigma=0.6, scale=(0.7, 1.3)),
    params=ParameterProfile(
        temperatures=(0.0, 0.3, 0.7, 1.0), temperature_palette=(1, 1), temperature_share=(0.8, 1.0),
        max_tokens=(1024, 2048, 4096), max_tokens_palette=(1, 2), max_tokens_share=(0.9, 1.0),
        n_values=(2, 4), n_share=(0.0, 0.2), stream_share=(0.0, 0.1),
    ),
    prompts=PromptProfile(family="broad_distill", templates=(3, 10), domains_per_account=(8, 16),
                          reasoning_share=(0.03, 0.25)),
    workloads=(Workload("aurora-large", "chat.completions", 0.85), Workload("aurora-large", "responses", 0.15)),
    status=StatusProfile(rate_limited_share=(0.03, 0.15)),
)
_CRAWLER_IDENTITY = IdentityProfile(
    api_keys=(1, 4), network="cloud", ip_prefixes=(1, 3), ips_per_prefix=(1, 6),
    user_agent_families=AUTOMATION_AGENTS, user_agents=(1, 2), countries=ALL_COUNTRIES,
    countries_per_account=(1, 1), account_age_days=(2.0, 200.0), tiers=("tier-2", "tier-3", "tier-4"),
)

_REASONING_COERCION = Behaviour(
    timing=TimingProfile(rate_per_s=(0.03, 0.15), gap_shape=(3.0, 10.0), drift_sigma=0.08),
    prompt_tokens=TokenProfile(median=150.0, sigma=0.5, scale=(0.7, 2.0)),
    completion_tokens=TokenProfile(median=1800.0, sigma=0.5, scale=(0.7, 1.5)),
    params=ParameterProfile(
        temperatures=(0.0, 0.6, 1.0), temperature_palette=(1, 1), temperature_share=(0.5, 1.0),
        max_tokens=(4096, 8192, 16000), max_tokens_palette=(1, 2), max_tokens_share=(0.7, 1.0),
        stream_share=(0.0, 0.2),
    ),
    prompts=PromptProfile(family="reasoning_problem", templates=(3, 6),
                          domains=("math", "physics", "code", "chemistry", "economics", "philosophy", "law"),
                          domains_per_account=(3, 7), reasoning_share=(0.6, 0.95)),
    workloads=(
        Workload("aurora-reasoner", "chat.completions", 0.75),
        Workload("aurora-large", "chat.completions", 0.25),
    ),
    status=StatusProfile(rate_limited_share=(0.01, 0.06)),
    reasoning_tokens=TokenProfile(median=3500.0, sigma=0.5, scale=(0.8, 2.0)),
)
_REASONING_IDENTITY = replace(_CRAWLER_IDENTITY, api_keys=(1, 3), ip_prefixes=(1, 2), ips_per_prefix=(1, 3),
                              account_age_days=(2.0, 120.0), tiers=("tier-1", "tier-2", "tier-3"))

_LOGPROB_HARVEST = Behaviour(
    timing=TimingProfile(rate_per_s=(0.04, 0.25), gap_shape=(4.0, 12.0), drift_sigma=0.05),
    prompt_tokens=TokenProfile(median=40.0, sigma=0.5, scale=(0.7, 2.0)),
    completion_tokens=TokenProfile(median=20.0, sigma=0.8),
    params=ParameterProfile(
        temperatures=(0.0, 1.0), temperature_palette=(1, 1), temperature_share=(0.8, 1.0),
        max_tokens=(1, 5, 16, 32), max_tokens_palette=(1, 2), max_tokens_share=(0.9, 1.0),
        n_values=(2, 4, 8), n_share=(0.3, 0.9), logprobs_share=(0.85, 1.0), top_logprobs=(5, 20),
    ),
    prompts=PromptProfile(family="logprob_probe", templates=(2, 6), domains_per_account=(6, 16)),
    workloads=(Workload("aurora-large", "chat.completions", 0.7), Workload("aurora-large", "completions", 0.3)),
    status=StatusProfile(rate_limited_share=(0.02, 0.1)),
)

_CAPABILITY_NARROW = Behaviour(
    timing=TimingProfile(rate_per_s=(0.03, 0.15), gap_shape=(2.0, 6.0), drift_sigma=0.1),
    prompt_tokens=TokenProfile(median=900.0, sigma=0.6, scale=(0.6, 2.0)),
    completion_tokens=TokenProfile(median=1500.0, sigma=0.6, scale=(0.7, 1.4)),
    params=ParameterProfile(
        temperatures=(0.0, 0.2), temperature_palette=(1, 1), temperature_share=(0.8, 1.0),
        max_tokens=(2048, 4096), max_tokens_palette=(1, 1), max_tokens_share=(0.8, 1.0),
        stream_share=(0.0, 0.3), tools_share=(0.7, 1.0), tool_count=(5, 30),
    ),
    prompts=PromptProfile(family="agentic_coding", templates=(2, 5), domains=("code",), domains_per_account=(1, 1),
                          reasoning_share=(0.0, 0.15)),
    workloads=(Workload("aurora-large", "chat.completions", 0.7), Workload("aurora-reasoner", "chat.completions", 0.3)),
    status=StatusProfile(rate_limited_share=(0.01, 0.06)),
)

_LOW_AND_SLOW = replace(
    _CRAWLER,
    timing=TimingProfile(rate_per_s=(0.002, 0.012), gap_shape=(1.5, 4.0), drift_sigma=0.1),
    status=StatusProfile(rate_limited_share=(0.0, 0.01)),
)
_LOW_AND_SLOW_IDENTITY = IdentityProfile(
    api_keys=(1, 1), network="residential", ip_prefixes=(1, 1), ips_per_prefix=(1, 2),
    user_agent_families=("openai-python",), user_agents=(1, 1), countries=ALL_COUNTRIES,
    countries_per_account=(1, 1), account_age_days=(30.0, 900.0), tiers=("free", "tier-1", "tier-2"),
)

_CAMPAIGN_MEMBER = replace(
    _CRAWLER,
    timing=TimingProfile(rate_per_s=(0.01, 0.05), gap_shape=(5.0, 10.0), drift_sigma=0.1,
                         session_minutes=(30.0, 90.0), pause_minutes=(10.0, 40.0)),
    prompts=replace(_CRAWLER.prompts, templates=(3, 5)),
    status=StatusProfile(rate_limited_share=(0.0, 0.03)),
)
_CAMPAIGN_IDENTITY = IdentityProfile(
    api_keys=(1, 1), network="cloud", ip_prefixes=(1, 1), ips_per_prefix=(1, 2),
    user_agent_families=AUTOMATION_AGENTS, user_agents=(1, 1), countries=ALL_COUNTRIES,
    countries_per_account=(1, 1), account_age_days=(0.1, 6.0), tiers=("free", "tier-1"),
)

_RESELLER_LEGITIMATE = replace(
    CONSUMER_APP,
    timing=replace(CONSUMER_APP.timing, rate_per_s=(0.05, 0.25)),
)
_RESELLER_EXTRACTION = replace(_CRAWLER, timing=replace(_CRAWLER.timing, rate_per_s=(0.02, 0.08)))
_RESELLER_IDENTITY = IdentityProfile(
    api_keys=(3, 10), network="cloud", ip_prefixes=(1, 3), ips_per_prefix=(2, 6),
    user_agent_families=("openai-python", "openai-node", "go-http", "langchain", "mobile-app"),
    user_agents=(10, 40), countries=CLOUD_COUNTRIES, countries_per_account=(2, 6),
    account_age_days=(200.0, 1500.0), tiers=("tier-4", "tier-5"),
)



EXTRACTION_ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("distillation_crawler", "extraction", 3.0, variants=(
        Variant("standard", False, _CRAWLER_IDENTITY, single(_CRAWLER, True)),
        # Looks like a hobbyist first, then turns the crawler on.
        Variant("warm_start", False, _CRAWLER_IDENTITY, (
            Component(replace(HOBBYIST, timing=replace(HOBBYIST.timing, session_minutes=None)), False),
            Component(_CRAWLER, True, onset_fraction=(0.15, 0.5)),
        )),
        Variant("proxy_rotation", True, replace(
            _CRAWLER_IDENTITY, network="residential", ip_prefixes=(15, 60), ips_per_prefix=(1, 2),
            user_agent_families=("headless-browser", "openai-python", "openai-node"), user_agents=(8, 30),
        ), single(replace(
            _CRAWLER,
            timing=replace(_CRAWLER.timing, gap_shape=(1.5, 3.0)),
            params=replace(_CRAWLER.params, temperature_palette=(2, 4)),
        ), True)),
        Variant("document_seeded", True, _CRAWLER_IDENTITY, single(replace(
            _CRAWLER, prompt_tokens=TokenProfile(median=900.0, sigma=0.5, scale=(0.7, 1.5)),
        ), True)),
    )),
    Archetype("reasoning_coercion", "extraction", 2.0, variants=(
        Variant("standard", False, _REASONING_IDENTITY, single(_REASONING_COERCION, True)),
        Variant("socratic", True, _REASONING_IDENTITY, single(replace(
            _REASONING_COERCION,
            timing=replace(_REASONING_COERCION.timing, rate_per_s=(0.01, 0.06)),
            prompts=replace(_REASONING_COERCION.prompts, reasoning_phrasing="socratic", reasoning_share=(0.4, 0.8)),
        ), True)),
    )),
    Archetype("logprob_harvest", "extraction", 2.0, variants=(
        Variant("standard", False, _REASONING_IDENTITY, single(_LOGPROB_HARVEST, True)),
        Variant("topk_single", True, _REASONING_IDENTITY, single(replace(
            _LOGPROB_HARVEST,
            completion_tokens=TokenProfile(median=120.0, sigma=0.6),
            params=replace(_LOGPROB_HARVEST.params, temperatures=(0.0,), max_tokens=(64, 128, 256),
                           n_share=(0.0, 0.0), top_logprobs=(5, 5)),
        ), True)),
    )),
    Archetype("capability_narrow", "extraction", 2.0, variants=(
        Variant("agentic_coding", False, _CRAWLER_IDENTITY, single(_CAPABILITY_NARROW, True)),
        Variant("medical_qa", True, _CRAWLER_IDENTITY, single(replace(
            _CAPABILITY_NARROW,
            prompt_tokens=TokenProfile(median=120.0, sigma=0.5),
            params=replace(_CAPABILITY_NARROW.params, tools_share=(0.0, 0.0)),
            prompts=PromptProfile(family="domain_qa", templates=(2, 4), domains=("medicine",),
                                  domains_per_account=(1, 1), reasoning_share=(0.0, 0.2)),
        ), True)),
    )),
    Archetype("low_and_slow", "extraction", 3.0, variants=(
        Variant("standard", False, _LOW_AND_SLOW_IDENTITY, single(_LOW_AND_SLOW, True)),
        Variant("business_hours", True, _LOW_AND_SLOW_IDENTITY, single(replace(
            _LOW_AND_SLOW,
            timing=TimingProfile(rate_per_s=(0.002, 0.01), gap_shape=(0.8, 1.5), trace_pattern="conv",
                                 diurnal_amplitude=(0.4, 0.7), session_minutes=(20.0, 90.0),
                                 pause_minutes=(20.0, 120.0)),
        ), True)),
    )),
    # Weight 0: campaign accounts come from SimulationConfig.campaign_sizes, not from the weighted mix.
    Archetype("distributed_campaign", "extraction", 0.0, variants=(
        Variant("synchronised", False, _CAMPAIGN_IDENTITY, single(_CAMPAIGN_MEMBER, True), Coordination(
            ip_prefixes=(2, 4), payment_fingerprints=(1, 3), user_agents=(1, 2), synchronised=True,
            shared_templates=True, start_fraction=(0.0, 0.3), member_stagger=0.02,
        )),
        Variant("staggered", True, _CAMPAIGN_IDENTITY, single(_CAMPAIGN_MEMBER, True), Coordination(
            ip_prefixes=(3, 8), payment_fingerprints=(2, 5), user_agents=(2, 4), synchronised=False,
            shared_templates=False, start_fraction=(0.0, 0.2), member_stagger=0.5,
        )),
    )),
    Archetype("reseller_proxy", "extraction", 2.0, variants=(
        Variant("standard", False, _RESELLER_IDENTITY, (
            Component(_RESELLER_LEGITIMATE, False),
            Component(_RESELLER_EXTRACTION, True, onset_fraction=(0.2, 0.6), api_keys=1),
        )),
        Variant("diluted", True, _RESELLER_IDENTITY, (
            Component(_RESELLER_LEGITIMATE, False),
            Component(replace(_RESELLER_EXTRACTION, timing=replace(_CRAWLER.timing, rate_per_s=(0.006, 0.02))),
                      True, onset_fraction=(0.2, 0.6), api_keys=1),
        )),
    )),
)
# fmt: on
