"""The named shapes are built as issue 12 describes them, and the report counts accounts, not windows."""

import random
import statistics

from models.diagnostics.named_shapes import (
    START,
    TOPICS,
    ShapeResult,
    chat_app_mimic,
    fresh_logprob_harvester,
    report,
)


def test_the_fresh_harvester_is_the_issues_account():
    events = fresh_logprob_harvester(random.Random(1), "h", 3.0)
    minutes = (events[-1].timestamp - events[0].timestamp) / 60
    assert 36 <= len(events) / minutes <= 44  # ~40 requests a minute
    assert all(e.params.top_logprobs == 20 and e.params.n == 2 and e.params.logprobs for e in events)
    saturated = sum(e.completion_tokens >= e.params.max_tokens for e in events) / len(events)
    assert 0.9 <= saturated <= 0.96  # 93 % of answers at max_tokens
    assert events[0].timestamp - events[0].account.created_at.timestamp() < 3 * 3600 + 120  # 3 hours old
    assert len({e.client.ip for e in events}) > 0.95 * len(events)  # an address per request
    assert len({e.prompt.text for e in events}) > 0.95 * len(events)


def test_the_app_mimic_looks_like_a_chat_app_at_a_flat_rate_over_every_domain():
    events = chat_app_mimic(random.Random(1), "m", 24.0)
    assert all(e.params.stream and e.params.temperature == 0.7 for e in events)
    assert all(300 <= e.completion_tokens < 700 for e in events)
    per_hour = [0] * 24
    for e in events:
        per_hour[int((e.timestamp - START) // 3600) % 24] += 1
    assert min(per_hour) > 0.95 * statistics.mean(per_hour)  # day and night alike
    assert {t for t in TOPICS if any(t in e.prompt.text for e in events)} == set(TOPICS)
    assert len({(e.client.ip, e.client.user_agent) for e in events}) == 1


def _result(shape, seed, alerted_windows, score_max):
    return ShapeResult(shape, seed, 3.0, 100, 10, score_max, score_max / 2, alerted_windows, 5.0 if alerted_windows
                       else None, ("supervised",) if alerted_windows else ())  # fmt: skip


def test_the_report_counts_alerted_accounts_and_the_highest_score():
    results = [
        _result("fresh_logprob_harvester", 1, 40, 1.0),
        _result("fresh_logprob_harvester", 2, 0, 0.3),
        _result("chat_app_mimic", 1, 0, 0.05),
    ]
    text = report(results, "v1", 0.6, "python -m models.diagnostics.named_shapes")
    assert "- `fresh_logprob_harvester`: 1 of 2 accounts alerted; highest score 1.000." in text
    assert "- `chat_app_mimic`: 0 of 1 accounts alerted; highest score 0.050." in text
    assert "| chat_app_mimic | 1 | 3 | 100 | 10 | 0.050 | 0.025 | 0 | never | - |" in text
