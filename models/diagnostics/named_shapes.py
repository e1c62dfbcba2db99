"""The two failure shapes issue 12 names, rebuilt by hand from its text and scored by the shipped model.

`python -m models.diagnostics.named_shapes` (a development check, not part of any protocol) builds, for a few
seeds each, one account of each shape the independent evaluation reported, and scores it as `distillwatch
detect` would: the per-window and 24 h horizon windows (`models.dataset.build_dataset`), the product's decision
(`pipelines.scoring.decide_windows`) at the manifest's threshold and request floor.

- `fresh_logprob_harvester`: a 3-hour-old account pulling top_logprobs=20 with n=2 at ~40 requests/min, 93 % of
  answers at max_tokens; every request from another address and with a prompt of its own (secondary features at
  the far end of their ranges). The issue: scored 0.12 in every window.
- `chat_app_mimic`: a distiller whose parameters look like an ordinary chat app (streaming, temperature 0.7,
  mid-length answers, a flat 24/7 rate, one address and SDK, questions over every domain). The issue: never above
  0.5.

These are shapes as the issue describes them, not the evaluation's generator, which is not available here.
Writes `models/report/NAMED_SHAPES.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec
import numpy as np

from models.campaign_scenarios import usage_event
from models.dataset import build_dataset
from models.diagnostics import command_line, write_report
from models.evaluation.config import REPORT_DIR, resolved_policy
from models.evaluation.decision import horizon_spec
from models.product import ProductModel
from pipelines.artifact import load_verified_model
from pipelines.config import DEFAULT_MODEL_MANIFEST, AlertPolicyConfig, WindowConfig
from pipelines.contract import Params, UsageEvent
from pipelines.features.spec import FEATURE_NAMES

START = dt.datetime(2026, 6, 1, tzinfo=dt.UTC).timestamp()
TOPICS = (
    "physics", "law", "cooking", "history", "python", "biology", "poetry", "finance", "medicine", "chess", "music",
    "geology", "ethics", "rust", "sql", "marketing", "gardening", "astronomy", "linguistics", "tax",
)  # fmt: skip
OPENERS = ("Can you", "Please", "How do I", "What is", "Explain")

ShapeEvents = Callable[[random.Random, str, float], list[UsageEvent]]


def fresh_logprob_harvester(rng: random.Random, account_id: str, hours: float) -> list[UsageEvent]:
    params = Params(max_tokens=1024, n=2, logprobs=True, top_logprobs=20, temperature=1.0)
    events, at = [], START
    while (at := at + rng.expovariate(40 / 60)) < START + hours * 3600:
        completion = 1024 if rng.random() < 0.93 else rng.randrange(200, 1024)
        ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        text = (
            f"{rng.choice(TOPICS)} question {rng.randrange(10**6)}: explain {rng.choice(TOPICS)} {rng.randrange(999)}"
        )
        prompt_tokens, agent = rng.randrange(50, 400), f"python-httpx/0.{rng.randrange(20, 28)}"
        created = START - 3 * 3600
        event = usage_event(account_id, len(events), at, ip, agent, account_id, created, text, prompt_tokens,
                            completion, params=params)  # fmt: skip
        events.append(event)
    return events


def chat_app_mimic(rng: random.Random, account_id: str, hours: float) -> list[UsageEvent]:
    params = Params(max_tokens=2048, temperature=0.7, stream=True)
    events = []
    for n in range(int(hours * 60 * 8)):  # 8 requests a minute, day and night
        at = START + n * 7.5 + rng.uniform(-2, 2)
        text = f"{rng.choice(OPENERS)} {rng.choice(TOPICS)} {rng.randrange(10**6)} {rng.choice(TOPICS)}"
        prompt_tokens, completion = rng.randrange(80, 600), rng.randrange(300, 700)
        created = START - 90 * 86400
        event = usage_event(account_id, n, at, "203.0.113.7", "openai-python/1.40.0", account_id, created, text,
                            prompt_tokens, completion, params=params)  # fmt: skip
        events.append(event)
    return events


SHAPES: dict[str, ShapeEvents] = {"fresh_logprob_harvester": fresh_logprob_harvester, "chat_app_mimic": chat_app_mimic}


@dataclass(frozen=True)
class ShapeResult:
    shape: str
    seed: int
    hours: float
    events: int
    windows_at_floor: int
    score_max: float
    score_median: float
    alerted_windows: int
    first_alert_min: float | None  # minutes from the account's first request to its first alerting window's end
    components: tuple[str, ...]  # of the alerting windows


def score_shape(
    shape: str, seed: int, hours: float, product: ProductModel, threshold: float, policy: AlertPolicyConfig
) -> ShapeResult:
    events = SHAPES[shape](random.Random(seed), f"{shape}-{seed}", hours)
    onset = dt.datetime.fromtimestamp(START, dt.UTC).isoformat()
    truth = [{"account_id": events[0].account_id, "label": "extraction", "archetype": shape, "attack_onset": onset}]
    window = WindowConfig()
    data = build_dataset((msgspec.to_builtins(e) for e in events), truth, window, horizon_spec(window, policy))
    scores, components = product.decide(data, threshold)
    at_floor = data.features[:, FEATURE_NAMES.index("request_count")] >= policy.min_requests
    alerting = at_floor & (scores >= threshold)
    first = float((data.window_ends[alerting].min() - events[0].timestamp) / 60) if alerting.any() else None
    return ShapeResult(
        shape, seed, hours, len(events), int(at_floor.sum()),
        float(scores[at_floor].max()) if at_floor.any() else 0.0,
        float(np.median(scores[at_floor])) if at_floor.any() else 0.0,
        int(alerting.sum()), first, tuple(sorted(set(components[alerting].tolist()))),
    )  # fmt: skip


def report(results: Sequence[ShapeResult], model_version: str, threshold: float, command: str) -> str:
    lines = [
        "# The failure shapes issue 12 names, scored by the shipped model",
        "",
        f"Made by `{command}`: model `{model_version}`, alert threshold {threshold:.3f}, request floor "
        f"{AlertPolicyConfig().min_requests}; 1 h windows every 5 min and 24 h horizon windows, as `distillwatch "
        "detect` scores them. Each row is one account of the shape (`models/diagnostics/named_shapes.py` says how "
        "each is built from the issue's text); a seed draws its arrival times, addresses and prompts.",
        "",
        "| shape | seed | hours | events | windows at the floor | max score | median score | alerting windows "
        "| first alert, min after its first request | component |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        first = f"{r.first_alert_min:.0f}" if r.first_alert_min is not None else "never"
        lines.append(
            f"| {r.shape} | {r.seed} | {r.hours:g} | {r.events:,} | {r.windows_at_floor} | {r.score_max:.3f} "
            f"| {r.score_median:.3f} | {r.alerted_windows} | {first} | {', '.join(r.components) or '-'} |"
        )
    lines.append("")
    for shape in SHAPES:
        rows = [r for r in results if r.shape == shape]
        if rows:
            alerted = sum(r.alerted_windows > 0 for r in rows)
            top = max(r.score_max for r in rows)
            lines.append(f"- `{shape}`: {alerted} of {len(rows)} accounts alerted; highest score {top:.3f}.")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL_MANIFEST, help="model manifest.json")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--hours", type=float, nargs="+", default=[3.0, 24.0])
    parser.add_argument("--output", type=Path, default=REPORT_DIR / "NAMED_SHAPES.md")
    args = parser.parse_args(argv)
    model = load_verified_model(args.model)
    policy = resolved_policy(AlertPolicyConfig(), None, model.manifest)  # as `distillwatch detect` runs it
    threshold, product = policy.alert_threshold, ProductModel.shipped(model)
    results = [
        score_shape(shape, seed, hours, product, threshold, policy)
        for shape in SHAPES
        for hours in args.hours
        for seed in args.seeds
    ]
    command = command_line("models.diagnostics.named_shapes", argv)
    return write_report(args.output, report(results, model.version, threshold, command))


if __name__ == "__main__":
    sys.exit(main())
