"""Typed configuration of a detection run: windows, alert policy, model, sources and sinks."""

from __future__ import annotations

import argparse
import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from apache_beam.io.filesystems import FileSystems

from pipelines.artifact import ModelManifest, read_manifest
from pipelines.contract import REASONING_CONVENTIONS, REASONING_SEPARATE

DEFAULT_MODEL_MANIFEST = str(Path(__file__).resolve().parent.parent / "models" / "artifacts" / "manifest.json")
_SUBSCRIPTION = re.compile(r"projects/[^/]+/subscriptions/[^/]+")


def is_subscription(source: str) -> bool:
    """The one rule for streaming: a run reads Pub/Sub, and so streams, exactly when its input is a subscription.

    Any other `projects/...` path (a topic, a typo) is refused rather than read as a file glob.
    """
    if _SUBSCRIPTION.fullmatch(source):
        return True
    if source.startswith("projects/"):
        raise ValueError(
            f"--input {source!r}: a Pub/Sub input must be a subscription, projects/PROJECT/subscriptions/NAME "
            "(the pipeline pulls from a subscription, never from a topic)"
        )
    return False


@dataclass(frozen=True)
class WindowConfig:
    """Sliding event-time windows per account, built from `period`-sized panes."""

    size_s: int = 3600
    period_s: int = 300
    allowed_lateness_s: int = 3600

    def __post_init__(self) -> None:
        if self.period_s <= 0 or self.size_s <= 0:
            raise ValueError("window size and period must be positive")
        if self.size_s % self.period_s:
            raise ValueError(f"window size {self.size_s}s must be a multiple of the period {self.period_s}s")
        if self.allowed_lateness_s < 0:
            raise ValueError("allowed lateness must be >= 0")

    @property
    def dedup_horizon_s(self) -> int:
        """How long an event_id is remembered. A repeat arriving later than this is beyond the allowed
        lateness of every window it could count in, so it can never be counted twice."""
        return self.size_s + self.allowed_lateness_s


@dataclass(frozen=True)
class AlertPolicyConfig:
    """Score thresholds -> severity; at most one alert per account per cooldown."""

    # Ascending (threshold, severity): the highest threshold a score reaches names its severity.
    severities: tuple[tuple[float, str], ...] = ((0.5, "medium"), (0.8, "high"), (0.95, "critical"))
    cooldown_s: int = 3600
    min_requests: int = 20  # below this a window says too little to accuse anyone
    max_reasons: int = 5
    # Set (`follow_models`): each model brings its own alert threshold (its manifest's), applied to this ladder, so
    # a hot-swapped model's windows are judged at the new model's threshold. None: one threshold for every model.
    model_ladder: tuple[tuple[float, str], ...] | None = None

    def __post_init__(self) -> None:
        for ladder in filter(None, (self.severities, self.model_ladder)):
            thresholds = [t for t, _ in ladder]
            if not thresholds or thresholds != sorted(thresholds) or not 0 < thresholds[0] <= 1:
                raise ValueError(f"severity thresholds must be ascending in (0, 1]: {ladder}")
        if self.cooldown_s < 0:
            raise ValueError(f"alert cooldown must be >= 0 seconds, got {self.cooldown_s}")
        if self.min_requests < 0:
            raise ValueError(f"minimum requests per alert must be >= 0, got {self.min_requests}")

    @property
    def alert_threshold(self) -> float:
        return self.severities[0][0]

    @property
    def fixed_threshold(self) -> float | None:
        """The threshold the scorer gives every window, or None: each window gets its own model's."""
        return None if self.model_ladder else self.alert_threshold

    def with_alert_threshold(self, threshold: float) -> AlertPolicyConfig:
        """The same policy alerting from `threshold` (medium); higher severities never start below it."""
        ladder = self.model_ladder or self.severities
        severities = tuple((max(threshold, t) if i else threshold, name) for i, (t, name) in enumerate(ladder))
        return replace(self, severities=severities)

    def follow_models(self, first_threshold: float) -> AlertPolicyConfig:
        """This ladder at each model's own threshold; `first_threshold` (the model the run starts with) is the one
        `alert_threshold` reports."""
        return replace(self, model_ladder=self.model_ladder or self.severities).with_alert_threshold(first_threshold)

    def judging(self, threshold: float | None) -> AlertPolicyConfig:
        """The policy a window scored at `threshold` (the one its model set, `ScoredWindow.alert_threshold`) is
        judged under; None (a window not from the scorer): this policy as it is."""
        return self if threshold is None or threshold == self.alert_threshold else _judging(self, threshold)

    def severity(self, score: float) -> str | None:
        reached = [name for threshold, name in self.severities if score >= threshold]
        return reached[-1] if reached else None


@functools.lru_cache(maxsize=64)
def _judging(policy: AlertPolicyConfig, threshold: float) -> AlertPolicyConfig:
    # Once per model threshold, not once per window.
    return policy.with_alert_threshold(threshold)


