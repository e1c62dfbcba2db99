"""Extraction families from public reports of distillation campaigns and from evasions seen in evaluation.

Sources: Anthropic, "Detecting and preventing distillation attacks" (Feb 2026: ~24k fraudulent accounts,
16M+ exchanges, proxy networks load-balancing traffic over 20k accounts, reasoning-trace coercion);
Google GTIG AI threat tracker (Feb 2026: a 100k-prompt campaign coercing reasoning traces, including in
languages other than English); the MMD-based detector paper (distillers' output distributions). Two
shapes come from an independent evaluation: a fresh account pulling top_logprobs=20 with n=2 and
saturated answers at ~40 req/min, and a distiller with an ordinary chat app's parameters.
"""

from __future__ import annotations

from dataclasses import replace

from simulator.catalogue_common import single
from simulator.extraction_catalogue import AUTOMATION_IDENTITY, CRAWLER, LOGPROB_HARVEST, REASONING_COERCION
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
# Hours-old accounts, used until banned or rate-limited, then replaced (mirrored by benign launches).
_BURNED = IdentityProfile(account_age_days=(0.01, 0.3))
_LIFETIME = (0.1, 0.45)

_LOGPROB_BURST = Behaviour(
    timing=TimingProfile(rate_per_s=(0.4, 1.0)),
    prompt_tokens=TokenProfile(median=200.0, sigma=0.6, scale=(0.6, 2.0)),
    completion_tokens=TokenProfile(median=900.0, sigma=0.5),
    params=ParameterProfile(
        max_tokens=(256, 512, 1024), max_tokens_palette=(1, 1), max_tokens_share=(0.95, 1.0),
        n_values=(2,), n_share=(0.9, 1.0), logprobs_share=(0.95, 1.0), top_logprobs=(20, 20),
    ),
    prompts=PromptProfile(family="broad_distill", domains_per_account=(8, 16)),
    workloads=(Workload("aurora-large", "chat.completions", 1.0),),
)

# Ordinary chat-app parameters and a flat, trace-shaped rate; only coverage and harvested output differ.
_APP_MIMIC = Behaviour(
    timing=TimingProfile(rate_per_s=(0.05, 0.4), trace_pattern="conv"),
    prompt_tokens=TokenProfile(trace="conv", scale=(0.5, 1.5)),
    completion_tokens=TokenProfile(median=700.0, sigma=0.4, scale=(0.7, 1.4)),
    params=ParameterProfile(max_tokens=(1024, 2048, 4096), max_tokens_palette=(1, 2), max_tokens_share=(0.3, 0.8)),
    prompts=PromptProfile(family="consumer_chat", domains_per_account=(14, 16)),
    workloads=(Workload("aurora-large", "chat.completions", 0.8), Workload("aurora-large", "responses", 0.2)),
)


def _migration(before: Behaviour, new_model: str) -> tuple[Component, ...]:
    """The same harvest moved to a model released during the run, within a day of its release."""
    after = replace(before, workloads=tuple(replace(w, model=new_model) for w in before.workloads))
    return (
        Component(before, True, lifetime_fraction=(0.25, 0.5)),
        Component(after, True, onset_fraction=(0.25, 0.55)),
    )


_MULTILINGUAL = replace(
    REASONING_COERCION,
    prompts=PromptProfile(family="multilingual_reasoning", domains_per_account=(3, 10),
                          reasoning_share=(0.6, 0.95), reasoning_phrasing="multilingual"),
)

_GRADER = Behaviour(
    timing=TimingProfile(rate_per_s=(0.1, 0.8)),
    # The graded answer (or the pair) travels in the prompt.
    prompt_tokens=TokenProfile(median=900.0, sigma=0.6, scale=(0.6, 2.0)),
    completion_tokens=TokenProfile(median=3.0, sigma=0.6),
    params=ParameterProfile(
        max_tokens=(1, 2, 4), max_tokens_palette=(1, 2), max_tokens_share=(0.9, 1.0),
        logprobs_share=(0.9, 1.0), top_logprobs=(5, 20),
    ),
    prompts=PromptProfile(family="grader_rubric", domains_per_account=(8, 16)),
    workloads=(Workload("aurora-large", "chat.completions", 1.0),),
)

