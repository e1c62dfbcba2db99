"""`distillwatch detect`: parse options, build the graph, run it, print a closing summary."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# skops.io resolves scipy's ufunc names at import by searching every module loaded so far: imported before Beam's
# modules, that search (a large part of every run's start-up) is much shorter.
import skops.io  # noqa: F401

# isort: split
import apache_beam as beam
import duckdb
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from distillwatch.errors import UsageError, store_error
from distillwatch.ground_truth import compare_alerts, read_labels
from distillwatch.local_streaming import use_fast_local_streaming
from distillwatch.queries.dialects import create_views_duckdb
from pipelines.artifact import load_verified_model
from pipelines.config import DetectConfig, add_detect_arguments, detect_config_from_args
from pipelines.contract import REASONING_INCLUDED, REASONING_SEPARATE
from pipelines.pipeline import build_pipeline
from pipelines.scoring import load_model_once_per_process
from pipelines.sinks.duckdb_sink import open_store
from pipelines.validate import REASONING_ABOVE_COMPLETION, WITH_REASONING, WITHOUT_FIELD

log = logging.getLogger("distillwatch")

# Streaming Pub/Sub reads need the bundle-based DirectRunner locally; batch replay is fastest on the
# portable FnApiRunner. Any --runner the user passes (e.g. DataflowRunner) wins.
LOCAL_STREAMING_RUNNER = "BundleBasedDirectRunner"
LOCAL_BATCH_RUNNER = "FnApiRunner"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The run's options (pipelines/config.py) and what only the CLI does with its result."""
    add_detect_arguments(parser)
    parser.add_argument(
        "--labels",
        default=None,
        help="ground-truth JSONL (account_id, label), as `distillwatch simulate` writes: the summary then says "
        "how many alerted accounts are truly extraction, and how many were missed (DuckDB output only)",
    )


def pipeline_options(config: DetectConfig, beam_args: list[str]) -> PipelineOptions:
    options = PipelineOptions(beam_args)
    standard = options.view_as(StandardOptions)
    if config.streaming:
        standard.streaming = True
    if standard.runner is None:
        standard.runner = LOCAL_STREAMING_RUNNER if config.streaming else LOCAL_BATCH_RUNNER
    if standard.runner == LOCAL_STREAMING_RUNNER:
        use_fast_local_streaming()  # same graph, fuller bundles: see distillwatch/local_streaming.py
    return options


def counters(result: beam.runners.runner.PipelineResult) -> dict[str, int]:
    query = result.metrics().query(MetricsFilter().with_namespace("distillwatch"))
    totals: dict[str, int] = {}
    for counter in query["counters"]:
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + (counter.committed or 0)
    return totals


# Events with reasoning a run must read before it may say that none reporting more reasoning than completion is
# telling: a gateway counting reasoning apart (the contract) reports more on most of them.
REASONING_EVIDENCE_EVENTS = 500


def reasoning_convention_note(config: DetectConfig, totals: dict[str, int]) -> str | None:
    """A hint that the gateway counts reasoning inside completion_tokens while the run reads it as apart."""
    with_reasoning = totals.get(WITH_REASONING, 0)
    if (
        config.reasoning_tokens != REASONING_SEPARATE
        or with_reasoning < REASONING_EVIDENCE_EVENTS
        or totals.get(REASONING_ABOVE_COMPLETION, 0)
    ):
        return None
    return (
        f"none of the {with_reasoning:,} events with reasoning_tokens reports more of them than completion_tokens: "
        f"if the gateway counts reasoning inside completion_tokens (OpenAI-style usage), run with "
        f"--reasoning-tokens {REASONING_INCLUDED}"
    )


# What a run reads without a field no event carries; said only when every one of at least REASONING_EVIDENCE_EVENTS
# parsed events lacks it, which a gateway that sends the field does not produce.
FIELD_LOSS = {
    "params": "the logprob, n and max_tokens features read empty, so logprob and grader harvests go unseen",
    "account.created_at": "every account is read as an old one",
    "prompt": "reasoning elicitation reads empty and the campaign stage links accounts without prompt templates",
    "client": "the campaign stage links accounts without their addresses and user agents",
}


def missing_field_notes(totals: dict[str, int]) -> list[str]:
    """Hints that the gateway leaves out an optional field the detector reads (README, "Which optional fields
    matter")."""
    parsed = totals.get("events_parsed", 0)
    if parsed < REASONING_EVIDENCE_EVENTS:
        return []
    notes = [
        f"no event carries `{field}`: {loss}; send it if the gateway has it"
        for field, loss in FIELD_LOSS.items()
        if totals.get(WITHOUT_FIELD[field], 0) >= parsed
    ]
    if not totals.get(WITH_REASONING, 0):
        notes.append(
            "no event carries reasoning_tokens: if the models served produce hidden reasoning, send it; without it "
            "reasoning-trace coercion goes unseen"
        )
    return notes


