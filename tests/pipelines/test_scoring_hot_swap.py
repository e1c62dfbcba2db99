"""A hot swap (`--watch-models`) brings the new model's alert threshold: each window is scored, explained and judged
under the model that scored it. Two tiny models with the same classifier and different manifest thresholds; a
batch of rows goes through the handler RunInference calls, `to_scored_window` and the alert policy, as in a run."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.io.localfilesystem import LocalFileSystem
from apache_beam.ml.inference.base import KeyedModelHandler, ModelMetadata, RunInference
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from sklearn.linear_model import LogisticRegression

from pipelines.alerting import ApplyAlertPolicy, decide, is_eligible
from pipelines.artifact import ModelManifest, save_model
from pipelines.base import AccountWindow, ScoredWindow
from pipelines.config import DetectConfig, add_detect_arguments, detect_config_from_args
from pipelines.features.spec import FEATURE_INDEX, FEATURE_NAMES
from pipelines.pipeline import to_scored_window
from pipelines.scoring import ExtractionRiskModelHandler, handler_for

HARVEST, REQUESTS = FEATURE_INDEX["harvest_per_minute"], FEATURE_INDEX["request_count"]
SCORES = (0.3, 0.65, 0.85, 0.97)  # one window (and account) each


def harvest_only_classifier() -> LogisticRegression:
    """score = sigmoid(harvest_per_minute): a window's score is set exactly by its row."""
    estimator = LogisticRegression().fit(np.eye(len(FEATURE_NAMES))[:2], [0, 1])
    estimator.coef_ = np.zeros((1, len(FEATURE_NAMES)))
    estimator.coef_[0, HARVEST] = 1.0
    estimator.intercept_ = np.zeros(1)
    return estimator


def saved_model(directory: Path, release: str, threshold: float) -> Path:
    medians = dict.fromkeys(FEATURE_NAMES, 0.0)  # occluding harvest drops the score to 0.5: the window's reason
    manifest = ModelManifest(release, "m.skops", "", FEATURE_NAMES, medians, alert_policy={"threshold": threshold})
    return save_model(harvest_only_classifier(), directory / release, manifest)


@pytest.fixture
def models(tmp_path) -> tuple[Path, Path]:
    """The model a run starts with (threshold 0.9) and the one a swap brings (0.6)."""
    return saved_model(tmp_path, "strict", 0.9), saved_model(tmp_path, "lenient", 0.6)


def config_for(first: Path, *words: str) -> DetectConfig:
    parser = argparse.ArgumentParser()
    add_detect_arguments(parser)
    watch = str(first.parent.parent / "*" / "manifest.json")
    args = ["--input", "x.jsonl", "--output", "o.duckdb", "--model", str(first), "--watch-models", watch, *words]
    return detect_config_from_args(parser.parse_args(args))


def rows() -> list[np.ndarray]:
    batch = []
    for score in SCORES:
        row = np.zeros(len(FEATURE_NAMES))
        row[HARVEST], row[REQUESTS] = np.log(score / (1 - score)), 100
        batch.append(row)
    return batch


def scored_batch(handler: ExtractionRiskModelHandler) -> list[ScoredWindow]:
    """One batch as RunInference runs it: the handler's current model, then the pipeline's ScoredWindow."""
    results = handler.run_inference(rows(), handler.load_model())
    keys = [AccountWindow(f"acct-{i}", 0.0, 3600.0, {"request_count": 100.0}) for i in range(len(SCORES))]
    return [to_scored_window((key, result))[1] for key, result in zip(keys, results, strict=True)]


def judged(windows: list[ScoredWindow], config: DetectConfig) -> list[str | None]:
    """Each window's severity under the alert policy (None: no alert); one account each, so no cooldown."""
    severities = []
    for window in windows:
        alerts = decide([window], None, config.alerts).alerts if is_eligible(window, config.alerts) else []
        severities.append(alerts[0][1] if alerts else None)
    return severities


def test_after_a_swap_windows_are_explained_and_judged_at_the_new_models_threshold(models):
    first, second = models
    config = config_for(first)
    handler = handler_for(config)
    before = scored_batch(handler)
    handler.update_model_path(str(second))
    after = scored_batch(handler)

    assert {w.model_version.split("+")[0] for w in before} == {"strict"}
    assert {w.model_version.split("+")[0] for w in after} == {"lenient"}
    assert [w.alert_threshold for w in before + after] == [0.9] * 4 + [0.6] * 4
    # The same scores: at 0.9 only the 0.97 window alerts; at 0.6 three do, on the same ladder (high from 0.8).
    assert judged(before, config) == [None, None, None, "critical"]
    assert judged(after, config) == [None, "medium", "high", "critical"]
    # Reasons are written with alerts: the new model explains every window that reaches its threshold.
    assert [bool(w.reasons) for w in before] == [False, False, False, True]
    assert [bool(w.reasons) for w in after] == [False, True, True, True]


