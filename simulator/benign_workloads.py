"""Benign hard negatives from public descriptions of LLM API workloads.

Each family shares some of what a distiller needs without harvesting: logprob depth (classifiers and
rerankers score with 1-10 token answers and up to 20 alternatives), reasoning output (chain-of-thought
benchmark runs, apps built on a reasoning model), long tool-using completions (agent platforms),
non-English text (localisation), sheer volume and embeddings (production tenants shaped like the Azure
conv and code traces, search indexers), and a fresh account with high volume (a launch, a hackathon,
a migration from another provider).
"""

from __future__ import annotations

from dataclasses import replace

from simulator.catalogue_common import CHAT_WORKLOADS, single
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
_GENERIC = IdentityProfile()
# Fresh accounts are a behavioural trait of these families (as of burn-and-replace extraction).
_FRESH = IdentityProfile(account_age_days=(0.02, 3.0))

_CLASSIFIER = Behaviour(
    timing=TimingProfile(rate_per_s=(0.03, 0.5)),
    prompt_tokens=TokenProfile(median=250.0, sigma=0.7, scale=(0.5, 3.0)),
    completion_tokens=TokenProfile(median=2.0, sigma=0.6),
    params=ParameterProfile(
        max_tokens=(1, 2, 3, 5, 10), max_tokens_palette=(1, 2), max_tokens_share=(0.9, 1.0),
        logprobs_share=(0.9, 1.0), top_logprobs=(1, 20),
    ),
    prompts=PromptProfile(family="classification", domains_per_account=(1, 4)),
    workloads=(Workload("aurora-mini", "chat.completions", 0.6), Workload("aurora-large", "chat.completions", 0.4)),
)

_COT_BENCHMARK = Behaviour(
    timing=TimingProfile(rate_per_s=(0.2, 1.5), session_minutes=(10.0, 60.0), pause_minutes=(30.0, 240.0)),
    prompt_tokens=TokenProfile(median=300.0, sigma=0.6, scale=(0.5, 2.5)),
    completion_tokens=TokenProfile(median=700.0, sigma=0.7, scale=(0.5, 2.0)),
    params=ParameterProfile(
        max_tokens=(2048, 4096, 8192, 16000), max_tokens_palette=(1, 2), max_tokens_share=(0.5, 1.0),
        n_values=(4, 8), n_share=(0.0, 0.2),
    ),
    prompts=PromptProfile(family="benchmark", domains_per_account=(2, 10), reasoning_share=(0.6, 1.0),
                          item_pool=(500, 20_000)),
    workloads=(Workload("aurora-reasoner", "chat.completions", 0.7), Workload("aurora-large", "chat.completions", 0.3)),
    reasoning_tokens=TokenProfile(median=2000.0, sigma=0.7, scale=(0.7, 1.5)),
)
_LAB_IDENTITY = IdentityProfile(user_agent_families=("eval-harness", "openai-python", "aiohttp"))

_REASONING_APP = Behaviour(
    timing=TimingProfile(rate_per_s=(0.02, 0.25), trace_pattern="conv"),
    prompt_tokens=TokenProfile(trace="conv", scale=(0.5, 2.0)),
    completion_tokens=TokenProfile(trace="conv", scale=(1.0, 3.0)),
    params=ParameterProfile(max_tokens=(2048, 4096, 8192), max_tokens_palette=(1, 2), max_tokens_share=(0.2, 0.9)),
    prompts=PromptProfile(family="tutoring", domains=("math", "physics", "chemistry", "biology", "economics"),
                          domains_per_account=(1, 5), reasoning_share=(0.05, 0.3)),
    workloads=(Workload("aurora-reasoner", "chat.completions", 0.7), Workload("aurora-mini", "chat.completions", 0.3)),
    reasoning_tokens=TokenProfile(median=1500.0, sigma=0.8),
)
_APP_IDENTITY = IdentityProfile(user_agent_families=("openai-node", "openai-python", "mobile-app", "go-http"))

_CODING_AGENT = Behaviour(
    timing=TimingProfile(rate_per_s=(0.02, 0.3), trace_pattern="code"),
    prompt_tokens=TokenProfile(trace="code", scale=(3.0, 10.0)),
    completion_tokens=TokenProfile(trace="code", scale=(3.0, 12.0)),
    params=ParameterProfile(
        max_tokens=(4096, 8192, 16000), max_tokens_palette=(1, 2), max_tokens_share=(0.5, 1.0),
        tools_share=(0.8, 1.0), tool_count=(5, 40),
    ),
    prompts=PromptProfile(family="agentic_coding", domains=("code",), domains_per_account=(1, 1)),
    workloads=(Workload("aurora-large", "chat.completions", 0.6), Workload("aurora-reasoner", "responses", 0.4)),
)
_AGENT_IDENTITY = IdentityProfile(user_agent_families=("ide-plugin", "openai-node", "openai-python", "langchain"))

