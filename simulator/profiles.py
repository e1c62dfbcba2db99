"""Profile dataclasses: the typed parameter sets that describe who sends traffic, and how.

An `Archetype` (e.g. coding assistant, distillation crawler) has one or more `Variant`s; a variant fixes
the account's identity profile (keys, networks, user agents, age, tier) and its traffic `Component`s.
Most accounts have one component; a reseller mixes a legitimate component with an extraction
component that starts later (its attack onset). Every numeric field is a range: each account draws
its own value, so accounts of one archetype differ and the archetypes overlap on every single feature.

Domain randomisation: the *secondary* knobs (temperature, streaming, pacing, template reuse, repeats,
privacy, error and 429 rates, keys, networks, user agents, countries, account age, tier) say nothing
about whether an account harvests the model, so their defaults below are one wide distribution that
the catalogue entries leave alone, whatever their label. Entries set only what their purpose needs
(volume, output length, logprob depth, n, reasoning, tools, coverage), plus a few secondary knobs with
a behavioural reason (e.g. a fresh account is what burn-and-replace means), mirrored by a benign
family that shares them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simulator.identity import ALL_COUNTRIES, ALL_TIERS, GENERIC_AGENT_FAMILIES, Network

Label = Literal["benign", "extraction"]
Endpoint = Literal["chat.completions", "completions", "responses", "embeddings"]
TraceService = Literal["conv", "code"]
Share = tuple[float, float]  # a probability range; each account draws uniformly from it
Span = tuple[float, float]  # a positive magnitude range; each account draws log-uniformly from it
IntRange = tuple[int, int]  # inclusive


@dataclass(frozen=True)
class TimingProfile:
    rate_per_s: Span  # while in a session, before diurnal/drift modulation
    gap_shape: Span = (0.6, 12.0)  # gamma shape of gaps between bursts: 1 Poisson, >1 paced, <1 clumped
    trace_pattern: TraceService | None = None  # replay the calibrated second-scale shape of that trace
    drift_sigma: float = 0.1  # used without trace_pattern
    drift_autocorrelation: float = 0.8
    diurnal_amplitude: Share = (0.0, 0.6)
    session_minutes: Span | None = None  # None: always active
    pause_minutes: Span = (0.0, 0.0)
    # Secondary: how busy one account of a family is. The family's rate says what its purpose needs; each
    # account scales it by a label-independent factor, so request counts alone do not tell the families apart.
    rate_multiplier: Span = (0.5, 2.0)


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

    temperatures: tuple[float, ...] = (0.0, 0.0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.7, 0.8, 0.9, 1.0, 1.0, 1.2)
    temperature_palette: IntRange = (1, 3)
    temperature_share: Share = (0.0, 1.0)  # requests that set temperature at all
    top_p_share: Share = (0.0, 0.2)
    max_tokens: tuple[int, ...] = (512, 1024, 2048, 4096)
    max_tokens_palette: IntRange = (1, 2)
    max_tokens_share: Share = (0.3, 0.8)
    n_values: tuple[int, ...] = (2, 3)
    n_share: Share = (0.0, 0.0)  # requests with n > 1
    logprobs_share: Share = (0.0, 0.0)
    top_logprobs: IntRange = (0, 0)
    stream_share: Share = (0.0, 1.0)
    tools_share: Share = (0.0, 0.0)
    tool_count: IntRange = (1, 5)


@dataclass(frozen=True)
class StatusProfile:
    rate_limited_share: Share = (0.0, 0.08)  # 429
    client_error_share: Share = (0.002, 0.04)  # other 4xx
    server_error_share: Share = (0.001, 0.005)  # 5xx, provider side, so similar for everyone


@dataclass(frozen=True)
class PromptProfile:
    family: str  # key of prompts.TEMPLATE_FAMILIES
    templates: IntRange = (1, 12)  # how many of the family's templates one account uses (at most all)
    domains: tuple[str, ...] = ()  # topic domains; empty means all
    domains_per_account: IntRange = (16, 16)
    reasoning_share: Share = (0.0, 0.0)  # prompts ending in a reasoning-elicitation phrase
    reasoning_phrasing: str = "standard"
    stock_message_share: Share = (0.0, 0.06)  # "hi", "continue", ... (exact repeats)
    item_pool: IntRange | None = None  # finite benchmark size; items cycle and repeat
    # Requests that resend one of the account's recent prompts (retries, regenerations, caches, re-sampling).
    repeat_share: Share = (0.0, 0.4)
    # Account-level privacy setting: probabilities of sending text, only its sha256, or neither
    # (an account with several components takes its first component's setting). A privacy setting
    # says nothing about intent, so every catalogue entry keeps this one label-independent default.
    visibility: tuple[float, float, float] = (0.65, 0.22, 0.13)


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
    # Secondary: embedding side traffic (search, caching, dedup next to the main workload), whatever the label:
    # this share of streams without an embeddings workload of their own send `side_embeddings_share` of their
    # requests to the embedding model.
    side_embeddings_streams: float = 0.25
    side_embeddings_share: Share = (0.02, 0.3)


@dataclass(frozen=True)
class IdentityProfile:
    """Counts (keys, prefixes, addresses, agents, countries) are drawn log-uniformly within their range."""

    api_keys: IntRange = (1, 12)
    network: Network = "cloud"
    ip_prefixes: IntRange = (1, 40)  # distinct /24 prefixes
    ips_per_prefix: IntRange = (1, 8)
    user_agent_families: tuple[str, ...] = GENERIC_AGENT_FAMILIES
    user_agents: IntRange = (1, 24)
    countries: tuple[str, ...] = ALL_COUNTRIES
    countries_per_account: IntRange = (1, 4)
    account_age_days: Span = (0.1, 2000.0)
    tiers: tuple[str, ...] = ALL_TIERS
    # Accounts whose requests come from a fresh address each time with this probability (keys used from
    # end-user devices on mobile networks, residential proxies), and the per-request share they draw.
    rotating_ip_accounts: float = 0.12
    rotating_ip_share: Share = (0.5, 1.0)


@dataclass(frozen=True)
class Component:
    behaviour: Behaviour
    extraction: bool
    onset_fraction: Share = (0.0, 0.0)  # start, as a fraction of the simulated duration
    api_keys: int | None = None  # only this many of the account's keys (e.g. a reseller customer's key)
    lifetime_fraction: Share | None = None  # stops this long after its onset (burned accounts); None: never


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
    # No single signal is universal: some members pay with their own (virtual) card, the rest share a card
    # per group of `payment_group_size` members; each member carries only some of the campaign's agents;
    # only some members use the shared ranges (the others their own, or a fresh address per request);
    # only some members follow the shared schedule.
    own_card_share: Share = (0.0, 0.0)
    payment_group_size: IntRange | None = None  # None: every member picks one of `payment_fingerprints`
    user_agents_per_member: IntRange | None = None  # None: every member carries all the campaign's agents
    shared_infrastructure_share: Share = (1.0, 1.0)
    rotating_ips: bool = False  # members off the shared ranges send each request from a fresh address
    synchronised_share: Share = (1.0, 1.0)


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


# `-2` models are released during the simulated interval's day: harvests migrate to them within hours.
MODELS: tuple[str, ...] = (
    "aurora-large", "aurora-mini", "aurora-reasoner", "aurora-embed", "aurora-large-2", "aurora-reasoner-2",
)  # fmt: skip
REASONING_MODELS: frozenset[str] = frozenset({"aurora-reasoner", "aurora-reasoner-2"})
EMBEDDING_ENDPOINT: Endpoint = "embeddings"
EMBEDDING_MODEL = "aurora-embed"
