"""`distillwatch query`: its arguments, running the chosen query on DuckDB or BigQuery, and the printed table."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from distillwatch.errors import UsageError, store_error
from distillwatch.queries.catalogue import list_queries, load_query
from distillwatch.queries.dialects import QueryResult, query_bigquery, query_duckdb


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


def _instant(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO 8601 time such as 2026-01-01T04:00Z, got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


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
    parser.add_argument(
        "--as-of",
        type=_instant,
        metavar="TIME",
        help='end of relative windows ("the last 24 h"), ISO 8601, UTC unless it says; '
        "default: the newest window_end in the store",
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
    """Runs `distillwatch query` and prints the result as a table; returns the exit status.

    Raises `UsageError` for an unknown query or parameter, a bad value, or a store it cannot open.
    """
    if args.list:
        print(_describe_queries())
        return 0
    if not args.name:
        raise UsageError(f"name a saved query:\n{_describe_queries()}")
    try:
        result = _run_cli_query(args, dict(args.param))
    except ValueError as error:  # unknown query, missing or malformed parameter
        raise UsageError(str(error)) from None
    if result.as_of is not None:
        # On stderr, so that stdout stays the table alone.
        print(f"{args.name}: {result.as_of.describe()}", file=sys.stderr)
    print(format_table(result.rows))
    return 0


def _run_cli_query(args: argparse.Namespace, params: dict[str, str]) -> QueryResult:
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
        return query_bigquery(client, f"{project}.{dataset}", args.name, params, args.as_of)
    if args.db:
        if not Path(args.db).is_file():
            raise UsageError(f"no DuckDB store at {args.db}")
        import duckdb

        try:
            return query_duckdb(args.db, args.name, params, args.as_of)
        except (duckdb.IOException, duckdb.ConnectionException) as error:  # locked by a writer, not a database
            raise store_error(args.db, error) from None
    raise ValueError("say where to query: --db FILE or --bq PROJECT:DATASET")
