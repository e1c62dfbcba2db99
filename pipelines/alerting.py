"""Alert policy: score thresholds -> severity, one alert per account per cooldown, with reason codes.

Windows are decided per account in event-time order (window end, then highest score first), so the
outcome is the same whatever order a runner delivers them in. Two executions of the one decision
function `decide`:

- streaming: a stateful DoFn keyed by account buffers eligible windows until the watermark passes their
  end, then decides them (late re-scores of an already-decided window meet the cooldown);
- batch replay: every window is known up front, so one GroupByKey per account and a sort do the same
  without per-element state writes (the local FnApiRunner always enables the SDK state cache, which weighs
  every state write with a deep-size walk: the stateful path was ~30% of a batch replay's CPU).

Each window is judged at the alert threshold it carries (`ScoredWindow.alert_threshold`, set by the model that
scored it), on the policy's severity ladder: after a hot swap, windows of the old and the new model meet in one
account's state and each is judged under its own model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Timestamp

from pipelines.base import ScoredWindow
from pipelines.config import AlertPolicyConfig
from pipelines.request_floor import reaches_floor


def alert_id(window: ScoredWindow) -> str:
    """Deterministic, so a replay or retry of the same decision yields the same id."""
    key = f"{window.account_id}|{window.window_end}|{window.model_version}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def is_eligible(scored: ScoredWindow, policy: AlertPolicyConfig) -> bool:
    """Only windows that could alert are buffered or shuffled."""
    threshold = policy.alert_threshold if scored.alert_threshold is None else scored.alert_threshold
    return scored.score >= threshold and reaches_floor(scored.request_count, policy.min_requests)


@dataclass(frozen=True)
class Decisions:
    alerts: list[tuple[ScoredWindow, str]]  # (window, severity)
    last_alert_end: float | None
    suppressed: int  # eligible windows inside the cooldown of an earlier alert


def decide(windows: Iterable[ScoredWindow], last_alert_end: float | None, policy: AlertPolicyConfig) -> Decisions:
    """One account's eligible windows, decided in event-time order after its last alert."""
    alerts: list[tuple[ScoredWindow, str]] = []
    suppressed = 0
    last = last_alert_end
    # At one window end, a per-window alert is preferred to a long-horizon one of the same score.
    for scored in sorted(windows, key=lambda w: (w.window_end, -w.score, w.component == "horizon")):
        if last is not None and scored.window_end - last < policy.cooldown_s:
            suppressed += 1
            continue
        severity = policy.judging(scored.alert_threshold).severity(scored.score)
        if severity is None:
            continue
        last = scored.window_end
        alerts.append((scored, severity))
    return Decisions(alerts, last, suppressed)


class _Counters:
    def __init__(self) -> None:
        self.alerts = beam.metrics.Metrics.counter("distillwatch", "alerts")
        self.suppressed = beam.metrics.Metrics.counter("distillwatch", "alerts_suppressed_by_cooldown")

    def count(self, decisions: Decisions) -> None:
        self.alerts.inc(len(decisions.alerts))
        self.suppressed.inc(decisions.suppressed)


class DecideWhenWatermarkPasses(beam.DoFn):
    """Streaming: (account_id, eligible ScoredWindow) -> (ScoredWindow, severity) once its end is final."""

    PENDING = BagStateSpec("pending", PickleCoder())
    LAST_ALERT_END = ReadModifyWriteStateSpec("last_alert_end", PickleCoder())
    NEXT_DECISION = ReadModifyWriteStateSpec("next_decision", PickleCoder())
    DECIDE = TimerSpec("decide", TimeDomain.WATERMARK)

    def __init__(self, policy: AlertPolicyConfig) -> None:
        self._policy = policy
        self._counters = _Counters()

    def process(
        self,
        element: tuple[str, ScoredWindow],
        pending: Any = beam.DoFn.StateParam(PENDING),
        next_decision: Any = beam.DoFn.StateParam(NEXT_DECISION),
        decide_timer: Any = beam.DoFn.TimerParam(DECIDE),
    ) -> Iterator[Any]:
        _, scored = element
        pending.add(scored)
        # One timer per key: keep it at the earliest undecided window end.
        earliest = next_decision.read()
        if earliest is None or scored.window_end < earliest:
            next_decision.write(scored.window_end)
            decide_timer.set(Timestamp.of(scored.window_end))
        yield from ()

    @on_timer(DECIDE)
    def on_decide(
        self,
        fired_at: Any = beam.DoFn.TimestampParam,
        pending: Any = beam.DoFn.StateParam(PENDING),
        last_alert_end: Any = beam.DoFn.StateParam(LAST_ALERT_END),
        next_decision: Any = beam.DoFn.StateParam(NEXT_DECISION),
        decide_timer: Any = beam.DoFn.TimerParam(DECIDE),
    ) -> Iterator[tuple[ScoredWindow, str]]:
        now = fired_at.micros / 1e6
        buffered = list(pending.read())
        later = sorted((w for w in buffered if w.window_end > now), key=lambda w: w.window_end)
        decisions = decide((w for w in buffered if w.window_end <= now), last_alert_end.read(), self._policy)
        self._counters.count(decisions)
        yield from decisions.alerts
        if decisions.last_alert_end is not None:
            last_alert_end.write(decisions.last_alert_end)
        pending.clear()
        next_decision.clear()
        for scored in later:
            pending.add(scored)
        if later:
            next_decision.write(later[0].window_end)
            decide_timer.set(Timestamp.of(later[0].window_end))


class DecideAllAtOnce(beam.DoFn):
    """Batch: (account_id, all its eligible windows) -> (ScoredWindow, severity)."""

    def __init__(self, policy: AlertPolicyConfig) -> None:
        self._policy = policy
        self._counters = _Counters()

    def process(self, element: tuple[str, Iterable[ScoredWindow]]) -> Iterator[tuple[ScoredWindow, str]]:
        decisions = decide(element[1], None, self._policy)
        self._counters.count(decisions)
        yield from decisions.alerts


class ApplyAlertPolicy(beam.PTransform):
    """PCollection[(account_id, ScoredWindow)] (global window) -> PCollection[(ScoredWindow, severity)]."""

    def __init__(self, policy: AlertPolicyConfig, streaming: bool) -> None:
        super().__init__()
        self._policy = policy
        self._streaming = streaming

    def expand(self, scored: beam.PCollection) -> beam.PCollection:
        policy = self._policy
        eligible = scored | "Eligible" >> beam.Filter(lambda kv: is_eligible(kv[1], policy))
        if self._streaming:
            return eligible | "DecideWhenWatermarkPasses" >> beam.ParDo(DecideWhenWatermarkPasses(policy))
        return (
            eligible | "GroupByAccount" >> beam.GroupByKey() | "DecideAllAtOnce" >> beam.ParDo(DecideAllAtOnce(policy))
        )
