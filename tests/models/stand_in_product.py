"""A stand-in product model for hand-built cases: its classifier probability and its novelty are read from feature
columns, so a test row states its own answers."""

import math

import numpy as np

from models.product import ProductModel
from pipelines.features.spec import FEATURE_INDEX, FEATURE_NAMES
from pipelines.novelty import NOVELTY_FEATURES, NoveltyCalibration

REQUESTS = FEATURE_INDEX["request_count"]
SCORE = FEATURE_INDEX["requests_per_minute"]  # the stand-in classifier reads its probability here
ODD = FEATURE_INDEX["multi_choice_share"]  # the stand-in forest calls a row novel when this is large
PERCENTILE = FEATURE_INDEX["harvest_peer_percentile"]
NOVEL, ORDINARY = 1000.0, 1.0  # ODD values above and below the stand-in calibration's threshold


class Identity:
    def transform(self, rows: np.ndarray) -> np.ndarray:
        return rows


class ColumnClassifier:
    def __init__(self) -> None:
        self.named_steps = {"peers": Identity()}

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        return np.c_[1 - rows[:, SCORE], rows[:, SCORE]]


class ColumnForest:
    """score_samples of the novelty inputs: minus the (signed-log) ODD column, so statistic = log1p(ODD)."""

    def score_samples(self, inputs: np.ndarray) -> np.ndarray:
        return -inputs[:, NOVELTY_FEATURES.index("multi_choice_share")]


def stand_in_product() -> ProductModel:
    """Novel where log1p(ODD) > log1p(100) and the harvest percentile reaches 0.99."""
    calibration = NoveltyCalibration(NOVELTY_FEATURES, math.log1p(100.0), 0.999, 0.99, 1, 1)
    return ProductModel(ColumnClassifier(), ColumnForest(), calibration)


def window_row(score: float, requests: float, odd: float, percentile: float) -> np.ndarray:
    """A feature row the stand-in scores `score`, with `requests` requests; every other feature 1."""
    row = np.ones(len(FEATURE_NAMES))
    row[[SCORE, REQUESTS, ODD, PERCENTILE]] = score, requests, odd, percentile
    return row
