"""Markdown formatting shared by every report section."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from models.metrics import quantile, wilson_interval


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def rate(successes: int, trials: int) -> str:
    if trials == 0:
        return "-"
    low, high = wilson_interval(successes, trials)
    return f"{successes / trials:.3f} [{low:.3f}, {high:.3f}]"


def minutes(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    return "never" if math.isinf(seconds) else f"{seconds / 60:.0f} min"


def median_p90(delays: Sequence[float]) -> str:
    return f"{minutes(quantile(delays, 0.5))} / {minutes(quantile(delays, 0.9))}"
