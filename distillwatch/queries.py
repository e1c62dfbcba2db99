"""Saved analyst queries and views over the output tables, written once in BigQuery SQL (distillwatch/sql/).

Each file names its tables `{dataset}.<table>` and declares its parameters in its header comment:

    -- @param NAME TYPE [= DEFAULT]: what it means

BigQuery runs the file with `{dataset}` replaced and the `@NAME`s bound as query parameters. DuckDB (the local
store) runs it transpiled by sqlglot, or `NAME.duckdb.sql` beside it where a file does not transpile. The views in
distillwatch/sql/views/ are plain SELECTs: Terraform creates them in BigQuery, and they can be run as queries too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SQL_DIR = Path(__file__).resolve().parent / "sql"
VIEWS_DIR = SQL_DIR / "views"
DATASET_PLACEHOLDER = "{dataset}"
DUCKDB_SUFFIX = ".duckdb.sql"

_PARAM_LINE = re.compile(
    r"^--\s*@param\s+(?P<name>\w+)\s+(?P<type>\w+)(?:\s*=\s*(?P<default>[^:\s]+))?\s*(?::\s*(?P<doc>.*))?$"
)
_PARAM_USE = re.compile(r"@(\w+)")
_DATASET_REFERENCE = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_]+)?$")
_PARAMETER_TYPES = {"STRING": str, "INT64": int, "FLOAT64": float, "BOOL": bool}


@dataclass(frozen=True)
class QueryParameter:
    name: str
    type: str  # BigQuery type: STRING | INT64 | FLOAT64 | BOOL
    default: str | None
    description: str

    def parse(self, value: Any) -> Any:
        """A CLI string (or an already typed value) as this parameter's Python value."""
        if not isinstance(value, str):
            return value
        if self.type == "BOOL":
            if value.lower() not in ("true", "false"):
                raise ValueError(f"parameter {self.name} is BOOL: true or false, not {value!r}")
            return value.lower() == "true"
        return _PARAMETER_TYPES[self.type](value)


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    sql: str  # BigQuery SQL with the {dataset} placeholder
    description: str
    parameters: tuple[QueryParameter, ...]
    is_view: bool

    @property
    def duckdb_path(self) -> Path:
        return self.path.with_name(self.name + DUCKDB_SUFFIX)

    def bind(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Typed values for every parameter: given ones parsed, the others from their defaults."""
        given = dict(given or {})
        unknown = set(given) - {p.name for p in self.parameters}
        if unknown:
            raise ValueError(f"{self.name} has no parameter {', '.join(sorted(unknown))}")
        values = {}
        for parameter in self.parameters:
            if parameter.name in given:
                values[parameter.name] = parameter.parse(given[parameter.name])
            elif parameter.default is not None:
                values[parameter.name] = parameter.parse(parameter.default)
            else:
                raise ValueError(f"{self.name} needs --param {parameter.name}=<{parameter.type}>")
        return values


def _query_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted(SQL_DIR.glob("*.sql")) + sorted(VIEWS_DIR.glob("*.sql")):
        if path.name.endswith(DUCKDB_SUFFIX):
            continue
        if path.stem in files:
            raise ValueError(f"two saved queries are named {path.stem}: {files[path.stem]} and {path}")
        files[path.stem] = path
    return files


def list_queries() -> list[str]:
    """Names of the saved queries and views, sorted."""
    return sorted(_query_files())


def _parse(name: str, path: Path) -> SavedQuery:
    sql = path.read_text()
    description, parameters = [], []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        match = _PARAM_LINE.match(line)
        if match:
            parameter_type = match["type"].upper()
            if parameter_type not in _PARAMETER_TYPES:
                raise ValueError(f"{path}: parameter {match['name']} has unsupported type {parameter_type}")
            parameters.append(QueryParameter(match["name"], parameter_type, match["default"], match["doc"] or ""))
        else:
            description.append(line.removeprefix("--").strip())
    return SavedQuery(name, path, sql, " ".join(description), tuple(parameters), is_view=path.parent == VIEWS_DIR)


def load_query(name: str) -> SavedQuery:
    files = _query_files()
    if name not in files:
        raise ValueError(f"no saved query {name!r}; known: {', '.join(sorted(files))}")
    return _parse(name, files[name])


def used_parameters(sql: str) -> set[str]:
    """The `@name`s a BigQuery SQL text uses outside its comments."""
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return set(_PARAM_USE.findall(code))


def render_bigquery(query: SavedQuery, dataset: str) -> str:
    """The query for BigQuery; `dataset` is `DATASET` or `PROJECT.DATASET` (views need the project)."""
    if not _DATASET_REFERENCE.match(dataset):
        raise ValueError(f"not a [PROJECT.]DATASET reference: {dataset!r}")
    return query.sql.replace(DATASET_PLACEHOLDER, f"`{dataset}`")


def bigquery_parameters(query: SavedQuery, values: Mapping[str, Any]) -> list[Any]:
    """`values` (from `SavedQuery.bind`) as BigQuery ScalarQueryParameters."""
    from google.cloud import bigquery

    return [bigquery.ScalarQueryParameter(p.name, p.type, values[p.name]) for p in query.parameters]


def render_duckdb(query: SavedQuery) -> str:
    """The query for the local DuckDB store: the hand-written dialect twin if present, else sqlglot's transpilation."""
    if query.duckdb_path.exists():
        return query.duckdb_path.read_text()
    import sqlglot

    # The DuckDB store keeps the tables in its default schema; @name parameters become $name.
    sql = query.sql.replace(DATASET_PLACEHOLDER + ".", "")
    (statement,) = sqlglot.transpile(sql, read="bigquery", write="duckdb", pretty=True)
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


def run_query_duckdb(db_path: str, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Runs saved query `name` on the DuckDB store at `db_path` (read-only); rows as dicts."""
    query = load_query(name)
    values = query.bind(params)
    with _duckdb_connection(db_path) as connection:
        return _rows(connection.execute(render_duckdb(query), values))


def run_query_bigquery(
    client: Any, dataset: str, name: str, params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Runs saved query `name` with a google-cloud-bigquery `client`; `dataset` is `[PROJECT.]DATASET`."""
    from google.cloud import bigquery

    query = load_query(name)
    job_config = bigquery.QueryJobConfig(query_parameters=bigquery_parameters(query, query.bind(params)))
    result = client.query(render_bigquery(query, dataset), job_config=job_config).result()
    return [dict(row.items()) for row in result]


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


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def format_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows as an aligned plain-text table with a header line."""
    if not rows:
        return "(no rows)"
    names = list(rows[0])
    cells = [[_cell(row[name]) for name in names] for row in rows]
    widths = [max(len(name), *(len(line[i]) for line in cells)) for i, name in enumerate(names)]
    lines = ["  ".join(name.ljust(width) for name, width in zip(names, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in cells]
    return "\n".join(line.rstrip() for line in lines)


def _parameter_assignment(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def add_query_arguments(parser: argparse.ArgumentParser) -> None:
    """`distillwatch query NAME [--db FILE | --bq PROJECT:DATASET [--bq-endpoint URL]] [--param k=v ...]`."""
    parser.add_argument("name", nargs="?", help="saved query or view in distillwatch/sql/ (omit with --list)")
    parser.add_argument("--list", action="store_true", help="list the saved queries, their parameters, and exit")
    store = parser.add_mutually_exclusive_group()
    store.add_argument("--db", help="DuckDB store written by `distillwatch detect --output FILE`")
    store.add_argument("--bq", metavar="PROJECT:DATASET", help="query BigQuery (application default credentials)")
    parser.add_argument(
        "--bq-endpoint", metavar="URL", help="with --bq: a BigQuery emulator's REST URL (anonymous credentials)"
    )
    parser.add_argument(
        "--param", action="append", type=_parameter_assignment, default=[], metavar="NAME=VALUE", help="repeatable"
    )


def _describe_queries() -> str:
    lines = []
    for name in list_queries():
        query = load_query(name)
        kind = "view " if query.is_view else "query"
        parameters = " ".join(f"{p.name}={p.default or '<' + p.type + '>'}" for p in query.parameters)
        lines.append(f"{kind} {name}  {parameters}".rstrip())
    return "\n".join(lines)


def run_query(args: argparse.Namespace) -> int:
    """Runs `distillwatch query` and prints the result as a table; returns the exit status."""
    if args.list:
        print(_describe_queries())
        return 0
    if not args.name:
        print(f"name a saved query:\n{_describe_queries()}", file=sys.stderr)
        return 2
    try:
        rows = _run_cli_query(args, dict(args.param))
    except ValueError as error:  # unknown query, missing or malformed parameter
        print(f"distillwatch query: {error}", file=sys.stderr)
        return 2
    print(format_table(rows))
    return 0


def _run_cli_query(args: argparse.Namespace, params: dict[str, str]) -> list[dict[str, Any]]:
    if args.bq:
        project, separator, dataset = args.bq.partition(":")
        if not separator or not project or not dataset:
            raise ValueError(f"--bq takes PROJECT:DATASET, not {args.bq!r}")
        if args.bq_endpoint:
            from devtools.bigquery_emulator import emulator_client

            client = emulator_client(project, args.bq_endpoint)
        else:
            from google.cloud import bigquery

            client = bigquery.Client(project=project)
        return run_query_bigquery(client, f"{project}.{dataset}", args.name, params)
    if args.db:
        if not Path(args.db).is_file():
            raise ValueError(f"no DuckDB store at {args.db}")
        return run_query_duckdb(args.db, args.name, params)
    raise ValueError("say where to query: --db FILE or --bq PROJECT:DATASET")