ACTIONS = ("monitor", "rate_limit", "require_reverification", "suspend", "watermark_outputs")
ESCALATION = ACTIONS[:4]  # the graduated ladder; watermark_outputs stands beside it (pipelines/response.py)


@dataclass(frozen=True)
class ResponsePolicyConfig:
    """Graduated response: severity picks a rung of ESCALATION, evidence moves it (pipelines/response.py)."""

    account_actions: tuple[tuple[str, str], ...] = (
        ("medium", "monitor"),
        ("high", "rate_limit"),
        ("critical", "require_reverification"),
    )
    campaign_actions: tuple[tuple[str, str], ...] = (
        ("medium", "rate_limit"),
        ("high", "require_reverification"),
        ("critical", "suspend"),
    )
    # An account younger than this is escalated one rung: fresh accounts are what extraction farms burn through.
    fresh_account_days: float = 7.0
    # A campaign with at least this many members is escalated one rung.
    large_campaign_members: int = 10
    # When the top reason is one of these output-harvesting features and the rung is below re-verification,
    # the account keeps being served but its outputs are watermarked, so distilled data stays traceable.
    harvesting_features: tuple[str, ...] = (
        "reasoning_elicitation_share",
        "reasoning_token_share",
        "logprobs_share",
        "top_logprobs_mean",
    )

    def __post_init__(self) -> None:
        for severity, action in (*self.account_actions, *self.campaign_actions):
            if action not in ACTIONS:
                raise ValueError(f"severity {severity}: unknown action {action!r}; expected one of {ACTIONS}")


@dataclass(frozen=True)
class ModelConfig:
    manifest_path: str = DEFAULT_MODEL_MANIFEST
    # Glob of manifests to watch for hot model swaps in streaming (RunInference side-input updates).
    watch_pattern: str | None = None
    watch_interval_s: int = 60
    # A tree-ensemble predict call costs ~0.1 s however few rows it scores: batch windows generously.
    batch_size: int = 2048

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"inference batch size must be >= 1, got {self.batch_size}")


# Long-horizon evidence: per-account windows of the horizon, sliding by this period (one firing per hour).
HORIZON_PERIOD_S = 3600
DEFAULT_HORIZON_S = 86400


@dataclass(frozen=True)
class DetectConfig:
    input: str
    output: str
    streaming: bool = False
    window: WindowConfig = field(default_factory=WindowConfig)
    # Seconds of accumulated evidence per account (0: off); a multiple of HORIZON_PERIOD_S, longer than a window.
    horizon_s: int = DEFAULT_HORIZON_S
    alerts: AlertPolicyConfig = field(default_factory=AlertPolicyConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    # Dataflow only: Pub/Sub attribute carrying the dedup id (unsupported on the DirectRunner).
    pubsub_id_label: str | None = None
    response: ResponsePolicyConfig = field(default_factory=ResponsePolicyConfig)
    # The suppressions table: a DuckDB path or bq:PROJECT:DATASET (the CLI uses the output store); None: none.
    suppressions: str | None = None
    suppressions_refresh_s: int = 300  # streaming: how often the table is re-read
    alerts_topic: str | None = None  # projects/P/topics/T: unsuppressed alerts are published there
    # Batch: the input holds each event_id once (e.g. an export deduplicated upstream), so the replay skips dedup.
    deduplicated_input: bool = False
    # How the gateway counts hidden reasoning: apart from completion_tokens (contract v1) or inside it.
    reasoning_tokens: str = REASONING_SEPARATE

    def __post_init__(self) -> None:
        if self.reasoning_tokens not in REASONING_CONVENTIONS:
            raise ValueError(
                f"--reasoning-tokens {self.reasoning_tokens}: must be one of {', '.join(REASONING_CONVENTIONS)}"
            )
        if self.deduplicated_input and self.streaming:
            raise ValueError("--deduplicated-input is for a batch replay: Pub/Sub delivers at least once")
        if self.horizon_s and (self.horizon_s % HORIZON_PERIOD_S or self.horizon_s <= self.window.size_s):
            raise ValueError(
                f"--horizon {self.horizon_s}s must be a multiple of {HORIZON_PERIOD_S}s and longer than the window"
            )

    @property
    def horizon_window(self) -> WindowConfig | None:
        """Sliding windows of the horizon: the same panes -> windows machinery, one coarse period."""
        if not self.horizon_s:
            return None
        return WindowConfig(self.horizon_s, HORIZON_PERIOD_S, self.window.allowed_lateness_s)

    @property
    def reads_pubsub(self) -> bool:
        return is_subscription(self.input)

    @property
    def writes_bigquery(self) -> bool:
        return self.output.startswith("bq:")


def _true_or_false(value: str) -> bool:
    """A flag that also takes `=true` / `=false`, as a Flex Template passes every parameter as --name=value."""
    if value.lower() not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"expected true or false, got {value!r}")
    return value.lower() == "true"


