"""Validation: every raw record becomes a typed, timestamped event or a dead-letter row with the reason."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
import msgspec
from apache_beam.transforms.window import TimestampedValue

from pipelines.base import DEAD_LETTER, RawRecord, dead_letter_row
from pipelines.contract import REASONING_INCLUDED, REASONING_SEPARATE, UsageEvent, decode_event, reasoning_counted_apart

# Counters of how the input counts reasoning (before any conversion): a gateway that counts it inside
# `completion_tokens` never reports more reasoning than completion, one that counts it apart usually does.
WITH_REASONING = "events_with_reasoning"
REASONING_ABOVE_COMPLETION = "events_reasoning_above_completion"
# Counters of parsed events without an optional field the features read, by field: a gateway that never sends
# one is scored with the features built on it empty.
WITHOUT_FIELD = {
    "params": "events_without_params",
    "account.created_at": "events_without_account_created_at",
    "prompt": "events_without_prompt",
    "client": "events_without_client",
}


def absent_optional_fields(event: UsageEvent) -> Iterator[str]:
    """The keys of `WITHOUT_FIELD` that `event` lacks."""
    if event.params is None:
        yield "params"
    if event.account is None or event.account.created_at is None:
        yield "account.created_at"
    if event.prompt is None:
        yield "prompt"
    if event.client is None:
        yield "client"


class ParseEvents(beam.DoFn):
    """Decodes contract-v1 JSON, and with `reasoning_tokens="included"` moves the reasoning out of the completion
    count. Main output: `UsageEvent` (timestamped with its event time unless `timestamped` is False); tagged
    `dead_letter`: row dicts."""

    def __init__(self, timestamped: bool = True, reasoning_tokens: str = REASONING_SEPARATE) -> None:
        self._timestamped = timestamped
        self._reasoning_included = reasoning_tokens == REASONING_INCLUDED
        self.parsed = beam.metrics.Metrics.counter("distillwatch", "events_parsed")
        self.dead_lettered = beam.metrics.Metrics.counter("distillwatch", "events_dead_lettered")
        names = [WITH_REASONING, REASONING_ABOVE_COMPLETION, *WITHOUT_FIELD.values()]
        self.field_counters = {name: beam.metrics.Metrics.counter("distillwatch", name) for name in names}
        self._field_tally: Counter[str] = Counter()

    def start_bundle(self) -> None:
        self._field_tally = Counter()  # tallied per bundle: a counter update per event and field is costly

    def finish_bundle(self) -> None:
        for name, count in self._field_tally.items():
            self.field_counters[name].inc(count)

    def process(self, record: RawRecord) -> Iterator[Any]:
        source, payload = record
        try:
            event = decode_event(payload)
            tally = self._field_tally
            if event.reasoning_tokens:
                tally[WITH_REASONING] += 1
                if event.reasoning_tokens > event.completion_tokens:
                    tally[REASONING_ABOVE_COMPLETION] += 1
                if self._reasoning_included:
                    event = reasoning_counted_apart(event)
            for field in absent_optional_fields(event):
                tally[WITHOUT_FIELD[field]] += 1
        except (msgspec.ValidationError, msgspec.DecodeError) as error:
            reason = f"{type(error).__name__}: {error}"
        except Exception as error:  # noqa: BLE001 - one record must never crash the pipeline
            reason = f"unexpected {type(error).__name__}: {error}"
        else:
            self.parsed.inc()
            yield TimestampedValue(event, event.timestamp) if self._timestamped else event
            return
        self.dead_lettered.inc()
        try:
            row = dead_letter_row(source, payload, reason)
        except Exception as error:  # noqa: BLE001 - not even the dead letter of a record may crash the pipeline
            row = dead_letter_row(source, b"", f"{reason} (payload not representable: {type(error).__name__})")
            row["payload_bytes"] = len(payload)
        yield beam.pvalue.TaggedOutput(DEAD_LETTER, row)


def parse_events(
    raw: beam.PCollection, timestamped: bool = True, reasoning_tokens: str = REASONING_SEPARATE
) -> tuple[beam.PCollection, beam.PCollection]:
    """Returns (events, dead_letter_rows). Without `timestamped` the events keep the records' timestamp: for a graph
    that reads each event's time from the event itself (stamping each element is costly in the SDK)."""
    parse = ParseEvents(timestamped, reasoning_tokens)
    results = raw | "ParseEvents" >> beam.ParDo(parse).with_outputs(DEAD_LETTER, main="events")
    return results.events, results[DEAD_LETTER]


__all__ = ["DEAD_LETTER", "ParseEvents", "RawRecord", "UsageEvent", "dead_letter_row", "parse_events"]
