"""Labelled training windows: simulator traffic through exactly the features serving computes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import orjson

from models.gateways import account_gateways, through_gateways
from pipelines.config import DEFAULT_HORIZON_S, HORIZON_PERIOD_S, WindowConfig
from pipelines.contract import UsageEvent, decode_event
from pipelines.features.accumulator import WindowAccumulator
from pipelines.features.extract import feature_dict, feature_vector
from pipelines.features.offline import account_windows, sliding_windows
from pipelines.features.spec import FEATURE_INDEX
from pipelines.horizon import adds_evidence
from simulator.generator import SimulationConfig, generate_events, generate_ground_truth


@dataclass(frozen=True)
class GroundTruth:
    account_id: str
    label: str  # "benign" | "extraction"
    archetype: str
    variant: str
    campaign_id: str | None
    attack_onset: float | None  # POSIX seconds; None for benign accounts

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> GroundTruth:
        onset = record.get("attack_onset")
        return cls(
            account_id=record["account_id"],
            label=record["label"],
            archetype=record["archetype"],
            variant=str(record.get("variant", "")),
            campaign_id=record.get("campaign_id"),
            attack_onset=dt.datetime.fromisoformat(onset).timestamp() if onset else None,
        )


@dataclass(frozen=True)
class WindowDataset:
    features: np.ndarray  # (windows, F) in FEATURE_NAMES order
    labels: np.ndarray  # 1 = the window covers extraction traffic
    account_ids: np.ndarray
    window_ends: np.ndarray
    truth: dict[str, GroundTruth]
    # Per row: a long-horizon window (`pipelines.horizon`) rather than a per-window one; None: none is.
    horizon_rows: np.ndarray | None = None

    @property
    def is_horizon(self) -> np.ndarray:
        return self.horizon_rows if self.horizon_rows is not None else np.zeros(len(self.labels), dtype=bool)

    def rows(self, mask: np.ndarray, truth: dict[str, GroundTruth]) -> WindowDataset:
        """The rows where `mask` holds, with the given ground truth."""
        horizon = self.horizon_rows[mask] if self.horizon_rows is not None else None
        return WindowDataset(
            self.features[mask], self.labels[mask], self.account_ids[mask], self.window_ends[mask], truth, horizon
        )

    def tagged(self, tag: str) -> WindowDataset:
        """The same windows with account ids prefixed `tag/`, so accounts of different runs never merge."""
        prefix = f"{tag}/"
        return WindowDataset(
            features=self.features,
            labels=self.labels,
            account_ids=np.char.add(prefix, self.account_ids.astype(str)),
            window_ends=self.window_ends,
            truth={prefix + account: t for account, t in self.truth.items()},
            horizon_rows=self.horizon_rows,
        )


def window_is_extraction(truth: GroundTruth, window_end: float, window: WindowConfig) -> bool:
    """A window is positive once it holds at least one period of the account's attack traffic."""
    if truth.label != "extraction" or truth.attack_onset is None:
        return False
    return window_end - truth.attack_onset >= window.period_s


@dataclass(frozen=True)
class HorizonSpec:
    """Long-horizon windows to add to a dataset, kept as the pipeline keeps them (`pipelines.horizon`)."""

    horizon: WindowConfig
    min_requests: int  # the alert policy's request floor

    @classmethod
    def scored_by_default(cls, window: WindowConfig, min_requests: int) -> HorizonSpec:
        """The long-horizon windows `distillwatch detect` scores by default: trained on, validated and evaluated."""
        return cls(WindowConfig(DEFAULT_HORIZON_S, HORIZON_PERIOD_S, window.allowed_lateness_s), min_requests)


