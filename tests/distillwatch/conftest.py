"""The saved-query rows (tests/distillwatch/query_rows.py) loaded into a DuckDB store and a BigQuery emulator."""

from __future__ import annotations

import uuid

import pytest

from tests.distillwatch.query_rows import load_bigquery_dataset, write_duckdb_store


@pytest.fixture(scope="module")
def duckdb_store(tmp_path_factory):
    return write_duckdb_store(str(tmp_path_factory.mktemp("store") / "distillwatch.duckdb"))


@pytest.fixture(scope="module")
def bigquery_dataset(bigquery_emulator):
    return load_bigquery_dataset(bigquery_emulator.client(), f"queries_{uuid.uuid4().hex[:8]}")
