"""How far a benign-only detector reaches: it never sees an extraction family, so every family is left out.

`python -m models.diagnostics.novelty_reach` (a development check; its figures are in
`models/report/FEATURE_SETS.md`). The novelty component (`pipelines.novelty`) is fitted on benign training
windows alone, so its recall on each extraction family is a leave-one-family-out figure for all of them at once,
with no retraining. Two statistics on the same harvest features (`pipelines.novelty.novelty_inputs`) behind the same
harvest gate: the shipped IsolationForest's, and the distance to the k-th nearest benign training window
(`NearestBenign`, fitted on every benign training window; the forest keeps its usual calibration split), which
also flags traffic in a gap between benign families rather than only outside them all.
An account's score is its highest window at the request floor; the threshold keeps the validation runs' benign
accounts within the 1 % budget; recall per family on the evaluation runs of `feature_sets` (the same seeds as its
tables, so the rows compare).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.neighbors import NearestNeighbors

from models.diagnostics.feature_sets import (
    Datasets,
    FamilyOutcome,
    add_simulation_arguments,
    simulated,
    validated_outcomes,
)
from pipelines.features.peers import PeerStanding
from pipelines.novelty import fit_novelty, harvesting, novelty_inputs, statistic

NEIGHBOURS = 10
GATED_OUT = -1.0  # below the harvest gate: never novel


class NearestBenign:
    """Distance to the k-th nearest benign window, each feature scaled by its benign median and IQR."""

    def __init__(self, benign_inputs: np.ndarray, neighbours: int = NEIGHBOURS) -> None:
        self._median = np.median(benign_inputs, axis=0)
        spread = np.subtract(*np.percentile(benign_inputs, [75, 25], axis=0))
        self._spread = np.where(spread > 0, spread, 1.0)
        self._index = NearestNeighbors(n_neighbors=neighbours).fit(self._scaled(benign_inputs))

    def _scaled(self, inputs: np.ndarray) -> np.ndarray:
        return (inputs - self._median) / self._spread

    def statistic(self, inputs: np.ndarray) -> np.ndarray:
        distances, _ = self._index.kneighbors(self._scaled(inputs))
        return distances[:, -1]


def gated(statistic_values: np.ndarray, peer_rows: np.ndarray, gate: float) -> np.ndarray:
    """The statistic where the window harvests above the gate among its benign tier peers, else `GATED_OUT`."""
    return np.where(harvesting(peer_rows, gate), statistic_values, GATED_OUT)


def gated_scorer(
    values: Callable[[np.ndarray], np.ndarray], peers: PeerStanding, gate: float
) -> Callable[[np.ndarray], np.ndarray]:
    """Feature rows -> the statistic `values` reads off their peer rows, behind the harvest gate."""

    def score(features: np.ndarray) -> np.ndarray:
        rows = peers.transform(features)
        return gated(values(rows), rows, gate)

    return score


def reach(
    statistics: dict[str, Callable[[np.ndarray], np.ndarray]], peers: PeerStanding, gate: float, data: Datasets
) -> dict[str, list[FamilyOutcome]]:
    """Per statistic (peer rows -> window values), the outcome of every evaluation family."""
    families = sorted({truth.archetype for truth in data.evaluation.truth.values()})
    return {
        name: validated_outcomes(
            gated_scorer(values, peers, gate), data.validation, data.evaluation, data.min_requests, families
        )
        for name, values in statistics.items()
    }


def markdown(results: dict[str, list[FamilyOutcome]]) -> str:
    lines = [
        "| statistic | extraction recall @ validation thr: mean / worst | @ ≤ 0.1 % FPR: mean | @ ≤ 1 % FPR: mean "
        "| benign family FPR @ thr: mean / worst |",
        "|---|---|---|---|---|",
    ]
    for name, rows in results.items():
        attacks = [o for o in rows if o.label == "extraction"]
        benign = [o.rate_at_threshold for o in rows if o.label == "benign"]
        lines.append(
            f"| {name} | {np.mean([o.rate_at_threshold for o in attacks]):.3f} / "
            f"{min(o.rate_at_threshold for o in attacks):.3f} | {np.mean([o.recall_at_01 for o in attacks]):.3f} | "
            f"{np.mean([o.recall_at_1 for o in attacks]):.3f} | {np.mean(benign):.3f} / {max(benign):.3f} |"
        )
    lines += ["", "| extraction family | " + " | ".join(results) + " |", "|---|" + "---|" * len(results)]
    first = next(iter(results.values()))
    for position, outcome in enumerate(first):
        if outcome.label == "extraction":
            cells = [f"{rows[position].rate_at_threshold:.2f} / {rows[position].recall_at_01:.2f}" for rows in
                     results.values()]  # fmt: skip
            lines.append(f"| {outcome.family} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_simulation_arguments(parser)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = simulated(args)
    training = data.training
    peers = PeerStanding().fit(training.features, training.labels, groups=training.account_ids)
    peer_rows = peers.transform(training.features)
    forest, calibration = fit_novelty(peer_rows, training.labels, training.account_ids, data.model_seed)
    nearest = NearestBenign(novelty_inputs(peer_rows[training.labels == 0]))
    statistics = {
        "isolation_forest (shipped)": lambda rows: statistic(forest, rows),
        f"{NEIGHBOURS}th nearest benign window": lambda rows: nearest.statistic(novelty_inputs(rows)),
    }
    print(markdown(reach(statistics, peers, calibration.harvest_gate, data)))
    print(f"\n{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
