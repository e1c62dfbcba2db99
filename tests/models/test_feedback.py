"""Feedback into training: a false positive an analyst labels stops alerting after retraining with
`--feedback`, and recall on held-out seeds is measured (printed, not asserted beyond the labelled case)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import duckdb
import numpy as np
import orjson
import pytest

from devtools.bigquery_emulator import create_dataset_and_tables
from models.dataset import SimulationSpec, WindowDataset, request_counts, simulate
from models.feedback import FEEDBACK_COPIES, feedback_dataset, labelled_windows_bigquery, labelled_windows_duckdb
from models.train import train
from pipelines.artifact import load_verified_model
from pipelines.config import AlertPolicyConfig, WindowConfig
from pipelines.features.spec import FEATURE_NAMES
from pipelines.sinks.duckdb_sink import open_store
from tests.conftest import BIGQUERY_PROJECT

POLICY = AlertPolicyConfig()


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()


def _store_with_verdict(path: str, account: str, window_end: float, vector: np.ndarray, verdict: str) -> None:
    features = orjson.dumps(dict(zip(FEATURE_NAMES, map(float, vector), strict=True))).decode()
    with open_store(path) as connection:
        connection.execute(
            "INSERT INTO account_scores (account_id, window_start, window_end, score, model_version, request_count,"
            " features, scored_at) VALUES (?, ?, ?, 0.9, 'm1', 50, ?, now())",
            [account, _iso(window_end - 3600), _iso(window_end), features],
        )
        connection.execute(
            "INSERT INTO alerts (alert_id, account_id, window_start, window_end, score, severity, model_version,"
            " request_count, reasons, created_at, component) VALUES ('al-1', ?, ?, ?, 0.9, 'high', 'm1', 50, [], now(),"
            " 'supervised')",
            [account, _iso(window_end - 3600), _iso(window_end)],
        )
        connection.execute(
            "INSERT INTO feedback VALUES ('f1', 'al-1', ?, NULL, ?, 'lab benchmark', 'alice', now())",
            [account, verdict],
        )


def _alerting(model, windows: WindowDataset) -> np.ndarray:
    scores = model.estimator.predict_proba(windows.features)[:, 1]
    return (scores >= POLICY.alert_threshold) & (request_counts(windows.features) >= POLICY.min_requests)


def _account_recall(model, windows: WindowDataset, exclude: str) -> float:
    alerting = _alerting(model, windows)
    extraction = {a for a, t in windows.truth.items() if t.label == "extraction" and a != exclude}
    caught = {a for a, hit in zip(windows.account_ids.tolist(), alerting.tolist(), strict=True) if hit}
    return len(caught & extraction) / len(extraction)


def test_latest_verdict_labels_the_alert_window(tmp_path):
    path = str(tmp_path / "store.duckdb")
    _store_with_verdict(path, "acct-1", 7200.0, np.zeros(len(FEATURE_NAMES)), "needs_review")
    assert feedback_dataset(labelled_windows_duckdb(path)) is None  # needs_review is not a label
    with open_store(path) as connection:
        connection.execute(
            "INSERT INTO feedback VALUES ('f2', 'al-1', 'acct-1', NULL, 'false_positive', NULL, 'bob', now())"
        )
    labelled = feedback_dataset(labelled_windows_duckdb(path))
    assert labelled is not None
    assert labelled.labels.tolist() == [0] * FEEDBACK_COPIES
    assert set(labelled.account_ids.tolist()) == {"feedback/acct-1"}


def test_a_labelled_false_positive_stops_alerting_after_retraining(
    tiny_config, tiny_manifest, unseen_windows, tmp_path
):
    before = load_verified_model(tiny_manifest)
    benign = np.array([unseen_windows.truth[a].label == "benign" for a in unseen_windows.account_ids.tolist()])
    false_alarms = np.flatnonzero(_alerting(before, unseen_windows) & benign)
    assert false_alarms.size, "the tiny model raises no false positive on the unseen seed to label"
    scores = before.estimator.predict_proba(unseen_windows.features[false_alarms])[:, 1]
    worst = false_alarms[int(np.argmax(scores))]
    account = str(unseen_windows.account_ids[worst])
    store = str(tmp_path / "store.duckdb")
    _store_with_verdict(store, account, float(unseen_windows.window_ends[worst]), unseen_windows.features[worst],
                        "false_positive")  # fmt: skip

    after = load_verified_model(train(dataclasses.replace(tiny_config, feedback=store), tmp_path / "retrained"))
    window = unseen_windows.features[worst : worst + 1]
    before_score, after_score = (
        before.estimator.predict_proba(window)[0, 1],
        after.estimator.predict_proba(window)[0, 1],
    )
    assert after_score < POLICY.alert_threshold <= before_score

    held_out = simulate(SimulationSpec(seed=3, accounts=120, hours=1.5), WindowConfig())
    for name, windows in (("seed 2 (the labelled window's)", unseen_windows), ("seed 3", held_out)):
        print(
            f"\nfeedback retrain, {name}: account recall {_account_recall(before, windows, account):.3f} -> "
            f"{_account_recall(after, windows, account):.3f}; benign windows alerting "
            f"{int((_alerting(before, windows) & ~windows.labels.astype(bool)).sum())} -> "
            f"{int((_alerting(after, windows) & ~windows.labels.astype(bool)).sum())}"
        )
    print(f"labelled window {account}: score {before_score:.3f} -> {after_score:.3f}")


@pytest.mark.integration
def test_bigquery_gives_the_same_labelled_windows(bigquery_emulator, tmp_path):
    path = str(tmp_path / "store.duckdb")
    vector = np.arange(len(FEATURE_NAMES), dtype=float)
    _store_with_verdict(path, "acct-1", 7200.0, vector, "false_positive")
    client = bigquery_emulator.client()
    dataset = f"feedback_{uuid.uuid4().hex[:8]}"
    create_dataset_and_tables(client, dataset)
    with duckdb.connect(path, read_only=True) as connection:
        for table in ("account_scores", "alerts", "feedback"):
            cursor = connection.execute(f"SELECT * FROM {table}")
            names = [c[0] for c in cursor.description]
            rows = [
                {n: (v.isoformat() if isinstance(v, dt.datetime) else v) for n, v in zip(names, row, strict=True)}
                for row in cursor.fetchall()
            ]
            assert client.insert_rows_json(f"{BIGQUERY_PROJECT}.{dataset}.{table}", rows) == []
    from_bigquery = labelled_windows_bigquery(client, f"{BIGQUERY_PROJECT}.{dataset}")
    assert from_bigquery == labelled_windows_duckdb(path)
    assert from_bigquery[0]["verdict"] == "false_positive" and from_bigquery[0]["window_end"] == 7200.0
