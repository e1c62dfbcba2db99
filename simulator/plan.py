"""Planned accounts: identities, traffic streams and the ground truth, fixed before any event exists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from simulator.identity import Network
from simulator.profiles import Component, Label

Visibility = Literal["text", "hash", "none"]
VISIBILITIES: tuple[Visibility, ...] = ("text", "hash", "none")
# Spawn-key namespaces, so each purpose gets an independent random stream.
PLANNING, STREAM, CAMPAIGN, DUPLICATES, COHORT = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class GroundTruth:
    """One labels-file record. Written apart from the events, never into them."""

    account_id: str
    label: Label
    archetype: str
    variant: str
    campaign_id: str | None
    attack_onset: str | None  # RFC 3339; when the account's extraction traffic starts

    def to_record(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "label": self.label,
            "archetype": self.archetype,
            "variant": self.variant,
            "campaign_id": self.campaign_id,
            "attack_onset": self.attack_onset,
        }


@dataclass(frozen=True)
class AccountIdentity:
    account_id: str
    api_key_ids: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    user_agents: tuple[str, ...]
    countries: tuple[str, ...]
    created_at: str
    tier: str
    payment_fingerprint: str
    prompt_visibility: Visibility  # a privacy setting of the account, not of a request
    network: Network
    rotating_ip_share: float  # requests sent from a fresh address of `network` instead of `ip_addresses`


@dataclass(frozen=True)
class StreamPlan:
    """One traffic component of one account."""

    ordinal: int  # unique across the simulation; breaks event-time ties deterministically
    component: Component
    onset_minute: int
    end_minute: int | None  # the stream sends nothing from this minute on; None: until the end
    seed_key: tuple[int, ...]
    schedule_key: tuple[int, ...] | None  # shared by a synchronised campaign
    template_seed: int | None  # shared prompt templates of a campaign


@dataclass(frozen=True)
class AccountPlan:
    identity: AccountIdentity
    truth: GroundTruth
    streams: tuple[StreamPlan, ...]
    group_id: str | None = None  # the campaign or benign cohort the account belongs to


def format_time(instant: dt.datetime) -> str:
    """RFC 3339 UTC with milliseconds, e.g. 2026-01-01T00:00:01.250Z."""
    utc = instant.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"
