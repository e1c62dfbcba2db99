"""An evaluation set: simulated accounts with their ground truth, grouped the way the report reads them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models.dataset import SimulationSpec, WindowDataset
from models.evaluation.config import FULL_RATE_ARCHETYPES
from pipelines.config import WindowConfig


@dataclass(frozen=True)
class EvalSet:
    name: str
    seeds: tuple[int, ...]
    data: WindowDataset
    window: WindowConfig
    accounts: tuple[str, ...]
    is_attack: np.ndarray  # per account, in `accounts` order

    @classmethod
    def build(cls, name: str, specs: Sequence[SimulationSpec], data: WindowDataset, window: WindowConfig) -> EvalSet:
        accounts = tuple(sorted(data.truth))
        is_attack = np.array([data.truth[a].label == "extraction" for a in accounts], dtype=bool)
        return cls(name, tuple(s.seed for s in specs), data, window, accounts, is_attack)

    @property
    def benign_count(self) -> int:
        return int((~self.is_attack).sum())

    @property
    def attack_count(self) -> int:
        return int(self.is_attack.sum())

    def onsets(self) -> dict[str, float]:
        return {a: t.attack_onset for a, t in self.data.truth.items() if t.attack_onset is not None}

    def group(self, account: str) -> str:
        truth = self.data.truth[account]
        return f"{truth.archetype}/{truth.variant}"

    def is_full_rate(self, account: str) -> bool:
        return self.data.truth[account].archetype in FULL_RATE_ARCHETYPES

    def groups(self, attack: bool) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for account, is_attack in zip(self.accounts, self.is_attack, strict=True):
            if is_attack == attack:
                grouped[self.group(account)].append(account)
        return dict(sorted(grouped.items()))
