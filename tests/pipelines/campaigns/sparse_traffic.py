"""Hand-built traffic for the campaign tests: a sparse campaign with no shared IP, and the hard negatives.

Every population is written down here, event by event, from a seeded generator; the detector never sees which
account belongs to which population.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from pipelines.contract import UsageEvent
from tests.events import T0, event

POPULAR_SDK = "OpenAI/Python 1.45.0"
SCAFFOLD = "You are a senior domain expert. Answer the following question exhaustively, step by step: {}"
OTHER_SCAFFOLD = "Act as a tenured professor grading an exam. Write the model answer in full detail for: {}"
COURSE_TEMPLATE = "Homework 3 for CS101, question {}: explain in your own words what {} means"
WORDS = tuple(f"{a}{b}{c}{d}" for a in "bdfgklmnprstvz" for b in "aeiou" for c in "lmnrst" for d in "aeiou")
HOUR_S = 3600


@dataclass(frozen=True)
class SparseCampaign:
    """One operator's accounts: a few requests each per 15 minutes, fired together by one scheduler."""

    size: int = 30
    ticks: int = 30  # scheduler firings over `hours`; each member joins a firing with `participation`
    hours: float = 3.0
    participation: float = 0.85
    card_group: int = 5  # members per shared card; 1: every member has its own (virtual) card
    synchronised: bool = True
    scaffold: bool = True
    wording: str = SCAFFOLD  # the scaffold's text, when it has one
    harvest: bool = True  # long outputs capped by max_tokens; False: mid-length chat answers, no cap


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _residential_ip(rng: random.Random) -> str:
    return f"{rng.choice((24, 67, 73, 98, 176))}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _at(second: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=second)


def _request(n: int, account_id: str, second: float, **fields: object) -> UsageEvent:
    return event(n, account_id=account_id, at=_at(second), **fields)


def campaign_members(spec: SparseCampaign, prefix: str = "camp") -> list[str]:
    return [f"{prefix}-{i:04d}" for i in range(spec.size)]


def campaign_events(spec: SparseCampaign, seed: int = 7, prefix: str = "camp") -> Iterator[UsageEvent]:
    rng = random.Random(seed)
    span = spec.hours * HOUR_S
    ticks = sorted(rng.uniform(0, span - 10) for _ in range(spec.ticks))
    for i, account_id in enumerate(campaign_members(spec, prefix)):
        card = f"pf_{prefix}_{i // spec.card_group}"
        created = f"2025-12-{1 + rng.randrange(28):02d}T{rng.randrange(24):02d}:00:00Z"
        times = (
            [t + rng.uniform(0, 3) for t in ticks if rng.random() < spec.participation]
            if spec.synchronised
            else sorted(rng.uniform(0, span) for _ in range(round(spec.ticks * spec.participation)))
        )
        for n, second in enumerate(times):
            text = spec.wording.format(_words(rng, 8)) if spec.scaffold else _words(rng, 14)
            profile = (
                {"params": {"max_tokens": 4096}, "prompt_tokens": 60, "completion_tokens": 4000}
                if spec.harvest
                else {"prompt_tokens": 400, "completion_tokens": 350}
            )
            yield _request(
                n, account_id, second,
                client={"ip": _residential_ip(rng), "user_agent": POPULAR_SDK},
                account={"payment_fingerprint": card, "created_at": created},
                prompt={"text": text},
                **profile,
            )  # fmt: skip


def _independent(
    rng: random.Random, account_id: str, requests: int, span: tuple[float, float], **fields: object
) -> Iterator[UsageEvent]:
    """An account of its own: requests at independent random times, prompts of its own (or `text` per request);
    a field given as a function is drawn anew for every request."""
    text = fields.pop("text", None)
    for n, second in enumerate(sorted(rng.uniform(*span) for _ in range(requests))):
        prompt = text(rng) if callable(text) else _words(rng, 14)
        drawn = {name: value(rng) if callable(value) else value for name, value in fields.items()}
        yield _request(
            n, account_id, second, prompt={"text": prompt}, prompt_tokens=400, completion_tokens=300, **drawn
        )


def company_events(accounts: int = 40, seed: int = 11) -> Iterator[UsageEvent]:
    """Many small accounts of one company behind SSO: one card, one corporate egress /24, one internal SDK."""
    rng = random.Random(seed)
    for i in range(accounts):
        yield from _independent(
            rng, f"acme-{i:03d}", 25, (0, 3 * HOUR_S),
            client={"ip": f"198.51.100.{1 + i % 250}", "user_agent": "acme-sso-gateway/3.2"},
            account={"payment_fingerprint": "pf_acme_corporate", "created_at": "2024-03-01T00:00:00Z"},
        )  # fmt: skip


