"""What one account reveals in a window that could tie it to others: a bounded, mergeable summary and its tokens.

`AccountEvidence` is built per pane and merged into windows like the per-account feature accumulator: heavy-hitter
sketches of its IP prefixes, payment fingerprints, user agents and prompt shingles, per-minute request counts and
a few sums for scoring. Its size does not grow with the account's volume. `summarise` turns it into evidence
tokens (kind, value): the raw infrastructure values, and LSH band tokens for prompt templates and timing, which
carry no prompt text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from datasketches import frequent_items_error_type, frequent_strings_sketch

from pipelines.campaigns.config import CLIENT, NETWORK, PAYMENT, TEMPLATE, TIMING, CampaignConfig
from pipelines.campaigns.lsh import band_tokens, minhash, simhash_bits
from pipelines.contract import UsageEvent
from pipelines.features.accumulator import SATURATION, ip_prefix

# Prompt shingles: word 3-grams of the first 12 words, digits masked. A template's fixed wording recurs across its
# prompts while the filled-in parts vary, so an account's most frequent shingles are its templates' skeletons.
SHINGLE_WORDS = 12
SHINGLE_SIZE = 3
_DIGITS = re.compile(r"\d+")
_VALUES_LG_K = 4  # heavy-hitter map of 16 slots per kind: an account's few main IPs, cards, clients
_SHINGLES_LG_K = 6
MIN_TIMING_SWITCHES = 2  # 64 slots: enough to rank the recurring shingles of a handful of templates


def prompt_shingles(text: str) -> list[str]:
    words = _DIGITS.sub("0", " ".join(text.lower().split(maxsplit=SHINGLE_WORDS)[:SHINGLE_WORDS])).split()
    if len(words) < SHINGLE_SIZE:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + SHINGLE_SIZE]) for i in range(len(words) - SHINGLE_SIZE + 1)]


class TopValues:
    """Misra-Gries heavy hitters (Apache DataSketches): approximate counts of the most frequent values."""

    __slots__ = ("_lg_k", "_sketch")

    def __init__(self, lg_k: int) -> None:
        self._lg_k = lg_k
        self._sketch = frequent_strings_sketch(lg_k)

    def add(self, value: str) -> None:
        self._sketch.update(value)

    def merge(self, other: TopValues) -> None:
        if not other._sketch.is_empty():
            self._sketch.merge(other._sketch)

    def top(self, k: int) -> list[tuple[str, int]]:
        """Up to k (value, count lower bound), most frequent first, ties by value (deterministic).

        Lower bounds: once the map has purged, estimates can overstate, and a shingle seen once must never pass
        for a recurring one."""
        items = self._sketch.get_frequent_items(frequent_items_error_type.NO_FALSE_NEGATIVES, 0)
        return sorted(((item, lower) for item, _, lower, _ in items if lower > 0), key=lambda x: (-x[1], x[0]))[:k]

    def __getstate__(self) -> tuple[int, bytes]:
        return self._lg_k, self._sketch.serialize()

    def __setstate__(self, state: tuple[int, bytes]) -> None:
        self._lg_k, serialized = state
        self._sketch = frequent_strings_sketch.deserialize(serialized)


class AccountEvidence:
    """Mergeable per-account summary of one pane or window; merging is order-independent."""

    __slots__ = (
        "account_created_min", "agents", "completion_tokens", "minute_counts", "payments", "prefixes",
        "prompt_tokens", "requests", "saturated", "shingles", "with_max_tokens",
    )  # fmt: skip

    def __init__(self) -> None:
        self.requests = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.with_max_tokens = 0
        self.saturated = 0
        self.account_created_min: float | None = None
        self.prefixes = TopValues(_VALUES_LG_K)
        self.payments = TopValues(_VALUES_LG_K)
        self.agents = TopValues(_VALUES_LG_K)
        self.shingles = TopValues(_SHINGLES_LG_K)
        self.minute_counts: Counter[int] = Counter()  # POSIX minute -> requests; <= window minutes entries

    def add(self, event: UsageEvent) -> None:
        self.requests += 1
        self.prompt_tokens += event.prompt_tokens
        self.completion_tokens += event.completion_tokens
        self.minute_counts[int(event.timestamp // 60)] += 1
        params = event.params
        if params is not None and params.max_tokens:
            self.with_max_tokens += 1
            if event.completion_tokens >= SATURATION * params.max_tokens:
                self.saturated += 1
        if (client := event.client) is not None:
            if client.ip:
                self.prefixes.add(ip_prefix(client.ip))
            if client.user_agent:
                self.agents.add(client.user_agent)
        if (account := event.account) is not None:
            if account.payment_fingerprint:
                self.payments.add(account.payment_fingerprint)
            if account.created_at is not None:
                created = account.created_at.timestamp()
                if self.account_created_min is None or created < self.account_created_min:
                    self.account_created_min = created
        if (prompt := event.prompt) is not None:
            if prompt.text:
                for shingle in prompt_shingles(prompt.text):
                    self.shingles.add(shingle)
            elif prompt.sha256:
                # Without text only verbatim repeats can be matched.
                self.shingles.add(f"sha256:{prompt.sha256}")

    def merge(self, other: AccountEvidence) -> AccountEvidence:
        self.requests += other.requests
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.with_max_tokens += other.with_max_tokens
        self.saturated += other.saturated
        if other.account_created_min is not None and (
            self.account_created_min is None or other.account_created_min < self.account_created_min
        ):
            self.account_created_min = other.account_created_min
        for name in ("prefixes", "payments", "agents", "shingles"):
            getattr(self, name).merge(getattr(other, name))
        self.minute_counts.update(other.minute_counts)
        return self

    def __getstate__(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            setattr(self, name, value)


class Token(NamedTuple):
    kind: str
    value: str


@dataclass(frozen=True)
class AccountProfile:
    """The account's activity in the window, as cluster scoring aggregates it."""

    requests: int
    prompt_tokens: int
    completion_tokens: int
    with_max_tokens: int
    saturated: int
    account_age_days: float | None


