import argparse

import pytest

from models import evaluate
from pipelines.artifact import ModelManifest, load_verified_model


def arguments(manifest, *extra: str, held_out_seeds=(5,), variant_seeds=(6,)) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    sizes = ["--accounts", "60", "--hours", "1", "--workers", "1", "--trace-rows", "3000"]
    seeds = ["--held-out-seeds", *map(str, held_out_seeds), "--variant-seeds", *map(str, variant_seeds)]
    return parser.parse_args(["--model", str(manifest), *sizes, *seeds, *extra])


def test_evaluate_writes_the_report_beside_the_artifact_and_records_metrics_in_its_manifest(tiny_manifest):
    shipped_report = evaluate.REPORT_DIR / "REPORT.md"
    shipped_before = shipped_report.stat().st_mtime_ns if shipped_report.exists() else None
    before = ModelManifest.read(tiny_manifest)
    assert evaluate.run(arguments(tiny_manifest)) == 0
    report_dir = tiny_manifest.parent / "report"
    report = (report_dir / "REPORT.md").read_text()
    sections = ("Targets", "Classifier against baselines", "Recall per archetype", "Time from attack onset")
    for heading in (*sections, "Alert policy what-ifs", "False positives", "Real-trace tenants"):
        assert f"## {heading}" in report
    assert "[LOFO.md](LOFO.md)" in report and "[PERTURBATION.md](PERTURBATION.md)" in report
    assert (
        "`distillwatch evaluate --held-out-seeds 5 --variant-seeds 6 --accounts 60 --hours 1 --trace-rows 3000`"
        in report
    )
    for name in ("classifier", "volume rule", "IsolationForest"):
        assert f"| {name} |" in report
    for figure in ("roc.png", "pr.png", "time_to_alert.png", "real_trace_tenants.png"):
        assert (report_dir / figure).read_bytes().startswith(b"\x89PNG")
    # Another artifact's evaluation never overwrites the shipped model's report.
    assert (shipped_report.stat().st_mtime_ns if shipped_report.exists() else None) == shipped_before
    after = load_verified_model(tiny_manifest).manifest  # still verifies: only the metrics changed
    assert after.sha256 == before.sha256 and after.model_version == before.model_version
    held_out = after.metrics["held_out_seeds"]
    assert held_out["benign_accounts"] + held_out["extraction_accounts"] == 60
    assert set(after.metrics) == {"evaluation", "held_out_seeds", "held_out_variants"}


def test_evaluation_refuses_seeds_the_model_was_trained_on(tiny_manifest, tmp_path):
    with pytest.raises(ValueError, match="used for training"):
        evaluate.run(arguments(tiny_manifest, "--report-dir", str(tmp_path), held_out_seeds=(1,)))
