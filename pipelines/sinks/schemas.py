"""The output tables, defined once in BigQuery terms and derived for every store that needs them.

BigQuery (`WriteToBigQuery` and Terraform's JSON schemas) and DuckDB (`CREATE TABLE`) are both generated
from `TABLES`, so the two stores always have the same tables and columns.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # BigQuery standard SQL type: STRING, INT64, FLOAT64, BOOL, TIMESTAMP, RECORD
    mode: str = "NULLABLE"  # NULLABLE | REQUIRED | REPEATED
    description: str = ""
    fields: tuple[Column, ...] = ()  # for RECORD


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    partition_field: str  # DAY partitioning on this TIMESTAMP column
    clustering: tuple[str, ...] = ("account_id",)
    description: str = ""


# NULLABLE: BigQuery adds only nullable columns to an existing table (rows written before it have none).
MODEL_THRESHOLD = Column(
    "alert_threshold",
    "FLOAT64",
    "NULLABLE",
    "score from which the window alerts: its model_version's manifest threshold, or the run's --alert-threshold",
)

ACCOUNT_SCORES = Table(
    name="account_scores",
    description="One row per account and sliding window: the classifier's extraction-risk score.",
    partition_field="window_end",
    columns=(
        Column("account_id", "STRING", "REQUIRED"),
        Column("window_start", "TIMESTAMP", "REQUIRED"),
        Column("window_end", "TIMESTAMP", "REQUIRED"),
        Column("score", "FLOAT64", "REQUIRED", "calibrated probability that the window is extraction traffic"),
        Column("model_version", "STRING", "REQUIRED"),
        Column("request_count", "INT64", "REQUIRED"),
        Column("features", "STRING", "REQUIRED", "JSON object of the feature values the model saw"),
        Column("scored_at", "TIMESTAMP", "REQUIRED", "processing time of scoring"),
        MODEL_THRESHOLD,
    ),
)

REASON = (
    Column("feature", "STRING", "REQUIRED"),
    Column("value", "FLOAT64", "REQUIRED"),
    Column("contribution", "FLOAT64", "REQUIRED", "score drop when the feature is set to its benign median"),
)

# Alerts and campaign alerts both carry what the analyst loop adds. NULLABLE: BigQuery can add only nullable
# columns to an existing table.
ANALYST_COLUMNS = (
    Column("suppressed_by", "STRING", "NULLABLE", "scope:value of the suppression that matched; set = not routed"),
    Column("recommended_action", "STRING", "NULLABLE", "graduated response (pipelines/response.py)"),
)

ALERTS = Table(
    name="alerts",
    description="At most one alert per account per cooldown, with the reasons that drove the score.",
    partition_field="window_end",
    columns=(
        Column("alert_id", "STRING", "REQUIRED", "deterministic: account, window end, model version"),
        Column("account_id", "STRING", "REQUIRED"),
        Column("window_start", "TIMESTAMP", "REQUIRED"),
        Column("window_end", "TIMESTAMP", "REQUIRED"),
        Column("score", "FLOAT64", "REQUIRED"),
        Column("severity", "STRING", "REQUIRED", "medium | high | critical"),
        Column("model_version", "STRING", "REQUIRED"),
        Column("request_count", "INT64", "REQUIRED"),
        Column("reasons", "RECORD", "REPEATED", "top features by contribution", REASON),
        Column("created_at", "TIMESTAMP", "REQUIRED"),
        *ANALYST_COLUMNS,
        # NULLABLE: BigQuery adds only nullable columns to an existing table (alerts written before it have none).
        Column("component", "STRING", "NULLABLE", "which detector fired: supervised | novelty | horizon"),
        MODEL_THRESHOLD,
    ),
)

DEAD_LETTER = Table(
    name="dead_letter",
    description="Every record the pipeline could not use, with why; nothing is dropped silently.",
    partition_field="received_at",
    columns=(
        Column("received_at", "TIMESTAMP", "REQUIRED"),
        Column("stage", "STRING", "REQUIRED", "parse | late | sink"),
        Column("source", "STRING", "REQUIRED", "file path or subscription (+ message id)"),
        Column("error", "STRING", "REQUIRED"),
        Column("payload", "STRING", "REQUIRED", "raw record, truncated, prompt text redacted"),
        Column("payload_bytes", "INT64", "REQUIRED", "size of the original record"),
        Column("account_id", "STRING", "NULLABLE", "when it could be read"),
        Column("event_id", "STRING", "NULLABLE", "when it could be read"),
    ),
)

EVIDENCE = (
    Column("kind", "STRING", "REQUIRED", "ip_prefix | payment | user_agent | template | timing | created | rotation"),
    Column(
        "value",
        "STRING",
        "REQUIRED",
        "the shared value; template and timing values are LSH band hashes, rotation's is always 'rotating'",
    ),
    Column("accounts", "STRING", "REPEATED", "the members sharing it"),
)

CAMPAIGNS = Table(
    name="campaigns",
    description="Accounts linked into one coordinated campaign within a window, with the evidence that links them.",
    partition_field="window_end",
    clustering=("campaign_id",),
    columns=(
        Column("campaign_id", "STRING", "REQUIRED", "deterministic: detector version, window end, members"),
        Column("window_start", "TIMESTAMP", "REQUIRED"),
        Column("window_end", "TIMESTAMP", "REQUIRED"),
        Column("members", "STRING", "REPEATED", "account ids, sorted"),
        Column("member_count", "INT64", "REQUIRED"),
        Column("evidence", "RECORD", "REPEATED", "values shared by two or more members, strongest first", EVIDENCE),
        Column("score", "FLOAT64", "REQUIRED", "coordination x extraction profile of the members' combined traffic"),
        Column("severity", "STRING", "REQUIRED", "medium | high | critical"),
        Column("detector_version", "STRING", "REQUIRED"),
        Column("features", "STRING", "REQUIRED", "JSON object of the cluster features behind the score"),
        Column("created_at", "TIMESTAMP", "REQUIRED"),
        *ANALYST_COLUMNS,
    ),
)

FEEDBACK = Table(
    name="feedback",
    description="Analyst verdicts on alerts, accounts or campaigns; appended, never updated (the latest one counts).",
    partition_field="created_at",
    columns=(
        Column("feedback_id", "STRING", "REQUIRED"),
        Column("alert_id", "STRING", "NULLABLE", "the alert judged, when the verdict is about one alert"),
        Column("account_id", "STRING", "NULLABLE", "the alert's account, or the account judged"),
        Column("campaign_id", "STRING", "NULLABLE", "the campaign judged"),
        Column("verdict", "STRING", "REQUIRED", "true_positive | false_positive | benign_known_use | needs_review"),
        Column("note", "STRING", "NULLABLE"),
        Column("analyst", "STRING", "REQUIRED"),
        Column("created_at", "TIMESTAMP", "REQUIRED"),
    ),
)

SUPPRESSIONS = Table(
    name="suppressions",
    description="Scoped alert suppressions; never deleted, each one stops applying at expires_at (event time).",
    partition_field="created_at",
    clustering=("scope", "value"),
    columns=(
        Column("suppression_id", "STRING", "REQUIRED"),
        Column("scope", "STRING", "REQUIRED", "account | api_key | campaign | payment_fingerprint"),
        Column("value", "STRING", "REQUIRED", "the account id, api key id, campaign id or payment fingerprint"),
        Column("reason", "STRING", "REQUIRED"),
        Column("created_by", "STRING", "REQUIRED"),
        Column("created_at", "TIMESTAMP", "REQUIRED"),
        Column("expires_at", "TIMESTAMP", "REQUIRED", "applies to alert windows ending before this instant"),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (ACCOUNT_SCORES, ALERTS, DEAD_LETTER, CAMPAIGNS, FEEDBACK, SUPPRESSIONS)}


def _bq_field(column: Column) -> dict[str, Any]:
    field: dict[str, Any] = {"name": column.name, "type": column.type, "mode": column.mode}
    if column.description:
        field["description"] = column.description
    if column.fields:
        field["fields"] = [_bq_field(c) for c in column.fields]
    return field


def bigquery_schema(table: Table) -> dict[str, Any]:
    """`{"fields": [...]}` as WriteToBigQuery and the BigQuery REST API take it."""
    return {"fields": [_bq_field(c) for c in table.columns]}


def bigquery_table_parameters(table: Table) -> dict[str, Any]:
    """Day partitioning and clustering, passed to WriteToBigQuery's `additional_bq_parameters`."""
    return {
        "timePartitioning": {"type": "DAY", "field": table.partition_field},
        "clustering": {"fields": list(table.clustering)},
    }


