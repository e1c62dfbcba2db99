"""BigQuery sink: Beam's real WriteToBigQuery (streaming inserts) into a local bqemulator, read back with the
official google-cloud-bigquery client; and the Terraform table schemas are the ones schemas.py defines."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import apache_beam as beam
import orjson
import pytest
from apache_beam.internal import pickler
from apache_beam.io.gcp.internal.clients import bigquery as apitools_bigquery
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.sinks import schemas
from pipelines.sinks.bigquery import WriteTableToBigQuery
from tests.conftest import BIGQUERY_PROJECT

PROJECT = BIGQUERY_PROJECT


@pytest.fixture
def dataset(bigquery_emulator):
    # A fresh dataset per test: Beam caches the tables it created per process, by project:dataset.table.
    name = f"sink_{uuid.uuid4().hex[:8]}"
    bigquery_emulator.client().create_dataset(name)
    return name


SCORES = [
    {
        "account_id": "acct-1",
        "window_start": "2026-01-01T00:00:00+00:00",
        "window_end": "2026-01-01T01:00:00+00:00",
        "score": 0.97,
        "model_version": "m-2026-01",
        "request_count": 412,
        "features": '{"prompt_entropy":4.2,"template_reuse":0.91}',
        "scored_at": "2026-01-01T01:00:03+00:00",
        "alert_threshold": 0.818,
    },
    {
        "account_id": "acct-2",
        "window_start": "2026-01-01T00:05:00+00:00",
        "window_end": "2026-01-01T01:05:00+00:00",
        "score": 0.04,
        "model_version": "m-2026-01",
        "request_count": 37,
        "features": '{"prompt_entropy":7.9,"template_reuse":0.02}',
        "scored_at": "2026-01-01T01:05:02+00:00",
        "alert_threshold": None,  # nullable
    },
]
ALERT = {
    "alert_id": "acct-1/2026-01-01T01:00:00+00:00/m-2026-01",
    "account_id": "acct-1",
    "window_start": "2026-01-01T00:00:00+00:00",
    "window_end": "2026-01-01T01:00:00+00:00",
    "score": 0.97,
    "severity": "critical",
    "model_version": "m-2026-01",
    "request_count": 412,
    "reasons": [
        {"feature": "template_reuse", "value": 0.91, "contribution": 0.41},
        {"feature": "prompt_entropy", "value": 4.2, "contribution": 0.12},
    ],
    "created_at": "2026-01-01T01:00:04+00:00",
    "suppressed_by": None,
    "recommended_action": "require_reverification",
    "component": "supervised",
    "alert_threshold": 0.818,
}
CAMPAIGN = {
    "campaign_id": "0f3c9a5e2b7d4c1a8e6f0b9d2c4a7e13",
    "window_start": "2026-01-01T00:00:00+00:00",
    "window_end": "2026-01-01T01:00:00+00:00",
    "members": ["acct-1", "acct-3", "acct-4"],
    "member_count": 3,
    "evidence": [
        {"kind": "payment", "value": "pf_9a1b", "accounts": ["acct-1", "acct-3", "acct-4"]},
        {"kind": "ip_prefix", "value": "34.118.7", "accounts": ["acct-1", "acct-4"]},
    ],
    "score": 0.86,
    "severity": "high",
    "detector_version": "campaigns-1",
    "features": '{"member_count":3.0}',
    "created_at": "2026-01-01T01:00:06+00:00",
    "suppressed_by": "campaign:c1 (s1)",
    "recommended_action": "suspend",
}
# FLOAT64 score as a word: BigQuery (and the emulator) reject the row, Beam reports it as failed.
BAD_ALERT = {**ALERT, "alert_id": "acct-9/bad", "account_id": "acct-9", "score": "very high"}
PARSE_DEAD_LETTER = {
    "received_at": "2026-01-01T00:59:00+00:00",
    "stage": "parse",
    "source": "projects/p/subscriptions/usage/msg-1",
    "error": "missing field account_id",
    "payload": '{"event_id":"e-1"}',
    "payload_bytes": 18,
    "account_id": None,
    "event_id": "e-1",
}


def _plain(value):
    """A value read back by the official client, in the JSON form the pipeline wrote it."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _read(client, dataset, table, order_by):
    query = f"SELECT * FROM `{client.project}.{dataset}.{table}` ORDER BY {order_by}"
    return [{k: _plain(v) for k, v in row.items()} for row in client.query(query).result()]


