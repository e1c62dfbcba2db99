"""Coordinated groups of accounts: extraction campaigns and the benign cohorts that resemble them.

A group draws its shared resources once (address ranges, payment instruments, user agents, a schedule
seed, a prompt scaffold) and hands each member only part of them, as its `Coordination` says: some
members pay with their own card, the others share one per payment group; each carries some of the
group's agents; some use the shared ranges while the rest use their own addresses (or a fresh one per
request); some follow the shared schedule. No single signal therefore links every member.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from simulator.identity import ip_prefix, random_hex, user_agent
from simulator.profiles import Coordination, IdentityProfile, Variant
from simulator.sampling import between, log_between, uniform


@dataclass(frozen=True)
class MemberInfrastructure:
    """What one member takes from its group."""

    ip_prefixes: list[str]
    user_agents: list[str]
    payment_fingerprint: str
    rotating_ip_share: float
    synchronised: bool


@dataclass
class CoordinatedGroup:
    group_id: str
    campaign_id: str | None  # ground-truth campaign of an extraction group; None for a benign cohort
    coordination: Coordination
    variant: Variant
    start_minute: int
    ip_prefixes: list[str]
    member_payments: list[str]  # one per member, in planning order
    user_agents: list[str]
    schedule_key: tuple[int, ...]
    template_seed: int
    own_card_share: float
    shared_infrastructure_share: float
    synchronised_share: float
    members_planned: int = 0

    def next_member(self, rng: random.Random, profile: IdentityProfile) -> MemberInfrastructure:
        coordination = self.coordination
        payment = self.member_payments[self.members_planned % len(self.member_payments)]
        self.members_planned += 1
        if rng.random() < self.own_card_share:
            payment = f"pf_{random_hex(rng, 16)}"  # a virtual card of its own
        agents = list(self.user_agents)
        if coordination.user_agents_per_member is not None:
            agents = rng.sample(agents, min(len(agents), log_between(rng, coordination.user_agents_per_member)))
        rotating = 0.0
        if rng.random() < self.shared_infrastructure_share:
            prefixes = rng.sample(self.ip_prefixes, min(len(self.ip_prefixes), log_between(rng, profile.ip_prefixes)))
        else:
            prefixes = [ip_prefix(rng, profile.network) for _ in range(log_between(rng, profile.ip_prefixes))]
            rotating = 1.0 if coordination.rotating_ips else 0.0
        synchronised = coordination.synchronised and rng.random() < self.synchronised_share
        return MemberInfrastructure(prefixes, agents, payment, rotating, synchronised)


def plan_group(
    variants: tuple[Variant, ...],
    group_id: str,
    campaign_id: str | None,
    size: int,
    schedule_key: tuple[int, ...],
    minutes: int,
    rng: random.Random,
) -> CoordinatedGroup:
    variant = rng.choice([v for v in variants if v.coordination is not None])
    coordination = variant.coordination
    assert coordination is not None  # filtered above; narrows the type
    identity = variant.identity
    return CoordinatedGroup(
        group_id=group_id,
        campaign_id=campaign_id,
        coordination=coordination,
        variant=variant,
        start_minute=int(uniform(rng, coordination.start_fraction) * minutes),
        ip_prefixes=[ip_prefix(rng, identity.network) for _ in range(between(rng, coordination.ip_prefixes))],
        member_payments=_member_payments(coordination, size, rng),
        user_agents=[
            user_agent(rng, rng.choice(identity.user_agent_families))
            for _ in range(between(rng, coordination.user_agents))
        ],
        schedule_key=schedule_key,
        template_seed=rng.getrandbits(63),
        own_card_share=uniform(rng, coordination.own_card_share),
        shared_infrastructure_share=uniform(rng, coordination.shared_infrastructure_share),
        synchronised_share=uniform(rng, coordination.synchronised_share),
    )


def _member_payments(coordination: Coordination, size: int, rng: random.Random) -> list[str]:
    """The shared payment instrument of each member: a pool to pick from, or consecutive groups."""
    if coordination.payment_group_size is None:
        pool = [f"pf_{random_hex(rng, 16)}" for _ in range(between(rng, coordination.payment_fingerprints))]
        return [rng.choice(pool) for _ in range(size)]
    payments: list[str] = []
    while len(payments) < size:
        payments.extend([f"pf_{random_hex(rng, 16)}"] * between(rng, coordination.payment_group_size))
    return payments[:size]
