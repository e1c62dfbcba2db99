"""A sparse campaign, every member below the per-account floor, end to end through `distillwatch detect`: no
account alerts, yet one campaign row names every member with the shared evidence, the analyst's case view lists
it, and `campaign_of_account` pivots from any member to it."""

import datetime as dt

import duckdb
import pytest

from distillwatch.cli import main
from distillwatch.queries.dialects import run_query_duckdb
from pipelines.contract import encode_event
from tests.events import T0
from tests.pipelines.campaigns.sparse_traffic import SparseCampaign, campaign_events, campaign_members

SPEC = SparseCampaign(card_group=1)  # virtual cards: every member pays with a card of its own
AS_OF = T0 + dt.timedelta(days=1)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    work = tmp_path_factory.mktemp("sparse-campaign")
    events, store = work / "events.jsonl", work / "detections.duckdb"
    events.write_bytes(b"\n".join(encode_event(e) for e in campaign_events(SPEC)) + b"\n")
    assert main(["detect", "--input", str(events), "--output", str(store)]) == 0
    return str(store)


def test_no_member_alerts_on_its_own_but_the_campaign_row_names_them_all(store):
    members = campaign_members(SPEC)
    with duckdb.connect(store, read_only=True) as db:
        assert db.execute("select count(*) from alerts").fetchone()[0] == 0
        rows = db.execute("select members, severity, evidence from campaigns").fetchall()
    assert rows, "the campaign gives at least one campaign row"
    assert {m for row_members, _, _ in rows for m in row_members} == set(members)
    for row_members, severity, evidence in rows:
        assert severity in {"medium", "high", "critical"}
        kinds = {e["kind"] for e in evidence}
        assert "payment" not in kinds and len(kinds) >= 2  # no shared card; more than one kind of evidence
        assert all(set(e["accounts"]) <= set(row_members) for e in evidence)


def test_the_case_view_lists_the_campaign_and_every_member_pivots_to_it(store):
    cases = [c for c in run_query_duckdb(store, "case_view", as_of=AS_OF) if c["kind"] == "campaign"]
    assert cases
    campaign_ids = {c["campaign_id"] for c in cases}
    for member in campaign_members(SPEC):
        pivot = run_query_duckdb(store, "campaign_of_account", {"account_id": member}, as_of=AS_OF)
        assert pivot and {r["campaign_id"] for r in pivot} <= campaign_ids
        assert member not in pivot[0]["other_members"].split(", ")
