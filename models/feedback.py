"""Analyst verdicts as training windows: `distillwatch train --feedback STORE`.

The latest verdict on each alert or account counts: false_positive and benign_known_use make benign hard
negatives, true_positive makes positives, needs_review makes nothing. An alert verdict labels the alert's window;
an account verdict (no alert id) labels every scored window of the account. The features are the ones serving
computed (`account_scores.features`), so training sees exactly what the model saw.

One analyst-labelled window stands for a behaviour the simulator does not produce, among thousands of simulated
windows; it is repeated FEEDBACK_COPIES times so that the booster's leaves (>= 100 windows each) can isolate it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson

from models.dataset import GroundTruth, WindowDataset
from pipelines.features.extract import feature_vector

LABEL_OF_VERDICT = {"true_positive": 1, "false_positive": 0, "benign_known_use": 0}
FEEDBACK_COPIES = 200
GROUP_PREFIX = "feedback/"  # keeps an account's labelled windows in one calibration fold, apart from simulated ones

# The latest verdict per alert (on its window) or per account (on all its windows), joined to the scored windows.
# BigQuery SQL naming tables {dataset}.<table>; the DuckDB store runs it transpiled by sqlglot.
LABELLED_WINDOWS_SQL = """
WITH latest AS (
  SELECT alert_id, account_id, verdict
  FROM {dataset}.feedback
  WHERE alert_id IS NOT NULL OR account_id IS NOT NULL
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY COALESCE(alert_id, CONCAT('account:', account_id)) ORDER BY created_at DESC, feedback_id
  ) = 1
),
windows AS (
  SELECT a.account_id, a.window_end, l.verdict
  FROM latest AS l
  INNER JOIN (SELECT DISTINCT alert_id, account_id, window_end FROM {dataset}.alerts) AS a ON a.alert_id = l.alert_id
  UNION ALL
  SELECT s.account_id, s.window_end, l.verdict
  FROM latest AS l
  INNER JOIN (SELECT DISTINCT account_id, window_end FROM {dataset}.account_scores) AS s
    ON l.alert_id IS NULL AND s.account_id = l.account_id
)
SELECT w.account_id, UNIX_MICROS(w.window_end) / 1e6 AS window_end, w.verdict, MIN(s.features) AS features
FROM windows AS w
INNER JOIN {dataset}.account_scores AS s ON s.account_id = w.account_id AND s.window_end = w.window_end
GROUP BY w.account_id, w.window_end, w.verdict
ORDER BY 1, 2, 3
"""


def labelled_windows_duckdb(path: str) -> list[dict[str, Any]]:
    """(account_id, window_end, verdict, features JSON) of every labelled window in a DuckDB store."""
    import duckdb
    import sqlglot

    (sql,) = sqlglot.transpile(LABELLED_WINDOWS_SQL.replace("{dataset}.", ""), read="bigquery", write="duckdb")
    with duckdb.connect(path, read_only=True) as connection:
        cursor = connection.execute(sql)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def labelled_windows_bigquery(client: Any, dataset: str) -> list[dict[str, Any]]:
    """The same rows from BigQuery; `dataset` is PROJECT.DATASET."""
    rows = client.query(LABELLED_WINDOWS_SQL.replace("{dataset}", f"`{dataset}`")).result()
    return [dict(row.items()) for row in rows]


def feedback_dataset(rows: list[dict[str, Any]], copies: int = FEEDBACK_COPIES) -> WindowDataset | None:
    """Labelled rows as a WindowDataset (each window `copies` times); None when no row carries a label."""
    labelled = [row for row in rows if row["verdict"] in LABEL_OF_VERDICT]
    if not labelled:
        return None
    features = np.vstack([feature_vector(orjson.loads(row["features"])) for row in labelled])
    labels = np.array([LABEL_OF_VERDICT[row["verdict"]] for row in labelled], dtype=np.int8)
    accounts = np.array([GROUP_PREFIX + row["account_id"] for row in labelled])
    truth = {
        account: GroundTruth(account, "extraction" if label else "benign", "analyst_feedback", "", None, None)
        for account, label in zip(accounts.tolist(), labels.tolist(), strict=True)
    }
    return WindowDataset(
        features=np.repeat(features, copies, axis=0),
        labels=np.repeat(labels, copies),
        account_ids=np.repeat(accounts, copies),
        window_ends=np.repeat(np.array([float(row["window_end"]) for row in labelled]), copies),
        truth=truth,
    )


def load_feedback(source: str) -> WindowDataset | None:
    """From a DuckDB store path or `bq:PROJECT:DATASET` (application default credentials)."""
    if source.startswith("bq:"):
        from google.cloud import bigquery

        _, project, dataset = source.split(":", 2)
        return feedback_dataset(labelled_windows_bigquery(bigquery.Client(project=project), f"{project}.{dataset}"))
    return feedback_dataset(labelled_windows_duckdb(source))