def _tapped(events: Iterable[UsageEvent], panes: dict[str, dict[int, WindowAccumulator]], period: int):  # noqa: ANN202
    for event in events:
        account_panes = panes.setdefault(event.account_id, {})
        start = int(event.timestamp // period) * period
        account_panes.setdefault(start, WindowAccumulator()).add(event)
        yield event


def _horizon_windows(
    panes: dict[str, dict[int, WindowAccumulator]], spec: HorizonSpec, window: WindowConfig
) -> Iterator[tuple[str, float, dict[str, float]]]:
    size = spec.horizon.size_s
    for account_id in sorted(panes):
        for start, accumulator in sliding_windows(panes[account_id], spec.horizon):
            if adds_evidence(accumulator, start + size, spec.horizon, window, spec.min_requests):
                yield account_id, float(start + size), feature_dict(accumulator, start, start + size)


def build_dataset(
    events: Iterable[Mapping[str, Any]],
    ground_truth: Iterable[Mapping[str, Any]],
    window: WindowConfig,
    horizon: HorizonSpec | None = None,
) -> WindowDataset:
    truth = {t.account_id: t for t in map(GroundTruth.from_record, ground_truth)}
    # Through the contract decoder, exactly as the pipeline reads events.
    decoded: Iterable[UsageEvent] = (decode_event(orjson.dumps(event)) for event in events)
    horizon_panes: dict[str, dict[int, WindowAccumulator]] = {}
    if horizon is not None:
        decoded = _tapped(decoded, horizon_panes, horizon.horizon.period_s)
    windows = [(w.account_id, w.window_end, w.features) for w in account_windows(decoded, window)]
    first_horizon = len(windows)
    if horizon is not None:
        windows.extend(_horizon_windows(horizon_panes, horizon, window))
    return WindowDataset(
        features=np.vstack([feature_vector(features) for _, _, features in windows]),
        labels=np.array([window_is_extraction(truth[a], end, window) for a, end, _ in windows], dtype=np.int8),
        account_ids=np.array([a for a, _, _ in windows]),
        window_ends=np.array([end for _, end, _ in windows]),
        truth=truth,
        horizon_rows=np.arange(len(windows)) >= first_horizon if horizon is not None else None,
    )


@dataclass(frozen=True)
class SimulationSpec:
    """One simulator run: a seed, a population and a duration, with training or held-out variants."""

    seed: int
    accounts: int
    hours: float
    held_out_variants: bool = False
    partial_gateways: float = 0.0  # share of accounts logged by a gateway that leaves fields out (models.gateways)

    @property
    def tag(self) -> str:
        # Account ids repeat across seeds: the tag keeps accounts of different runs apart.
        return f"{'v' if self.held_out_variants else 's'}{self.seed}"


def simulate(spec: SimulationSpec, window: WindowConfig, horizon: HorizonSpec | None = None) -> WindowDataset:
    simulation = SimulationConfig(
        seed=spec.seed, accounts=spec.accounts, duration_hours=spec.hours, held_out_variants=spec.held_out_variants
    )
    truth = [t.to_record() for t in generate_ground_truth(simulation)]
    events = generate_events(simulation)
    if spec.partial_gateways:
        gateway_of = account_gateways([t["account_id"] for t in truth], spec.seed, spec.partial_gateways)
        events = through_gateways(events, gateway_of)
    dataset = build_dataset(events, truth, window, horizon)
    return dataset.tagged(spec.tag)


def simulate_many(
    specs: Sequence[SimulationSpec], window: WindowConfig, workers: int, horizon: HorizonSpec | None = None
) -> WindowDataset:
    """Runs the simulations in `workers` processes; the result does not depend on `workers`."""
    if workers <= 1 or len(specs) <= 1:
        return concatenate([simulate(spec, window, horizon) for spec in specs])
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return concatenate(list(pool.map(partial(simulate, window=window, horizon=horizon), specs)))


def concatenate(datasets: Sequence[WindowDataset]) -> WindowDataset:
    any_horizon = any(d.horizon_rows is not None for d in datasets)
    return WindowDataset(
        features=np.vstack([d.features for d in datasets]),
        labels=np.concatenate([d.labels for d in datasets]),
        account_ids=np.concatenate([d.account_ids for d in datasets]),
        window_ends=np.concatenate([d.window_ends for d in datasets]),
        truth={k: v for d in datasets for k, v in d.truth.items()},
        horizon_rows=np.concatenate([d.is_horizon for d in datasets]) if any_horizon else None,
    )


def request_counts(features: np.ndarray) -> np.ndarray:
    return features[:, FEATURE_INDEX["request_count"]]


def select_runs(dataset: WindowDataset, specs: Sequence[SimulationSpec]) -> WindowDataset:
    """The windows and accounts of some of the simulator runs in `dataset`."""
    tags = {spec.tag for spec in specs}
    keep = np.array([account.split("/", 1)[0] in tags for account in dataset.account_ids.tolist()], dtype=bool)
    return dataset.rows(keep, {account: t for account, t in dataset.truth.items() if account.split("/", 1)[0] in tags})
