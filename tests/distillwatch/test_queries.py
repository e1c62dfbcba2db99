"""Every saved query and view in distillwatch/sql/ runs on the DuckDB store and on the BigQuery emulator, over the same
rows, and gives the answer an analyst would expect (and the same answer on both)."""

from __future__ import annotations

import math

import duckdb
import pytest

from distillwatch.queries import catalogue, dialects
from tests.distillwatch.query_rows import (
    ALERTS,
    BASE,
    DORMANT_ALERT_ID,
    EXTRACTOR_1_W3_ALERT,
    OLD,
    PROJECT,
    W1,
    W2,
    W2_ALERT_ID,
    W3,
    _iso,
    _plain_rows,
)

# --- what each query must answer, on either engine ---------------------------------------------------------


def check_top_risky_accounts(run):
    rows = run("top_risky_accounts")
    assert [r["account_id"] for r in rows] == ["extractor-1", "extractor-2", "organic-1"]  # dormant-1 is old
    first, second, third = rows
    assert (first["max_score"], first["windows_scored"], first["alerts"], first["worst_severity"]) == (
        0.99,
        3,
        2,  # the re-delivered alert counts once
        "critical",
    )
    assert (second["max_score"], second["alerts"], second["worst_severity"]) == (0.52, 1, "medium")
    assert (third["max_score"], third["alerts"], third["worst_severity"]) == (0.05, 0, None)
    assert first["last_window_end"] == _iso(W3)
    assert [r["account_id"] for r in run("top_risky_accounts", {"max_accounts": "1"})] == ["extractor-1"]
    assert len(run("top_risky_accounts", {"lookback_hours": "400"})) == 4


def check_alert_timeline(run):
    rows = run("alert_timeline", {"account_id": "extractor-1"})
    assert [(r["window_end"], r["score"], r["severity"]) for r in rows] == [
        (_iso(W1), 0.91, None),
        (_iso(W2), 0.97, "critical"),  # the latest scoring of W2
        (_iso(W3), 0.99, "critical"),  # one row although the alert arrived twice
    ]
    assert rows[1]["top_reasons"] == "template_top_share, logprobs_share"
    assert rows[1]["alert_id"] == f"extractor-1/{_iso(W2)}/m1"
    assert run("alert_timeline", {"account_id": "dormant-1"}) == []
    assert len(run("alert_timeline", {"account_id": "dormant-1", "lookback_days": "30"})) == 1


def check_shared_infrastructure(run):
    rows = run("shared_infrastructure")
    assert [
        (r["alerted_account_id"], r["peer_account_id"], r["shared_windows"], r["peer_max_score"], r["peer_alerted"])
        for r in rows
    ] == [
        ("extractor-1", "extractor-2", 2, 0.52, True),  # extractor-1 alerted in W2 and W3; its twin matches both
        ("extractor-2", "extractor-1", 1, 0.99, True),
    ]
    assert rows[0]["first_shared_window_end"] == _iso(W2)
    assert rows[0]["last_shared_window_end"] == _iso(W3)
    assert run("shared_infrastructure", {"tolerance": "0.001"}) == []  # 812 vs 820 prompt tokens is > 0.1%


def check_alert_volume_by_severity_day(run):
    rows = run("alert_volume_by_severity_day")
    assert [(r["day"], r["severity"], r["alerts"], r["accounts"]) for r in rows] == [
        (OLD.date().isoformat(), "high", 1, 1),
        (BASE.date().isoformat(), "critical", 2, 1),
        (BASE.date().isoformat(), "medium", 1, 1),
    ]
    assert [r["severity"] for r in run("alert_volume_by_severity_day", {"lookback_days": "1"})] == [
        "critical",
        "medium",
    ]


