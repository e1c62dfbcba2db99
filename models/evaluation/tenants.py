"""Legitimate tenants replayed from real production traces (Azure LLM inference, 2023), which must not alert.

Each trace row (request time, prompt tokens, completion tokens) becomes one valid usage event of the
event contract; what the trace does not record (parameters, keys, addresses, user agents, prompt text,
account age) is drawn per tenant from plausible ranges, independently of any detector. A trace is
replayed at several volumes: as one tenant, split at random across 10 and 100 tenants, and as one
tenant at twice the trace's rate. The windows go through the serving features, the model and the
pipeline's own decision: scoring with novelty and 24 h horizon windows (`models.evaluation.decision`), then
`pipelines.alerting` (threshold, request floor, cooldown).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import itertools
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.dataset import WindowDataset, build_dataset, request_counts
from models.evaluation.decision import horizon_spec
from models.evaluation.detectors import Scorer
from pipelines.alerting import ScoredWindow, decide, is_eligible
from pipelines.config import AlertPolicyConfig, WindowConfig
from simulator.identity import host_address, ip_prefix, random_hex, user_agent
from simulator.prompts import DOMAIN_TOPICS, TEMPLATE_FAMILIES, PromptGenerator, PromptSettings

TRACE_DIR = Path(__file__).resolve().parent.parent / "data" / "azure-llm-inference-2023"
TRACES = {"conv": "AzureLLMInferenceTrace_conv.csv.gz", "code": "AzureLLMInferenceTrace_code.csv.gz"}
REPLAY_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PROMPT_FAMILY = {"conv": "consumer_chat", "code": "code_assist"}
MODELS = {"conv": ("aurora-large", "aurora-mini"), "code": ("aurora-large", "aurora-mini", "aurora-reasoner")}
USER_AGENT_FAMILIES = ("openai-python", "openai-node", "openai-java", "go-http", "langchain", "ide-plugin")
TEMPERATURES = (0.0, 0.2, 0.5, 0.7, 1.0)
MAX_TOKENS = (256, 512, 1024, 2048, 4096, 8192)
COUNTRIES = ("US", "IE", "DE", "GB", "NL", "JP", "IN", "BR", "CA", "FR")


@dataclass(frozen=True)
class Volume:
    name: str
    tenants: int  # the trace's rows are split at random across this many tenants
    speedup: float  # 2.0: the trace's hour replayed in 30 minutes


VOLUMES = (
    Volume("1 tenant", 1, 1.0),
    Volume("10 tenants", 10, 1.0),
    Volume("100 tenants", 100, 1.0),
    Volume("1 tenant, 2x rate", 1, 2.0),
)


@dataclass(frozen=True)
class TraceRequest:
    offset_s: float  # from the trace's first request
    prompt_tokens: int
    completion_tokens: int


def read_trace(name: str, rows_limit: int | None = None, directory: Path = TRACE_DIR) -> list[TraceRequest]:
    with gzip.open(directory / TRACES[name], "rt", newline="") as file:
        rows = list(itertools.islice(csv.DictReader(file), rows_limit))
    # Seven fractional digits: more than datetime parses, and below the events' millisecond resolution.
    times = [dt.datetime.fromisoformat(row["TIMESTAMP"][:26]).replace(tzinfo=dt.UTC) for row in rows]
    first = min(times)
    return [
        TraceRequest((time - first).total_seconds(), int(row["ContextTokens"]), int(row["GeneratedTokens"]))
        for time, row in zip(times, rows, strict=True)
    ]


@dataclass(frozen=True)
class Tenant:
    """What the trace does not say about one tenant, drawn once."""

    account_id: str
    keys: tuple[str, ...]
    addresses: tuple[str, ...]
    user_agents: tuple[str, ...]
    country: str
    models: tuple[str, ...]
    temperatures: tuple[float, ...]
    temperature_share: float
    max_tokens_share: float
    stream_share: float
    account: dict[str, str]
    prompts: PromptGenerator

    @classmethod
    def draw(cls, rng: random.Random, account_id: str, trace: str) -> Tenant:
        prefixes = [ip_prefix(rng, "cloud") for _ in range(rng.randint(1, 6))]
        created = REPLAY_START - dt.timedelta(days=30 * 50 ** rng.random())  # 30 to 1,500 days old
        family = PROMPT_FAMILY[trace]
        templates = TEMPLATE_FAMILIES[family]
        domains = ("code",) if trace == "code" else tuple(rng.sample(sorted(DOMAIN_TOPICS), rng.randint(2, 8)))
        settings = PromptSettings(
            family=family,
            templates=tuple(rng.sample(templates, rng.randint(1, len(templates)))),
            domains=domains,
            reasoning_share=rng.uniform(0.0, 0.05),
            reasoning_phrasing="standard",
            stock_message_share=rng.uniform(0.0, 0.1) if trace == "conv" else 0.0,
            item_pool=None,
            item_seed=rng.getrandbits(62),
        )
        return cls(
            account_id=account_id,
            keys=tuple(f"key_{random_hex(rng, 16)}" for _ in range(rng.randint(1, 8))),
            addresses=tuple({host_address(rng, p) for p in prefixes for _ in range(rng.randint(1, 4))}),
            user_agents=tuple({user_agent(rng, rng.choice(USER_AGENT_FAMILIES)) for _ in range(rng.randint(1, 6))}),
            country=rng.choice(COUNTRIES),
            models=tuple(rng.sample(MODELS[trace], rng.randint(1, len(MODELS[trace])))),
            temperatures=tuple(rng.sample(TEMPERATURES, rng.randint(1, 3))),
            temperature_share=rng.uniform(0.2, 1.0),
            max_tokens_share=rng.uniform(0.0, 0.9),
            stream_share=rng.uniform(0.0, 1.0),
            account={
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "tier": rng.choice(("tier-3", "tier-4", "tier-5", "enterprise")),
                "payment_fingerprint": f"pf_{random_hex(rng, 16)}",
            },
            prompts=PromptGenerator(settings, random.Random(rng.getrandbits(62))),
        )

    def event(self, rng: random.Random, request: TraceRequest, time: dt.datetime, endpoint: str) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if rng.random() < self.temperature_share:
            params["temperature"] = rng.choice(self.temperatures)
        if rng.random() < self.max_tokens_share:
            # A cap the trace's answer fits under: the trace records what was generated.
            params["max_tokens"] = min((m for m in MAX_TOKENS if m >= request.completion_tokens), default=16384)
        if rng.random() < self.stream_share:
            params["stream"] = True
        text = self.prompts.next_prompt()
        return {
            "event_id": random_hex(rng, 32),
            "event_time": time.strftime("%Y-%m-%dT%H:%M:%S.") + f"{time.microsecond // 1000:03d}Z",
            "account_id": self.account_id,
            "api_key_id": rng.choice(self.keys),
            "model": rng.choice(self.models),
            "endpoint": endpoint,
            "status_code": 200,
            "prompt_tokens": request.prompt_tokens,
            "completion_tokens": request.completion_tokens,
            "latency_ms": round(180.0 + 12.0 * request.completion_tokens, 1),
            **({"params": params} if params else {}),
            "client": {
                "ip": rng.choice(self.addresses),
                "user_agent": rng.choice(self.user_agents),
                "country": self.country,
            },
            "prompt": {"text": text, "sha256": hashlib.sha256(text.encode()).hexdigest(), "language": "en"},
            "account": dict(self.account),
        }


def replay(
    trace: str, requests: list[TraceRequest], volume: Volume, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(events, ground truth) of one trace at one volume; every tenant is benign."""
    rng = random.Random(f"{seed}/{trace}/{volume.name}")
    prefix = f"azure-{trace}-{volume.tenants}x{volume.speedup:g}"
    tenants = [Tenant.draw(rng, f"{prefix}-{i:03d}", trace) for i in range(volume.tenants)]
    endpoint = "chat.completions" if trace == "conv" else "completions"
    events = [
        rng.choice(tenants).event(
            rng, request, REPLAY_START + dt.timedelta(seconds=request.offset_s / volume.speedup), endpoint
        )
        for request in requests
    ]
    truth = [
        {
            "account_id": t.account_id,
            "label": "benign",
            "archetype": f"azure_{trace}",
            "variant": volume.name,
            "campaign_id": None,
            "attack_onset": None,
        }
        for t in tenants
    ]
    return events, truth


