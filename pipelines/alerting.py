"""Alert policy: score thresholds -> severity, one alert per account per cooldown, with reason codes.

Runs as a stateful DoFn keyed by account in the global window. Scored windows are buffered until the
watermark passes their end and then decided in event-time order, so the outcome is the same whatever
order a runner delivers them in (batch replay, streaming, late re-scores of an already-seen window).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Timestamp

from pipelines.config import AlertPolicyConfig
from pipelines.scoring import Reason


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


def alert_id(window: ScoredWindow) -> str:
    """Deterministic, so a replay or retry of the same decision yields the same id."""
    key = f"{window.account_id}|{window.window_end}|{window.model_version}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class ApplyAlertPolicy(beam.DoFn):
    """(account_id, ScoredWindow) -> ScoredWindow that should alert, with its severity."""

    PENDING = BagStateSpec("pending", PickleCoder())
    LAST_ALERT_END = ReadModifyWriteStateSpec("last_alert_end", PickleCoder())
    NEXT_DECISION = ReadModifyWriteStateSpec("next_decision", PickleCoder())
    DECIDE = TimerSpec("decide", TimeDomain.WATERMARK)

    def __init__(self, policy: AlertPolicyConfig) -> None:
        self._policy = policy
        self.alerts = beam.metrics.Metrics.counter("distillwatch", "alerts")
        self.suppressed = beam.metrics.Metrics.counter("distillwatch", "alerts_suppressed_by_cooldown")

    def process(
        self,
        element: tuple[str, ScoredWindow],
        pending: Any = beam.DoFn.StateParam(PENDING),
        next_decision: Any = beam.DoFn.StateParam(NEXT_DECISION),
        decide: Any = beam.DoFn.TimerParam(DECIDE),
    ) -> Iterator[Any]:
        _, scored = element
        if scored.score < self._policy.alert_threshold or scored.request_count < self._policy.min_requests:
            return
        pending.add(scored)
        # One timer per key: keep it at the earliest undecided window end.
        earliest = next_decision.read()
        if earliest is None or scored.window_end < earliest:
            next_decision.write(scored.window_end)
            decide.set(Timestamp.of(scored.window_end))
        yield from ()

    @on_timer(DECIDE)
    def on_decide(
        self,
        fired_at: Any = beam.DoFn.TimestampParam,
        pending: Any = beam.DoFn.StateParam(PENDING),
        last_alert_end: Any = beam.DoFn.StateParam(LAST_ALERT_END),
        next_decision: Any = beam.DoFn.StateParam(NEXT_DECISION),
        decide: Any = beam.DoFn.TimerParam(DECIDE),
    ) -> Iterator[tuple[ScoredWindow, str]]:
        now = fired_at.micros / 1e6
        buffered = sorted(pending.read(), key=lambda w: (w.window_end, -w.score))
        due = [w for w in buffered if w.window_end <= now]
        later = [w for w in buffered if w.window_end > now]
        last = last_alert_end.read()
        for scored in due:
            if last is not None and scored.window_end - last < self._policy.cooldown_s:
                self.suppressed.inc()
                continue
            severity = self._policy.severity(scored.score)
            if severity is None:
                continue
            last = scored.window_end
            self.alerts.inc()
            yield scored, severity
        if last is not None:
            last_alert_end.write(last)
        pending.clear()
        next_decision.clear()
        for scored in later:
            pending.add(scored)
        if later:
            next_decision.write(later[0].window_end)
            decide.set(Timestamp.of(later[0].window_end))
