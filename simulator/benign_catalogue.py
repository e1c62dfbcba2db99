"""The benign archetype catalogue: legitimate API customers, several of them deliberate hard negatives.

Batch evaluations (templated, logprobs, saturated max_tokens), synthetic-data customers (high volume,
long outputs, machine paced) and consumer backends (more volume than any extractor) share one or more of
an extractor's habits without harvesting the model. Entries set only their purpose's knobs; the
secondary ones keep the label-independent defaults of `profiles.py`.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.catalogue_common import CHAT_WORKLOADS, single
from simulator.profiles import (
    Archetype,
    Behaviour,
    IdentityProfile,
    ParameterProfile,
    PromptProfile,
    TimingProfile,
    TokenProfile,
    Variant,
    Workload,
)

# The catalogue reads as a table, one profile field per line group; keep it out of the formatter.
# fmt: off
CONSUMER_APP = Behaviour(
    timing=TimingProfile(rate_per_s=(0.05, 0.6), trace_pattern="conv"),
    prompt_tokens=TokenProfile(trace="conv", scale=(0.5, 1.5)),
    completion_tokens=TokenProfile(trace="conv", scale=(0.7, 1.4)),
    params=ParameterProfile(
        max_tokens=(256, 512, 800, 1024, 2048, 4096), max_tokens_palette=(1, 3), max_tokens_share=(0.3, 0.9),
        n_share=(0.0, 0.02), logprobs_share=(0.0, 0.01), top_logprobs=(1, 3),
        tools_share=(0.0, 0.25), tool_count=(1, 8),
    ),
    prompts=PromptProfile(family="consumer_chat", domains_per_account=(2, 6), reasoning_share=(0.0, 0.03)),
    workloads=CHAT_WORKLOADS,
)
_CONSUMER_IDENTITY = IdentityProfile(
    user_agent_families=("openai-python", "openai-node", "openai-java", "go-http", "mobile-app"),
)

_CODING_ASSISTANT = Behaviour(
    timing=TimingProfile(rate_per_s=(0.01, 0.1), trace_pattern="code"),
    prompt_tokens=TokenProfile(trace="code", scale=(0.8, 1.6)),
    completion_tokens=TokenProfile(trace="code", scale=(1.0, 4.0)),
    params=ParameterProfile(
        max_tokens=(256, 512, 1024, 4096, 8192), max_tokens_palette=(1, 3), max_tokens_share=(0.5, 1.0),
        tools_share=(0.2, 0.8), tool_count=(3, 25),
    ),
    prompts=PromptProfile(family="code_assist", domains=("code",), domains_per_account=(1, 1),
                          reasoning_share=(0.0, 0.04)),
    workloads=(
        Workload("aurora-large", "chat.completions", 0.5),
        Workload("aurora-mini", "completions", 0.3),
        Workload("aurora-reasoner", "chat.completions", 0.1),
        Workload("aurora-large", "responses", 0.1),
    ),
)
_CODING_IDENTITY = IdentityProfile(user_agent_families=("ide-plugin", "openai-node", "openai-python"))

_RAG_SERVICE = Behaviour(
    timing=TimingProfile(rate_per_s=(0.01, 0.08), trace_pattern="conv"),
    prompt_tokens=TokenProfile(trace="conv", scale=(2.5, 6.0), maximum=32_000),
    completion_tokens=TokenProfile(trace="conv", scale=(0.5, 1.2)),
    params=ParameterProfile(max_tokens=(300, 500, 800, 1000), max_tokens_palette=(1, 1), max_tokens_share=(0.6, 1.0)),
    prompts=PromptProfile(family="rag", domains_per_account=(1, 3)),
    workloads=(
        Workload("aurora-embed", "embeddings", 0.4),
        Workload("aurora-large", "chat.completions", 0.35),
        Workload("aurora-mini", "chat.completions", 0.25),
    ),
)
_RAG_IDENTITY = IdentityProfile(user_agent_families=("langchain", "llamaindex", "openai-python"))

_BATCH_EVAL = Behaviour(
    timing=TimingProfile(rate_per_s=(0.15, 0.7), session_minutes=(5.0, 20.0), pause_minutes=(40.0, 180.0)),
    prompt_tokens=TokenProfile(median=350.0, sigma=0.6, scale=(0.5, 3.0)),
    completion_tokens=TokenProfile(median=60.0, sigma=1.2, scale=(0.3, 6.0)),
    params=ParameterProfile(
        max_tokens=(1, 5, 16, 32, 256, 512, 1024, 2048), max_tokens_palette=(1, 2), max_tokens_share=(0.9, 1.0),
        n_values=(5, 10), n_share=(0.0, 0.3), logprobs_share=(0.0, 0.6), top_logprobs=(1, 5),
    ),
    prompts=PromptProfile(family="benchmark", domains_per_account=(1, 6), reasoning_share=(0.0, 0.6),
                          item_pool=(150, 3000)),
    workloads=(Workload("aurora-large", "chat.completions", 0.6), Workload("aurora-mini", "completions", 0.4)),
)
_BATCH_EVAL_IDENTITY = IdentityProfile(user_agent_families=("eval-harness", "openai-python", "aiohttp"))

_SYNTHETIC_DATA = Behaviour(
    timing=TimingProfile(rate_per_s=(0.02, 0.12), session_minutes=(60.0, 240.0), pause_minutes=(10.0, 60.0)),
    prompt_tokens=TokenProfile(median=180.0, sigma=0.5, scale=(0.6, 2.0)),
    completion_tokens=TokenProfile(median=1100.0, sigma=0.5, scale=(0.6, 1.6)),
    params=ParameterProfile(
        max_tokens=(1024, 2048, 4096), max_tokens_palette=(1, 1), max_tokens_share=(0.8, 1.0),
        n_values=(2, 3, 4), n_share=(0.0, 0.3), logprobs_share=(0.0, 0.05), top_logprobs=(1, 2),
    ),
    prompts=PromptProfile(family="synthetic_data", domains_per_account=(1, 4), reasoning_share=(0.0, 0.08)),
    workloads=(Workload("aurora-large", "chat.completions", 0.7), Workload("aurora-mini", "chat.completions", 0.3)),
)
_SYNTHETIC_DATA_IDENTITY = IdentityProfile(user_agent_families=("openai-python", "aiohttp"))

HOBBYIST = Behaviour(
    timing=TimingProfile(rate_per_s=(0.005, 0.05), trace_pattern="conv", session_minutes=(10.0, 45.0),
                         pause_minutes=(20.0, 120.0)),
    prompt_tokens=TokenProfile(median=60.0, sigma=1.0, scale=(0.5, 3.0), maximum=16_000),
    completion_tokens=TokenProfile(trace="conv", scale=(0.8, 4.0)),
    params=ParameterProfile(
        max_tokens=(100, 256, 500, 1000, 2000, 4096), max_tokens_palette=(1, 3), max_tokens_share=(0.1, 0.8),
        n_share=(0.0, 0.05), logprobs_share=(0.0, 0.08), top_logprobs=(1, 10), tools_share=(0.0, 0.15),
    ),
    prompts=PromptProfile(family="casual_mixed", domains_per_account=(1, 5), reasoning_share=(0.0, 0.12)),
    workloads=CHAT_WORKLOADS,
)
_HOBBYIST_IDENTITY = IdentityProfile(
    network="residential", user_agent_families=("openai-python", "openai-node", "curl", "python-requests"),
)


BENIGN_ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("consumer_app", "benign", 3.0, organisation_member=True, variants=(
        Variant("standard", False, _CONSUMER_IDENTITY, single(CONSUMER_APP, False)),
        Variant("voice_assistant", True, _CONSUMER_IDENTITY, single(replace(
            CONSUMER_APP,
            timing=replace(CONSUMER_APP.timing, rate_per_s=(0.1, 0.5)),
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
            params=replace(_SYNTHETIC_DATA.params, max_tokens=(5, 16), n_share=(0.0, 0.0)),
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