def check_score_drift_by_model_version(run):
    rows = {(r["day"], r["model_version"]): r for r in run("score_drift_by_model_version")}
    old_m1, recent_m1, recent_m2 = (
        rows[(OLD.date().isoformat(), "m1")],
        rows[(BASE.date().isoformat(), "m1")],
        rows[(BASE.date().isoformat(), "m2")],
    )
    assert len(rows) == 3
    recent_scores = [0.91, 0.97, 0.99, 0.45, 0.48, 0.52, 0.02, 0.03, 0.01]  # latest scoring per window
    assert (recent_m1["windows"], recent_m1["accounts"]) == (9, 3)
    assert math.isclose(recent_m1["mean_score"], sum(recent_scores) / 9)
    assert math.isclose(recent_m1["share_above_threshold"], 4 / 9)
    assert math.isclose(recent_m1["mean_score_change"], sum(recent_scores) / 9 - 0.99)
    assert min(recent_scores) <= recent_m1["p50_score"] <= recent_m1["p95_score"] <= max(recent_scores)
    assert old_m1["mean_score_change"] is None
    assert (recent_m2["windows"], recent_m2["mean_score"], recent_m2["share_above_threshold"]) == (1, 0.05, 1.0)
    stricter = {
        (r["day"], r["model_version"]): r for r in run("score_drift_by_model_version", {"alert_threshold": "0.95"})
    }
    assert math.isclose(stricter[(BASE.date().isoformat(), "m1")]["share_above_threshold"], 2 / 9)
    # m2's row carries its own model's threshold (0.04): the parameter only stands in for rows without one
    assert stricter[(BASE.date().isoformat(), "m2")]["share_above_threshold"] == 1.0


def check_latest_account_risk(run):
    rows = {r["account_id"]: r for r in run("latest_account_risk")}
    assert set(rows) == {"extractor-1", "extractor-2", "organic-1"}
    extractor = rows["extractor-1"]
    assert (extractor["latest_window_end"], extractor["latest_score"], extractor["alerts_7d"]) == (_iso(W3), 0.99, 2)
    assert (extractor["last_alert_id"], extractor["last_alert_severity"]) == (
        EXTRACTOR_1_W3_ALERT["alert_id"],
        "critical",
    )
    organic = rows["organic-1"]
    assert (organic["latest_score"], organic["latest_model_version"], organic["max_score_7d"]) == (0.05, "m2", 0.05)
    assert (organic["alerts_7d"], organic["last_alert_id"]) == (0, None)


def check_alert_reasons(run):
    rows = run("alert_reasons")
    ranked = {(r["alert_id"], r["reason_rank"], r["feature"]) for r in rows}
    w2_alert = f"extractor-1/{_iso(W2)}/m1"
    assert (w2_alert, 1, "template_top_share") in ranked
    assert (w2_alert, 2, "logprobs_share") in ranked
    assert len(rows) == 8  # 2 + 2 + 2 (re-delivered copy) + 1 + 1 reasons
    assert len(ranked) == 6


def check_campaign_of_account(run):
    rows = run("campaign_of_account", {"account_id": "extractor-1"})
    assert [(r["campaign_id"], r["window_end"], r["severity"], r["member_count"]) for r in rows] == [
        ("ring-w3", _iso(W3), "critical", 3),  # one row although it was inserted twice
        ("ring-w2-again", _iso(W2), "medium", 4),  # the later detection of W2
    ]
    # extractor-1 and extractor-2 both alerted in W3's window (extractor-1 twice: at W2 and at W3, delivered
    # twice); in W2's, only extractor-1
    assert [r["alerted_members"] for r in rows] == [2, 1]
    assert rows[0]["evidence_of_account"] == "ip_prefix:34.1.2, payment:pf_ring"
    assert rows[0]["other_members"] == "extractor-2, sleeper-1"
    assert rows[1]["other_members"] == "extractor-2, sleeper-1, sleeper-2"
    sleeper = run("campaign_of_account", {"account_id": "sleeper-1"})
    assert [r["campaign_id"] for r in sleeper] == ["ring-w3", "ring-w2-again"]
    assert sleeper[0]["evidence_of_account"] == "ip_prefix:34.1.2, payment:pf_ring, template:3:9f2c"
    assert run("campaign_of_account", {"account_id": "organic-1"}) == []
    (hour,) = run("campaign_of_account", {"account_id": "sleeper-3"})
    assert (hour["campaign_id"], hour["alerted_members"]) == ("hour-ring", 1)  # extractor-2's alert ending at W3
    # A member listed in no evidence entry (linked only through others) is still pivoted to.
    assert [r["evidence_of_account"] for r in run("campaign_of_account", {"account_id": "organic-4"})] == [""]
    older = run("campaign_of_account", {"account_id": "extractor-1", "lookback_days": "30"})
    assert [r["campaign_id"] for r in older] == ["ring-w3", "ring-w2-again", "ring-old"]
    assert older[2]["alerted_members"] == 1  # dormant-1's alert in that window


