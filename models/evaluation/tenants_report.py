"""The real-trace tenants section of REPORT.md and its figure."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from models.dataset import request_counts
from models.evaluation.markdown import table
from models.evaluation.tenants import TenantReplay
from pipelines.config import AlertPolicyConfig

FIGURE = "real_trace_tenants.png"
SCORE_FLOOR = 1e-4  # log axis: lower scores are drawn here


def tenants_section(replays: Sequence[TenantReplay], policy: AlertPolicyConfig) -> list[str]:
    alerts = sum(r.alerts for r in replays)
    rows = [
        [
            f"{r.trace}",
            r.volume.name,
            r.tenants,
            f"{r.events:,}",
            f"{len(r.data.labels)} ({r.eligible_windows})",
            f"{r.max_eligible_score:.4f}",
            r.alerted_tenants,
            f"**{r.alerts}**" if r.alerts else "0",
        ]
        for r in replays
    ]
    verdict = "none of them raised an alert" if alerts == 0 else f"**they raised {alerts} alerts**"
    return [
        "## Real-trace tenants (Azure LLM inference traces)",
        "",
        "Legitimate tenants replayed from two real production traces (Azure LLM inference 2023, conversation and "
        "coding services, one hour each; CC-BY 4.0, Patel et al., *Splitwise*, ISCA 2024; "
        "`models/data/azure-llm-inference-2023/`). Each trace row is one usage event with the trace's prompt and "
        "completion tokens and its request time (shifted); parameters, keys, addresses, user agents, prompt text "
        "and account age are drawn per tenant from plausible ranges. Each trace is replayed as one tenant, split "
        "at random across 10 and 100 tenants, and as one tenant at twice its rate, then scored by the serving "
        "features, the model and the pipeline's own alert decision "
        f"(score ≥ {policy.alert_threshold}, ≥ {policy.min_requests} requests, {policy.cooldown_s // 60} min "
        f"cooldown). They must raise no alert: {verdict}.",
        "",
        *table(
            [
                "trace",
                "volume",
                "tenants",
                "events",
                f"windows (≥ {policy.min_requests} requests)",
                "highest score of those",
                "tenants alerted",
                "alerts",
            ],
            rows,
        ),
        f"![Window scores of the real-trace tenants]({FIGURE})",
        "",
    ]


def plot_tenants(replays: Sequence[TenantReplay], policy: AlertPolicyConfig, directory: Path) -> None:
    figure = Figure(figsize=(9, 4.5), layout="constrained")
    ax = figure.add_subplot()
    values = []
    for replay in replays:
        eligible = request_counts(replay.data.features) >= policy.min_requests
        values.append(np.maximum(replay.window_scores[eligible], SCORE_FLOOR))
    ax.boxplot(values, whis=(0, 100))
    ax.set_xticks(range(1, len(replays) + 1), [f"{r.trace}\n{r.volume.name}" for r in replays], fontsize=7)
    ax.axhline(policy.alert_threshold, color="red", linestyle="--", linewidth=1, label="alert threshold")
    ax.set(yscale="log", ylim=(SCORE_FLOOR / 2, 1.5), ylabel=f"window score (≥ {policy.min_requests} requests)")
    ax.set_title("real-trace tenants: window scores (whiskers: min and max)")
    ax.legend(loc="upper right", fontsize=8)
    figure.savefig(directory / FIGURE, dpi=110)
