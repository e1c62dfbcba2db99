"""Seeded, reproducible traffic generation: the planned simulation and its ordered event stream.

`Simulation(config)` plans every account up front (archetype, variant, identity, onsets, ground truth;
`planning.py`) and `Simulation.events()` lazily merges one generator per traffic stream (`streams.py`)
into a single event-time ordered iterator, so the same code can fill a file (`writing.py`) or feed a
paced live publisher.

Reproducibility: every random draw comes from a generator seeded by (config.seed, purpose, account,
stream) via numpy SeedSequence spawn keys. Streams never share a generator, so the order in which the
merge pulls from them cannot change what they draw, and the same seed and config give byte-identical
output however often (or however far) the events are iterated.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

from simulator.calibration import Calibration, load_calibration
from simulator.config import DEFAULT_START, SimulationConfig
from simulator.plan import DUPLICATES, AccountIdentity, AccountPlan, GroundTruth, StreamPlan, format_time
from simulator.planning import AccountPlanner
from simulator.sampling import python_rng
from simulator.streams import Event, StreamGenerator
from simulator.writing import SimulationSummary, write_simulation

__all__ = [
    "DEFAULT_START", "AccountIdentity", "AccountPlan", "Event", "GroundTruth", "Simulation", "SimulationConfig",
    "SimulationSummary", "StreamPlan", "format_time", "generate_events", "generate_ground_truth", "write_simulation",
]  # fmt: skip


class Simulation:
    """A planned simulation: ground truth is known before any event is generated."""

    def __init__(self, config: SimulationConfig, calibration: Calibration | None = None) -> None:
        self.config = config
        self.calibration = calibration or load_calibration()
        self.start_ms = round(config.start.timestamp() * 1000)
        self.accounts: tuple[AccountPlan, ...] = tuple(AccountPlanner(config).plan())

    def ground_truth(self) -> list[GroundTruth]:
        """Labels for every planned account, sorted by account_id."""
        return sorted((account.truth for account in self.accounts), key=lambda truth: truth.account_id)

    def events(self) -> Iterator[Event]:
        """All events ordered by event_time (ties broken by stream, then sequence), duplicates included."""
        streams = [
            StreamGenerator(self.config, self.calibration, account, stream).events()
            for account in self.accounts
            for stream in account.streams
        ]
        duplicate_rng = python_rng(self.config.seed, (DUPLICATES,))
        fraction = self.config.duplicate_fraction
        for _, _, _, event in heapq.merge(*streams):
            yield event
            if fraction and duplicate_rng.random() < fraction:
                yield dict(event)


def generate_events(config: SimulationConfig) -> Iterator[Event]:
    """Convenience: the event stream of Simulation(config)."""
    return Simulation(config).events()


def generate_ground_truth(config: SimulationConfig) -> list[GroundTruth]:
    return Simulation(config).ground_truth()
