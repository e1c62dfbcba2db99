"""Campaigns in the shape the independent evaluation reported, with one signal at a time taken away or weakened.

The reported shape (issue 13): a few requests per account per 15 minutes, residential IPs that differ on every
request, payment instruments shared in groups, one SDK, one prompt scaffold, synchronised timing. `Shape` holds
one field per signal; its defaults are that shape, and `models/campaign_robustness` changes one field per
condition. Written apart from `campaign_scenarios` (whose campaigns mix every signal at once) so that each
signal's part can be read off alone.

Two benign groups for the evasion evidence are added to the hard negatives: a remote company's staff on one
corporate card, one internal SDK and one request template, on home and mobile connections whose addresses change
often; and the users of a bring-your-own-key browser extension, strangers who share its client build and its
prompt template and who send, each on a card of their own, from a new address nearly every time (privacy relays,
mobile networks): every sign of a campaign on a residential proxy network but a link that seeds a cluster.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass

import msgspec

from models.campaign_scenarios import SCAFFOLDS, WORDS, spread_evenly, usage_event
from pipelines.contract import Prompt, UsageEvent

HOUR_S = 3600
CAMPAIGN_SDK = "python-httpx/0.27.2"  # the campaign's one client build (not a popular default)
PROXY_PREFIXES = 8  # /24s of a rented proxy pool
CLOUD_PREFIXES = 2  # /24s of a cloud provider's egress
SYNC_JITTER_S = 2.0
PARTICIPATION = 0.9  # share of the scheduler's firings a member joins
NETWORKS = ("residential", "proxy_pool", "cloud")
TIMINGS = ("synchronised", "minute", "unsynchronised")
SCAFFOLD_MODES = ("one", "per_member", "none")
PROFILES = ("harvest", "chat")
CREATIONS = ("spread", "bursts")
REMOTE_TEMPLATE = "RemoteCo assistant. Summarise this ticket for the on-call engineer and propose next steps: {}"
EXTENSION_TEMPLATE = "Rewrite the following text so that it reads clearly and concisely, keeping its meaning: {}"
EXTENSION_AGENT = "quillpad-extension/3.4.0"


@dataclass(frozen=True)
class Shape:
    """One field per signal; the defaults are the independent evaluation's campaign."""

    per_15min: float = 2.0  # requests per member per 15 minutes (8 an hour: below the per-account floor)
    network: str = "residential"  # a fresh residential address per request | proxy_pool | cloud
    card_group: int = 10  # members per shared card; 0: every member pays with a virtual card of its own
    agent: str = CAMPAIGN_SDK  # the one user agent of every member
    scaffold: str = "one"  # one | per_member: each member rewords it its own way | none: free text
    prompt_text: bool = True  # False: the gateway sends prompt hashes only
    timing: str = "synchronised"  # within 2 s | minute: the same minute, any second | unsynchronised
    profile: str = "harvest"  # long outputs capped by max_tokens | chat: mid-length answers, no cap
    creation: str = "spread"  # accounts opened over two months | bursts: twenty at a time within minutes

    def __post_init__(self) -> None:
        for value, allowed in (
            (self.network, NETWORKS), (self.timing, TIMINGS), (self.scaffold, SCAFFOLD_MODES),
            (self.profile, PROFILES), (self.creation, CREATIONS),
        ):  # fmt: skip
            if value not in allowed:
                raise ValueError(f"{value!r} is not one of {allowed}")


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _residential_ip(rng: random.Random) -> str:
    first = rng.choice((24, 67, 73, 98, 174, 176, 188))  # residential ISPs' ranges
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _reworded(scaffold: str, rng: random.Random) -> str:
    """The scaffold as one member rewords it (spintax): three of its first twelve words replaced by words of its
    own, so its shingles overlap another member's only in part."""
    words = scaffold.split()
    for position in rng.sample(range(min(12, len(words) - 1)), 3):
        words[position] = rng.choice(WORDS)
    return " ".join(words)


