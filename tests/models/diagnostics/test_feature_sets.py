"""The feature-set comparison's blanking and per-family outcomes, on hand-built cases with known answers."""

import numpy as np
import pytest

from models.dataset import GroundTruth, WindowDataset
from models.diagnostics.feature_sets import BAG_DROP, VARIANTS, bags, outcomes, shown_rows
from pipelines.features.peers import PeerStanding
from pipelines.features.spec import ATTACKER_SET_KNOBS, FEATURE_INDEX, FEATURE_NAMES, MISSING, MODALITY_MARKERS


@pytest.fixture
def raw() -> np.ndarray:
    rng = np.random.default_rng(3)
    rows = rng.uniform(1.0, 5.0, size=(300, len(FEATURE_NAMES)))
    rows[:, FEATURE_INDEX["account_tier_rank"]] = 1
    return rows


def blanked_columns(rows: np.ndarray) -> set[str]:
    return {name for name in FEATURE_NAMES if (rows[:, FEATURE_INDEX[name]] == MISSING).all()}


def test_each_variant_blanks_exactly_its_features_and_the_tier(raw):
    peer_rows = PeerStanding().fit(raw, np.zeros(len(raw))).transform(raw)
    for variant, recipe in VARIANTS.items():
        rows = shown_rows(raw, peer_rows, recipe.blanked)
        assert blanked_columns(rows) == set(recipe.blanked) | {"account_tier_rank"}, variant
    shown = shown_rows(raw, peer_rows, VARIANTS["knobs_shown"].blanked)
    for name in ATTACKER_SET_KNOBS:  # their raw values come back
        assert np.array_equal(shown[:, FEATURE_INDEX[name]], raw[:, FEATURE_INDEX[name]])
    assert set(MODALITY_MARKERS) <= blanked_columns(shown)


def test_outcomes_count_recall_against_benign_accounts_and_a_benign_familys_own_fpr():
    scores = np.array([0.1, 0.2, 0.3, 0.9, 0.95, 0.5, 0.8, 0.85, 0.4, 0.7])
    archetypes = np.array(["ok"] * 5 + ["other"] + ["thief"] * 4)
    labels = np.array(["benign"] * 6 + ["extraction"] * 4)
    by_family = {o.family: o for o in outcomes(scores, archetypes, labels, 0.75, ["ok", "thief"])}
    assert by_family["ok"].rate_at_threshold == pytest.approx(2 / 5)  # 0.9 and 0.95
    assert by_family["ok"].recall_at_01 is None
    thief = by_family["thief"]
    assert thief.rate_at_threshold == pytest.approx(2 / 4)  # 0.8 and 0.85
    # Six benign accounts: no false positive is allowed at 0.1 % or 1 %, so the bar is just above 0.95.
    assert thief.recall_at_01 == 0.0 and thief.recall_at_1 == 0.0


def test_each_bag_drops_a_share_of_the_extraction_families_and_keeps_every_benign_one():
    families = {f"thief{i}": "extraction" for i in range(10)} | {f"ok{i}": "benign" for i in range(4)}
    truth = {name: GroundTruth(name, label, name, "", None, None) for name, label in families.items()}
    accounts = np.array(sorted(families))
    labels = np.array([int(families[a] == "extraction") for a in accounts])
    data = WindowDataset(np.zeros((len(accounts), 2)), labels, accounts, np.zeros(len(accounts)), truth)
    subsets = bags(data, 3, seed=5)
    assert len(subsets) == 3
    for subset in subsets:
        kept = {t.archetype for t in subset.truth.values()}
        assert {f for f in families if families[f] == "benign"} <= kept
        assert len(kept & {f for f in families if families[f] == "extraction"}) == 10 - round(10 * BAG_DROP)
        assert set(subset.account_ids) == kept  # the windows follow the accounts
    assert len({frozenset(s.truth) for s in subsets}) > 1  # the bags differ
