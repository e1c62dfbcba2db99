"""PERTURBATION.md: recall of each extraction family as its secondary behaviour moves toward benign values."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from matplotlib.figure import Figure

from models.evaluation.config import TARGET_FPR
from models.evaluation.markdown import rate, table
from models.evaluation.perturbation import (
    RATE_REFERENCE,
    REFERENCE,
    SECONDARY_KNOBS,
    STRENGTHS,
    SweepPoint,
    SweepResult,
)

FIGURE = "perturbation_recall.png"


def perturbation_markdown(result: SweepResult, command: str) -> str:
    config = result.config
    threshold = config.policy.alert_threshold
    by_family: dict[str, list[SweepPoint]] = defaultdict(list)
    for point in result.points:
        by_family[point.family].append(point)
    rows = []
    for family, points in by_family.items():
        cells = [rate(p.alerted, p.accounts) for p in points]
        at_fpr = " / ".join(f"{p.recall_at_target_fpr:.2f}" for p in points)
        rows.append([family, points[0].accounts, *cells, at_fpr])
    strengths = [f"recall @ {threshold}, strength {s:g}" for s in STRENGTHS]
    knobs = "".join(f"\n- {knob}" for knob in SECONDARY_KNOBS)
    lines = [
        "# Perturbation sweep: secondary behaviour moved toward benign values",
        "",
        f"Made by `{command}` in {result.seconds / 60:.1f} min, scored by model `{result.model_version}`.",
        "",
        "Each extraction family's *secondary* knobs, the ones a distiller can change without giving up what it "
        f"harvests, move from the catalogue's values (strength 0) to those of `{'/'.join(REFERENCE)}`, an ordinary "
        f"chat app (strength 1); the request rate moves toward `{'/'.join(RATE_REFERENCE)}`'s, and never up. "
        "Ranges are interpolated, categorical knobs switch at 0.5; tokens, logprobs, n, max_tokens, reasoning and "
        "the prompt templates stay the family's. Every strength replays the same simulator seed "
        f"({config.seed}), so the accounts differ only by the moved knobs. Knobs moved:{knobs}",
        "",
        f"Recall at the policy threshold ({threshold}, ≥ {config.policy.min_requests} requests); the last column "
        f"is the recall at ≤ {TARGET_FPR:.1%} FPR over {result.benign_accounts} held-out benign accounts "
        f"({result.benign_alerted} of them alerted at {threshold}), one value per strength.",
        "",
        *table(
            ["family", "accounts", *strengths, f"recall @ ≤ {TARGET_FPR:.1%} FPR by strength"],
            rows,
        ),
        f"![Recall against perturbation strength]({FIGURE})",
        "",
        "A flat line means the family is caught by what it harvests; a falling one means the model leans on "
        "secondary behaviour an attacker controls. The sweep moves knobs only between values the catalogue "
        "already holds, so every perturbed value lies inside the training ranges; misses caused by values "
        "outside them (issue 12: prompt diversity and IP spread outside the training ranges) are not probed here. "
        "Lines at the same recall overlap: the table has every value.",
        "",
    ]
    return "\n".join(lines)


def plot_sweep(result: SweepResult, directory: Path) -> None:
    figure = Figure(figsize=(7, 4.5), layout="constrained")
    ax = figure.add_subplot()
    by_family: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for point in result.points:
        by_family[point.family].append((point.strength, point.alerted / max(1, point.accounts)))
    for family, values in by_family.items():
        ax.plot(*zip(*values, strict=True), marker="o", label=family)
    ax.set(xlim=(-0.03, 1.03), ylim=(0, 1.03), xticks=STRENGTHS)
    ax.set(xlabel="perturbation strength (0: catalogue, 1: ordinary app's secondary behaviour)")
    ax.set(ylabel=f"recall @ {result.config.policy.alert_threshold}", title="recall against perturbation")
    ax.legend(loc="lower left", fontsize=8)
    figure.savefig(directory / FIGURE, dpi=110)


def write_perturbation_report(result: SweepResult, command: str) -> Path:
    directory = result.config.report_dir
    directory.mkdir(parents=True, exist_ok=True)
    plot_sweep(result, directory)
    path = directory / "PERTURBATION.md"
    path.write_text(perturbation_markdown(result, command))
    return path