def print_summary(
    config: DetectConfig, totals: dict[str, int], seconds: float, labels: dict[str, bool] | None = None
) -> None:
    parsed, dead = totals.get("events_parsed", 0), totals.get("events_dead_lettered", 0)
    print(f"\ndistillwatch detect finished in {seconds:.1f}s ({(parsed + dead) / max(seconds, 1e-9):,.0f} records/s)")
    print(f"  events read        {parsed + dead:>10,}")
    print(f"  dead-lettered      {dead:>10,}")
    print(f"  windows scored     {totals.get('windows_scored', 0):>10,}")
    print(f"  alerts             {totals.get('alerts', 0):>10,}")
    convention = reasoning_convention_note(config, totals)
    for note in [*([convention] if convention else []), *missing_field_notes(totals)]:
        print(f"  note: {note}")
    if config.writes_bigquery:
        print(f"  output             BigQuery {config.output[3:]}")
        return
    with open_store(config.output) as store:
        accounts = store.execute("select count(distinct account_id) from account_scores").fetchone()[0]
        campaigns = store.execute("select count(*), coalesce(max(member_count), 0) from campaigns").fetchone()
        print(f"  accounts scored    {accounts:>10,}   (store: {config.output})")
        print(f"  campaign rows      {campaigns[0]:>10,}   (largest: {campaigns[1]} accounts)")
        alerted = {account for (account,) in store.execute("select distinct account_id from alerts").fetchall()}
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
    if labels is not None:
        print("\n  against the labels (every alert in the store):")
        for line in compare_alerts(alerted, labels).lines():
            print(f"    {line}")


def _is_local(path: str) -> bool:
    return FileSystems.get_scheme(path) is None


def check_input_files(pattern: str) -> None:
    """The replay input matches at least one readable file (a glob matching nothing would read nothing, silently)."""
    try:
        (match,) = FileSystems.match([pattern])
    except Exception as error:  # noqa: BLE001 - Beam wraps every filesystem's own error in BeamIOError
        raise UsageError(f"--input {pattern}: cannot list it: {error}") from None
    if not match.metadata_list:
        raise UsageError(f"--input {pattern}: no files match")
    for file in match.metadata_list:
        if _is_local(file.path) and (os.path.isdir(file.path) or not os.access(file.path, os.R_OK)):
            raise UsageError(f"--input {pattern}: {file.path} is not a readable file")


def check_bigquery_output(output: str) -> None:
    project, _, dataset = output.removeprefix("bq:").partition(":")
    if not project or not dataset or ":" in dataset:
        raise UsageError(f"--output {output}: BigQuery output is bq:PROJECT:DATASET")


def create_store(path: str) -> None:
    """Creates the tables and views, so they exist even when a run writes no rows; refuses a path it cannot write."""
    try:
        with open_store(path) as store:
            create_views_duckdb(store)  # and the views, for analysts querying the store directly
    except duckdb.Error as error:
        raise store_error(path, error) from None


def check_model_manifest(path: str) -> None:
    if _is_local(path) and not Path(path).is_file():
        raise UsageError(f"--model {path}: no model manifest there")


# Allocations between collections of the youngest generation (Python's default: 700). A replay allocates millions
# of objects, and each collection of an older generation traverses every accumulator the run holds.
YOUNGEST_GENERATION_THRESHOLD = 50_000


@contextmanager
def garbage_collected_rarely() -> Iterator[None]:
    """Tunes the cyclic garbage collector for a run in this process (the local runners' workers share it), and
    restores it after. Reference counting still frees every object outside a cycle as soon as it is unused.

    `gc.freeze` moves what exists now (the modules Beam, scikit-learn and DuckDB loaded) out of the collected
    generations, so no collection traverses them; a larger youngest generation makes collections rarer.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNGEST_GENERATION_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


@dataclass(frozen=True)
class Submission:
    config: DetectConfig
    result: beam.runners.runner.PipelineResult
    started_s: float  # time.perf_counter() at submission
    labels: dict[str, bool] | None


def submit(args: argparse.Namespace, beam_args: list[str]) -> Submission:
    """Checks the options and what they point at, builds the graph and starts it; does not wait for it.

    Raises `UsageError` for what the user can fix, before anything runs.
    """
    try:
        config = detect_config_from_args(args)
    except ValueError as error:  # option values the configuration refuses (window shape, a Pub/Sub topic, ...)
        raise UsageError(str(error)) from None
    if not config.reads_pubsub:
        check_input_files(config.input)
    check_model_manifest(config.model.manifest_path)
    if config.writes_bigquery:
        check_bigquery_output(config.output)
        if args.labels:
            raise UsageError("--labels compares the alerts of a DuckDB --output; query BigQuery for them instead")
    labels = read_labels(args.labels) if args.labels else None
    if not config.writes_bigquery:
        create_store(config.output)
    # Refuse a tampered or mismatched artifact before anything runs (workers verify it again on load; the local
    # runner's workers share this process, and with it this verified load of a local manifest).
    manifest = config.model.manifest_path
    (load_model_once_per_process if _is_local(manifest) else load_verified_model)(manifest)
    options = pipeline_options(config, beam_args)
    log.info("detect: %s -> %s (%s)", config.input, config.output, options.view_as(StandardOptions).runner)
    started = time.perf_counter()
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, config)
    return Submission(config, pipeline.run(), started, labels)


def run(args: argparse.Namespace, beam_args: list[str]) -> int:
    """`distillwatch detect`: submits the run, waits for it to finish and prints the closing summary."""
    with garbage_collected_rarely():
        submission = submit(args, beam_args)
        submission.result.wait_until_finish()
    totals = counters(submission.result)
    print_summary(submission.config, totals, time.perf_counter() - submission.started_s, submission.labels)
    return 0
