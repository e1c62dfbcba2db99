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
    "harvest_tokens",
    "harvest_per_minute",
    "returned_targets_per_request",
    "harvest_per_account_day",
    "harvest_peer_percentile",
    "account_tier_rank",
)

FEATURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}

# How the features are computed, as a version: the same names can mean other values (release 2026.12.5 counts
# templates in hash buckets where 2026.12.4 read a Misra-Gries sketch). A model records the version it was
# trained on (`ModelManifest.feature_spec`) and the loader refuses any other, so a hot swap across releases
# cannot score features the model never saw. Bump it with every change to a feature's computation, to an
# accumulator's state or to the features the classifier is shown (`CLASSIFIER_BLANKED`, read by the model's
# `PeerStanding` step); tests/models/test_model_shipped.py fails when the shipped model's probe drifts without one.
FEATURE_SPEC_VERSION = "2026.12.8"

# Direction of risk where it is known, for the booster's `monotonic_cst`: +1 the score may only rise with the
# feature, -1 only fall; every other feature is 0 (unconstrained). An attacker can move secondary behaviour
# (IPs, prompt diversity, pacing) at will, but not what a distiller needs: output, logprob depth, samples per
# prompt, full-length answers, and (for burn-and-replace accounts) youth.
MONOTONE: dict[str, int] = {
    "harvest_tokens": 1,
    "harvest_per_minute": 1,
    "returned_targets_per_request": 1,
    "harvest_per_account_day": 1,
    "harvest_peer_percentile": 1,
    "logprobs_share": 1,
    "top_logprobs_mean": 1,
    "multi_choice_share": 1,
    "reasoning_token_share": 1,
    "max_tokens_saturation_share": 1,
    "account_age_days": -1,
}
MONOTONIC_CST: tuple[int, ...] = tuple(MONOTONE.get(name, 0) for name in FEATURE_NAMES)

# Computed (and written with every score) but blanked before the classifier (`pipelines.features.peers`): they
# say which API modality a window uses, not how much it harvests, and their values are label-specific in
# training (models/report/SHORTCUTS.md: text completions per request separate the labels at AUC 0.81 because
# benign logprob scorers and indexers send tiny ones), so a booster reads a distiller of another modality
# (embeddings, 1-token grades with top-20 logprobs) as benign. `returned_targets_per_request` measures the same
# in every modality: each returned token, each probability returned with it, each embedded input token.
MODALITY_MARKERS: tuple[str, ...] = ("completion_tokens_mean", "output_input_ratio", "embeddings_share")

# Also blanked: knobs a distiller sets at will without giving up any of its harvest (keys, IPs and user agents,
# prompt visibility and diversity, sampling, streaming, tools, errors and 429s). The simulator draws them
# independently of the label, so all a booster can learn from them is family-specific interactions: left-out
# families it never saw were found less often when it could read them (models/report/FEATURE_SETS.md, 2026.12.8),
# and the independent evaluation's logprob harvester was held at 0.12 by its prompt diversity and IP spread.
# Pacing (`minute_count_cv`, `active_minute_share`) stays: blanking it too lost recall there.
ATTACKER_SET_KNOBS: tuple[str, ...] = (
    "distinct_api_keys", "distinct_ips", "distinct_ip_prefixes", "distinct_user_agents", "prompt_observed_share",
    "prompt_distinct_share", "template_top_share", "temperature_mean", "temperature_std", "temperature_zero_share",
    "stream_share", "tool_use_share", "error_share", "rate_limited_share",
)  # fmt: skip
CLASSIFIER_BLANKED: tuple[str, ...] = MODALITY_MARKERS + ATTACKER_SET_KNOBS

# Peer groups for `harvest_peer_percentile`: the account's billing tier as an ordinal. It only chooses the peer
# group (`pipelines.features.peers`); the classifier never sees it (a tier is not evidence of intent).
TIER_RANKS: dict[str, int] = {
    "free": 0, "tier-1": 1, "tier-2": 2, "tier-3": 3, "tier-4": 4, "tier-5": 5, "enterprise": 6,
}  # fmt: skip

# Reported in place of a feature that cannot be computed for a window (e.g. no account metadata):
# tree models split on it like any other value, and it is never confused with a real zero.
MISSING = -1.0