def test_run_inference_hands_the_announced_model_to_the_handler_and_the_alerts_follow_its_threshold(models):
    """Beam's own update path (the watched side input announces a manifest; RunInference updates the handler and
    loads), then the batch alert policy: the graph `score_windows` and `build_detection` build, minus features."""
    first, second = models
    config = config_for(first)
    keys = [AccountWindow(f"acct-{i}", 0.0, 3600.0, {"request_count": 100.0}) for i in range(len(SCORES))]
    with TestPipeline() as pipeline:
        announced = pipeline | "Announce" >> beam.Create([ModelMetadata(model_id=str(second), model_name="lenient")])
        alerts = (
            pipeline
            | beam.Create(list(zip(keys, rows(), strict=True)))
            | RunInference(KeyedModelHandler(handler_for(config)), model_metadata_pcoll=announced)
            | beam.Map(to_scored_window).with_output_types(tuple[str, ScoredWindow])
            | ApplyAlertPolicy(config.alerts, streaming=False)
            | beam.MapTuple(
                lambda w, severity: (w.account_id, w.model_version.split("+")[0], w.alert_threshold, severity)
            )
        )
        expected = [("acct-1", "lenient", 0.6, "medium"), ("acct-2", "lenient", 0.6, "high")]
        assert_that(alerts, equal_to([*expected, ("acct-3", "lenient", 0.6, "critical")]))


def test_a_swap_to_a_stricter_model_silences_what_the_lenient_one_alerted(models):
    strict, lenient = models
    config = config_for(lenient)
    handler = handler_for(config)
    assert judged(scored_batch(handler), config) == [None, "medium", "high", "critical"]
    handler.update_model_path(str(strict))
    assert judged(scored_batch(handler), config) == [None, None, None, "critical"]


def test_an_explicit_alert_threshold_holds_for_every_model(models):
    first, second = models
    config = config_for(first, "--alert-threshold", "0.7")
    handler = handler_for(config)
    before = scored_batch(handler)
    handler.update_model_path(str(second))
    after = scored_batch(handler)
    assert [w.alert_threshold for w in before + after] == [0.7] * 8
    assert judged(before, config) == judged(after, config) == [None, None, "high", "critical"]


def _corrupt_the_file(manifest: Path) -> None:
    data = bytearray((manifest.parent / "m.skops").read_bytes())
    data[len(data) // 2] ^= 0x01
    (manifest.parent / "m.skops").write_bytes(bytes(data))


def _record_another_feature_spec(manifest: Path) -> None:
    # A genuine, verified file, trained by a release that computes the features otherwise.
    replace(ModelManifest.read(manifest), feature_spec="2026.12.4").write(manifest)


@pytest.mark.parametrize("spoil", [_corrupt_the_file, _record_another_feature_spec], ids=["corrupt", "other spec"])
def test_a_swap_to_a_model_that_does_not_verify_keeps_the_current_model_and_its_threshold(models, spoil):
    first, second = models
    spoil(second)
    config = config_for(first)
    handler = handler_for(config)
    handler.update_model_path(str(second))
    windows = scored_batch(handler)
    assert {w.model_version.split("+")[0] for w in windows} == {"strict"}
    assert {w.alert_threshold for w in windows} == {0.9}
    assert judged(windows, config) == [None, None, None, "critical"]


def test_windows_of_both_models_in_one_accounts_state_are_each_judged_under_their_own(models):
    """Streaming buffers an account's windows until the watermark passes: a swap can land between two of them."""
    first, second = models
    config = config_for(first)
    handler = handler_for(config)
    old = scored_batch(handler)[1]  # 0.65 under the strict model: not an alert
    handler.update_model_path(str(second))
    new = scored_batch(handler)[1]  # 0.65 under the lenient model: an alert
    later = ScoredWindow(**{**vars(new), "window_end": new.window_end + config.alerts.cooldown_s})
    decisions = decide([later, old], None, config.alerts)
    assert [(w.model_version.split("+")[0], severity) for w, severity in decisions.alerts] == [("lenient", "medium")]


class LocalBucket(LocalFileSystem):
    """A stand-in for gs:// (what `--watch-models` watches in production): Beam's filesystems route the scheme here,
    and the objects are the local files after it."""

    PREFIX = "testbucket://"

    @classmethod
    def scheme(cls) -> str:
        return "testbucket"

    def open(self, path, *args, **kwargs):
        return super().open(path.removeprefix(self.PREFIX), *args, **kwargs)

    def metadata(self, path):
        return super().metadata(path.removeprefix(self.PREFIX))

    def split(self, path):
        directory, name = super().split(path.removeprefix(self.PREFIX))
        return self.PREFIX + directory, name


def test_a_swap_to_a_manifest_in_a_bucket_loads_it_and_one_that_is_not_there_is_refused(models):
    first, second = models
    config = config_for(first)
    handler = handler_for(config)
    handler.update_model_path(LocalBucket.PREFIX + str(second))
    windows = scored_batch(handler)
    assert {(w.model_version.split("+")[0], w.alert_threshold) for w in windows} == {("lenient", 0.6)}
    handler.update_model_path(LocalBucket.PREFIX + str(second.parent / "gone" / "manifest.json"))
    assert {(w.model_version.split("+")[0], w.alert_threshold) for w in scored_batch(handler)} == {("lenient", 0.6)}
