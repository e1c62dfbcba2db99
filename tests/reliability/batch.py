"""Helpers shared by the reliability tests: batch runs of the real graph (`build_pipeline`) into DuckDB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import apache_beam as beam
import duckdb
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.config import AlertPolicyConfig, DetectConfig, ModelConfig, WindowConfig
from pipelines.pipeline import build_pipeline
from pipelines.sinks.duckdb_sink import open_store


def run_batch(
    source: Path,
    store: Path,
    manifest: str,
    window: WindowConfig | None = None,
    alerts: AlertPolicyConfig | None = None,
) -> None:
    """`distillwatch detect` minus the CLI: JSONL `source` -> the real graph on the FnApiRunner -> DuckDB `store`."""
    open_store(str(store)).close()
    config = DetectConfig(
        input=str(source),
        output=str(store),
        window=window or WindowConfig(),
        alerts=alerts or AlertPolicyConfig(),
        model=ModelConfig(manifest),
    )
    with beam.Pipeline(options=PipelineOptions(flags=[], runner="FnApiRunner")) as pipeline:
        build_pipeline(pipeline, config)


def query(store: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(store), read_only=True) as connection:
        return connection.execute(sql).fetchall()
