"""Event contract v1: one JSON object per API request, as emitted by the provider's API gateway.

The msgspec structs below are the single source of truth: the JSON Schema shipped in
`pipelines/schema/usage_event_v1.schema.json` is generated from them (and a test keeps the two equal).
msgspec decodes and validates in one pass in C, so the hot path pays no per-field Python checks.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec

Count = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
# Hidden reasoning is counted apart from the visible completion: the harvest features add the two and
# `reasoning_token_share` is their ratio. A gateway that reports reasoning inside the completion count
# (OpenAI-style `completion_tokens_details.reasoning_tokens`) either subtracts it before sending or runs the
# pipeline with `--reasoning-tokens included`, which subtracts it at parse (`reasoning_counted_apart`).
VisibleTokens = Annotated[
    int, msgspec.Meta(ge=0, le=2**31 - 1, description="output tokens returned, all n choices; no reasoning_tokens")
]
HiddenTokens = Annotated[
    int,
    msgspec.Meta(
        ge=0, le=2**31 - 1, description="hidden reasoning tokens: billed, not returned, not in completion_tokens"
    ),
]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
Endpoint = Literal["chat.completions", "completions", "responses", "embeddings"]
UtcTime = Annotated[dt.datetime, msgspec.Meta(tz=True)]


class Params(msgspec.Struct, frozen=True, omit_defaults=True):
    temperature: Annotated[float, msgspec.Meta(ge=0, le=10)] | None = None
    top_p: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    max_tokens: Count | None = None
    n: Annotated[int, msgspec.Meta(ge=1, le=1024)] | None = None
    logprobs: bool | None = None
    top_logprobs: Annotated[int, msgspec.Meta(ge=0, le=1024)] | None = None
    stream: bool | None = None
    tools: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | None = None


class Client(msgspec.Struct, frozen=True, omit_defaults=True):
    ip: str | None = None
    user_agent: str | None = None
    country: str | None = None


class Prompt(msgspec.Struct, frozen=True, omit_defaults=True):
    # `text` may be used to derive features inside the pipeline; it is never written to a sink.
    text: str | None = None
    sha256: str | None = None
    language: str | None = None


class AccountInfo(msgspec.Struct, frozen=True, omit_defaults=True):
    created_at: UtcTime | None = None
    tier: str | None = None
    payment_fingerprint: str | None = None


class UsageEvent(msgspec.Struct, frozen=True, omit_defaults=True):
    """One API request. Unknown fields are ignored (forward compatibility with the gateway)."""

    event_id: NonEmpty
    event_time: UtcTime
    account_id: NonEmpty
    api_key_id: NonEmpty
    model: NonEmpty
    endpoint: Endpoint
    status_code: Annotated[int, msgspec.Meta(ge=100, le=599)]
    prompt_tokens: Count
    completion_tokens: VisibleTokens
    reasoning_tokens: HiddenTokens | None = None
    latency_ms: Annotated[float, msgspec.Meta(ge=0)] | None = None
    params: Params | None = None
    client: Client | None = None
    prompt: Prompt | None = None
    account: AccountInfo | None = None

    @property
    def timestamp(self) -> float:
        """Event time as POSIX seconds (the Beam element timestamp)."""
        return self.event_time.timestamp()


_DECODER = msgspec.json.Decoder(UsageEvent)
_ENCODER = msgspec.json.Encoder()


# Event times every sink and window computation can represent (windows extend a day past an event).
EARLIEST_EVENT_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_EVENT_TIME = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def decode_event(payload: bytes | str) -> UsageEvent:
    """Decodes and validates one JSON event; raises msgspec.ValidationError / DecodeError."""
    event = _DECODER.decode(payload)
    if not EARLIEST_EVENT_TIME <= event.event_time < LATEST_EVENT_TIME:
        raise msgspec.ValidationError(
            f"event_time {event.event_time.isoformat()} outside {EARLIEST_EVENT_TIME.year}-{LATEST_EVENT_TIME.year}"
            " - `$.event_time`"
        )
    return event


# How a gateway counts hidden reasoning: apart from `completion_tokens` (the contract's own convention) or inside it.
REASONING_SEPARATE, REASONING_INCLUDED = "separate", "included"
REASONING_CONVENTIONS = (REASONING_SEPARATE, REASONING_INCLUDED)


def reasoning_counted_apart(event: UsageEvent) -> UsageEvent:
    """The event of a gateway that counts reasoning inside `completion_tokens`, in the contract's convention: its
    reasoning subtracted from the completion. Raises msgspec.ValidationError when the reasoning exceeds the
    completion said to include it (then that gateway does not count it inside)."""
    reasoning = event.reasoning_tokens
    if not reasoning:
        return event
    if reasoning > event.completion_tokens:
        raise msgspec.ValidationError(
            f"reasoning_tokens {reasoning} exceed completion_tokens {event.completion_tokens}, which "
            f"`--reasoning-tokens {REASONING_INCLUDED}` says include them - `$.reasoning_tokens`"
        )
    return msgspec.structs.replace(event, completion_tokens=event.completion_tokens - reasoning)


def encode_event(event: UsageEvent) -> bytes:
    return _ENCODER.encode(event)


def json_schema() -> dict[str, Any]:
    """The contract as JSON Schema (draft 2020-12), generated from the structs above."""
    schema = msgspec.json.schema(UsageEvent)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "distillwatch API usage event, contract v1"
    return schema


if __name__ == "__main__":
    import json
    import pathlib

    target = pathlib.Path(__file__).parent / "schema" / "usage_event_v1.schema.json"
    target.write_text(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {target}")
