"""Synthetic prompt text: domain vocabularies, template families and reasoning-elicitation phrasings.

Every string here is made up for the simulation; no real user prompt is used or imitated verbatim.
A prompt is a template (chosen from the account's subset of a family) whose `{slots}` are filled
from vocabularies, optionally followed by a reasoning-elicitation phrase. `prompt.text` stands for the
latest user turn only: conversation history, system prompts and retrieved context are counted in
`prompt_tokens` but not reproduced, which keeps the events small.
"""

from __future__ import annotations

import functools
import random
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from simulator.prompt_templates import QUESTION_TEMPLATES, REASONING_PHRASINGS, TEMPLATE_FAMILIES, TEMPLATE_LANGUAGES
from simulator.prompt_vocabulary import DOMAIN_EXPERTS, DOMAIN_TOPICS, SLOT_VALUES

__all__ = [
    "DOMAIN_EXPERTS", "DOMAIN_TOPICS", "DYNAMIC_SLOTS", "QUESTION_TEMPLATES", "REASONING_PHRASINGS", "SLOT_VALUES",
    "TEMPLATE_FAMILIES", "TEMPLATE_LANGUAGES", "PromptGenerator", "PromptSettings", "render", "template_slots",
]  # fmt: skip


_FORMATTER = string.Formatter()
_RECENT_PROMPTS = 64


@functools.cache
def template_slots(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in _FORMATTER.parse(template) if name)


@dataclass(frozen=True)
class PromptSettings:
    """Per-account prompt behaviour (sampled from the archetype's PromptProfile)."""

    family: str
    templates: tuple[str, ...]  # the subset of the family this account uses
    domains: tuple[str, ...]
    reasoning_share: float
    reasoning_phrasing: str
    stock_message_share: float
    item_pool: int | None  # finite benchmark: items cycle, so long runs repeat prompts exactly
    item_seed: int
    repeat_share: float = 0.0  # prompts that resend one of the recent prompts


Filler = Callable[[random.Random, str], str]


def render(template: str, rng: random.Random, domain: str) -> str:
    """Fills every slot of template: dynamic slots by their filler, the rest from SLOT_VALUES."""
    values: dict[str, str] = {}
    for slot in template_slots(template):
        fill = DYNAMIC_SLOTS.get(slot)
        values[slot] = fill(rng, domain) if fill else rng.choice(SLOT_VALUES[slot])
    return template.format_map(values)


def _document(rng: random.Random, domain: str) -> str:
    """Stand-in for retrieved passages: ids and topics only (the real context is counted in prompt_tokens)."""
    return "\n".join(
        f"[{rng.randint(1000, 99999)}] ...{rng.choice(DOMAIN_TOPICS[domain])}..." for _ in range(rng.randint(1, 4))
    )


def _question(rng: random.Random, domain: str) -> str:
    return render(rng.choice(QUESTION_TEMPLATES), rng, domain)


DYNAMIC_SLOTS: Mapping[str, Filler] = {
    "domain": lambda _rng, domain: domain,
    "topic": lambda rng, domain: rng.choice(DOMAIN_TOPICS[domain]),
    "other_topic": lambda rng, domain: rng.choice(DOMAIN_TOPICS[domain]),
    "expert": lambda _rng, domain: DOMAIN_EXPERTS[domain],
    "count": lambda rng, _domain: str(rng.randint(2, 50)),
    "line": lambda rng, _domain: str(rng.randint(1, 2400)),
    "item": lambda rng, _domain: str(rng.randint(1, 99_999)),
    "doc": _document,
    "question": _question,
}


class PromptGenerator:
    """Renders one account's prompts; deterministic given the Random instance it is handed."""

    def __init__(self, settings: PromptSettings, rng: random.Random) -> None:
        self._settings = settings
        self._rng = rng
        self._phrases = REASONING_PHRASINGS[settings.reasoning_phrasing]
        self._next_item = rng.randrange(settings.item_pool) if settings.item_pool else 0
        self._recent: list[tuple[str, str]] = []
        self.language = "en"  # of the last prompt returned

    def next_prompt(self) -> str:
        settings, rng = self._settings, self._rng
        if settings.repeat_share and self._recent and rng.random() < settings.repeat_share:
            text, self.language = rng.choice(self._recent)
            return text
        self.language = "en"
        if settings.stock_message_share and rng.random() < settings.stock_message_share:
            return rng.choice(SLOT_VALUES["stock"])
        if settings.item_pool:
            # A benchmark item renders identically every time it comes round again.
            item_rng = random.Random(settings.item_seed * 1_000_003 + self._next_item)
            self._next_item = (self._next_item + 1) % settings.item_pool
        else:
            item_rng = rng
        template = item_rng.choice(settings.templates)
        text = render(template, item_rng, item_rng.choice(settings.domains))
        if settings.reasoning_share and item_rng.random() < settings.reasoning_share:
            text = f"{text} {item_rng.choice(self._phrases)}"
        self.language = TEMPLATE_LANGUAGES.get(template, "en")
        if settings.repeat_share:
            # A short memory: resent prompts are recent ones, as retries and regenerations are.
            if len(self._recent) >= _RECENT_PROMPTS:
                self._recent[rng.randrange(_RECENT_PROMPTS)] = (text, self.language)
            else:
                self._recent.append((text, self.language))
        return text
