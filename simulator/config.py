"""What to simulate: scale, placement, label mix, campaigns and delivery faults."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from simulator.archetypes import ARCHETYPES_BY_NAME

DEFAULT_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SimulationConfig:
    seed: int = 20260101
    start: dt.datetime = DEFAULT_START
    duration_hours: float = 4.0
    accounts: int = 150
    extraction_fraction: float = 0.17
    campaign_sizes: tuple[int, ...] = (10,)  # accounts per coordinated campaign
    rate_scale: float = 1.0  # multiplies every account's request rate
    archetype_mix: Mapping[str, float] | None = None  # archetype name -> weight; None: catalogue weights
    held_out_variants: bool = False  # generate the held-out variants instead of the training ones
    duplicate_fraction: float = 0.0  # events re-delivered with the same event_id (at-least-once delivery)
    organisation_sizes: tuple[int, ...] = (3, 2)  # benign accounts sharing payment and an egress /24
    # Benign coordinated groups (one SSO company, a university class, one open-source SDK, an agency's card):
    # hard negatives for campaign linking. Cohorts that do not fit in a small run are left out.
    cohort_sizes: tuple[int, ...] = (6, 6)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if self.duration_hours <= 0 or self.accounts <= 0 or self.rate_scale <= 0:
            raise ValueError("duration_hours, accounts and rate_scale must be positive")
        if not 0.0 <= self.extraction_fraction <= 1.0 or not 0.0 <= self.duplicate_fraction < 1.0:
            raise ValueError("extraction_fraction must be in [0, 1] and duplicate_fraction in [0, 1)")
        if any(size < 1 for size in (*self.campaign_sizes, *self.cohort_sizes)):
            raise ValueError("campaign and cohort sizes must be positive")
        if sum(self.campaign_sizes) > self.extraction_accounts:
            raise ValueError(
                f"campaigns need {sum(self.campaign_sizes)} accounts but only {self.extraction_accounts} are extraction"
            )
        unknown = set(self.archetype_mix or {}) - set(ARCHETYPES_BY_NAME)
        if unknown:
            raise ValueError(f"unknown archetypes in archetype_mix: {sorted(unknown)}")

    @property
    def extraction_accounts(self) -> int:
        return round(self.accounts * self.extraction_fraction)

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.duration_hours * 60.0))
