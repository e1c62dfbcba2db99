"""The rows the saved-query tests run on: one extraction ring, an organic account and old history, dated relative
to now (so the queries' default lookbacks see them), and how to load them into either engine."""

from __future__ import annotations

import datetime as dt

import duckdb
import orjson
import pyarrow as pa

from devtools.bigquery_emulator import create_dataset_and_tables
from pipelines.sinks import schemas
from tests.conftest import BIGQUERY_PROJECT

PROJECT = BIGQUERY_PROJECT
NOW = dt.datetime.now(dt.UTC)
# Three consecutive 5-minute windows within one UTC hour (so within one UTC day), two to three hours ago.
BASE = (NOW - dt.timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
W1, W2, W3 = (BASE + dt.timedelta(minutes=5 * k) for k in (1, 2, 3))
OLD = BASE - dt.timedelta(days=10)

HARNESS = {  # one extraction harness: long prompts, saturated max_tokens, logprobs, greedy, one template
    "prompt_tokens_mean": 812.0,
    "completion_tokens_mean": 1650.0,
    "max_tokens_saturation_share": 0.93,
    "logprobs_share": 1.0,
    "top_logprobs_mean": 5.0,
    "temperature_mean": 0.0,
    "temperature_std": 0.0,
    "stream_share": 0.0,
    "template_top_share": 0.88,
    "distinct_user_agents": 1.0,
}
# The same harness from a second account: every feature within 5% (relative to max(|a|, |b|, 1)).
HARNESS_AGAIN = {**HARNESS, "prompt_tokens_mean": 820.0, "completion_tokens_mean": 1610.0, "template_top_share": 0.86}
ORGANIC = {
    "prompt_tokens_mean": 300.0,
    "completion_tokens_mean": 250.0,
    "max_tokens_saturation_share": 0.02,
    "logprobs_share": 0.0,
    "top_logprobs_mean": 0.0,
    "temperature_mean": 0.8,
    "temperature_std": 0.3,
    "stream_share": 0.9,
    "template_top_share": 0.05,
    "distinct_user_agents": 3.0,
}


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def _score(account, window_end, score, features, model_version="m1", scored_after_s=3, alert_threshold=None):
    return {
        "account_id": account,
        "window_start": _iso(window_end - dt.timedelta(hours=1)),
        "window_end": _iso(window_end),
        "score": score,
        "model_version": model_version,
        "request_count": 120,
        "features": orjson.dumps(features, option=orjson.OPT_SORT_KEYS).decode(),
        "scored_at": _iso(window_end + dt.timedelta(seconds=scored_after_s)),
        "alert_threshold": alert_threshold,  # None: a row written before the column existed
    }


def _alert(account, window_end, score, severity, reasons, model_version="m1"):
    return {
        "alert_id": f"{account}/{_iso(window_end)}/{model_version}",
        "account_id": account,
        "window_start": _iso(window_end - dt.timedelta(hours=1)),
        "window_end": _iso(window_end),
        "score": score,
        "severity": severity,
        "model_version": model_version,
        "request_count": 120,
        "reasons": [{"feature": f, "value": v, "contribution": c} for f, v, c in reasons],
        "created_at": _iso(window_end + dt.timedelta(seconds=4)),
        "component": "supervised",
    }


EXTRACTION_REASONS = [("logprobs_share", 1.0, 0.21), ("template_top_share", 0.88, 0.34)]
SCORES = [
    _score("extractor-1", W1, 0.91, HARNESS),
    _score("extractor-1", W2, 0.95, HARNESS),
    _score("extractor-1", W2, 0.97, HARNESS, scored_after_s=30),  # W2 re-fired by late data: 0.97 is current
    _score("extractor-1", W3, 0.99, HARNESS),
    _score("extractor-2", W1, 0.45, HARNESS_AGAIN),
    _score("extractor-2", W2, 0.48, HARNESS_AGAIN),
    _score("extractor-2", W3, 0.52, HARNESS_AGAIN),
    _score("organic-1", W1, 0.02, ORGANIC),
    _score("organic-1", W2, 0.03, ORGANIC),
    _score("organic-1", W3, 0.01, ORGANIC),
    _score("organic-1", W3, 0.05, ORGANIC, model_version="m2", scored_after_s=10, alert_threshold=0.04),  # shadow
    _score("dormant-1", OLD, 0.99, HARNESS),  # outside every short lookback
]
EXTRACTOR_1_W3_ALERT = _alert("extractor-1", W3, 0.99, "critical", EXTRACTION_REASONS)
ALERTS = [
    _alert("extractor-1", W2, 0.97, "critical", EXTRACTION_REASONS),
    EXTRACTOR_1_W3_ALERT,
    EXTRACTOR_1_W3_ALERT,  # delivered twice (streaming inserts are at-least-once)
    _alert("extractor-2", W3, 0.52, "medium", [("template_top_share", 0.86, 0.11)]),
    _alert("dormant-1", OLD, 0.99, "high", [("logprobs_share", 1.0, 0.4)]),
]


def _campaign(campaign_id, window_end, members, evidence, score=0.9, severity="high", detected_after_s=5):
    return {
        "campaign_id": campaign_id,
        "window_start": _iso(window_end - dt.timedelta(hours=1)),
        "window_end": _iso(window_end),
        "members": members,
        "member_count": len(members),
        "evidence": [{"kind": k, "value": v, "accounts": accounts} for k, v, accounts in evidence],
        "score": score,
        "severity": severity,
        "detector_version": "campaigns-1",
        "features": "{}",
        "created_at": _iso(window_end + dt.timedelta(seconds=detected_after_s)),
    }


RING = ["extractor-1", "extractor-2", "sleeper-1"]  # sleeper-1 never alerts on its own
RING_EVIDENCE = [
    ("payment", "pf_ring", RING),
    ("ip_prefix", "34.1.2", ["extractor-1", "sleeper-1"]),
    ("template", "3:9f2c", ["extractor-2", "sleeper-1"]),
]
CAMPAIGNS = [
    _campaign("ring-w2", W2, RING, RING_EVIDENCE, score=0.7, severity="medium"),
    # W2 detected again later with one more member (a replay after late data): the later detection is current
    _campaign(
        "ring-w2-again", W2, [*RING, "sleeper-2"], RING_EVIDENCE, score=0.75, severity="medium", detected_after_s=60
    ),
    _campaign("ring-w3", W3, RING, RING_EVIDENCE, score=0.96, severity="critical"),
    _campaign("ring-w3", W3, RING, RING_EVIDENCE, score=0.96, severity="critical"),  # re-delivered insert
    _campaign(
        "other-w3", W3, ["organic-2", "organic-3", "organic-4"], [("payment", "pf_org", ["organic-2", "organic-3"])]
    ),
    # Fixed campaign windows end where no per-account alert window does: alerts ending inside the window count.
    _campaign(
        "hour-ring",
        W3 + dt.timedelta(minutes=1),
        ["extractor-2", "sleeper-3", "sleeper-4"],
        [("payment", "pf_hour", ["extractor-2", "sleeper-3", "sleeper-4"])],
    ),
    _campaign(
        "ring-old",
        OLD,
        ["extractor-1", "dormant-1", "sleeper-1"],
        [("payment", "pf_old", ["extractor-1", "dormant-1"])],
    ),
]


def _feedback(feedback_id, verdict, at, alert_id=None, account_id=None, campaign_id=None, analyst="alice"):
    return {
        "feedback_id": feedback_id,
        "alert_id": alert_id,
        "account_id": account_id,
        "campaign_id": campaign_id,
        "verdict": verdict,
        "note": None,
        "analyst": analyst,
        "created_at": _iso(at),
    }


W2_ALERT_ID = ALERTS[0]["alert_id"]
DORMANT_ALERT_ID = ALERTS[4]["alert_id"]
# extractor-2's alert was written suppressed by an analyst's account suppression.
ALERTS[3]["suppressed_by"] = "account:extractor-2 (s1)"
FEEDBACK = [
    _feedback("f1", "needs_review", NOW - dt.timedelta(hours=2), alert_id=W2_ALERT_ID),
    _feedback("f2", "true_positive", NOW - dt.timedelta(hours=1), alert_id=W2_ALERT_ID, analyst="bob"),  # latest
    _feedback("f3", "benign_known_use", NOW - dt.timedelta(hours=2), account_id="dormant-1"),
    _feedback("f4", "false_positive", NOW - dt.timedelta(hours=1), alert_id=DORMANT_ALERT_ID),
    _feedback("f5", "true_positive", NOW - dt.timedelta(hours=1), campaign_id="ring-w3"),
]


def _plain(value):
    """Engine-neutral form of a result value: UTC ISO strings for times, floats rounded past noise."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 9)
    return value


def _plain_rows(rows):
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def _insert_duckdb(connection, table, rows):
    if not rows:
        return
    names = [c.name for c in schemas.TABLES[table].columns]
    batch = pa.Table.from_pylist([{n: row.get(n) for n in names} for row in rows])
    connection.register("batch", batch)
    connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM batch")
    connection.unregister("batch")


def write_duckdb_store(path, scores=SCORES, alerts=ALERTS, campaigns=CAMPAIGNS, feedback=FEEDBACK):
    with duckdb.connect(path) as connection:
        for table in schemas.TABLES.values():
            connection.execute(schemas.duckdb_ddl(table))
        _insert_duckdb(connection, "account_scores", scores)
        _insert_duckdb(connection, "alerts", alerts)
        _insert_duckdb(connection, "campaigns", campaigns)
        _insert_duckdb(connection, "feedback", feedback)
    return path


def load_bigquery_dataset(client, dataset, scores=SCORES, alerts=ALERTS, campaigns=CAMPAIGNS, feedback=FEEDBACK):
    create_dataset_and_tables(client, dataset)
    tables = (("account_scores", scores), ("alerts", alerts), ("campaigns", campaigns), ("feedback", feedback))
    for table, rows in tables:
        if rows:
            assert client.insert_rows_json(f"{PROJECT}.{dataset}.{table}", rows) == []
    return dataset


_TIME_FIELDS = ("window_start", "window_end", "scored_at", "created_at")


def shifted(rows, delta: dt.timedelta):
    """`rows` with every time moved by `delta`: the same history, lived at another date."""
    return [
        {k: _iso(dt.datetime.fromisoformat(v) + delta) if k in _TIME_FIELDS else v for k, v in row.items()}
        for row in rows
    ]
