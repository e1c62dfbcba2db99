"""Account archetypes: who sends traffic, and how, expressed as parameters rather than code paths.

An `Archetype` (e.g. coding assistant, distillation crawler) has one or more `Variant`s; a variant fixes
the account's identity profile (keys, networks, user agents, age, tier) and its traffic `Component`s.
Most accounts have one component; a reseller mixes a legitimate component with an extraction
component that starts later (its attack onset). Every numeric field is a range: each account draws
its own value, so accounts of one archetype differ and the archetypes overlap on every single feature.

Variants marked `held_out` are only generated with `SimulationConfig.held_out_variants`, so a model
trained without them can be evaluated on unseen rates, templates, domains and infrastructures.
Several benign archetypes are deliberate hard negatives: batch evaluations (templated, temperature 0,
logprobs, saturated max_tokens), synthetic-data customers (high volume, long outputs, machine paced)
and consumer backends (more volume than any extractor).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from simulator.identity import Network

Label = Literal["benign", "extraction"]
Endpoint = Literal["chat.completions", "completions", "responses", "embeddings"]
TraceService = Literal["conv", "code"]
Share = tuple[float, float]  # a probability range; each account draws uniformly from it
Span = tuple[float, float]  # a positive magnitude range; each account draws log-uniformly from it
IntRange = tuple[int, int]  # inclusive


@dataclass(frozen=True)
class TimingProfile:
    rate_per_s: Span  # while in a session, before diurnal/drift modulation
    gap_shape: Span  # gamma shape of gaps between bursts: 1 Poisson, >1 paced, <1 clumped
    trace_pattern: TraceService | None = None  # replay the calibrated second-scale shape of that trace
    drift_sigma: float = 0.1  # used without trace_pattern
    drift_autocorrelation: float = 0.8
    diurnal_amplitude: Share = (0.0, 0.0)
    session_minutes: Span | None = None  # None: always active
    pause_minutes: Span = (0.0, 0.0)


@dataclass(frozen=True)
class TokenProfile:
    """Token counts from a calibrated trace's quantiles, or log-normal (median, sigma); times `scale`."""

    trace: TraceService | None = None
    median: float = 0.0
    sigma: float = 0.0
    scale: Span = (1.0, 1.0)
    maximum: int = 128_000


@dataclass(frozen=True)
class ParameterProfile:
    """Request parameters. Each account draws a small palette of values; requests pick from it."""

    temperatures: tuple[float, ...] = (0.7, 1.0)
    temperature_palette: IntRange = (1, 2)
    temperature_share: Share = (0.5, 1.0)  # requests that set temperature at all
    top_p_share: Share = (0.0, 0.1)
    max_tokens: tuple[int, ...] = (512, 1024, 2048, 4096)
    max_tokens_palette: IntRange = (1, 2)
    max_tokens_share: Share = (0.3, 0.8)
    n_values: tuple[int, ...] = (2, 3)
    n_share: Share = (0.0, 0.0)  # requests with n > 1
    logprobs_share: Share = (0.0, 0.0)
    top_logprobs: IntRange = (0, 0)
    stream_share: Share = (0.0, 0.5)
    tools_share: Share = (0.0, 0.0)
    tool_count: IntRange = (1, 5)


@dataclass(frozen=True)
class StatusProfile:
    rate_limited_share: Share = (0.0, 0.01)  # 429
    client_error_share: Share = (0.002, 0.015)  # other 4xx
    server_error_share: Share = (0.001, 0.005)  # 5xx, provider side, so similar for everyone


