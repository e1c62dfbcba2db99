import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import given
from hypothesis import strategies as st

from pipelines.alerting import ApplyAlertPolicy, alert_id, decide
from pipelines.base import Reason, ScoredWindow
from pipelines.config import AlertPolicyConfig


def scored(end, score, account_id="a", count=100):
    return account_id, ScoredWindow(
        account_id=account_id,
        window_start=end - 3600,
        window_end=end,
        request_count=count,
        features={"request_count": count},
        score=score,
        model_version="v1",
        reasons=(Reason("logprobs_share", 1.0, 0.4),),
    )


# Streaming's stateful path also runs on the batch test runner: both executions must decide alike.
BOTH_PATHS = pytest.mark.parametrize("streaming", [False, True], ids=["batch", "stateful"])


@BOTH_PATHS
def test_one_alert_per_cooldown_in_event_time_order_whatever_the_arrival_order(streaming):
    policy = AlertPolicyConfig(cooldown_s=900)
    windows = [scored(end, 0.9) for end in range(300, 3001, 300)]
    windows += [scored(600, 0.99, account_id="b"), scored(300, 0.3, account_id="c")]  # c is below threshold
    windows += [scored(300, 0.99, account_id="d", count=3)]  # too few requests to accuse anyone
    with TestPipeline() as p:
        alerts = (
            p
            | beam.Create(list(reversed(windows)))
            | ApplyAlertPolicy(policy, streaming)
            | beam.MapTuple(lambda w, severity: (w.account_id, int(w.window_end), severity))
        )
        assert_that(
            alerts,
            equal_to(
                [
                    ("a", 300, "high"),
                    ("a", 1200, "high"),
                    ("a", 2100, "high"),
                    ("a", 3000, "high"),
                    ("b", 600, "critical"),
                ]
            ),
        )


@BOTH_PATHS
def test_a_late_rescore_of_an_alerted_window_does_not_alert_again(streaming):
    policy = AlertPolicyConfig(cooldown_s=3600)
    with TestPipeline() as p:
        alerts = (
            p
            | beam.Create([scored(300, 0.9), scored(300, 0.97)])
            | ApplyAlertPolicy(policy, streaming)
            | beam.MapTuple(lambda w, severity: (int(w.window_end), severity))
        )
        assert_that(alerts, equal_to([(300, "critical")]))  # the higher of the two, once


def test_severity_thresholds_and_deterministic_alert_ids():
    policy = AlertPolicyConfig()
    assert [policy.severity(s) for s in (0.2, 0.5, 0.85, 0.99)] == [None, "medium", "high", "critical"]
    assert alert_id(scored(300, 0.9)[1]) == alert_id(scored(300, 0.95)[1])
    assert alert_id(scored(300, 0.9)[1]) != alert_id(scored(600, 0.9)[1])


@given(
    ends=st.lists(st.integers(1, 40).map(lambda i: i * 300), min_size=1, max_size=30),
    scores=st.lists(st.floats(0.5, 1.0), min_size=30, max_size=30),
    cut=st.integers(0, 12_000),
)
def test_deciding_in_watermark_steps_equals_deciding_all_at_once(ends, scores, cut):
    """The streaming path decides in steps as the watermark passes; batch decides once: same alerts."""
    policy = AlertPolicyConfig(cooldown_s=900)
    windows = [scored(end, score)[1] for end, score in zip(ends, scores, strict=False)]
    at_once = decide(windows, None, policy)
    first = decide([w for w in windows if w.window_end <= cut], None, policy)
    second = decide([w for w in windows if w.window_end > cut], first.last_alert_end, policy)
    assert first.alerts + second.alerts == at_once.alerts
    assert first.suppressed + second.suppressed == at_once.suppressed
