import numpy as np

from pipelines.features.classifier_inputs import KnownRiskColumns
from pipelines.features.spec import CLASSIFIER_INPUTS, FEATURE_INDEX, FEATURE_NAMES, MISSING, MONOTONE


def test_the_classifier_reads_only_features_with_a_known_direction_of_risk():
    assert CLASSIFIER_INPUTS and all(MONOTONE.get(name, 0) != 0 for name in CLASSIFIER_INPUTS)


def test_every_other_feature_is_blanked_and_the_kept_ones_pass_unchanged():
    rows = np.random.default_rng(0).uniform(1.0, 5.0, (50, len(FEATURE_NAMES)))
    out = KnownRiskColumns().fit(rows).transform(rows)
    for name in FEATURE_NAMES:
        column = FEATURE_INDEX[name]
        if name in CLASSIFIER_INPUTS:
            np.testing.assert_array_equal(out[:, column], rows[:, column])
        else:
            assert (out[:, column] == MISSING).all(), name
    assert (rows >= 1.0).all()  # the input is not modified
