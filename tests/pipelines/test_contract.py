import json
from pathlib import Path

import msgspec
import pytest

from pipelines.contract import decode_event, json_schema, reasoning_counted_apart
from tests.events import event_bytes, event_dict

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "pipelines" / "schema" / "usage_event_v1.schema.json"


def test_valid_event_decodes_with_utc_timestamp():
    event = decode_event(event_bytes(5, params={"temperature": 0.0, "logprobs": True, "top_logprobs": 5}))
    assert event.event_id == "acct-1-5"
    assert event.timestamp == pytest.approx(1767225605.0)
    assert event.params.logprobs is True


def test_unknown_fields_are_ignored():
    document = event_dict(1, future_field={"anything": [1, 2]})
    assert decode_event(json.dumps(document)).account_id == "acct-1"


@pytest.mark.parametrize(
    "change",
    [
        {"prompt_tokens": -1},
        {"prompt_tokens": "100"},
        {"status_code": 42},
        {"endpoint": "images"},
        {"event_time": "2026-01-01T00:00:00"},  # no offset: not RFC 3339 UTC
        {"event_id": ""},
        {"params": {"logprobs": "yes"}},
        {"completion_tokens": 2**40},
    ],
)
def test_contract_violations_raise(change):
    with pytest.raises(msgspec.ValidationError):
        decode_event(json.dumps(event_dict(1, **change)))


def test_missing_required_field_raises():
    document = event_dict(1)
    del document["account_id"]
    with pytest.raises(msgspec.ValidationError, match="account_id"):
        decode_event(json.dumps(document))


def test_shipped_json_schema_is_generated_from_the_structs():
    assert json.loads(SCHEMA_FILE.read_text()) == json_schema(), "regenerate with `python -m pipelines.contract`"


def test_reasoning_counted_inside_the_completion_is_moved_out_of_it_exactly():
    apart = decode_event(event_bytes(1, completion_tokens=300, reasoning_tokens=900))
    inside = decode_event(event_bytes(1, completion_tokens=1200, reasoning_tokens=900))
    assert reasoning_counted_apart(inside) == apart
    without = decode_event(event_bytes(2))
    assert reasoning_counted_apart(without) is without


def test_reasoning_above_the_completion_that_should_include_it_is_refused():
    apart = decode_event(event_bytes(1, completion_tokens=300, reasoning_tokens=900))
    with pytest.raises(msgspec.ValidationError, match=r"reasoning_tokens 900 exceed completion_tokens 300"):
        reasoning_counted_apart(apart)
