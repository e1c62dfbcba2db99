"""Scoped suppressions: which alerts a suppressions table marks, by scope and by expiry in event time, in batch and
in streaming (a TestStream of alerts, the table re-read as it goes)."""

from __future__ import annotations

import datetime as dt
import uuid

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms import window

from pipelines.base import ScoredWindow
from pipelines.sinks.duckdb_sink import open_store
from pipelines.suppression import (
    MarkSuppressed,
    Suppression,
    SuppressionIndex,
    SuppressionSource,
    alert_entities,
    alert_window_end,
    campaign_entities,
    campaign_window_end,
)

JAN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp()
HOUR = 3600.0


def scored(account: str, window_end: float, keys: tuple[str, ...] = (), payments: tuple[str, ...] = ()) -> ScoredWindow:
    return ScoredWindow(account, window_end - HOUR, window_end, 50, {}, 0.99, "m1", (), keys, payments)


def suppression(scope: str, value: str, expires_at: float, suppression_id: str = "s1") -> Suppression:
    return Suppression(suppression_id, scope, value, expires_at)


@pytest.mark.parametrize(
    ("scope", "value"),
    [("account", "acct-1"), ("api_key", "key-b"), ("payment_fingerprint", "pf-1")],
)
def test_each_account_scope_matches_only_its_entity(scope, value):
    index = SuppressionIndex([suppression(scope, value, JAN + 10 * HOUR)])
    mine = scored("acct-1", JAN + HOUR, keys=("key-a", "key-b"), payments=("pf-1",))
    other = scored("acct-2", JAN + HOUR, keys=("key-c",), payments=("pf-2",))
    assert index.match(alert_entities((mine, "high")), JAN + HOUR) == f"{scope}:{value} (s1)"
    assert index.match(alert_entities((other, "high")), JAN + HOUR) is None


def test_campaign_scope_and_shared_payment_match_campaign_rows():
    row = {
        "campaign_id": "camp-1",
        "window_end": dt.datetime.fromtimestamp(JAN + HOUR, dt.UTC).isoformat(),
        "evidence": [
            {"kind": "payment", "value": "pf-9", "accounts": ["a", "b"]},
            {"kind": "ip_prefix", "value": "1.2.3"},
        ],
    }
    end = campaign_window_end(row)
    assert end == JAN + HOUR
    assert SuppressionIndex([suppression("campaign", "camp-1", end + 1)]).match(campaign_entities(row), end)
    assert SuppressionIndex([suppression("payment_fingerprint", "pf-9", end + 1)]).match(campaign_entities(row), end)
    # An ip prefix is evidence, not a suppression scope.
    assert SuppressionIndex([suppression("campaign", "camp-2", end + 1)]).match(campaign_entities(row), end) is None


def test_expiry_is_judged_at_the_alert_window_end_and_the_longest_lived_match_wins():
    index = SuppressionIndex(
        [suppression("account", "acct-1", JAN + 2 * HOUR, "short"), suppression("api_key", "k", JAN + 5 * HOUR, "long")]
    )
    entities = alert_entities((scored("acct-1", JAN, keys=("k",)), "high"))
    assert index.match(entities, JAN + HOUR) == "api_key:k (long)"
    assert index.match(alert_entities((scored("acct-1", JAN), "high")), JAN + 2 * HOUR) is None  # expired at its end
    assert index.match(entities, JAN + 5 * HOUR) is None


def _store_with(path: str, rows: list[tuple[str, str, str, float]]) -> None:
    with open_store(path) as connection:
        for suppression_id, scope, value, expires_at in rows:
            connection.execute(
                "INSERT INTO suppressions VALUES (?, ?, ?, 'test', 'tester', now(), ?)",
                [suppression_id, scope, value, dt.datetime.fromtimestamp(expires_at, dt.UTC)],
            )


def test_duckdb_source_reads_the_table(tmp_path):
    path = str(tmp_path / "store.duckdb")
    _store_with(path, [("s1", "account", "acct-1", JAN + HOUR)])
    assert SuppressionSource(path).read() == [Suppression("s1", "account", "acct-1", JAN + HOUR)]


