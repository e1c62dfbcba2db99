import re

import numpy as np
from sklearn.metrics import roc_auc_score

from models.dataset import request_counts, simulate
from models.evaluation.decision import horizon_spec
from models.train import RELEASE, train
from pipelines.artifact import load_verified_model
from pipelines.config import AlertPolicyConfig
from pipelines.features.spec import FEATURE_INDEX, FEATURE_NAMES, MONOTONE


def test_tiny_training_ships_a_verified_artifact_that_ranks_unseen_extraction_windows_first(
    tiny_manifest, unseen_windows
):
    model = load_verified_model(tiny_manifest)
    assert re.fullmatch(rf"{re.escape(RELEASE)}\+[0-9a-f]{{12}}", model.version)
    assert model.manifest.trained_on["simulator_seeds"] == [1]
    busy = request_counts(unseen_windows.features) >= 20  # windows the alert policy would act on
    scores = model.estimator.predict_proba(unseen_windows.features[busy])[:, 1]
    labels = unseen_windows.labels[busy]
    assert labels.any() and not labels.all()
    assert roc_auc_score(labels, scores) > 0.9
    assert np.median(scores[labels == 1]) > 0.5 > np.median(scores[labels == 0])
    assert np.median(scores[labels == 1]) > np.quantile(scores[labels == 0], 0.9)


def test_retraining_with_the_same_seeds_gives_the_same_model(tiny_config, tiny_manifest, unseen_windows, tmp_path):
    first = load_verified_model(tiny_manifest)
    again = load_verified_model(train(tiny_config, tmp_path))
    probe = unseen_windows.features
    np.testing.assert_array_equal(again.estimator.predict_proba(probe), first.estimator.predict_proba(probe))
    assert again.manifest.benign_medians == first.manifest.benign_medians


def _assert_monotone(predict, rows, column, direction, values):
    """Scores of every row as one feature sweeps `values` (ascending) never move against `direction`."""
    curves = []
    for value in values:
        perturbed = rows.copy()
        perturbed[:, column] = value
        curves.append(predict(perturbed))
    steps = np.diff(np.array(curves), axis=0) * direction  # (values - 1, rows)
    assert (steps >= -1e-12).all(), (FEATURE_NAMES[column], float(steps.min()))
    return np.abs(np.array(curves)[-1] - np.array(curves)[0]).max()


def test_the_fitted_model_is_monotone_along_each_constrained_feature(tiny_manifest, unseen_windows):
    model = load_verified_model(tiny_manifest)
    peers, classifier = model.estimator.named_steps["peers"], model.estimator.named_steps["classifier"]
    rng = np.random.default_rng(0)
    raw = unseen_windows.features[rng.choice(len(unseen_windows.features), 400, replace=False)]
    rows = peers.transform(raw)  # what the booster sees
    moved = {}
    for name, direction in MONOTONE.items():
        column = FEATURE_INDEX[name]
        values = np.unique(np.r_[np.quantile(rows[:, column], np.linspace(0, 1, 25)), 0.0, rows[:, column].max() * 10])
        moved[name] = _assert_monotone(lambda x: classifier.predict_proba(x)[:, 1], rows, column, direction, values)
    # Through the whole pipeline too: more harvest per minute can only raise the score (its peer percentile with it).
    column = FEATURE_INDEX["harvest_per_minute"]
    values = np.quantile(raw[:, column], np.linspace(0, 1, 25))
    _assert_monotone(lambda x: model.estimator.predict_proba(x)[:, 1], raw, column, 1, values)
    assert max(moved.values()) > 0.1  # the sweeps do reach features the model uses


def test_the_artifact_ships_a_novelty_component_calibrated_on_benign_windows(tiny_manifest):
    model = load_verified_model(tiny_manifest)
    assert model.novelty is not None
    calibration = model.manifest.novelty
    assert calibration["quantile"] == 0.999 and calibration["calibration_windows"] > 0


def test_training_learns_from_the_long_horizon_rows_the_pipeline_scores(tiny_config, tiny_manifest):
    trained = load_verified_model(tiny_manifest).manifest.trained_on
    # The horizon windows `distillwatch detect` scores by default, as every evaluation protocol scores them.
    assert tiny_config.horizon() == horizon_spec(tiny_config.window, AlertPolicyConfig())
    (spec,) = tiny_config.specs()
    simulated = simulate(spec, tiny_config.window, tiny_config.horizon())
    assert trained["windows"] == len(simulated.labels)
    assert trained["horizon_windows"] == int(simulated.is_horizon.sum()) > 0
