"""The artifact in models/artifacts is the one the pipeline loads by default: it must match this code."""

import pytest

from models.train import feature_probe, probe_drift, training_specs
from pipelines.artifact import ModelManifest, load_verified_model
from pipelines.config import DEFAULT_MODEL_MANIFEST, WindowConfig


@pytest.fixture(scope="module")
def shipped() -> ModelManifest:
    return load_verified_model(DEFAULT_MODEL_MANIFEST).manifest


def test_the_shipped_model_was_trained_on_the_features_this_code_computes(shipped):
    trained = shipped.trained_on
    window = WindowConfig(trained["window_size_s"], trained["window_period_s"])
    drift = probe_drift(trained["feature_probe"], feature_probe(window))
    assert not drift, (
        f"features moved since the shipped model was trained (shift in standard deviations: {drift}); "
        "bump FEATURE_SPEC_VERSION (pipelines/features/spec.py), run `distillwatch train && distillwatch "
        "evaluate` and commit models/artifacts and models/report"
    )


def test_probe_drift_flags_a_moved_feature_and_ignores_jitter():
    recorded = {"request_count": {"mean": 50.0, "std": 10.0}, "error_share": {"mean": 0.0, "std": 0.0}}
    current = {"request_count": {"mean": 50.05, "std": 10.0}, "error_share": {"mean": 0.0, "std": 0.0}}
    names = ("request_count", "error_share")
    assert probe_drift(recorded, current, names) == {}
    current["request_count"]["mean"] = 51.0  # a tenth of a standard deviation
    current["error_share"]["mean"] = 0.01  # a feature that was constant moved
    assert set(probe_drift(recorded, current, names)) == {"request_count", "error_share"}


def test_the_shipped_model_records_metrics_from_seeds_it_was_not_trained_on(shipped):
    evaluation = shipped.metrics["evaluation"]
    evaluated = set(evaluation["held_out_seeds"]) | set(evaluation["variant_seeds"])
    assert not evaluated & {spec.seed for spec in training_specs(shipped)}
    for name in ("held_out_seeds", "held_out_variants"):
        assert shipped.metrics[name]["benign_accounts"] >= 1000