def check_case_view(run):
    rows = {r["alert_id"]: r for r in run("case_view")}
    assert len(rows) == 4 + 6  # distinct account alerts + distinct campaigns: re-deliveries are one case
    w2 = rows[W2_ALERT_ID]
    assert (w2["kind"], w2["verdict"], w2["verdict_by"], w2["verdict_count"]) == ("account", "true_positive", "bob", 2)
    assert w2["reasons"] == "template_top_share, logprobs_share"
    assert w2["campaigns"] == "ring-w2, ring-w2-again, ring-w3"  # campaign windows ending W2 and W3 hold W2
    assert not w2["suppressed"]
    suppressed = rows[ALERTS[3]["alert_id"]]
    assert (suppressed["suppressed"], suppressed["suppressed_by"]) == (True, "account:extractor-2 (s1)")
    assert (suppressed["verdict"], suppressed["verdict_count"]) == (None, 0)
    dormant = rows[DORMANT_ALERT_ID]  # an account verdict and a later one on the alert itself
    assert (dormant["verdict"], dormant["verdict_count"]) == ("false_positive", 2)
    ring = rows["ring-w3"]
    assert (ring["kind"], ring["campaign_id"], ring["verdict"]) == ("campaign", "ring-w3", "true_positive")
    assert rows[EXTRACTOR_1_W3_ALERT["alert_id"]]["verdict"] is None


def check_open_alerts_without_verdict(run):
    # W2 has verdicts, extractor-2's alert is suppressed, dormant-1 is judged (and old).
    assert [r["alert_id"] for r in run("open_alerts_without_verdict")] == [EXTRACTOR_1_W3_ALERT["alert_id"]]
    assert len(run("open_alerts_without_verdict", {"lookback_days": "30"})) == 1


def check_precision_by_model_version(run):
    (m1,) = run("precision_by_model_version")
    assert (m1["model_version"], m1["alerts"], m1["judged"]) == ("m1", 4, 2)
    assert (m1["true_positives"], m1["false_positives"], m1["needs_review"]) == (1, 1, 0)
    assert m1["precision"] == 0.5
    (recent,) = run("precision_by_model_version", {"lookback_days": "7"})
    assert (recent["alerts"], recent["judged"], recent["precision"]) == (3, 1, 1.0)


CHECKS = {
    "case_view": check_case_view,
    "open_alerts_without_verdict": check_open_alerts_without_verdict,
    "precision_by_model_version": check_precision_by_model_version,
    "top_risky_accounts": check_top_risky_accounts,
    "alert_timeline": check_alert_timeline,
    "shared_infrastructure": check_shared_infrastructure,
    "alert_volume_by_severity_day": check_alert_volume_by_severity_day,
    "score_drift_by_model_version": check_score_drift_by_model_version,
    "latest_account_risk": check_latest_account_risk,
    "alert_reasons": check_alert_reasons,
    "campaign_of_account": check_campaign_of_account,
}
ALL_QUERIES = catalogue.list_queries()


def test_every_saved_query_is_checked():
    assert set(CHECKS) == set(ALL_QUERIES)


@pytest.mark.parametrize("name", ALL_QUERIES)
def test_header_names_the_query_and_declares_every_parameter_it_uses(name):
    query = catalogue.load_query(name)
    assert query.sql.startswith(f"-- {name}"), "header comment starts with the query's name"
    assert query.description
    assert {p.name for p in query.parameters} == catalogue.used_parameters(query.sql)
    assert "{dataset}." in query.sql, "tables are named {dataset}.<table>"
    if query.is_view:
        assert not query.parameters, "BigQuery views cannot take parameters"


@pytest.mark.parametrize("name", ALL_QUERIES)
def test_query_on_duckdb(duckdb_store, name):
    CHECKS[name](lambda query, params=None: _plain_rows(dialects.run_query_duckdb(duckdb_store, query, params)))


