"""Sink failures: nothing the pipeline computed is lost silently when a store misbehaves.

BigQuery (the real `build_pipeline` graph with `--output bq:...`, Beam's real WriteToBigQuery, a local
bqemulator behind a fault-injecting proxy):
- rows BigQuery rejects (a table whose schema drifted) land in dead_letter (stage "sink") with the whole row;
- transient failures (HTTP 503, connection dropped) are retried and every row lands exactly once;
- an endpoint that stays unreachable fails the run loudly after retries; it never reports success.

DuckDB (the embedded store): a run killed mid-write leaves a readable store holding whole bundles only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import types
import uuid
from pathlib import Path

import apache_beam as beam
import duckdb
import orjson
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.runner import PipelineResult

import pipelines.sinks.bigquery as bigquery_sink
from devtools.bigquery_emulator import EmulatorBigQueryClient
from devtools.processes import free_port
from pipelines.config import AlertPolicyConfig, DetectConfig, ModelConfig, WindowConfig
from pipelines.pipeline import build_pipeline
from tests.conftest import BIGQUERY_PROJECT
from tests.reliability.faults import fail_first, faulty_proxy

PROJECT = BIGQUERY_PROJECT
T0 = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
WINDOW = WindowConfig(size_s=300, period_s=300)  # tumbling: rows per account = panes it has events in
ACCOUNTS = ("acct-a", "acct-b", "acct-c")
PANES = 2
# One alert per account that has any non-zero score: the cooldown outlasts the data. One severity, so the
# expected severity does not depend on how a retrained model scores these (extraction-like) windows.
POLICY = AlertPolicyConfig(severities=((1e-9, "medium"),), cooldown_s=10 * 86_400, min_requests=1)
BAD_LINES = [b'{"event_id": "cut', b"\xff\xfe not json"]


def events_file(directory: Path) -> Path:
    lines = []
    for a, account in enumerate(ACCOUNTS):
        for n in range(PANES * 30):
            document = {
                "event_id": f"{account}/{n}",
                "event_time": (T0 + dt.timedelta(seconds=n * 10 + a)).isoformat().replace("+00:00", "Z"),
                "account_id": account,
                "api_key_id": f"{account}-key",
                "model": "frontier-1",
                "endpoint": "chat.completions",
                "status_code": 200,
                "prompt_tokens": 30,
                "completion_tokens": 900,
                "params": {"temperature": 0, "logprobs": True, "top_logprobs": 20, "max_tokens": 1000},
            }
            lines.append(orjson.dumps(document))
    path = directory / "events.jsonl"
    path.write_bytes(b"\n".join(lines + BAD_LINES) + b"\n")
    return path


@pytest.fixture
def dataset(bigquery_emulator):
    name = f"rel_{uuid.uuid4().hex[:8]}"  # Beam caches the tables it created, per process
    bigquery_emulator.client().create_dataset(name)
    return name


@pytest.fixture
def route_bigquery(monkeypatch):
    """Makes the pipeline's own BigQuery writes (`write_outputs`) go to `url` instead of Google."""

    def route(url: str) -> None:
        original = bigquery_sink.WriteTableToBigQuery

        class Routed(original):
            def __init__(self, project: str, dataset: str, table_name: str, test_client: object = None) -> None:
                super().__init__(project, dataset, table_name, test_client or EmulatorBigQueryClient(project, url))

        monkeypatch.setattr(bigquery_sink, "WriteTableToBigQuery", Routed)

    return route


def detect_to_bigquery(directory: Path, dataset: str, manifest: str) -> PipelineResult:
    config = DetectConfig(
        input=str(events_file(directory)),
        output=f"bq:{PROJECT}:{dataset}",
        window=WINDOW,
        alerts=POLICY,
        model=ModelConfig(manifest),
    )
    pipeline = beam.Pipeline(options=PipelineOptions(flags=[], runner="FnApiRunner"))
    build_pipeline(pipeline, config)
    result = pipeline.run()
    result.wait_until_finish()
    return result


def read(bigquery_emulator, dataset: str, table: str) -> list[dict]:
    rows = bigquery_emulator.client().query(f"SELECT * FROM `{PROJECT}.{dataset}.{table}`").result()
    return [dict(row.items()) for row in rows]


def expected_alert_accounts(scores: list[dict]) -> set[str]:
    return {row["account_id"] for row in scores if row["score"] >= POLICY.alert_threshold}