@dataclass(frozen=True)
class AccountSummary:
    tokens: tuple[Token, ...]
    profile: AccountProfile


def activity_vector(minute_counts: Counter[int], window_start: float, window_end: float, slot_s: int) -> np.ndarray:
    """1.0 for each `slot_s` slot of the window in which the account sent anything, else 0.0."""
    slots = max(1, round((window_end - window_start) / slot_s))
    active = np.zeros(slots)
    for minute, count in minute_counts.items():
        slot = int((minute * 60 - window_start) // slot_s)
        if count and 0 <= slot < slots:
            active[slot] = 1.0
    return active


def _value_tokens(kind: str, values: TopValues, requests: int, config: CampaignConfig) -> list[Token]:
    floor = config.min_value_share * requests
    return [Token(kind, value) for value, count in values.top(config.top_values) if count >= floor]


def evidence_tokens(
    evidence: AccountEvidence, window_start: float, window_end: float, config: CampaignConfig
) -> tuple[Token, ...]:
    """At most 3 * top_values + template_bands + timing_bands tokens, sorted; each appears once."""
    tokens = [
        *_value_tokens(NETWORK, evidence.prefixes, evidence.requests, config),
        *_value_tokens(PAYMENT, evidence.payments, evidence.requests, config),
        *_value_tokens(CLIENT, evidence.agents, evidence.requests, config),
    ]
    # Recurring shingles only: a shingle seen once is content, not template.
    recurring = [s for s, count in evidence.shingles.top(config.template_shingles) if count >= 2]
    if len(recurring) >= config.min_template_shingles:
        signature = minhash(recurring, config.template_bands * config.template_rows)
        tokens += [Token(TEMPLATE, band) for band in band_tokens(signature, config.template_bands)]
    if evidence.requests >= config.min_timing_requests:
        active = activity_vector(evidence.minute_counts, window_start, window_end, config.timing_slot_s)
        # Only on/off structure says anything about synchrony, and a single start or stop is too common a
        # coincidence (one of window/slot positions): at least two switches are needed.
        if np.count_nonzero(np.diff(active)) >= MIN_TIMING_SWITCHES:
            bits = simhash_bits(active - active.mean(), config.timing_bands * config.timing_bits)
            tokens += [Token(TIMING, band) for band in band_tokens(bits, config.timing_bands)]
    return tuple(sorted(set(tokens)))


def summarise(
    evidence: AccountEvidence, window_start: float, window_end: float, config: CampaignConfig
) -> AccountSummary:
    created = evidence.account_created_min
    profile = AccountProfile(
        requests=evidence.requests,
        prompt_tokens=evidence.prompt_tokens,
        completion_tokens=evidence.completion_tokens,
        with_max_tokens=evidence.with_max_tokens,
        saturated=evidence.saturated,
        account_age_days=(window_end - created) / 86400 if created is not None else None,
    )
    return AccountSummary(evidence_tokens(evidence, window_start, window_end, config), profile)
