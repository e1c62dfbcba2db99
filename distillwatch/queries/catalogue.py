"""The saved queries and views in distillwatch/sql/: their files, descriptions and typed parameters.

Each file names its tables `{dataset}.<table>` and declares its parameters in its header comment:

    -- @param NAME TYPE [= DEFAULT]: what it means

A query whose windows are relative ("the last 24 hours") says so with `CURRENT_TIMESTAMP()`; when it is run as a
query, that instant is pinned to an `@as_of` timestamp (see `SavedQuery.pinned_sql`), so an old store or a replay
of dated traffic is read relative to its own newest data rather than to the wall clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Package data (setup.py), so the files ship with an installed package.
SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
VIEWS_DIR = SQL_DIR / "views"
DATASET_PLACEHOLDER = "{dataset}"
DUCKDB_SUFFIX = ".duckdb.sql"
CLOCK = "CURRENT_TIMESTAMP()"
AS_OF = "as_of"  # the parameter the clock is pinned to; no file may declare it

_PARAM_LINE = re.compile(
    r"^--\s*@param\s+(?P<name>\w+)\s+(?P<type>\w+)(?:\s*=\s*(?P<default>[^:\s]+))?\s*(?::\s*(?P<doc>.*))?$"
)
_PARAM_USE = re.compile(r"@(\w+)")
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
        try:
            return _PARAMETER_TYPES[self.type](value)
        except ValueError:
            raise ValueError(f"parameter {self.name} is {self.type}, not {value!r}") from None


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

    @property
    def is_relative(self) -> bool:
        """Whether the query reads windows relative to now (and so takes an as-of instant when run)."""
        return CLOCK in _code(self.sql)

    def pinned_sql(self, sql: str) -> str:
        """`sql` (this query, rendered) with now replaced by the `@as_of` parameter."""
        return sql.replace(CLOCK, "@" + AS_OF)

    def bind(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Typed values for every parameter: given ones parsed, the others from their defaults."""
        given = dict(given or {})
        unknown = set(given) - {p.name for p in self.parameters}
        if unknown:
            known = ", ".join(p.name for p in self.parameters) or "none"
            raise ValueError(f"{self.name} has no parameter {', '.join(sorted(unknown))} (its parameters: {known})")
        values = {}
        for parameter in self.parameters:
            if parameter.name in given:
                values[parameter.name] = parameter.parse(given[parameter.name])
            elif parameter.default is not None:
                values[parameter.name] = parameter.parse(parameter.default)
            else:
                raise ValueError(f"{self.name} needs --param {parameter.name}=<{parameter.type}>")
        return values


def _code(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


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
            if match["name"] == AS_OF:
                raise ValueError(f"{path}: @{AS_OF} is reserved for the instant {CLOCK} is pinned to")
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
    return set(_PARAM_USE.findall(_code(sql)))