ALERTS = [
    (scored("acct-1", JAN + HOUR), "high"),  # before the suppression expires: suppressed
    (scored("acct-1", JAN + 3 * HOUR), "high"),  # after: routed again
    (scored("acct-2", JAN + HOUR, keys=("key-x",)), "medium"),  # its api key is suppressed
    (scored("acct-3", JAN + HOUR), "medium"),
]
EXPECTED = [
    ("acct-1", JAN + HOUR, "account:acct-1 (s1)"),
    ("acct-1", JAN + 3 * HOUR, None),
    ("acct-2", JAN + HOUR, "api_key:key-x (s2)"),
    ("acct-3", JAN + HOUR, None),
]
TABLE = [("s1", "account", "acct-1", JAN + 2 * HOUR), ("s2", "api_key", "key-x", JAN + 2 * HOUR)]


def _summary(element: tuple[tuple[ScoredWindow, str], str | None]) -> tuple[str, float, str | None]:
    (window_, _), suppressed_by = element
    return window_.account_id, window_.window_end, suppressed_by


def test_batch_marks_alerts_from_the_table_read_at_construction(tmp_path):
    path = str(tmp_path / "store.duckdb")
    _store_with(path, TABLE)
    with TestPipeline(runner="FnApiRunner") as pipeline:
        marked = (
            pipeline
            | beam.Create(ALERTS)
            | beam.ParDo(MarkSuppressed(alert_entities, alert_window_end, SuppressionSource(path).read))
            | beam.Map(_summary)
        )
        assert_that(marked, equal_to(EXPECTED))


def test_streaming_marks_alerts_from_the_periodically_read_table(tmp_path):
    path = str(tmp_path / "store.duckdb")
    _store_with(path, TABLE)
    stream = TestStream().advance_watermark_to(JAN)
    for alert in ALERTS:
        stream = stream.add_elements([window.TimestampedValue(alert, alert[0].window_end)])
    stream = stream.advance_watermark_to_infinity()
    options = PipelineOptions(flags=[])
    options.view_as(StandardOptions).streaming = True
    with beam.Pipeline(runner="BundleBasedDirectRunner", options=options) as pipeline:
        marked = (
            pipeline
            | stream
            | beam.WindowInto(window.GlobalWindows())
            | beam.ParDo(MarkSuppressed(alert_entities, alert_window_end, SuppressionSource(path).read, 1.0))
            | beam.Map(_summary)
        )
        assert_that(marked, equal_to(EXPECTED))


def test_streaming_applies_a_changed_table_without_a_restart():
    readings = iter([[], [suppression("account", "acct-1", JAN + 10 * HOUR)]])
    marker = MarkSuppressed(alert_entities, alert_window_end, lambda: next(readings), refresh_s=0.0)
    alert = (scored("acct-1", JAN + HOUR), "high")
    assert [by for _, by in marker.process(alert)] == [None]  # first reading: no suppression yet
    assert [by for _, by in marker.process(alert)] == ["account:acct-1 (s1)"]  # re-read: the new row applies


def test_batch_reads_the_table_once():
    calls = []
    marker = MarkSuppressed(alert_entities, alert_window_end, lambda: calls.append(1) or [], refresh_s=None)
    for _ in range(3):
        list(marker.process((scored("acct-1", JAN), "high")))
    assert len(calls) == 1


def test_unknown_scope_is_refused():
    from pipelines.suppression import suppression_from_row

    with pytest.raises(ValueError, match="unknown scope"):
        suppression_from_row({"suppression_id": "s", "scope": "ip", "value": "1.2.3.4", "expires_at": "2027-01-01"})


@pytest.mark.integration
def test_bigquery_source_reads_the_table(bigquery_emulator, monkeypatch):
    from google.cloud import bigquery

    from devtools.bigquery_emulator import create_dataset_and_tables
    from tests.conftest import BIGQUERY_PROJECT

    client = bigquery_emulator.client()
    dataset = f"suppressions_{uuid.uuid4().hex[:8]}"
    create_dataset_and_tables(client, dataset)
    row = {
        "suppression_id": "s1",
        "scope": "payment_fingerprint",
        "value": "pf-1",
        "reason": "lab",
        "created_by": "bob",
        "created_at": "2026-01-01T00:00:00+00:00",
        "expires_at": "2027-01-31T00:00:00+00:00",
    }
    assert client.insert_rows_json(f"{BIGQUERY_PROJECT}.{dataset}.suppressions", [row]) == []
    monkeypatch.setattr(bigquery, "Client", lambda project: client)  # the worker's client, pointed at the emulator
    expires = dt.datetime(2027, 1, 31, tzinfo=dt.UTC).timestamp()
    read = SuppressionSource(f"bq:{BIGQUERY_PROJECT}:{dataset}").read()
    assert read == [Suppression("s1", "payment_fingerprint", "pf-1", expires)]
