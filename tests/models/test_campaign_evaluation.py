"""The evaluation's own arithmetic and scenarios: what counts as a false link, sparse members, the scaling exponent."""

from collections import Counter

import pytest

from models.campaign_evaluation import FLOOR, SCENARIOS, SIZES, busiest_hour, false_links, loglog_slope
from models.campaign_scenarios import CampaignSpec, campaign_events, hard_negatives

START = 1_772_409_600.0  # 2026-03-02T00:00:00Z


def test_false_links_count_pairs_of_unrelated_benign_accounts_only():
    group_of = {"a": "org1", "b": "org1"}
    benign = {"a", "b", "c", "d"}
    # a-b are one organisation; c and d are unrelated to them and to each other; x is not benign.
    assert false_links([("a", "b", "c", "d", "x")], benign, group_of) == (5, 4)
    assert false_links([("a", "b"), ("c", "x")], benign, group_of) == (0, 0)


def test_loglog_slope_recovers_the_exponent():
    xs = [500, 1000, 2000, 4000]
    assert loglog_slope(xs, [3 * x for x in xs]) == pytest.approx(1.0)
    assert loglog_slope(xs, [x * x for x in xs]) == pytest.approx(2.0)


def test_scenarios_have_campaigns_of_20_to_2000_accounts():
    assert min(SIZES) == 20 and max(SIZES) == 2000
    assert {len(s.campaigns(SIZES)) for s in SCENARIOS} == {len(SIZES)}


@pytest.mark.parametrize("rate", sorted({s.rate for s in SCENARIOS}))
def test_campaign_members_stay_below_the_per_account_floor(rate):
    spec = CampaignSpec("c", 60, rate, synchronised_share=0.5)
    events = list(campaign_events(spec, START, 6.0, seed=3))
    assert max(busiest_hour(events).values()) < FLOOR  # in any hour, not only clock hours
    assert len({e.account_id for e in events}) == 60


def test_no_signal_is_universal_in_a_campaign():
    events = list(campaign_events(CampaignSpec("c", 200, 4.0), START, 6.0, seed=5))
    cards = Counter(e.account.payment_fingerprint for e in events)
    agents = {e.client.user_agent for e in events}
    prefixes = Counter(e.client.ip.rsplit(".", 1)[0] for e in events)
    assert any(card.endswith("_virtual") for card in cards) and len(cards) > 20
    assert len(agents) > 1
    assert prefixes.most_common(1)[0][1] < len(events) / 4  # no one /24 carries the campaign


def test_hard_negatives_are_the_four_groups():
    population = hard_negatives(START, 6.0, seed=1, scale=0.1)
    kinds = Counter(e.account_id.rsplit("-", 1)[0] for e in population.events)
    assert set(kinds) == {"acme", "student", "dev", "agency-client"}
    assert set(population.group_of.values()) == {"acme"}
