"""Running the saved queries: BigQuery as written, DuckDB (the local store) through sqlglot, and the views.

BigQuery runs a file with `{dataset}` replaced and the `@NAME`s bound as query parameters. DuckDB runs it
transpiled by sqlglot, or `NAME.duckdb.sql` beside it where a file does not transpile. A relative query is run
as of an instant: the one asked for, else the newest `window_end` in the store, else (an empty store) now.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from distillwatch.queries.catalogue import AS_OF, CLOCK, DATASET_PLACEHOLDER, SavedQuery, list_queries, load_query

_DATASET_REFERENCE = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_]+)?$")
# Every output table has a window_end; the newest one is how far the store's data reaches.
_TABLES_WITH_WINDOWS = ("account_scores", "alerts", "campaigns")


@dataclass(frozen=True)
class AsOf:
    """The instant a relative query was run as of, and why that one."""

    instant: dt.datetime
    source: str

    def describe(self) -> str:
        return f"as of {self.instant.astimezone(dt.UTC).isoformat()} ({self.source})"


@dataclass(frozen=True)
class QueryResult:
    rows: list[dict[str, Any]]
    as_of: AsOf | None  # None: the query has no relative window


def _as_of(requested: dt.datetime | None, newest: dt.datetime | None) -> AsOf:
    if requested is not None:
        return AsOf(requested, "--as-of")
    if newest is not None:
        return AsOf(newest, "the newest window_end in the store; --as-of to change")
    return AsOf(dt.datetime.now(dt.UTC), "now: the store has no windows")


def _newest_window_sql(dataset: str) -> str:
    return " UNION ALL ".join(f"SELECT MAX(window_end) AS newest FROM {dataset}.{t}" for t in _TABLES_WITH_WINDOWS)


def render_bigquery(query: SavedQuery, dataset: str) -> str:
    """The query for BigQuery; `dataset` is `DATASET` or `PROJECT.DATASET` (views need the project)."""
    if not _DATASET_REFERENCE.match(dataset):
        raise ValueError(f"not a [PROJECT.]DATASET reference: {dataset!r}")
    return query.sql.replace(DATASET_PLACEHOLDER, f"`{dataset}`")


def bigquery_parameters(query: SavedQuery, values: Mapping[str, Any]) -> list[Any]:
    """`values` (from `SavedQuery.bind`) as BigQuery ScalarQueryParameters."""
    from google.cloud import bigquery

    return [bigquery.ScalarQueryParameter(p.name, p.type, values[p.name]) for p in query.parameters]


def render_duckdb(query: SavedQuery, pin_clock: bool = False) -> str:
    """The query for the local DuckDB store: the hand-written dialect twin if present, else sqlglot's transpilation.

    `pin_clock` replaces now with the `$as_of` parameter (a twin of a relative query writes now as `CLOCK` too).
    """
    if query.duckdb_path.exists():
        twin = query.duckdb_path.read_text()
        return twin.replace(CLOCK, "$" + AS_OF) if pin_clock else twin
    import sqlglot

    # The DuckDB store keeps the tables in its default schema; @name parameters become $name.
    sql = query.sql.replace(DATASET_PLACEHOLDER + ".", "")
    (statement,) = sqlglot.transpile(
        query.pinned_sql(sql) if pin_clock else sql, read="bigquery", write="duckdb", pretty=True
    )
    return statement


def _duckdb_connection(db_path: str) -> Any:
    import duckdb

    connection = duckdb.connect(db_path, read_only=True)
    # BigQuery's DATE(timestamp) is the UTC date; DuckDB casts TIMESTAMPTZ in the session time zone.
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def _rows(cursor: Any) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def query_duckdb(
    db_path: str, name: str, params: Mapping[str, Any] | None = None, as_of: dt.datetime | None = None
) -> QueryResult:
    """Runs saved query `name` on the DuckDB store at `db_path` (read-only)."""
    query = load_query(name)
    values = query.bind(params)
    with _duckdb_connection(db_path) as connection:
        pinned = None
        if query.is_relative:
            newest = connection.execute(f"SELECT MAX(newest) FROM ({_newest_window_sql('main')})").fetchone()[0]
            pinned = _as_of(as_of, newest)
            values[AS_OF] = pinned.instant
        cursor = connection.execute(render_duckdb(query, pin_clock=query.is_relative), values)
        return QueryResult(_rows(cursor), pinned)


def run_query_duckdb(
    db_path: str, name: str, params: Mapping[str, Any] | None = None, as_of: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """The rows of `query_duckdb`, as dicts."""
    return query_duckdb(db_path, name, params, as_of).rows


def query_bigquery(
    client: Any, dataset: str, name: str, params: Mapping[str, Any] | None = None, as_of: dt.datetime | None = None
) -> QueryResult:
    """Runs saved query `name` with a google-cloud-bigquery `client`; `dataset` is `[PROJECT.]DATASET`."""
    from google.cloud import bigquery

    query = load_query(name)
    parameters = bigquery_parameters(query, query.bind(params))
    sql = render_bigquery(query, dataset)
    pinned = None
    if query.is_relative:
        newest_sql = f"SELECT MAX(newest) AS newest FROM ({_newest_window_sql(f'`{dataset}`')})"
        (newest,) = client.query(newest_sql).result()
        pinned = _as_of(as_of, newest["newest"])
        parameters.append(bigquery.ScalarQueryParameter(AS_OF, "TIMESTAMP", pinned.instant))
        sql = query.pinned_sql(sql)
    result = client.query(sql, job_config=bigquery.QueryJobConfig(query_parameters=parameters)).result()
    return QueryResult([dict(row.items()) for row in result], pinned)


def run_query_bigquery(
    client: Any, dataset: str, name: str, params: Mapping[str, Any] | None = None, as_of: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """The rows of `query_bigquery`, as dicts."""
    return query_bigquery(client, dataset, name, params, as_of).rows


def create_views_duckdb(connection: Any) -> list[str]:
    """Creates (or replaces) every view of distillwatch/sql/views/ in a DuckDB store, as Terraform does in BigQuery."""
    created = []
    for name in list_queries():
        view = load_query(name)
        if view.is_view:
            connection.execute(f"CREATE OR REPLACE VIEW {name} AS {render_duckdb(view)}")
            created.append(name)
    return created


def create_views_bigquery(client: Any, dataset: str) -> list[str]:
    """Creates every view in `dataset` of the client's project (Terraform does this in production)."""
    from google.cloud import bigquery

    created = []
    for name in list_queries():
        view = load_query(name)
        if view.is_view:
            table = bigquery.Table(f"{client.project}.{dataset}.{name}")
            table.view_query = render_bigquery(view, f"{client.project}.{dataset}")
            table.description = view.description
            client.create_table(table, exists_ok=True)
            created.append(name)
    return created
