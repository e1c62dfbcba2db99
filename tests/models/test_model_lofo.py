import math
from dataclasses import replace
from pathlib import Path

import numpy as np

from models.dataset import SimulationSpec
from models.evaluation.families import benign_result, extraction_result
from models.evaluation.lofo import Fold, LofoConfig, LofoResult, family_result, lofo_families
from models.evaluation.lofo_report import write_lofo_report
from models.evaluation.simulation import MixSpec
from simulator.archetypes import ARCHETYPES, ARCHETYPES_BY_NAME, CAMPAIGN_ARCHETYPE

INF = math.inf


def test_families_come_from_the_catalogue_so_new_ones_join_and_the_campaign_stays_out():
    added = replace(ARCHETYPES_BY_NAME["low_and_slow"], name="burn_and_replace")
    names = [family.name for family in lofo_families((*ARCHETYPES, added))]
    assert "burn_and_replace" in names and CAMPAIGN_ARCHETYPE not in names
    assert len(names) == len(ARCHETYPES)  # one added, one excluded


def test_an_extraction_family_is_judged_against_the_benign_accounts_and_a_benign_family_on_its_own():
    scores = np.array([0.9, 0.2, 0.7, 0.6, -INF, 0.1])
    archetypes = np.array(["logprob_harvest", "logprob_harvest", "low_and_slow", "rag_service", "rag_service", "x"])
    benign = np.array([False, False, False, True, True, True])
    harvest = family_result(ARCHETYPES_BY_NAME["logprob_harvest"], scores, archetypes, benign, 0.5)
    assert (harvest.accounts, harvest.alerted, harvest.benign_accounts, harvest.benign_alerted) == (2, 1, 3, 1)
    assert harvest.recall_at_target_fpr == 0.5  # no benign account may alert: the threshold clears 0.6
    rag = family_result(ARCHETYPES_BY_NAME["rag_service"], scores, archetypes, benign, 0.5)
    assert (rag.label, rag.accounts, rag.alerted, rag.alert_share) == ("benign", 2, 1, 0.5)


def test_lofo_report_leads_with_the_worst_family_and_names_its_command(tmp_path: Path):
    benign = np.array([0.1, 0.2])
    families = (
        extraction_result("crawler", np.array([0.9, 0.1]), benign, 0.5),
        extraction_result("harvest", np.array([0.9, 0.9]), benign, 0.5),
        benign_result("hobbyist", np.array([0.6, 0.1, 0.1, 0.1]), 0.5),
    )
    # The shipped model's columns are not under test here: the fold's own result stands in for them.
    folds = tuple(
        Fold(family.family, family, family, 100, 1.0, 0.5, {"supervised": family.alerted}) for family in families
    )
    result = LofoResult(
        LofoConfig(report_dir=tmp_path),
        "test-model",
        folds,
        (SimulationSpec(11, 300, 6.0),),
        (MixSpec("lofo3001", 3001, 700, 6.0),),
        benign_accounts=2,
        seconds=60.0,
    )
    report = write_lofo_report(result, "distillwatch evaluate --protocol lofo").read_text()
    assert report.startswith("# Leave-one-family-out evaluation")
    assert "`distillwatch evaluate --protocol lofo`" in report
    assert "| extraction-account recall at the policy threshold | 0.500 (crawler) | 0.750 |" in report
    assert "| a left-out benign family's own FPR at the policy threshold | 0.250 (hobbyist) | 0.250 |" in report
    assert (tmp_path / "lofo_recall.png").read_bytes().startswith(b"\x89PNG")
