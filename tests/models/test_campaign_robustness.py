"""The sweep's campaigns: the reported shape by default, and one signal changed per condition."""

import dataclasses
import itertools
from collections import Counter

import pytest

from models.campaign_evaluation import FLOOR, busiest_hour
from models.campaign_robustness import BASES, CHANGES, conditions
from models.campaign_robustness_shapes import Shape, remote_company, shaped_campaign

START = 1_772_409_600.0  # 2026-03-02T00:00:00Z


def _events(shape, size=30):
    return list(shaped_campaign("c", size, shape, START, 6.0, seed=3))


def test_the_default_shape_is_the_reported_campaign():
    events = _events(Shape())
    prefixes = Counter(e.client.ip.rsplit(".", 1)[0] for e in events)
    assert max(prefixes.values()) <= 3  # a fresh residential address on (nearly) every request
    cards = Counter(e.account.payment_fingerprint for e in events)
    assert len(cards) == 3  # 30 members, 10 to a card
    assert len({e.client.user_agent for e in events}) == 1
    assert all(e.prompt.text.startswith(events[0].prompt.text.split()[0]) for e in events)  # one scaffold
    seconds = sorted(e.timestamp for e in events)
    assert max(busiest_hour(events).values()) < FLOOR
    assert sum(b - a < 3 for a, b in itertools.pairwise(seconds)) > 0.9 * len(seconds)  # in lockstep


def test_every_condition_changes_one_field_of_its_base():
    fields = [f.name for f in dataclasses.fields(Shape)]
    for _, base in BASES:
        for name, _, shape in conditions(base, CHANGES):
            changed = [f for f in fields if getattr(shape, f) != getattr(base, f)]
            assert len(changed) == (0 if name == CHANGES[0][0] else 1), name


@pytest.mark.parametrize(
    ("change", "check"),
    [
        ({"prompt_text": False}, lambda e: e.prompt.text is None and len(e.prompt.sha256) == 64),
        ({"profile": "chat"}, lambda e: e.params is None and e.completion_tokens < 700),
        ({"network": "cloud"}, lambda e: e.client.ip.startswith("34.")),
    ],
)
def test_a_change_shows_in_every_event(change, check):
    assert all(check(e) for e in _events(dataclasses.replace(Shape(), **change)))


def test_unknown_values_are_refused():
    with pytest.raises(ValueError, match="hourly"):
        Shape(timing="hourly")


def test_the_remote_company_changes_address_often_but_within_few_networks():
    events = list(remote_company(START, 6.0, seed=1, size=20))
    per_account: dict[str, set[str]] = {}
    for e in events:
        per_account.setdefault(e.account_id, set()).add(e.client.ip.rsplit(".", 1)[0])
    assert max(len(p) for p in per_account.values()) <= 4  # home and three carrier /24s
    assert len({e.account.payment_fingerprint for e in events}) == 1
