"""What one account reveals over the campaign horizon that could tie it to others: a bounded, mergeable summary.

`AccountEvidence` is built per pane and merged into windows like the per-account feature accumulator: heavy-hitter
sketches of its IP prefixes, payment fingerprints, user agents and prompt shingles, the set of short time slots it
was active in (capped), its creation time, distinct-prompt and distinct-prefix sketches and a few sums for scoring.
Its size does not grow with the account's volume, so a sparse account's few requests per pane add up over the whole
horizon.
`summarise` turns it into evidence tokens (kind, value): the raw infrastructure values, creation-time buckets,
and LSH band tokens for prompt templates and timing, which carry no prompt text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from datasketches import (
    compact_theta_sketch,
    frequent_items_error_type,
    frequent_strings_sketch,
    theta_union,
    update_theta_sketch,
)

from pipelines.campaigns.config import (
    CLIENT,
    CREATION,
    NETWORK,
    PAYMENT,
    ROTATION,
    TEMPLATE,
    TIMING,
    CampaignConfig,
)
from pipelines.campaigns.lsh import band_tokens, minhash
from pipelines.contract import UsageEvent
from pipelines.features.accumulator import SATURATION, ip_prefix

# Prompt shingles: word 3-grams of the first 12 words, digits masked. A template's fixed wording recurs across its
# prompts while the filled-in parts vary, so an account's most frequent shingles are its templates' skeletons.
SHINGLE_WORDS = 12
SHINGLE_SIZE = 3
_DIGITS = re.compile(r"\d+")
_VALUES_LG_K = 4  # heavy-hitter map of 16 slots per kind: an account's few main IPs, cards, clients
_SHINGLES_LG_K = 6  # 64 slots: enough to rank the recurring shingles of a handful of templates
PROMPTS_LG_K = 7  # distinct-prompt theta sketch (KMV): exact up to 128 prompts, then ~9% error; merges in any order
NETWORKS_LG_K = 5  # distinct network prefixes: exact up to 32, enough to tell one that rotates on every request
# Timing: an orchestrator fires its accounts within seconds of each other. Slots this short separate that from
# people who merely work the same hours (a class, an office), whose requests fall in different slots.
TIMING_SLOT_S = 10
# An account active in more slots is busy enough to be judged on its own (and busy accounts share slots by
# chance): its schedule is no evidence, and the slot set stays bounded.
MAX_TIMING_SLOTS = 256
ROTATION_MIN_REQUESTS = 6  # fewer requests cannot show rotation: two or three may come from anywhere
ROTATION_PREFIX_SHARE = 0.7  # distinct prefixes per request from which an account counts as rotating


def rotating(requests: int, network_prefixes: float) -> bool:
    """Requests from a different network prefix nearly every time (a residential proxy network)."""
    return requests >= ROTATION_MIN_REQUESTS and network_prefixes >= ROTATION_PREFIX_SHARE * requests


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


class DistinctValues:
    """Distinct values (prompts, network prefixes), as a theta sketch (Apache DataSketches): unions are exact set
    operations on the retained hashes, so the estimate is the same whatever the order panes and members are merged
    in."""

    __slots__ = ("_lg_k", "_merged", "_sketch")

    def __init__(self, lg_k: int = PROMPTS_LG_K) -> None:
        self._lg_k = lg_k
        self._sketch = update_theta_sketch(lg_k)
        self._merged: compact_theta_sketch | None = None  # what other accumulators brought in

    def add(self, value: str) -> None:
        self._sketch.update(value)

    def merge(self, other: DistinctValues) -> None:
        self._merged = union_of([self._merged, other._sketch.compact(), other._merged], self._lg_k)

    def compact(self) -> compact_theta_sketch:
        return union_of([self._sketch.compact(), self._merged], self._lg_k)

    def estimate(self) -> float:
        return self.compact().get_estimate()

    def __getstate__(self) -> tuple[int, bytes, bytes | None]:
        merged = self._merged.serialize() if self._merged is not None else None
        return self._lg_k, self._sketch.compact().serialize(), merged

    def __setstate__(self, state: tuple[int, bytes, bytes | None]) -> None:
        self._lg_k, own, merged = state
        self._sketch = update_theta_sketch(self._lg_k)
        self._merged = union_of(
            [compact_theta_sketch.deserialize(own), compact_theta_sketch.deserialize(merged) if merged else None],
            self._lg_k,
        )


def union_of(sketches: list[compact_theta_sketch | None], lg_k: int = PROMPTS_LG_K) -> compact_theta_sketch:
    union = theta_union(lg_k)
    for sketch in sketches:
        if sketch is not None:
            union.update(sketch)
    return union.get_result()


def union_prompt_sketches(sketches: list[bytes]) -> float:
    """Estimated distinct prompts over several accounts' serialized sketches: a campaign's coverage."""
    return union_of([compact_theta_sketch.deserialize(serialized) for serialized in sketches]).get_estimate()


class AccountEvidence:
    """Mergeable per-account summary of one pane or window; merging is order-independent."""

    __slots__ = (
        "account_created_min", "agents", "completion_tokens", "logprob_requests", "networks", "payments", "prefixes",
        "prompt_tokens", "prompts", "reasoning_tokens", "requests", "saturated", "shingles", "slots",
        "top_logprobs", "with_max_tokens",
    )  # fmt: skip

    def __init__(self) -> None:
        self.requests = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.reasoning_tokens = 0
        self.with_max_tokens = 0
        self.saturated = 0
        self.logprob_requests = 0
        self.top_logprobs = 0
        self.account_created_min: float | None = None
        self.prefixes = TopValues(_VALUES_LG_K)
        self.payments = TopValues(_VALUES_LG_K)
        self.agents = TopValues(_VALUES_LG_K)
        self.shingles = TopValues(_SHINGLES_LG_K)
        self.prompts = DistinctValues()
        self.networks = DistinctValues(NETWORKS_LG_K)  # every prefix seen, not only the top ones: rotation
        self.slots: set[int] | None = set()  # active timing slots; None once past the cap (always on)

    def _add_slot(self, slot: int) -> None:
        if self.slots is not None:
            self.slots.add(slot)
            if len(self.slots) > MAX_TIMING_SLOTS:
                self.slots = None

    def add(self, event: UsageEvent) -> None:
        self.requests += 1
        self.prompt_tokens += event.prompt_tokens
        self.completion_tokens += event.completion_tokens
        self.reasoning_tokens += event.reasoning_tokens or 0
        self._add_slot(int(event.timestamp // TIMING_SLOT_S))
        params = event.params
        if params is not None:
            if params.max_tokens:
                self.with_max_tokens += 1
                if event.completion_tokens >= SATURATION * params.max_tokens:
                    self.saturated += 1
            if params.logprobs or params.top_logprobs:
                self.logprob_requests += 1
                self.top_logprobs += params.top_logprobs or 0
        if (client := event.client) is not None:
            if client.ip:
                prefix = ip_prefix(client.ip)
                self.prefixes.add(prefix)
                self.networks.add(prefix)
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
                self.prompts.add(prompt.text)
                for shingle in prompt_shingles(prompt.text):
                    self.shingles.add(shingle)
            elif prompt.sha256:
                # Without text only verbatim repeats can be matched.
                self.prompts.add(prompt.sha256)
                self.shingles.add(f"sha256:{prompt.sha256}")

    def merge(self, other: AccountEvidence) -> AccountEvidence:
        for name in (
            "requests", "prompt_tokens", "completion_tokens", "reasoning_tokens", "with_max_tokens", "saturated",
            "logprob_requests", "top_logprobs",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.account_created_min is not None and (
            self.account_created_min is None or other.account_created_min < self.account_created_min
        ):
            self.account_created_min = other.account_created_min
        for name in ("prefixes", "payments", "agents", "shingles"):
            getattr(self, name).merge(getattr(other, name))
        self.prompts.merge(other.prompts)
        self.networks.merge(other.networks)
        if self.slots is not None:
            if other.slots is None:
                self.slots = None
            else:
                self.slots |= other.slots
                if len(self.slots) > MAX_TIMING_SLOTS:
                    self.slots = None
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
    """The account's activity over the horizon; cluster scoring adds these up over the members (their union)."""

    requests: int
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    with_max_tokens: int
    saturated: int
    logprob_requests: int
    top_logprobs: int
    account_age_days: float | None
    network_prefixes: float = 0.0  # distinct /24 (/48) prefixes the requests came from (estimate)
    prompt_sketch: bytes = field(default=b"", compare=False, repr=False)  # distinct prompts (theta sketch)

    def to_wire(self) -> tuple[Any, ...]:
        """The field values in order, which Beam's coder writes without pickling (one per account and window)."""
        return tuple(getattr(self, name) for name in _PROFILE_FIELDS)

    @classmethod
    def from_wire(cls, wire: tuple[Any, ...]) -> AccountProfile:
        return cls(*wire)


