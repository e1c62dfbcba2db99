"""Validation: every raw record becomes a typed, timestamped event or a dead-letter row with the reason."""

from __future__ import annotations

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


class ParseEvents(beam.DoFn):
    """Decodes contract-v1 JSON, and with `reasoning_tokens="included"` moves the reasoning out of the completion
    count. Main output: `UsageEvent` (timestamped with its event time unless `timestamped` is False); tagged
    `dead_letter`: row dicts."""

    def __init__(self, timestamped: bool = True, reasoning_tokens: str = REASONING_SEPARATE) -> None:
        self._timestamped = timestamped
        self._reasoning_included = reasoning_tokens == REASONING_INCLUDED
        self.parsed = beam.metrics.Metrics.counter("distillwatch", "events_parsed")
        self.dead_lettered = beam.metrics.Metrics.counter("distillwatch", "events_dead_lettered")
        self.with_reasoning = beam.metrics.Metrics.counter("distillwatch", WITH_REASONING)
        self.reasoning_above = beam.metrics.Metrics.counter("distillwatch", REASONING_ABOVE_COMPLETION)

    def process(self, record: RawRecord) -> Iterator[Any]:
        source, payload = record
        try:
            event = decode_event(payload)
            if event.reasoning_tokens:
                self.with_reasoning.inc()
                if event.reasoning_tokens > event.completion_tokens:
                    self.reasoning_above.inc()
                if self._reasoning_included:
                    event = reasoning_counted_apart(event)
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
