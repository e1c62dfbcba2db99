"""The benign-only reach diagnostic: its distance statistic, its gate and its table, on hand-built cases."""

import numpy as np

from models.diagnostics.feature_sets import FamilyOutcome
from models.diagnostics.novelty_reach import GATED_OUT, NearestBenign, gated, markdown
from pipelines.features.spec import FEATURE_INDEX, FEATURE_NAMES


def test_the_distance_flags_a_gap_between_benign_families_and_more_so_traffic_beyond_them():
    rng = np.random.default_rng(1)
    benign = np.vstack([rng.normal(0, 1, (200, 2)), rng.normal(10, 1, (200, 2))])
    distance = NearestBenign(benign).statistic(np.array([[0.0, 0.0], [10.0, 10.0], [5.0, 5.0], [30.0, 30.0]]))
    inside, gap, beyond = max(distance[:2]), distance[2], distance[3]
    assert inside < gap < beyond


def test_windows_below_the_harvest_gate_are_never_novel():
    rows = np.zeros((3, len(FEATURE_NAMES)))
    rows[:, FEATURE_INDEX["harvest_peer_percentile"]] = [0.5, 0.99, 1.0]
    assert gated(np.array([9.0, 8.0, 7.0]), rows, 0.99).tolist() == [GATED_OUT, 8.0, 7.0]


def test_the_table_has_a_row_per_statistic_and_per_extraction_family_only():
    rows = [
        FamilyOutcome("ok", "benign", 0.02, None, None),
        FamilyOutcome("thief", "extraction", 0.5, 0.25, 0.5),
        FamilyOutcome("mimic", "extraction", 0.0, 0.0, 0.1),
    ]
    table = markdown({"forest": rows, "nearest": rows})
    assert "| forest | 0.250 / 0.000 | 0.125 | 0.300 | 0.020 / 0.020 |" in table
    assert "| thief | 0.50 / 0.25 | 0.50 / 0.25 |" in table and "| mimic |" in table
    assert "| ok |" not in table