def add_detect_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, help="JSONL file/glob (optionally .gz) or projects/P/subscriptions/S")
    parser.add_argument("--output", required=True, help="DuckDB file path, or bq:PROJECT:DATASET")
    parser.add_argument("--window-size", type=int, default=WindowConfig.size_s, help="window size, seconds")
    parser.add_argument("--window-period", type=int, default=WindowConfig.period_s, help="window period, seconds")
    parser.add_argument(
        "--allowed-lateness",
        type=int,
        default=WindowConfig.allowed_lateness_s,
        help="how late an event may arrive and still update its windows, seconds",
    )
    parser.add_argument(
        "--alert-cooldown",
        type=int,
        default=AlertPolicyConfig.cooldown_s,
        help="at most one alert per account per cooldown, seconds",
    )
    parser.add_argument(
        "--min-requests", type=int, default=AlertPolicyConfig.min_requests, help="fewest requests in a window to alert"
    )
    parser.add_argument(
        "--alert-threshold",
        type=float,
        default=None,
        help="score from which a window alerts, for every model, hot-swapped ones included (default: each model's "
        "own manifest alert_policy threshold, set at a benign-account FPR budget, so a hot swap brings its "
        f"threshold; {AlertPolicyConfig().alert_threshold} for a manifest without one)",
    )
    parser.add_argument(
        "--horizon", type=int, default=DEFAULT_HORIZON_S, help="seconds of accumulated evidence per account (0: off)"
    )
    parser.add_argument("--model", default=DEFAULT_MODEL_MANIFEST, help="model manifest.json (verified sha256)")
    parser.add_argument(
        "--watch-models",
        default=None,
        help="glob of manifests to hot-swap the model (streaming); each window is judged at the alert threshold of "
        "the model that scored it, unless --alert-threshold is given",
    )
    parser.add_argument(
        "--inference-batch-size", type=int, default=ModelConfig.batch_size, help="most windows per model call"
    )
    parser.add_argument("--pubsub-id-label", default=None, help="Dataflow only: attribute to dedup on, e.g. event_id")
    parser.add_argument("--alerts-topic", default=None, help="projects/P/topics/T to publish unsuppressed alerts to")
    parser.add_argument(
        "--suppressions", default=None, help="suppressions table: DuckDB file or bq:PROJECT:DATASET (default: --output)"
    )
    parser.add_argument("--suppressions-refresh", type=int, default=DetectConfig.suppressions_refresh_s, help="s")
    parser.add_argument(
        "--deduplicated-input",
        nargs="?",
        const=True,
        default=False,
        type=_true_or_false,
        help="batch: the files hold each event_id once, so the replay skips dedup (and holds no event in memory)",
    )
    parser.add_argument(
        "--reasoning-tokens",
        choices=REASONING_CONVENTIONS,
        default=DetectConfig.reasoning_tokens,
        help="how the gateway counts hidden reasoning: separate from completion_tokens (contract v1) or included "
        "in it (OpenAI-style usage), which the pipeline then subtracts",
    )


def alert_threshold_of(manifest: ModelManifest) -> float:
    """The alert threshold a model manifest records (`alert_policy`), else the policy's default."""
    policy = manifest.alert_policy
    return float(policy["threshold"]) if policy else AlertPolicyConfig().alert_threshold


def manifest_alert_threshold(manifest_path: str | Path) -> float:
    path = str(manifest_path)
    if FileSystems.get_scheme(path) is not None:  # a bucket's (gs://): one that cannot be read stops the run here
        return alert_threshold_of(read_manifest(path))
    # A missing local manifest is reported, in its own words, by the command that loads the model.
    return alert_threshold_of(ModelManifest.read(path)) if Path(path).is_file() else AlertPolicyConfig().alert_threshold


def alert_policy_from_args(args: argparse.Namespace) -> AlertPolicyConfig:
    """An explicit --alert-threshold holds for every model; otherwise each model's manifest sets its own."""
    policy = AlertPolicyConfig(cooldown_s=args.alert_cooldown, min_requests=args.min_requests)
    if args.alert_threshold is not None:
        return policy.with_alert_threshold(args.alert_threshold)
    return policy.follow_models(manifest_alert_threshold(args.model))


def detect_config_from_args(args: argparse.Namespace) -> DetectConfig:
    return DetectConfig(
        input=args.input,
        output=args.output,
        streaming=is_subscription(args.input),
        window=WindowConfig(args.window_size, args.window_period, args.allowed_lateness),
        horizon_s=args.horizon,
        alerts=alert_policy_from_args(args),
        model=ModelConfig(args.model, args.watch_models, batch_size=args.inference_batch_size),
        pubsub_id_label=args.pubsub_id_label,
        suppressions=args.suppressions or args.output,
        suppressions_refresh_s=args.suppressions_refresh,
        alerts_topic=args.alerts_topic,
        deduplicated_input=args.deduplicated_input,
        reasoning_tokens=args.reasoning_tokens,
    )
