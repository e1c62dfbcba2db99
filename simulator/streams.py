"""Event generation for one traffic stream: arrivals, request parameters, statuses, tokens and prompts.

A stream draws every per-account choice from its own seed, in batches of arrivals, so the merge order
of streams cannot change what any stream generates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from simulator.archetypes import EMBEDDING_ENDPOINT, REASONING_MODELS, Behaviour, TimingProfile, TokenProfile
from simulator.arrivals import ArrivalSpec, arrival_offsets, minute_envelope, sample_quantile_function
from simulator.calibration import Calibration
from simulator.config import SimulationConfig
from simulator.identity import NETWORK_FIRST_OCTETS, UTC_OFFSET_HOURS
from simulator.plan import AccountPlan, StreamPlan
from simulator.profiles import EMBEDDING_MODEL, Workload
from simulator.prompts import DOMAIN_TOPICS, TEMPLATE_FAMILIES, PromptGenerator, PromptSettings
from simulator.sampling import between, log_uniform, numpy_rng, python_rng, uniform, zipf_weights

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Event = dict[str, Any]

_CLIENT_ERRORS = (400, 400, 400, 401, 403, 404, 413, 422)
_SERVER_ERRORS = (500, 500, 502, 503, 503)
_TOP_P_VALUES = (0.9, 0.95, 1.0)


SECONDARY_KNOBS = 7  # spawn-key suffix of the secondary knobs' generator


class TokenSampler:
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
        self._scale = log_uniform(rng, profile.scale)
        self._maximum = profile.maximum

    def sample(self, rng: np.random.Generator, size: int) -> IntArray:
        if self._quantiles is not None:
            values = sample_quantile_function(rng, self._quantiles, size, log_scale=True)
        else:
            values = self._median * np.exp(self._sigma * rng.standard_normal(size))
        return np.clip(np.rint(values * self._scale), 1, self._maximum).astype(np.int64)


class StreamGenerator:
    """Generates one stream's events in batches; every per-account choice is drawn from the stream's seed."""

    def __init__(
        self, config: SimulationConfig, calibration: Calibration, account: AccountPlan, stream: StreamPlan
    ) -> None:
        self._config = config
        self._calibration = calibration
        self._start_ms = round(config.start.timestamp() * 1000)
        self._account = account
        self._stream = stream
        seed = config.seed
        self._rng = numpy_rng(seed, stream.seed_key)
        self._py_rng = python_rng(seed, stream.seed_key)
        # The secondary knobs added by domain randomisation draw apart, so every other draw stays as it was.
        self._knob_rng = python_rng(seed, (*stream.seed_key, SECONDARY_KNOBS))

    def _arrival_spec(self, timing: TimingProfile, schedule_rng: random.Random) -> ArrivalSpec:
        config = self._config
        calibration = self._calibration
        countries = self._account.identity.countries
        rate_per_s = log_uniform(self._py_rng, timing.rate_per_s) * config.rate_scale
        if self._account.group_id is None:  # campaigns and cohorts pace their members together
            rate_per_s *= log_uniform(self._knob_rng, timing.rate_multiplier)
        return ArrivalSpec(
            rate_per_s=rate_per_s,
            gap_shape=log_uniform(schedule_rng, timing.gap_shape),
            pattern=calibration.services[timing.trace_pattern].pattern if timing.trace_pattern else None,
            drift_sigma=timing.drift_sigma,
            drift_autocorrelation=timing.drift_autocorrelation,
            diurnal_amplitude=uniform(schedule_rng, timing.diurnal_amplitude),
            utc_offset_hours=UTC_OFFSET_HOURS.get(countries[0], 0.0),
            session_minutes=log_uniform(schedule_rng, timing.session_minutes) if timing.session_minutes else None,
            pause_minutes=log_uniform(schedule_rng, timing.pause_minutes) if timing.session_minutes else 0.0,
        )

    def _minute_rates(self, timing: TimingProfile) -> tuple[ArrivalSpec, FloatArray]:
        config = self._config
        schedule_key = self._stream.schedule_key
        # A synchronised campaign draws its schedule from one shared seed: every member pauses together.
        schedule_rng = python_rng(config.seed, schedule_key) if schedule_key else self._py_rng
        envelope_rng = numpy_rng(config.seed, schedule_key) if schedule_key else self._rng
        spec = self._arrival_spec(timing, schedule_rng)
        start_hour = config.start.hour + config.start.minute / 60.0
        rates = spec.rate_per_s * minute_envelope(spec, start_hour, config.minutes, envelope_rng)
        rates[: self._stream.onset_minute] = 0.0
        if self._stream.end_minute is not None:
            rates[self._stream.end_minute :] = 0.0
        return spec, rates

    def _prompt_settings(self, behaviour: Behaviour) -> PromptSettings:
        profile = behaviour.prompts
        rng = self._py_rng
        template_seed = self._stream.template_seed
        template_rng = random.Random(template_seed) if template_seed is not None else rng
        family = TEMPLATE_FAMILIES[profile.family]
        templates = template_rng.sample(family, min(len(family), between(template_rng, profile.templates)))
        domains = profile.domains or tuple(DOMAIN_TOPICS)
        chosen_domains = template_rng.sample(
            domains, min(len(domains), between(template_rng, profile.domains_per_account))
        )
        return PromptSettings(
            family=profile.family,
            templates=tuple(templates),
            domains=tuple(chosen_domains),
            reasoning_share=uniform(rng, profile.reasoning_share),
            reasoning_phrasing=profile.reasoning_phrasing,
            stock_message_share=uniform(rng, profile.stock_message_share),
            item_pool=between(rng, profile.item_pool) if profile.item_pool else None,
            item_seed=rng.getrandbits(62),
            repeat_share=uniform(rng, profile.repeat_share),
        )

    def _workloads(self, behaviour: Behaviour) -> tuple[Workload, ...]:
        """The behaviour's workloads, plus embedding side traffic for some streams (a label-independent knob)."""
        workloads = behaviour.workloads
        if self._account.group_id is not None or any(w.endpoint == EMBEDDING_ENDPOINT for w in workloads):
            return workloads
        if self._knob_rng.random() >= behaviour.side_embeddings_streams:
            return workloads
        share = uniform(self._knob_rng, behaviour.side_embeddings_share)
        total = sum(w.weight for w in workloads)
        return (*workloads, Workload(EMBEDDING_MODEL, EMBEDDING_ENDPOINT, total * share / (1.0 - share)))

    def events(self) -> Iterator[tuple[int, int, int, Event]]:
        """Yields (epoch_ms, stream ordinal, sequence, event) so heapq.merge orders without comparing dicts."""
        config, account, stream = self._config, self._account, self._stream
        behaviour = stream.component.behaviour
        rng, py_rng = self._rng, self._py_rng
        identity = account.identity
        calibration = self._calibration
        params = behaviour.params
        status = behaviour.status

        spec, minute_rates = self._minute_rates(behaviour.timing)
        prompts = PromptGenerator(self._prompt_settings(behaviour), py_rng)
        prompt_tokens = TokenSampler(behaviour.prompt_tokens, calibration, py_rng, "prompt")
        completion_tokens = TokenSampler(behaviour.completion_tokens, calibration, py_rng, "completion")
        reasoning_tokens = TokenSampler(behaviour.reasoning_tokens, calibration, py_rng, "completion")
        embedding_tokens = TokenSampler(behaviour.embedding_tokens, calibration, py_rng, "prompt")
        workloads = self._workloads(behaviour)
        workload_weights = np.asarray([w.weight for w in workloads])
        workload_weights /= workload_weights.sum()
        keys = identity.api_key_ids[-stream.component.api_keys :] if stream.component.api_keys else identity.api_key_ids
        temperatures = py_rng.sample(
            params.temperatures, min(len(params.temperatures), between(py_rng, params.temperature_palette))
        )
        max_tokens_palette = py_rng.sample(
            params.max_tokens, min(len(params.max_tokens), between(py_rng, params.max_tokens_palette))
        )
        shares = {
            "temperature": uniform(py_rng, params.temperature_share),
            "top_p": uniform(py_rng, params.top_p_share),
            "max_tokens": uniform(py_rng, params.max_tokens_share),
            "n": uniform(py_rng, params.n_share),
            "logprobs": uniform(py_rng, params.logprobs_share),
            "stream": uniform(py_rng, params.stream_share),
            "tools": uniform(py_rng, params.tools_share),
        }
        rate_limited = uniform(py_rng, status.rate_limited_share)
        client_error = rate_limited + uniform(py_rng, status.client_error_share)
        server_error = client_error + uniform(py_rng, status.server_error_share)
        account_fields = {
            "created_at": identity.created_at,
            "tier": identity.tier,
            "payment_fingerprint": identity.payment_fingerprint,
        }
        country_weights = zipf_weights(len(identity.countries))
        first_octets = NETWORK_FIRST_OCTETS[identity.network]
        sequence = 0
        second_cache: tuple[int, str] = (-1, "")

        duration_s = config.duration_hours * 3600.0
        for batch in arrival_offsets(spec, minute_rates, rng):
            # The envelope covers whole minutes; a fractional duration ends mid-minute.
            offsets = batch[batch < duration_s]
            size = offsets.size
            if size == 0:
                return
            epoch_ms = (self._start_ms + np.floor(offsets * 1000.0)).astype(np.int64).tolist()
            workload_index = rng.choice(len(workloads), size=size, p=workload_weights).tolist()
            key_index = rng.choice(len(keys), size=size, p=zipf_weights(len(keys))).tolist()
            ip_index = rng.choice(
                len(identity.ip_addresses), size=size, p=zipf_weights(len(identity.ip_addresses))
            ).tolist()
            # A rotating client's request comes from a fresh address (index -1) with this probability.
            if identity.rotating_ip_share:
                rotating = (rng.random(size) < identity.rotating_ip_share).tolist()
                fresh_hosts = rng.integers(0, 1 << 24, size=size).tolist()
                fresh_octets = rng.integers(0, len(first_octets), size=size).tolist()
            agent_index = rng.choice(
                len(identity.user_agents), size=size, p=zipf_weights(len(identity.user_agents))
            ).tolist()
            country_index = rng.choice(len(identity.countries), size=size, p=country_weights).tolist()
            status_draw = rng.random(size).tolist()
            prompt_draw = prompt_tokens.sample(rng, size).tolist()
            embedding_draw = embedding_tokens.sample(rng, size).tolist()
            natural_draw = completion_tokens.sample(rng, size).tolist()
            reasoning_draw = reasoning_tokens.sample(rng, size).tolist()
            # Per-request flags and values, drawn per batch (numpy) rather than per request.
            uses = {name: (rng.random(size) < share).tolist() for name, share in shares.items()}
            temperature_values = rng.choice(temperatures, size=size).tolist()
            top_p_values = rng.choice(_TOP_P_VALUES, size=size).tolist()
            cap_values = rng.choice(max_tokens_palette, size=size).tolist()
            n_draws = rng.choice(params.n_values, size=size).tolist()
            top_logprobs_values = rng.integers(params.top_logprobs[0], params.top_logprobs[1] + 1, size=size).tolist()
            tool_values = rng.integers(params.tool_count[0], params.tool_count[1] + 1, size=size).tolist()
            client_codes = rng.choice(_CLIENT_ERRORS, size=size).tolist()
            server_codes = rng.choice(_SERVER_ERRORS, size=size).tolist()
            latency_noise = np.exp(0.35 * rng.standard_normal(size)).tolist()
            event_ids = rng.bytes(16 * size).hex()

            for i in range(size):
                workload = workloads[workload_index[i]]
                is_embedding = workload.endpoint == EMBEDDING_ENDPOINT
                draw = status_draw[i]
                if draw < rate_limited:
                    status_code = 429
                elif draw < client_error:
                    status_code = client_codes[i]
                elif draw < server_error:
                    status_code = server_codes[i]
                else:
                    status_code = 200

                request: dict[str, Any] = {}
                choices = 1
                cap: int | None = None
                if not is_embedding:
                    if uses["temperature"][i]:
                        request["temperature"] = temperature_values[i]
                    if uses["top_p"][i]:
                        request["top_p"] = top_p_values[i]
                    if uses["max_tokens"][i]:
                        cap = cap_values[i]
                        request["max_tokens"] = cap
                    if uses["n"][i]:
                        choices = n_draws[i]
                        request["n"] = choices
                    if uses["logprobs"][i]:
                        request["logprobs"] = True
                        if params.top_logprobs[1] > 0:
                            request["top_logprobs"] = top_logprobs_values[i]
                    if uses["stream"][i]:
                        request["stream"] = True
                    if uses["tools"][i]:
                        request["tools"] = tool_values[i]

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
                    "ip": (
                        f"{first_octets[fresh_octets[i]]}.{fresh_hosts[i] >> 16}.{fresh_hosts[i] >> 8 & 255}."
                        f"{(fresh_hosts[i] & 255) % 254 + 1}"
                        if identity.rotating_ip_share and rotating[i]
                        else identity.ip_addresses[ip_index[i]]
                    ),
                    "user_agent": identity.user_agents[agent_index[i]],
                    "country": identity.countries[country_index[i]],
                }
                if identity.prompt_visibility != "none":
                    text = prompts.next_prompt()
                    prompt_fields = {"sha256": hashlib.sha256(text.encode()).hexdigest(), "language": prompts.language}
                    event["prompt"] = (
                        {"text": text, **prompt_fields} if identity.prompt_visibility == "text" else prompt_fields
                    )
                event["account"] = dict(account_fields)
                yield millis, stream.ordinal, sequence, event
                sequence += 1
