"""The detection graph: events -> validate -> window per account -> features -> classifier -> alerts -> sinks.

`build_pipeline` only constructs the graph on a given `beam.Pipeline`, so tests can build it without a
runner, and batch replay (JSONL files) and streaming (Pub/Sub) share every step after the source.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
import numpy as np
from apache_beam.coders import BytesCoder
from apache_beam.ml.inference.base import KeyedModelHandler, PredictionResult, RunInference
from apache_beam.ml.inference.utils import WatchFilePattern
from apache_beam.transforms import window

from pipelines.alerting import ApplyAlertPolicy, is_eligible
from pipelines.base import DEAD_LETTER, AccountWindow, ScoredWindow, utc_now_iso
from pipelines.batch_panes import (
    HOUR_S,
    AccountHours,
    HorizonHours,
    HorizonsBelowFloor,
    account_hour,
    horizon_floor,
    hour_evidence,
    hour_pane,
    period_panes,
    tiles_the_hour,
)
from pipelines.campaigns import DetectCampaigns
from pipelines.config import DetectConfig
from pipelines.delivery import DeduplicateEvents, DeliveriesPerAccountHour, RouteTooLateEvents
from pipelines.features.accumulator import WindowAccumulator
from pipelines.features.extract import feature_dict, feature_vector
from pipelines.horizon import KeepSparseHorizons
from pipelines.response import account_action, campaign_action
from pipelines.scoring import handler_for
from pipelines.sinks.rows import alert_row, score_row
from pipelines.suppression import (
    MarkSuppressed,
    SuppressionSource,
    alert_entities,
    alert_window_end,
    campaign_entities,
    campaign_window_end,
    no_suppressions,
)
from pipelines.validate import parse_events
from pipelines.windowing import IntoKeyedWindows, PanesToWindows, WindowPerAccount, WindowsFromPanes


@dataclass
class DetectionOutputs:
    """Rows for each output table (dicts keyed by column name)."""

    account_scores: beam.PCollection
    alerts: beam.PCollection
    dead_letter: beam.PCollection
    campaigns: beam.PCollection


class ComputeFeatures(beam.DoFn):
    def __init__(self) -> None:
        self.windows = beam.metrics.Metrics.counter("distillwatch", "windows_scored")

    def process(
        self,
        element: tuple[str, WindowAccumulator],
        window_param: Any = beam.DoFn.WindowParam,
    ) -> Iterator[tuple[AccountWindow, np.ndarray]]:
        account_id, accumulator = element
        start, end = float(window_param.start), float(window_param.end)
        features = feature_dict(accumulator, start, end)
        self.windows.inc()
        key = AccountWindow(
            account_id,
            start,
            end,
            features,
            tuple(sorted(accumulator.api_key_ids)),
            tuple(sorted(accumulator.payment_fingerprints)),
        )
        yield key, feature_vector(features)


def to_scored_window(
    element: tuple[AccountWindow, PredictionResult], component: str | None = None
) -> tuple[str, ScoredWindow]:
    """`component` overrides the scorer's (long-horizon rows are "horizon" whichever part of the model fired)."""
    key, prediction = element
    score = prediction.inference
    scored = ScoredWindow(
        account_id=key.account_id,
        window_start=key.window_start,
        window_end=key.window_end,
        request_count=int(key.features["request_count"]),
        features=key.features,
        score=score.probability,
        model_version=str(prediction.model_id),
        reasons=score.reasons,
        api_key_ids=key.api_key_ids,
        payment_fingerprints=key.payment_fingerprints,
        component=component or score.component,
        alert_threshold=score.alert_threshold,
    )
    return key.account_id, scored


def score_windows(
    windowed: beam.PCollection,
    config: DetectConfig,
    model_updates: beam.PCollection | None,
    component: str | None = None,
    prefix: str = "",
) -> beam.PCollection:
    """(account_id, WindowAccumulator) per window -> (account_id, ScoredWindow). Step names get `prefix`, so the
    per-window steps keep the top-level names the benchmark's stage split reads."""
    handler = handler_for(config)
    return (
        windowed
        | f"{prefix}Features" >> beam.ParDo(ComputeFeatures())
        # Scoring and the alert policy are per element, not per window: one global window lets
        # RunInference batch across windows and lets the policy keep per-account state.
        | f"{prefix}Unwindow" >> beam.WindowInto(window.GlobalWindows())
        | f"{prefix}Score" >> RunInference(KeyedModelHandler(handler), model_metadata_pcoll=model_updates)
        # A declared key type gives the stateful alert policy a deterministic key coder.
        | f"{prefix}ToScoredWindow" >> beam.Map(to_scored_window, component).with_output_types(tuple[str, ScoredWindow])
    )


