"""`distillwatch feedback` and `suppress` on a DuckDB store: good input appends one row; bad input gets one clear
line on stderr, exit status 2, and nothing written."""

from __future__ import annotations

import datetime as dt
import uuid

import duckdb
import pytest

from devtools.bigquery_emulator import create_dataset_and_tables
from distillwatch.cli import main
from pipelines.sinks.duckdb_sink import open_store
from tests.conftest import BIGQUERY_PROJECT


@pytest.fixture
def store(tmp_path):
    path = str(tmp_path / "out.duckdb")
    with open_store(path) as connection:
        connection.execute(
            "INSERT INTO alerts (alert_id, account_id, window_start, window_end, score, severity, model_version,"
            " request_count, reasons, created_at, component) VALUES ('al-1', 'acct-1', now(), now(), 0.9, 'high', 'm1',"
            " 40, [], now(), 'supervised')"
        )
    return path


def _count(path: str, table: str) -> int:
    with duckdb.connect(path, read_only=True) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_feedback_records_a_verdict(store):
    argv = ["feedback", "--db", store, "--alert-id", "al-1", "--verdict", "false_positive", "--note", "lab benchmark"]
    assert main([*argv, "--analyst", "alice"]) == 0
    with duckdb.connect(store, read_only=True) as connection:
        row = connection.execute("SELECT alert_id, verdict, note, analyst FROM feedback").fetchone()
    assert row == ("al-1", "false_positive", "lab benchmark", "alice")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--alert-id", "no-such-alert", "--verdict", "false_positive"], "unknown alert id 'no-such-alert'"),
        (["--alert-id", "al-1", "--verdict", "maybe"], "unknown verdict 'maybe'"),
        (["--alert-id", "al-1", "--verdict", "true_positive", "--analyst", " "], "empty analyst"),
        (["--account-id", "acct-404", "--verdict", "true_positive"], "unknown account id"),
        (["--verdict", "true_positive"], "say what the verdict is about"),
    ],
)
def test_feedback_bad_input_is_one_clear_line_and_writes_nothing(store, capsys, extra, message):
    assert main(["feedback", "--db", store, *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert _count(store, "feedback") == 0


def test_suppress_records_a_scoped_expiring_row(store):
    argv = ["suppress", "--db", store, "--api-key", "key-7", "--reason", "CoT benchmark", "--expires", "2099-01-31"]
    assert main([*argv, "--created-by", "bob"]) == 0
    with duckdb.connect(store, read_only=True) as connection:
        scope, value, by, expires = connection.execute(
            "SELECT scope, value, created_by, expires_at FROM suppressions"
        ).fetchone()
    assert (scope, value, by) == ("api_key", "key-7", "bob")
    assert expires == dt.datetime(2099, 1, 31, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--account", "acct-1", "--reason", "x", "--expires", "2020-01-01"], "not in the future"),
        (["--account", "acct-1", "--reason", "x", "--expires", "soon"], "is not a date"),
        (["--account", "acct-1", "--reason", " ", "--expires", "2099-01-01"], "empty --reason"),
        (["--account", "acct-1", "--reason", "x", "--expires", "2099-01-01", "--created-by", ""], "empty --created-by"),
    ],
)
def test_suppress_bad_input_is_one_clear_line_and_writes_nothing(store, capsys, extra, message):
    assert main(["suppress", "--db", store, *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert _count(store, "suppressions") == 0


def test_a_missing_store_is_refused(tmp_path, capsys):
    missing = str(tmp_path / "nope.duckdb")
    assert main(["suppress", "--db", missing, "--account", "a", "--reason", "x", "--expires", "2099-01-01"]) == 2
    assert "no DuckDB store" in capsys.readouterr().err


@pytest.mark.integration
def test_feedback_and_suppress_on_bigquery(bigquery_emulator, capsys):
    client = bigquery_emulator.client()
    dataset = f"analyst_{uuid.uuid4().hex[:8]}"
    create_dataset_and_tables(client, dataset)
    alert = {"alert_id": "al-1", "account_id": "acct-1", "window_start": "2026-01-01T00:00:00+00:00",
             "window_end": "2026-01-01T01:00:00+00:00", "score": 0.9, "severity": "high", "model_version": "m1",
             "request_count": 40, "reasons": [], "created_at": "2026-01-01T01:00:05+00:00"}  # fmt: skip
    assert client.insert_rows_json(f"{BIGQUERY_PROJECT}.{dataset}.alerts", [alert]) == []
    where = ["--bq", f"{BIGQUERY_PROJECT}:{dataset}", "--bq-endpoint", bigquery_emulator.rest_url]
    assert main(["feedback", *where, "--alert-id", "al-1", "--verdict", "true_positive", "--analyst", "alice"]) == 0
    assert main(["feedback", *where, "--alert-id", "nope", "--verdict", "true_positive", "--analyst", "alice"]) == 2
    assert "unknown alert id 'nope'" in capsys.readouterr().err
    argv = ["suppress", *where, "--payment-fingerprint", "pf-1", "--reason", "lab", "--expires", "2099-01-01"]
    assert main([*argv, "--created-by", "bob"]) == 0

    def rows(table):
        return [dict(r.items()) for r in client.query(f"SELECT * FROM `{BIGQUERY_PROJECT}.{dataset}.{table}`").result()]

    (verdict,) = rows("feedback")
    assert (verdict["alert_id"], verdict["verdict"], verdict["analyst"]) == ("al-1", "true_positive", "alice")
    (suppression,) = rows("suppressions")
    assert (suppression["scope"], suppression["value"], suppression["created_by"]) == (
        "payment_fingerprint",
        "pf-1",
        "bob",
    )
