"""Synthetic contract-v1 traffic with exact control of the event count, account count and time span.

The simulator models behaviour faithfully but its volume follows from rates, so it cannot hit an exact
(events, accounts) point; this generator can, and writes ~10x faster. Events look like the simulator's
(same fields, similar sizes, prompt text rendered from the simulator's template families, a share of
extraction-like accounts with logprobs, saturated max_tokens and reasoning-elicitation phrasings).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from simulator.prompts import DOMAIN_TOPICS, REASONING_PHRASINGS, TEMPLATE_FAMILIES, render

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_BENIGN_FAMILIES = ("consumer_chat", "code_assist", "rag", "casual_mixed", "domain_qa", "agentic_coding")
_EXTRACTION_FAMILIES = ("broad_distill", "reasoning_problem", "logprob_probe", "synthetic_data", "benchmark")
_PROMPTS_PER_FAMILY = 400
_EXTRACTION_SHARE = 0.15
_USER_AGENTS = ("OpenAI/Python 1.51.7", "OpenAI/JS 5.21.3", "python-requests/2.31", "curl/8.5.0", "okhttp/4.12")
_COUNTRIES = ("US", "DE", "IN", "BR", "JP", "NL", "CA", "SG")
_WRITE_BATCH = 20_000


@dataclass(frozen=True)
class Workload:
    events: int
    accounts: int
    span_s: int  # event times lie in [START, START + span_s)
    # Each account is active during one session of this length at a random offset in the span (0: the
    # whole span), so many accounts need not mean many windows per event.
    session_s: int = 0
    seed: int = 7

    @property
    def name(self) -> str:
        return f"e{self.events}_a{self.accounts}_s{self.span_s}_x{self.session_s}_r{self.seed}"


@dataclass(frozen=True)
class _Account:
    account_id: str
    extraction: bool
    api_keys: tuple[str, ...]
    ips: tuple[str, ...]
    user_agent: str
    visibility: str  # text | hash | none
    family: str
    fields: dict[str, str]


def _prompt_pools(rng: random.Random) -> dict[str, list[str]]:
    domains = list(DOMAIN_TOPICS)
    return {
        family: [render(rng.choice(templates), rng, rng.choice(domains)) for _ in range(_PROMPTS_PER_FAMILY)]
        for family, templates in TEMPLATE_FAMILIES.items()
    }


def _account(index: int, rng: random.Random) -> _Account:
    extraction = rng.random() < _EXTRACTION_SHARE
    created = START - dt.timedelta(days=rng.uniform(0.5, 5) if extraction else rng.uniform(30, 900))
    subnet = f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}"
    return _Account(
        account_id=f"acct_{index:08x}",
        extraction=extraction,
        api_keys=tuple(f"key_{index:08x}_{k}" for k in range(rng.randint(1, 3))),
        ips=tuple(f"{subnet}.{rng.randint(1, 254)}" for _ in range(rng.randint(1, 12 if extraction else 3))),
        user_agent=rng.choice(_USER_AGENTS),
        visibility=rng.choices(("text", "hash", "none"), weights=(6, 3, 1))[0],
        family=rng.choice(_EXTRACTION_FAMILIES if extraction else _BENIGN_FAMILIES),
        fields={
            "created_at": f"{created:%Y-%m-%dT%H:%M:%S}.000Z",
            "tier": rng.choice(("free", "tier-1", "tier-2", "tier-3")),
            "payment_fingerprint": f"pf_{rng.getrandbits(64):016x}",
        },
    )


def _event(account: _Account, millis: int, serial: int, pools: dict[str, list[str]], rng: random.Random) -> dict:
    stamp = dt.datetime.fromtimestamp(millis // 1000, dt.UTC)
    prompt_tokens = int(rng.lognormvariate(5.5, 1.0)) + 1
    event: dict = {
        "event_id": f"{serial:016x}{rng.getrandbits(64):016x}",
        "event_time": f"{stamp:%Y-%m-%dT%H:%M:%S}.{millis % 1000:03d}Z",
        "account_id": account.account_id,
        "api_key_id": rng.choice(account.api_keys),
        "model": "aurora-reasoner" if account.extraction else "aurora-large",
        "endpoint": "chat.completions",
        "status_code": 429 if rng.random() < 0.02 else 200,
        "prompt_tokens": prompt_tokens,
    }
    if account.extraction:
        cap = 2048
        event["completion_tokens"] = int(cap * rng.uniform(0.85, 1.0))
        event["reasoning_tokens"] = int(rng.lognormvariate(6.5, 0.5))
        event["params"] = {"temperature": 0.0, "max_tokens": cap, "logprobs": True, "top_logprobs": 20}
    else:
        event["completion_tokens"] = int(rng.lognormvariate(5.0, 1.0))
        event["params"] = {"temperature": rng.choice((0.2, 0.7, 1.0)), "max_tokens": 1024, "stream": True}
    event["latency_ms"] = round(rng.lognormvariate(6.5, 0.6), 1)
    event["client"] = {
        "ip": rng.choice(account.ips),
        "user_agent": account.user_agent,
        "country": rng.choice(_COUNTRIES),
    }
    if account.visibility != "none":
        text = rng.choice(pools[account.family])
        if account.extraction and rng.random() < 0.5:
            text = f"{text} {rng.choice(REASONING_PHRASINGS['standard'])}"
        digest = hashlib.sha256(text.encode()).hexdigest()
        event["prompt"] = {"text": text, "sha256": digest} if account.visibility == "text" else {"sha256": digest}
    event["account"] = account.fields
    return event


def write_events(workload: Workload, path: Path) -> None:
    """Writes `workload.events` JSON lines in event-time order; every account sends at least one event."""
    if workload.events < workload.accounts:
        raise ValueError("need at least one event per account")
    rng = random.Random(workload.seed)
    np_rng = np.random.default_rng(workload.seed)
    pools = _prompt_pools(rng)
    accounts = [_account(i, rng) for i in range(workload.accounts)]
    owners = np.concatenate(
        [np.arange(workload.accounts), np_rng.integers(0, workload.accounts, workload.events - workload.accounts)]
    )
    session_ms = (workload.session_s or workload.span_s) * 1000
    session_starts = np_rng.integers(0, workload.span_s * 1000 - session_ms + 1, workload.accounts)
    times = session_starts[owners] + np_rng.integers(0, session_ms, workload.events)
    order = np.argsort(times, kind="stable")
    times, owners = times[order] + int(START.timestamp() * 1000), owners[order]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as sink:
        lines: list[bytes] = []
        for serial, (millis, owner) in enumerate(zip(times.tolist(), owners.tolist(), strict=True)):
            lines.append(orjson.dumps(_event(accounts[owner], millis, serial, pools, rng)))
            if len(lines) >= _WRITE_BATCH:
                sink.write(b"\n".join(lines) + b"\n")
                lines.clear()
        if lines:
            sink.write(b"\n".join(lines) + b"\n")
    partial.rename(path)  # a cached file is always complete


def cached_events(workload: Workload, directory: Path) -> Path:
    path = directory / f"{workload.name}.jsonl"
    if not path.exists():
        write_events(workload, path)
    return path
