"""Shared fixtures of the reliability suite: a verified copy of the shipped model artifact, fuzz case counts."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from pipelines.artifact import ModelIntegrityError, ModelManifest, load_verified_model
from pipelines.config import DEFAULT_MODEL_MANIFEST

# Hypothesis examples actually run per fuzz test (filled in by the tests, printed at the end of the session).
FUZZ_CASES: Counter[str] = Counter()


@pytest.fixture(scope="session")
def model_manifest(tmp_path_factory) -> str:
    """A verified copy of the shipped artifact, so that retraining it during the session cannot change a run.

    The suite tests the shipped artifact: one that does not verify fails every test that uses it, loudly.
    """
    directory = tmp_path_factory.mktemp("model")
    shipped = Path(DEFAULT_MODEL_MANIFEST)
    try:
        manifest = ModelManifest.read(shipped)
        shutil.copy(shipped, directory / "manifest.json")
        shutil.copy(shipped.parent / manifest.model_file, directory / manifest.model_file)
        load_verified_model(directory / "manifest.json")
    except (OSError, ValueError, TypeError, KeyError, ModelIntegrityError) as error:
        pytest.fail(
            f"the shipped model artifact {shipped} does not verify ({type(error).__name__}: {error}); "
            "restore it (git checkout models/artifacts) or retrain it (distillwatch train)",
            pytrace=False,
        )
    return str(directory / "manifest.json")


def pytest_terminal_summary(terminalreporter) -> None:
    if FUZZ_CASES:
        terminalreporter.write_sep("-", "reliability fuzz cases run")
        for name, count in sorted(FUZZ_CASES.items()):
            terminalreporter.write_line(f"{count:>8,}  {name}")
        terminalreporter.write_line(f"{sum(FUZZ_CASES.values()):>8,}  total")
