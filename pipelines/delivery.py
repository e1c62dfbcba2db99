"""At-least-once delivery and late data: dedup by event_id, and dead-letter what windows would drop.

- Pub/Sub (and gateways that retry) deliver some events twice. `DeduplicateEvents` keeps one delivery
  per event_id: in streaming within a bounded event-time horizon (keyed state per shard of event ids
  and span of event time, see `_FirstDeliveryInSpan`), in a batch replay over the whole input (one
  combine per account and hour of event time, far cheaper than keyed state and timers per event on the
  batch runners). On the local runner a batch dedup holds every event of the replay in memory until the
  combine is done; `--deduplicated-input` skips it for input known to hold each event_id once.
- Beam silently drops an event whose window closed more than the allowed lateness ago. In streaming,
  `RouteTooLateEvents` sends such events to the dead letter (stage "late") instead. It learns a lower
  bound of the watermark from event-time timers (the Python SDK exposes no watermark to a DoFn): a
  timer set at time T fires only once the watermark has passed T.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import apache_beam as beam
import msgspec
from apache_beam.coders import Coder, FloatCoder, StrUtf8Coder
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, SetStateSpec, TimerSpec, on_timer
from apache_beam.transforms.window import GlobalWindow, TimestampedValue
from apache_beam.utils.timestamp import Timestamp

from pipelines.base import DEAD_LETTER, dead_letter_row
from pipelines.batch_panes import account_hour_key
from pipelines.config import WindowConfig
from pipelines.contract import UsageEvent, encode_event
from pipelines.windowing import PaneKey

# The watermark bound is tracked per shard of accounts: enough keys to spread the work, few enough that
# every shard sees events often and its bound stays close to the true watermark.
LATENESS_SHARDS = 16
# No probe beyond the end of the global window (the gate's timers live there).
LAST_PROBE = float(GlobalWindow().max_timestamp().micros) / 1e6
# Probes are set on a grid of event time shared by every shard, so that they fire together: the local
# BundleBasedDirectRunner runs each timer firing round as a bundle through everything downstream. The bound
# lags the watermark by up to one grid step more.
PROBE_GRID_S = 5.0


def _on_probe_grid(event_time: float) -> float:
    return math.ceil(event_time / PROBE_GRID_S) * PROBE_GRID_S


# Streaming dedup state is keyed by (shard of event ids, span of event time). Deliveries of one event carry
# the same event time, so they meet in one key; each key holds the ids of DEDUP_SPAN_S seconds of one shard.
DEDUP_SHARDS = 4
DEDUP_SPAN_S = 10


_EVENT_ENCODER = msgspec.msgpack.Encoder()
_EVENT_DECODER = msgspec.msgpack.Decoder(UsageEvent)


class DeliveriesCoder(Coder):
    """A batch dedup accumulator (event_id -> msgpack-encoded event) as one msgpack map, in one C call each way."""

    _encoder = msgspec.msgpack.Encoder()
    _decoder = msgspec.msgpack.Decoder(dict[str, bytes])

    def encode(self, value: dict[str, bytes]) -> bytes:
        return self._encoder.encode(value)

    def decode(self, encoded: bytes) -> dict[str, bytes]:
        return self._decoder.decode(encoded)

    def is_deterministic(self) -> bool:
        return False


class OneDeliveryPerEventId(beam.CombineFn):
    """The deliveries of one account and hour -> one per event_id (deliveries of an event_id carry the same event).

    Every delivery of an event shares its account and event time, so grouping by (account, hour) meets all of them,
    in far fewer, larger groups than one per event_id: the runner moves a few thousand accumulators, not an
    accumulator per event. Each kept event is held encoded (msgpack): encoded once and decoded once, however often
    the runner and the shuffle re-encode the accumulator, and a third of its size as an object.
    `reduce` turns the group's unique events into the output (by default, their list): reducing them here keeps
    lists of whole events out of the graph, whose element-size sampling would pickle every event.
    """

    def __init__(self, reduce: Callable[[list[UsageEvent]], Any] = list) -> None:
        self._reduce = reduce
        self.unique = beam.metrics.Metrics.counter("distillwatch", "events_unique")

    def create_accumulator(self) -> dict[str, bytes]:
        return {}

    def add_input(self, kept: dict[str, bytes], event: UsageEvent) -> dict[str, bytes]:
        if event.event_id not in kept:
            kept[event.event_id] = _EVENT_ENCODER.encode(event)
        return kept

    def merge_accumulators(self, accumulators: Iterable[dict[str, bytes]]) -> dict[str, bytes]:
        merged, *rest = accumulators
        for kept in rest:
            for event_id, encoded in kept.items():
                merged.setdefault(event_id, encoded)
        return merged

    def extract_output(self, kept: dict[str, bytes]) -> Any:
        self.unique.inc(len(kept))
        return self._reduce([_EVENT_DECODER.decode(encoded) for encoded in kept.values()])

    def get_accumulator_coder(self) -> Coder:
        return DeliveriesCoder()


class DeliveriesPerAccountHour(beam.PTransform):
    """Batch: events -> ((account_id, hour start), reduce(one delivery per event_id)) per account and hour."""

    def __init__(self, reduce: Callable[[list[UsageEvent]], Any] = list) -> None:
        super().__init__()
        self._reduce = reduce

    def expand(self, events: beam.PCollection) -> beam.PCollection:
        return (
            events
            | "KeyByAccountHour" >> beam.Map(lambda event: (account_hour_key(event), event))
            | "OnePerEventId" >> beam.CombinePerKey(OneDeliveryPerEventId(self._reduce))
        )


class _FirstDeliveryInSpan(beam.DoFn):
    """Streaming: ((shard, span), event) -> the event, unless its event_id was seen in that key.

    Keyed by event_id (Beam's `DeduplicatePerKey`), the local BundleBasedDirectRunner kept one state object per
    event for the whole run and visited every one of them at each timer scan. A span's ids are forgotten when the
    watermark passes the span's end plus the horizon, never earlier than an id's own event time plus the horizon.
    """

    SEEN = SetStateSpec("seen", StrUtf8Coder())
    EXPIRE = TimerSpec("expire", TimeDomain.WATERMARK)

    def __init__(self, horizon_s: int) -> None:
        self._horizon_s = horizon_s
        self.unique = beam.metrics.Metrics.counter("distillwatch", "events_unique")

    def process(
        self,
        element: tuple[tuple[int, int], UsageEvent],
        seen: Any = beam.DoFn.StateParam(SEEN),
        expire: Any = beam.DoFn.TimerParam(EXPIRE),
    ) -> Iterator[UsageEvent]:
        (_, span), event = element
        ids = seen.read()
        if event.event_id in ids:
            return
        if not ids:  # the key's expiry depends on its span only: set once, with its first id
            expire.set(Timestamp.of((span + 1) * DEDUP_SPAN_S + self._horizon_s))
        seen.add(event.event_id)
        self.unique.inc()
        yield event  # with its event time, as the late gate stamped it

    @on_timer(EXPIRE)
    def forget(self, seen: Any = beam.DoFn.StateParam(SEEN)) -> None:
        seen.clear()


def _dedup_key(event: UsageEvent) -> tuple[tuple[int, int], UsageEvent]:
    return (zlib.crc32(event.event_id.encode()) % DEDUP_SHARDS, int(event.timestamp // DEDUP_SPAN_S)), event


class DeduplicateEvents(beam.PTransform):
    """Keeps one delivery of each event_id (streaming: among those within `horizon_s` of event time)."""

    def __init__(self, horizon_s: int, streaming: bool) -> None:
        super().__init__()
        self._horizon_s = horizon_s
        self._streaming = streaming

    def expand(self, events: beam.PCollection) -> beam.PCollection:
        if not self._streaming:

            def first_deliveries(kv: tuple[PaneKey, list[UsageEvent]]) -> Iterator[TimestampedValue]:
                # A combine's output loses the event time.
                return (TimestampedValue(event, event.timestamp) for event in kv[1])

            grouped = DeliveriesPerAccountHour().expand(events)
            return grouped | "FirstDelivery" >> beam.FlatMap(first_deliveries)
        return (
            events
            | "KeyByShardAndSpan" >> beam.Map(_dedup_key).with_output_types(tuple[tuple[int, int], UsageEvent])
            | "FirstDeliveryInSpan" >> beam.ParDo(_FirstDeliveryInSpan(self._horizon_s))
        )


def too_late(event_time: float, watermark_at_least: float | None, window: WindowConfig) -> bool:
    """True when the event's pane closed more than the allowed lateness before the watermark."""
    if watermark_at_least is None:
        return False
    pane_end = (event_time // window.period_s + 1) * window.period_s
    return pane_end + window.allowed_lateness_s <= watermark_at_least


class _LateEventGate(beam.DoFn):
    WATERMARK_AT_LEAST = ReadModifyWriteStateSpec("watermark_at_least", FloatCoder())
    MAX_EVENT_TIME = ReadModifyWriteStateSpec("max_event_time", FloatCoder())
    ARMED_AT = ReadModifyWriteStateSpec("armed_at", FloatCoder())
    IDLE_STEP = ReadModifyWriteStateSpec("idle_step", FloatCoder())
    PROBE = TimerSpec("probe", TimeDomain.WATERMARK)

    def __init__(self, window: WindowConfig, source: str) -> None:
        self._window = window
        self._source = source
        self.late = beam.metrics.Metrics.counter("distillwatch", "events_too_late")

    def process(
        self,
        element: tuple[int, UsageEvent],
        watermark_at_least: Any = beam.DoFn.StateParam(WATERMARK_AT_LEAST),
        max_event_time: Any = beam.DoFn.StateParam(MAX_EVENT_TIME),
        armed_at: Any = beam.DoFn.StateParam(ARMED_AT),
        probe: Any = beam.DoFn.TimerParam(PROBE),
    ) -> Iterator[Any]:
        _, event = element
        when = event.timestamp
        if too_late(when, watermark_at_least.read(), self._window):
            self.late.inc()
            error = f"late: event_time beyond allowed lateness ({self._window.allowed_lateness_s}s) of its window"
            yield beam.pvalue.TaggedOutput(
                DEAD_LETTER, dead_letter_row(self._source, encode_event(event), error, "late")
            )
            return
        if when > (max_event_time.read() or float("-inf")):
            max_event_time.write(when)
        armed = armed_at.read()
        # Arm a probe at this event's time unless one is due about as soon; after an idle spell the pending probe
        # may be far ahead, and waiting for it would leave the bound behind while events flow again.
        if armed is None or armed > when + self._window.period_s:
            armed_at.write(_on_probe_grid(when))
            probe.set(Timestamp.of(_on_probe_grid(when)))
        yield TimestampedValue(event, when)

    @on_timer(PROBE)
    def on_probe(
        self,
        fired_at: Any = beam.DoFn.TimestampParam,
        watermark_at_least: Any = beam.DoFn.StateParam(WATERMARK_AT_LEAST),
        max_event_time: Any = beam.DoFn.StateParam(MAX_EVENT_TIME),
        armed_at: Any = beam.DoFn.StateParam(ARMED_AT),
        idle_step: Any = beam.DoFn.StateParam(IDLE_STEP),
        probe: Any = beam.DoFn.TimerParam(PROBE),
    ) -> None:
        reached = fired_at.micros / 1e6
        # A probe armed at an older event time may fire after a newer one: the bound never moves back.
        watermark_at_least.write(max(reached, watermark_at_least.read() or reached))
        newest = max_event_time.read()
        if newest is not None and newest > reached:
            # Events flow: re-arm at the newest event time seen, so the bound follows the watermark.
            idle_step.clear()
            next_probe = _on_probe_grid(newest)
        else:
            # The shard went quiet: keep learning the watermark, in doubling steps, so that a late event for a
            # quiet account is still recognised (the bound lags the watermark by less than the idle time), and a
            # watermark jumping to the end of time (drain, end of a bounded input) ends the chain in ~40 firings.
            step = 2 * (idle_step.read() or self._window.period_s)
            next_probe = reached + step
            idle_step.write(step)
        if next_probe >= LAST_PROBE:
            armed_at.clear()
            return
        armed_at.write(next_probe)
        probe.set(Timestamp.of(next_probe))


class RouteTooLateEvents(beam.PTransform):
    """events -> (events still within allowed lateness, dead-letter rows for those beyond it)."""

    def __init__(self, window: WindowConfig, source: str) -> None:
        super().__init__()
        self._window = window
        self._source = source

    def expand(self, events: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return (
            events
            | "ShardByAccount"
            >> beam.Map(lambda event: (zlib.crc32(event.account_id.encode()) % LATENESS_SHARDS, event))
            | "LateEventGate"
            >> beam.ParDo(_LateEventGate(self._window, self._source)).with_outputs(DEAD_LETTER, main="events")
        )
