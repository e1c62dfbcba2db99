"""Campaign scenarios for the evaluation: spread-out campaigns in which no signal is universal, and hard negatives.

Written apart from the detector and from the simulator's own campaigns. A campaign of `size` accounts, each
sending `rate` requests an hour (below the per-account floor), where every signal holds for only part of it:
some members pay with their own virtual card, the others share cards in groups; user agents are spread over
a few SDK versions, one of them a popular SDK's default; a part goes through a small proxy pool, the rest from
residential IPs that change on every request; most use one of two prompt scaffolds; a part is fired by the
campaign's scheduler (within `jitter_s` seconds), the rest at random; some accounts were opened in bursts.

Hard negatives, each a group that shares a lot but is not one operator (or is a benign one): a company's many
small accounts behind SSO (one card, one egress /24, one internal SDK), a course's students (one campus NAT,
one homework template, the same class hours, accounts opened in one lab session), developers on a popular SDK,
an agency paying for its clients' accounts with one card.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from pipelines.contract import AccountInfo, Client, Params, Prompt, UsageEvent

POPULAR_SDK = "OpenAI/Python 1.45.0"
CAMPAIGN_SDKS = (POPULAR_SDK, "OpenAI/Python 1.44.2", "httpx/0.27.0")
SCAFFOLDS = (
    "You are a world-class expert. Answer exhaustively, step by step, citing every assumption: {}",
    "Produce a complete, textbook-quality reference answer with worked examples for the question: {}",
)
COURSE_TEMPLATE = "Homework {} for CS101: explain in your own words what {} means"
WORDS = tuple(f"{a}{b}{c}{d}" for a in "bdfgklmnprstvz" for b in "aeiou" for c in "lmnrst" for d in "aeiou")
HOUR_S = 3600


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    size: int
    rate: float  # requests per member per hour
    synchronised_share: float = 0.8  # members fired by the scheduler; the others send at random times
    participation: float = 0.9  # share of the scheduler's firings a synchronised member joins
    jitter_s: float = 3.0
    virtual_card_share: float = 0.3  # members with a card of their own
    card_group: int = 10  # members per shared card among the others
    proxy_share: float = 0.2  # members behind the campaign's proxy pool; the others residential
    scaffold_share: float = 0.85
    burst_share: float = 0.5  # members opened in creation bursts of `burst_size` within minutes


@dataclass(frozen=True)
class Population:
    """Events and who is who: campaign of each member, and the benign groups (accounts related to each other)."""

    events: list[UsageEvent]
    campaign_of: dict[str, str]
    group_of: dict[str, str]  # benign account -> its organisation (related accounts); absent: on its own


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _residential_ip(rng: random.Random) -> str:
    return f"{rng.choice((24, 67, 73, 98, 176, 188))}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def usage_event(
    account_id: str, n: int, at: float, ip: str, agent: str, payment: str, created: float, text: str,
    prompt_tokens: int, completion_tokens: int, max_tokens: int | None = None, *, params: Params | None = None,
) -> UsageEvent:  # fmt: skip
    """One chat request; `params` (default: `max_tokens` alone, if given) are the request's parameters."""
    if params is None and max_tokens:
        params = Params(max_tokens=max_tokens)
    return UsageEvent(
        event_id=f"{account_id}-{n}",
        event_time=dt.datetime.fromtimestamp(at, dt.UTC),
        account_id=account_id,
        api_key_id=f"key-{account_id}",
        model="frontier-1",
        endpoint="chat.completions",
        status_code=200,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        params=params,
        client=Client(ip=ip, user_agent=agent),
        prompt=Prompt(text=text),
        account=AccountInfo(created_at=dt.datetime.fromtimestamp(created, dt.UTC), payment_fingerprint=payment),
    )


def spread_evenly(rng: random.Random, count: int, span: float) -> list[float]:
    slot = span / count
    return [k * slot + rng.uniform(0, slot) for k in range(count)]


