import apache_beam as beam
import orjson
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from pipelines.base import MAX_PAYLOAD_CHARS, REDACTED, dead_letter_row
from pipelines.contract import REASONING_INCLUDED
from pipelines.validate import REASONING_ABOVE_COMPLETION, WITH_REASONING, WITHOUT_FIELD, parse_events
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


def test_reasoning_included_in_the_completion_is_subtracted_or_dead_lettered():
    records = [
        ("f.jsonl", event_bytes(1, completion_tokens=1200, reasoning_tokens=900)),
        ("f.jsonl", event_bytes(2, completion_tokens=300, reasoning_tokens=900)),  # cannot include its reasoning
        ("f.jsonl", event_bytes(3, completion_tokens=40)),
    ]

    def check_dead(rows):
        assert [row["event_id"] for row in rows] == ["acct-1-2"]
        assert "reasoning_tokens 900 exceed completion_tokens 300" in rows[0]["error"]

    with TestPipeline() as p:
        events, dead = parse_events(p | beam.Create(records), reasoning_tokens=REASONING_INCLUDED)
        completions = events | beam.Map(lambda e: (e.event_id, e.completion_tokens, e.reasoning_tokens))
        assert_that(completions, equal_to([("acct-1-1", 300, 900), ("acct-1-3", 40, None)]), label="events")
        assert_that(dead, check_dead, label="dead_letter")


def test_the_parser_counts_events_that_report_more_reasoning_than_completion():
    records = [
        ("f.jsonl", event_bytes(1, completion_tokens=300, reasoning_tokens=900)),
        ("f.jsonl", event_bytes(2, completion_tokens=300, reasoning_tokens=100)),
        ("f.jsonl", event_bytes(3)),
    ]
    p = TestPipeline()
    parse_events(p | beam.Create(records))
    result = p.run()
    result.wait_until_finish()
    counts = {c.key.metric.name: c.committed for c in result.metrics().query()["counters"]}
    assert counts[WITH_REASONING] == 2 and counts[REASONING_ABOVE_COMPLETION] == 1


def test_the_parser_counts_events_without_each_optional_field():
    full = {
        "params": {"max_tokens": 64},
        "client": {"ip": "10.0.0.1"},
        "prompt": {"sha256": "ab" * 32},
        "account": {"created_at": "2025-12-01T00:00:00Z"},
    }
    records = [
        ("f.jsonl", event_bytes(1, **full)),
        ("f.jsonl", event_bytes(2, **{**full, "account": {"tier": "free"}})),  # an account block without created_at
        ("f.jsonl", event_bytes(3, prompt=full["prompt"])),
        ("f.jsonl", b"not json"),  # dead letters count nowhere here
    ]
    p = TestPipeline()
    parse_events(p | beam.Create(records))
    result = p.run()
    result.wait_until_finish()
    counts = {c.key.metric.name: c.committed for c in result.metrics().query()["counters"]}
    without = {field: counts.get(name, 0) for field, name in WITHOUT_FIELD.items()}
    assert without == {"params": 1, "account.created_at": 2, "prompt": 0, "client": 1}
