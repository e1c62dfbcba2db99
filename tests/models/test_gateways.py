"""Each gateway changes exactly what it names; training's partial gateways are drawn per account, not per label."""

import copy
from dataclasses import replace

import orjson
import pytest

from models.dataset import SimulationSpec, simulate
from models.gateways import (
    BASELINE,
    GATEWAYS,
    OPTIONAL_TOP_LEVEL,
    PARTIAL_GATEWAYS,
    account_gateways,
    reasoning_inside,
    required_only,
    through_gateways,
    without,
)
from pipelines.config import WindowConfig
from pipelines.contract import decode_event
from pipelines.features.spec import FEATURE_INDEX, MISSING
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


def test_accounts_draw_their_gateway_from_id_and_seed_alone():
    ids = [f"acct-{i}" for i in range(2000)]
    chosen = account_gateways(ids, seed=3, share=0.4)
    assert chosen == account_gateways(reversed(ids), seed=3, share=0.4)  # order and process independent
    assert chosen != account_gateways(ids, seed=4, share=0.4)
    assert 0.35 < len(chosen) / len(ids) < 0.45
    assert set(chosen.values()) == set(PARTIAL_GATEWAYS)
    assert (
        BASELINE not in PARTIAL_GATEWAYS
        and "reasoning inside `completion_tokens`, read as apart" not in PARTIAL_GATEWAYS
    )
    assert account_gateways(ids, seed=3, share=0.0) == {}


def test_only_the_chosen_accounts_events_change():
    events = [FULL, {**FULL, "account_id": "acct-2"}]
    changed = list(through_gateways(events, {"acct-1": "no `params` block"}))
    assert "params" not in changed[0] and changed[1] == events[1]


def test_a_simulated_run_with_partial_gateways_loses_fields_on_those_accounts_only():
    spec = SimulationSpec(seed=9, accounts=80, hours=0.5)
    full = simulate(spec, WindowConfig())
    partial = simulate(replace(spec, partial_gateways=1.0), WindowConfig())
    assert len(partial.labels) == len(full.labels) and (partial.labels == full.labels).all()
    age = FEATURE_INDEX["account_age_days"]
    assert (full.features[:, age] != MISSING).all()
    assert (partial.features[:, age] == MISSING).any()
