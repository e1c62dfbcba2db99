"""The DuckDB sink under a multi-process runner: one writer per file at a time, nothing lost or doubled."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from distillwatch.cli import main
from pipelines.sinks.duckdb_sink import open_store, open_store_waiting
from pipelines.sinks.schemas import TABLES as TABLES_BY_NAME
from pipelines.sinks.schemas import duckdb_ddl
from tests.events import event_bytes

TABLES = ("account_scores", "alerts", "dead_letter", "campaigns")


def hold_file_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Another process that opens the store for writing (DuckDB's file lock) for `seconds`."""
    script = textwrap.dedent(
        f"""
        import sys, time, duckdb
        connection = duckdb.connect({str(path)!r})
        print("locked", flush=True)
        time.sleep({seconds})
        connection.close()
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_writer_waits_until_another_process_releases_the_file(tmp_path):
    store = tmp_path / "store.duckdb"
    holder = hold_file_lock(store, seconds=1.0)
    try:
        with open_store_waiting(str(store), wait_s=60) as connection:
            assert holder.poll() is not None  # it opened only once the other process had let go
            assert connection.execute("select count(*) from alerts").fetchone() == (0,)
    finally:
        holder.kill()
        holder.wait()


def test_a_writer_gives_up_with_the_lock_error_after_its_wait(tmp_path):
    store = tmp_path / "store.duckdb"
    holder = hold_file_lock(store, seconds=60.0)
    try:
        with pytest.raises(duckdb.IOException, match="lock"):
            open_store_waiting(str(store), wait_s=0.3)
    finally:
        holder.kill()
        holder.wait()


def test_other_errors_are_not_retried(tmp_path):
    with pytest.raises(duckdb.Error):
        open_store_waiting(str(tmp_path / "missing-dir" / "store.duckdb"), wait_s=60)


def table_rows(store: Path) -> dict[str, list[tuple]]:
    with open_store(str(store)) as connection:
        return {
            "account_scores": connection.execute(
                "select account_id, window_start, window_end, score from account_scores order by all"
            ).fetchall(),
            "alerts": connection.execute("select alert_id, severity from alerts order by all").fetchall(),
            "dead_letter": connection.execute("select stage, error from dead_letter order by all").fetchall(),
        }


@pytest.mark.slow
def test_two_worker_processes_write_the_same_rows_as_one(tmp_path):
    events = tmp_path / "events.jsonl"
    lines = [
        event_bytes(n * 7, account_id=f"acct-{account}", logprobs=True, top_logprobs=5)
        for account in range(6)
        for n in range(400)
    ]
    events.write_bytes(b"\n".join([*lines, b"{not json"]) + b"\n")
    stores = {workers: tmp_path / f"workers-{workers}.duckdb" for workers in (1, 2)}
    detect = ["detect", "--input", str(events), "--min-requests", "1"]
    assert main([*detect, "--output", str(stores[1])]) == 0
    assert (
        main([*detect, "--output", str(stores[2]), "--direct_num_workers=2", "--direct_running_mode=multi_processing"])
        == 0
    )
    one, two = table_rows(stores[1]), table_rows(stores[2])
    assert one["account_scores"] and one["dead_letter"]
    assert two == one


def test_a_store_from_before_a_nullable_column_gets_it_and_keeps_its_rows(tmp_path):
    """A release adding a column (e.g. alerts.alert_threshold) must still write into a store made by the last one."""
    store = tmp_path / "store.duckdb"
    alerts = TABLES_BY_NAME["alerts"]
    older = replace(alerts, columns=tuple(c for c in alerts.columns if c.name not in ("alert_threshold", "component")))
    with duckdb.connect(str(store)) as connection:
        connection.execute(duckdb_ddl(older))
        connection.execute(
            "INSERT INTO alerts (alert_id, account_id, window_start, window_end, score, severity, model_version, "
            "request_count, created_at) VALUES ('old', 'a', now(), now(), 0.9, 'high', 'm1', 50, now())"
        )
    with open_store(str(store)) as connection:
        columns = [row[0] for row in connection.execute("DESCRIBE alerts").fetchall()]
        assert columns == [c.name for c in alerts.columns]
        assert connection.execute("select alert_id, component, alert_threshold from alerts").fetchall() == [
            ("old", None, None)
        ]
