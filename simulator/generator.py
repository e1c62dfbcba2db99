"""Seeded, reproducible traffic generation: account planning, per-stream event generation, ordered merge.

`Simulation(config)` plans every account up front (archetype, variant, identity, onsets, ground truth)
and `Simulation.events()` lazily merges one generator per traffic stream into a single event-time
ordered iterator, so the same code can fill a file or feed a paced live publisher.

Reproducibility: every random draw comes from a generator seeded by (config.seed, purpose, account,
stream) via numpy SeedSequence spawn keys. Streams never share a generator, so the order in which the
merge pulls from them cannot change what they draw, and the same seed and config give byte-identical
output however often (or however far) the events are iterated.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import heapq
import math
import random
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import orjson

from simulator.archetypes import (
    ARCHETYPES,
    ARCHETYPES_BY_NAME,
    CAMPAIGN_ARCHETYPE,
    EMBEDDING_ENDPOINT,
    REASONING_MODELS,
    Archetype,
    Behaviour,
    Component,
    Coordination,
    IntRange,
    Label,
    Share,
    Span,
    TimingProfile,
    TokenProfile,
    Variant,
)
from simulator.arrivals import ArrivalSpec, arrival_offsets, minute_envelope, sample_quantile_function
from simulator.calibration import Calibration, load_calibration
from simulator.identity import UTC_OFFSET_HOURS, host_address, ip_prefix, random_hex, user_agent
from simulator.prompts import DOMAIN_TOPICS, TEMPLATE_FAMILIES, PromptGenerator, PromptSettings

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Visibility = Literal["text", "hash", "none"]
_VISIBILITIES: tuple[Visibility, ...] = ("text", "hash", "none")
Event = dict[str, Any]

DEFAULT_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# Spawn-key namespaces, so each purpose gets an independent random stream.
_PLANNING, _STREAM, _CAMPAIGN, _DUPLICATES = 0, 1, 2, 3
_CLIENT_ERRORS = (400, 400, 400, 401, 403, 404, 413, 422)
_SERVER_ERRORS = (500, 500, 502, 503, 503)
_TOP_P_VALUES = (0.9, 0.95, 1.0)
_WRITE_BATCH = 5000
# Level 9 would triple the writing time for about 5 % smaller files.
_GZIP_LEVEL = 6


@dataclass(frozen=True)
class SimulationConfig:
    seed: int = 20260101
    start: dt.datetime = DEFAULT_START
    duration_hours: float = 4.0
    accounts: int = 150
    extraction_fraction: float = 0.17
    campaign_sizes: tuple[int, ...] = (10,)  # accounts per coordinated campaign
    rate_scale: float = 1.0  # multiplies every account's request rate
    archetype_mix: Mapping[str, float] | None = None  # archetype name -> weight; None: catalogue weights
    held_out_variants: bool = False  # generate the held-out variants instead of the training ones
    duplicate_fraction: float = 0.0  # events re-delivered with the same event_id (at-least-once delivery)
    organisation_sizes: tuple[int, ...] = (3, 2)  # benign accounts sharing payment and an egress /24

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if self.duration_hours <= 0 or self.accounts <= 0 or self.rate_scale <= 0:
            raise ValueError("duration_hours, accounts and rate_scale must be positive")
        if not 0.0 <= self.extraction_fraction <= 1.0 or not 0.0 <= self.duplicate_fraction < 1.0:
            raise ValueError("extraction_fraction must be in [0, 1] and duplicate_fraction in [0, 1)")
        if any(size < 1 for size in self.campaign_sizes) or sum(self.campaign_sizes) > self.extraction_accounts:
            raise ValueError(
                f"campaigns need {sum(self.campaign_sizes)} accounts but only {self.extraction_accounts} are extraction"
            )
        unknown = set(self.archetype_mix or {}) - set(ARCHETYPES_BY_NAME)
        if unknown:
            raise ValueError(f"unknown archetypes in archetype_mix: {sorted(unknown)}")

    @property
    def extraction_accounts(self) -> int:
        return round(self.accounts * self.extraction_fraction)

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.duration_hours * 60.0))


@dataclass(frozen=True)
class GroundTruth:
    """One labels-file record. Written apart from the events, never into them."""

    account_id: str
    label: Label
    archetype: str
    variant: str
    campaign_id: str | None
    attack_onset: str | None  # RFC 3339; when the account's extraction traffic starts

    def to_record(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "label": self.label,
            "archetype": self.archetype,
            "variant": self.variant,
            "campaign_id": self.campaign_id,
            "attack_onset": self.attack_onset,
        }


@dataclass(frozen=True)
class AccountIdentity:
    account_id: str
    api_key_ids: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    user_agents: tuple[str, ...]
    countries: tuple[str, ...]
    created_at: str
    tier: str
    payment_fingerprint: str
    prompt_visibility: Visibility  # a privacy setting of the account, not of a request


@dataclass(frozen=True)
class StreamPlan:
    """One traffic component of one account."""

    ordinal: int  # unique across the simulation; breaks event-time ties deterministically
    component: Component
    onset_minute: int
    seed_key: tuple[int, ...]
    schedule_key: tuple[int, ...] | None  # shared by a synchronised campaign
    template_seed: int | None  # shared prompt templates of a campaign


@dataclass(frozen=True)
class AccountPlan:
    identity: AccountIdentity
    truth: GroundTruth
    streams: tuple[StreamPlan, ...]


@dataclass
class _Campaign:
    campaign_id: str
    coordination: Coordination
    variant: Variant
    start_minute: int
    ip_prefixes: list[str]
    payment_fingerprints: list[str]
    user_agents: list[str]
    schedule_key: tuple[int, ...]
    template_seed: int


@dataclass
class _Organisation:
    egress_prefix: str
    payment_fingerprint: str


@dataclass(frozen=True)
class SimulationSummary:
    events: int
    duplicates: int
    accounts_by_archetype: Mapping[str, int]
    extraction_accounts: int
    campaigns: int
    first_event_time: str | None
    last_event_time: str | None


def format_time(instant: dt.datetime) -> str:
    """RFC 3339 UTC with milliseconds, e.g. 2026-01-01T00:00:01.250Z."""
    utc = instant.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def _log_uniform(rng: random.Random, span: Span) -> float:
    low, high = span
    return low if low == high else math.exp(rng.uniform(math.log(low), math.log(high)))


def _uniform(rng: random.Random, share: Share) -> float:
    return rng.uniform(*share)


def _between(rng: random.Random, bounds: IntRange) -> int:
    return rng.randint(*bounds)


def _zipf_weights(count: int) -> FloatArray:
    """Usage concentrates on the first items (the main API key, the busiest server)."""
    weights = 1.0 / np.arange(1, count + 1, dtype=np.float64)
    return weights / weights.sum()


def _numpy_rng(seed: int, key: tuple[int, ...]) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(*key, 0)))


def _python_rng(seed: int, key: tuple[int, ...]) -> random.Random:
    """Python's Random for scalar choices (faster than numpy one at a time), seeded apart from _numpy_rng."""
    state = np.random.SeedSequence(seed, spawn_key=(*key, 1)).generate_state(2, dtype=np.uint64)
    return random.Random(int(state[0]) << 64 | int(state[1]))


