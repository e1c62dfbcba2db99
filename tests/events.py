"""Hand-written contract-v1 events for unit tests (the simulator is not a test dependency of the detector)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from pipelines.contract import UsageEvent, decode_event

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def event_dict(n: int = 0, account_id: str = "acct-1", at: dt.datetime | None = None, **overrides: Any) -> dict:
    when = at or T0 + dt.timedelta(seconds=n)
    event = {
        "event_id": f"{account_id}-{n}",
        "event_time": when.isoformat().replace("+00:00", "Z"),
        "account_id": account_id,
        "api_key_id": "key-1",
        "model": "frontier-1",
        "endpoint": "chat.completions",
        "status_code": 200,
        "prompt_tokens": 100,
        "completion_tokens": 50,
    }
    event.update(overrides)
    return event


def event_bytes(n: int = 0, **kwargs: Any) -> bytes:
    return orjson.dumps(event_dict(n, **kwargs))


def event(n: int = 0, **kwargs: Any) -> UsageEvent:
    return decode_event(event_bytes(n, **kwargs))
