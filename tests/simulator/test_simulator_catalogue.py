import random

import pytest

from simulator.archetypes import ARCHETYPES, MODELS, Behaviour, Variant
from simulator.identity import USER_AGENT_FAMILIES, UTC_OFFSET_HOURS, user_agent
from simulator.prompts import (
    DOMAIN_EXPERTS,
    DOMAIN_TOPICS,
    DYNAMIC_SLOTS,
    QUESTION_TEMPLATES,
    REASONING_PHRASINGS,
    SLOT_VALUES,
    TEMPLATE_FAMILIES,
    PromptGenerator,
    PromptSettings,
    render,
    template_slots,
)

VARIANTS = [(archetype, variant) for archetype in ARCHETYPES for variant in archetype.variants]


def behaviours(variant: Variant) -> list[Behaviour]:
    return [component.behaviour for component in variant.components]


def test_every_archetype_has_a_training_variant_and_unique_names():
    assert len({archetype.name for archetype in ARCHETYPES}) == len(ARCHETYPES)
    for archetype in ARCHETYPES:
        names = [variant.name for variant in archetype.variants]
        assert len(set(names)) == len(names)
        assert any(not variant.held_out for variant in archetype.variants), archetype.name
    assert {archetype.label for archetype in ARCHETYPES} == {"benign", "extraction"}


@pytest.mark.parametrize(("archetype", "variant"), VARIANTS, ids=[f"{a.name}/{v.name}" for a, v in VARIANTS])
def test_variant_parameters_are_consistent(archetype, variant):
    assert any(component.extraction for component in variant.components) == (archetype.label == "extraction")
    identity = variant.identity
    assert set(identity.user_agent_families) <= set(USER_AGENT_FAMILIES)
    assert set(identity.countries) <= set(UTC_OFFSET_HOURS)
    for behaviour in behaviours(variant):
        assert behaviour.prompts.family in TEMPLATE_FAMILIES
        assert set(behaviour.prompts.domains) <= set(DOMAIN_TOPICS)
        assert behaviour.prompts.reasoning_phrasing in REASONING_PHRASINGS
        assert sum(behaviour.prompts.visibility) == pytest.approx(1.0)
        assert {workload.model for workload in behaviour.workloads} <= set(MODELS)
        low, high = behaviour.timing.rate_per_s
        assert 0 < low <= high
        for share in (behaviour.params.logprobs_share, behaviour.status.rate_limited_share):
            assert 0.0 <= share[0] <= share[1] <= 1.0


def test_every_template_slot_can_be_filled():
    templates = [template for family in TEMPLATE_FAMILIES.values() for template in family]
    for template in [*templates, *QUESTION_TEMPLATES]:
        for slot in template_slots(template):
            assert slot in DYNAMIC_SLOTS or slot in SLOT_VALUES, (slot, template)
    assert set(DOMAIN_EXPERTS) == set(DOMAIN_TOPICS)
    rng = random.Random(1)
    assert all("{" not in render(template, rng, "code") for template in templates)


def test_benchmark_items_repeat_exactly_when_the_pool_cycles():
    settings = PromptSettings(
        family="benchmark",
        templates=TEMPLATE_FAMILIES["benchmark"],
        domains=("math", "law"),
        reasoning_share=0.5,
        reasoning_phrasing="standard",
        stock_message_share=0.0,
        item_pool=5,
        item_seed=42,
    )
    generator = PromptGenerator(settings, random.Random(3))
    prompts = [generator.next_prompt() for _ in range(10)]
    assert prompts[:5] == prompts[5:]
    assert len(set(prompts)) == 5


def test_reasoning_share_controls_elicitation_phrases():
    def elicited_share(share: float, phrasing: str) -> float:
        settings = PromptSettings(
            family="reasoning_problem",
            templates=TEMPLATE_FAMILIES["reasoning_problem"],
            domains=("math",),
            reasoning_share=share,
            reasoning_phrasing=phrasing,
            stock_message_share=0.0,
            item_pool=None,
            item_seed=0,
        )
        generator = PromptGenerator(settings, random.Random(7))
        phrases = REASONING_PHRASINGS[phrasing]
        prompts = [generator.next_prompt() for _ in range(2000)]
        return sum(any(prompt.endswith(phrase) for phrase in phrases) for prompt in prompts) / len(prompts)

    assert elicited_share(0.0, "standard") == 0.0
    assert elicited_share(0.8, "standard") == pytest.approx(0.8, abs=0.05)
    assert elicited_share(0.5, "socratic") == pytest.approx(0.5, abs=0.05)


def test_user_agents_render_for_every_family():
    rng = random.Random(0)
    for family in USER_AGENT_FAMILIES:
        agent = user_agent(rng, family)
        assert agent and "{" not in agent
