"""Simulator runs with a chosen family mix or a modified catalogue, as labelled serving-feature windows.

`models.dataset.SimulationSpec` covers the training recipe (catalogue weights, one campaign); the
robustness protocols need more: a uniform family mix so that every family has enough accounts of its
own, no campaign, and archetypes whose parameters were moved (the perturbation sweep).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from unittest import mock

import numpy as np

from models.dataset import HorizonSpec, WindowDataset, build_dataset, concatenate
from pipelines.config import WindowConfig
from simulator import config as simulator_config
from simulator import planning, writing
from simulator.archetypes import Archetype
from simulator.generator import SimulationConfig, generate_events, generate_ground_truth


@dataclass(frozen=True)
class MixSpec:
    tag: str  # prefixes account ids: accounts of different runs never merge
    seed: int
    accounts: int
    hours: float
    archetype_mix: tuple[tuple[str, float], ...] | None = None  # None: catalogue weights
    extraction_fraction: float = 0.17
    campaign_sizes: tuple[int, ...] = (10,)
    catalogue: tuple[Archetype, ...] | None = None  # None: simulator.archetypes.ARCHETYPES

    def config(self) -> SimulationConfig:
        return SimulationConfig(
            seed=self.seed,
            accounts=self.accounts,
            duration_hours=self.hours,
            archetype_mix=dict(self.archetype_mix) if self.archetype_mix is not None else None,
            extraction_fraction=self.extraction_fraction,
            campaign_sizes=self.campaign_sizes,
        )


def simulate_mix(spec: MixSpec, window: WindowConfig, horizon: HorizonSpec | None = None) -> WindowDataset:
    if spec.catalogue is None:
        dataset = _simulate(spec.config(), window, horizon)
    else:
        # The simulator reads its catalogue from module globals and takes no catalogue argument, so a
        # modified catalogue is swapped in, in every module that holds it, for this one run (this process only).
        by_name = {archetype.name: archetype for archetype in spec.catalogue}
        with contextlib.ExitStack() as swapped:
            swapped.enter_context(mock.patch.multiple(planning, ARCHETYPES=spec.catalogue, ARCHETYPES_BY_NAME=by_name))
            swapped.enter_context(mock.patch.multiple(simulator_config, ARCHETYPES_BY_NAME=by_name))
            swapped.enter_context(mock.patch.multiple(writing, ARCHETYPES=spec.catalogue))
            dataset = _simulate(spec.config(), window, horizon)
    return dataset.tagged(spec.tag)


def _simulate(config: SimulationConfig, window: WindowConfig, horizon: HorizonSpec | None) -> WindowDataset:
    truth = [t.to_record() for t in generate_ground_truth(config)]
    return build_dataset(generate_events(config), truth, window, horizon)


def simulate_mixes(
    specs: Sequence[MixSpec], window: WindowConfig, workers: int, horizon: HorizonSpec | None = None
) -> WindowDataset:
    """Runs the simulations in `workers` processes; the result does not depend on `workers`."""
    if workers <= 1 or len(specs) <= 1:
        return concatenate([simulate_mix(spec, window, horizon) for spec in specs])
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return concatenate(list(pool.map(partial(simulate_mix, window=window, horizon=horizon), specs)))


def uniform_mix(catalogue: Sequence[Archetype], exclude: frozenset[str] = frozenset()) -> tuple[tuple[str, float], ...]:
    """Every family the same weight (those in `exclude` none), so small families get as many accounts as big ones."""
    return tuple((archetype.name, 0.0 if archetype.name in exclude else 1.0) for archetype in catalogue)


def select_accounts(dataset: WindowDataset, keep: set[str]) -> WindowDataset:
    mask = np.isin(dataset.account_ids, list(keep))
    return dataset.rows(mask, {account: t for account, t in dataset.truth.items() if account in keep})


def without_family(dataset: WindowDataset, family: str) -> WindowDataset:
    """Every account but those of one archetype (a leave-one-family-out fold's training or validation data)."""
    return select_accounts(dataset, {account for account, t in dataset.truth.items() if t.archetype != family})
