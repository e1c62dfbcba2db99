import builtins
import hashlib
import json
from dataclasses import replace

import numpy as np
import pytest
import skops.io
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.preprocessing import FunctionTransformer

from pipelines.artifact import ModelIntegrityError, ModelManifest, load_verified_model, save_model
from pipelines.features.spec import FEATURE_NAMES, FEATURE_SPEC_VERSION

F = len(FEATURE_NAMES)


class NotAnEstimator:
    """A type defined outside scikit-learn: a model file must never be able to instantiate it."""

    def __init__(self) -> None:
        self.payload = "anything"


def manifest(**overrides) -> ModelManifest:
    fields = {
        "model_version": "test",
        "model_file": "model.skops",
        "sha256": "",
        "feature_names": FEATURE_NAMES,
        "benign_medians": dict.fromkeys(FEATURE_NAMES, 0.0),
    }
    return ModelManifest(**(fields | overrides))


# Both calibrations: the shipped model is sigmoid-calibrated, older manifests' models isotonic.
@pytest.fixture(scope="module", params=["sigmoid", "isotonic"])
def estimator(request):
    rng = np.random.default_rng(0)
    features = rng.normal(size=(400, F))
    labels = (features[:, 0] > 0).astype(int)
    booster = HistGradientBoostingClassifier(max_iter=10, random_state=0)
    return CalibratedClassifierCV(booster, method=request.param, cv=2).fit(features, labels)


@pytest.fixture
def saved(tmp_path, estimator):
    return save_model(estimator, tmp_path, manifest(model_version="2026.1"))


def test_round_trip_pins_the_sha256_and_versions_by_content(saved, estimator):
    written = ModelManifest.read(saved)
    data = (saved.parent / "model.skops").read_bytes()
    assert written.sha256 == hashlib.sha256(data).hexdigest()
    assert written.model_version == f"2026.1+{written.sha256[:12]}"
    loaded = load_verified_model(saved)
    probe = np.random.default_rng(1).normal(size=(50, F))
    np.testing.assert_array_equal(loaded.estimator.predict_proba(probe), estimator.predict_proba(probe))
    assert loaded.version == written.model_version
    assert not list(saved.parent.glob(".*.tmp"))


def test_a_tampered_model_file_is_refused(saved):
    model_path = saved.parent / "model.skops"
    data = bytearray(model_path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_path.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="does not match"):
        load_verified_model(saved)


def test_a_manifest_with_another_sha256_is_refused(saved):
    pinned = ModelManifest.read(saved)
    replace(pinned, sha256=hashlib.sha256(b"another model").hexdigest()).write(saved)
    with pytest.raises(ModelIntegrityError, match="does not match"):
        load_verified_model(saved)


@pytest.mark.parametrize(
    "obj",
    [NotAnEstimator(), FunctionTransformer(func=builtins.eval)],
    ids=["foreign class", "builtins.eval inside a scikit-learn object"],
)
def test_untrusted_types_are_refused_even_with_a_matching_sha256(tmp_path, obj):
    model_path = tmp_path / "model.skops"
    skops.io.dump(obj, model_path)
    manifest_path = tmp_path / "manifest.json"
    manifest(sha256=hashlib.sha256(model_path.read_bytes()).hexdigest()).write(manifest_path)
    with pytest.raises(ModelIntegrityError, match="untrusted types"):
        load_verified_model(manifest_path)


def test_a_model_trained_on_other_features_is_refused(saved):
    pinned = ModelManifest.read(saved)
    replace(pinned, feature_names=(*FEATURE_NAMES[1:], "something_else")).write(saved)
    with pytest.raises(ModelIntegrityError, match="other features"):
        load_verified_model(saved)


@pytest.mark.parametrize("recorded", ["2000.01.1", None], ids=["another release's", "unrecorded"])
def test_a_model_of_another_feature_spec_is_refused(saved, recorded):
    # Same feature names, other computation: a hot swap across releases must not score it.
    replace(ModelManifest.read(saved), feature_spec=recorded).write(saved)
    with pytest.raises(ModelIntegrityError, match=f"feature spec {recorded or '.unrecorded.'}, this pipeline"):
        load_verified_model(saved)


def test_a_manifest_without_a_feature_spec_reads_as_unrecorded(saved):
    data = json.loads(saved.read_text())
    del data["feature_spec"]
    saved.write_text(json.dumps(data))
    assert ModelManifest.read(saved).feature_spec is None


def test_a_saved_manifest_records_this_codes_feature_spec(saved):
    assert ModelManifest.read(saved).feature_spec == FEATURE_SPEC_VERSION
    assert load_verified_model(saved).manifest.feature_spec == FEATURE_SPEC_VERSION


def test_the_model_file_must_sit_beside_the_manifest(tmp_path, estimator):
    saved = save_model(estimator, tmp_path / "deploy", manifest())
    # A genuine model file with the pinned sha256, but outside the manifest's directory.
    (saved.parent / "model.skops").rename(tmp_path / "model.skops")
    replace(ModelManifest.read(saved), model_file="../model.skops").write(saved)
    with pytest.raises(ModelIntegrityError, match="file name beside the manifest"):
        load_verified_model(saved)


@pytest.mark.parametrize("content", ["not json", json.dumps({"model_version": "x"})])
def test_an_unreadable_manifest_is_an_integrity_error(tmp_path, content):
    path = tmp_path / "manifest.json"
    path.write_text(content)
    with pytest.raises(ModelIntegrityError, match="cannot read"):
        load_verified_model(path)


def test_a_missing_model_file_is_an_integrity_error(saved):
    (saved.parent / "model.skops").unlink()
    with pytest.raises(ModelIntegrityError, match="cannot read model file"):
        load_verified_model(saved)
