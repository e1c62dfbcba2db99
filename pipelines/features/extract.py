"""Turns a window's accumulator into the feature vector, in `FEATURE_NAMES` order."""

from __future__ import annotations

import math

import numpy as np

from pipelines.features.accumulator import WindowAccumulator
from pipelines.features.spec import FEATURE_NAMES, MISSING

MIN_AGE_DAYS = 1 / 24


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def feature_dict(acc: WindowAccumulator, window_start: float, window_end: float) -> dict[str, float]:
    """Features of one account over [window_start, window_end) (POSIX seconds)."""
    n = acc.count
    minutes = max(1, round((window_end - window_start) / 60))
    # Counts per minute over the whole window (idle minutes count as 0): scripted crawlers are flat,
    # human- and app-driven traffic is bursty and diurnal. Only active minutes are stored, so the
    # mean and (two-pass, population) deviation are summed over them plus the idle minutes' zeros.
    first_minute = int(window_start // 60)
    counts = [c for minute, c in acc.minute_counts.items() if 0 <= minute - first_minute < minutes]
    mean_per_minute = sum(counts) / minutes
    squared_deviations = sum((c - mean_per_minute) ** 2 for c in counts)
    squared_deviations += (minutes - len(counts)) * mean_per_minute**2
    minute_std = math.sqrt(squared_deviations / minutes)
    temperature_mean = _share(acc.temperature_sum, acc.temperature_count)
    temperature_var = _share(acc.temperature_sq_sum, acc.temperature_count) - temperature_mean**2
    age_days = (window_end - acc.account_created_min) / 86400 if acc.account_created_min is not None else None
    features = {
        "request_count": float(n),
        "requests_per_minute": n / minutes,
        "prompt_tokens_mean": _share(acc.prompt_tokens, n),
        "completion_tokens_mean": _share(acc.completion_tokens, n),
        "output_input_ratio": acc.completion_tokens / max(1, acc.prompt_tokens),
        "reasoning_token_share": _share(acc.reasoning_tokens, acc.completion_tokens),
        "max_tokens_saturation_share": _share(acc.saturated, acc.with_max_tokens),
        "logprobs_share": _share(acc.logprobs, n),
        "top_logprobs_mean": _share(acc.top_logprobs_sum, acc.logprobs),
        "multi_choice_share": _share(acc.multi_choice, n),
        "temperature_mean": temperature_mean if acc.temperature_count else MISSING,
        "temperature_std": math.sqrt(max(0.0, temperature_var)) if acc.temperature_count else MISSING,
        "temperature_zero_share": _share(acc.temperature_zero, acc.temperature_count),
        "tool_use_share": _share(acc.tool_use, n),
        "stream_share": _share(acc.stream, n),
        "embeddings_share": _share(acc.embeddings, n),
        "error_share": _share(acc.errors, n),
        "rate_limited_share": _share(acc.rate_limited, n),
        "minute_count_cv": minute_std / mean_per_minute if mean_per_minute else 0.0,
        "active_minute_share": len(counts) / minutes,  # stored counts are all positive
        "distinct_api_keys": acc.api_keys.estimate(),
        "distinct_ips": acc.ips.estimate(),
        "distinct_ip_prefixes": acc.ip_prefixes.estimate(),
        "distinct_user_agents": acc.user_agents.estimate(),
        "prompt_observed_share": _share(acc.prompt_observed, n),
        "prompt_distinct_share": min(1.0, _share(acc.prompts.estimate(), acc.prompt_observed))
        if acc.prompt_observed
        else MISSING,
        "template_top_share": _share(acc.templates.top_count(), acc.prompt_observed)
        if acc.prompt_observed
        else MISSING,
        "reasoning_elicitation_share": _share(acc.reasoning_elicitation, acc.with_text) if acc.with_text else MISSING,
        "account_age_days": age_days if age_days is not None else MISSING,
        "harvest_tokens": acc.harvest,
        "harvest_per_minute": acc.harvest / minutes,
        "returned_targets_per_request": _share(acc.returned, n),
        # Youth-normalised volume: an account a few hours old pulling what old customers pull is burn-and-replace.
        # Ages under an hour count as an hour, so the ratio stays bounded.
        "harvest_per_account_day": acc.harvest / max(age_days, MIN_AGE_DAYS) if age_days is not None else MISSING,
        # Needs the benign peer reference of the model artifact: filled by `pipelines.features.peers.PeerStanding`.
        "harvest_peer_percentile": MISSING,
        "account_tier_rank": float(acc.tier_rank) if acc.tier_rank >= 0 else MISSING,
    }
    return features


def feature_vector(features: dict[str, float]) -> np.ndarray:
    return np.fromiter((features[name] for name in FEATURE_NAMES), dtype=np.float64, count=len(FEATURE_NAMES))
