"""DetectCampaigns in Beam: on simulated traffic (batch) the campaign is found whole, a benign organisation behind
the campaign's own /24 stays out, and the rows equal the single-process stage's; in streaming, windows fire once;
a sparse campaign gives the same rows in batch, in streaming and in one process."""

import datetime as dt
import math
from collections import Counter

import apache_beam as beam
import orjson
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from pipelines.campaigns import CampaignConfig, DetectCampaigns
from pipelines.campaigns.offline import detect_campaigns
from pipelines.contract import decode_event
from pipelines.features.accumulator import ip_prefix
from simulator.generator import SimulationConfig, generate_events, generate_ground_truth
from tests.events import T0, event
from tests.pipelines.campaigns.sparse_traffic import SparseCampaign, agency_events, campaign_events

HOUR = CampaignConfig(horizon_s=3600, period_s=3600)
SIMULATION = SimulationConfig(seed=20260111, accounts=80, duration_hours=1.0, campaign_sizes=(12,))


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """Simulated hour whose largest benign organisation is moved behind the campaign's busiest /24 (a shared NAT)."""
    truth = {t.account_id: t for t in generate_ground_truth(SIMULATION)}
    events = list(generate_events(SIMULATION))
    campaign = {a for a, t in truth.items() if t.campaign_id}
    payments = {e["account_id"]: e["account"]["payment_fingerprint"] for e in events}
    shared_payments = Counter(p for a, p in payments.items() if truth[a].label == "benign")
    organisation_payment, size = shared_payments.most_common(1)[0]
    assert size >= 2, "the simulator plans benign organisations"
    organisation = {a for a, p in payments.items() if p == organisation_payment}
    nat = Counter(ip_prefix(e["client"]["ip"]) for e in events if e["account_id"] in campaign).most_common(1)[0][0]
    for e in events:
        if e["account_id"] in organisation:
            e["client"]["ip"] = f"{nat}.{200 + sorted(organisation).index(e['account_id'])}"
    path = tmp_path_factory.mktemp("campaigns") / "events.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(e) for e in events) + b"\n")
    active = {e["account_id"] for e in events}
    return path, campaign & active, organisation, [decode_event(orjson.dumps(e)) for e in events]


def _timestamped(line):
    parsed = decode_event(line)
    return TimestampedValue(parsed, parsed.timestamp)


def _comparable(row):
    return orjson.dumps({k: v for k, v in row.items() if k != "created_at"}, option=orjson.OPT_SORT_KEYS).decode()


def test_batch_finds_the_campaign_and_keeps_the_nat_organisation_out(simulated):
    path, campaign, organisation, parsed = simulated
    expected = [row for detection in detect_campaigns(parsed, HOUR) for row in detection.rows]
    (row,) = expected
    assert set(row["members"]) == campaign  # every active member, in one campaign
    assert not organisation & set(row["members"])
    assert {e["kind"] for e in row["evidence"]} >= {"payment", "ip_prefix"}

    with TestPipeline() as p:
        events = p | beam.io.ReadFromText(str(path)) | beam.Map(_timestamped)
        rows = events | DetectCampaigns(streaming=False, config=HOUR) | beam.Map(_comparable)
        assert_that(rows, equal_to([_comparable(r) for r in expected]))


def _member_event(n, account_id, second, prefix="34.1.2", payment="pf_ring"):
    return event(
        n,
        account_id=account_id,
        at=T0 + dt.timedelta(seconds=second),
        client={"ip": f"{prefix}.{10 + n % 5}", "user_agent": "ring-harness/0.1"},
        account={"payment_fingerprint": payment, "created_at": "2025-12-31T00:00:00Z"},
        params={"max_tokens": 1000},
        prompt_tokens=100,
        completion_tokens=990,
    )


def _stamped(e):
    return TimestampedValue(e, e.timestamp)


def test_streaming_windows_fire_once_on_complete_data():
    ring = [f"ring-{i}" for i in range(5)]
    on_time = [_stamped(_member_event(n, account, 10 * n + i)) for n in range(6) for i, account in enumerate(ring)]
    loners = [_stamped(_member_event(n, "loner", 5 * n, prefix="81.2.3", payment="pf_own")) for n in range(6)]
    late = _stamped(_member_event(99, "ring-late", 20))  # would join the ring, but arrives after its windows closed
    base = T0.timestamp()
    stream = (
        TestStream()
        .advance_watermark_to(base)
        .add_elements(on_time + loners)
        .advance_watermark_to(base + 700)  # past the ends of [-300, 300) and [0, 600)
        .add_elements([late])
        .advance_watermark_to_infinity()
    )
    options = PipelineOptions(flags=[])
    options.view_as(StandardOptions).streaming = True
    with TestPipeline(options=options) as p:
        rows = (
            p
            | stream
            | DetectCampaigns(streaming=True, config=CampaignConfig(horizon_s=600, period_s=300))
            | beam.Map(lambda row: (row["window_start"], tuple(row["members"]), row["severity"]))
        )
        assert_that(
            rows,
            equal_to(
                [
                    ("2025-12-31T23:55:00+00:00", tuple(ring), "medium"),
                    ("2026-01-01T00:00:00+00:00", tuple(ring), "medium"),
                ]
            ),
        )


def _streaming_options():
    options = PipelineOptions(flags=[])
    options.view_as(StandardOptions).streaming = True
    return options


def test_batch_and_streaming_give_the_single_process_rows_for_a_sparse_campaign():
    events = [*campaign_events(SparseCampaign(size=12, ticks=20)), *agency_events(clients=10)]
    expected = sorted(_comparable(r) for d in detect_campaigns(events, CampaignConfig()) for r in d.rows)
    assert len(expected) == 2  # the two campaign windows that hold the whole campaign
    events.sort(key=lambda e: e.timestamp)
    with TestPipeline() as p:
        rows = p | beam.Create(events) | beam.Map(_stamped) | DetectCampaigns(streaming=False) | beam.Map(_comparable)
        assert_that(rows, equal_to(expected))
    stream = TestStream().advance_watermark_to(math.floor(events[0].timestamp))
    for start in range(0, len(events), 200):  # arrive in batches, the watermark following them
        batch = events[start : start + 200]
        stream = stream.add_elements([_stamped(e) for e in batch]).advance_watermark_to(math.floor(batch[-1].timestamp))
    with TestPipeline(options=_streaming_options()) as p:
        rows = p | stream.advance_watermark_to_infinity() | DetectCampaigns(streaming=True) | beam.Map(_comparable)
        assert_that(rows, equal_to(expected))