def check_scores_landed_once(scores: list[dict]) -> None:
    keys = [(row["account_id"], row["window_end"]) for row in scores]
    assert len(keys) == len(set(keys)) == len(ACCOUNTS) * PANES, keys
    assert sum(row["request_count"] for row in scores) == len(ACCOUNTS) * PANES * 30


@pytest.mark.integration
@pytest.mark.slow
def test_rows_bigquery_rejects_are_dead_lettered_with_the_whole_row(
    bigquery_emulator, dataset, route_bigquery, tmp_path, model_manifest
):
    from google.cloud import bigquery

    # Schema drift: the alerts table exists with `severity` as INT64, so every alert row is invalid.
    schema = [bigquery.SchemaField(c.name, c.type, c.mode) for c in bigquery_sink.schemas.ALERTS.columns[:5]]
    schema.append(bigquery.SchemaField("severity", "INT64"))
    bigquery_emulator.client().create_table(bigquery.Table(f"{PROJECT}.{dataset}.alerts", schema=schema))
    route_bigquery(bigquery_emulator.rest_url)

    detect_to_bigquery(tmp_path, dataset, model_manifest)

    scores = read(bigquery_emulator, dataset, "account_scores")
    check_scores_landed_once(scores)
    assert read(bigquery_emulator, dataset, "alerts") == []
    dead = read(bigquery_emulator, dataset, "dead_letter")
    parse = [row for row in dead if row["stage"] == "parse"]
    sink = [row for row in dead if row["stage"] == "sink"]
    assert len(parse) == len(BAD_LINES) and len(dead) == len(parse) + len(sink)
    alerted = expected_alert_accounts(scores)
    assert alerted, "no account scored above the (tiny) alert threshold: nothing to reject"
    rejected = [orjson.loads(row["payload"]) for row in sink]
    assert sorted(row["account_id"] for row in rejected) == sorted(alerted)  # one alert each, none lost
    for row, payload in zip(sink, rejected, strict=True):
        assert row["source"] == f"{PROJECT}:{dataset}.alerts"
        assert row["account_id"] == payload["account_id"]
        assert payload["severity"] == "medium" and payload["reasons"] is not None and payload["alert_id"]
        assert json.loads(row["error"])[0]["reason"] == "invalid"


@pytest.mark.integration
@pytest.mark.slow
def test_a_dead_letter_bigquery_rejects_twice_is_counted_not_silently_lost(
    bigquery_emulator, dataset, route_bigquery, tmp_path, model_manifest
):
    from google.cloud import bigquery

    # Schema drift on the dead_letter table itself: `stage` as INT64, so no dead letter can be stored there.
    schema = [
        bigquery.SchemaField(c.name, "INT64" if c.name == "stage" else c.type, c.mode)
        for c in bigquery_sink.schemas.DEAD_LETTER.columns
    ]
    bigquery_emulator.client().create_table(bigquery.Table(f"{PROJECT}.{dataset}.dead_letter", schema=schema))
    route_bigquery(bigquery_emulator.rest_url)

    result = detect_to_bigquery(tmp_path, dataset, model_manifest)

    unstorable = result.metrics().query(beam.metrics.MetricsFilter().with_name("dead_letters_unstorable"))
    assert sum(counter.committed for counter in unstorable["counters"]) == len(BAD_LINES)
    assert read(bigquery_emulator, dataset, "dead_letter") == []
    check_scores_landed_once(read(bigquery_emulator, dataset, "account_scores"))


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("fault", [503, "drop"], ids=["http-503", "connection-dropped"])
def test_transient_insert_failures_are_retried_and_every_row_lands_once(
    bigquery_emulator, dataset, route_bigquery, tmp_path, model_manifest, fault
):
    with faulty_proxy(bigquery_emulator.rest_url, fail_first(3, "/insertAll", fault)) as proxy:
        route_bigquery(proxy.url)
        detect_to_bigquery(tmp_path, dataset, model_manifest)
    assert len(proxy.faults("/insertAll")) == 3  # the faults really happened

    scores = read(bigquery_emulator, dataset, "account_scores")
    check_scores_landed_once(scores)
    alerts = read(bigquery_emulator, dataset, "alerts")
    assert sorted(row["account_id"] for row in alerts) == sorted(expected_alert_accounts(scores))
    assert len({row["alert_id"] for row in alerts}) == len(alerts)
    dead = read(bigquery_emulator, dataset, "dead_letter")
    assert sorted(row["stage"] for row in dead) == ["parse"] * len(BAD_LINES)  # nothing failed for good


