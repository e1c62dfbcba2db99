"""What the standard evaluation measures against: its targets, sizes and where the report goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.artifact import ModelManifest
from pipelines.config import DEFAULT_MODEL_MANIFEST, AlertPolicyConfig, alert_threshold_of

REPORT_DIR = Path(__file__).resolve().parent.parent / "report"
# Single-account attacks at their archetype's natural rate. Not full rate by design: low_and_slow
# (throttled), reseller_proxy (one customer's attack diluted in legitimate traffic) and
# distributed_campaign (the rate is split over many accounts); the report lists them per archetype.
FULL_RATE_ARCHETYPES = frozenset({"distillation_crawler", "reasoning_coercion", "logprob_harvest", "capability_narrow"})
TARGET_RECALL = 0.95
TARGET_FPR = 0.001
TARGET_MEDIAN_DELAY_S = 300.0
BASELINE_FPR = 0.01
REQUEST_FLOORS = (10, 5)  # what-if values of the policy's min_requests, reported beside the policy's own
TOP_FALSE_POSITIVES = 5
FOREST_TRAINING_RUNS = 2


@dataclass(frozen=True)
class EvaluationConfig:
    manifest_path: Path = Path(DEFAULT_MODEL_MANIFEST)
    held_out_seeds: tuple[int, ...] = tuple(range(1001, 1011))
    variant_seeds: tuple[int, ...] = tuple(range(2001, 2005))
    accounts: int = 500  # per seed
    hours: float = 6.0  # per seed
    workers: int = 2
    report_dir: Path = REPORT_DIR
    update_manifest: bool = True
    trace_rows: int | None = None  # replay only the first rows of each real trace (None: all)
    policy: AlertPolicyConfig = field(default_factory=AlertPolicyConfig)  # its threshold: see `alert_threshold`
    alert_threshold: float | None = None  # None: the manifest's (alert_policy), as `distillwatch detect` uses


def resolved_policy(
    policy: AlertPolicyConfig, alert_threshold: float | None, manifest: ModelManifest
) -> AlertPolicyConfig:
    """The policy `distillwatch detect` would run this model with: the manifest's threshold unless overridden."""
    return policy.with_alert_threshold(alert_threshold if alert_threshold is not None else alert_threshold_of(manifest))