def test_views_are_created_in_duckdb(duckdb_store, tmp_path):
    with duckdb.connect(duckdb_store) as source:
        source.execute(f"ATTACH '{tmp_path / 'copy.duckdb'}' AS copy")
        source.execute("COPY FROM DATABASE distillwatch TO copy")
    with duckdb.connect(str(tmp_path / "copy.duckdb")) as connection:
        assert dialects.create_views_duckdb(connection) == ["alert_reasons", "case_view", "latest_account_risk"]
        assert connection.execute("SELECT count(*) FROM alert_reasons").fetchone() == (8,)


def test_parameters_are_typed_and_checked():
    timeline = catalogue.load_query("alert_timeline")
    assert timeline.bind({"account_id": "a"}) == {"account_id": "a", "lookback_days": 7}
    assert timeline.bind({"account_id": "a", "lookback_days": "3"})["lookback_days"] == 3
    with pytest.raises(ValueError, match="needs --param account_id"):
        timeline.bind({})
    with pytest.raises(ValueError, match="no parameter"):
        timeline.bind({"account_id": "a", "acount": "b"})
    with pytest.raises(ValueError):
        timeline.bind({"account_id": "a", "lookback_days": "a week"})


def test_bigquery_rendering_qualifies_tables_and_binds_parameters():
    query = catalogue.load_query("top_risky_accounts")
    sql = dialects.render_bigquery(query, "my-project.detections")
    assert "`my-project.detections`.account_scores" in sql and "{dataset}" not in sql
    parameters = dialects.bigquery_parameters(query, query.bind({"max_accounts": "5"}))
    assert [(p.name, p.type_, p.value) for p in parameters] == [
        ("lookback_hours", "INT64", 24),
        ("max_accounts", "INT64", 5),
    ]
    with pytest.raises(ValueError, match="PROJECT"):
        dialects.render_bigquery(query, "x`; DROP TABLE y")


# --- BigQuery emulator ---------------------------------------------------------------------------------------


def _comparable(rows):
    approximate = {"p50_score", "p95_score"}
    return sorted(repr(sorted((k, v) for k, v in row.items() if k not in approximate)) for row in rows)


@pytest.mark.integration
@pytest.mark.parametrize("name", ALL_QUERIES)
def test_query_on_bigquery_emulator(bigquery_emulator, bigquery_dataset, duckdb_store, name):
    client = bigquery_emulator.client()

    def run(query, params=None):
        rows = _plain_rows(dialects.run_query_bigquery(client, bigquery_dataset, query, params))
        duck_rows = _plain_rows(dialects.run_query_duckdb(duckdb_store, query, params))
        # The same rows as the DuckDB store gives (order is each check's business; views have none), except
        # where BigQuery only promises an approximation.
        assert _comparable(rows) == _comparable(duck_rows)
        return rows

    CHECKS[name](run)


@pytest.mark.integration
def test_views_are_created_in_bigquery_as_terraform_renders_them(bigquery_emulator, bigquery_dataset):
    client = bigquery_emulator.client()
    assert dialects.create_views_bigquery(client, bigquery_dataset) == [
        "alert_reasons",
        "case_view",
        "latest_account_risk",
    ]
    rows = client.query(f"SELECT account_id FROM `{PROJECT}.{bigquery_dataset}.latest_account_risk` ORDER BY 1")
    assert [r["account_id"] for r in rows.result()] == ["extractor-1", "extractor-2", "organic-1"]


def test_a_hand_written_duckdb_twin_replaces_the_transpilation(tmp_path, monkeypatch):
    monkeypatch.setattr(catalogue, "SQL_DIR", tmp_path)
    monkeypatch.setattr(catalogue, "VIEWS_DIR", tmp_path / "views")
    (tmp_path / "windows_per_account.sql").write_text(
        "-- windows_per_account: a query whose DuckDB form is kept by hand\nSELECT 1 AS n FROM {dataset}.alerts\n"
    )
    (tmp_path / "windows_per_account.duckdb.sql").write_text("SELECT 2 AS n\n")
    assert catalogue.list_queries() == ["windows_per_account"]
    query = catalogue.load_query("windows_per_account")
    assert dialects.render_duckdb(query) == "SELECT 2 AS n\n"
    assert "`ds`.alerts" in dialects.render_bigquery(query, "ds")
