import pickle

import pytest

from pipelines.features.accumulator import WindowAccumulator, harvest_weight, ip_prefix, template_fingerprint
from pipelines.features.extract import feature_dict, feature_vector
from pipelines.features.spec import FEATURE_NAMES, MISSING
from tests.events import T0, event

WINDOW = (T0.timestamp(), T0.timestamp() + 3600)


def accumulate(events):
    acc = WindowAccumulator()
    for e in events:
        acc.add(e)
    return acc


def extraction_like(n):
    return event(
        n * 6,
        completion_tokens=1900,
        prompt_tokens=60,
        params={"max_tokens": 2000, "temperature": 0.0, "logprobs": True, "top_logprobs": 20, "n": 4},
        client={"ip": f"203.0.113.{n % 7}", "user_agent": "python-requests/2.31"},
        prompt={"text": f"Explain topic {n} step by step and show your full reasoning"},
        account={"created_at": "2025-12-31T00:00:00Z"},
    )


def test_features_of_an_extraction_like_window():
    features = feature_dict(accumulate(extraction_like(n) for n in range(600)), *WINDOW)
    assert features["request_count"] == 600
    assert features["requests_per_minute"] == pytest.approx(10.0)
    assert features["output_input_ratio"] == pytest.approx(1900 / 60)
    # Every generated token with its own probability and 20 alternatives: 22 targets per token.
    assert features["returned_targets_per_request"] == pytest.approx(1900 * 22)
    assert features["max_tokens_saturation_share"] == 1.0
    assert features["logprobs_share"] == 1.0 and features["top_logprobs_mean"] == 20
    assert features["multi_choice_share"] == 1.0
    assert features["temperature_zero_share"] == 1.0 and features["temperature_std"] == 0.0
    assert features["minute_count_cv"] == pytest.approx(0.0)  # exactly 10 per minute
    assert features["active_minute_share"] == 1.0
    assert features["distinct_ips"] == pytest.approx(7, abs=0.5)
    assert features["distinct_ip_prefixes"] == pytest.approx(1, abs=0.5)
    assert features["reasoning_elicitation_share"] == 1.0
    assert features["prompt_distinct_share"] == pytest.approx(1.0, abs=0.05)
    assert features["account_age_days"] == pytest.approx(1 + 1 / 24)  # created a day before the window start


def test_missing_optional_data_is_marked_missing_not_zero():
    features = feature_dict(accumulate([event(1)]), *WINDOW)
    for name in ("temperature_mean", "prompt_distinct_share", "template_top_share", "account_age_days"):
        assert features[name] == MISSING
    assert list(features) == list(FEATURE_NAMES)
    assert feature_vector(features).shape == (len(FEATURE_NAMES),)


def test_merge_equals_single_pass_in_any_order_and_survives_pickling():
    events = [extraction_like(n) for n in range(300)] + [event(n, prompt={"sha256": "ab"}) for n in range(100)]
    whole = feature_dict(accumulate(events), *WINDOW)
    left, right = accumulate(events[::2]), accumulate(events[1::2])
    merged = feature_dict(pickle.loads(pickle.dumps(right)).merge(pickle.loads(pickle.dumps(left))), *WINDOW)
    sketched = {
        "distinct_api_keys",
        "distinct_ips",
        "distinct_ip_prefixes",
        "distinct_user_agents",
        "prompt_distinct_share",
    }
    for name in FEATURE_NAMES:
        # HLL unions carry the sketches' own error (lg_k=10: ~3%); everything else, template counts included, is
        # exact.
        assert merged[name] == pytest.approx(whole[name], rel=0.03 if name in sketched else 1e-12), name


def test_templates_collide_on_numbers_and_repetition_is_measured():
    assert template_fingerprint("Q17: translate 'a'") == template_fingerprint("Q18: translate 'a'")
    same = accumulate(event(n, prompt={"text": f"Rate review #{n}: great product"}) for n in range(200))
    assert feature_dict(same, *WINDOW)["template_top_share"] > 0.9


def test_ip_prefixes():
    assert ip_prefix("198.51.100.7") == "198.51.100"
    assert ip_prefix("2001:db8:1:2::1") == "2001:db8:1"


def test_harvest_weighs_output_tokens_by_logprob_depth_and_counts_reasoning():
    plain = event(0, completion_tokens=100)
    top20 = event(1, completion_tokens=100, reasoning_tokens=50, params={"logprobs": True, "top_logprobs": 20})
    bare_logprobs = event(2, completion_tokens=10, params={"logprobs": True})
    refused = event(3, completion_tokens=0, status_code=429)
    features = feature_dict(accumulate([plain, top20, bare_logprobs, refused]), *WINDOW)
    expected = 100 * 1 + 150 * (2 + 20) + 10 * 2  # each returned probability is a target
    assert features["harvest_tokens"] == pytest.approx(expected)
    assert features["harvest_per_minute"] == pytest.approx(expected / 60)
    assert harvest_weight(None) == 1.0 and harvest_weight(top20.params) > harvest_weight(bare_logprobs.params) > 1


def test_an_embedding_harvests_its_whole_input():
    embedded = event(0, endpoint="embeddings", prompt_tokens=300, completion_tokens=0)
    chat = event(1, prompt_tokens=300, completion_tokens=10)
    assert feature_dict(accumulate([embedded, chat]), *WINDOW)["harvest_tokens"] == 300 + 10


def test_returned_targets_count_every_modality_but_not_hidden_reasoning():
    embedded = event(0, endpoint="embeddings", prompt_tokens=300, completion_tokens=0)
    graded = event(1, completion_tokens=2, params={"logprobs": True, "top_logprobs": 20})
    reasoned = event(2, completion_tokens=100, reasoning_tokens=900)
    features = feature_dict(accumulate([embedded, graded, reasoned]), *WINDOW)
    assert features["returned_targets_per_request"] == pytest.approx((300 + 2 * 22 + 100) / 3)
    assert features["harvest_tokens"] == pytest.approx(300 + 2 * 22 + 1000)


def test_an_embedding_is_a_full_length_output():
    embedded = event(0, endpoint="embeddings", prompt_tokens=300, completion_tokens=0)
    capped = event(1, completion_tokens=100, params={"max_tokens": 100})
    short = event(2, completion_tokens=10, params={"max_tokens": 100})
    assert feature_dict(accumulate([embedded, capped, short]), *WINDOW)["max_tokens_saturation_share"] == 2 / 3


def test_youth_normalised_harvest_and_the_tier_peer_group():
    young = {"created_at": "2025-12-31T21:00:00Z", "tier": "tier-1"}  # 3 h before the window start
    events = [event(n, completion_tokens=1000, account=young) for n in range(10)]
    events.append(event(11, completion_tokens=1000, account={"tier": "tier-3"}))
    features = feature_dict(accumulate(events), *WINDOW)
    assert features["account_age_days"] == pytest.approx(4 / 24)  # at the window end
    assert features["harvest_per_account_day"] == pytest.approx(11_000 / (4 / 24))
    assert features["account_tier_rank"] == 3  # the highest tier the account was seen on
    assert features["harvest_peer_percentile"] == MISSING  # filled from the model's peer reference
    unknown = feature_dict(accumulate([event(0)]), *WINDOW)
    assert unknown["account_tier_rank"] == MISSING and unknown["harvest_per_account_day"] == MISSING
