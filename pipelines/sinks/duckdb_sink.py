"""The embedded local store: a DuckDB file with the same three tables and columns as BigQuery.

Rows are buffered per bundle and written in one transaction, so a crash mid-run leaves a readable
store holding whole bundles only, never half of one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
import duckdb
import pyarrow as pa

from pipelines.sinks.schemas import TABLES, duckdb_ddl

_LOCK = threading.Lock()


def create_tables(connection: duckdb.DuckDBPyConnection) -> None:
    for table in TABLES.values():
        connection.execute(duckdb_ddl(table))


def open_store(path: str) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(path)
    create_tables(connection)
    return connection


class _WriteRowsFn(beam.DoFn):
    def __init__(self, path: str, table: str) -> None:
        self._path = path
        self._table = TABLES[table]
        self._rows: list[dict[str, Any]] = []

    def setup(self) -> None:
        # In-process runners share one DuckDB instance per file; each DoFn gets its own cursor.
        with _LOCK:
            self._connection = open_store(self._path)

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
        self._connection.register("bundle_rows", batch)
        try:
            self._connection.execute("BEGIN TRANSACTION")
            self._connection.execute(f"INSERT INTO {self._table.name} BY NAME SELECT * FROM bundle_rows")
            self._connection.execute("COMMIT")
        except duckdb.Error:
            self._connection.execute("ROLLBACK")
            raise
        finally:
            self._connection.unregister("bundle_rows")
        self._rows = []

    def teardown(self) -> None:
        self._connection.close()


class WriteTableToDuckDB(beam.PTransform):
    def __init__(self, path: str, table: str) -> None:
        super().__init__()
        self._path = path
        self._table = table

    def expand(self, rows: beam.PCollection) -> beam.pvalue.PDone:
        rows | f"Insert{self._table}" >> beam.ParDo(_WriteRowsFn(self._path, self._table))
        return beam.pvalue.PDone(rows.pipeline)