@dataclass(frozen=True)
class TenantReplay:
    trace: str
    volume: Volume
    events: int
    data: WindowDataset
    window_scores: np.ndarray
    alerts: int  # what the pipeline's alert decision would emit
    alerted_tenants: int
    eligible_windows: int  # windows passing the request floor
    max_eligible_score: float  # the highest score of those (0 when there are none)

    @property
    def tenants(self) -> int:
        return len(self.data.truth)


def policy_alerts(
    data: WindowDataset,
    window_scores: np.ndarray,
    components: np.ndarray,
    window: WindowConfig,
    policy: AlertPolicyConfig,
) -> dict[str, int]:
    """Alerts per account under the pipeline's decision (threshold, request floor, cooldown)."""
    by_account: dict[str, list[ScoredWindow]] = defaultdict(list)
    counts = request_counts(data.features)
    for account, end, count, score, component in zip(
        data.account_ids.tolist(),
        data.window_ends.tolist(),
        counts.tolist(),
        window_scores.tolist(),
        components.tolist(),
        strict=True,
    ):
        scored = ScoredWindow(account, end - window.size_s, end, int(count), {}, score, "", (), component=component)
        if is_eligible(scored, policy):
            by_account[account].append(scored)
    return {account: len(decide(windows, None, policy).alerts) for account, windows in by_account.items()}


def score_replays(
    scorer: Scorer, window: WindowConfig, policy: AlertPolicyConfig, rows: int | None = None, seed: int = 0
) -> Iterator[TenantReplay]:
    for trace in TRACES:
        requests = read_trace(trace, rows)
        for volume in VOLUMES:
            events, truth = replay(trace, requests, volume, seed)
            data = build_dataset(events, truth, window, horizon_spec(window, policy))
            scores, components = scorer(data)
            alerts = policy_alerts(data, scores, components, window, policy)
            eligible = request_counts(data.features) >= policy.min_requests
            alerted = sum(1 for count in alerts.values() if count)
            top = float(scores[eligible].max(initial=0.0))
            yield TenantReplay(
                trace, volume, len(events), data, scores, sum(alerts.values()), alerted, int(eligible.sum()), top
            )
