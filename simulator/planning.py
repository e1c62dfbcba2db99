"""Account planning: which archetype and variant each account gets, its identity and its streams.

Campaign members share what their campaign's `Coordination` says; benign organisations share a payment
method and an egress range. Planning draws only from the planning generator, so the plan (and the ground
truth) is fixed before any event is generated.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from simulator.archetypes import ARCHETYPES, ARCHETYPES_BY_NAME, CAMPAIGN_ARCHETYPE, Archetype, Coordination, Variant
from simulator.config import SimulationConfig
from simulator.identity import host_address, ip_prefix, random_hex, user_agent
from simulator.plan import (
    CAMPAIGN,
    PLANNING,
    STREAM,
    VISIBILITIES,
    AccountIdentity,
    AccountPlan,
    GroundTruth,
    StreamPlan,
    format_time,
)
from simulator.sampling import apportion, between, log_uniform, python_rng, uniform


@dataclass
class _Campaign:
    campaign_id: str
    coordination: Coordination
    variant: Variant
    start_minute: int
    ip_prefixes: list[str]
    payment_fingerprints: list[str]
    user_agents: list[str]
    schedule_key: tuple[int, ...]
    template_seed: int


@dataclass
class _Organisation:
    egress_prefix: str
    payment_fingerprint: str


class AccountPlanner:
    """Plans every account of one simulation, in catalogue order."""

    def __init__(self, config: SimulationConfig) -> None:
        self.config = config

    def _archetype_counts(self) -> dict[str, int]:
        config = self.config
        mix = config.archetype_mix or {}
        weights = {archetype.name: mix.get(archetype.name, archetype.weight) for archetype in ARCHETYPES}
        benign = {a.name: weights[a.name] for a in ARCHETYPES if a.label == "benign"}
        # Campaign accounts are allocated by campaign_sizes, the rest of the extraction budget by weight.
        extraction = {
            a.name: weights[a.name] for a in ARCHETYPES if a.label == "extraction" and a.name != CAMPAIGN_ARCHETYPE
        }
        counts = apportion(config.accounts - config.extraction_accounts, benign)
        counts.update(apportion(config.extraction_accounts - sum(config.campaign_sizes), extraction))
        return counts

    def plan(self) -> Iterator[AccountPlan]:
        config = self.config
        rng = python_rng(config.seed, (PLANNING,))
        counts = self._archetype_counts()
        organisations = self._organisation_slots(counts, rng)
        ordinal = 0
        account_index = 0
        for archetype in ARCHETYPES:
            for _ in range(counts.get(archetype.name, 0)):
                variant = rng.choice(archetype.eligible_variants(config.held_out_variants))
                organisation = organisations.get(account_index)
                plan = self._plan_account(archetype, variant, account_index, ordinal, rng, None, organisation)
                ordinal += len(plan.streams)
                account_index += 1
                yield plan
        coordinated = ARCHETYPES_BY_NAME[CAMPAIGN_ARCHETYPE]
        for campaign_index, size in enumerate(config.campaign_sizes):
            campaign = self._plan_campaign(coordinated, campaign_index, rng)
            for _ in range(size):
                plan = self._plan_account(coordinated, campaign.variant, account_index, ordinal, rng, campaign, None)
                ordinal += len(plan.streams)
                account_index += 1
                yield plan

    def _organisation_slots(self, counts: Mapping[str, int], rng: random.Random) -> dict[int, _Organisation]:
        """Assigns some benign accounts to organisations that share a payment method and egress range."""
        candidates: list[int] = []
        index = 0
        for archetype in ARCHETYPES:
            if archetype.organisation_member and archetype.label == "benign":
                candidates.extend(range(index, index + counts.get(archetype.name, 0)))
            index += counts.get(archetype.name, 0)
        rng.shuffle(candidates)
        slots: dict[int, _Organisation] = {}
        for size in self.config.organisation_sizes:
            if len(candidates) < size:
                break
            organisation = _Organisation(ip_prefix(rng, "cloud"), f"pf_{random_hex(rng, 16)}")
            for _ in range(size):
                slots[candidates.pop()] = organisation
        return slots

    def _plan_campaign(self, archetype: Archetype, campaign_index: int, rng: random.Random) -> _Campaign:
        variant = rng.choice(
            [v for v in archetype.eligible_variants(self.config.held_out_variants) if v.coordination is not None]
        )
        coordination = variant.coordination
        assert coordination is not None  # filtered above; narrows the type
        network = variant.identity.network
        families = variant.identity.user_agent_families
        return _Campaign(
            campaign_id=f"campaign-{campaign_index + 1:02d}",
            coordination=coordination,
            variant=variant,
            start_minute=int(uniform(rng, coordination.start_fraction) * self.config.minutes),
            ip_prefixes=[ip_prefix(rng, network) for _ in range(between(rng, coordination.ip_prefixes))],
            payment_fingerprints=[
                f"pf_{random_hex(rng, 16)}" for _ in range(between(rng, coordination.payment_fingerprints))
            ],
            user_agents=[user_agent(rng, rng.choice(families)) for _ in range(between(rng, coordination.user_agents))],
            schedule_key=(CAMPAIGN, campaign_index),
            template_seed=rng.getrandbits(63),
        )

    def _plan_account(
        self,
        archetype: Archetype,
        variant: Variant,
        account_index: int,
        first_ordinal: int,
        rng: random.Random,
        campaign: _Campaign | None,
        organisation: _Organisation | None,
    ) -> AccountPlan:
        config = self.config
        minutes = config.minutes
        onsets: list[int] = []
        for component in variant.components:
            if campaign is not None:
                stagger = rng.uniform(0.0, campaign.coordination.member_stagger) * minutes
                onsets.append(min(minutes - 1, campaign.start_minute + int(stagger)))
            else:
                onsets.append(int(uniform(rng, component.onset_fraction) * minutes))
        identity = self._identity(variant, rng, campaign, organisation, min(onsets))
        synchronised = campaign is not None and campaign.coordination.synchronised
        streams = tuple(
            StreamPlan(
                ordinal=first_ordinal + index,
                component=component,
                onset_minute=onset,
                seed_key=(STREAM, account_index, index),
                schedule_key=campaign.schedule_key if synchronised and campaign else None,
                template_seed=campaign.template_seed if campaign and campaign.coordination.shared_templates else None,
            )
            for index, (component, onset) in enumerate(zip(variant.components, onsets, strict=True))
        )
        extraction_onsets = [s.onset_minute for s in streams if s.component.extraction]
        attack_onset = (
            format_time(config.start + dt.timedelta(minutes=min(extraction_onsets))) if extraction_onsets else None
        )
        truth = GroundTruth(
            account_id=identity.account_id,
            label=archetype.label,
            archetype=archetype.name,
            variant=variant.name,
            campaign_id=campaign.campaign_id if campaign else None,
            attack_onset=attack_onset,
        )
        return AccountPlan(identity=identity, truth=truth, streams=streams)

    def _identity(
        self,
        variant: Variant,
        rng: random.Random,
        campaign: _Campaign | None,
        organisation: _Organisation | None,
        first_onset_minute: int,
    ) -> AccountIdentity:
        profile = variant.identity
        account_id = f"acct_{random_hex(rng, 12)}"
        api_keys = tuple(f"key_{random_hex(rng, 16)}" for _ in range(between(rng, profile.api_keys)))
        if campaign is not None:
            prefixes = rng.sample(
                campaign.ip_prefixes, min(len(campaign.ip_prefixes), between(rng, profile.ip_prefixes))
            )
            agents = list(campaign.user_agents)
            payment = rng.choice(campaign.payment_fingerprints)
        else:
            prefixes = [ip_prefix(rng, profile.network) for _ in range(between(rng, profile.ip_prefixes))]
            families = profile.user_agent_families
            agents = [user_agent(rng, rng.choice(families)) for _ in range(between(rng, profile.user_agents))]
            payment = f"pf_{random_hex(rng, 16)}"
        if organisation is not None:
            prefixes[0] = organisation.egress_prefix
            payment = organisation.payment_fingerprint
        addresses = [
            host_address(rng, prefix) for prefix in prefixes for _ in range(between(rng, profile.ips_per_prefix))
        ]
        countries = rng.sample(profile.countries, between(rng, profile.countries_per_account))
        # Accounts exist before their first request; campaign accounts are created just before they start.
        first_activity = self.config.start + dt.timedelta(minutes=first_onset_minute if campaign else 0)
        created_at = first_activity - dt.timedelta(days=log_uniform(rng, profile.account_age_days))
        visibility_weights = variant.components[0].behaviour.prompts.visibility
        return AccountIdentity(
            account_id=account_id,
            api_key_ids=api_keys,
            ip_addresses=tuple(dict.fromkeys(addresses)),
            user_agents=tuple(dict.fromkeys(agents)),
            countries=tuple(dict.fromkeys(countries)),
            created_at=format_time(created_at.replace(microsecond=0)),
            tier=rng.choice(profile.tiers),
            payment_fingerprint=payment,
            prompt_visibility=rng.choices(VISIBILITIES, weights=visibility_weights)[0],
        )
