"""The versioned model artifact: a skops file plus a manifest that pins its sha256.

Loading never executes code from an untrusted file: the file's sha256 must match the manifest before
it is read at all, and skops then only instantiates types on an explicit scikit-learn/numpy allowlist.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import skops.io

from pipelines.features.spec import FEATURE_NAMES

# Module prefixes whose types a model file may contain; anything else is refused.
TRUSTED_TYPE_PREFIXES = ("sklearn.", "numpy.", "builtins.", "collections.", "scipy.")


class ModelIntegrityError(RuntimeError):
    """The model file does not match its manifest, or contains types we do not trust."""


@dataclass(frozen=True)
class ModelManifest:
    model_version: str
    model_file: str  # relative to the manifest's directory
    sha256: str
    feature_names: tuple[str, ...]
    # Median of each feature over benign training windows: the reference for reason codes.
    benign_medians: dict[str, float]
    trained_on: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, path: str | Path) -> ModelManifest:
        data = json.loads(Path(path).read_text())
        data["feature_names"] = tuple(data["feature_names"])
        return cls(**data)

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")


@dataclass(frozen=True)
class LoadedModel:
    estimator: Any  # a fitted scikit-learn classifier with predict_proba
    manifest: ModelManifest

    @property
    def version(self) -> str:
        return self.manifest.model_version

    def reference_vector(self) -> np.ndarray:
        return np.array([self.manifest.benign_medians[name] for name in FEATURE_NAMES])


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_verified_model(manifest_path: str | Path) -> LoadedModel:
    manifest_path = Path(manifest_path)
    try:
        manifest = ModelManifest.read(manifest_path)
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise ModelIntegrityError(f"cannot read model manifest {manifest_path}: {error}") from error
    if manifest.feature_names != FEATURE_NAMES:
        raise ModelIntegrityError(
            f"model {manifest.model_version} was trained on other features than this pipeline computes"
        )
    model_path = manifest_path.parent / manifest.model_file
    actual = file_sha256(model_path)
    if actual != manifest.sha256:
        raise ModelIntegrityError(
            f"refusing to load {model_path}: sha256 {actual} does not match the manifest's {manifest.sha256}"
        )
    # skops lists every type outside its own default allowlist; we accept only scikit-learn's stack.
    unlisted = skops.io.get_untrusted_types(file=model_path)
    untrusted = [name for name in unlisted if not name.startswith(TRUSTED_TYPE_PREFIXES)]
    if untrusted:
        raise ModelIntegrityError(f"refusing to load {model_path}: untrusted types {untrusted}")
    estimator = skops.io.load(model_path, trusted=unlisted)
    return LoadedModel(estimator=estimator, manifest=manifest)


def save_model(estimator: Any, directory: str | Path, manifest: ModelManifest) -> Path:
    """Writes the skops file and a manifest pinning its sha256; returns the manifest path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model_path = directory / manifest.model_file
    skops.io.dump(estimator, model_path)
    pinned = ModelManifest(**{**asdict(manifest), "sha256": file_sha256(model_path)})
    manifest_path = directory / "manifest.json"
    pinned.write(manifest_path)
    return manifest_path
