"""The robustness protocols end to end through `distillwatch evaluate`, on the tiny model at a tiny scale."""

import argparse

from models import evaluate
from pipelines.artifact import ModelManifest
from simulator.archetypes import ARCHETYPES, CAMPAIGN_ARCHETYPE


def arguments(manifest, report_dir, *extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    return parser.parse_args(["--model", str(manifest), "--report-dir", str(report_dir), "--workers", "1", *extra])


def test_lofo_writes_a_row_per_family_and_leaves_the_manifest_alone(tiny_manifest, tmp_path):
    before = ModelManifest.read(tiny_manifest)
    # Two workers (the later --workers wins): its 28 fold models are the suite's longest single test.
    options = ["--protocol", "lofo", "--scale", "0.1", "--hours", "1", "--lofo-seeds", "3001", "--workers", "2"]
    assert evaluate.run(arguments(tiny_manifest, tmp_path, *options)) == 0
    report = (tmp_path / "LOFO.md").read_text()
    assert "worst" in report and "--protocol lofo --scale 0.1 --hours 1 --lofo-seeds 3001" in report
    for archetype in ARCHETYPES:
        assert (f"| {archetype.name} |" in report) == (archetype.name != CAMPAIGN_ARCHETYPE)
    assert (tmp_path / "lofo_recall.png").read_bytes().startswith(b"\x89PNG")
    assert ModelManifest.read(tiny_manifest) == before


def test_perturbation_writes_a_row_per_extraction_family(tiny_manifest, tmp_path):
    options = ["--protocol", "perturbation", "--scale", "0.1", "--perturbation-hours", "0.5"]
    assert evaluate.run(arguments(tiny_manifest, tmp_path, *options)) == 0
    report = (tmp_path / "PERTURBATION.md").read_text()
    for archetype in ARCHETYPES:
        expected = archetype.label == "extraction" and archetype.name != CAMPAIGN_ARCHETYPE
        assert (f"| {archetype.name} |" in report) == expected
    assert (tmp_path / "perturbation_recall.png").read_bytes().startswith(b"\x89PNG")
