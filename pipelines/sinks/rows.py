"""Sink rows: plain JSON-serialisable dicts keyed by the column names of `schemas.TABLES`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from pipelines.alerting import alert_id
from pipelines.base import ScoredWindow


def iso_utc(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()


def score_row(window: ScoredWindow, scored_at: str) -> dict[str, Any]:
    return {
        "account_id": window.account_id,
        "window_start": iso_utc(window.window_start),
        "window_end": iso_utc(window.window_end),
        "score": window.score,
        "model_version": window.model_version,
        "request_count": window.request_count,
        "features": orjson.dumps(window.features, option=orjson.OPT_SORT_KEYS).decode(),
        "scored_at": scored_at,
        "alert_threshold": window.alert_threshold,
    }


def alert_row(
    window: ScoredWindow,
    severity: str,
    created_at: str,
    suppressed_by: str | None = None,
    recommended_action: str | None = None,
) -> dict[str, Any]:
    return {
        "alert_id": alert_id(window),
        "account_id": window.account_id,
        "window_start": iso_utc(window.window_start),
        "window_end": iso_utc(window.window_end),
        "score": window.score,
        "severity": severity,
        "model_version": window.model_version,
        "request_count": window.request_count,
        "reasons": [{"feature": r.feature, "value": r.value, "contribution": r.contribution} for r in window.reasons],
        "created_at": created_at,
        "suppressed_by": suppressed_by,
        "recommended_action": recommended_action,
        "component": window.component,
        "alert_threshold": window.alert_threshold,
    }