def university_events(students: int = 60, seed: int = 13) -> Iterator[UsageEvent]:
    """A course's students: one campus NAT, one homework template, all in the same class hour, accounts opened
    in one lab session; each pays for itself and types at its own pace."""
    rng = random.Random(seed)
    for i in range(students):
        yield from _independent(
            rng, f"student-{i:03d}", 15, (HOUR_S, 2 * HOUR_S),
            client={"ip": f"128.32.10.{1 + i % 250}", "user_agent": POPULAR_SDK},
            account={"payment_fingerprint": f"pf_student_{i}", "created_at": f"2025-09-01T10:{i % 20:02d}:00Z"},
            text=lambda r: COURSE_TEMPLATE.format(r.randrange(1, 9), _words(r, 2)),
        )  # fmt: skip


def popular_sdk_events(accounts: int = 80, seed: int = 17) -> Iterator[UsageEvent]:
    """Unrelated developers who all run a popular open-source SDK with its default user agent."""
    rng = random.Random(seed)
    for i in range(accounts):
        yield from _independent(
            rng, f"dev-{i:03d}", 20, (0, 3 * HOUR_S),
            client={"ip": f"{20 + i}.{rng.randrange(256)}.{rng.randrange(256)}.9", "user_agent": POPULAR_SDK},
            account={"payment_fingerprint": f"pf_dev_{i}", "created_at": f"2025-{1 + i % 12:02d}-05T00:00:00Z"},
        )  # fmt: skip


def agency_events(clients: int = 50, seed: int = 19) -> Iterator[UsageEvent]:
    """An agency running many clients' accounts on its one card; each client has its own app and template."""
    rng = random.Random(seed)
    for i in range(clients):
        template = f"client {i} app: " + _words(rng, 5) + " {}"
        yield from _independent(
            rng, f"agency-client-{i:03d}", 20, (0, 3 * HOUR_S),
            client={"ip": f"{100 + i}.{rng.randrange(256)}.7.7", "user_agent": f"client-app-{i}/1.0"},
            account={"payment_fingerprint": "pf_agency_card", "created_at": f"2025-{1 + i % 12:02d}-10T00:00:00Z"},
            text=lambda r, t=template: t.format(_words(r, 6)),
        )  # fmt: skip


def remote_company_events(staff: int = 40, seed: int = 23) -> Iterator[UsageEvent]:
    """A remote company's staff on one corporate card, one internal SDK and one request template, in the same hours
    at times of their own; each from a home connection and a phone whose address changes from request to request,
    within its carrier's few /24s. Card and template link them; their addresses change often, but do not rotate
    over a new network on nearly every request as a residential proxy does."""
    rng = random.Random(seed)
    carrier = [f"100.{64 + k}.{rng.randrange(256)}" for k in range(3)]
    for i in range(staff):
        home = f"{rng.choice((24, 67, 73))}.{rng.randrange(256)}.{rng.randrange(256)}"
        for n, second in enumerate(sorted(rng.uniform(0, 3 * HOUR_S) for _ in range(20))):
            yield _request(
                n, f"remote-{i:03d}", second,
                client={"ip": f"{rng.choice([home, *carrier])}.{rng.randrange(1, 255)}",
                        "user_agent": "remoteco-assistant/2.1"},
                account={"payment_fingerprint": "pf_remoteco", "created_at": "2023-05-01T00:00:00Z"},
                prompt={"text": f"RemoteCo assistant. Summarise this ticket and propose next steps: {_words(rng, 6)}"},
                prompt_tokens=400, completion_tokens=300,
            )  # fmt: skip


def extension_user_events(users: int = 60, seed: int = 29) -> Iterator[UsageEvent]:
    """Strangers on one bring-your-own-key browser extension: its client build and its prompt template, a card
    each, a new residential address on nearly every request (privacy relays, phones)."""
    rng = random.Random(seed)
    for i in range(users):
        yield from _independent(
            rng, f"quill-{i:03d}", 12, (0, 3 * HOUR_S),
            client=lambda r: {"ip": _residential_ip(r), "user_agent": "quillpad-extension/3.4.0"},
            account={"payment_fingerprint": f"pf_quill_{i}", "created_at": f"2025-{1 + i % 12:02d}-15T00:00:00Z"},
            text=lambda r: f"Rewrite the following text so that it reads clearly and concisely: {_words(r, 8)}",
        )  # fmt: skip


HARD_NEGATIVES = {
    "company": company_events,
    "university": university_events,
    "popular_sdk": popular_sdk_events,
    "agency": agency_events,
}