def _apportion(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Splits total by weight (largest remainder), giving every positive-weight name one first if possible."""
    names = [name for name, weight in weights.items() if weight > 0]
    counts = dict.fromkeys(weights, 0)
    if total <= 0 or not names:
        return counts
    ranked = sorted(names, key=lambda name: (-weights[name], name))
    guaranteed = ranked[: min(total, len(ranked))]
    for name in guaranteed:
        counts[name] = 1
    remaining = total - len(guaranteed)
    weight_sum = sum(weights[name] for name in names)
    quotas = {name: remaining * weights[name] / weight_sum for name in names}
    for name in names:
        counts[name] += int(quotas[name])
    leftover = total - sum(counts.values())
    for name in sorted(names, key=lambda name: (-(quotas[name] - int(quotas[name])), name))[:leftover]:
        counts[name] += 1
    return counts


class _TokenSampler:
    """Samples token counts for one account from a TokenProfile (account-level scale drawn once)."""

    def __init__(
        self,
        profile: TokenProfile,
        calibration: Calibration,
        rng: random.Random,
        role: Literal["prompt", "completion"],
    ) -> None:
        self._quantiles: tuple[float, ...] | None = None
        if profile.trace is not None:
            service = calibration.services[profile.trace]
            self._quantiles = service.prompt_token_quantiles if role == "prompt" else service.completion_token_quantiles
        self._median = profile.median
        self._sigma = profile.sigma
        self._scale = _log_uniform(rng, profile.scale)
        self._maximum = profile.maximum

    def sample(self, rng: np.random.Generator, size: int) -> IntArray:
        if self._quantiles is not None:
            values = sample_quantile_function(rng, self._quantiles, size, log_scale=True)
        else:
            values = self._median * np.exp(self._sigma * rng.standard_normal(size))
        return np.clip(np.rint(values * self._scale), 1, self._maximum).astype(np.int64)


class Simulation:
    """A planned simulation: ground truth is known before any event is generated."""

    def __init__(self, config: SimulationConfig, calibration: Calibration | None = None) -> None:
        self.config = config
        self.calibration = calibration or load_calibration()
        self.start_ms = round(config.start.timestamp() * 1000)
        self.accounts: tuple[AccountPlan, ...] = tuple(self._plan())

    # ------------------------------------------------------------------ planning

    def _archetype_counts(self) -> dict[str, int]:
        config = self.config
        mix = config.archetype_mix or {}
        weights = {archetype.name: mix.get(archetype.name, archetype.weight) for archetype in ARCHETYPES}
        benign = {a.name: weights[a.name] for a in ARCHETYPES if a.label == "benign"}
        # Campaign accounts are allocated by campaign_sizes, the rest of the extraction budget by weight.
        extraction = {
            a.name: weights[a.name] for a in ARCHETYPES if a.label == "extraction" and a.name != CAMPAIGN_ARCHETYPE
        }
        counts = _apportion(config.accounts - config.extraction_accounts, benign)
        counts.update(_apportion(config.extraction_accounts - sum(config.campaign_sizes), extraction))
        return counts

    def _plan(self) -> Iterator[AccountPlan]:
        config = self.config
        rng = _python_rng(config.seed, (_PLANNING,))
        counts = self._archetype_counts()
        organisations = self._organisation_slots(counts, rng)
        ordinal = 0
        account_index = 0
        for archetype in ARCHETYPES:
            for _ in range(counts.get(archetype.name, 0)):
                variant = rng.choice(archetype.eligible_variants(config.held_out_variants))
                organisation = organisations.get(account_index)
                plan = self._plan_account(archetype, variant, account_index, ordinal, rng, None, organisation)
                ordinal += len(plan.streams)
                account_index += 1
                yield plan
        coordinated = ARCHETYPES_BY_NAME[CAMPAIGN_ARCHETYPE]
        for campaign_index, size in enumerate(config.campaign_sizes):
            campaign = self._plan_campaign(coordinated, campaign_index, rng)
            for _ in range(size):
                plan = self._plan_account(coordinated, campaign.variant, account_index, ordinal, rng, campaign, None)
                ordinal += len(plan.streams)
                account_index += 1
                yield plan

    def _organisation_slots(self, counts: Mapping[str, int], rng: random.Random) -> dict[int, _Organisation]:
        """Assigns some benign accounts to organisations that share a payment method and egress range."""
        candidates: list[int] = []
        index = 0
        for archetype in ARCHETYPES:
            if archetype.organisation_member and archetype.label == "benign":
                candidates.extend(range(index, index + counts.get(archetype.name, 0)))
            index += counts.get(archetype.name, 0)
        rng.shuffle(candidates)
        slots: dict[int, _Organisation] = {}
        for size in self.config.organisation_sizes:
            if len(candidates) < size:
                break
            organisation = _Organisation(ip_prefix(rng, "cloud"), f"pf_{random_hex(rng, 16)}")
            for _ in range(size):
                slots[candidates.pop()] = organisation
        return slots

    def _plan_campaign(self, archetype: Archetype, campaign_index: int, rng: random.Random) -> _Campaign:
        variant = rng.choice(
            [v for v in archetype.eligible_variants(self.config.held_out_variants) if v.coordination is not None]
        )
        coordination = variant.coordination
        assert coordination is not None  # filtered above; narrows the type
        network = variant.identity.network
        families = variant.identity.user_agent_families
        return _Campaign(
            campaign_id=f"campaign-{campaign_index + 1:02d}",
            coordination=coordination,
            variant=variant,
            start_minute=int(_uniform(rng, coordination.start_fraction) * self.config.minutes),
            ip_prefixes=[ip_prefix(rng, network) for _ in range(_between(rng, coordination.ip_prefixes))],
            payment_fingerprints=[
                f"pf_{random_hex(rng, 16)}" for _ in range(_between(rng, coordination.payment_fingerprints))
            ],
            user_agents=[user_agent(rng, rng.choice(families)) for _ in range(_between(rng, coordination.user_agents))],
            schedule_key=(_CAMPAIGN, campaign_index),
            template_seed=rng.getrandbits(63),
        )

    def _plan_account(
        self,
        archetype: Archetype,
        variant: Variant,
        account_index: int,
        first_ordinal: int,
        rng: random.Random,
        campaign: _Campaign | None,
        organisation: _Organisation | None,
    ) -> AccountPlan:
        config = self.config
        minutes = config.minutes
        onsets: list[int] = []
        for component in variant.components:
            if campaign is not None:
                stagger = rng.uniform(0.0, campaign.coordination.member_stagger) * minutes
                onsets.append(min(minutes - 1, campaign.start_minute + int(stagger)))
            else:
                onsets.append(int(_uniform(rng, component.onset_fraction) * minutes))
        identity = self._identity(variant, rng, campaign, organisation, min(onsets))
        synchronised = campaign is not None and campaign.coordination.synchronised
        streams = tuple(
            StreamPlan(
                ordinal=first_ordinal + index,
                component=component,
                onset_minute=onset,
                seed_key=(_STREAM, account_index, index),
                schedule_key=campaign.schedule_key if synchronised and campaign else None,
                template_seed=campaign.template_seed if campaign and campaign.coordination.shared_templates else None,
            )
            for index, (component, onset) in enumerate(zip(variant.components, onsets, strict=True))
        )
        extraction_onsets = [s.onset_minute for s in streams if s.component.extraction]
        attack_onset = (
            format_time(config.start + dt.timedelta(minutes=min(extraction_onsets))) if extraction_onsets else None
        )
        truth = GroundTruth(
            account_id=identity.account_id,
            label=archetype.label,
            archetype=archetype.name,
            variant=variant.name,
            campaign_id=campaign.campaign_id if campaign else None,
            attack_onset=attack_onset,
        )
        return AccountPlan(identity=identity, truth=truth, streams=streams)

    def _identity(
        self,
        variant: Variant,
        rng: random.Random,
        campaign: _Campaign | None,
        organisation: _Organisation | None,
        first_onset_minute: int,
    ) -> AccountIdentity:
        profile = variant.identity
        account_id = f"acct_{random_hex(rng, 12)}"
        api_keys = tuple(f"key_{random_hex(rng, 16)}" for _ in range(_between(rng, profile.api_keys)))
        if campaign is not None:
            prefixes = rng.sample(
                campaign.ip_prefixes, min(len(campaign.ip_prefixes), _between(rng, profile.ip_prefixes))
            )
            agents = list(campaign.user_agents)
            payment = rng.choice(campaign.payment_fingerprints)
        else:
            prefixes = [ip_prefix(rng, profile.network) for _ in range(_between(rng, profile.ip_prefixes))]
            families = profile.user_agent_families
            agents = [user_agent(rng, rng.choice(families)) for _ in range(_between(rng, profile.user_agents))]
            payment = f"pf_{random_hex(rng, 16)}"
        if organisation is not None:
            prefixes[0] = organisation.egress_prefix
            payment = organisation.payment_fingerprint
        addresses = [
            host_address(rng, prefix) for prefix in prefixes for _ in range(_between(rng, profile.ips_per_prefix))
        ]
        countries = rng.sample(profile.countries, _between(rng, profile.countries_per_account))
        # Accounts exist before their first request; campaign accounts are created just before they start.
        first_activity = self.config.start + dt.timedelta(minutes=first_onset_minute if campaign else 0)
        created_at = first_activity - dt.timedelta(days=_log_uniform(rng, profile.account_age_days))
        visibility_weights = variant.components[0].behaviour.prompts.visibility
        return AccountIdentity(
            account_id=account_id,
            api_key_ids=api_keys,
            ip_addresses=tuple(dict.fromkeys(addresses)),
            user_agents=tuple(dict.fromkeys(agents)),
            countries=tuple(dict.fromkeys(countries)),
            created_at=format_time(created_at.replace(microsecond=0)),
            tier=rng.choice(profile.tiers),
            payment_fingerprint=payment,
            prompt_visibility=rng.choices(_VISIBILITIES, weights=visibility_weights)[0],
        )

    # ------------------------------------------------------------------ events

    def ground_truth(self) -> list[GroundTruth]:
        """Labels for every planned account, sorted by account_id."""
        return sorted((account.truth for account in self.accounts), key=lambda truth: truth.account_id)

    def events(self) -> Iterator[Event]:
        """All events ordered by event_time (ties broken by stream, then sequence), duplicates included."""
        streams = [
            _StreamGenerator(self, account, stream).events() for account in self.accounts for stream in account.streams
        ]
        duplicate_rng = _python_rng(self.config.seed, (_DUPLICATES,))
        fraction = self.config.duplicate_fraction
        for _, _, _, event in heapq.merge(*streams):
            yield event
            if fraction and duplicate_rng.random() < fraction:
                yield dict(event)


class _StreamGenerator:
    """Generates one stream's events in batches; every per-account choice is drawn from the stream's seed."""

    def __init__(self, simulation: Simulation, account: AccountPlan, stream: StreamPlan) -> None:
        self._simulation = simulation
        self._account = account
        self._stream = stream
        seed = simulation.config.seed
        self._rng = _numpy_rng(seed, stream.seed_key)
        self._py_rng = _python_rng(seed, stream.seed_key)

    def _arrival_spec(self, timing: TimingProfile, schedule_rng: random.Random) -> ArrivalSpec:
        config = self._simulation.config
        calibration = self._simulation.calibration
        countries = self._account.identity.countries
        return ArrivalSpec(
            rate_per_s=_log_uniform(self._py_rng, timing.rate_per_s) * config.rate_scale,
            gap_shape=_log_uniform(schedule_rng, timing.gap_shape),
            pattern=calibration.services[timing.trace_pattern].pattern if timing.trace_pattern else None,
            drift_sigma=timing.drift_sigma,
            drift_autocorrelation=timing.drift_autocorrelation,
            diurnal_amplitude=_uniform(schedule_rng, timing.diurnal_amplitude),
            utc_offset_hours=UTC_OFFSET_HOURS.get(countries[0], 0.0),
            session_minutes=_log_uniform(schedule_rng, timing.session_minutes) if timing.session_minutes else None,
            pause_minutes=_log_uniform(schedule_rng, timing.pause_minutes) if timing.session_minutes else 0.0,
        )

    def _minute_rates(self, timing: TimingProfile) -> tuple[ArrivalSpec, FloatArray]:
        config = self._simulation.config
        schedule_key = self._stream.schedule_key
        # A synchronised campaign draws its schedule from one shared seed: every member pauses together.
        schedule_rng = _python_rng(config.seed, schedule_key) if schedule_key else self._py_rng
        envelope_rng = _numpy_rng(config.seed, schedule_key) if schedule_key else self._rng
        spec = self._arrival_spec(timing, schedule_rng)
        start_hour = config.start.hour + config.start.minute / 60.0
        rates = spec.rate_per_s * minute_envelope(spec, start_hour, config.minutes, envelope_rng)
        rates[: self._stream.onset_minute] = 0.0
        return spec, rates

    def _prompt_settings(self, behaviour: Behaviour) -> PromptSettings:
        profile = behaviour.prompts
        rng = self._py_rng
        template_seed = self._stream.template_seed
        template_rng = random.Random(template_seed) if template_seed is not None else rng
        family = TEMPLATE_FAMILIES[profile.family]
        templates = template_rng.sample(family, min(len(family), _between(template_rng, profile.templates)))
        domains = profile.domains or tuple(DOMAIN_TOPICS)
        chosen_domains = template_rng.sample(
            domains, min(len(domains), _between(template_rng, profile.domains_per_account))
        )
        return PromptSettings(
            family=profile.family,
            templates=tuple(templates),
            domains=tuple(chosen_domains),
            reasoning_share=_uniform(rng, profile.reasoning_share),
            reasoning_phrasing=profile.reasoning_phrasing,
            stock_message_share=_uniform(rng, profile.stock_message_share),
            item_pool=_between(rng, profile.item_pool) if profile.item_pool else None,
            item_seed=rng.getrandbits(62),
        )

    def events(self) -> Iterator[tuple[int, int, int, Event]]:
        """Yields (epoch_ms, stream ordinal, sequence, event) so heapq.merge orders without comparing dicts."""
        simulation, account, stream = self._simulation, self._account, self._stream
        behaviour = stream.component.behaviour
        rng, py_rng = self._rng, self._py_rng
        identity = account.identity
        calibration = simulation.calibration
        params = behaviour.params
        status = behaviour.status

        spec, minute_rates = self._minute_rates(behaviour.timing)
        prompts = PromptGenerator(self._prompt_settings(behaviour), py_rng)
        prompt_tokens = _TokenSampler(behaviour.prompt_tokens, calibration, py_rng, "prompt")
        completion_tokens = _TokenSampler(behaviour.completion_tokens, calibration, py_rng, "completion")
        reasoning_tokens = _TokenSampler(behaviour.reasoning_tokens, calibration, py_rng, "completion")
        embedding_tokens = _TokenSampler(behaviour.embedding_tokens, calibration, py_rng, "prompt")
        workload_weights = np.asarray([w.weight for w in behaviour.workloads])
        workload_weights /= workload_weights.sum()
        keys = identity.api_key_ids[-stream.component.api_keys :] if stream.component.api_keys else identity.api_key_ids
        temperatures = py_rng.sample(
            params.temperatures, min(len(params.temperatures), _between(py_rng, params.temperature_palette))
        )
        max_tokens_palette = py_rng.sample(
            params.max_tokens, min(len(params.max_tokens), _between(py_rng, params.max_tokens_palette))
        )
        shares = {
            "temperature": _uniform(py_rng, params.temperature_share),
            "top_p": _uniform(py_rng, params.top_p_share),
            "max_tokens": _uniform(py_rng, params.max_tokens_share),
            "n": _uniform(py_rng, params.n_share),
            "logprobs": _uniform(py_rng, params.logprobs_share),
            "stream": _uniform(py_rng, params.stream_share),
            "tools": _uniform(py_rng, params.tools_share),
        }
        rate_limited = _uniform(py_rng, status.rate_limited_share)
        client_error = rate_limited + _uniform(py_rng, status.client_error_share)
        server_error = client_error + _uniform(py_rng, status.server_error_share)
        account_fields = {
            "created_at": identity.created_at,
            "tier": identity.tier,
            "payment_fingerprint": identity.payment_fingerprint,
        }
        country_weights = _zipf_weights(len(identity.countries))
        sequence = 0
        second_cache: tuple[int, str] = (-1, "")

        duration_s = simulation.config.duration_hours * 3600.0
        for batch in arrival_offsets(spec, minute_rates, rng):
            # The envelope covers whole minutes; a fractional duration ends mid-minute.
            offsets = batch[batch < duration_s]
            size = offsets.size
            if size == 0:
                return
            epoch_ms = (simulation.start_ms + np.floor(offsets * 1000.0)).astype(np.int64).tolist()
            workload_index = rng.choice(len(behaviour.workloads), size=size, p=workload_weights).tolist()
            key_index = rng.choice(len(keys), size=size, p=_zipf_weights(len(keys))).tolist()
            ip_index = rng.choice(
                len(identity.ip_addresses), size=size, p=_zipf_weights(len(identity.ip_addresses))
            ).tolist()
            agent_index = rng.choice(
                len(identity.user_agents), size=size, p=_zipf_weights(len(identity.user_agents))
            ).tolist()
            country_index = rng.choice(len(identity.countries), size=size, p=country_weights).tolist()
            status_draw = rng.random(size).tolist()
            prompt_draw = prompt_tokens.sample(rng, size).tolist()
            embedding_draw = embedding_tokens.sample(rng, size).tolist()
            natural_draw = completion_tokens.sample(rng, size).tolist()
            reasoning_draw = reasoning_tokens.sample(rng, size).tolist()
            share_draws = {name: rng.random(size).tolist() for name in shares}
            latency_noise = np.exp(0.35 * rng.standard_normal(size)).tolist()
            event_ids = rng.bytes(16 * size).hex()

            for i in range(size):
                workload = behaviour.workloads[workload_index[i]]
                is_embedding = workload.endpoint == EMBEDDING_ENDPOINT
                draw = status_draw[i]
                if draw < rate_limited:
                    status_code = 429
                elif draw < client_error:
                    status_code = py_rng.choice(_CLIENT_ERRORS)
                elif draw < server_error:
                    status_code = py_rng.choice(_SERVER_ERRORS)
                else:
                    status_code = 200

                request: dict[str, Any] = {}
                choices = 1
                cap: int | None = None
                if not is_embedding:
                    if share_draws["temperature"][i] < shares["temperature"]:
                        request["temperature"] = py_rng.choice(temperatures)
                    if share_draws["top_p"][i] < shares["top_p"]:
                        request["top_p"] = py_rng.choice(_TOP_P_VALUES)
                    if share_draws["max_tokens"][i] < shares["max_tokens"]:
                        cap = py_rng.choice(max_tokens_palette)
                        request["max_tokens"] = cap
                    if share_draws["n"][i] < shares["n"]:
                        choices = py_rng.choice(params.n_values)
                        request["n"] = choices
                    if share_draws["logprobs"][i] < shares["logprobs"]:
                        request["logprobs"] = True
                        if params.top_logprobs[1] > 0:
                            request["top_logprobs"] = py_rng.randint(*params.top_logprobs)
                    if share_draws["stream"][i] < shares["stream"]:
                        request["stream"] = True
                    if share_draws["tools"][i] < shares["tools"]:
                        request["tools"] = py_rng.randint(*params.tool_count)

                is_reasoning = workload.model in REASONING_MODELS and not is_embedding
                if status_code == 200:
                    prompt_count = embedding_draw[i] if is_embedding else prompt_draw[i]
                    per_choice = 0 if is_embedding else natural_draw[i]
                    if cap is not None:
                        per_choice = min(per_choice, cap)
                    completion_count = per_choice * choices
                    hidden_reasoning = reasoning_draw[i] if is_reasoning else 0
                    # ~180 ms to first token, cheap prefill, ~12 ms per generated token; log-normal noise.
                    latency = (180.0 + 0.02 * prompt_count + 12.0 * (per_choice + hidden_reasoning)) * latency_noise[i]
                elif status_code >= 500:
                    prompt_count = embedding_draw[i] if is_embedding else prompt_draw[i]
                    completion_count = hidden_reasoning = 0
                    latency = 2000.0 * latency_noise[i]  # failures surface after an upstream timeout
                else:
                    # Rejected before inference: nothing is billed.
                    prompt_count = completion_count = hidden_reasoning = 0
                    latency = 15.0 * latency_noise[i]

                millis = epoch_ms[i]
                second = millis // 1000
                if second != second_cache[0]:
                    stamp = dt.datetime.fromtimestamp(second, dt.UTC)
                    second_cache = (second, f"{stamp:%Y-%m-%dT%H:%M:%S}")
                event: Event = {
                    "event_id": event_ids[32 * i : 32 * i + 32],
                    "event_time": f"{second_cache[1]}.{millis % 1000:03d}Z",
                    "account_id": identity.account_id,
                    "api_key_id": keys[key_index[i]],
                    "model": workload.model,
                    "endpoint": workload.endpoint,
                    "status_code": status_code,
                    "prompt_tokens": prompt_count,
                    "completion_tokens": completion_count,
                }
                if is_reasoning:
                    event["reasoning_tokens"] = hidden_reasoning
                event["latency_ms"] = round(latency, 1)
                if request:
                    event["params"] = request
                event["client"] = {
                    "ip": identity.ip_addresses[ip_index[i]],
                    "user_agent": identity.user_agents[agent_index[i]],
                    "country": identity.countries[country_index[i]],
                }
                if identity.prompt_visibility != "none":
                    text = prompts.next_prompt()
                    prompt_fields = {"sha256": hashlib.sha256(text.encode()).hexdigest(), "language": "en"}
                    event["prompt"] = (
                        {"text": text, **prompt_fields} if identity.prompt_visibility == "text" else prompt_fields
                    )
                event["account"] = dict(account_fields)
                yield millis, stream.ordinal, sequence, event
                sequence += 1


def write_simulation(simulation: Simulation, events_path: Path, labels_path: Path) -> SimulationSummary:
    """Writes events as JSON lines (gzip when the name ends in .gz) and the labels file beside them.

    The gzip header carries no file name or timestamp, so equal inputs give byte-identical files.
    """
    events = duplicates = 0
    first = last = None
    seen_ids: set[str] = set()
    with (
        events_path.open("wb") as raw,
        (
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=_GZIP_LEVEL)
            if events_path.suffix == ".gz"
            else nullcontext(raw)
        ) as sink,
    ):
        lines: list[bytes] = []
        for event in simulation.events():
            lines.append(orjson.dumps(event))
            event_id = event["event_id"]
            if event_id in seen_ids:
                duplicates += 1
            seen_ids.add(event_id)
            first = first or event["event_time"]
            last = event["event_time"]
            events += 1
            if len(lines) >= _WRITE_BATCH:
                sink.write(b"\n".join(lines) + b"\n")
                lines.clear()
        if lines:
            sink.write(b"\n".join(lines) + b"\n")
    labels_path.write_bytes(b"".join(orjson.dumps(truth.to_record()) + b"\n" for truth in simulation.ground_truth()))
    by_archetype = Counter(account.truth.archetype for account in simulation.accounts)
    return SimulationSummary(
        events=events,
        duplicates=duplicates,
        accounts_by_archetype={a.name: by_archetype[a.name] for a in ARCHETYPES if by_archetype[a.name]},
        extraction_accounts=sum(1 for account in simulation.accounts if account.truth.label == "extraction"),
        campaigns=len(simulation.config.campaign_sizes),
        first_event_time=first,
        last_event_time=last,
    )


def generate_events(config: SimulationConfig) -> Iterator[Event]:
    """Convenience: the event stream of Simulation(config)."""
    return Simulation(config).events()


def generate_ground_truth(config: SimulationConfig) -> list[GroundTruth]:
    return Simulation(config).ground_truth()
