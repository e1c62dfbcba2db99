"""The outcome of a gateway's replays pools seeds by accounts."""

import numpy as np
import pytest

from models.diagnostics.gateway_fields import Replay, outcome, report


def test_the_outcome_pools_seeds_over_accounts():
    # seed 1: benign 0.9 (alerted), 0.1; extraction a 0.8, b 0.2. seed 2: benign 0.2, 0.3; extraction a 0.95.
    def run(seed, scores, extraction, families):
        return Replay("g", seed, np.array(scores), np.array(extraction), np.array(families))

    replays = [
        run(1, [0.9, 0.1, 0.8, 0.2], [False, False, True, True], ["x", "y", "a", "b"]),
        run(2, [0.2, 0.3, 0.95], [False, False, True], ["x", "y", "a"]),
    ]
    o = outcome(replays, threshold=0.5)
    assert (o.benign_accounts, o.extraction_accounts) == (4, 3)
    assert o.recall == pytest.approx(2 / 3) and o.fpr == pytest.approx(1 / 4) and o.false_positives == 1
    assert o.family_recall == {"a": 1.0, "b": 0.0}
    # <= 1 % of 4 benign accounts allows none: the threshold sits just above 0.9, so only 0.95 alerts.
    assert o.recall_at_1 == pytest.approx(1 / 3) and o.recall_at_01 == pytest.approx(1 / 3)
    text = report([o], "v1", 0.5, "python -m models.diagnostics.gateway_fields")
    assert "| g | 0.667 | 25.00 % (1) | 0.333 | 0.333 |" in text
    assert "| a | 1.00 |" in text and "| b | 0.00 |" in text
