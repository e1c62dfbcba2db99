"""Account archetypes: who sends traffic, and how, expressed as parameters rather than code paths.

The profile dataclasses live in `profiles.py`, the benign catalogue in `benign_catalogue.py` and the
extraction catalogue in `extraction_catalogue.py`; this module assembles the catalogue the generator
plans from. Variants marked `held_out` are only generated with `SimulationConfig.held_out_variants`, so a
model trained without them can be evaluated on unseen rates, templates, domains and infrastructures.
"""

from __future__ import annotations

from collections.abc import Mapping

from simulator.benign_catalogue import BENIGN_ARCHETYPES
from simulator.extraction_catalogue import EXTRACTION_ARCHETYPES
from simulator.profiles import (
    EMBEDDING_ENDPOINT,
    MODELS,
    REASONING_MODELS,
    Archetype,
    Behaviour,
    Component,
    Coordination,
    Endpoint,
    IdentityProfile,
    IntRange,
    Label,
    ParameterProfile,
    PromptProfile,
    Share,
    Span,
    StatusProfile,
    TimingProfile,
    TokenProfile,
    TraceService,
    Variant,
    Workload,
)

ARCHETYPES: tuple[Archetype, ...] = (*BENIGN_ARCHETYPES, *EXTRACTION_ARCHETYPES)
ARCHETYPES_BY_NAME: Mapping[str, Archetype] = {archetype.name: archetype for archetype in ARCHETYPES}
CAMPAIGN_ARCHETYPE = "distributed_campaign"

__all__ = [
    "ARCHETYPES", "ARCHETYPES_BY_NAME", "CAMPAIGN_ARCHETYPE", "EMBEDDING_ENDPOINT", "MODELS", "REASONING_MODELS",
    "Archetype", "Behaviour", "Component", "Coordination", "Endpoint", "IdentityProfile", "IntRange", "Label",
    "ParameterProfile", "PromptProfile", "Share", "Span", "StatusProfile", "TimingProfile", "TokenProfile",
    "TraceService", "Variant", "Workload",
]  # fmt: skip
