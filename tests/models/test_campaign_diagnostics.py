"""The diagnosis of missed members and falsely linked benign accounts: the gates and seeds it names."""

import datetime as dt

from models.campaign_diagnostics import (
    benign_clusters,
    benign_lines,
    evidence_towards,
    index_window,
    missed_lines,
    missed_reasons,
)
from pipelines.campaigns.config import CampaignConfig
from pipelines.campaigns.evidence import AccountEvidence
from pipelines.campaigns.offline import detect_window
from tests.events import T0, event

CONFIG = CampaignConfig()
START = T0.timestamp()
END = START + CONFIG.horizon_s


def _account(account_id, requests, ip=None, agent=None, card=None, created=None):
    evidence = AccountEvidence()
    for n in range(requests):
        evidence.add(
            event(
                n * 600, account_id=account_id,
                client={"ip": ip or f"10.{n}.{sum(map(ord, account_id))}.1", "user_agent": agent or f"{account_id}/1"},
                account={
                    "payment_fingerprint": card or f"pf_{account_id}",
                    **({"created_at": created.isoformat().replace("+00:00", "Z")} if created else {}),
                },
            )
        )  # fmt: skip
    return evidence


def _population():
    """Five campaign members on one card and one /24, a sixth sharing only their SDK, two strangers on a card
    and a /24 (one link between unrelated accounts), and an account of its own."""
    accounts = {f"m{i}": _account(f"m{i}", 4, ip="45.1.2.3", agent="sdk/0.1", card="pf_c") for i in range(5)}
    accounts["m5"] = _account("m5", 4, agent="sdk/0.1")
    accounts |= {name: _account(name, 4, ip="9.9.9.9", card="pf_shared") for name in ("b1", "b2")}
    accounts["b3"] = _account("b3", 4)
    return accounts


def test_evidence_towards_a_cluster_counts_a_creation_time_only_as_a_burst():
    created = T0 - dt.timedelta(days=1)
    accounts = {f"m{i}": _account(f"m{i}", 3, agent="sdk/0.1", created=created) for i in range(4)}
    accounts["x"] = _account("x", 3, agent="sdk/0.1", created=created)
    index = index_window(accounts, END, CONFIG)
    towards = evidence_towards("x", {"m0", "m1", "m2", "m3"}, index, CONFIG)
    assert set(towards) == {"user_agent", "created"}
    assert set(evidence_towards("x", {"m0", "m1"}, index, CONFIG)) == {"user_agent"}  # two are no burst


def test_every_missed_member_is_counted_once_by_the_gate_that_stops_it():
    accounts = _population()
    detection = detect_window(accounts, START, END, CONFIG)
    campaign_of = {f"m{i}": "c" for i in range(6)}
    in_rows = {a for row in detection.rows for a in row["members"]}
    reasons = missed_reasons(detection, index_window(accounts, END, CONFIG), campaign_of, CONFIG)
    missed = set(campaign_of) - in_rows
    assert sum(sum(counted.values()) for counted in reasons.values()) == len(missed)
    assert "m5" in missed  # an SDK alone links nobody
    assert any(r.startswith("share user agent, below the link threshold") for r in reasons["c"])
    row = missed_lines(reasons, {"c": "campaign c"})
    assert row[2].startswith("| campaign c |")


def test_a_cluster_of_unrelated_benign_accounts_is_described_by_the_links_that_seeded_it():
    accounts = _population()
    detection = detect_window(accounts, START, END, CONFIG)
    benign = {"b1", "b2", "b3"}
    index = index_window(accounts, END, CONFIG)
    (cluster,) = benign_clusters(detection, index, benign, {}, lambda a: "strangers", CONFIG)
    assert (cluster.label, cluster.size, cluster.false_pairs) == ("strangers", 2, 1)
    assert cluster.seeds == {"IP range + card": 1}
    assert benign_clusters(detection, index, benign, {"b1": "org", "b2": "org"}, lambda a: "org", CONFIG) == []
    assert "| strangers | 1 | 2 | 1 | IP range + card (1) |" in benign_lines([cluster], 0.6)[2]