@dataclass(frozen=True)
class PromptProfile:
    family: str  # key of prompts.TEMPLATE_FAMILIES
    templates: IntRange  # how many of the family's templates one account uses
    domains: tuple[str, ...] = ()  # topic domains; empty means all
    domains_per_account: IntRange = (16, 16)
    reasoning_share: Share = (0.0, 0.0)  # prompts ending in a reasoning-elicitation phrase
    reasoning_phrasing: str = "standard"
    stock_message_share: Share = (0.0, 0.0)  # "hi", "continue", ... (exact repeats)
    item_pool: IntRange | None = None  # finite benchmark size; items cycle and repeat
    # Account-level privacy setting: probabilities of sending text, only its sha256, or neither
    # (an account with several components takes its first component's setting).
    visibility: tuple[float, float, float] = (1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Workload:
    model: str
    endpoint: Endpoint
    weight: float


@dataclass(frozen=True)
class Behaviour:
    timing: TimingProfile
    prompt_tokens: TokenProfile
    completion_tokens: TokenProfile  # natural length per choice, before the max_tokens cap
    params: ParameterProfile
    prompts: PromptProfile
    workloads: tuple[Workload, ...]
    status: StatusProfile = StatusProfile()
    reasoning_tokens: TokenProfile = TokenProfile(median=600.0, sigma=0.9)  # reasoning models only
    embedding_tokens: TokenProfile = TokenProfile(median=180.0, sigma=0.8)


@dataclass(frozen=True)
class IdentityProfile:
    api_keys: IntRange
    network: Network
    ip_prefixes: IntRange  # distinct /24 prefixes
    ips_per_prefix: IntRange
    user_agent_families: tuple[str, ...]
    user_agents: IntRange
    countries: tuple[str, ...]
    countries_per_account: IntRange
    account_age_days: Span
    tiers: tuple[str, ...]


@dataclass(frozen=True)
class Component:
    behaviour: Behaviour
    extraction: bool
    onset_fraction: Share = (0.0, 0.0)  # start, as a fraction of the simulated duration
    api_keys: int | None = None  # only this many of the account's keys (e.g. a reseller customer's key)


@dataclass(frozen=True)
class Coordination:
    """How a campaign's accounts share infrastructure and behaviour."""

    ip_prefixes: IntRange  # /24 ranges the whole campaign draws addresses from
    payment_fingerprints: IntRange
    user_agents: IntRange
    synchronised: bool  # one session schedule and rate drift for all members
    shared_templates: bool
    start_fraction: Share  # campaign start, as a fraction of the duration
    member_stagger: float  # member onsets spread over this fraction of the duration after the start


@dataclass(frozen=True)
class Variant:
    name: str
    held_out: bool
    identity: IdentityProfile
    components: tuple[Component, ...]
    coordination: Coordination | None = None


@dataclass(frozen=True)
class Archetype:
    name: str
    label: Label
    weight: float  # relative share among accounts of the same label
    variants: tuple[Variant, ...]
    # Benign accounts of such archetypes may belong to an organisation sharing payment and egress.
    organisation_member: bool = False

    def eligible_variants(self, held_out: bool) -> tuple[Variant, ...]:
        """Held-out runs use the held-out variants where an archetype has them."""
        chosen = tuple(variant for variant in self.variants if variant.held_out == held_out)
        return chosen or tuple(variant for variant in self.variants if not variant.held_out)


MODELS: tuple[str, ...] = ("aurora-large", "aurora-mini", "aurora-reasoner", "aurora-embed")
REASONING_MODELS: frozenset[str] = frozenset({"aurora-reasoner"})
EMBEDDING_ENDPOINT: Endpoint = "embeddings"


def _single(behaviour: Behaviour, extraction: bool) -> tuple[Component, ...]:
    return (Component(behaviour=behaviour, extraction=extraction),)


# The catalogue reads as a table, one profile field per line group; keep it out of the formatter.
# fmt: off
_CHAT_WORKLOADS = (
    Workload("aurora-large", "chat.completions", 0.45),
    Workload("aurora-mini", "chat.completions", 0.35),
    Workload("aurora-mini", "responses", 0.12),
    Workload("aurora-reasoner", "chat.completions", 0.08),
)
_CLOUD_COUNTRIES = ("US", "US", "US", "IE", "DE", "GB", "NL", "SG", "JP", "IN", "BR", "CA", "AU", "FR")
_ALL_COUNTRIES = (*_CLOUD_COUNTRIES, "KR", "ES", "IT", "MX", "PL", "SE", "ZA", "NG", "ID", "VN", "TR", "CN", "RU")
_AUTOMATION_AGENTS = ("aiohttp", "python-requests", "openai-python")

# ---------------------------------------------------------------- benign

_CONSUMER_APP = Behaviour(
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
                          reasoning_share=(0.0, 0.03), stock_message_share=(0.03, 0.12),
                          visibility=(0.45, 0.35, 0.2)),
    workloads=_CHAT_WORKLOADS,
    status=StatusProfile(rate_limited_share=(0.002, 0.03)),
)
_CONSUMER_IDENTITY = IdentityProfile(
    api_keys=(3, 8), network="cloud", ip_prefixes=(3, 12), ips_per_prefix=(2, 10),
    user_agent_families=("openai-python", "openai-node", "openai-java", "go-http", "mobile-app"),
    user_agents=(6, 30), countries=_CLOUD_COUNTRIES, countries_per_account=(1, 4),
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
                          reasoning_share=(0.0, 0.04), visibility=(0.4, 0.4, 0.2)),
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
    countries=_CLOUD_COUNTRIES, countries_per_account=(1, 3), account_age_days=(60.0, 1200.0),
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
    prompts=PromptProfile(family="rag", templates=(1, 1), domains_per_account=(1, 3), visibility=(0.6, 0.3, 0.1)),
    workloads=(
        Workload("aurora-embed", "embeddings", 0.4),
        Workload("aurora-large", "chat.completions", 0.35),
        Workload("aurora-mini", "chat.completions", 0.25),
    ),
)
_RAG_IDENTITY = IdentityProfile(
    api_keys=(1, 4), network="cloud", ip_prefixes=(1, 3), ips_per_prefix=(1, 4),
    user_agent_families=("langchain", "llamaindex", "openai-python"), user_agents=(1, 4),
    countries=_CLOUD_COUNTRIES, countries_per_account=(1, 2), account_age_days=(30.0, 900.0),
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
                          reasoning_share=(0.0, 0.6), item_pool=(150, 3000), visibility=(0.9, 0.1, 0.0)),
    workloads=(Workload("aurora-large", "chat.completions", 0.6), Workload("aurora-mini", "completions", 0.4)),
    status=StatusProfile(rate_limited_share=(0.01, 0.12)),
)
_BATCH_EVAL_IDENTITY = IdentityProfile(
    api_keys=(1, 3), network="cloud", ip_prefixes=(1, 2), ips_per_prefix=(1, 3),
    user_agent_families=("eval-harness", "openai-python", "aiohttp"), user_agents=(1, 2),
    countries=_CLOUD_COUNTRIES, countries_per_account=(1, 1), account_age_days=(14.0, 1200.0),
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
                          reasoning_share=(0.0, 0.08), visibility=(0.8, 0.2, 0.0)),
    workloads=(Workload("aurora-large", "chat.completions", 0.7), Workload("aurora-mini", "chat.completions", 0.3)),
    status=StatusProfile(rate_limited_share=(0.005, 0.06)),
)
_SYNTHETIC_DATA_IDENTITY = IdentityProfile(
    api_keys=(1, 3), network="cloud", ip_prefixes=(1, 2), ips_per_prefix=(1, 4),
    user_agent_families=("openai-python", "aiohttp"), user_agents=(1, 3),
    countries=_CLOUD_COUNTRIES, countries_per_account=(1, 1), account_age_days=(20.0, 900.0),
    tiers=("tier-3", "tier-4", "tier-5"),
)

