"""The evaluation's own arithmetic: what counts as a false link, thinning, the scaling exponent."""

import random

import pytest

from models.campaign_evaluation import MEMBER_REQUESTS, SCENARIOS, _false_links, loglog_slope, thin_campaigns
from simulator.generator import GroundTruth


def _truth(account_id, campaign_id=None):
    label = "extraction" if campaign_id else "benign"
    return GroundTruth(account_id, label, "x", "standard", campaign_id, None)


def test_false_links_count_pairs_of_unrelated_benign_accounts_only():
    payments = {"a": "p1", "b": "p1", "c": "p2", "d": "p3", "x": "px"}
    benign = {"a", "b", "c", "d"}
    # a-b share a payment (one organisation); c and d are unrelated to them and to each other; x is not benign.
    assert _false_links([("a", "b", "c", "d", "x")], benign, payments) == (5, 4)
    assert _false_links([("a", "b"), ("c", "x")], benign, payments) == (0, 0)


def test_campaign_members_are_thinned_below_the_alert_floor_and_others_untouched():
    traffic = {"m": [{"n": i} for i in range(100)], "b": [{"n": i} for i in range(100)]}
    truth = {"m": _truth("m", "campaign-01"), "b": _truth("b")}
    thin_campaigns(traffic, truth, random.Random(1))
    assert MEMBER_REQUESTS[0] <= len(traffic["m"]) <= MEMBER_REQUESTS[1] < 20
    assert [e["n"] for e in traffic["m"]] == sorted(e["n"] for e in traffic["m"])  # still in time order
    assert len(traffic["b"]) == 100


def test_loglog_slope_recovers_the_exponent():
    xs = [500, 1000, 2000, 4000]
    assert loglog_slope(xs, [3 * x for x in xs]) == pytest.approx(1.0)
    assert loglog_slope(xs, [x * x for x in xs]) == pytest.approx(2.0)


def test_scenarios_have_campaigns_of_20_to_2000_accounts_that_fit_the_simulation():
    sizes = [size for scenario in SCENARIOS for size in scenario.campaign_sizes]
    assert min(sizes) == 20 and max(sizes) == 2000
    for scenario in SCENARIOS:
        simulation = scenario.simulation()
        assert simulation.extraction_accounts >= sum(scenario.campaign_sizes)
        assert simulation.accounts - simulation.extraction_accounts == scenario.benign_accounts
