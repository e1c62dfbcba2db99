"""The reliability suite runs on the shipped model artifact or not at all: when it does not verify, every test
that needs it fails with the reason (before, the suite quietly trained a throwaway model and passed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.config import DEFAULT_MODEL_MANIFEST

ROOT = Path(__file__).resolve().parent.parent


def _run_suite_fixture(tmp_path: Path, manifest: Path) -> subprocess.CompletedProcess[str]:
    """A one-test session using tests/reliability/conftest.py's `model_manifest`, with `manifest` as the shipped one."""
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "conftest.py").write_text(
        "import pipelines.config\n"
        f"pipelines.config.DEFAULT_MODEL_MANIFEST = {str(manifest)!r}\n"
        "from tests.reliability.conftest import model_manifest  # noqa: F401\n"
    )
    (suite / "test_uses_the_model.py").write_text("def test_it(model_manifest):\n    assert model_manifest\n")
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(suite), "-q", "-p", "no:cacheprovider", "-p", "no:bqemulator"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_verified_artifact_is_copied(tmp_path):
    assert _run_suite_fixture(tmp_path, Path(DEFAULT_MODEL_MANIFEST)).returncode == 0


def test_an_artifact_that_does_not_verify_fails_loudly(tmp_path):
    artifact = tmp_path / "artifact"
    shutil.copytree(Path(DEFAULT_MODEL_MANIFEST).parent, artifact)
    model_file = next(artifact.glob("*.skops"))
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2] ^= 1
    model_file.write_bytes(bytes(data))
    run = _run_suite_fixture(tmp_path, artifact / "manifest.json")
    assert run.returncode != 0
    assert f"the shipped model artifact {artifact / 'manifest.json'} does not verify" in run.stdout
    assert "ModelIntegrityError" in run.stdout
