"""Scoped suppressions: analysts silence a known entity until a date, without it ever leaving scoring.

The `suppressions` table (sinks/schemas.py) is read by the marking DoFn itself: once when it starts in batch, and
again every `refresh_s` of processing time in streaming, so a new or expired row applies without a restart. (Beam's
slowly-updating side input, a `PeriodicImpulse` re-reading the table into a re-triggered global window, was the
first design; the BundleBasedDirectRunner that runs local streaming cannot expand PeriodicImpulse's splittable
DoFn -- "Transform node ...GenSequence/ProcessKeyedElements/GroupByKey was not replaced as expected" -- so the
refresh lives where every runner can run it.)

A suppression matches an alert when its scope and value name one of the alert's entities and it has not expired
at the alert window's end (event time): a replay of last month's traffic is judged by what held last month.
Scopes: account, api_key (the window's keys, kept by the accumulator), payment_fingerprint (the window's
fingerprints; on a campaign row, a shared payment value), campaign (the campaign row's id).
A matched alert is still written, with `suppressed_by` set; only routing skips it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import apache_beam as beam

from pipelines.base import ScoredWindow

SCOPES = ("account", "api_key", "campaign", "payment_fingerprint")
PAYMENT_EVIDENCE_KIND = "payment"  # campaigns/config.py PAYMENT: the evidence kind whose values are fingerprints

Entity = tuple[str, str]  # (scope, value)


@dataclass(frozen=True)
class Suppression:
    suppression_id: str
    scope: str
    value: str
    expires_at: float  # POSIX seconds

    @property
    def label(self) -> str:
        """What `suppressed_by` records: scope:value (and which row, for the audit trail)."""
        return f"{self.scope}:{self.value} ({self.suppression_id})"


def _seconds(moment: Any) -> float:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:  # the stores hold UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def suppression_from_row(row: Mapping[str, Any]) -> Suppression:
    if row["scope"] not in SCOPES:
        raise ValueError(f"suppression {row['suppression_id']}: unknown scope {row['scope']!r}")
    return Suppression(row["suppression_id"], row["scope"], row["value"], _seconds(row["expires_at"]))


class SuppressionIndex:
    """The table's rows by (scope, value); a lookup answers with the longest-lived match still in force."""

    def __init__(self, suppressions: Iterable[Suppression]) -> None:
        self._by_entity: dict[Entity, list[Suppression]] = {}
        for suppression in suppressions:
            self._by_entity.setdefault((suppression.scope, suppression.value), []).append(suppression)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self._by_entity.values())

    def match(self, entities: Iterable[Entity], window_end: float) -> str | None:
        in_force = [s for entity in entities for s in self._by_entity.get(entity, ()) if s.expires_at > window_end]
        if not in_force:
            return None
        return max(in_force, key=lambda s: (s.expires_at, s.suppression_id)).label


def account_alert_entities(scored: ScoredWindow) -> list[Entity]:
    return [
        ("account", scored.account_id),
        *(("api_key", key) for key in scored.api_key_ids),
        *(("payment_fingerprint", fingerprint) for fingerprint in scored.payment_fingerprints),
    ]


def campaign_entities(row: Mapping[str, Any]) -> list[Entity]:
    payments = {e["value"] for e in row.get("evidence") or () if e["kind"] == PAYMENT_EVIDENCE_KIND}
    return [("campaign", row["campaign_id"]), *(("payment_fingerprint", p) for p in sorted(payments))]


_COLUMNS = "suppression_id, scope, value, expires_at"


@dataclass(frozen=True)
class SuppressionSource:
    """Where the suppressions table lives: a DuckDB store path or `bq:PROJECT:DATASET`. Picklable."""

    location: str

    def read(self) -> list[Suppression]:
        if self.location.startswith("bq:"):
            return self._read_bigquery()
        return self._read_duckdb()

    def _read_duckdb(self) -> list[Suppression]:
        from pipelines.sinks.duckdb_sink import open_store_waiting

        # Read-write open (the sink's way): a read-only open fails while this process holds the file for writing.
        with open_store_waiting(self.location) as connection:
            cursor = connection.execute(f"SELECT {_COLUMNS} FROM suppressions")
            names = [c[0] for c in cursor.description]
            return [suppression_from_row(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]

    def _read_bigquery(self) -> list[Suppression]:
        from google.cloud import bigquery

        _, project, dataset = self.location.split(":", 2)
        client = bigquery.Client(project=project)
        # tabledata.list, not a query: the worker may read its dataset but has no right to create query jobs.
        table = client.get_table(f"{project}.{dataset}.suppressions")
        fields = [f for f in table.schema if f.name in _COLUMNS.split(", ")]
        return [suppression_from_row(dict(row.items())) for row in client.list_rows(table, selected_fields=fields)]


class MarkSuppressed(beam.DoFn):
    """element -> (element, suppressed_by or None), matched against the suppressions table `read` returns.

    `entities_of` and `window_end_of` say what to match an element on. The table is read when the DoFn starts
    (batch: once), and in streaming again whenever the last reading is `refresh_s` old (processing time).
    """

    def __init__(
        self,
        entities_of: Callable[[Any], list[Entity]],
        window_end_of: Callable[[Any], float],
        read: Callable[[], list[Suppression]],
        refresh_s: float | None = None,
    ) -> None:
        self._entities_of = entities_of
        self._window_end_of = window_end_of
        self._read = read
        self._refresh_s = refresh_s
        self._index = SuppressionIndex(())
        self._read_at: float | None = None
        self.suppressed = beam.metrics.Metrics.counter("distillwatch", "alerts_suppressed_by_analyst")

    def _current_index(self) -> SuppressionIndex:
        now = time.monotonic()
        stale = self._read_at is None or (self._refresh_s is not None and now - self._read_at >= self._refresh_s)
        if stale:
            self._index, self._read_at = SuppressionIndex(self._read()), now
        return self._index

    def process(self, element: Any) -> Iterator[tuple[Any, str | None]]:
        suppressed_by = self._current_index().match(self._entities_of(element), self._window_end_of(element))
        if suppressed_by is not None:
            self.suppressed.inc()
        yield element, suppressed_by


def no_suppressions() -> list[Suppression]:
    return []


def alert_window_end(element: tuple[ScoredWindow, str]) -> float:
    return element[0].window_end


def alert_entities(element: tuple[ScoredWindow, str]) -> list[Entity]:
    return account_alert_entities(element[0])


def campaign_window_end(row: Mapping[str, Any]) -> float:
    return _seconds(row["window_end"])