def read_raw_records(pipeline: beam.Pipeline, config: DetectConfig) -> beam.PCollection:
    """(source, payload bytes) from JSONL files (gzip detected by extension) or a Pub/Sub subscription."""
    if config.reads_pubsub:
        subscription = config.input
        messages = pipeline | "ReadPubSub" >> beam.io.ReadFromPubSub(
            subscription=subscription,
            with_attributes=True,
            timestamp_attribute="event_time",
            id_label=config.pubsub_id_label,
        )
        return messages | "TagSource" >> beam.Map(
            lambda message: (f"{subscription}/{message.message_id or ''}", message.data)
        )
    return pipeline | "ReadJsonl" >> beam.io.ReadFromTextWithFilename(config.input, coder=BytesCoder())


@dataclass
class Accumulated:
    """What the per-account windows, the long horizon and the campaign stage read, however it was accumulated."""

    windows: beam.PCollection  # (account_id, WindowAccumulator) in its sliding window
    horizons: beam.PCollection | None  # (account_id, WindowAccumulator) in its horizon window; None: horizon off
    campaign_input: beam.PCollection  # timestamped events, or hourly evidence panes (campaign_pane_s)
    campaign_pane_s: int | None = None


def reduces_account_hours(config: DetectConfig) -> bool:
    """A batch replay whose window period tiles the hour reduces each account's hour of events once. That graph keys
    every event by its own event time and stamps the windows it makes, so it needs no timestamped events."""
    return not config.streaming and tiles_the_hour(config.window.period_s)


def accumulate(events: beam.PCollection, config: DetectConfig) -> Accumulated:
    """Deduplicated events -> per-account windows, horizon windows and the campaign stage's input.

    A batch replay whose window period tiles the hour reduces each account's hour of deliveries once
    (pipelines/batch_panes.py); otherwise each stage accumulates the deduplicated events itself. A batch replay of
    input known to hold each event_id once (`deduplicated_input`) skips dedup, so no step holds whole events: the
    local runner keeps every event of a replay in memory while it deduplicates.
    """
    window, horizon, period = config.window, config.horizon_window, config.window.period_s
    floor = config.alerts.min_requests  # windows below it cannot alert: dropped before merging (windowing.py)
    if reduces_account_hours(config):
        if config.deduplicated_input:
            hours = events | "AccountHours" >> AccountHours(period)
        else:
            hours = events | "DeduplicateEvents" >> DeliveriesPerAccountHour(
                functools.partial(account_hour, period_s=period)
            )
        windows = (
            hours
            | "AccountPanes" >> beam.Map(period_panes)
            | "WindowPerAccount" >> WindowsFromPanes(window, WindowAccumulator, floor=floor, pane_maps=True)
            | "WindowsIntoPlace" >> IntoKeyedWindows(window.size_s)
        )
        horizons = None
        if horizon is not None:
            horizons = (
                hours
                | "HourPanes" >> beam.Map(hour_pane, horizon_floor(window.size_s, floor))
                | "HorizonPerAccount" >> WindowsFromPanes(horizon, HorizonHours, HOUR_S, floor=floor)
                | "HorizonsIntoPlace" >> IntoKeyedWindows(horizon.size_s)
                | "HorizonsBelowFloor" >> beam.ParDo(HorizonsBelowFloor())
            )
        return Accumulated(windows, horizons, hours | "HourEvidence" >> beam.Map(hour_evidence), HOUR_S)
    if not config.deduplicated_input:
        events = events | "DeduplicateEvents" >> DeduplicateEvents(window.dedup_horizon_s, config.streaming)
    windows = events | "WindowPerAccount" >> WindowPerAccount(window, config.streaming, floor=floor)
    horizons = None
    if horizon is not None:
        # One firing per horizon window (no late re-firings): a late event counts in the windows closing later.
        one_firing = PanesToWindows(horizon, config.streaming, WindowAccumulator, late_firings=False, floor=floor)
        horizons = events | "HorizonPerAccount" >> one_firing
    return Accumulated(windows, horizons, events)


