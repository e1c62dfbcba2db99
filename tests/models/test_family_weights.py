import numpy as np

from models.dataset import GroundTruth, WindowDataset
from models.train import family_weights


def _dataset(families: dict[str, tuple[str, int]]) -> WindowDataset:
    """family -> (label, windows); one account per family."""
    truth, accounts, labels = {}, [], []
    for family, (label, windows) in families.items():
        truth[family] = GroundTruth(family, label, family, "", None, None)
        accounts += [family] * windows
        labels += [int(label == "extraction")] * windows
    n = len(accounts)
    return WindowDataset(np.zeros((n, 2)), np.array(labels), np.array(accounts), np.zeros(n), truth)


def test_every_family_of_a_label_weighs_the_same_and_each_label_keeps_its_window_count():
    data = _dataset(
        {"big": ("benign", 90), "small": ("benign", 10), "crawler": ("extraction", 3), "slow": ("extraction", 1)}
    )
    weights = family_weights(data)
    per_family = [weights[data.account_ids == family].sum() for family in ("big", "small", "crawler", "slow")]
    np.testing.assert_allclose(per_family, [50.0, 50.0, 2.0, 2.0])
    np.testing.assert_allclose([weights[data.labels == 0].sum(), weights[data.labels == 1].sum()], [100.0, 4.0])
