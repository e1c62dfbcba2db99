"""Building blocks the archetype catalogues share: workload mixes, country lists, client families."""

from __future__ import annotations

from simulator.profiles import Behaviour, Component, Workload


def single(behaviour: Behaviour, extraction: bool) -> tuple[Component, ...]:
    """The components of an account with one traffic stream."""
    return (Component(behaviour=behaviour, extraction=extraction),)


# fmt: off
CHAT_WORKLOADS = (
    Workload("aurora-large", "chat.completions", 0.45),
    Workload("aurora-mini", "chat.completions", 0.35),
    Workload("aurora-mini", "responses", 0.12),
    Workload("aurora-reasoner", "chat.completions", 0.08),
)
CLOUD_COUNTRIES = ("US", "US", "US", "IE", "DE", "GB", "NL", "SG", "JP", "IN", "BR", "CA", "AU", "FR")
ALL_COUNTRIES = (*CLOUD_COUNTRIES, "KR", "ES", "IT", "MX", "PL", "SE", "ZA", "NG", "ID", "VN", "TR", "CN", "RU")
AUTOMATION_AGENTS = ("aiohttp", "python-requests", "openai-python")
# fmt: on
