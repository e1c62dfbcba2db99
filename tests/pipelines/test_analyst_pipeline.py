"""The whole batch graph with a suppressions table: suppressed accounts and api keys keep their score rows, their
alerts are written with `suppressed_by` set, and every alert and campaign row carries a recommended action."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import apache_beam as beam
import duckdb
import orjson
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.config import ACTIONS, DetectConfig
from pipelines.pipeline import build_pipeline
from pipelines.sinks.duckdb_sink import open_store
from simulator.generator import SimulationConfig, generate_events


def _detect(events: Path, store: Path) -> None:
    open_store(str(store)).close()
    config = DetectConfig(input=str(events), output=str(store), suppressions=str(store))
    with beam.Pipeline(options=PipelineOptions(flags=[], runner="FnApiRunner")) as pipeline:
        build_pipeline(pipeline, config)


def _rows(store: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(store), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_suppressed_entities_are_scored_and_their_alerts_marked(tmp_path):
    events = tmp_path / "events.jsonl"
    simulated = list(generate_events(SimulationConfig(seed=5, accounts=60, duration_hours=1.5)))
    events.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in simulated))
    first = tmp_path / "first.duckdb"
    _detect(events, first)
    alerted = [a for (a,) in _rows(first, "SELECT account_id FROM alerts GROUP BY 1 ORDER BY max(score) DESC, 1")]
    assert len(alerted) >= 2, "the simulation needs two alerting accounts"
    by_account, by_key = alerted[0], alerted[1]
    key = next(e["api_key_id"] for e in simulated if e["account_id"] == by_key)

    second = tmp_path / "second.duckdb"
    expires = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    with open_store(str(second)) as connection:
        for sid, scope, value in (("s1", "account", by_account), ("s2", "api_key", key)):
            connection.execute(
                "INSERT INTO suppressions VALUES (?, ?, ?, 'known lab', 'tester', now(), ?)",
                [sid, scope, value, expires],
            )
    _detect(events, second)

    scores = dict(_rows(second, "SELECT account_id, count(*) FROM account_scores GROUP BY 1"))
    assert scores[by_account] > 0 and scores[by_key] > 0  # still scored
    marks = _rows(second, "SELECT account_id, suppressed_by FROM alerts")
    assert {by for account, by in marks if account == by_account} == {f"account:{by_account} (s1)"}
    assert {by for account, by in marks if account == by_key} == {f"api_key:{key} (s2)"}
    assert all(by is None for account, by in marks if account not in (by_account, by_key))
    # The same alerts as without suppressions: only their marks differ.
    assert sorted(a for a, _ in marks) == sorted(a for (a,) in _rows(first, "SELECT account_id FROM alerts"))
    actions = {
        a
        for (a,) in _rows(
            second, "SELECT recommended_action FROM alerts UNION SELECT recommended_action FROM campaigns"
        )
    }
    assert actions <= set(ACTIONS) and None not in actions