_TRANSLATION = Behaviour(
    timing=TimingProfile(rate_per_s=(0.03, 0.3), session_minutes=(30.0, 180.0), pause_minutes=(10.0, 90.0)),
    prompt_tokens=TokenProfile(median=300.0, sigma=0.7, scale=(0.5, 2.0)),
    completion_tokens=TokenProfile(median=300.0, sigma=0.7, scale=(0.6, 1.6)),
    params=ParameterProfile(max_tokens=(1024, 2048, 4096), max_tokens_palette=(1, 1), max_tokens_share=(0.5, 1.0)),
    prompts=PromptProfile(family="translation", domains_per_account=(1, 6)),
    workloads=(Workload("aurora-large", "chat.completions", 0.5), Workload("aurora-mini", "chat.completions", 0.5)),
)

# Rates of the traces themselves: 5.4 req/s (conv) and 2.5 req/s (code) over their hour.
_CONV_TENANT = Behaviour(
    timing=TimingProfile(rate_per_s=(0.5, 2.0), trace_pattern="conv"),
    prompt_tokens=TokenProfile(trace="conv", scale=(0.8, 1.25)),
    completion_tokens=TokenProfile(trace="conv", scale=(0.8, 1.25)),
    params=ParameterProfile(max_tokens=(512, 1024, 2048, 4096), max_tokens_palette=(1, 3), max_tokens_share=(0.3, 0.9),
                            tools_share=(0.0, 0.2)),
    prompts=PromptProfile(family="consumer_chat", domains_per_account=(3, 12)),
    workloads=CHAT_WORKLOADS,
)
_CODE_TENANT = Behaviour(
    timing=TimingProfile(rate_per_s=(0.3, 1.5), trace_pattern="code"),
    prompt_tokens=TokenProfile(trace="code", scale=(0.8, 1.25)),
    completion_tokens=TokenProfile(trace="code", scale=(0.8, 1.25)),
    params=ParameterProfile(max_tokens=(64, 256, 512, 1024), max_tokens_palette=(1, 2), max_tokens_share=(0.5, 1.0)),
    prompts=PromptProfile(family="code_assist", domains=("code",), domains_per_account=(1, 1)),
    workloads=(Workload("aurora-mini", "completions", 0.6), Workload("aurora-large", "chat.completions", 0.4)),
)
_TENANT_IDENTITY = IdentityProfile(api_keys=(3, 30), ip_prefixes=(3, 40), user_agents=(5, 40),
                                   account_age_days=(60.0, 2000.0))

_LAUNCH = replace(
    _CONV_TENANT, timing=TimingProfile(rate_per_s=(0.05, 0.6), trace_pattern="conv"),
)


