"""Alerts against ground truth: the counts `detect --labels` and the streaming demo close with."""

from __future__ import annotations

import duckdb
import orjson
import pytest

from distillwatch.cli import main
from distillwatch.errors import UsageError
from distillwatch.ground_truth import compare_alerts, read_labels
from tests.events import event_bytes


def _labels_file(path, labels):
    path.write_bytes(b"".join(orjson.dumps({"account_id": a, "label": label, "archetype": "x"}) + b"\n"
                              for a, label in labels.items()))  # fmt: skip
    return path


def test_alerts_are_split_into_true_alerts_misses_and_false_alarms():
    labels = {"x1": True, "x2": True, "x3": True, "b1": False, "b2": False}
    outcome = compare_alerts({"x1", "x2", "b2", "stranger"}, labels)
    assert outcome.true_alerts == {"x1", "x2"}
    assert outcome.missed == {"x3"}
    assert outcome.false_alarms == {"b2"}
    assert outcome.unlabelled_alerts == {"stranger"}
    assert outcome.lines() == [
        "alerted accounts truly extraction: 2 of 4 alerted",
        "extraction accounts alerted: 2/3 (missed 1)",
        "benign accounts alerted (false alarms): 1/2",
        "alerted accounts without a label: 1",
    ]


def test_labels_are_read_as_the_simulator_writes_them(tmp_path):
    path = _labels_file(tmp_path / "events.labels.jsonl", {"acct-1": "extraction", "acct-2": "benign"})
    assert read_labels(path) == {"acct-1": True, "acct-2": False}
    (tmp_path / "bad.jsonl").write_text('{"account_id": "a"}\n')
    with pytest.raises(UsageError, match=r"bad\.jsonl:1: not a labels record"):
        read_labels(tmp_path / "bad.jsonl")
    with pytest.raises(UsageError, match="No such file"):
        read_labels(tmp_path / "missing.jsonl")


def test_detect_closes_with_the_labels_summary(tmp_path, capsys):
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(event_bytes(n, account_id=f"acct-{n % 2}") for n in range(80)) + b"\n")
    labels = _labels_file(tmp_path / "events.labels.jsonl", {"acct-0": "extraction", "acct-1": "benign"})
    store = tmp_path / "store.duckdb"
    argv = ["detect", "--input", str(events), "--output", str(store), "--min-requests", "1", "--labels", str(labels)]
    assert main(argv) == 0
    with duckdb.connect(str(store), read_only=True) as connection:
        alerted = {a for (a,) in connection.execute("select distinct account_id from alerts").fetchall()}
    out = capsys.readouterr().out
    expected = compare_alerts(alerted, {"acct-0": True, "acct-1": False}).lines()
    assert all(f"    {line}\n" in out for line in expected)
    assert "against the labels" in out
