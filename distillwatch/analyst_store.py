"""Where the analyst commands read and write: the local DuckDB store or a BigQuery dataset.

`feedback` and `suppress` append one row each; they look up what the row refers to first, so a typo never
lands in the table. Every problem is an `AnalystInputError` with one line for the user.
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import Any

from pipelines.sinks.schemas import TABLES


class AnalystInputError(ValueError):
    """Bad input from the analyst: printed as one line, exit status 2, nothing written."""


class Store:
    """One DuckDB file or one BigQuery dataset; `exists` and `insert` over the tables of sinks/schemas.py."""

    def __init__(self, db: str | None = None, bq: str | None = None, bq_endpoint: str | None = None) -> None:
        if bool(db) == bool(bq):
            raise AnalystInputError("say where: --db FILE or --bq PROJECT:DATASET")
        self._db = db
        self._client: Any = None
        if bq:
            project, separator, dataset = bq.partition(":")
            if not separator or not project or not dataset:
                raise AnalystInputError(f"--bq takes PROJECT:DATASET, not {bq!r}")
            self._table_prefix = f"{project}.{dataset}"
            if bq_endpoint:
                from devtools.bigquery_emulator import emulator_client

                self._client = emulator_client(project, bq_endpoint)
            else:
                from google.cloud import bigquery

                self._client = bigquery.Client(project=project)
        elif not Path(db or "").is_file():
            raise AnalystInputError(f"no DuckDB store at {db}")

    def exists(self, table: str, column: str, value: str) -> bool:
        """Whether `table` has a row with `column` = `value`."""
        if self._client is not None:
            from google.cloud import bigquery

            job = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("v", "STRING", value)])
            sql = f"SELECT 1 FROM `{self._table_prefix}.{table}` WHERE {column} = @v LIMIT 1"
            return any(True for _ in self._client.query(sql, job_config=job).result())
        from pipelines.sinks.duckdb_sink import open_store_waiting

        with open_store_waiting(str(self._db)) as connection:
            sql = f"SELECT 1 FROM {table} WHERE {column} = ? LIMIT 1"
            return connection.execute(sql, [value]).fetchone() is not None

    def insert(self, table: str, row: dict[str, Any]) -> None:
        names = [c.name for c in TABLES[table].columns]
        row = {name: row.get(name) for name in names}
        if self._client is not None:
            errors = self._client.insert_rows_json(f"{self._table_prefix}.{table}", [row])
            if errors:
                raise AnalystInputError(f"BigQuery rejected the {table} row: {errors}")
            return
        from pipelines.sinks.duckdb_sink import open_store_waiting

        with open_store_waiting(str(self._db)) as connection:
            placeholders = ", ".join("?" for _ in names)
            connection.execute(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders})", [row[n] for n in names]
            )


def current_user() -> str:
    """$USER (then LOGNAME, ...), else the login name of the process; "" when there is none."""
    try:
        return getpass.getuser()
    except OSError:
        return ""


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    store = parser.add_mutually_exclusive_group(required=True)
    store.add_argument("--db", help="DuckDB store written by `distillwatch detect --output FILE`")
    store.add_argument("--bq", metavar="PROJECT:DATASET", help="BigQuery dataset (application default credentials)")
    parser.add_argument("--bq-endpoint", metavar="URL", help="with --bq: a BigQuery emulator's REST URL")


def store_from_args(args: argparse.Namespace) -> Store:
    return Store(args.db, args.bq, args.bq_endpoint)
