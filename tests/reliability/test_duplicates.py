"""At-least-once delivery: replaying a stream with 10-30 % of its events delivered twice changes no output.

The simulator's `duplicate_fraction` re-delivers events with the same event_id (and the same content). The
duplicated stream goes through the real batch graph into DuckDB, and its account_scores (score and features of
every window) and alerts must equal those of the same stream without duplicates. Duplicates are also shuffled
away from their originals and half of them re-serialised (another key order), as a retrying gateway would.
"""

from __future__ import annotations

import datetime as dt
import random

import orjson
import pytest

from pipelines.config import AlertPolicyConfig
from simulator.generator import Simulation, SimulationConfig
from tests.reliability.batch import query, run_batch

pytestmark = pytest.mark.slow

SIMULATION = SimulationConfig(
    seed=31,
    start=dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC),
    accounts=12,
    duration_hours=1.5,
    extraction_fraction=0.25,
    campaign_sizes=(),
    organisation_sizes=(),
)
# A low bar, so both runs raise alerts and the alert tables are compared on more than emptiness.
ALERTS = AlertPolicyConfig(severities=((0.05, "medium"), (0.5, "high"), (0.9, "critical")), cooldown_s=900)

SCORES = """
    select account_id, window_start, window_end, score, model_version, request_count, features
    from account_scores order by all
"""
ALERT_ROWS = "select alert_id, account_id, window_end, score, severity, request_count from alerts order by all"


def write_events(path, duplicate_fraction: float) -> tuple[int, int]:
    """Writes the simulated stream; returns (lines written, distinct event ids).

    Each redelivery is moved to a random later position (a retry comes after the original, not always right
    after it) and every other one is re-serialised with another key order (same event, other bytes).
    """
    config = SimulationConfig(**{**SIMULATION.__dict__, "duplicate_fraction": duplicate_fraction})
    rng = random.Random(97)
    placed: list[tuple[float, bytes]] = []
    position: dict[str, int] = {}
    for document in Simulation(config).events():
        event_id = document["event_id"]
        if event_id not in position:
            position[event_id] = len(position)
            placed.append((float(position[event_id]), orjson.dumps(document)))
            continue
        if rng.random() < 0.5:
            document = dict(reversed(document.items()))
        later = position[event_id] + 0.5 + rng.random() * 3000  # up to ~3000 events later
        placed.append((later, orjson.dumps(document)))
    lines = [line for _, line in sorted(placed, key=lambda item: item[0])]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return len(lines), len(position)


@pytest.fixture(scope="module")
def without_duplicates(tmp_path_factory, model_manifest):
    directory = tmp_path_factory.mktemp("no-duplicates")
    lines, distinct = write_events(directory / "events.jsonl", 0.0)
    assert lines == distinct
    run_batch(directory / "events.jsonl", directory / "store.duckdb", model_manifest, alerts=ALERTS)
    scores = query(directory / "store.duckdb", SCORES)
    alerts = query(directory / "store.duckdb", ALERT_ROWS)
    assert scores and alerts, "the baseline must have windows and alerts to compare"
    return distinct, scores, alerts


@pytest.mark.parametrize("fraction", [0.1, 0.3])
def test_duplicated_deliveries_change_no_score_feature_or_alert(tmp_path, model_manifest, without_duplicates, fraction):
    distinct, scores, alerts = without_duplicates
    lines, distinct_here = write_events(tmp_path / "events.jsonl", fraction)
    assert distinct_here == distinct
    duplicated = (lines - distinct) / distinct
    assert fraction * 0.8 < duplicated < fraction * 1.2, duplicated  # the replay really carries that many

    run_batch(tmp_path / "events.jsonl", tmp_path / "store.duckdb", model_manifest, alerts=ALERTS)

    # The originals keep their order, so every merge happens in the same order as without duplicates: the
    # outputs must be bit-identical (a double-counted event would change counts, sums and shares).
    assert query(tmp_path / "store.duckdb", SCORES) == scores
    assert query(tmp_path / "store.duckdb", ALERT_ROWS) == alerts
    assert query(tmp_path / "store.duckdb", "select count(*) from dead_letter") == [(0,)]
