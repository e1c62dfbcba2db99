"""What detection keeps when the gateway leaves out an optional field, or counts reasoning its own way.

`python -m models.diagnostics.gateway_fields` (a development check, not part of any protocol) replays held-out
simulator runs through one gateway-wide change at a time, applied to every event of every account before the
contract decoder reads it: an optional block or field the gateway does not send, or hidden reasoning reported
inside `completion_tokens` (OpenAI-style usage) and read as contract v1 counts it, apart. Each replay is scored as
`distillwatch detect` scores it (`models.dataset.build_dataset`: 1 h windows and 24 h horizon windows; the
product's decision at the manifest's threshold and request floor). Writes `models/report/GATEWAY_FIELDS.md`.

A provider deploying distillwatch reads here which optional fields its gateway should send. The model was trained
on the simulator, whose gateway sends every field, so a missing one is traffic it never saw.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from models.dataset import build_dataset, request_counts
from models.diagnostics import command_line, write_report
from models.evaluation.config import REPORT_DIR, resolved_policy
from models.evaluation.decision import horizon_spec
from models.gateways import GATEWAYS
from models.metrics import account_scores, operating_point, recall_at_fpr
from models.product import ProductModel
from pipelines.artifact import load_verified_model
from pipelines.config import DEFAULT_MODEL_MANIFEST, AlertPolicyConfig, WindowConfig
from simulator.generator import SimulationConfig, generate_events, generate_ground_truth


@dataclass(frozen=True)
class Replay:
    """One held-out run through one gateway: every account's score (its best window at the floor) and truth."""

    gateway: str
    seed: int
    scores: np.ndarray
    extraction: np.ndarray  # bool per account
    families: np.ndarray  # archetype per account


def replay(job: tuple[str, int], accounts: int, hours: float, manifest: str) -> Replay:
    gateway, seed = job
    model = load_verified_model(manifest)
    policy = resolved_policy(AlertPolicyConfig(), None, model.manifest)
    simulation = SimulationConfig(seed=seed, accounts=accounts, duration_hours=hours)
    truth = [t.to_record() for t in generate_ground_truth(simulation)]
    window = WindowConfig()
    changed = (GATEWAYS[gateway](event) for event in generate_events(simulation))
    data = build_dataset(changed, truth, window, horizon_spec(window, policy))
    scores, _ = ProductModel.shipped(model).decide(data, policy.alert_threshold)
    ids = sorted(data.truth)
    per_account = account_scores(data.account_ids, scores, request_counts(data.features), ids, policy.min_requests)
    extraction = np.array([data.truth[a].label == "extraction" for a in ids])
    return Replay(gateway, seed, per_account, extraction, np.array([data.truth[a].archetype for a in ids]))


@dataclass(frozen=True)
class GatewayOutcome:
    gateway: str
    benign_accounts: int
    extraction_accounts: int
    recall: float  # at the threshold
    fpr: float  # benign accounts alerted at the threshold
    false_positives: int
    recall_at_01: float  # at <= 0.1 % benign FPR on these accounts
    recall_at_1: float  # at <= 1 %
    family_recall: dict[str, float]  # at the threshold


def outcome(replays: Sequence[Replay], threshold: float) -> GatewayOutcome:
    """The replays of one gateway, pooled over seeds: recall over extraction accounts, FPR over benign ones."""
    scores = np.concatenate([r.scores for r in replays])
    extraction = np.concatenate([r.extraction for r in replays])
    families = np.concatenate([r.families for r in replays])
    benign, attacks = scores[~extraction], scores[extraction]
    at_threshold = operating_point(benign, attacks, threshold)
    family_recall = {
        family: float(np.mean(attacks[families[extraction] == family] >= threshold))
        for family in sorted(set(families[extraction].tolist()))
    }
    return GatewayOutcome(
        replays[0].gateway, len(benign), len(attacks), at_threshold.recall, at_threshold.fpr,
        at_threshold.false_positives, recall_at_fpr(benign, attacks, 0.001).recall,
        recall_at_fpr(benign, attacks, 0.01).recall, family_recall,
    )  # fmt: skip


def report(outcomes: Sequence[GatewayOutcome], model_version: str, threshold: float, command: str) -> str:
    first = outcomes[0]
    lines = [
        "# What detection keeps when the gateway leaves out a field",
        "",
        f"Made by `{command}`: model `{model_version}`, alert threshold {threshold:.3f}, request floor "
        f"{AlertPolicyConfig().min_requests}. Each row replays the same held-out simulator runs "
        f"({first.benign_accounts:,} benign and {first.extraction_accounts} extraction accounts) with one change to "
        "every event, as a gateway that writes its log that way would (`models/diagnostics/gateway_fields.py`), "
        "scored as `distillwatch detect` scores it. Recall is over extraction accounts, FPR over benign accounts; "
        "the last two columns use the threshold that reaches the FPR on these accounts. A gateway that counts "
        "reasoning inside `completion_tokens` and runs `distillwatch detect --reasoning-tokens included` is read "
        "exactly as the first row: the parse subtracts the reasoning again (`pipelines.contract."
        "reasoning_counted_apart`).",
        "",
        "| gateway | recall @ threshold | benign FPR @ threshold | recall @ ≤ 0.1 % FPR | recall @ ≤ 1 % FPR |",
        "|---|---|---|---|---|",
    ]
    for o in outcomes:
        lines.append(
            f"| {o.gateway} | {o.recall:.3f} | {100 * o.fpr:.2f} % ({o.false_positives}) | {o.recall_at_01:.3f} "
            f"| {o.recall_at_1:.3f} |"
        )
    families = list(first.family_recall)
    lines += [
        "",
        "Recall at the threshold per extraction family, by gateway (columns in the order of the table above):",
        "",
        "| family | " + " | ".join(f"({i + 1})" for i in range(len(outcomes))) + " |",
        "|---|" + "---|" * len(outcomes),
    ]
    for family in families:
        cells = " | ".join(f"{o.family_recall.get(family, float('nan')):.2f}" for o in outcomes)
        lines.append(f"| {family} | {cells} |")
    lines += ["", *(f"- ({i + 1}) {o.gateway}" for i, o in enumerate(outcomes))]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL_MANIFEST, help="model manifest.json")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1001, 1002, 1003, 1004], help="held-out seeds")
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--hours", type=float, default=6.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output", type=Path, default=REPORT_DIR / "GATEWAY_FIELDS.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    model = load_verified_model(args.model)
    threshold = resolved_policy(AlertPolicyConfig(), None, model.manifest).alert_threshold
    jobs = [(gateway, seed) for gateway in GATEWAYS for seed in args.seeds]
    run = partial(replay, accounts=args.accounts, hours=args.hours, manifest=args.model)
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        replays = list(pool.map(run, jobs))
    outcomes = [outcome([r for r in replays if r.gateway == gateway], threshold) for gateway in GATEWAYS]
    command = command_line("models.diagnostics.gateway_fields", argv)
    return write_report(args.output, report(outcomes, model.version, threshold, command), started)


if __name__ == "__main__":
    sys.exit(main())
