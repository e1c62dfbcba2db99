"""The extraction archetype catalogue: accounts that harvest the model's outputs to train another model.

Each family differs from benign traffic in what a distiller needs (distillable output: completion and
reasoning tokens, logprob depth, n, breadth of coverage, sustained volume) and keeps the label-
independent secondary defaults of `profiles.py` for everything else.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.benign_catalogue import CONSUMER_APP, HOBBYIST
from simulator.catalogue_common import AUTOMATION_AGENTS, single
from simulator.profiles import (
    Archetype,
    Behaviour,
    Component,
    IdentityProfile,
    ParameterProfile,
    PromptProfile,
    TimingProfile,
    TokenProfile,
    Variant,
    Workload,
)

# fmt: off
CRAWLER = Behaviour(
    timing=TimingProfile(rate_per_s=(0.05, 0.25), drift_sigma=0.05),
    # Includes the crawler's instruction/system prompt, hence longer than the visible question.
    prompt_tokens=TokenProfile(median=250.0, sigma=0.5, scale=(0.6, 2.0)),
    completion_tokens=TokenProfile(median=2200.0, sigma=0.6, scale=(0.7, 1.3)),
    params=ParameterProfile(
        max_tokens=(1024, 2048, 4096), max_tokens_palette=(1, 2), max_tokens_share=(0.9, 1.0),
        n_values=(2, 4), n_share=(0.0, 0.2),
    ),
    prompts=PromptProfile(family="broad_distill", domains_per_account=(8, 16), reasoning_share=(0.03, 0.25)),
    workloads=(Workload("aurora-large", "chat.completions", 0.85), Workload("aurora-large", "responses", 0.15)),
)
AUTOMATION_IDENTITY = IdentityProfile(user_agent_families=AUTOMATION_AGENTS)

REASONING_COERCION = Behaviour(
    timing=TimingProfile(rate_per_s=(0.03, 0.15), drift_sigma=0.08),
    prompt_tokens=TokenProfile(median=150.0, sigma=0.5, scale=(0.7, 2.0)),
    completion_tokens=TokenProfile(median=1800.0, sigma=0.5, scale=(0.7, 1.5)),
    params=ParameterProfile(max_tokens=(4096, 8192, 16000), max_tokens_palette=(1, 2), max_tokens_share=(0.7, 1.0)),
    prompts=PromptProfile(family="reasoning_problem",
                          domains=("math", "physics", "code", "chemistry", "economics", "philosophy", "law"),
                          domains_per_account=(3, 7), reasoning_share=(0.6, 0.95)),
    workloads=(
        Workload("aurora-reasoner", "chat.completions", 0.75),
        Workload("aurora-large", "chat.completions", 0.25),
    ),
    reasoning_tokens=TokenProfile(median=3500.0, sigma=0.5, scale=(0.8, 2.0)),
)

LOGPROB_HARVEST = Behaviour(
    timing=TimingProfile(rate_per_s=(0.04, 0.25), drift_sigma=0.05),
    prompt_tokens=TokenProfile(median=40.0, sigma=0.5, scale=(0.7, 2.0)),
    completion_tokens=TokenProfile(median=20.0, sigma=0.8),
    params=ParameterProfile(
        max_tokens=(1, 5, 16, 32), max_tokens_palette=(1, 2), max_tokens_share=(0.9, 1.0),
        n_values=(2, 4, 8), n_share=(0.3, 0.9), logprobs_share=(0.85, 1.0), top_logprobs=(5, 20),
    ),
    prompts=PromptProfile(family="logprob_probe", domains_per_account=(6, 16)),
    workloads=(Workload("aurora-large", "chat.completions", 0.7), Workload("aurora-large", "completions", 0.3)),
)

_CAPABILITY_NARROW = Behaviour(
    timing=TimingProfile(rate_per_s=(0.03, 0.15)),
    prompt_tokens=TokenProfile(median=900.0, sigma=0.6, scale=(0.6, 2.0)),
    completion_tokens=TokenProfile(median=1500.0, sigma=0.6, scale=(0.7, 1.4)),
    params=ParameterProfile(
        max_tokens=(2048, 4096), max_tokens_palette=(1, 1), max_tokens_share=(0.8, 1.0),
        tools_share=(0.7, 1.0), tool_count=(5, 30),
    ),
    prompts=PromptProfile(family="agentic_coding", domains=("code",), domains_per_account=(1, 1),
                          reasoning_share=(0.0, 0.15)),
    workloads=(Workload("aurora-large", "chat.completions", 0.7), Workload("aurora-reasoner", "chat.completions", 0.3)),
)

_LOW_AND_SLOW = replace(CRAWLER, timing=TimingProfile(rate_per_s=(0.002, 0.012), drift_sigma=0.1))
_LOW_AND_SLOW_IDENTITY = IdentityProfile(network="residential", user_agent_families=("openai-python",))

_RESELLER_LEGITIMATE = replace(CONSUMER_APP, timing=replace(CONSUMER_APP.timing, rate_per_s=(0.05, 0.25)))
_RESELLER_EXTRACTION = replace(CRAWLER, timing=replace(CRAWLER.timing, rate_per_s=(0.02, 0.08)))
# A reseller is an established account with many customers' keys: mirrored by the benign production tenants.
_RESELLER_IDENTITY = IdentityProfile(
    api_keys=(3, 30), user_agent_families=("openai-python", "openai-node", "go-http", "langchain", "mobile-app"),
    user_agents=(10, 40), account_age_days=(200.0, 2000.0),
)


EXTRACTION_ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("distillation_crawler", "extraction", 3.0, variants=(
        Variant("standard", False, AUTOMATION_IDENTITY, single(CRAWLER, True)),
        # Looks like a hobbyist first, then turns the crawler on.
        Variant("warm_start", False, AUTOMATION_IDENTITY, (
            Component(replace(HOBBYIST, timing=replace(HOBBYIST.timing, session_minutes=None)), False),
            Component(CRAWLER, True, onset_fraction=(0.15, 0.5)),
        )),
        Variant("proxy_rotation", True, IdentityProfile(
            network="residential", ip_prefixes=(15, 60), ips_per_prefix=(1, 2),
            user_agent_families=("headless-browser", "openai-python", "openai-node"), user_agents=(8, 30),
        ), single(CRAWLER, True)),
        Variant("document_seeded", True, AUTOMATION_IDENTITY, single(replace(
            CRAWLER, prompt_tokens=TokenProfile(median=900.0, sigma=0.5, scale=(0.7, 1.5)),
        ), True)),
    )),
    Archetype("reasoning_coercion", "extraction", 2.0, variants=(
        Variant("standard", False, AUTOMATION_IDENTITY, single(REASONING_COERCION, True)),
        Variant("socratic", True, AUTOMATION_IDENTITY, single(replace(
            REASONING_COERCION,
            timing=replace(REASONING_COERCION.timing, rate_per_s=(0.01, 0.06)),
            prompts=replace(REASONING_COERCION.prompts, reasoning_phrasing="socratic", reasoning_share=(0.4, 0.8)),
        ), True)),
    )),
    Archetype("logprob_harvest", "extraction", 2.0, variants=(
        Variant("standard", False, AUTOMATION_IDENTITY, single(LOGPROB_HARVEST, True)),
        Variant("topk_single", True, AUTOMATION_IDENTITY, single(replace(
            LOGPROB_HARVEST,
            completion_tokens=TokenProfile(median=120.0, sigma=0.6),
            params=replace(LOGPROB_HARVEST.params, max_tokens=(64, 128, 256), n_share=(0.0, 0.0), top_logprobs=(5, 5)),
        ), True)),
    )),
    Archetype("capability_narrow", "extraction", 2.0, variants=(
        Variant("agentic_coding", False, AUTOMATION_IDENTITY, single(_CAPABILITY_NARROW, True)),
        Variant("medical_qa", True, AUTOMATION_IDENTITY, single(replace(
            _CAPABILITY_NARROW,
            prompt_tokens=TokenProfile(median=120.0, sigma=0.5),
            params=replace(_CAPABILITY_NARROW.params, tools_share=(0.0, 0.0)),
            prompts=PromptProfile(family="domain_qa", domains=("medicine",), domains_per_account=(1, 1),
                                  reasoning_share=(0.0, 0.2)),
        ), True)),
    )),
    Archetype("low_and_slow", "extraction", 3.0, variants=(
        Variant("standard", False, _LOW_AND_SLOW_IDENTITY, single(_LOW_AND_SLOW, True)),
        Variant("business_hours", True, _LOW_AND_SLOW_IDENTITY, single(replace(
            _LOW_AND_SLOW,
            timing=TimingProfile(rate_per_s=(0.002, 0.01), trace_pattern="conv", diurnal_amplitude=(0.4, 0.7),
                                 session_minutes=(20.0, 90.0), pause_minutes=(20.0, 120.0)),
        ), True)),
    )),
    Archetype("reseller_proxy", "extraction", 2.0, variants=(
        Variant("standard", False, _RESELLER_IDENTITY, (
            Component(_RESELLER_LEGITIMATE, False),
            Component(_RESELLER_EXTRACTION, True, onset_fraction=(0.2, 0.6), api_keys=1),
        )),
        Variant("diluted", True, _RESELLER_IDENTITY, (
            Component(_RESELLER_LEGITIMATE, False),
            Component(replace(_RESELLER_EXTRACTION, timing=replace(CRAWLER.timing, rate_per_s=(0.006, 0.02))),
                      True, onset_fraction=(0.2, 0.6), api_keys=1),
        )),
    )),
)
# fmt: on
