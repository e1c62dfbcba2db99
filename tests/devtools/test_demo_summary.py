"""The streaming demo closes with the same ground-truth comparison as `distillwatch detect --labels`."""

from __future__ import annotations

import pyarrow as pa

from devtools.demo import DemoFeed, ReplayFeed, _print_summary
from distillwatch.ground_truth import compare_alerts
from pipelines.base import ScoredWindow
from pipelines.sinks.duckdb_sink import open_store
from pipelines.sinks.rows import alert_row
from simulator.generator import Simulation, SimulationConfig


def test_the_demo_summary_scores_its_alerts_against_the_simulations_labels(tmp_path, capsys):
    simulation = Simulation(SimulationConfig(accounts=30, duration_hours=0.5, campaign_sizes=()))
    truth = simulation.ground_truth()
    attacking = [t.account_id for t in truth if t.label == "extraction" and t.attack_onset]
    benign = [t.account_id for t in truth if t.label != "extraction"]
    alerted = [attacking[0], benign[0]]
    store = open_store(str(tmp_path / "demo.duckdb"))
    rows = [
        alert_row(ScoredWindow(account, 0.0, 3600.0, 50, {}, 0.9, "m1", ()), "high", "2026-01-01T01:00:00+00:00")
        for account in alerted
    ]
    store.register("rows", pa.Table.from_pylist(rows))
    store.execute("insert into alerts by name select * from rows")
    _print_summary(store, simulation, DemoFeed(ReplayFeed([])), str(tmp_path / "demo.duckdb"))
    out = capsys.readouterr().out
    is_extraction = {t.account_id: t.account_id in attacking for t in truth}
    for line in compare_alerts(set(alerted), is_extraction).lines():
        assert f"demo: {line}\n" in out
    assert f"extraction accounts alerted: 1/{len(attacking)} (missed {len(attacking) - 1})" in out
    assert f"benign accounts alerted (false alarms): 1/{len(truth) - len(attacking)}" in out
