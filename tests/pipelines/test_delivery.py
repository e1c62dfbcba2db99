import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue
from hypothesis import given
from hypothesis import strategies as st

from pipelines.base import DEAD_LETTER
from pipelines.config import WindowConfig
from pipelines.delivery import DeduplicateEvents, OneDeliveryPerEventId, RouteTooLateEvents, too_late
from tests.events import T0, event

BASE = T0.timestamp()


def timestamped(n):
    e = event(n)
    return TimestampedValue(e, e.timestamp)


def test_batch_dedup_keeps_one_delivery_per_event_id_with_its_event_time():
    deliveries = [timestamped(n) for n in (1, 2, 2, 3, 3, 3)]
    with TestPipeline() as p:
        unique = (
            p
            | beam.Create(deliveries)
            | DeduplicateEvents(horizon_s=3600, streaming=False)
            | beam.Map(lambda e, ts=beam.DoFn.TimestampParam: (e.event_id, float(ts) - BASE))
        )
        assert_that(unique, equal_to([("acct-1-1", 1.0), ("acct-1-2", 2.0), ("acct-1-3", 3.0)]))


def test_batch_dedup_meets_every_delivery_of_an_event_across_bundles():
    """Deliveries of one event_id in different combiner partials still leave one (the merge keeps one)."""
    dedup = OneDeliveryPerEventId()
    first, second = dedup.create_accumulator(), dedup.create_accumulator()
    for n in (1, 2):
        dedup.add_input(first, event(n))
    for n in (2, 3, 3):
        dedup.add_input(second, event(n))
    merged = dedup.extract_output(dedup.merge_accumulators([first, second]))
    assert sorted(e.event_id for e in merged) == ["acct-1-1", "acct-1-2", "acct-1-3"]


def test_too_late_means_pane_end_plus_allowed_lateness_behind_the_watermark():
    window = WindowConfig(size_s=600, period_s=300, allowed_lateness_s=600)
    assert not too_late(BASE + 10, None, window)
    assert not too_late(BASE + 10, BASE + 899, window)  # pane ends at 300; 300 + 600 > 899
    assert too_late(BASE + 10, BASE + 900, window)


def test_streaming_events_beyond_allowed_lateness_are_dead_lettered_not_dropped():
    window = WindowConfig(size_s=600, period_s=300, allowed_lateness_s=600)
    stream = (
        TestStream()
        .advance_watermark_to(BASE)
        .add_elements([timestamped(10), timestamped(400)])
        .advance_watermark_to(BASE + 2000)  # probe timers fire: the gate learns a lower bound of the watermark
        .add_elements([timestamped(1200)])  # on time
        .add_elements([timestamped(20)])  # pane [0, 300) closed at 300 + 600 = 900 < 2000: too late
        .advance_watermark_to_infinity()
    )
    options = PipelineOptions(flags=[])
    options.view_as(StandardOptions).streaming = True
    with TestPipeline(options=options) as p:
        gated = p | stream | RouteTooLateEvents(window, source="test")
        assert_that(gated.events | beam.Map(lambda e: e.event_id), equal_to(["acct-1-10", "acct-1-400", "acct-1-1200"]))
        late = gated[DEAD_LETTER] | beam.Map(lambda row: (row["stage"], row["event_id"], row["source"]))
        assert_that(late, equal_to([("late", "acct-1-20", "test")]), label="late")


@given(
    n=st.integers(0, 10**6),
    tokens=st.integers(0, 2**31 - 1),  # the contract's Count range
    prompt=st.none() | st.text(max_size=200),
    temperature=st.none() | st.floats(0, 10),
    logprobs=st.none() | st.booleans(),
)
def test_the_shuffle_coder_round_trips_every_field(n, tokens, prompt, temperature, logprobs):
    overrides = {"prompt_tokens": tokens, "params": {"temperature": temperature, "logprobs": logprobs}}
    if prompt is not None:
        overrides["prompt"] = {"text": prompt}
    original = event(n, **overrides)
    dedup = OneDeliveryPerEventId()
    coder = dedup.get_accumulator_coder()
    kept = coder.decode(coder.encode(dedup.add_input(dedup.create_accumulator(), original)))
    assert dedup.extract_output(kept) == [original]
    assert coder.decode(coder.encode(dedup.create_accumulator())) == {}  # an empty accumulator
