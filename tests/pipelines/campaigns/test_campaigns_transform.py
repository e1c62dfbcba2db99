"""DetectCampaigns in Beam: on simulated traffic (batch) the campaign is found whole, a benign organisation behind
the campaign's own /24 stays out, and the rows equal the single-process stage's; in streaming, windows fire once."""

import datetime as dt
from collections import Counter

import apache_beam as beam
import orjson
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from pipelines.base import ScoredWindow
from pipelines.campaigns import CampaignConfig, DetectCampaigns
from pipelines.campaigns.offline import detect_campaigns
from pipelines.config import WindowConfig
from pipelines.contract import decode_event
from pipelines.features.accumulator import ip_prefix
from simulator.generator import SimulationConfig, generate_events, generate_ground_truth
from tests.events import T0, event

HOUR = WindowConfig(size_s=3600, period_s=3600)
SIMULATION = SimulationConfig(seed=20260111, accounts=80, duration_hours=1.0, campaign_sizes=(12,))
MEMBER_SCORE = 0.3  # what the per-account model says of each member: below the alert threshold


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
    start = SIMULATION.start.timestamp()
    scored = [(a, ScoredWindow(a, start, start + 3600, 40, {}, MEMBER_SCORE, "m1", ())) for a in sorted(campaign)]
    # A scored sliding window that is not one of the campaign stage's windows must be ignored.
    scored.append((min(campaign), ScoredWindow(min(campaign), start + 300, start + 3900, 40, {}, 0.99, "m1", ())))
    expected = [
        row
        for detection in detect_campaigns(
            parsed, HOUR, CampaignConfig(), {(a, start, start + 3600): MEMBER_SCORE for a in campaign}
        )
        for row in detection.rows
    ]
    (row,) = expected
    assert set(row["members"]) == campaign  # every active member, in one campaign
    assert not organisation & set(row["members"])
    assert {e["kind"] for e in row["evidence"]} >= {"payment", "ip_prefix"}
    assert orjson.loads(row["features"])["account_score_mean"] == pytest.approx(MEMBER_SCORE)

    with TestPipeline() as p:
        events = p | beam.io.ReadFromText(str(path)) | beam.Map(_timestamped)
        scores = p | "Scores" >> beam.Create(scored)
        rows = {"events": events, "scores": scores} | DetectCampaigns(HOUR, streaming=False) | beam.Map(_comparable)
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
            | DetectCampaigns(WindowConfig(size_s=600, period_s=300), streaming=True)
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
