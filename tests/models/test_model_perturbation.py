from pathlib import Path

import pytest

from models.evaluation.perturbation import (
    RATE_REFERENCE,
    REFERENCE,
    PerturbationConfig,
    SweepPoint,
    SweepResult,
    catalogue_variant,
    perturb_family,
    sweep_specs,
)
from models.evaluation.perturbation_report import write_perturbation_report
from simulator.archetypes import ARCHETYPES_BY_NAME

CRAWLER = ARCHETYPES_BY_NAME["distillation_crawler"]
CONSUMER, HOBBYIST = catalogue_variant(REFERENCE), catalogue_variant(RATE_REFERENCE)


def extraction_behaviour(strength: float):
    variant = perturb_family(CRAWLER, CONSUMER, HOBBYIST, strength).variants[0]
    return variant, variant.components[0].behaviour


def test_strength_zero_leaves_the_family_as_the_catalogue_has_it():
    assert perturb_family(CRAWLER, CONSUMER, HOBBYIST, 0.0) == CRAWLER


def test_strength_one_gives_the_secondary_knobs_the_reference_values():
    variant, behaviour = extraction_behaviour(1.0)
    target = CONSUMER.components[0].behaviour
    assert variant.identity.ip_prefixes == CONSUMER.identity.ip_prefixes
    assert variant.identity.user_agents == CONSUMER.identity.user_agents
    assert variant.identity.account_age_days == pytest.approx(CONSUMER.identity.account_age_days)
    assert behaviour.params.stream_share == pytest.approx(target.params.stream_share)
    assert behaviour.params.temperatures == target.params.temperatures
    assert behaviour.prompts.templates == target.prompts.templates
    # The rate moves toward the hobbyist's, never above the family's own.
    hobbyist_rate = HOBBYIST.components[0].behaviour.timing.rate_per_s
    assert behaviour.timing.rate_per_s == pytest.approx(hobbyist_rate)


def test_what_the_family_harvests_never_moves():
    original = CRAWLER.variants[0].components[0].behaviour
    _, behaviour = extraction_behaviour(1.0)
    assert behaviour.completion_tokens == original.completion_tokens
    assert behaviour.prompt_tokens == original.prompt_tokens
    assert behaviour.params.max_tokens == original.params.max_tokens
    assert behaviour.params.max_tokens_share == original.params.max_tokens_share
    assert behaviour.params.n_share == original.params.n_share
    assert behaviour.prompts.family == original.prompts.family


def test_halfway_ranges_lie_between_the_ends():
    _, half = extraction_behaviour(0.5)
    low, high = (
        CRAWLER.variants[0].components[0].behaviour.params.stream_share,
        CONSUMER.components[0].behaviour.params.stream_share,
    )
    assert half.params.stream_share == pytest.approx(((low[0] + high[0]) / 2, (low[1] + high[1]) / 2))


def test_benign_components_of_a_mixed_variant_are_not_perturbed():
    warm_start = next(v for v in CRAWLER.variants if v.name == "warm_start")
    moved = next(v for v in perturb_family(CRAWLER, CONSUMER, HOBBYIST, 1.0).variants if v.name == "warm_start")
    assert moved.components[0] == warm_start.components[0]  # the hobbyist phase before the attack
    assert moved.components[1] != warm_start.components[1]


def test_every_strength_of_a_family_replays_the_same_seed():
    _, runs = sweep_specs(PerturbationConfig(scale=0.1))
    crawler = [spec for family, _, spec in runs if family == "distillation_crawler"]
    assert len(crawler) == 5 and len({spec.seed for spec in crawler}) == 1
    assert len({spec.catalogue for spec in crawler}) == 5


def test_report_has_a_row_per_family_and_the_command(tmp_path: Path):
    points = tuple(SweepPoint("crawler", s, 10, round(10 * (1 - s)), 1 - s) for s in (0.0, 0.25, 0.5, 0.75, 1.0))
    result = SweepResult(PerturbationConfig(report_dir=tmp_path), "test-model", points, 100, 0, 30.0)
    report = write_perturbation_report(result, "distillwatch evaluate --protocol perturbation").read_text()
    assert "`distillwatch evaluate --protocol perturbation`" in report
    assert "| crawler | 10 | 1.000 [" in report and "1.00 / 0.75 / 0.50 / 0.25 / 0.00 |" in report
    assert (tmp_path / "perturbation_recall.png").read_bytes().startswith(b"\x89PNG")
