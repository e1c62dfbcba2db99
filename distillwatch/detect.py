"""`distillwatch detect`: parse options, build the graph, run it, print a closing summary."""

from __future__ import annotations

import argparse
import logging
import time

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from distillwatch.queries import create_views_duckdb
from pipelines.artifact import load_verified_model
from pipelines.config import DetectConfig, detect_config_from_args
from pipelines.pipeline import build_pipeline
from pipelines.sinks.duckdb_sink import open_store

log = logging.getLogger("distillwatch")

# Streaming Pub/Sub reads need the bundle-based DirectRunner locally; batch replay is fastest on the
# portable FnApiRunner. Any --runner the user passes (e.g. DataflowRunner) wins.
LOCAL_STREAMING_RUNNER = "BundleBasedDirectRunner"
LOCAL_BATCH_RUNNER = "FnApiRunner"


def pipeline_options(config: DetectConfig, beam_args: list[str]) -> PipelineOptions:
    options = PipelineOptions(beam_args)
    standard = options.view_as(StandardOptions)
    if config.streaming:
        standard.streaming = True
    if standard.runner is None:
        standard.runner = LOCAL_STREAMING_RUNNER if config.streaming else LOCAL_BATCH_RUNNER
    return options


def counters(result: beam.runners.runner.PipelineResult) -> dict[str, int]:
    query = result.metrics().query(MetricsFilter().with_namespace("distillwatch"))
    totals: dict[str, int] = {}
    for counter in query["counters"]:
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + (counter.committed or 0)
    return totals


def print_summary(config: DetectConfig, totals: dict[str, int], seconds: float) -> None:
    parsed, dead = totals.get("events_parsed", 0), totals.get("events_dead_lettered", 0)
    print(f"\ndistillwatch detect finished in {seconds:.1f}s ({(parsed + dead) / max(seconds, 1e-9):,.0f} records/s)")
    print(f"  events read        {parsed + dead:>10,}")
    print(f"  dead-lettered      {dead:>10,}")
    print(f"  windows scored     {totals.get('windows_scored', 0):>10,}")
    print(f"  alerts             {totals.get('alerts', 0):>10,}")
    if config.writes_bigquery:
        print(f"  output             BigQuery {config.output[3:]}")
        return
    with open_store(config.output) as store:
        accounts = store.execute("select count(distinct account_id) from account_scores").fetchone()[0]
        campaigns = store.execute("select count(*), coalesce(max(member_count), 0) from campaigns").fetchone()
        print(f"  accounts scored    {accounts:>10,}   (store: {config.output})")
        print(f"  campaign rows      {campaigns[0]:>10,}   (largest: {campaigns[1]} accounts)")
        top = store.execute(
            """
            select account_id, severity, round(score, 3), window_end,
                   list_transform(reasons[1:3], r -> r.feature || '=' || round(r.value, 2)::varchar)
            from alerts qualify row_number() over (partition by account_id order by score desc) = 1
            order by score desc limit 10
            """
        ).fetchall()
    if top:
        print("\n  top alerted accounts (highest score, top reasons):")
        for account_id, severity, score, window_end, reasons in top:
            print(f"    {account_id:<28} {severity:<8} {score:<6} {window_end:%Y-%m-%d %H:%M}  {', '.join(reasons)}")


def run(args: argparse.Namespace, beam_args: list[str]) -> int:
    config = detect_config_from_args(args)
    if not config.writes_bigquery:
        with open_store(config.output) as store:  # the tables exist even when a run writes no rows
            create_views_duckdb(store)  # and the views, for analysts querying the store directly
    # Refuse a tampered or mismatched artifact before anything runs (workers verify it again on load).
    load_verified_model(config.model.manifest_path)
    options = pipeline_options(config, beam_args)
    log.info("detect: %s -> %s (%s)", config.input, config.output, options.view_as(StandardOptions).runner)
    started = time.perf_counter()
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, config)
    result = pipeline.run()
    result.wait_until_finish()
    print_summary(config, counters(result), time.perf_counter() - started)
    return 0
