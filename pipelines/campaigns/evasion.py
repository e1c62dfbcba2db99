"""Evasion: what a cluster does to hide, which benign organisations do not do, as a second road to an alert.

Scoring otherwise needs the union of the members' traffic to look like a harvest (capped long outputs, output per
prompt token, fresh accounts, logprobs). A campaign that harvests mid-length chat answers scores under the alert
floor however coordinated it is. Two behaviours tell such a campaign from a company, a class or an agency:

* address rotation: a member whose requests come from a different network prefix nearly every time (residential
  proxies). Some people do this too (phones on the move, apps calling from end-user devices), so it counts only
  for the share of members beyond `ROTATION_BASELINE`: in a benign organisation a minority rotates, in a campaign
  run through a residential proxy network nearly every member does;
* creation bursts run in lockstep: accounts opened a few at a time within minutes (shared creation tokens held by
  `burst_support` members) that are then fired by one scheduler (shared 10-second timing tokens). A class opens
  its accounts in one lab session but its students do not send within the same seconds; a company's cron job
  fires in lockstep from accounts opened over years. The lesser of the two shares counts.

Both are read from the members' own evidence (`AccountProfile.network_prefixes`, their shared tokens), so the
cost is one pass over the members, like the rest of the cluster's features.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pipelines.campaigns.config import CREATION, TIMING, CampaignConfig
from pipelines.campaigns.evidence import AccountProfile, rotating
from pipelines.campaigns.linking import SharedToken

ROTATION_BASELINE = 0.25  # the share of rotating members a benign organisation may have at no cost
ROTATION_WEIGHT = 0.5
LOCKSTEP_BURST_WEIGHT = 0.4


def rotates(profile: AccountProfile) -> bool:
    """Requests from a different network prefix nearly every time."""
    return rotating(profile.requests, profile.network_prefixes)


def evasion_features(
    profiles: Sequence[AccountProfile], shared: Sequence[Sequence[SharedToken]], config: CampaignConfig
) -> dict[str, float]:
    """Shares of the members (their profiles and shared tokens, in one order): rotating their address, opened in
    a creation burst, running in lockstep."""
    holders = Counter(s.token for tokens in shared for s in tokens if s.token.kind in (CREATION, TIMING))

    def share(kind: str, support: int) -> float:
        held = sum(1 for tokens in shared if any(s.token.kind == kind and holders[s.token] >= support for s in tokens))
        return held / len(shared)

    return {
        "rotating_share": sum(1 for p in profiles if rotates(p)) / len(profiles),
        "burst_share": share(CREATION, config.burst_support),
        "lockstep_share": share(TIMING, 2),
    }


def evasion(features: dict[str, float]) -> float:
    """0 (nothing hidden) to 1."""
    rotation = max(0.0, features["rotating_share"] - ROTATION_BASELINE) / (1.0 - ROTATION_BASELINE)
    lockstep_burst = min(features["burst_share"], features["lockstep_share"])
    return min(1.0, ROTATION_WEIGHT * rotation + LOCKSTEP_BURST_WEIGHT * lockstep_burst)
