"""The versioned model artifact: a skops file plus a manifest that pins its sha256.

Loading never executes code from an untrusted file: the file is read once, its sha256 must match the
manifest before skops parses it, and skops then only instantiates the types it trusts by default
(scikit-learn estimators, numpy arrays, builtin containers) plus the exact names in `TRUSTED_TYPES`.

A manifest and its model file are read through Beam's filesystems, so a local path and a `gs://` one (the bucket
a hot swap watches, `--watch-models`) load alike.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import skops.io
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from skops.io.exceptions import UntrustedTypesFoundException

from pipelines.features.spec import FEATURE_NAMES, FEATURE_SPEC_VERSION

# Types a model file may contain beyond skops' own defaults: what the shipped estimator (a Pipeline of
# PeerStanding and CalibratedClassifierCV over HistGradientBoostingClassifier) and the novelty forest are made
# of. Exact names, not module prefixes: a prefix such as "builtins." would also admit builtins.eval or getattr.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "pipelines.features.peers.PeerStanding",
        "sklearn.tree._tree.Tree",
    }
)


class ModelIntegrityError(RuntimeError):
    """The model file does not match its manifest, or contains types we do not trust."""


@dataclass(frozen=True)
class ModelManifest:
    model_version: str  # "<release>+<first 12 hex of the file's sha256>": unique per artifact
    model_file: str  # a file name in the manifest's directory
    sha256: str
    feature_names: tuple[str, ...]
    # Median of each feature over benign training windows: the reference for reason codes.
    benign_medians: dict[str, float]
    trained_on: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    # The novelty component's calibration (pipelines.novelty.NoveltyCalibration), when the file holds a forest.
    novelty: dict[str, Any] | None = None
    # The alert threshold chosen at a benign-account FPR budget (models.threshold.ThresholdChoice), if any.
    alert_policy: dict[str, Any] | None = None
    # How its features were computed (`FEATURE_SPEC_VERSION`): a manifest built by this code records this code's.
    feature_spec: str | None = FEATURE_SPEC_VERSION

    @classmethod
    def read(cls, path: str | Path) -> ModelManifest:
        data = json.loads(read_bytes(str(path)))
        data["feature_names"] = tuple(data["feature_names"])
        # A manifest from before the field was recorded: its feature computation is unknown, not this code's.
        data.setdefault("feature_spec", None)
        return cls(**data)

    def write(self, path: str | Path) -> None:
        _write_atomically(Path(path), (json.dumps(asdict(self), indent=2, sort_keys=True) + "\n").encode())


@dataclass(frozen=True)
class LoadedModel:
    estimator: Any  # a fitted scikit-learn classifier with predict_proba
    manifest: ModelManifest
    novelty: Any = None  # the benign-only IsolationForest, when the artifact has one

    @property
    def version(self) -> str:
        return self.manifest.model_version

    def reference_vector(self) -> np.ndarray:
        return np.array([self.manifest.benign_medians[name] for name in FEATURE_NAMES])


def read_bytes(path: str) -> bytes:
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as file:
        return file.read()


def read_manifest(manifest_path: str) -> ModelManifest:
    try:
        return ModelManifest.read(manifest_path)
    # Any failure to read a remote file (GCS reports a missing object as google.api_core's NotFound, no OSError)
    # means there is no manifest to trust, the same as a local one that cannot be read.
    except Exception as error:
        raise ModelIntegrityError(f"cannot read model manifest {manifest_path}: {error}") from error


def load_verified_model(manifest_path: str | Path) -> LoadedModel:
    manifest_path = str(manifest_path)
    manifest = read_manifest(manifest_path)
    if manifest.feature_names != FEATURE_NAMES:
        raise ModelIntegrityError(
            f"model {manifest.model_version} was trained on other features than this pipeline computes"
        )
    if manifest.feature_spec != FEATURE_SPEC_VERSION:
        raise ModelIntegrityError(
            f"model {manifest.model_version} was trained on feature spec {manifest.feature_spec or '(unrecorded)'}, "
            f"this pipeline computes {FEATURE_SPEC_VERSION}: retrain it (distillwatch train) or run it with the "
            "release it was trained with"
        )
    if Path(manifest.model_file).name != manifest.model_file:
        raise ModelIntegrityError(f"model_file must be a file name beside the manifest, got {manifest.model_file!r}")
    model_path = FileSystems.join(FileSystems.split(manifest_path)[0], manifest.model_file)
    try:
        # One read: the bytes that were hashed are the bytes that are parsed, even if the file is
        # replaced in between (a hot swap writing a new model into the same directory).
        data = read_bytes(model_path)
    except Exception as error:  # as for the manifest
        raise ModelIntegrityError(f"cannot read model file {model_path}: {error}") from error
    actual = hashlib.sha256(data).hexdigest()
    if actual != manifest.sha256:
        raise ModelIntegrityError(
            f"refusing to load {model_path}: sha256 {actual} does not match the manifest's {manifest.sha256}"
        )
    try:
        # One parse: skops audits the file's whole tree against its defaults plus `TRUSTED_TYPES` before it builds
        # anything (asking get_untrusted_types first parsed the tree twice, a second per load).
        stored = skops.io.loads(data, trusted=sorted(TRUSTED_TYPES))
    except UntrustedTypesFoundException as error:
        raise ModelIntegrityError(f"refusing to load {model_path}: untrusted types: {error}") from None
    estimator, novelty = (stored["classifier"], stored.get("novelty")) if isinstance(stored, dict) else (stored, None)
    if (novelty is None) != (manifest.novelty is None):
        raise ModelIntegrityError(f"{model_path}: a novelty forest and its calibration must ship together")
    return LoadedModel(estimator=estimator, manifest=manifest, novelty=novelty)


def save_model(estimator: Any, directory: str | Path, manifest: ModelManifest, novelty: Any = None) -> Path:
    """Writes the skops file, then the manifest pinning its sha256; returns the manifest path.

    With a `novelty` forest the file holds {"classifier", "novelty"}, so one sha256 covers both.

    `manifest.model_version` is the release; the written version appends the sha256 prefix, so two
    different files never share a version (and every score row names the exact file that produced it).
    The manifest is written last: a watcher that picks up a new manifest finds its model file complete.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    # Deflated: a quarter of the stored size (the trees' node arrays compress well), so retrains stay
    # cheap to commit and to ship to workers.
    stored = estimator if novelty is None else {"classifier": estimator, "novelty": novelty}
    data = skops.io.dumps(stored, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    sha256 = hashlib.sha256(data).hexdigest()
    _write_atomically(directory / manifest.model_file, data)
    pinned = replace(manifest, sha256=sha256, model_version=f"{manifest.model_version}+{sha256[:12]}")
    manifest_path = directory / "manifest.json"
    pinned.write(manifest_path)
    return manifest_path


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
