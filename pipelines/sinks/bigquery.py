"""BigQuery sink: Beam's standard `WriteToBigQuery` (streaming inserts) for one output table, failures dead-lettered."""

from __future__ import annotations

import json
from typing import Any

import apache_beam as beam
import orjson
from apache_beam.io.gcp.bigquery import BigQueryDisposition, WriteToBigQuery
from apache_beam.io.gcp.bigquery_tools import RetryStrategy

from pipelines.base import dead_letter_row
from pipelines.sinks import schemas

SINK_STAGE = "sink"


def failed_row_to_dead_letter(failed: tuple[str, dict[str, Any], Any]) -> dict[str, Any]:
    """(destination, row, insert errors) from `failed_rows_with_errors` -> a dead_letter row."""
    destination, row, errors = failed
    return dead_letter_row(
        source=str(destination),
        payload=orjson.dumps(row, default=str),
        error=json.dumps(errors, default=str, sort_keys=True),
        stage=SINK_STAGE,
    )


class WriteTableToBigQuery(beam.PTransform):
    """Streams row dicts into `project:dataset.<table>`; returns the rows BigQuery rejected as dead_letter rows.

    The table is created if needed with its schema, DAY partitioning and clustering from `schemas`. Rows that
    fail permanently (invalid values) come back rather than being retried forever or silently dropped, so the
    caller can write them to the dead_letter table.
    `test_client` is Beam's hook for a non-default client (e.g. `bigquery_emulator.EmulatorBigQueryClient`).
    """

    def __init__(self, project: str, dataset: str, table_name: str, test_client: Any = None) -> None:
        super().__init__()
        if table_name not in schemas.TABLES:
            raise ValueError(f"unknown table {table_name!r}; expected one of {sorted(schemas.TABLES)}")
        self.table = schemas.TABLES[table_name]
        self.table_spec = f"{project}:{dataset}.{table_name}"
        self.test_client = test_client

    def expand(self, rows: beam.PCollection) -> beam.PCollection:
        result = rows | "WriteToBigQuery" >> WriteToBigQuery(
            table=self.table_spec,
            schema=schemas.bigquery_schema(self.table),
            additional_bq_parameters=schemas.bigquery_table_parameters(self.table),
            create_disposition=BigQueryDisposition.CREATE_IF_NEEDED,
            write_disposition=BigQueryDisposition.WRITE_APPEND,
            method=WriteToBigQuery.Method.STREAMING_INSERTS,
            # Retry transient errors only; an invalid row would fail the same way forever.
            insert_retry_strategy=RetryStrategy.RETRY_ON_TRANSIENT_ERROR,
            test_client=self.test_client,
        )
        return result.failed_rows_with_errors | "FailedRowsToDeadLetter" >> beam.Map(failed_row_to_dead_letter)
