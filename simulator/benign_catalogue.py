"""The benign archetype catalogue: legitimate API customers, several of them deliberate hard negatives.

Batch evaluations (templated, temperature 0, logprobs, saturated max_tokens), synthetic-data customers
(high volume, long outputs, machine paced) and consumer backends (more volume than any extractor) share
one or more of an extractor's habits without harvesting the model.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.catalogue_common import ALL_COUNTRIES, CHAT_WORKLOADS, CLOUD_COUNTRIES, single
from simulator.profiles import (
    Archetype,
    Behaviour,
    IdentityProfile,
    ParameterProfile,
    PromptProfile,
    StatusProfile,
    TimingProfile,
    TokenProfile,
    Variant,
    Workload,
)

# The catalogue reads as a table, one profile field per line group; keep it out of the formatter.
# fmt: off
CONSUMER_APP = Behaviour(
    timing=TimingProfile(rate_per_s=(0.05, 0.6), gap_shape=(1.0, 1.0), trace_pattern="conv",
                         diurnal_amplitude=(0.2, 0.5)),
    prompt_tokens=TokenProfile(trace="conv", scale=(0.5, 1.5)),
    completion_tokens=TokenProfile(trace="conv", scale=(0.7, 1.4)),
    params=ParameterProfile(
        temperatures=(0.2, 0.5, 0.7, 0.8, 1.0), temperature_palette=(1, 3), temperature_share=(0.6, 1.0),
        max_tokens=(256, 512, 800, 1024, 2048, 4096), max_tokens_palette=(1, 3), max_tokens_share=(0.3, 0.9),
        n_share=(0.0, 0.02), logprobs_share=(0.0, 0.01), top_logprobs=(1, 3),
        stream_share=(0.4, 0.95), tools_share=(0.0, 0.25), tool_count=(1, 8),
    ),
    prompts=PromptProfile(family="consumer_chat", templates=(6, 12), domains_per_account=(2, 6),
                          reasoning_share=(0.0, 0.03), stock_message_share=(0.03, 0.12)),
    workloads=CHAT_WORKLOADS,
    status=StatusProfile(rate_limited_share=(0.002, 0.03)),
)
_CONSUMER_IDENTITY = IdentityProfile(
    api_keys=(3, 8), network="cloud", ip_prefixes=(3, 12), ips_per_prefix=(2, 10),
    user_agent_families=("openai-python", "openai-node", "openai-java", "go-http", "mobile-app"),
    user_agents=(6, 30), countries=CLOUD_COUNTRIES, countries_per_account=(1, 4),
    account_age_days=(120.0, 1500.0), tiers=("tier-4", "tier-5", "enterprise"),
)

_CODING_ASSISTANT = Behaviour(
    timing=TimingProfile(rate_per_s=(0.01, 0.1), gap_shape=(1.0, 1.0), trace_pattern="code",
                         diurnal_amplitude=(0.3, 0.6)),
    prompt_tokens=TokenProfile(trace="code", scale=(0.8, 1.6)),
    completion_tokens=TokenProfile(trace="code", scale=(1.0, 4.0)),
    params=ParameterProfile(
        temperatures=(0.0, 0.1, 0.2), temperature_palette=(1, 2), temperature_share=(0.7, 1.0),
        max_tokens=(256, 512, 1024, 4096, 8192), max_tokens_palette=(1, 3), max_tokens_share=(0.5, 1.0),
        stream_share=(0.7, 1.0), tools_share=(0.2, 0.8), tool_count=(3, 25),
    ),
    prompts=PromptProfile(family="code_assist", templates=(5, 10), domains=("code",), domains_per_account=(1, 1),
                          reasoning_share=(0.0, 0.04)),
    workloads=(
        Workload("aurora-large", "chat.completions", 0.5),
        Workload("aurora-mini", "completions", 0.3),
        Workload("aurora-reasoner", "chat.completions", 0.1),
        Workload("aurora-large", "responses", 0.1),
    ),
    status=StatusProfile(rate_limited_share=(0.002, 0.02)),
)
_CODING_IDENTITY = IdentityProfile(
    api_keys=(2, 6), network="cloud", ip_prefixes=(2, 6), ips_per_prefix=(1, 6),
    user_agent_families=("ide-plugin", "openai-node", "openai-python"), user_agents=(4, 15),
    countries=CLOUD_COUNTRIES, countries_per_account=(1, 3), account_age_days=(60.0, 1200.0),
    tiers=("tier-3", "tier-4", "tier-5", "enterprise"),
)

_RAG_SERVICE = Behaviour(
    timing=TimingProfile(rate_per_s=(0.01, 0.08), gap_shape=(1.0, 1.0), trace_pattern="conv",
                         diurnal_amplitude=(0.1, 0.4)),
    prompt_tokens=TokenProfile(trace="conv", scale=(2.5, 6.0), maximum=32_000),
    completion_tokens=TokenProfile(trace="conv", scale=(0.5, 1.2)),
    params=ParameterProfile(
        temperatures=(0.0, 0.1, 0.2, 0.3), temperature_palette=(1, 1), temperature_share=(0.9, 1.0),
        max_tokens=(300, 500, 800, 1000), max_tokens_palette=(1, 1), max_tokens_share=(0.6, 1.0),
        stream_share=(0.3, 0.9),
    ),
    prompts=PromptProfile(family="rag", templates=(1, 1), domains_per_account=(1, 3)),
    workloads=(
        Workload("aurora-embed", "embeddings", 0.4),
        Workload("aurora-large", "chat.completions", 0.35),
        Workload("aurora-mini", "chat.completions", 0.25),
    ),
)
_RAG_IDENTITY = IdentityProfile(
    api_keys=(1, 4), network="cloud", ip_prefixes=(1, 3), ips_per_prefix=(1, 4),
    user_agent_families=("langchain", "llamaindex", "openai-python"), user_agents=(1, 4),
    countries=CLOUD_COUNTRIES, countries_per_account=(1, 2), account_age_days=(30.0, 900.0),
    tiers=("tier-2", "tier-3", "tier-4", "tier-5"),
)

_BATCH_EVAL = Behaviour(
    timing=TimingProfile(rate_per_s=(0.15, 0.7), gap_shape=(4.0, 12.0), drift_sigma=0.1,
                         session_minutes=(5.0, 20.0), pause_minutes=(40.0, 180.0)),
    prompt_tokens=TokenProfile(median=350.0, sigma=0.6, scale=(0.5, 3.0)),
    completion_tokens=TokenProfile(median=60.0, sigma=1.2, scale=(0.3, 6.0)),
    params=ParameterProfile(
        temperatures=(0.0, 0.0, 0.0, 0.8), temperature_palette=(1, 2), temperature_share=(0.95, 1.0),
        max_tokens=(1, 5, 16, 32, 256, 512, 1024, 2048), max_tokens_palette=(1, 2), max_tokens_share=(0.9, 1.0),
        n_values=(5, 10), n_share=(0.0, 0.3), logprobs_share=(0.0, 0.6), top_logprobs=(1, 5),
        stream_share=(0.0, 0.05),
    ),
    prompts=PromptProfile(family="benchmark", templates=(1, 2), domains_per_account=(1, 6),
                          reasoning_share=(0.0, 0.6), item_pool=(150, 3000)),
    workloads=(Workload("aurora-large", "chat.completions", 0.6), Workload("aurora-mini", "completions", 0.4)),
    status=StatusProfile(rate_limited_share=(0.01, 0.12)),
)
_BATCH_EVAL_IDENTITY = IdentityProfile(
    api_keys=(1, 3), network="cloud", ip_prefixes=(1, 2), ips_per_prefix=(1, 3),
    user_agent_families=("eval-harness", "openai-python", "aiohttp"), user_agents=(1, 2),
    countries=CLOUD_COUNTRIES, countries_per_account=(1, 1), account_age_days=(14.0, 1200.0),
    tiers=("tier-3", "tier-4", "tier-5", "enterprise"),
)

_SYNTHETIC_DATA = Behaviour(
    timing=TimingProfile(rate_per_s=(0.02, 0.12), gap_shape=(2.0, 8.0), drift_sigma=0.1,
                         session_minutes=(60.0, 240.0), pause_minutes=(10.0, 60.0)),
    prompt_tokens=TokenProfile(median=180.0, sigma=0.5, scale=(0.6, 2.0)),
    completion_tokens=TokenProfile(median=1100.0, sigma=0.5, scale=(0.6, 1.6)),
    params=ParameterProfile(
        temperatures=(0.7, 0.8, 0.9, 1.0), temperature_palette=(1, 2), temperature_share=(0.95, 1.0),
        max_tokens=(1024, 2048, 4096), max_tokens_palette=(1, 1), max_tokens_share=(0.8, 1.0),
        n_values=(2, 3, 4), n_share=(0.0, 0.3), logprobs_share=(0.0, 0.05), top_logprobs=(1, 2),
        stream_share=(0.0, 0.1),
    ),
    prompts=PromptProfile(family="synthetic_data", templates=(1, 4), domains_per_account=(1, 4),
                          reasoning_share=(0.0, 0.08)),
    workloads=(Workload("aurora-large", "chat.completions", 0.7), Workload("aurora-mini", "chat.completions", 0.3)),
    status=StatusProfile(rate_limited_share=(0.005, 0.06)),
)
_SYNTHETIC_DATA_IDENTITY = IdentityProfile(
    api_keys=(1, 3), network="cloud", ip_prefixes=(1, 2), ips_per_prefix=(1, 4),
    user_agent_families=("openai-python", "aiohttp"), user_agents=(1, 3),
    countries=CLOUD_COUNTRIES, countries_per_account=(1, 1), account_age_days=(20.0, 900.0),
    tiers=("tier-3", "tier-4", "tier-5"),
)

HOBBYIST = Behaviour(
    timing=TimingProfile(rate_per_s=(0.005, 0.05), gap_shape=(0.5, 1.0), trace_pattern="conv",
                         diurnal_amplitude=(0.2, 0.6), session_minutes=(10.0, 45.0), pause_minutes=(20.0, 120.0)),
    prompt_tokens=TokenProfile(median=60.0, sigma=1.0, scale=(0.5, 3.0), maximum=16_000),
    completion_tokens=TokenProfile(trace="conv", scale=(0.8, 4.0)),
    params=ParameterProfile(
        temperatures=(0.0, 0.2, 0.5, 0.7, 1.0, 1.2), temperature_palette=(1, 4), temperature_share=(0.2, 0.9),
        max_tokens=(100, 256, 500, 1000, 2000, 4096), max_tokens_palette=(1, 3), max_tokens_share=(0.1, 0.8),
        n_share=(0.0, 0.05), logprobs_share=(0.0, 0.08), top_logprobs=(1, 10),
        stream_share=(0.0, 0.8), tools_share=(0.0, 0.15),
    ),
    prompts=PromptProfile(family="casual_mixed", templates=(3, 11), domains_per_account=(1, 5),
                          reasoning_share=(0.0, 0.12)),
    workloads=CHAT_WORKLOADS,
    status=StatusProfile(rate_limited_share=(0.0, 0.01), client_error_share=(0.01, 0.06)),
)
_HOBBYIST_IDENTITY = IdentityProfile(
    api_keys=(1, 2), network="residential", ip_prefixes=(1, 2), ips_per_prefix=(1, 3),
    user_agent_families=("openai-python", "openai-node", "curl", "python-requests"), user_agents=(1, 3),
    countries=ALL_COUNTRIES, countries_per_account=(1, 1), account_age_days=(0.2, 1500.0),
    tiers=("free", "tier-1", "tier-2"),
)


BENIGN_ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("consumer_app", "benign", 3.0, organisation_member=True, variants=(
        Variant("standard", False, _CONSUMER_IDENTITY, single(CONSUMER_APP, False)),
        Variant("voice_assistant", True, _CONSUMER_IDENTITY, single(replace(
            CONSUMER_APP,
            timing=replace(CONSUMER_APP.timing, rate_per_s=(0.1, 0.5), diurnal_amplitude=(0.5, 0.8)),
            completion_tokens=TokenProfile(trace="conv", scale=(0.3, 0.6)),
            workloads=(Workload("aurora-mini", "chat.completions", 1.0),),
        ), False)),
    )),
    Archetype("coding_assistant", "benign", 6.0, organisation_member=True, variants=(
        Variant("standard", False, _CODING_IDENTITY, single(_CODING_ASSISTANT, False)),
        Variant("agentic_ide", True, _CODING_IDENTITY, single(replace(
            _CODING_ASSISTANT,
            completion_tokens=TokenProfile(trace="code", scale=(8.0, 30.0)),
            params=replace(_CODING_ASSISTANT.params, tools_share=(0.7, 1.0), tool_count=(10, 40)),
            workloads=(
                Workload("aurora-large", "chat.completions", 0.6),
                Workload("aurora-reasoner", "responses", 0.4),
            ),
        ), False)),
    )),
    Archetype("rag_service", "benign", 5.0, organisation_member=True, variants=(
        Variant("standard", False, _RAG_IDENTITY, single(_RAG_SERVICE, False)),
        Variant("multi_template", True, _RAG_IDENTITY, single(replace(
            _RAG_SERVICE,
            prompts=replace(_RAG_SERVICE.prompts, templates=(3, 4)),
            workloads=(Workload("aurora-embed", "embeddings", 0.6), Workload("aurora-mini", "responses", 0.4)),
        ), False)),
    )),
    Archetype("batch_eval", "benign", 4.0, organisation_member=True, variants=(
        Variant("standard", False, _BATCH_EVAL_IDENTITY, single(_BATCH_EVAL, False)),
        Variant("reasoning_benchmark", True, _BATCH_EVAL_IDENTITY, single(replace(
            _BATCH_EVAL,
            completion_tokens=TokenProfile(median=900.0, sigma=0.7),
            params=replace(_BATCH_EVAL.params, max_tokens=(2048, 4096, 8192), logprobs_share=(0.0, 0.0)),
            prompts=replace(_BATCH_EVAL.prompts, reasoning_share=(0.7, 1.0)),
            workloads=(Workload("aurora-reasoner", "chat.completions", 1.0),),
            reasoning_tokens=TokenProfile(median=2500.0, sigma=0.7),
        ), False)),
    )),
    Archetype("synthetic_data", "benign", 3.0, organisation_member=True, variants=(
        Variant("standard", False, _SYNTHETIC_DATA_IDENTITY, single(_SYNTHETIC_DATA, False)),
        Variant("labelling", True, _SYNTHETIC_DATA_IDENTITY, single(replace(
            _SYNTHETIC_DATA,
            timing=replace(_SYNTHETIC_DATA.timing, rate_per_s=(0.1, 0.4)),
            completion_tokens=TokenProfile(median=6.0, sigma=0.6),
            params=replace(_SYNTHETIC_DATA.params, temperatures=(0.0,), max_tokens=(5, 16), n_share=(0.0, 0.0)),
        ), False)),
    )),
    Archetype("researcher_hobbyist", "benign", 40.0, variants=(
        Variant("standard", False, _HOBBYIST_IDENTITY, single(HOBBYIST, False)),
        Variant("student_cohort", True, replace(_HOBBYIST_IDENTITY, account_age_days=(0.1, 30.0)), single(replace(
            HOBBYIST, prompts=replace(HOBBYIST.prompts, reasoning_share=(0.1, 0.4)),
        ), False)),
    )),
)
# fmt: on