BENIGN_WORKLOAD_ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("logprob_scoring", "benign", 3.0, organisation_member=True, variants=(
        Variant("classifier", False, _GENERIC, single(_CLASSIFIER, False)),
        Variant("reranker", False, _GENERIC, single(replace(
            _CLASSIFIER,
            prompt_tokens=TokenProfile(median=600.0, sigma=0.5, scale=(0.6, 2.0)),
            completion_tokens=TokenProfile(median=1.0, sigma=0.1),
            params=replace(_CLASSIFIER.params, max_tokens=(1,), top_logprobs=(5, 20)),
            workloads=(Workload("aurora-large", "completions", 1.0),),
        ), False)),
        Variant("calibration_audit", True, _GENERIC, single(replace(
            _CLASSIFIER,
            timing=TimingProfile(rate_per_s=(0.1, 0.6)),
            params=replace(_CLASSIFIER.params, n_values=(2, 3, 5), n_share=(0.3, 0.9), top_logprobs=(10, 20)),
        ), False)),
    )),
    Archetype("cot_benchmark_lab", "benign", 2.0, organisation_member=True, variants=(
        Variant("standard", False, _LAB_IDENTITY, single(_COT_BENCHMARK, False)),
        Variant("self_consistency", False, _LAB_IDENTITY, single(replace(
            _COT_BENCHMARK,
            completion_tokens=TokenProfile(median=400.0, sigma=0.7),
            params=replace(_COT_BENCHMARK.params, max_tokens=(1024, 2048), n_values=(5, 8, 16), n_share=(0.6, 1.0)),
        ), False)),
        Variant("multilingual_eval", True, _LAB_IDENTITY, single(replace(
            _COT_BENCHMARK,
            prompts=PromptProfile(family="multilingual_reasoning", domains_per_account=(2, 8),
                                  reasoning_share=(0.5, 1.0), reasoning_phrasing="multilingual",
                                  item_pool=(500, 5000)),
        ), False)),
    )),
    Archetype("reasoning_app", "benign", 3.0, organisation_member=True, variants=(
        Variant("tutoring", False, _APP_IDENTITY, single(_REASONING_APP, False)),
        Variant("research_assistant", False, _APP_IDENTITY, single(replace(
            _REASONING_APP,
            prompt_tokens=TokenProfile(trace="conv", scale=(2.0, 5.0), maximum=64_000),
            params=replace(_REASONING_APP.params, tools_share=(0.0, 0.5), tool_count=(1, 6)),
            prompts=PromptProfile(family="domain_qa", domains=("law", "medicine", "finance", "economics"),
                                  domains_per_account=(1, 3), reasoning_share=(0.0, 0.2)),
            workloads=(Workload("aurora-reasoner", "responses", 0.8), Workload("aurora-large", "responses", 0.2)),
        ), False)),
        Variant("planning_agent", True, _APP_IDENTITY, single(replace(
            _REASONING_APP,
            params=replace(_REASONING_APP.params, tools_share=(0.5, 1.0), tool_count=(3, 20)),
            prompts=PromptProfile(family="agent_tasks", domains_per_account=(1, 4)),
        ), False)),
    )),
    Archetype("agent_platform", "benign", 3.0, organisation_member=True, variants=(
        Variant("coding_agent", False, _AGENT_IDENTITY, single(_CODING_AGENT, False)),
        Variant("browser_agent", False, _AGENT_IDENTITY, single(replace(
            _CODING_AGENT,
            prompt_tokens=TokenProfile(median=6000.0, sigma=0.8, maximum=128_000),
            completion_tokens=TokenProfile(median=400.0, sigma=0.9),
            prompts=PromptProfile(family="agent_tasks", domains_per_account=(2, 8)),
        ), False)),
        Variant("swe_bench_runner", True, _LAB_IDENTITY, single(replace(
            _CODING_AGENT,
            timing=TimingProfile(rate_per_s=(0.1, 0.8), session_minutes=(20.0, 90.0), pause_minutes=(30.0, 180.0)),
            prompts=PromptProfile(family="agentic_coding", domains=("code",), domains_per_account=(1, 1),
                                  item_pool=(300, 2300)),
        ), False)),
    )),
    Archetype("localisation_pipeline", "benign", 2.0, organisation_member=True, variants=(
        Variant("batch_translation", False, _GENERIC, single(_TRANSLATION, False)),
        Variant("live_chat_translation", False, _GENERIC, single(replace(
            _TRANSLATION,
            timing=TimingProfile(rate_per_s=(0.03, 0.4), trace_pattern="conv"),
            prompt_tokens=TokenProfile(median=80.0, sigma=0.6),
            completion_tokens=TokenProfile(median=60.0, sigma=0.6),
        ), False)),
        Variant("subtitle_localisation", True, _GENERIC, single(replace(
            _TRANSLATION,
            timing=TimingProfile(rate_per_s=(0.1, 0.8), session_minutes=(20.0, 120.0), pause_minutes=(20.0, 120.0)),
            completion_tokens=TokenProfile(median=40.0, sigma=0.5),
        ), False)),
    )),
    Archetype("production_tenant", "benign", 1.0, organisation_member=True, variants=(
        Variant("conv_service", False, _TENANT_IDENTITY, single(_CONV_TENANT, False)),
        Variant("code_service", False, _TENANT_IDENTITY, single(_CODE_TENANT, False)),
        # Indexing a document corpus: embeddings only, broad and sustained (embedding extraction's negative).
        Variant("search_indexer", False, _TENANT_IDENTITY, single(replace(
            _CONV_TENANT,
            timing=TimingProfile(rate_per_s=(0.1, 0.8)),
            prompts=PromptProfile(family="embedding_passage", domains_per_account=(4, 16)),
            workloads=(Workload("aurora-embed", "embeddings", 1.0),),
            embedding_tokens=TokenProfile(median=400.0, sigma=0.7),
        ), False)),
        Variant("mixed_gateway", True, _TENANT_IDENTITY, (
            Component(replace(_CONV_TENANT, timing=TimingProfile(rate_per_s=(0.3, 1.5), trace_pattern="conv")), False),
            Component(replace(_CODE_TENANT, timing=TimingProfile(rate_per_s=(0.2, 1.0), trace_pattern="code")), False),
        )),
    )),
    Archetype("startup_launch", "benign", 2.0, variants=(
        Variant("product_launch", False, _FRESH, single(_LAUNCH, False)),
        Variant("hackathon", False, _FRESH, single(replace(
            _LAUNCH,
            timing=TimingProfile(rate_per_s=(0.02, 0.3), session_minutes=(20.0, 120.0), pause_minutes=(5.0, 60.0)),
            prompts=PromptProfile(family="casual_mixed", domains_per_account=(1, 8)),
        ), False)),
        Variant("provider_migration", True, _FRESH, single(replace(
            _LAUNCH,
            timing=TimingProfile(rate_per_s=(0.1, 1.0)),
            completion_tokens=TokenProfile(median=500.0, sigma=0.8),
            prompts=PromptProfile(family="synthetic_data", domains_per_account=(1, 6)),
        ), False)),
    )),
)
# fmt: on