def test_an_unreachable_bigquery_fails_the_run_loudly_after_retrying(
    route_bigquery, tmp_path, monkeypatch, model_manifest
):
    """Nothing listens on the port: Beam and apitools retry with backoff (~10 min of waiting in all, recorded here
    instead of slept), then the run fails. It must never finish "successfully" with the rows gone."""
    from apitools.base.py import http_wrapper

    waits: list[float] = []
    monkeypatch.setattr("apache_beam.utils.retry.Clock.sleep", lambda _, seconds: waits.append(seconds))
    monkeypatch.setattr(http_wrapper, "time", types.SimpleNamespace(sleep=waits.append, time=time.time))
    route_bigquery(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(Exception, match="Connection refused"):  # Beam re-raises with its own wrapper type
        detect_to_bigquery(tmp_path, "rel_unreachable", model_manifest)
    print(f"\nunreachable BigQuery: {len(waits)} retries, {sum(waits):.0f}s of backoff before the run failed")
    assert len(waits) >= 10 and sum(waits) > 120, waits  # it did retry, with backoff, before giving up


# ------------------------------------------------------------------------------------------------------ DuckDB

TABLES = ("account_scores", "alerts", "dead_letter")


@pytest.fixture(scope="module")
def simulated_input(tmp_path_factory) -> Path:
    from tests.reliability.test_duplicates import write_events

    path = tmp_path_factory.mktemp("crash-input") / "events.jsonl"
    write_events(path, 0.0)
    with path.open("ab") as handle:
        handle.write(b"\n".join(BAD_LINES) + b"\n")
    return path


def start_run(source: Path, store: Path, manifest: str, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.reliability.duckdb_crash_run", str(source), str(store), manifest, *extra]
    environment = os.environ | {"OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment, start_new_session=True
    )


def committed_rows(log: list[str]) -> dict[str, int]:
    """Rows committed per checked table, from the run's log (other tables, e.g. campaigns, are not checked)."""
    totals = dict.fromkeys(TABLES, 0)
    for line in log:
        step, table, rows = line.split()
        if step == "commit" and table in totals:
            totals[table] += int(rows)
    return totals


def check_store(store: Path) -> dict[str, int]:
    """Opens the crashed store as the next run would (replaying DuckDB's WAL); every row must be whole."""
    with duckdb.connect(str(store)) as connection:
        counts = {t: connection.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}
        broken = connection.execute(
            "select count(*) from account_scores where score is null or score < 0 or score > 1 "
            "or json_valid(features) is not true or request_count < 1 or window_end <= window_start"
        ).fetchone()[0]
        assert broken == 0
        assert connection.execute("select count(*) from alerts where len(reasons) is null").fetchone()[0] == 0
    return counts


@pytest.mark.slow
def test_a_crash_inside_a_write_transaction_leaves_no_row_of_that_bundle(tmp_path, simulated_input, model_manifest):
    store = tmp_path / "store.duckdb"
    run = start_run(simulated_input, store, model_manifest, "--crash-before-commit-of", "account_scores")
    log = run.communicate(timeout=240)[0].splitlines()
    assert run.returncode == 86, log  # it died where it was told to
    crashed = [line for line in log if line.startswith("crash")]
    assert crashed and int(crashed[0].split()[2]) > 0, log  # with rows inserted in the open transaction

    counts = check_store(store)
    assert counts == committed_rows(log)  # every committed bundle, and nothing of the one that was not
    assert counts["account_scores"] == 0


@pytest.mark.slow
def test_a_run_killed_mid_write_leaves_a_readable_store_of_whole_bundles(tmp_path, simulated_input, model_manifest):
    store = tmp_path / "store.duckdb"
    run = start_run(simulated_input, store, model_manifest)
    log: list[str] = []
    assert run.stdout is not None
    for line in run.stdout:
        log.append(line.strip())
        if line.startswith("insert account_scores"):  # a transaction is open: kill the process right now
            os.killpg(run.pid, signal.SIGKILL)
            break
    run.wait(timeout=60)
    assert run.returncode == -signal.SIGKILL, log
    in_flight = int(log[-1].split()[2])

    counts = check_store(store)
    committed = committed_rows(log)
    # The kill lands before or after the COMMIT of the open bundle, never inside a row or a bundle.
    assert counts["account_scores"] in (committed["account_scores"], committed["account_scores"] + in_flight)
    assert {t: counts[t] for t in ("alerts", "dead_letter")} == {t: committed[t] for t in ("alerts", "dead_letter")}
