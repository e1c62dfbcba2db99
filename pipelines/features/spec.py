"""The feature list, in model column order. Training (`models/`) and serving both import it from here."""

from __future__ import annotations

FEATURE_NAMES: tuple[str, ...] = (
    "request_count",
    "requests_per_minute",
    "prompt_tokens_mean",
    "completion_tokens_mean",
    "output_input_ratio",
    "reasoning_token_share",
    "max_tokens_saturation_share",
    "logprobs_share",
    "top_logprobs_mean",
    "multi_choice_share",
    "temperature_mean",
    "temperature_std",
    "temperature_zero_share",
    "tool_use_share",
    "stream_share",
    "embeddings_share",
    "error_share",
    "rate_limited_share",
    "minute_count_cv",
    "active_minute_share",
    "distinct_api_keys",
    "distinct_ips",
    "distinct_ip_prefixes",
    "distinct_user_agents",
    "prompt_observed_share",
    "prompt_distinct_share",
    "template_top_share",
    "reasoning_elicitation_share",
    "account_age_days",
)

FEATURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}

# Reported in place of a feature that cannot be computed for a window (e.g. no account metadata):
# tree models split on it like any other value, and it is never confused with a real zero.
MISSING = -1.0