_TRAJECTORIES = Behaviour(
    timing=TimingProfile(rate_per_s=(0.04, 0.3)),
    # Tool schemas and the trajectory so far.
    prompt_tokens=TokenProfile(median=3000.0, sigma=0.7, scale=(0.6, 2.0), maximum=128_000),
    completion_tokens=TokenProfile(median=1800.0, sigma=0.5, scale=(0.7, 1.4)),
    params=ParameterProfile(
        max_tokens=(2048, 4096), max_tokens_palette=(1, 1), max_tokens_share=(0.8, 1.0),
        tools_share=(0.9, 1.0), tool_count=(10, 60),
    ),
    prompts=PromptProfile(family="agent_tasks", domains_per_account=(8, 16)),
    workloads=(Workload("aurora-reasoner", "responses", 0.5), Workload("aurora-large", "chat.completions", 0.5)),
)

_DIALOGUE = Behaviour(
    timing=TimingProfile(rate_per_s=(0.03, 0.2)),
    # Each turn resends the growing history.
    prompt_tokens=TokenProfile(median=2500.0, sigma=0.8, maximum=64_000),
    completion_tokens=TokenProfile(median=1200.0, sigma=0.5, scale=(0.7, 1.4)),
    params=ParameterProfile(max_tokens=(1024, 2048), max_tokens_palette=(1, 1), max_tokens_share=(0.8, 1.0)),
    prompts=PromptProfile(family="dialogue_turn", domains_per_account=(10, 16)),
    workloads=(Workload("aurora-large", "chat.completions", 1.0),),
)

_EMBEDDING = Behaviour(
    timing=TimingProfile(rate_per_s=(0.1, 0.6)),
    prompt_tokens=TokenProfile(median=40.0, sigma=0.5),
    completion_tokens=TokenProfile(median=1.0, sigma=0.0),
    params=ParameterProfile(),
    prompts=PromptProfile(family="embedding_passage", domains_per_account=(10, 16)),
    workloads=(Workload("aurora-embed", "embeddings", 1.0),),
    embedding_tokens=TokenProfile(median=300.0, sigma=0.6),
)


