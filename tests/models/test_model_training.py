import re

import numpy as np
from sklearn.metrics import roc_auc_score

from models.dataset import request_counts
from models.train import RELEASE, train
from pipelines.artifact import load_verified_model


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


def test_retraining_with_the_same_seeds_gives_the_same_model(tiny_config, tiny_manifest, unseen_windows, tmp_path):
    first = load_verified_model(tiny_manifest)
    again = load_verified_model(train(tiny_config, tmp_path))
    probe = unseen_windows.features
    np.testing.assert_array_equal(again.estimator.predict_proba(probe), first.estimator.predict_proba(probe))
    assert again.manifest.benign_medians == first.manifest.benign_medians
