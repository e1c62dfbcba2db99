"""Labelled training windows: simulator traffic through exactly the features serving computes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import orjson

from pipelines.config import WindowConfig
from pipelines.contract import decode_event
from pipelines.features.extract import feature_vector
from pipelines.features.offline import account_windows
from pipelines.features.spec import FEATURE_INDEX
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

    def tagged(self, tag: str) -> WindowDataset:
        """The same windows with account ids prefixed `tag/`, so accounts of different runs never merge."""
        prefix = f"{tag}/"
        return WindowDataset(
            features=self.features,
            labels=self.labels,
            account_ids=np.char.add(prefix, self.account_ids.astype(str)),
            window_ends=self.window_ends,
            truth={prefix + account: t for account, t in self.truth.items()},
        )


def window_is_extraction(truth: GroundTruth, window_end: float, window: WindowConfig) -> bool:
    """A window is positive once it holds at least one period of the account's attack traffic."""
    if truth.label != "extraction" or truth.attack_onset is None:
        return False
    return window_end - truth.attack_onset >= window.period_s


def build_dataset(
    events: Iterable[Mapping[str, Any]], ground_truth: Iterable[Mapping[str, Any]], window: WindowConfig
) -> WindowDataset:
    truth = {t.account_id: t for t in map(GroundTruth.from_record, ground_truth)}
    # Through the contract decoder, exactly as the pipeline reads events.
    decoded = (decode_event(orjson.dumps(event)) for event in events)
    rows, labels, accounts, ends = [], [], [], []
    for account_window in account_windows(decoded, window):
        rows.append(feature_vector(account_window.features))
        accounts.append(account_window.account_id)
        ends.append(account_window.window_end)
        labels.append(window_is_extraction(truth[account_window.account_id], account_window.window_end, window))
    return WindowDataset(
        features=np.vstack(rows),
        labels=np.array(labels, dtype=np.int8),
        account_ids=np.array(accounts),
        window_ends=np.array(ends),
        truth=truth,
    )


@dataclass(frozen=True)
class SimulationSpec:
    """One simulator run: a seed, a population and a duration, with training or held-out variants."""

    seed: int
    accounts: int
    hours: float
    held_out_variants: bool = False

    @property
    def tag(self) -> str:
        # Account ids repeat across seeds: the tag keeps accounts of different runs apart.
        return f"{'v' if self.held_out_variants else 's'}{self.seed}"


def simulate(spec: SimulationSpec, window: WindowConfig) -> WindowDataset:
    simulation = SimulationConfig(
        seed=spec.seed, accounts=spec.accounts, duration_hours=spec.hours, held_out_variants=spec.held_out_variants
    )
    truth = [t.to_record() for t in generate_ground_truth(simulation)]
    dataset = build_dataset(generate_events(simulation), truth, window)
    return dataset.tagged(spec.tag)


def simulate_many(specs: Sequence[SimulationSpec], window: WindowConfig, workers: int) -> WindowDataset:
    """Runs the simulations in `workers` processes; the result does not depend on `workers`."""
    if workers <= 1 or len(specs) <= 1:
        return concatenate([simulate(spec, window) for spec in specs])
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return concatenate(list(pool.map(partial(simulate, window=window), specs)))


def concatenate(datasets: Sequence[WindowDataset]) -> WindowDataset:
    return WindowDataset(
        features=np.vstack([d.features for d in datasets]),
        labels=np.concatenate([d.labels for d in datasets]),
        account_ids=np.concatenate([d.account_ids for d in datasets]),
        window_ends=np.concatenate([d.window_ends for d in datasets]),
        truth={k: v for d in datasets for k, v in d.truth.items()},
    )


def request_counts(features: np.ndarray) -> np.ndarray:
    return features[:, FEATURE_INDEX["request_count"]]


def select_runs(dataset: WindowDataset, specs: Sequence[SimulationSpec]) -> WindowDataset:
    """The windows and accounts of some of the simulator runs in `dataset`."""
    tags = {spec.tag for spec in specs}
    keep = np.array([account.split("/", 1)[0] in tags for account in dataset.account_ids.tolist()], dtype=bool)
    return WindowDataset(
        features=dataset.features[keep],
        labels=dataset.labels[keep],
        account_ids=dataset.account_ids[keep],
        window_ends=dataset.window_ends[keep],
        truth={account: t for account, t in dataset.truth.items() if account.split("/", 1)[0] in tags},
    )
