"""`distillwatch detect` alerts from the threshold its model's manifest records, unless told otherwise."""

import argparse
import json

import pytest

from pipelines.config import add_detect_arguments, detect_config_from_args


def manifest(tmp_path, alert_policy):
    path = tmp_path / "manifest.json"
    fields = {"model_version": "v", "model_file": "m.skops", "sha256": "", "feature_names": [], "benign_medians": {}}
    path.write_text(json.dumps(fields | ({"alert_policy": alert_policy} if alert_policy else {})))
    return str(path)


def parse(*words):
    parser = argparse.ArgumentParser()
    add_detect_arguments(parser)
    return detect_config_from_args(parser.parse_args(["--input", "in.jsonl", "--output", "out.duckdb", *words]))


@pytest.mark.parametrize(
    ("alert_policy", "override", "expected"),
    [({"threshold": 0.83, "fpr_budget": 0.001}, [], 0.83), ({"threshold": 0.83}, ["--alert-threshold", "0.6"], 0.6),
     (None, [], 0.5)],
)  # fmt: skip
def test_the_alert_threshold_is_the_manifests_unless_overridden(tmp_path, alert_policy, override, expected):
    config = parse("--model", manifest(tmp_path, alert_policy), *override)
    assert config.alerts.alert_threshold == expected
    assert [t for t, _ in config.alerts.severities] == sorted(t for t, _ in config.alerts.severities)


def test_without_an_override_each_model_brings_its_threshold_on_the_same_ladder(tmp_path):
    policy = parse("--model", manifest(tmp_path, {"threshold": 0.9})).alerts
    assert policy.fixed_threshold is None  # the scorer stamps each window with its own model's threshold
    assert policy.judging(0.9) == policy and policy.judging(None) == policy
    lenient = policy.judging(0.6)
    # From the configured ladder, not from the first model's: a window at 0.85 is high under a 0.6 model.
    assert lenient.severities == ((0.6, "medium"), (0.8, "high"), (0.95, "critical"))
    assert [lenient.severity(s) for s in (0.55, 0.65, 0.85)] == [None, "medium", "high"]
    assert policy.severity(0.85) is None


def test_an_explicit_threshold_is_fixed_for_every_model(tmp_path):
    policy = parse("--model", manifest(tmp_path, {"threshold": 0.9}), "--alert-threshold", "0.7").alerts
    assert policy.fixed_threshold == 0.7 and policy.model_ladder is None
