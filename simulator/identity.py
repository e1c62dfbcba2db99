"""Synthetic identifiers and client fingerprints: ids, IPv4 addresses, user agents."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Network = Literal["cloud", "residential"]

# First octets that look like public cloud or consumer ISP space (no private, loopback, multicast or
# documentation ranges), so prefixes resemble what a gateway would log.
NETWORK_FIRST_OCTETS: Mapping[Network, tuple[int, ...]] = {
    "cloud": (3, 13, 18, 20, 34, 35, 40, 44, 52, 54, 104, 130, 141, 157),
    "residential": (24, 67, 71, 73, 76, 81, 86, 90, 92, 98, 109, 151, 176, 185, 188, 212, 213, 217),
}


@dataclass(frozen=True)
class UserAgentFamily:
    """A client library or app; `{a}` `{b}` `{c}` are version numbers drawn from the given ranges."""

    template: str
    a: tuple[int, int]
    b: tuple[int, int]
    c: tuple[int, int]
    names: tuple[str, ...] = ("",)  # fills `{name}` (app names, platforms)


# fmt: off
USER_AGENT_FAMILIES: Mapping[str, UserAgentFamily] = {
    "openai-python": UserAgentFamily("OpenAI/Python {a}.{b}.{c}", (1, 1), (30, 60), (0, 9)),
    "openai-node": UserAgentFamily("OpenAI/JS {a}.{b}.{c}", (4, 5), (20, 80), (0, 6)),
    "openai-java": UserAgentFamily("openai-java/{a}.{b}.{c}", (0, 2), (1, 20), (0, 4)),
    "go-http": UserAgentFamily("Go-http-client/{a}.{b}", (1, 2), (0, 1), (0, 0)),
    "mobile-app": UserAgentFamily(
        "{name}/{a}.{b}.{c}", (2, 9), (0, 30), (0, 12),
        ("Wordsmith (iOS 17)", "Wordsmith (Android 14)", "StudyBuddy (iOS 18)", "StudyBuddy (Android 13)",
         "ChefMate (iOS 17)", "TravelPal (Android 14)"),
    ),
    "ide-plugin": UserAgentFamily(
        "{name}/{a}.{b}.{c}", (0, 3), (0, 40), (0, 20), ("codehelper-vscode", "codehelper-jetbrains", "codehelper-nvim")
    ),
    "langchain": UserAgentFamily("langchain-openai/{a}.{b}.{c}", (0, 0), (1, 3), (0, 35)),
    "llamaindex": UserAgentFamily("llama-index/{a}.{b}.{c}", (0, 0), (10, 12), (0, 40)),
    "eval-harness": UserAgentFamily("lm-eval-harness/{a}.{b}.{c}", (0, 0), (3, 4), (0, 9)),
    "aiohttp": UserAgentFamily("Python/3.{a} aiohttp/3.{b}.{c}", (9, 12), (8, 11), (0, 9)),
    "python-requests": UserAgentFamily("python-requests/2.{b}.{c}", (2, 2), (26, 32), (0, 3)),
    "curl": UserAgentFamily("curl/{a}.{b}.{c}", (7, 8), (60, 88), (0, 1)),
    "headless-browser": UserAgentFamily(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/{a}.0.{b}.{c} "
        "Safari/537.36",
        (118, 131), (5000, 6800), (0, 200),
    ),
}
# fmt: on


def random_hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def ip_prefix(rng: random.Random, network: Network) -> str:
    """A /24 prefix such as '34.118.7'."""
    return f"{rng.choice(NETWORK_FIRST_OCTETS[network])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}"


def host_address(rng: random.Random, prefix: str) -> str:
    return f"{prefix}.{rng.randint(1, 254)}"


def user_agent(rng: random.Random, family_name: str) -> str:
    family = USER_AGENT_FAMILIES[family_name]
    return family.template.format(
        a=rng.randint(*family.a), b=rng.randint(*family.b), c=rng.randint(*family.c), name=rng.choice(family.names)
    )


# Client libraries any kind of customer uses; purpose-specific ones (IDE plugins, eval harnesses) are set
# by the archetypes that have them.
GENERIC_AGENT_FAMILIES: tuple[str, ...] = (
    "openai-python", "openai-node", "openai-java", "go-http", "aiohttp", "python-requests", "curl", "langchain",
)  # fmt: skip
ALL_TIERS: tuple[str, ...] = ("free", "tier-1", "tier-2", "tier-3", "tier-4", "tier-5", "enterprise")

# Representative UTC offset per country (hours), used to place each account's diurnal peak.
# fmt: off
UTC_OFFSET_HOURS: Mapping[str, float] = {
    "US": -6.0, "CA": -5.0, "MX": -6.0, "BR": -3.0, "GB": 0.0, "IE": 0.0, "FR": 1.0, "DE": 1.0, "NL": 1.0,
    "ES": 1.0, "IT": 1.0, "PL": 1.0, "SE": 1.0, "ZA": 2.0, "NG": 1.0, "TR": 3.0, "RU": 3.0, "IN": 5.5,
    "SG": 8.0, "CN": 8.0, "ID": 7.0, "VN": 7.0, "KR": 9.0, "JP": 9.0, "AU": 10.0,
}
# fmt: on

# Countries weighted roughly like a global API customer base (repeats raise a country's weight).
ALL_COUNTRIES: tuple[str, ...] = ("US", "US", "US", "US", *UTC_OFFSET_HOURS)
