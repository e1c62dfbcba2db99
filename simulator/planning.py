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

from simulator.archetypes import (
    ARCHETYPES,
    ARCHETYPES_BY_NAME,
    CAMPAIGN_ARCHETYPE,
    COHORT_ARCHETYPE,
    Archetype,
    Variant,
)
from simulator.campaign_planning import CoordinatedGroup, MemberInfrastructure, plan_group
from simulator.config import SimulationConfig
from simulator.identity import host_address, ip_prefix, random_hex, user_agent
from simulator.plan import (
    CAMPAIGN,
    COHORT,
    PLANNING,
    STREAM,
    VISIBILITIES,
    AccountIdentity,
    AccountPlan,
    GroundTruth,
    StreamPlan,
    format_time,
)
from simulator.sampling import apportion, log_between, log_uniform, python_rng, uniform


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
        # Campaign and cohort accounts are allocated by their sizes, the rest of each label's budget by weight.
        grouped = (CAMPAIGN_ARCHETYPE, COHORT_ARCHETYPE)
        benign = {a.name: weights[a.name] for a in ARCHETYPES if a.label == "benign" and a.name not in grouped}
        extraction = {a.name: weights[a.name] for a in ARCHETYPES if a.label == "extraction" and a.name not in grouped}
        counts = apportion(config.accounts - config.extraction_accounts - sum(self._cohort_sizes()), benign)
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
        groups = [
            (CAMPAIGN_ARCHETYPE, f"campaign-{index + 1:02d}", True, size, (CAMPAIGN, index))
            for index, size in enumerate(config.campaign_sizes)
        ] + [
            (COHORT_ARCHETYPE, f"cohort-{index + 1:02d}", False, size, (COHORT, index))
            for index, size in enumerate(self._cohort_sizes())
        ]
        for archetype_name, group_id, is_campaign, size, schedule_key in groups:
            coordinated = ARCHETYPES_BY_NAME[archetype_name]
            variants = coordinated.eligible_variants(config.held_out_variants)
            campaign_id = group_id if is_campaign else None
            group = plan_group(variants, group_id, campaign_id, size, schedule_key, config.minutes, rng)
            for _ in range(size):
                plan = self._plan_account(coordinated, group.variant, account_index, ordinal, rng, group, None)
                ordinal += len(plan.streams)
                account_index += 1
                yield plan

    def _cohort_sizes(self) -> tuple[int, ...]:
        """Benign cohorts that fit beside one account of every weighted benign archetype (small runs skip them)."""
        config = self.config
        room = config.accounts - config.extraction_accounts - sum(a.label == "benign" for a in ARCHETYPES)
        sizes: list[int] = []
        for size in config.cohort_sizes:
            if sum(sizes) + size <= room:
                sizes.append(size)
        return tuple(sizes)

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

    def _plan_account(
        self,
        archetype: Archetype,
        variant: Variant,
        account_index: int,
        first_ordinal: int,
        rng: random.Random,
        group: CoordinatedGroup | None,
        organisation: _Organisation | None,
    ) -> AccountPlan:
        config = self.config
        minutes = config.minutes
        onsets: list[int] = []
        ends: list[int | None] = []
        for component in variant.components:
            if group is not None:
                stagger = rng.uniform(0.0, group.coordination.member_stagger) * minutes
                onsets.append(min(minutes - 1, group.start_minute + int(stagger)))
            else:
                onsets.append(int(uniform(rng, component.onset_fraction) * minutes))
            lifetime = component.lifetime_fraction
            ends.append(onsets[-1] + max(1, int(uniform(rng, lifetime) * minutes)) if lifetime else None)
        member = group.next_member(rng, variant.identity) if group is not None else None
        identity = self._identity(variant, rng, group is not None, member, organisation, min(onsets))
        schedule_key = group.schedule_key if group is not None and member is not None and member.synchronised else None
        shared_templates = group is not None and group.coordination.shared_templates
        streams = tuple(
            StreamPlan(
                ordinal=first_ordinal + index,
                component=component,
                onset_minute=onset,
                end_minute=end,
                seed_key=(STREAM, account_index, index),
                schedule_key=schedule_key,
                template_seed=group.template_seed if group is not None and shared_templates else None,
            )
            for index, (component, onset, end) in enumerate(zip(variant.components, onsets, ends, strict=True))
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
            campaign_id=group.campaign_id if group is not None else None,
            attack_onset=attack_onset,
        )
        group_id = group.group_id if group is not None else None
        return AccountPlan(identity=identity, truth=truth, streams=streams, group_id=group_id)

    def _identity(
        self,
        variant: Variant,
        rng: random.Random,
        grouped: bool,
        member: MemberInfrastructure | None,
        organisation: _Organisation | None,
        first_onset_minute: int,
    ) -> AccountIdentity:
        profile = variant.identity
        account_id = f"acct_{random_hex(rng, 12)}"
        api_keys = tuple(f"key_{random_hex(rng, 16)}" for _ in range(log_between(rng, profile.api_keys)))
        if member is not None:
            prefixes, agents, payment = member.ip_prefixes, member.user_agents, member.payment_fingerprint
            rotating = member.rotating_ip_share
        else:
            prefixes = [ip_prefix(rng, profile.network) for _ in range(log_between(rng, profile.ip_prefixes))]
            families = profile.user_agent_families
            agents = [user_agent(rng, rng.choice(families)) for _ in range(log_between(rng, profile.user_agents))]
            payment = f"pf_{random_hex(rng, 16)}"
            rotating = uniform(rng, profile.rotating_ip_share) if rng.random() < profile.rotating_ip_accounts else 0.0
        if organisation is not None:
            prefixes[0] = organisation.egress_prefix
            payment = organisation.payment_fingerprint
        addresses = [
            host_address(rng, prefix) for prefix in prefixes for _ in range(log_between(rng, profile.ips_per_prefix))
        ]
        countries = rng.sample(profile.countries, log_between(rng, profile.countries_per_account))
        # Accounts exist before their first request; group accounts are created just before they start.
        first_activity = self.config.start + dt.timedelta(minutes=first_onset_minute if grouped else 0)
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
            network=profile.network,
            rotating_ip_share=rotating,
        )
