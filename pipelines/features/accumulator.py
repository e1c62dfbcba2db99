"""The per-account window accumulator: what a pane of events reduces to, mergeable across panes.

Every field is a sum, a min, a sketch or a per-minute count, so merging two accumulators is exact
(up to the sketches' bounded error) and independent of event order: panes can be combined once and
reused by every sliding window that covers them.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from operator import attrgetter

from pipelines.contract import Params, UsageEvent
from pipelines.features.sketches import BucketCounts, DistinctCounter
from pipelines.features.spec import TIER_RANKS

# Phrasings that coerce a model into emitting its full reasoning trace (reasoning-trace harvesting).
REASONING_ELICITATION = re.compile(
    r"step[- ]by[- ]step|show (?:all |me )?(?:your |the )?(?:full |complete |entire )?(?:reasoning|work|thinking)"
    r"|chain[- ]of[- ]thought|think (?:aloud|out loud)|explain your (?:reasoning|thought process)"
    r"|reasoning trace|internal monologue|scratchpad",
    re.IGNORECASE,
)
# The same alternatives for lowercased ASCII text, and a word every alternative contains.
_ELICITATION_LOWER = re.compile(REASONING_ELICITATION.pattern)
_ELICITATION_WORDS = ("step", "show", "chain", "think", "explain", "reasoning", "monologue", "scratchpad")
_DIGITS = re.compile(r"\d+")
TEMPLATE_PREFIX_WORDS = 8
SATURATION = 0.9  # completion >= 90% of max_tokens: the client asked for, and took, all it could get
# Api key ids and payment fingerprints kept verbatim per window, for scoped suppressions (pipelines/suppression.py);
# past this many per window the rest are not kept, and a suppression of one of them does not match.
MAX_IDENTITIES = 16


def template_fingerprint(text: str) -> str:
    """Prompt template key: the first words with numbers masked, so `Q17: ...` and `Q18: ...` collide."""
    return _fingerprint_of_lowered(text.lower())


def _fingerprint_of_lowered(lowered: str) -> str:
    # maxsplit: a long prompt (RAG context, code) is not split beyond the words the key uses.
    prefix = " ".join(lowered.split(None, TEMPLATE_PREFIX_WORDS)[:TEMPLATE_PREFIX_WORDS])
    return _DIGITS.sub("0", prefix)


def ip_prefix(ip: str) -> str:
    """/24 for IPv4, /48 for IPv6: the unit in which proxies and cloud egress ranges rotate."""
    if ":" in ip:
        return ":".join(ip.split(":")[:3])
    return ip.rsplit(".", 1)[0]


# Plain counters and sums: merged by addition (spelled out in `merge`, ~6x faster than a getattr loop).
_SUMS: tuple[str, ...] = (
    "count", "prompt_tokens", "completion_tokens", "reasoning_tokens", "with_max_tokens", "saturated",
    "logprobs", "top_logprobs_sum", "multi_choice", "temperature_count", "temperature_sum",
    "temperature_sq_sum", "temperature_zero", "tool_use", "stream", "embeddings", "errors", "rate_limited",
    "prompt_observed", "with_text", "reasoning_elicitation", "harvest", "returned",
)  # fmt: skip
_DISTINCT: tuple[str, ...] = ("api_keys", "ips", "ip_prefixes", "user_agents", "prompts")
_STATE: tuple[str, ...] = (
    *_SUMS, *_DISTINCT, "templates", "minute_counts", "account_created_min", "api_key_ids", "payment_fingerprints",
    "tier_rank",
)  # fmt: skip


def harvest_weight(params: Params | None) -> float:
    """Distillation targets per generated token: the token, plus each probability returned with it.

    With logprobs a position comes with its own probability and those of `top_logprobs` candidates: soft
    labels, each one a target a student is fitted to (logit distillation), so they count one by one: no
    logprobs 1, logprobs alone 2, top-5 7, top-20 22. `n` needs no factor of its own: `completion_tokens`
    already bills every one of the n choices.
    """
    if params is None or not params.logprobs:
        return 1.0
    return 2.0 + (params.top_logprobs or 0)


_get_state = attrgetter(*_STATE)


def reasoning_elicited(text: str, lowered: str) -> bool:
    """`REASONING_ELICITATION.search(text)`, ~7x cheaper on ASCII text (nearly all prompts).

    On ASCII, case-insensitive matching equals matching the lowercased text, and every alternative
    contains one of `_ELICITATION_WORDS`, so plain substring tests rule most prompts out before the
    regex runs. Non-ASCII text keeps the Unicode case-insensitive regex (e.g. the long s, U+017F, matches 's').
    """
    if not text.isascii():
        return REASONING_ELICITATION.search(text) is not None
    return any(word in lowered for word in _ELICITATION_WORDS) and _ELICITATION_LOWER.search(lowered) is not None


def _merge_bounded(mine: set[str], theirs: set[str]) -> None:
    if len(mine) + len(theirs) <= MAX_IDENTITIES:
        mine |= theirs
    else:
        mine.update(sorted(theirs - mine)[: max(0, MAX_IDENTITIES - len(mine))])


class WindowAccumulator:
    __slots__ = _STATE

    count: int
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    with_max_tokens: int
    saturated: int
    logprobs: int
    top_logprobs_sum: int
    multi_choice: int
    temperature_count: int
    temperature_sum: float
    temperature_sq_sum: float
    temperature_zero: int
    tool_use: int
    stream: int
    embeddings: int
    errors: int
    rate_limited: int
    prompt_observed: int
    with_text: int
    reasoning_elicitation: int
    # Completion + reasoning tokens weighted by `harvest_weight`: the output a distiller can train on.
    harvest: float
    # What the API hands back, weighted the same way: visible completion tokens (hidden reasoning is billed but
    # never returned) and embedded input tokens. The same measure in every modality.
    returned: float
    api_keys: DistinctCounter
    ips: DistinctCounter
    ip_prefixes: DistinctCounter
    user_agents: DistinctCounter
    prompts: DistinctCounter
    templates: BucketCounts
    # Requests per event-time minute (POSIX minute number): bounded by window size / 60 entries.
    minute_counts: Counter[int]
    account_created_min: float | None
    api_key_ids: set[str]
    payment_fingerprints: set[str]
    tier_rank: int  # highest `TIER_RANKS` entry seen (-1: none): the account's peer group

    def __init__(self) -> None:
        self.count = self.prompt_tokens = self.completion_tokens = self.reasoning_tokens = 0
        self.with_max_tokens = self.saturated = self.logprobs = self.top_logprobs_sum = self.multi_choice = 0
        self.temperature_count = self.temperature_zero = 0
        self.temperature_sum = self.temperature_sq_sum = 0.0
        self.tool_use = self.stream = self.embeddings = self.errors = self.rate_limited = 0
        self.prompt_observed = self.with_text = self.reasoning_elicitation = 0
        self.harvest = self.returned = 0.0
        self.api_keys = DistinctCounter()
        self.ips = DistinctCounter()
        self.ip_prefixes = DistinctCounter()
        self.user_agents = DistinctCounter()
        self.prompts = DistinctCounter()
        self.templates = BucketCounts()
        self.minute_counts = Counter()
        self.account_created_min = None
        self.api_key_ids = set()
        self.payment_fingerprints = set()
        self.tier_rank = -1

    def add(self, event: UsageEvent) -> None:
        self.count += 1
        self.prompt_tokens += event.prompt_tokens
        self.completion_tokens += event.completion_tokens
        output = event.completion_tokens
        if output:
            self.returned += output * harvest_weight(event.params)
        if event.reasoning_tokens:
            self.reasoning_tokens += event.reasoning_tokens
            output += event.reasoning_tokens
        if output:
            self.harvest += output * harvest_weight(event.params)
        if event.endpoint == "embeddings":
            # An embedding is a dense target for its whole input: a student learns the vector of every token sent.
            self.harvest += event.prompt_tokens
            self.returned += event.prompt_tokens
            # And it is always the whole output there is, as a capped answer is: a full-length output, so that
            # an embeddings-only window is not read as one that never asks for all it can get.
            self.with_max_tokens += 1
            self.saturated += 1
        status = event.status_code
        if status == 429:
            self.rate_limited += 1
        elif status >= 400:
            self.errors += 1
        if event.endpoint == "embeddings":
            self.embeddings += 1
        self.minute_counts[int(event.event_time.timestamp() // 60)] += 1
        self.api_keys.add(event.api_key_id)
        if len(self.api_key_ids) < MAX_IDENTITIES:
            self.api_key_ids.add(event.api_key_id)
        if (params := event.params) is not None:
            self._add_params(params, event.completion_tokens)
        if (client := event.client) is not None:
            if client.ip:
                self.ips.add(client.ip)
                self.ip_prefixes.add(ip_prefix(client.ip))
            if client.user_agent:
                self.user_agents.add(client.user_agent)
        if (prompt := event.prompt) is not None:
            self._add_prompt(prompt.text, prompt.sha256)
        if (account := event.account) is not None:
            if account.payment_fingerprint and len(self.payment_fingerprints) < MAX_IDENTITIES:
                self.payment_fingerprints.add(account.payment_fingerprint)
            if account.created_at is not None:
                created = account.created_at.timestamp()
                if self.account_created_min is None or created < self.account_created_min:
                    self.account_created_min = created
            if account.tier is not None:
                self.tier_rank = max(self.tier_rank, TIER_RANKS.get(account.tier, -1))

    def _add_params(self, params: Params, completion_tokens: int) -> None:
        if params.max_tokens:
            self.with_max_tokens += 1
            if completion_tokens >= SATURATION * params.max_tokens:
                self.saturated += 1
        if params.logprobs:
            self.logprobs += 1
            self.top_logprobs_sum += params.top_logprobs or 0
        if params.n is not None and params.n > 1:
            self.multi_choice += 1
        if params.temperature is not None:
            t = params.temperature
            self.temperature_count += 1
            self.temperature_sum += t
            self.temperature_sq_sum += t * t
            if t == 0:
                self.temperature_zero += 1
        if params.tools:
            self.tool_use += 1
        if params.stream:
            self.stream += 1

    def _add_prompt(self, text: str | None, sha256: str | None) -> None:
        if text:
            self.prompt_observed += 1
            self.with_text += 1
            self.prompts.add(sha256 or hashlib.sha256(text.encode()).hexdigest())
            lowered = text.lower()  # once, for the fingerprint and the elicitation test
            self.templates.add(_fingerprint_of_lowered(lowered))
            if reasoning_elicited(text, lowered):
                self.reasoning_elicitation += 1
        elif sha256:
            # Without text, identical prompts are the only template signal left.
            self.prompt_observed += 1
            self.prompts.add(sha256)
            self.templates.add(sha256)

    def merge(self, other: WindowAccumulator) -> WindowAccumulator:
        """Adds `other` into this accumulator; `other` is only read."""
        self.count += other.count
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.reasoning_tokens += other.reasoning_tokens
        self.with_max_tokens += other.with_max_tokens
        self.saturated += other.saturated
        self.logprobs += other.logprobs
        self.top_logprobs_sum += other.top_logprobs_sum
        self.multi_choice += other.multi_choice
        self.temperature_count += other.temperature_count
        self.temperature_sum += other.temperature_sum
        self.temperature_sq_sum += other.temperature_sq_sum
        self.temperature_zero += other.temperature_zero
        self.tool_use += other.tool_use
        self.stream += other.stream
        self.embeddings += other.embeddings
        self.errors += other.errors
        self.rate_limited += other.rate_limited
        self.prompt_observed += other.prompt_observed
        self.with_text += other.with_text
        self.reasoning_elicitation += other.reasoning_elicitation
        self.harvest += other.harvest
        self.returned += other.returned
        self.api_keys.merge(other.api_keys)
        self.ips.merge(other.ips)
        self.ip_prefixes.merge(other.ip_prefixes)
        self.user_agents.merge(other.user_agents)
        self.prompts.merge(other.prompts)
        self.templates.merge(other.templates)
        minutes, theirs = self.minute_counts, other.minute_counts
        # Panes of one window cover disjoint minutes: then a plain (C) dict update adds them exactly.
        if minutes.keys().isdisjoint(theirs):
            dict.update(minutes, theirs)
        else:
            minutes.update(theirs)
        if other.account_created_min is not None and (
            self.account_created_min is None or other.account_created_min < self.account_created_min
        ):
            self.account_created_min = other.account_created_min
        _merge_bounded(self.api_key_ids, other.api_key_ids)
        _merge_bounded(self.payment_fingerprints, other.payment_fingerprints)
        if other.tier_rank > self.tier_rank:
            self.tier_rank = other.tier_rank
        return self

    # A tuple in slot order: half the pickle size of a name -> value dict, and faster both ways.
    def __getstate__(self) -> tuple[object, ...]:
        return _get_state(self)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        for name, value in zip(_STATE, state, strict=True):
            setattr(self, name, value)