REPORTED_EXTRACTION_ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("burn_and_replace", "extraction", 3.0, variants=(
        Variant("crawler_burst", False, _BURNED, (Component(
            replace(CRAWLER, timing=TimingProfile(rate_per_s=(0.2, 1.0))), True, lifetime_fraction=_LIFETIME),)),
        Variant("logprob_burst", False, _BURNED, (Component(_LOGPROB_BURST, True, lifetime_fraction=_LIFETIME),)),
        Variant("reasoning_burst", True, _BURNED, (Component(
            replace(REASONING_COERCION, timing=TimingProfile(rate_per_s=(0.2, 0.8))), True,
            lifetime_fraction=_LIFETIME),)),
    )),
    Archetype("app_mimic", "extraction", 3.0, variants=(
        Variant("standard", False, IdentityProfile(), single(_APP_MIMIC, True)),
        Variant("multi_key_app", False, IdentityProfile(api_keys=(5, 20), user_agents=(8, 30)), single(replace(
            _APP_MIMIC, prompts=PromptProfile(family="casual_mixed", domains_per_account=(14, 16)),
        ), True)),
        # The evaluated shape exactly: streaming, temperature 0.7 on every request.
        Variant("chat_clone", True, IdentityProfile(), single(replace(
            _APP_MIMIC,
            params=replace(_APP_MIMIC.params, temperatures=(0.7,), temperature_palette=(1, 1),
                           temperature_share=(1.0, 1.0), stream_share=(0.85, 1.0)),
        ), True)),
    )),
    Archetype("model_migration", "extraction", 2.0, variants=(
        Variant("crawler_migration", False, AUTOMATION_IDENTITY, _migration(CRAWLER, "aurora-large-2")),
        Variant("reasoning_migration", False, AUTOMATION_IDENTITY, _migration(replace(
            REASONING_COERCION, workloads=(Workload("aurora-reasoner", "chat.completions", 1.0),),
        ), "aurora-reasoner-2")),
        Variant("logprob_migration", True, AUTOMATION_IDENTITY, _migration(LOGPROB_HARVEST, "aurora-large-2")),
    )),
    Archetype("multilingual_coercion", "extraction", 2.0, variants=(
        Variant("standard", False, AUTOMATION_IDENTITY, single(_MULTILINGUAL, True)),
        # English problems, the trace requested in another language.
        Variant("translated_trace", False, AUTOMATION_IDENTITY, single(replace(
            REASONING_COERCION, prompts=replace(REASONING_COERCION.prompts, reasoning_phrasing="multilingual"),
        ), True)),
        Variant("low_rate_multilingual", True, AUTOMATION_IDENTITY, single(replace(
            _MULTILINGUAL,
            timing=TimingProfile(rate_per_s=(0.005, 0.03), session_minutes=(20.0, 120.0), pause_minutes=(10.0, 60.0)),
        ), True)),
    )),
    Archetype("grader_extraction", "extraction", 2.0, variants=(
        Variant("scalar_score", False, AUTOMATION_IDENTITY, single(_GRADER, True)),
        Variant("pairwise_preference", False, AUTOMATION_IDENTITY, single(replace(
            _GRADER,
            prompt_tokens=TokenProfile(median=1600.0, sigma=0.5),
            params=replace(_GRADER.params, max_tokens=(1, 2), top_logprobs=(2, 10)),
        ), True)),
        Variant("critique_harvest", True, AUTOMATION_IDENTITY, single(replace(
            _GRADER,
            completion_tokens=TokenProfile(median=900.0, sigma=0.5),
            params=ParameterProfile(max_tokens=(512, 1024), max_tokens_palette=(1, 1), max_tokens_share=(0.9, 1.0)),
            workloads=(Workload("aurora-reasoner", "chat.completions", 1.0),),
        ), True)),
    )),
    Archetype("trajectory_harvest", "extraction", 2.0, variants=(
        Variant("standard", False, AUTOMATION_IDENTITY, single(_TRAJECTORIES, True)),
        Variant("tool_schema_sweep", False, AUTOMATION_IDENTITY, single(replace(
            _TRAJECTORIES,
            prompt_tokens=TokenProfile(median=8000.0, sigma=0.5, maximum=128_000),
            params=replace(_TRAJECTORIES.params, tool_count=(50, 200)),
        ), True)),
        Variant("bursty_agent", True, AUTOMATION_IDENTITY, single(replace(
            _TRAJECTORIES, timing=TimingProfile(rate_per_s=(0.04, 0.3), trace_pattern="code"),
        ), True)),
    )),
    Archetype("dialogue_harvest", "extraction", 2.0, variants=(
        Variant("standard", False, AUTOMATION_IDENTITY, single(_DIALOGUE, True)),
        Variant("persona_roleplay", False, AUTOMATION_IDENTITY, single(replace(
            _DIALOGUE, prompts=PromptProfile(family="domain_qa", domains_per_account=(10, 16)),
        ), True)),
        Variant("self_chat", True, AUTOMATION_IDENTITY, single(replace(
            _DIALOGUE,
            timing=TimingProfile(rate_per_s=(0.1, 0.5)),
            params=replace(_DIALOGUE.params, n_values=(2, 3, 4), n_share=(0.5, 1.0)),
        ), True)),
    )),
    Archetype("embedding_extraction", "extraction", 2.0, variants=(
        Variant("standard", False, AUTOMATION_IDENTITY, single(_EMBEDDING, True)),
        Variant("batched_corpus", False, AUTOMATION_IDENTITY, single(replace(
            _EMBEDDING, embedding_tokens=TokenProfile(median=2000.0, sigma=0.5, maximum=8192),
        ), True)),
        Variant("paraphrase_sweep", True, AUTOMATION_IDENTITY, single(replace(
            _EMBEDDING, prompts=replace(_EMBEDDING.prompts, repeat_share=(0.3, 0.6)),
        ), True)),
    )),
)
# fmt: on
