"""A tampered model artifact stops `distillwatch detect` with a clear error, through the real loading path.

The console script's `main` runs a batch detection against a copy of the artifact whose model file was altered
(one bit) or whose manifest pins another sha256. The run must end in one line naming the file and both hashes
and a non-zero exit, and refuse before starting: no output at all (it used to start, write dead letters, and
fail only when RunInference loaded the model; `run_detect` now verifies the artifact first).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from distillwatch.cli import main
from distillwatch.errors import USAGE_EXIT_STATUS
from pipelines.artifact import ModelManifest
from tests.events import event_bytes

pytestmark = pytest.mark.slow

TABLES = ("account_scores", "alerts", "dead_letter")


def refusal(argv: list[str]) -> str:
    """The one line `main(argv)` prints when it refuses the model: the usage exit status, no traceback."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        assert main(argv) == USAGE_EXIT_STATUS
    printed = stderr.getvalue()
    assert "Traceback" not in printed
    (line,) = [line for line in printed.splitlines() if line.startswith(f"distillwatch {argv[0]}: ")]
    return line


def flip_one_bit(directory: Path) -> str:
    model = directory / ModelManifest.read(directory / "manifest.json").model_file
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0x01
    model.write_bytes(bytes(data))
    return model.name


def pin_another_hash(directory: Path) -> str:
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["sha256"] = "0" * 64
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return manifest["model_file"]


@pytest.fixture(scope="module", params=[flip_one_bit, pin_another_hash], ids=["model-bit-flipped", "wrong-sha256"])
def tampered_run(request, tmp_path_factory, model_manifest):
    directory = tmp_path_factory.mktemp(request.param.__name__)
    artifact = directory / "artifact"
    shutil.copytree(Path(model_manifest).parent, artifact)
    model_file = request.param(artifact)
    source, store = directory / "events.jsonl", directory / "store.duckdb"
    lines = [event_bytes(n, account_id=f"acct-{n % 3}") for n in range(60)] + [b'{"truncated": ']
    source.write_bytes(b"\n".join(lines) + b"\n")
    message = refusal(
        ["detect", "--input", str(source), "--output", str(store), "--model", str(artifact / "manifest.json")]
    )
    with duckdb.connect(str(store)) as connection:  # read-write: the failed run's sink may still hold it open
        counts = {table: connection.execute(f"select count(*) from {table}").fetchone()[0] for table in TABLES}
    return artifact / model_file, message, counts


def test_a_tampered_artifact_stops_the_streaming_demo_before_it_starts(tmp_path, model_manifest):
    artifact = tmp_path / "artifact"
    shutil.copytree(Path(model_manifest).parent, artifact)
    flip_one_bit(artifact)
    output = tmp_path / "demo.duckdb"
    line = refusal(["demo", "--streaming", "--model", str(artifact / "manifest.json"), "--output", str(output)])
    assert "does not match the manifest" in line
    assert not output.exists()  # refused before the store, the emulator or the pipeline started


def test_a_tampered_artifact_stops_detect_with_a_clear_error_and_scores_nothing(tampered_run):
    model_path, message, counts = tampered_run
    assert f"refusing to load {model_path}" in message
    assert "does not match the manifest" in message
    assert counts["account_scores"] == 0 and counts["alerts"] == 0


def test_a_tampered_artifact_is_refused_before_the_run_writes_anything(tampered_run):
    _, _, counts = tampered_run
    assert counts == dict.fromkeys(TABLES, 0)


def test_a_hot_swap_to_a_tampered_artifact_is_refused_and_the_current_model_kept(tmp_path, model_manifest):
    """`--watch-models`: RunInference hands the handler each new manifest, then loads. A bad one must not stop
    scoring (a streaming job would retry the failing load forever): the handler keeps the model it has."""
    from pipelines.scoring import ExtractionRiskModelHandler

    tampered = tmp_path / "artifact"
    shutil.copytree(Path(model_manifest).parent, tampered)
    flip_one_bit(tampered)
    handler = ExtractionRiskModelHandler(model_manifest, alert_threshold=0.5, max_reasons=3, max_batch_size=8)
    current = handler.load_model().version
    handler.update_model_path(str(tampered / "manifest.json"))
    assert handler.load_model().version == current


def test_a_hot_swap_brings_the_new_models_threshold_and_a_refused_one_keeps_the_current_models(
    tmp_path, model_manifest
):
    """Each manifest records the threshold chosen for that model: after a swap windows are judged at the new one;
    a swap the handler refuses keeps the current model and its threshold together."""
    import numpy as np

    from pipelines.features.spec import FEATURE_NAMES
    from pipelines.scoring import ExtractionRiskModelHandler

    retrained = tmp_path / "retrained"
    shutil.copytree(Path(model_manifest).parent, retrained)
    manifest = json.loads((retrained / "manifest.json").read_text())
    manifest["model_version"] += "-retrained"  # the same verified file under a manifest with another threshold
    manifest["alert_policy"]["threshold"] = 0.6
    (retrained / "manifest.json").write_text(json.dumps(manifest))
    tampered = tmp_path / "tampered"
    shutil.copytree(Path(model_manifest).parent, tampered)
    flip_one_bit(tampered)

    handler = ExtractionRiskModelHandler(model_manifest, alert_threshold=None, max_reasons=3, max_batch_size=8)
    rows = [np.zeros(len(FEATURE_NAMES))]

    def scored_with() -> tuple[str, float]:
        (result,) = handler.run_inference(rows, handler.load_model())
        return result.model_id, result.inference.alert_threshold

    shipped = ModelManifest.read(model_manifest)
    assert scored_with() == (shipped.model_version, shipped.alert_policy["threshold"])
    handler.update_model_path(str(retrained / "manifest.json"))
    assert scored_with() == (manifest["model_version"], 0.6)
    handler.update_model_path(str(tampered / "manifest.json"))
    assert scored_with() == (manifest["model_version"], 0.6)
