"""Each gateway changes exactly what it names, and the outcome pools seeds by accounts."""

import copy

import numpy as np
import orjson
import pytest

from models.diagnostics.gateway_fields import (
    BASELINE,
    GATEWAYS,
    OPTIONAL_TOP_LEVEL,
    Replay,
    outcome,
    reasoning_inside,
    report,
    required_only,
    without,
)
from pipelines.contract import decode_event
from tests.events import event_dict

FULL = event_dict(
    1,
    reasoning_tokens=900,
    latency_ms=1200.0,
    params={"max_tokens": 2048, "temperature": 0.7, "logprobs": True, "top_logprobs": 5},
    client={"ip": "203.0.113.7", "user_agent": "sdk/1.0"},
    prompt={"text": "Explain step by step", "sha256": "ab" * 32},
    account={"created_at": "2026-01-01T00:00:00Z", "tier": "pro", "payment_fingerprint": "card-1"},
)


@pytest.mark.parametrize("gateway", list(GATEWAYS))
def test_every_gateways_event_is_valid_contract_v1_and_the_original_is_untouched(gateway):
    original = copy.deepcopy(FULL)
    decode_event(orjson.dumps(GATEWAYS[gateway](FULL)))
    assert original == FULL


def test_a_missing_block_or_field_is_the_only_change():
    assert without("account")(FULL) == {k: v for k, v in FULL.items() if k != "account"}
    no_created = without("account", "created_at")(FULL)
    assert no_created["account"] == {"tier": "pro", "payment_fingerprint": "card-1"}
    assert {k: v for k, v in no_created.items() if k != "account"} == {k: v for k, v in FULL.items() if k != "account"}
    bare = event_dict(2)
    assert without("params", "max_tokens")(bare) == bare
    assert set(required_only(FULL)) == set(FULL) - set(OPTIONAL_TOP_LEVEL)
    assert GATEWAYS[BASELINE](FULL) == FULL


def test_reasoning_inside_adds_it_to_the_completion():
    assert reasoning_inside(FULL)["completion_tokens"] == 50 + 900
    assert reasoning_inside(event_dict(3)) == event_dict(3)


def test_the_outcome_pools_seeds_over_accounts():
    # seed 1: benign 0.9 (alerted), 0.1; extraction a 0.8, b 0.2. seed 2: benign 0.2, 0.3; extraction a 0.95.
    def run(seed, scores, extraction, families):
        return Replay("g", seed, np.array(scores), np.array(extraction), np.array(families))

    replays = [
        run(1, [0.9, 0.1, 0.8, 0.2], [False, False, True, True], ["x", "y", "a", "b"]),
        run(2, [0.2, 0.3, 0.95], [False, False, True], ["x", "y", "a"]),
    ]
    o = outcome(replays, threshold=0.5)
    assert (o.benign_accounts, o.extraction_accounts) == (4, 3)
    assert o.recall == pytest.approx(2 / 3) and o.fpr == pytest.approx(1 / 4) and o.false_positives == 1
    assert o.family_recall == {"a": 1.0, "b": 0.0}
    # <= 1 % of 4 benign accounts allows none: the threshold sits just above 0.9, so only 0.95 alerts.
    assert o.recall_at_1 == pytest.approx(1 / 3) and o.recall_at_01 == pytest.approx(1 / 3)
    text = report([o], "v1", 0.5, "python -m models.diagnostics.gateway_fields")
    assert "| g | 0.667 | 25.00 % (1) | 0.333 | 0.333 |" in text
    assert "| a | 1.00 |" in text and "| b | 0.00 |" in text
