"""Validation: every raw record becomes a typed, timestamped event or a dead-letter row with the reason."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
import msgspec
import orjson
from apache_beam.transforms.window import TimestampedValue

from pipelines.contract import UsageEvent, decode_event

DEAD_LETTER = "dead_letter"
MAX_PAYLOAD_CHARS = 4096
REDACTED = "[redacted]"
# Prompt text must never reach a sink, even inside a record we could not parse.
_PROMPT_TEXT = re.compile(rb'"text"\s*:\s*"(?:[^"\\]|\\.)*"?')

RawRecord = tuple[str, bytes]  # (source, payload): file path or subscription[/message id], raw bytes


def utc_now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _redacted_payload(payload: bytes) -> str:
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError:
        document = None
    text = None
    if isinstance(document, dict):
        prompt = document.get("prompt")
        if isinstance(prompt, dict) and "text" in prompt:
            prompt["text"] = REDACTED
        try:
            text = orjson.dumps(document, default=str).decode()
        except orjson.JSONEncodeError:  # nested deeper than orjson writes: fall back to the raw bytes
            text = None
    if text is None:
        text = _PROMPT_TEXT.sub(b'"text":"' + REDACTED.encode() + b'"', payload).decode("utf-8", "backslashreplace")
    return text[:MAX_PAYLOAD_CHARS]


def _identity_of(payload: bytes) -> tuple[str | None, str | None]:
    """account_id and event_id of a bad record, when they can still be read, so analysts can follow up."""
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(document, dict):
        return None, None
    account, event = document.get("account_id"), document.get("event_id")
    return (account if isinstance(account, str) else None), (event if isinstance(event, str) else None)


def dead_letter_row(source: str, payload: bytes, error: str, stage: str = "parse") -> dict[str, Any]:
    account_id, event_id = _identity_of(payload)
    return {
        "received_at": utc_now_iso(),
        "stage": stage,
        "source": source,
        "error": error[:1024],
        "payload": _redacted_payload(payload),
        "payload_bytes": len(payload),
        "account_id": account_id,
        "event_id": event_id,
    }


class ParseEvents(beam.DoFn):
    """Decodes contract-v1 JSON. Main output: timestamped `UsageEvent`; tagged `dead_letter`: row dicts."""

    def __init__(self) -> None:
        self.parsed = beam.metrics.Metrics.counter("distillwatch", "events_parsed")
        self.dead_lettered = beam.metrics.Metrics.counter("distillwatch", "events_dead_lettered")

    def process(self, record: RawRecord) -> Iterator[Any]:
        source, payload = record
        try:
            event = decode_event(payload)
        except (msgspec.ValidationError, msgspec.DecodeError) as error:
            reason = f"{type(error).__name__}: {error}"
        except Exception as error:  # noqa: BLE001 - one record must never crash the pipeline
            reason = f"unexpected {type(error).__name__}: {error}"
        else:
            self.parsed.inc()
            yield TimestampedValue(event, event.timestamp)
            return
        self.dead_lettered.inc()
        try:
            row = dead_letter_row(source, payload, reason)
        except Exception as error:  # noqa: BLE001 - not even the dead letter of a record may crash the pipeline
            row = dead_letter_row(source, b"", f"{reason} (payload not representable: {type(error).__name__})")
            row["payload_bytes"] = len(payload)
        yield beam.pvalue.TaggedOutput(DEAD_LETTER, row)


def parse_events(raw: beam.PCollection) -> tuple[beam.PCollection, beam.PCollection]:
    """Returns (events, dead_letter_rows)."""
    results = raw | "ParseEvents" >> beam.ParDo(ParseEvents()).with_outputs(DEAD_LETTER, main="events")
    return results.events, results[DEAD_LETTER]


__all__ = ["DEAD_LETTER", "ParseEvents", "RawRecord", "UsageEvent", "dead_letter_row", "parse_events"]