@pytest.mark.integration
def test_write_to_bigquery_streams_rows_and_dead_letters_rejected_ones(bigquery_emulator, dataset):
    test_client = bigquery_emulator.beam_client()
    with beam.Pipeline(options=PipelineOptions(flags=[])) as pipeline:
        scores = pipeline | "Scores" >> beam.Create(SCORES)
        alerts = pipeline | "Alerts" >> beam.Create([ALERT, BAD_ALERT])
        parse_failures = pipeline | "ParseFailures" >> beam.Create([PARSE_DEAD_LETTER])
        score_failures = scores | "WriteScores" >> WriteTableToBigQuery(
            PROJECT, dataset, "account_scores", test_client=test_client
        )
        alert_failures = alerts | "WriteAlerts" >> WriteTableToBigQuery(
            PROJECT, dataset, "alerts", test_client=test_client
        )
        campaign_failures = (
            pipeline
            | "Campaigns" >> beam.Create([CAMPAIGN])
            | "WriteCampaigns" >> WriteTableToBigQuery(PROJECT, dataset, "campaigns", test_client=test_client)
        )
        dead_letters = (parse_failures, score_failures, alert_failures, campaign_failures) | beam.Flatten()
        dead_letters | "WriteDeadLetter" >> WriteTableToBigQuery(
            PROJECT, dataset, "dead_letter", test_client=test_client
        )

    client = bigquery_emulator.client()
    assert _read(client, dataset, "account_scores", "account_id") == SCORES
    assert _read(client, dataset, "alerts", "alert_id") == [ALERT]
    assert _read(client, dataset, "campaigns", "campaign_id") == [CAMPAIGN]

    parse_row, sink_row = _read(client, dataset, "dead_letter", "stage")
    assert parse_row == PARSE_DEAD_LETTER
    assert sink_row["stage"] == "sink"
    assert sink_row["source"] == f"{PROJECT}:{dataset}.alerts"
    assert sink_row["account_id"] == "acct-9"
    assert sink_row["event_id"] is None
    assert orjson.loads(sink_row["payload"]) == BAD_ALERT
    assert sink_row["payload_bytes"] == len(orjson.dumps(BAD_ALERT))
    assert json.loads(sink_row["error"])[0]["reason"] == "invalid"
    assert dt.datetime.fromisoformat(sink_row["received_at"]) > dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    # WriteToBigQuery created every table it wrote (CREATE_IF_NEEDED) with the partitioning and clustering from
    # schemas (feedback and suppressions are written by the analyst commands, not the pipeline).
    for table in (schemas.TABLES[name] for name in ("account_scores", "alerts", "dead_letter", "campaigns")):
        created = client.get_table(f"{PROJECT}.{dataset}.{table.name}")
        assert created.time_partitioning.type_ == "DAY"
        assert created.time_partitioning.field == table.partition_field
        assert created.clustering_fields == list(table.clustering)
        assert [f.name for f in created.schema] == [c.name for c in table.columns]


@pytest.mark.integration
def test_emulator_client_survives_beam_pickling_and_reaches_the_emulator(bigquery_emulator, dataset):
    restored = pickler.loads(pickler.dumps(bigquery_emulator.beam_client()))
    response = restored.datasets.Get(apitools_bigquery.BigqueryDatasetsGetRequest(projectId=PROJECT, datasetId=dataset))
    assert response.datasetReference.datasetId == dataset


def test_unknown_table_is_rejected():
    with pytest.raises(ValueError, match="unknown table"):
        WriteTableToBigQuery(PROJECT, "analytics", "alert")


@pytest.mark.parametrize("table", schemas.TABLES.values(), ids=lambda t: t.name)
def test_terraform_schema_files_are_generated_from_schemas(table):
    path = schemas.TERRAFORM_DIR / "schemas" / f"{table.name}.json"
    assert path.read_text() == schemas.terraform_schema_json(table), (
        f"{path} is stale: run `python -m pipelines.sinks.schemas`"
    )
    assert json.loads(path.read_text()) == schemas.bigquery_schema(table)["fields"]


def test_terraform_table_layout_is_generated_from_schemas():
    path = schemas.TERRAFORM_DIR / "tables.json"
    assert path.read_text() == schemas.terraform_tables_json(), (
        f"{path} is stale: run `python -m pipelines.sinks.schemas`"
    )
    layout = json.loads(path.read_text())
    assert layout["alerts"] == {
        "description": schemas.ALERTS.description,
        "partition_field": "window_end",
        "clustering": ["account_id"],
    }
    assert {p.stem for p in (schemas.TERRAFORM_DIR / "schemas").glob("*.json")} == set(layout) == set(schemas.TABLES)
