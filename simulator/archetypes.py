"""Account archetypes: who sends traffic, and how, expressed as parameters rather than code paths.

The profile dataclasses live in `profiles.py`; the catalogues in `benign_catalogue.py` and
`benign_workloads.py` (benign), `extraction_catalogue.py` and `extraction_reported.py` (extraction) and
`campaign_catalogue.py` (campaigns and benign cohorts); this module assembles the catalogue the
generator plans from. Variants marked `held_out` are only generated with `SimulationConfig.held_out_variants`, so a
model trained without them can be evaluated on unseen rates, templates, domains and infrastructures.
"""

from __future__ import annotations

from collections.abc import Mapping

from simulator.benign_catalogue import BENIGN_ARCHETYPES
from simulator.benign_workloads import BENIGN_WORKLOAD_ARCHETYPES
from simulator.campaign_catalogue import BENIGN_COHORT_ARCHETYPES, CAMPAIGN_ARCHETYPES
from simulator.extraction_catalogue import EXTRACTION_ARCHETYPES
from simulator.extraction_reported import REPORTED_EXTRACTION_ARCHETYPES
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

ARCHETYPES: tuple[Archetype, ...] = (
    *BENIGN_ARCHETYPES,
    *BENIGN_WORKLOAD_ARCHETYPES,
    *BENIGN_COHORT_ARCHETYPES,
    *EXTRACTION_ARCHETYPES,
    *REPORTED_EXTRACTION_ARCHETYPES,
    *CAMPAIGN_ARCHETYPES,
)
ARCHETYPES_BY_NAME: Mapping[str, Archetype] = {archetype.name: archetype for archetype in ARCHETYPES}
CAMPAIGN_ARCHETYPE = "distributed_campaign"
COHORT_ARCHETYPE = "benign_cohort"

__all__ = [
    "ARCHETYPES", "ARCHETYPES_BY_NAME", "CAMPAIGN_ARCHETYPE", "COHORT_ARCHETYPE", "EMBEDDING_ENDPOINT", "MODELS",
    "REASONING_MODELS",
    "Archetype", "Behaviour", "Component", "Coordination", "Endpoint", "IdentityProfile", "IntRange", "Label",
    "ParameterProfile", "PromptProfile", "Share", "Span", "StatusProfile", "TimingProfile", "TokenProfile",
    "TraceService", "Variant", "Workload",
]  # fmt: skip
