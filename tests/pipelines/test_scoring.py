import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from pipelines.artifact import LoadedModel, ModelManifest
from pipelines.features.peers import PeerStanding
from pipelines.features.spec import FEATURE_INDEX, FEATURE_NAMES
from pipelines.novelty import fit_novelty
from pipelines.scoring import REQUEST_COUNT, ExtractionRiskModelHandler

HARVEST, TIER = FEATURE_INDEX["harvest_per_minute"], FEATURE_INDEX["account_tier_rank"]


def test_a_novel_harvesting_window_is_lifted_to_the_alert_threshold_and_says_novelty_fired():
    rng = np.random.default_rng(0)
    rows = np.abs(rng.normal(1.0, 0.2, size=(6000, len(FEATURE_NAMES))))
    rows[:, TIER] = 2
    labels = np.r_[np.zeros(5900), np.ones(100)]  # the classifier's prior: ~0.02 for every row
    estimator = Pipeline([("peers", PeerStanding()), ("classifier", DummyClassifier(strategy="prior"))])
    estimator.fit(rows, labels)
    forest, calibration = fit_novelty(
        estimator.named_steps["peers"].transform(rows), labels, np.arange(len(rows)).astype(str), seed=0
    )
    names = dict.fromkeys(FEATURE_NAMES, 1.0)
    manifest = ModelManifest("v", "m.skops", "", FEATURE_NAMES, names, novelty=calibration.to_json())
    model = LoadedModel(estimator, manifest, forest)
    ordinary, odd_small, odd_harvesting = rows[0].copy(), rows[1] * 40, rows[2] * 40
    odd_small[HARVEST] = rows[1, HARVEST]  # odd, but harvests like its peers
    handler = ExtractionRiskModelHandler("unused", alert_threshold=0.5, max_reasons=3, max_batch_size=8)
    results = handler.run_inference([ordinary, odd_small, odd_harvesting], model)
    scores = [r.inference for r in results]
    assert [s.component for s in scores] == ["supervised", "supervised", "novelty"]
    assert scores[0].probability < 0.5 and scores[1].probability < 0.5 and scores[2].probability == 0.5
    assert scores[2].reasons[0].feature == "novelty_statistic_over_threshold" and scores[2].reasons[0].value > 0


def test_only_windows_at_the_request_floor_are_explained():
    rng = np.random.default_rng(1)
    rows = np.abs(rng.normal(1.0, 0.2, size=(200, len(FEATURE_NAMES))))
    labels = (rows[:, HARVEST] > 1.0).astype(int)
    estimator = Pipeline([("classifier", LogisticRegression())]).fit(rows, labels)
    names = dict.fromkeys(FEATURE_NAMES, 1.0)
    model = LoadedModel(estimator, ModelManifest("v", "m.skops", "", FEATURE_NAMES, names), None)
    sparse, busy = rows[0].copy(), rows[1].copy()
    sparse[HARVEST] = busy[HARVEST] = 3.0  # harvesting far above the rest: scored as extraction
    sparse[REQUEST_COUNT], busy[REQUEST_COUNT] = 19, 20
    handler = ExtractionRiskModelHandler(
        "unused", alert_threshold=0.5, max_reasons=3, max_batch_size=8, explain_min_requests=20
    )
    scores = [r.inference for r in handler.run_inference([sparse, busy], model)]
    assert min(s.probability for s in scores) >= 0.5
    # Only the one that can alert is explained, by the feature that raised its score.
    assert scores[0].reasons == () and scores[1].reasons[0].feature == "harvest_per_minute"
