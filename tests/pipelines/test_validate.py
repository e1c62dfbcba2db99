import apache_beam as beam
import orjson
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from pipelines.base import MAX_PAYLOAD_CHARS, REDACTED, dead_letter_row
from pipelines.validate import parse_events
from tests.events import event_bytes, event_dict


def check_dead_letters(rows):
    assert len(rows) == 6, rows
    errors = " | ".join(row["error"] for row in rows)
    assert "api_key_id" in errors and "completion_tokens" in errors and "prompt_tokens" in errors, errors
    assert all(row["stage"] == "parse" and row["source"] == "f.jsonl" and row["error"] for row in rows)
    huge = next(row for row in rows if row["payload_bytes"] > 1_000_000)
    assert len(huge["payload"]) <= MAX_PAYLOAD_CHARS
    assert huge["account_id"] == "acct-1" and huge["event_id"] == "acct-1-4"


def test_bad_records_go_to_dead_letter_with_reason_and_good_ones_pass():
    missing = event_dict(3)
    del missing["api_key_id"]
    huge = event_dict(4, prompt={"text": "x" * 1_000_000})
    huge["prompt_tokens"] = "many"
    records = [
        ("f.jsonl", event_bytes(1)),
        ("f.jsonl", b'{"event_id": "x", "event_time": '),  # truncated JSON
        ("f.jsonl", orjson.dumps(missing)),
        ("f.jsonl", event_bytes(5, completion_tokens=-3)),  # out of range
        ("f.jsonl", orjson.dumps(huge)),  # huge, and a wrong type
        ("f.jsonl", b"\xff\xfe not utf-8 \x80"),
        ("f.jsonl", b"[1, 2, 3]"),
        ("f.jsonl", event_bytes(2)),
    ]
    with TestPipeline() as p:
        events, dead = parse_events(p | beam.Create(records))
        assert_that(events | beam.Map(lambda e: e.event_id), equal_to(["acct-1-1", "acct-1-2"]), label="events")
        assert_that(dead, check_dead_letters, label="dead_letter")


def test_prompt_text_never_reaches_the_dead_letter_payload():
    secret = "my secret prompt about the launch codes"
    parsed = dead_letter_row("s", orjson.dumps(event_dict(1, prompt={"text": secret}, status_code="bad")), "e")
    truncated = dead_letter_row("s", b'{"prompt": {"text": "' + secret.encode() + b'", "sha', "e")
    for row in (parsed, truncated):
        assert secret not in row["payload"]
        assert REDACTED in row["payload"]
