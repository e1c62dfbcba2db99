"""A batch detection run into DuckDB that reports (and can crash inside) each bundle's write transaction.

Run as a subprocess by `test_sink_failures.py`:

    python -m tests.reliability.duckdb_crash_run INPUT STORE MANIFEST [--crash-before-commit-of TABLE]

The real graph (`build_pipeline`) writes through the real `WriteTableToDuckDB`; only the DuckDB connection it
opens is wrapped, to print one line per transaction step to stdout (flushed before the step continues):

    insert <table> <rows>     the bundle's rows are inserted, the transaction is still open
    commit <table> <rows>     COMMIT returned

With `--crash-before-commit-of TABLE` the process dies (os._exit: no cleanup, no flush, like SIGKILL) inside the
first transaction writing to TABLE, after its INSERT and just before its COMMIT.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

import pipelines.sinks.duckdb_sink as duckdb_sink
from pipelines.config import AlertPolicyConfig, DetectConfig, ModelConfig, WindowConfig
from pipelines.pipeline import build_pipeline

CRASH_EXIT_CODE = 86


class ReportingConnection:
    def __init__(self, connection: Any, crash_table: str | None) -> None:
        self._connection = connection
        self._crash_table = crash_table
        self._rows = 0
        self._table = ""

    def register(self, name: str, table: Any) -> Any:
        self._rows = table.num_rows
        return self._connection.register(name, table)

    def execute(self, sql: str, *args: Any) -> Any:
        statement = sql.strip().upper()
        if statement == "COMMIT" and self._table == self._crash_table:
            print(f"crash {self._table} {self._rows}", flush=True)
            os._exit(CRASH_EXIT_CODE)
        result = self._connection.execute(sql, *args)
        if statement.startswith("INSERT INTO"):
            self._table = sql.split()[2]
            print(f"insert {self._table} {self._rows}", flush=True)
        elif statement == "COMMIT":
            print(f"commit {self._table} {self._rows}", flush=True)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    # The sink may hold a connection for its lifetime or open one per bundle (`with open_store(...) as c`).
    def __enter__(self) -> ReportingConnection:
        self._connection.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._connection.__exit__(*exc_info)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("store")
    parser.add_argument("manifest")
    parser.add_argument("--crash-before-commit-of", default=None)
    args = parser.parse_args()

    real_open_store = duckdb_sink.open_store
    duckdb_sink.open_store = lambda path: ReportingConnection(real_open_store(path), args.crash_before_commit_of)
    real_open_store(args.store).close()
    config = DetectConfig(
        input=args.input,
        output=args.store,
        window=WindowConfig(size_s=600, period_s=300),
        alerts=AlertPolicyConfig(severities=((1e-9, "medium"), (0.5, "high")), min_requests=1),
        model=ModelConfig(args.manifest, batch_size=16),
    )
    options = PipelineOptions(flags=[], runner="FnApiRunner")
    with beam.Pipeline(options=options) as pipeline:
        build_pipeline(pipeline, config)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
