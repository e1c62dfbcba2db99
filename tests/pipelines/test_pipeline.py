"""`build_pipeline` builds the whole graph, source to sinks, without running it: the stages of the architecture in
order, each table's rows going to its sink, for a batch replay into DuckDB and a streaming run into BigQuery."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.pipeline import AppliedPTransform, PipelineVisitor

from pipelines.config import DetectConfig, ModelConfig, WindowConfig
from pipelines.pipeline import build_pipeline

STAGES = [
    "ParseEvents",
    "DeduplicateEvents",
    "WindowPerAccount",
    "Features",
    "Score",
    "AlertPolicy",
    "MarkSuppressedAlerts",
    "DetectCampaigns",
    "MarkSuppressedCampaigns",
]
# Each output table and the stage whose output rows it stores.
TABLE_SOURCES = {
    "account_scores": "ScoreRows",
    "alerts": "AlertRows",
    "dead_letter": "ParseEvents",
    "campaigns": "CampaignAnalystColumns",  # campaign rows with suppression and recommended action
}


class _Transforms(PipelineVisitor):
    """Every applied transform, composites included, in the order they were applied."""

    def __init__(self) -> None:
        self.transforms: list[AppliedPTransform] = []

    def enter_composite_transform(self, node: AppliedPTransform) -> None:
        self.transforms.append(node)

    def visit_transform(self, node: AppliedPTransform) -> None:
        self.transforms.append(node)


class Graph:
    def __init__(self, config: DetectConfig) -> None:
        pipeline = beam.Pipeline(options=PipelineOptions(streaming=config.streaming))
        build_pipeline(pipeline, config)
        visitor = _Transforms()
        pipeline.visit(visitor)
        self.transforms = [node for node in visitor.transforms if node.full_label]
        # The stages applied directly to the pipeline, in order.
        self.stages = {node.full_label: node for node in self.transforms if "/" not in node.full_label}

    def producers(self, stage: str) -> set[str]:
        """The other stages whose outputs `stage` (or any transform inside it) reads, as main or side input."""
        inside = [node for node in self.transforms if node.full_label.split("/")[0] == stage]
        read = [pcoll for node in inside for pcoll in (*node.inputs, *(side.pvalue for side in node.side_inputs))]
        return {pcoll.producer.full_label.split("/")[0] for pcoll in read} - {stage}


@pytest.fixture
def replay_input(tmp_path):
    (tmp_path / "events-1.jsonl").write_text("")  # the file source checks its pattern when the graph is built
    return str(tmp_path / "events-*.jsonl")


def test_a_batch_replay_reads_files_and_writes_every_table_to_duckdb(replay_input, tmp_path):
    graph = Graph(DetectConfig(input=replay_input, output=str(tmp_path / "store.duckdb")))
    labels = list(graph.stages)
    assert labels[0] == "ReadJsonl"
    assert [label for label in labels if label in STAGES] == STAGES
    assert graph.producers("ParseEvents") == {"ReadJsonl"}
    assert "RouteTooLateEvents" not in graph.stages and "WatchModels" not in graph.stages  # streaming only
    assert not [label for label in labels if label.startswith("BigQuery_")]
    for table, source in TABLE_SOURCES.items():
        assert graph.producers(f"DuckDB_{table}") == {source}


def test_a_streaming_run_reads_pubsub_and_writes_every_table_to_bigquery():
    config = DetectConfig(
        input="projects/my-project/subscriptions/detector",
        output="bq:my-project:detections",
        streaming=True,
        model=ModelConfig(watch_pattern="gs://bucket/models/*/manifest.json"),
        pubsub_id_label="event_id",
    )
    graph = Graph(config)
    labels = list(graph.stages)
    assert labels[0] == "ReadPubSub"
    source = graph.stages["ReadPubSub"].transform._source  # ReadFromPubSub keeps its settings on its source
    assert (source.full_subscription, source.id_label) == (config.input, "event_id")
    assert [label for label in labels if label in STAGES] == STAGES
    # In streaming, events too late for their windows are dead-lettered before they reach them.
    assert graph.producers("DeduplicateEvents") == {"RouteTooLateEvents"}
    assert graph.producers("AllDeadLetters") == {"ParseEvents", "RouteTooLateEvents"}
    assert "WatchModels" in graph.producers("Score")
    assert not [label for label in labels if label.startswith("DuckDB_")]
    for table, source in {**TABLE_SOURCES, "dead_letter": "AllDeadLetters"}.items():
        assert graph.producers(f"BigQuery_{table}") == {source}
    # Rows BigQuery rejects come back from every sink and are written as dead letters themselves.
    assert graph.producers("SinkFailures") == {f"BigQuery_{table}" for table in TABLE_SOURCES}
    assert graph.producers("BigQuery_dead_letter_sink") == {"SinkFailures"}


def test_a_batch_replay_reduces_each_account_hour_once_for_windows_horizon_and_campaigns(replay_input, tmp_path):
    graph = Graph(DetectConfig(input=replay_input, output=str(tmp_path / "store.duckdb")))
    assert "AccountHours" not in graph.stages and "DeduplicateEvents" in graph.stages
    assert graph.producers("DeduplicateEvents") == {"ParseEvents"}
    for stage in ("AccountPanes", "HourPanes", "HourEvidence"):
        assert graph.producers(stage) == {"DeduplicateEvents"}, stage
    assert graph.producers("DetectCampaigns") == {"HourEvidence"}


def test_deduplicated_input_skips_dedup_and_is_refused_for_a_stream(replay_input, tmp_path):
    graph = Graph(DetectConfig(input=replay_input, output=str(tmp_path / "store.duckdb"), deduplicated_input=True))
    assert "DeduplicateEvents" not in graph.stages
    assert graph.producers("AccountHours") == {"ParseEvents"}
    with pytest.raises(ValueError, match="deduplicated-input"):
        DetectConfig(input="projects/p/subscriptions/s", output="bq:p:d", streaming=True, deduplicated_input=True)


def test_a_window_period_that_does_not_tile_the_hour_accumulates_events_per_stage(replay_input, tmp_path):
    window = WindowConfig(size_s=4200, period_s=420)
    graph = Graph(DetectConfig(input=replay_input, output=str(tmp_path / "store.duckdb"), window=window))
    assert "AccountHours" not in graph.stages
    for stage in ("WindowPerAccount", "HorizonPerAccount", "DetectCampaigns"):
        assert graph.producers(stage) == {"DeduplicateEvents"}, stage
