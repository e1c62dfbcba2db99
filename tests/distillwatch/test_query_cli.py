"""`distillwatch query` on the command line: the table it prints, its errors, and the as-of instant of relative
windows (a store of dated traffic is read relative to its own newest data)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from distillwatch.cli import main
from distillwatch.queries import catalogue, dialects
from tests.distillwatch.query_rows import (
    ALERTS,
    BASE,
    CAMPAIGNS,
    PROJECT,
    SCORES,
    W3,
    _plain_rows,
    load_bigquery_dataset,
    shifted,
    write_duckdb_store,
)

ALL_QUERIES = catalogue.list_queries()


def _query_cli(argv):
    return main(["query", *argv])


def test_cli_prints_a_table_from_duckdb(duckdb_store, capsys):
    assert _query_cli(["alert_timeline", "--db", duckdb_store, "--param", "account_id=extractor-1"]) == 0
    header, rule, *lines = capsys.readouterr().out.splitlines()
    assert header.split() == ["window_start", "window_end", "model_version", "score", "request_count", "alert_id",
                              "severity", "top_reasons"]  # fmt: skip
    assert set(rule) == {"-", " "}
    assert len(lines) == 3 and "0.9700" in lines[1] and "critical" in lines[1]


def test_cli_reports_a_missing_parameter(duckdb_store, capsys):
    assert _query_cli(["alert_timeline", "--db", duckdb_store]) == 2
    assert "needs --param account_id=<STRING>" in capsys.readouterr().err


def test_cli_lists_queries(capsys):
    assert _query_cli(["--list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in ALL_QUERIES)
    assert "account_id=<STRING>" in listed


@pytest.mark.integration
def test_cli_queries_the_emulator(bigquery_emulator, bigquery_dataset, capsys):
    argv = ["top_risky_accounts", "--bq", f"{PROJECT}:{bigquery_dataset}", "--bq-endpoint", bigquery_emulator.rest_url]
    assert _query_cli([*argv, "--param", "max_accounts=2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["extractor-1", "extractor-2"]


# The same history dated like the demo's traffic, long before the wall clock.
DEMO_DAY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TO_DEMO_DAY = DEMO_DAY - BASE
NEWEST_DEMO_WINDOW = W3 + dt.timedelta(minutes=1) + TO_DEMO_DAY  # the campaign "hour-ring" ends last


@pytest.fixture(scope="module")
def dated_store(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("dated") / "demo.duckdb")
    return write_duckdb_store(
        path, shifted(SCORES, TO_DEMO_DAY), shifted(ALERTS, TO_DEMO_DAY), shifted(CAMPAIGNS, TO_DEMO_DAY)
    )


def _accounts(out):
    return [line.split()[0] for line in out.splitlines()[2:]]


def test_relative_windows_end_at_the_newest_data_in_the_store(dated_store, capsys):
    assert _query_cli(["top_risky_accounts", "--db", dated_store]) == 0
    out, err = capsys.readouterr()
    assert _accounts(out) == ["extractor-1", "extractor-2", "organic-1"]
    assert f"as of {NEWEST_DEMO_WINDOW.isoformat()} (the newest window_end in the store" in err


def test_as_of_moves_the_relative_windows(dated_store, capsys):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    assert _query_cli(["top_risky_accounts", "--db", dated_store, "--as-of", now.isoformat()]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "(no rows)"
    assert f"as of {now.isoformat()} (--as-of)" in err
    # A time without an offset is UTC; an hour after the newest window still sees the last 24 h of it.
    an_hour_later = (NEWEST_DEMO_WINDOW + dt.timedelta(hours=1)).replace(tzinfo=None).isoformat()
    assert _query_cli(["top_risky_accounts", "--db", dated_store, "--as-of", an_hour_later]) == 0
    assert _accounts(capsys.readouterr().out) == ["extractor-1", "extractor-2", "organic-1"]


def test_an_empty_store_is_read_as_of_now(tmp_path, capsys):
    empty = write_duckdb_store(str(tmp_path / "empty.duckdb"), [], [], [])
    assert _query_cli(["top_risky_accounts", "--db", empty]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "(no rows)" and "(now: the store has no windows)" in err


def test_a_query_without_relative_windows_states_no_instant(dated_store, capsys):
    assert not catalogue.load_query("alert_reasons").is_relative
    assert catalogue.load_query("top_risky_accounts").is_relative
    assert _query_cli(["alert_reasons", "--db", dated_store]) == 0
    assert "as of" not in capsys.readouterr().err


@pytest.mark.integration
def test_bigquery_reads_relative_windows_as_of_the_same_instant(bigquery_emulator, dated_store):
    client = bigquery_emulator.client()
    dataset = load_bigquery_dataset(
        client,
        f"dated_{uuid.uuid4().hex[:8]}",
        shifted(SCORES, TO_DEMO_DAY),
        shifted(ALERTS, TO_DEMO_DAY),
        shifted(CAMPAIGNS, TO_DEMO_DAY),
    )
    for name in ("top_risky_accounts", "alert_volume_by_severity_day"):
        on_bigquery = dialects.query_bigquery(client, dataset, name)
        on_duckdb = dialects.query_duckdb(dated_store, name)
        assert on_bigquery.as_of.instant == on_duckdb.as_of.instant == NEWEST_DEMO_WINDOW
        assert on_bigquery.rows and _plain_rows(on_bigquery.rows) == _plain_rows(on_duckdb.rows)
