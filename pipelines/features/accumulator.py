"""The per-account window accumulator: what a pane of events reduces to, mergeable across panes.

Every field is a sum, a min, a sketch or a per-minute count, so merging two accumulators is exact
(up to the sketches' bounded error) and independent of event order: panes can be combined once and
reused by every sliding window that covers them.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from pipelines.contract import Params, UsageEvent
from pipelines.features.sketches import DistinctCounter, FrequentItems

# Phrasings that coerce a model into emitting its full reasoning trace (reasoning-trace harvesting).
REASONING_ELICITATION = re.compile(
    r"step[- ]by[- ]step|show (?:all |me )?(?:your |the )?(?:full |complete |entire )?(?:reasoning|work|thinking)"
    r"|chain[- ]of[- ]thought|think (?:aloud|out loud)|explain your (?:reasoning|thought process)"
    r"|reasoning trace|internal monologue|scratchpad",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
TEMPLATE_PREFIX_WORDS = 8
SATURATION = 0.9  # completion >= 90% of max_tokens: the client asked for, and took, all it could get


def template_fingerprint(text: str) -> str:
    """Prompt template key: the first words with numbers masked, so `Q17: ...` and `Q18: ...` collide."""
    prefix = " ".join(text.lower().split()[:TEMPLATE_PREFIX_WORDS])
    return _DIGITS.sub("0", prefix)


def ip_prefix(ip: str) -> str:
    """/24 for IPv4, /48 for IPv6: the unit in which proxies and cloud egress ranges rotate."""
    if ":" in ip:
        return ":".join(ip.split(":")[:3])
    return ip.rsplit(".", 1)[0]


# Plain counters and sums: merged by addition.
_SUMS: tuple[str, ...] = (
    "count", "prompt_tokens", "completion_tokens", "reasoning_tokens", "with_max_tokens", "saturated",
    "logprobs", "top_logprobs_sum", "multi_choice", "temperature_count", "temperature_sum",
    "temperature_sq_sum", "temperature_zero", "tool_use", "stream", "embeddings", "errors", "rate_limited",
    "prompt_observed", "with_text", "reasoning_elicitation",
)  # fmt: skip
_DISTINCT: tuple[str, ...] = ("api_keys", "ips", "ip_prefixes", "user_agents", "prompts")


class WindowAccumulator:
    __slots__ = (*_SUMS, *_DISTINCT, "templates", "minute_counts", "account_created_min")

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
    api_keys: DistinctCounter
    ips: DistinctCounter
    ip_prefixes: DistinctCounter
    user_agents: DistinctCounter
    prompts: DistinctCounter

    def __init__(self) -> None:
        for name in _SUMS:
            setattr(self, name, 0)
        for name in _DISTINCT:
            setattr(self, name, DistinctCounter())
        self.templates = FrequentItems()
        # Requests per event-time minute (POSIX minute number): bounded by window size / 60 entries.
        self.minute_counts: Counter[int] = Counter()
        self.account_created_min: float | None = None

    def add(self, event: UsageEvent) -> None:
        self.count += 1
        self.prompt_tokens += event.prompt_tokens
        self.completion_tokens += event.completion_tokens
        if event.reasoning_tokens:
            self.reasoning_tokens += event.reasoning_tokens
        status = event.status_code
        if status == 429:
            self.rate_limited += 1
        elif status >= 400:
            self.errors += 1
        if event.endpoint == "embeddings":
            self.embeddings += 1
        self.minute_counts[int(event.event_time.timestamp() // 60)] += 1
        self.api_keys.add(event.api_key_id)
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
        if event.account is not None and event.account.created_at is not None:
            created = event.account.created_at.timestamp()
            if self.account_created_min is None or created < self.account_created_min:
                self.account_created_min = created

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
            self.templates.add(template_fingerprint(text))
            if REASONING_ELICITATION.search(text):
                self.reasoning_elicitation += 1
        elif sha256:
            # Without text, identical prompts are the only template signal left.
            self.prompt_observed += 1
            self.prompts.add(sha256)
            self.templates.add(sha256)

    def merge(self, other: WindowAccumulator) -> WindowAccumulator:
        for name in _SUMS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in _DISTINCT:
            getattr(self, name).merge(getattr(other, name))
        self.templates.merge(other.templates)
        self.minute_counts.update(other.minute_counts)
        if other.account_created_min is not None and (
            self.account_created_min is None or other.account_created_min < self.account_created_min
        ):
            self.account_created_min = other.account_created_min
        return self

    def __getstate__(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
