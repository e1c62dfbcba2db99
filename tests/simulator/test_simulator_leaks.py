"""Knobs that say nothing about intent must not be drawn differently for the two labels."""

import collections

from pipelines.features.accumulator import REASONING_ELICITATION
from simulator.archetypes import ARCHETYPES
from simulator.generator import Simulation, SimulationConfig
from simulator.prompts import REASONING_PHRASINGS

TRIGGER_FREE_PHRASINGS = ("socratic",)


def test_phrasings_described_as_trigger_free_contain_no_trigger_word():
    for phrasing in TRIGGER_FREE_PHRASINGS:
        for phrase in REASONING_PHRASINGS[phrasing]:
            assert REASONING_ELICITATION.search(phrase) is None, phrase


def test_every_catalogue_entry_has_the_same_privacy_setting_distribution():
    visibilities = {
        component.behaviour.prompts.visibility
        for archetype in ARCHETYPES
        for variant in archetype.variants
        for component in variant.components
    }
    assert len(visibilities) == 1


def test_hidden_prompts_are_as_common_for_extraction_as_for_benign_accounts():
    """Drawn per account, so a large plan shows similar hash-only / no-text shares for both labels."""
    for held_out in (False, True):
        simulation = Simulation(
            SimulationConfig(seed=11, accounts=3000, extraction_fraction=0.3, held_out_variants=held_out)
        )
        hidden: dict[str, list[bool]] = collections.defaultdict(list)
        for account in simulation.accounts:
            hidden[account.truth.label].append(account.identity.prompt_visibility != "text")
        shares = {label: sum(flags) / len(flags) for label, flags in hidden.items()}
        assert 0.2 < shares["benign"] < 0.5
        assert abs(shares["benign"] - shares["extraction"]) < 0.06, shares
