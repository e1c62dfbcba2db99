"""A modified catalogue given to `simulate_mix` is the one the simulator plans and generates from."""

from dataclasses import replace

from models.evaluation.simulation import MixSpec, simulate_mix
from pipelines.config import WindowConfig
from simulator.archetypes import ARCHETYPES

FAMILY = "distillation_crawler"


def _slowed(archetype, factor):
    def slow(component):
        timing = component.behaviour.timing
        rate = tuple(r * factor for r in timing.rate_per_s)
        return replace(component, behaviour=replace(component.behaviour, timing=replace(timing, rate_per_s=rate)))

    variants = tuple(replace(v, components=tuple(slow(c) for c in v.components)) for v in archetype.variants)
    return replace(archetype, variants=variants)


def test_a_swapped_catalogue_changes_what_is_generated():
    only = tuple((a.name, 1.0 if a.name == FAMILY else 0.0) for a in ARCHETYPES if a.label == "extraction")
    common = {"seed": 41, "accounts": 20, "hours": 1.0, "archetype_mix": only, "extraction_fraction": 1.0}
    slowed = tuple(_slowed(a, 0.05) if a.name == FAMILY else a for a in ARCHETYPES)
    plain = simulate_mix(MixSpec("plain", campaign_sizes=(), **common), WindowConfig())
    swapped = simulate_mix(MixSpec("slow", campaign_sizes=(), catalogue=slowed, **common), WindowConfig())
    requests = {name: data.features[:, 0].sum() for name, data in (("plain", plain), ("slow", swapped))}
    assert requests["slow"] < 0.5 * requests["plain"], requests