def build_detection(raw: beam.PCollection, config: DetectConfig) -> DetectionOutputs:
    """From raw records to output rows; sinks are attached by `build_pipeline`."""
    events, dead_letter = parse_events(raw, not reduces_account_hours(config), config.reasoning_tokens)
    if config.streaming:
        # Batch replays have no late data; in streaming, what the windows would drop is dead-lettered.
        gated = events | "RouteTooLateEvents" >> RouteTooLateEvents(config.window, config.input)
        events = gated.events
        dead_letter = (dead_letter, gated[DEAD_LETTER]) | "AllDeadLetters" >> beam.Flatten()
    accumulated = accumulate(events, config)
    windowed = accumulated.windows
    model_updates = None
    if config.model.watch_pattern:
        model_updates = raw.pipeline | "WatchModels" >> WatchFilePattern(
            file_pattern=config.model.watch_pattern, interval=config.model.watch_interval_s
        )
    scored = score_windows(windowed, config, model_updates)
    scores = scored | "ScoreRows" >> beam.MapTuple(lambda _, w: score_row(w, utc_now_iso()))
    read_suppressions = SuppressionSource(config.suppressions).read if config.suppressions else no_suppressions
    refresh_s = config.suppressions_refresh_s if config.streaming else None
    response = config.response
    to_decide = scored
    if (horizon := config.horizon_window) is not None:
        # Evidence that accumulates: an account below the per-window request floor alerts once its horizon
        # window holds the floor and scores as extraction. Scored like windows; alerts only (no score rows).
        keep = KeepSparseHorizons(horizon, config.window, config.alerts.min_requests)
        horizons = accumulated.horizons | "SparseHorizons" >> beam.ParDo(keep)
        horizon_scored = score_windows(horizons, config, model_updates, component="horizon", prefix="Horizon")
        # The local runner materialises a Flatten of two stages: only rows that may alert cross it (the policy keeps
        # no others either), not every scored window.
        policy = config.alerts
        to_decide = (
            scored | "EligibleWindows" >> beam.Filter(lambda kv: is_eligible(kv[1], policy)),
            horizon_scored | "EligibleHorizons" >> beam.Filter(lambda kv: is_eligible(kv[1], policy)),
        ) | "WindowsAndHorizons" >> beam.Flatten()
    alerts = (
        to_decide
        | "AlertPolicy" >> ApplyAlertPolicy(config.alerts, config.streaming)
        | "MarkSuppressedAlerts"
        >> beam.ParDo(MarkSuppressed(alert_entities, alert_window_end, read_suppressions, refresh_s))
        | "AlertRows"
        >> beam.MapTuple(
            lambda alert, by: alert_row(
                *alert, utc_now_iso(), suppressed_by=by, recommended_action=account_action(*alert, response)
            )
        )
    )
    # Cross-account stage on its own, longer windows; it scores each campaign on its members' combined traffic.
    campaigns = (
        accumulated.campaign_input
        | "DetectCampaigns" >> DetectCampaigns(config.streaming, pane_s=accumulated.campaign_pane_s)
        | "MarkSuppressedCampaigns"
        >> beam.ParDo(MarkSuppressed(campaign_entities, campaign_window_end, read_suppressions, refresh_s))
        | "CampaignAnalystColumns"
        >> beam.MapTuple(
            lambda row, by: {**row, "suppressed_by": by, "recommended_action": campaign_action(row, response)}
        )
    )
    return DetectionOutputs(account_scores=scores, alerts=alerts, dead_letter=dead_letter, campaigns=campaigns)


def report_unstorable_dead_letter(row: dict[str, Any]) -> None:
    beam.metrics.Metrics.counter("distillwatch", "dead_letters_unstorable").inc()
    logging.getLogger("distillwatch").error("dead letter rejected by BigQuery twice, not stored: %s", row)


def write_outputs(outputs: DetectionOutputs, config: DetectConfig) -> None:
    tables = {
        "account_scores": outputs.account_scores,
        "alerts": outputs.alerts,
        "dead_letter": outputs.dead_letter,
        "campaigns": outputs.campaigns,
    }
    if config.writes_bigquery:
        from pipelines.sinks.bigquery import WriteTableToBigQuery

        _, project, dataset = config.output.split(":", 2)
        failed = [
            rows | f"BigQuery_{name}" >> WriteTableToBigQuery(project, dataset, name) for name, rows in tables.items()
        ]
        # Rows BigQuery rejected are kept as dead letters (stage "sink"), never dropped; a dead letter that is
        # itself rejected twice can be stored nowhere else: it is logged and counted, never silently lost.
        (
            failed
            | "SinkFailures" >> beam.Flatten()
            | "BigQuery_dead_letter_sink" >> WriteTableToBigQuery(project, dataset, "dead_letter")
            | "UnstorableDeadLetters" >> beam.Map(report_unstorable_dead_letter)
        )
    else:
        from pipelines.sinks.duckdb_sink import WriteTableToDuckDB

        for name, rows in tables.items():
            rows | f"DuckDB_{name}" >> WriteTableToDuckDB(config.output, name)
    if config.alerts_topic:
        from pipelines.routing import ACCOUNT, CAMPAIGN, PublishAlerts

        {ACCOUNT: outputs.alerts, CAMPAIGN: outputs.campaigns} | "RouteAlerts" >> PublishAlerts(config.alerts_topic)


def build_pipeline(pipeline: beam.Pipeline, config: DetectConfig) -> DetectionOutputs:
    """Constructs the whole graph (source -> sinks) on `pipeline`; does not run it."""
    outputs = build_detection(read_raw_records(pipeline, config), config)
    write_outputs(outputs, config)
    return outputs