def campaign_events(spec: CampaignSpec, start: float, hours: float, seed: int) -> Iterator[UsageEvent]:
    rng = random.Random(seed)
    span = hours * HOUR_S
    requests = max(1, round(spec.rate * hours))
    # The scheduler spreads its firings evenly (load balancing): one at a random moment of each equal slot.
    ticks = spread_evenly(rng, round(requests / spec.participation), span - spec.jitter_s)
    proxies = [f"45.{rng.randrange(256)}.{rng.randrange(256)}" for _ in range(4)]
    burst_start = start - rng.uniform(5, 60) * 86400  # each campaign opens its accounts on days of its own
    for i in range(spec.size):
        account_id = f"{spec.name}-{i:04d}"
        own_card = rng.random() < spec.virtual_card_share
        payment = f"pf_{account_id}_virtual" if own_card else f"pf_{spec.name}_{i // spec.card_group}"
        agent = rng.choice(CAMPAIGN_SDKS)
        proxied = rng.random() < spec.proxy_share
        scaffold = rng.choice(SCAFFOLDS) if rng.random() < spec.scaffold_share else None
        if rng.random() < spec.burst_share:
            created = burst_start + (i // 20) * 3 * HOUR_S + rng.uniform(0, 240)
        else:
            created = start - rng.uniform(1, 60) * 86400
        if rng.random() < spec.synchronised_share:
            times = [t + rng.uniform(0, spec.jitter_s) for t in ticks if rng.random() < spec.participation]
        else:
            times = spread_evenly(rng, requests, span)
        for n, second in enumerate(times):
            ip = f"{rng.choice(proxies)}.{rng.randrange(1, 255)}" if proxied else _residential_ip(rng)
            question = _words(rng, 8)
            text = scaffold.format(question) if scaffold else f"{question} {_words(rng, 6)}"
            yield usage_event(account_id, n, start + second, ip, agent, payment, created, text, 70, 3900, 4096)


def _independent(
    rng: random.Random, account_id: str, requests: int, span: tuple[float, float], ip: str, agent: str,
    payment: str, created: float, template: str | None = None,
) -> Iterator[UsageEvent]:  # fmt: skip
    for n, second in enumerate(sorted(rng.uniform(*span) for _ in range(requests))):
        text = template.format(rng.randrange(1, 9), _words(rng, 2)) if template else _words(rng, 14)
        yield usage_event(account_id, n, second, ip, agent, payment, created, text, 400, rng.randrange(50, 900))


def hard_negatives(start: float, hours: float, seed: int, scale: float = 1.0) -> Population:
    rng = random.Random(seed)
    end = start + hours * HOUR_S
    events: list[UsageEvent] = []
    group_of: dict[str, str] = {}
    for i in range(round(200 * scale)):  # one company behind SSO: related accounts
        account_id = f"acme-{i:04d}"
        group_of[account_id] = "acme"
        events += _independent(
            rng, account_id, rng.randrange(10, 60), (start, end), f"198.51.100.{1 + i % 250}",
            "acme-sso-gateway/3.2", "pf_acme_corporate", start - 400 * 86400,
        )  # fmt: skip
    class_start = start + 2 * HOUR_S
    for i in range(round(150 * scale)):  # a course's students, each on their own
        events += _independent(
            rng, f"student-{i:04d}", rng.randrange(5, 40), (class_start, class_start + HOUR_S),
            f"128.32.{10 + i // 250}.{1 + i % 250}", POPULAR_SDK, f"pf_student_{i}",
            start - 30 * 86400 + rng.uniform(0, 1200), COURSE_TEMPLATE,
        )  # fmt: skip
    for i in range(round(500 * scale)):  # developers on a popular SDK
        ip = f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        events += _independent(
            rng, f"dev-{i:04d}", rng.randrange(3, 60), (start, end), ip, POPULAR_SDK, f"pf_dev_{i}",
            start - rng.uniform(1, 700) * 86400,
        )  # fmt: skip
    for i in range(round(100 * scale)):  # an agency's clients on its card, each with its own app and template
        template = f"client {i} app: {_words(rng, 5)} {{}} {{}}"
        events += _independent(
            rng, f"agency-client-{i:04d}", rng.randrange(5, 60), (start, end),
            f"{rng.randrange(1, 224)}.{rng.randrange(256)}.7.7", f"client-app-{i}/1.0", "pf_agency_card",
            start - rng.uniform(1, 700) * 86400, template,
        )  # fmt: skip
    return Population(events, {}, group_of)