_DUCKDB_TYPES = {
    "STRING": "VARCHAR",
    "INT64": "BIGINT",
    "FLOAT64": "DOUBLE",
    "BOOL": "BOOLEAN",
    "TIMESTAMP": "TIMESTAMPTZ",
}


def _duckdb_type(column: Column) -> str:
    if column.type == "RECORD":
        base = "STRUCT(" + ", ".join(f"{c.name} {_duckdb_type(c)}" for c in column.fields) + ")"
    else:
        base = _DUCKDB_TYPES[column.type]
    return base + "[]" if column.mode == "REPEATED" else base


def duckdb_ddl(table: Table) -> str:
    columns = ",\n  ".join(
        f"{c.name} {_duckdb_type(c)}" + (" NOT NULL" if c.mode == "REQUIRED" else "") for c in table.columns
    )
    return f"CREATE TABLE IF NOT EXISTS {table.name} (\n  {columns}\n)"


def duckdb_added_columns(table: Table, existing: set[str]) -> list[str]:
    """ALTER statements giving a store made by an older release the nullable columns added since, as
    `terraform apply` does in BigQuery; the rows already there read NULL in them."""
    return [
        f"ALTER TABLE {table.name} ADD COLUMN {c.name} {_duckdb_type(c)}"
        for c in table.columns
        if c.name not in existing and c.mode == "NULLABLE"
    ]


TERRAFORM_DIR = Path(__file__).resolve().parents[2] / "infra" / "terraform"


def terraform_schema_json(table: Table) -> str:
    """The JSON array of fields that Terraform's `google_bigquery_table.schema` takes."""
    return json.dumps(bigquery_schema(table)["fields"], indent=2) + "\n"


def terraform_tables_json() -> str:
    """Per table: description, DAY-partitioning column and clustering, for Terraform's `for_each` over tables."""
    tables = {
        t.name: {"description": t.description, "partition_field": t.partition_field, "clustering": list(t.clustering)}
        for t in TABLES.values()
    }
    return json.dumps(tables, indent=2) + "\n"


def write_terraform_files(directory: Path = TERRAFORM_DIR) -> list[Path]:
    """Writes `tables.json` and `schemas/<table>.json`, which Terraform reads; a test checks they are current."""
    (directory / "schemas").mkdir(parents=True, exist_ok=True)
    contents = {directory / "tables.json": terraform_tables_json()}
    contents |= {directory / "schemas" / f"{t.name}.json": terraform_schema_json(t) for t in TABLES.values()}
    for path, text in contents.items():
        path.write_text(text)
    return list(contents)


if __name__ == "__main__":
    # python -m pipelines.sinks.schemas [DIR]: regenerate Terraform's table files after changing TABLES.
    for written_path in write_terraform_files(Path(sys.argv[1]) if len(sys.argv) > 1 else TERRAFORM_DIR):
        print(written_path)