_HOBBYIST = Behaviour(
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
                          reasoning_share=(0.0, 0.12), visibility=(0.85, 0.15, 0.0)),
    workloads=_CHAT_WORKLOADS,
    status=StatusProfile(rate_limited_share=(0.0, 0.01), client_error_share=(0.01, 0.06)),
)
_HOBBYIST_IDENTITY = IdentityProfile(
    api_keys=(1, 2), network="residential", ip_prefixes=(1, 2), ips_per_prefix=(1, 3),
    user_agent_families=("openai-python", "openai-node", "curl", "python-requests"), user_agents=(1, 3),
    countries=_ALL_COUNTRIES, countries_per_account=(1, 1), account_age_days=(0.2, 1500.0),
    tiers=("free", "tier-1", "tier-2"),
)

# ---------------------------------------------------------------- extraction

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
    user_agent_families=_AUTOMATION_AGENTS, user_agents=(1, 2), countries=_ALL_COUNTRIES,
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
    user_agent_families=("openai-python",), user_agents=(1, 1), countries=_ALL_COUNTRIES,
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
    user_agent_families=_AUTOMATION_AGENTS, user_agents=(1, 1), countries=_ALL_COUNTRIES,
    countries_per_account=(1, 1), account_age_days=(0.1, 6.0), tiers=("free", "tier-1"),
)

