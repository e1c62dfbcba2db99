"""The embedded local store: a DuckDB file with the same tables and columns as BigQuery.

Rows are buffered per bundle and written in one transaction, so a crash mid-run leaves a readable
store holding whole bundles only, never half of one.

The file is opened per bundle write, not per worker: DuckDB lets one process at a time open a file
for writing, and a multi-process runner (`direct_num_workers=2`) has a sink instance in each worker
process. A writer that finds the file locked by another process waits and retries.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
import duckdb
import pyarrow as pa

from pipelines.sinks.schemas import TABLES, duckdb_added_columns, duckdb_ddl

_LOCK = threading.Lock()
# How long a bundle waits for another process to release the file before its write fails (and the
# runner retries the bundle).
LOCK_WAIT_S = 120.0


def create_tables(connection: duckdb.DuckDBPyConnection) -> None:
    for table in TABLES.values():
        connection.execute(duckdb_ddl(table))
    existing: dict[str, set[str]] = {}
    columns = connection.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_catalog = current_database() AND table_schema = current_schema()"
    )
    for table_name, column_name in columns.fetchall():
        existing.setdefault(table_name, set()).add(column_name)
    for table in TABLES.values():
        for statement in duckdb_added_columns(table, existing[table.name]):
            connection.execute(statement)


def open_store(path: str) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(path)
    create_tables(connection)
    return connection


def _is_locked_by_another_process(error: duckdb.Error) -> bool:
    return isinstance(error, duckdb.IOException) and "Could not set lock" in str(error)


def open_store_waiting(path: str, wait_s: float = LOCK_WAIT_S) -> duckdb.DuckDBPyConnection:
    """`open_store`, retrying with backoff while another process holds the file."""
    deadline = time.monotonic() + wait_s
    delay = 0.01
    while True:
        try:
            # In-process runners share one DuckDB instance per file; opening it is serialised.
            with _LOCK:
                return open_store(path)
        except duckdb.Error as error:
            if not _is_locked_by_another_process(error) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


class _WriteRowsFn(beam.DoFn):
    def __init__(self, path: str, table: str) -> None:
        self._path = path
        self._table = TABLES[table]
        self._rows: list[dict[str, Any]] = []

    def start_bundle(self) -> None:
        self._rows = []

    def process(self, row: dict[str, Any]) -> Iterator[Any]:
        self._rows.append(row)
        yield from ()

    def finish_bundle(self) -> None:
        if not self._rows:
            return
        names = [c.name for c in self._table.columns]
        batch = pa.Table.from_pylist([{name: row.get(name) for name in names} for row in self._rows])
        with open_store_waiting(self._path) as connection:
            connection.register("bundle_rows", batch)
            try:
                connection.execute("BEGIN TRANSACTION")
                connection.execute(f"INSERT INTO {self._table.name} BY NAME SELECT * FROM bundle_rows")
                connection.execute("COMMIT")
            except duckdb.Error:
                connection.execute("ROLLBACK")
                raise
        self._rows = []


class WriteTableToDuckDB(beam.PTransform):
    def __init__(self, path: str, table: str) -> None:
        super().__init__()
        self._path = path
        self._table = table

    def expand(self, rows: beam.PCollection) -> beam.pvalue.PDone:
        rows | f"Insert{self._table}" >> beam.ParDo(_WriteRowsFn(self._path, self._table))
        return beam.pvalue.PDone(rows.pipeline)