_PROFILE_FIELDS = tuple(f.name for f in fields(AccountProfile))


@dataclass(frozen=True)
class AccountSummary:
    tokens: tuple[Token, ...]
    profile: AccountProfile


def _value_tokens(kind: str, values: TopValues, requests: int, config: CampaignConfig) -> list[Token]:
    floor = max(config.min_value_count, config.min_value_share * requests)
    return [Token(kind, value) for value, count in values.top(config.top_values) if count >= floor]


def creation_tokens(created: float, bucket_s: int) -> list[Token]:
    """Two grids offset by half a bucket: accounts created less than half a bucket apart share a token."""
    half = bucket_s / 2
    return [Token(CREATION, f"a:{int(created // bucket_s)}"), Token(CREATION, f"b:{int((created + half) // bucket_s)}")]


def evidence_tokens(evidence: AccountEvidence, network_prefixes: float, config: CampaignConfig) -> tuple[Token, ...]:
    """At most 3 * top_values + template_bands + timing_bands + 3 tokens, sorted; each appears once.
    `network_prefixes` is the account's distinct-prefix estimate (`summarise` computes it once for both)."""
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
    slots = evidence.slots
    if slots is not None and len(slots) >= config.min_timing_slots:
        # Jaccard of active-slot sets: accounts fired by one scheduler share most slots, others almost none.
        signature = minhash((str(slot) for slot in slots), config.timing_bands * config.timing_rows)
        tokens += [Token(TIMING, band) for band in band_tokens(signature, config.timing_bands)]
    if rotating(evidence.requests, network_prefixes):
        tokens.append(Token(ROTATION, "rotating"))
    if evidence.account_created_min is not None:
        tokens += creation_tokens(evidence.account_created_min, config.creation_bucket_s)
    return tuple(sorted(set(tokens)))


def summarise(evidence: AccountEvidence, window_end: float, config: CampaignConfig) -> AccountSummary:
    created = evidence.account_created_min
    network_prefixes = evidence.networks.estimate()
    profile = AccountProfile(
        requests=evidence.requests,
        prompt_tokens=evidence.prompt_tokens,
        completion_tokens=evidence.completion_tokens,
        reasoning_tokens=evidence.reasoning_tokens,
        with_max_tokens=evidence.with_max_tokens,
        saturated=evidence.saturated,
        logprob_requests=evidence.logprob_requests,
        top_logprobs=evidence.top_logprobs,
        account_age_days=(window_end - created) / 86400 if created is not None else None,
        network_prefixes=network_prefixes,
        prompt_sketch=evidence.prompts.compact().serialize(),
    )
    return AccountSummary(evidence_tokens(evidence, network_prefixes, config), profile)