_RESELLER_LEGITIMATE = replace(
    _CONSUMER_APP,
    timing=replace(_CONSUMER_APP.timing, rate_per_s=(0.05, 0.25)),
    prompts=replace(_CONSUMER_APP.prompts, visibility=(1.0, 0.0, 0.0)),
)
_RESELLER_EXTRACTION = replace(_CRAWLER, timing=replace(_CRAWLER.timing, rate_per_s=(0.02, 0.08)))
_RESELLER_IDENTITY = IdentityProfile(
    api_keys=(3, 10), network="cloud", ip_prefixes=(1, 3), ips_per_prefix=(2, 6),
    user_agent_families=("openai-python", "openai-node", "go-http", "langchain", "mobile-app"),
    user_agents=(10, 40), countries=_CLOUD_COUNTRIES, countries_per_account=(2, 6),
    account_age_days=(200.0, 1500.0), tiers=("tier-4", "tier-5"),
)


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("consumer_app", "benign", 3.0, organisation_member=True, variants=(
        Variant("standard", False, _CONSUMER_IDENTITY, _single(_CONSUMER_APP, False)),
        Variant("voice_assistant", True, _CONSUMER_IDENTITY, _single(replace(
            _CONSUMER_APP,
            timing=replace(_CONSUMER_APP.timing, rate_per_s=(0.1, 0.5), diurnal_amplitude=(0.5, 0.8)),
            completion_tokens=TokenProfile(trace="conv", scale=(0.3, 0.6)),
            workloads=(Workload("aurora-mini", "chat.completions", 1.0),),
            prompts=replace(_CONSUMER_APP.prompts, visibility=(0.0, 0.7, 0.3)),
        ), False)),
    )),
    Archetype("coding_assistant", "benign", 6.0, organisation_member=True, variants=(
        Variant("standard", False, _CODING_IDENTITY, _single(_CODING_ASSISTANT, False)),
        Variant("agentic_ide", True, _CODING_IDENTITY, _single(replace(
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
        Variant("standard", False, _RAG_IDENTITY, _single(_RAG_SERVICE, False)),
        Variant("multi_template", True, _RAG_IDENTITY, _single(replace(
            _RAG_SERVICE,
            prompts=replace(_RAG_SERVICE.prompts, templates=(3, 4)),
            workloads=(Workload("aurora-embed", "embeddings", 0.6), Workload("aurora-mini", "responses", 0.4)),
        ), False)),
    )),
    Archetype("batch_eval", "benign", 4.0, organisation_member=True, variants=(
        Variant("standard", False, _BATCH_EVAL_IDENTITY, _single(_BATCH_EVAL, False)),
        Variant("reasoning_benchmark", True, _BATCH_EVAL_IDENTITY, _single(replace(
            _BATCH_EVAL,
            completion_tokens=TokenProfile(median=900.0, sigma=0.7),
            params=replace(_BATCH_EVAL.params, max_tokens=(2048, 4096, 8192), logprobs_share=(0.0, 0.0)),
            prompts=replace(_BATCH_EVAL.prompts, reasoning_share=(0.7, 1.0)),
            workloads=(Workload("aurora-reasoner", "chat.completions", 1.0),),
            reasoning_tokens=TokenProfile(median=2500.0, sigma=0.7),
        ), False)),
    )),
    Archetype("synthetic_data", "benign", 3.0, organisation_member=True, variants=(
        Variant("standard", False, _SYNTHETIC_DATA_IDENTITY, _single(_SYNTHETIC_DATA, False)),
        Variant("labelling", True, _SYNTHETIC_DATA_IDENTITY, _single(replace(
            _SYNTHETIC_DATA,
            timing=replace(_SYNTHETIC_DATA.timing, rate_per_s=(0.1, 0.4)),
            completion_tokens=TokenProfile(median=6.0, sigma=0.6),
            params=replace(_SYNTHETIC_DATA.params, temperatures=(0.0,), max_tokens=(5, 16), n_share=(0.0, 0.0)),
        ), False)),
    )),
    Archetype("researcher_hobbyist", "benign", 40.0, variants=(
        Variant("standard", False, _HOBBYIST_IDENTITY, _single(_HOBBYIST, False)),
        Variant("student_cohort", True, replace(_HOBBYIST_IDENTITY, account_age_days=(0.1, 30.0)), _single(replace(
            _HOBBYIST, prompts=replace(_HOBBYIST.prompts, reasoning_share=(0.1, 0.4)),
        ), False)),
    )),
    Archetype("distillation_crawler", "extraction", 3.0, variants=(
        Variant("standard", False, _CRAWLER_IDENTITY, _single(_CRAWLER, True)),
        # Looks like a hobbyist first, then turns the crawler on.
        Variant("warm_start", False, _CRAWLER_IDENTITY, (
            Component(replace(_HOBBYIST, timing=replace(_HOBBYIST.timing, session_minutes=None)), False),
            Component(_CRAWLER, True, onset_fraction=(0.15, 0.5)),
        )),
        Variant("proxy_rotation", True, replace(
            _CRAWLER_IDENTITY, network="residential", ip_prefixes=(15, 60), ips_per_prefix=(1, 2),
            user_agent_families=("headless-browser", "openai-python", "openai-node"), user_agents=(8, 30),
        ), _single(replace(
            _CRAWLER,
            timing=replace(_CRAWLER.timing, gap_shape=(1.5, 3.0)),
            params=replace(_CRAWLER.params, temperature_palette=(2, 4)),
        ), True)),
        Variant("document_seeded", True, _CRAWLER_IDENTITY, _single(replace(
            _CRAWLER, prompt_tokens=TokenProfile(median=900.0, sigma=0.5, scale=(0.7, 1.5)),
        ), True)),
    )),
    Archetype("reasoning_coercion", "extraction", 2.0, variants=(
        Variant("standard", False, _REASONING_IDENTITY, _single(_REASONING_COERCION, True)),
        Variant("socratic", True, _REASONING_IDENTITY, _single(replace(
            _REASONING_COERCION,
            timing=replace(_REASONING_COERCION.timing, rate_per_s=(0.01, 0.06)),
            prompts=replace(_REASONING_COERCION.prompts, reasoning_phrasing="socratic", reasoning_share=(0.4, 0.8)),
        ), True)),
    )),
    Archetype("logprob_harvest", "extraction", 2.0, variants=(
        Variant("standard", False, _REASONING_IDENTITY, _single(_LOGPROB_HARVEST, True)),
        Variant("topk_single", True, _REASONING_IDENTITY, _single(replace(
            _LOGPROB_HARVEST,
            completion_tokens=TokenProfile(median=120.0, sigma=0.6),
            params=replace(_LOGPROB_HARVEST.params, temperatures=(0.0,), max_tokens=(64, 128, 256),
                           n_share=(0.0, 0.0), top_logprobs=(5, 5)),
        ), True)),
    )),
    Archetype("capability_narrow", "extraction", 2.0, variants=(
        Variant("agentic_coding", False, _CRAWLER_IDENTITY, _single(_CAPABILITY_NARROW, True)),
        Variant("medical_qa", True, _CRAWLER_IDENTITY, _single(replace(
            _CAPABILITY_NARROW,
            prompt_tokens=TokenProfile(median=120.0, sigma=0.5),
            params=replace(_CAPABILITY_NARROW.params, tools_share=(0.0, 0.0)),
            prompts=PromptProfile(family="domain_qa", templates=(2, 4), domains=("medicine",),
                                  domains_per_account=(1, 1), reasoning_share=(0.0, 0.2)),
        ), True)),
    )),
    Archetype("low_and_slow", "extraction", 3.0, variants=(
        Variant("standard", False, _LOW_AND_SLOW_IDENTITY, _single(_LOW_AND_SLOW, True)),
        Variant("business_hours", True, _LOW_AND_SLOW_IDENTITY, _single(replace(
            _LOW_AND_SLOW,
            timing=TimingProfile(rate_per_s=(0.002, 0.01), gap_shape=(0.8, 1.5), trace_pattern="conv",
                                 diurnal_amplitude=(0.4, 0.7), session_minutes=(20.0, 90.0),
                                 pause_minutes=(20.0, 120.0)),
        ), True)),
    )),
    # Weight 0: campaign accounts come from SimulationConfig.campaign_sizes, not from the weighted mix.
    Archetype("distributed_campaign", "extraction", 0.0, variants=(
        Variant("synchronised", False, _CAMPAIGN_IDENTITY, _single(_CAMPAIGN_MEMBER, True), Coordination(
            ip_prefixes=(2, 4), payment_fingerprints=(1, 3), user_agents=(1, 2), synchronised=True,
            shared_templates=True, start_fraction=(0.0, 0.3), member_stagger=0.02,
        )),
        Variant("staggered", True, _CAMPAIGN_IDENTITY, _single(_CAMPAIGN_MEMBER, True), Coordination(
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

ARCHETYPES_BY_NAME: Mapping[str, Archetype] = {archetype.name: archetype for archetype in ARCHETYPES}
CAMPAIGN_ARCHETYPE = "distributed_campaign"