def _times(shape: Shape, ticks: list[float], span: float, rng: random.Random) -> list[float]:
    if shape.timing == "unsynchronised":
        return spread_evenly(rng, len(ticks), span)
    if shape.timing == "minute":  # the scheduler's minute, at a second of the member's own
        return [(t // 60) * 60 + rng.uniform(0, 60) for t in ticks if rng.random() < PARTICIPATION]
    return [t + rng.uniform(0, SYNC_JITTER_S) for t in ticks if rng.random() < PARTICIPATION]


def shaped_campaign(name: str, size: int, shape: Shape, start: float, hours: float, seed: int) -> Iterator[UsageEvent]:
    rng = random.Random(seed)
    span = hours * HOUR_S
    # The scheduler spreads its firings evenly (load balancing): one at a random moment of each equal slot.
    ticks = spread_evenly(rng, round(shape.per_15min * 4 * hours), span - 60)
    pool = {
        "proxy_pool": [f"45.{rng.randrange(256)}.{rng.randrange(256)}" for _ in range(PROXY_PREFIXES)],
        "cloud": [f"34.{rng.randrange(64, 128)}.{rng.randrange(256)}" for _ in range(CLOUD_PREFIXES)],
    }.get(shape.network, [])
    scaffold = SCAFFOLDS[seed % len(SCAFFOLDS)]
    burst_start = start - rng.uniform(5, 60) * 86400
    for i in range(size):
        account_id = f"{name}-{i:04d}"
        payment = f"pf_{account_id}_virtual" if shape.card_group == 0 else f"pf_{name}_{i // shape.card_group}"
        own_scaffold = _reworded(scaffold, rng) if shape.scaffold == "per_member" else scaffold
        if shape.creation == "bursts":
            created = burst_start + (i // 20) * 3 * HOUR_S + rng.uniform(0, 240)
        else:
            created = start - rng.uniform(1, 60) * 86400
        for n, second in enumerate(_times(shape, ticks, span, rng)):
            ip = f"{rng.choice(pool)}.{rng.randrange(1, 255)}" if pool else _residential_ip(rng)
            question = _words(rng, 8)
            text = own_scaffold.format(question) if shape.scaffold != "none" else f"{question} {_words(rng, 6)}"
            if shape.profile == "harvest":
                tokens: tuple[int, int, int | None] = (70, rng.randrange(3850, 4097), 4096)
            else:
                tokens = (rng.randrange(150, 700), rng.randrange(120, 650), None)
            event = usage_event(account_id, n, start + second, ip, shape.agent, payment, created, text, *tokens)
            if not shape.prompt_text:
                event = _without_text(event)
            yield event


def _without_text(event: UsageEvent) -> UsageEvent:
    text = event.prompt.text if event.prompt else ""
    return msgspec.structs.replace(event, prompt=Prompt(sha256=hashlib.sha256((text or "").encode()).hexdigest()))


def remote_company(start: float, hours: float, seed: int, size: int = 100) -> Iterator[UsageEvent]:
    """A remote company's staff (related accounts): one corporate card, one internal SDK and request template,
    working the same hours at times of their own, each from a home connection and a mobile carrier's ranges;
    on mobile the address changes from request to request, within the carrier's few /24s."""
    rng = random.Random(seed)
    carriers = [[f"{first}.{rng.randrange(256)}.{rng.randrange(256)}" for _ in range(3)] for first in (100, 172)]
    for i in range(size):
        account_id = f"remote-{i:04d}"
        created = start - rng.uniform(60, 900) * 86400
        home, mobile = _residential_ip(rng).rsplit(".", 1)[0], rng.choice(carriers)
        for n, second in enumerate(sorted(rng.uniform(0, hours * HOUR_S) for _ in range(rng.randrange(8, 40)))):
            prefix = home if rng.random() < 0.5 else rng.choice(mobile)
            text = REMOTE_TEMPLATE.format(_words(rng, 6))
            yield usage_event(
                account_id, n, start + second, f"{prefix}.{rng.randrange(1, 255)}", "remoteco-assistant/2.1",
                "pf_remoteco_corp", created, text, rng.randrange(200, 900), rng.randrange(100, 700),
            )  # fmt: skip


def extension_users(start: float, hours: float, seed: int, size: int = 300) -> Iterator[UsageEvent]:
    """Strangers (unrelated accounts) using one bring-your-own-key browser extension: its client build and prompt
    template, a card each, a fresh address on nearly every request, at times of their own."""
    rng = random.Random(seed)
    for i in range(size):
        account_id = f"quill-{i:04d}"
        created = start - rng.uniform(1, 900) * 86400
        for n, second in enumerate(sorted(rng.uniform(0, hours * HOUR_S) for _ in range(rng.randrange(6, 30)))):
            text = EXTENSION_TEMPLATE.format(_words(rng, 10))
            yield usage_event(
                account_id, n, start + second, _residential_ip(rng), EXTENSION_AGENT, f"pf_{account_id}", created,
                text, rng.randrange(60, 400), rng.randrange(60, 400),
            )  # fmt: skip
