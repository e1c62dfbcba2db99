"""Gateways that write the same traffic differently: an optional block or field left out, or hidden reasoning
counted inside `completion_tokens`. Each is a function from one raw event, as the simulator writes it, to the
event that gateway would log.

Two users: `models.diagnostics.gateway_fields` replays held-out runs through one gateway at a time, and training
with `partial_gateways` (`models.train --partial-gateways SHARE`) sends a share of the accounts through one of
the `PARTIAL_GATEWAYS`, drawn per account independently of its label, so that a missing field is traffic the
model has seen on both sides rather than a shortcut to "benign".
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

Event = dict[str, Any]
Gateway = Callable[[Event], Event]
OPTIONAL_TOP_LEVEL = ("reasoning_tokens", "latency_ms", "params", "client", "prompt", "account")


def without(block: str, field: str | None = None) -> Gateway:
    """A gateway that never sends `block` (or only that block's `field`)."""

    def change(event: Event) -> Event:
        if field is None:
            return {key: value for key, value in event.items() if key != block}
        inner = event.get(block)
        if not isinstance(inner, Mapping):
            return event
        return {**event, block: {key: value for key, value in inner.items() if key != field}}

    return change


def reasoning_inside(event: Event) -> Event:
    """A gateway that counts hidden reasoning inside `completion_tokens`, read as if it counted it apart."""
    reasoning = event.get("reasoning_tokens") or 0
    return {**event, "completion_tokens": event["completion_tokens"] + reasoning} if reasoning else event


def required_only(event: Event) -> Event:
    return {key: value for key, value in event.items() if key not in OPTIONAL_TOP_LEVEL}


def as_simulated(event: Event) -> Event:
    return event


REASONING_INSIDE = "reasoning inside `completion_tokens`, read as apart"
GATEWAYS: dict[str, Gateway] = {
    "as simulated (every field)": as_simulated,
    "no `account` block": without("account"),
    "no `account.created_at`": without("account", "created_at"),
    "no `client` block": without("client"),
    "no `prompt` block": without("prompt"),
    "no `prompt.text` (hash only)": without("prompt", "text"),
    "no `params` block": without("params"),
    "no `params.max_tokens`": without("params", "max_tokens"),
    "no `reasoning_tokens`": without("reasoning_tokens"),
    REASONING_INSIDE: reasoning_inside,
    "required fields only": required_only,
}
BASELINE = "as simulated (every field)"
# Fields a gateway may simply not have. Reasoning counted inside the completion is not among them: it is a
# convention `distillwatch detect --reasoning-tokens included` reads back, not a loss to learn around.
PARTIAL_GATEWAYS: tuple[str, ...] = tuple(name for name in GATEWAYS if name not in (BASELINE, REASONING_INSIDE))


def account_gateways(account_ids: Iterable[str], seed: int, share: float) -> dict[str, str]:
    """The partial gateway each of `share` of the accounts goes through, drawn from the account id and `seed`
    alone (never the label); accounts not in the result keep every field."""
    chosen = {}
    for account_id in account_ids:
        rng = random.Random(f"{seed}/{account_id}")
        if rng.random() < share:
            chosen[account_id] = rng.choice(PARTIAL_GATEWAYS)
    return chosen


def through_gateways(events: Iterable[Event], gateway_of: Mapping[str, str]) -> Iterator[Event]:
    """`events` with each account's through its gateway in `gateway_of` (the others unchanged)."""
    for event in events:
        name = gateway_of.get(event["account_id"])
        yield GATEWAYS[name](event) if name is not None else event
