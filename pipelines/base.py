"""The types that pass between the stages of the graph, and the dead-letter row every stage emits.

raw record (source, bytes) -> UsageEvent (contract.py) -> AccountWindow (features of one account-window)
-> Score (probability + Reasons) -> ScoredWindow -> alert policy; a bad record anywhere -> dead_letter row
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import orjson

DEAD_LETTER = "dead_letter"
MAX_PAYLOAD_CHARS = 4096
REDACTED = "[redacted]"
# Prompt text must never reach a sink, even inside a record we could not parse.
_PROMPT_TEXT = re.compile(rb'"text"\s*:\s*"(?:[^"\\]|\\.)*"?')

RawRecord = tuple[str, bytes]  # (source, payload): file path or subscription[/message id], raw bytes


def utc_now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _redacted_payload(payload: bytes) -> str:
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError:
        document = None
    text = None
    if isinstance(document, dict):
        prompt = document.get("prompt")
        if isinstance(prompt, dict) and "text" in prompt:
            prompt["text"] = REDACTED
        try:
            text = orjson.dumps(document, default=str).decode()
        except orjson.JSONEncodeError:  # nested deeper than orjson writes: fall back to the raw bytes
            text = None
    if text is None:
        text = _PROMPT_TEXT.sub(b'"text":"' + REDACTED.encode() + b'"', payload).decode("utf-8", "backslashreplace")
    return text[:MAX_PAYLOAD_CHARS]


def _identity_of(payload: bytes) -> tuple[str | None, str | None]:
    """account_id and event_id of a bad record, when they can still be read, so analysts can follow up."""
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(document, dict):
        return None, None
    account, event = document.get("account_id"), document.get("event_id")
    return (account if isinstance(account, str) else None), (event if isinstance(event, str) else None)


def dead_letter_row(source: str, payload: bytes, error: str, stage: str = "parse") -> dict[str, Any]:
    account_id, event_id = _identity_of(payload)
    return {
        "received_at": utc_now_iso(),
        "stage": stage,
        "source": source,
        "error": error[:1024],
        "payload": _redacted_payload(payload),
        "payload_bytes": len(payload),
        "account_id": account_id,
        "event_id": event_id,
    }


@dataclass(frozen=True)
class AccountWindow:
    """One account's features over one event-time window: what travels beside a vector through RunInference."""

    account_id: str
    window_start: float
    window_end: float
    features: dict[str, float]
    # Bounded sets (accumulator.MAX_IDENTITIES) for scoped suppressions; sorted.
    api_key_ids: tuple[str, ...] = ()
    payment_fingerprints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    feature: str
    value: float
    contribution: float


@dataclass(frozen=True)
class Score:
    probability: float
    reasons: tuple[Reason, ...]  # empty unless the score reached the alert threshold
    # The threshold the window is judged (and was explained) at: its model's manifest's, unless one is fixed for
    # every model (--alert-threshold).
    alert_threshold: float
    component: str = "supervised"  # which detector put the score where it is: supervised | novelty


@dataclass(frozen=True)
class ScoredWindow:
    account_id: str
    window_start: float
    window_end: float
    request_count: int
    features: dict[str, float]
    score: float
    model_version: str
    reasons: tuple[Reason, ...]
    api_key_ids: tuple[str, ...] = ()
    payment_fingerprints: tuple[str, ...] = ()
    component: str = "supervised"  # supervised | novelty | horizon (a long-horizon row)
    # From the Score: the threshold of the model that scored it travels with it (a hot swap cannot mix them up).
    # None (a window built outside the scorer, e.g. an evaluation): the alert policy's own threshold.
    alert_threshold: float | None = None
