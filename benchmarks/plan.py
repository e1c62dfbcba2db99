"""The benchmark plan: input sizes of the full and quick modes, the reference workload, the sweeps."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.workload import Workload
from pipelines.config import WindowConfig

SPAN_S = 4 * 3600
EVENTS_PER_ACCOUNT_HOUR = 100  # the simulator's default traffic is ~100 requests per account-hour
DEFAULT_WINDOW = WindowConfig()


@dataclass(frozen=True)
class Plan:
    """Input sizes of one benchmark mode."""

    headline_events: tuple[int, ...]
    events_sweep: tuple[int, ...]
    accounts_sweep: tuple[int, ...]
    accounts_sweep_events: int
    accounts_session_s: int  # accounts sweep: each account is active in one session this long
    accounts_window: tuple[int, int]  # accounts sweep (size_s, period_s)
    density_sweep: tuple[int, ...]  # events from the reference accounts: more events, same windows
    ratio_sweep: tuple[tuple[int, int], ...]  # (size_s, period_s)
    batch_sweep: tuple[int, ...]
    sweep_events: int  # ratio and batch sweeps


# Sized to finish in about an hour on a loaded 2-core machine (Beam: ~1,000 events/s per worker). The
# events sweep reuses the headline runs; sweeps at 100k events reuse the headline's 100k reference run.
FULL = Plan(
    headline_events=(100_000, 1_000_000),
    events_sweep=(100_000, 1_000_000),
    accounts_sweep=(1_000, 10_000, 100_000),
    accounts_sweep_events=100_000,
    accounts_session_s=600,
    # Tumbling 5-minute windows: with 1 h / 5 min sliding windows every active account costs >= 12
    # windows, and 100k accounts (1.3M windows) would take Beam over an hour on its own.
    accounts_window=(300, 300),
    density_sweep=(100_000, 300_000),
    ratio_sweep=((900, 300), (3600, 300), (14400, 300)),
    batch_sweep=(32, 256, 2048),
    sweep_events=100_000,
)
QUICK = Plan(
    headline_events=(4_000,),
    events_sweep=(2_000, 4_000),
    accounts_sweep=(10, 40),
    accounts_sweep_events=4_000,
    accounts_session_s=0,  # the first point is then the headline's input
    accounts_window=(DEFAULT_WINDOW.size_s, DEFAULT_WINDOW.period_s),
    density_sweep=(4_000, 8_000),
    ratio_sweep=((900, 300), (3600, 300)),
    batch_sweep=(256, 2048),
    sweep_events=4_000,
)


def reference_workload(events: int) -> Workload:
    """The simulator's traffic density (~100 requests per account-hour) over 4 h: windows per event
    stay the same whatever the size, so cost per event should too."""
    return Workload(events, max(1, events // (EVENTS_PER_ACCOUNT_HOUR * SPAN_S // 3600)), SPAN_S)


SWEEPS: dict[str, tuple[str, str]] = {
    # name: (x-axis label, what it varies), in the order they run
    "events": ("events", "events, at ~100 events per account-hour over 4 h (accounts = events / 400)"),
    "accounts": (
        "accounts",
        "accounts, at a fixed event count (full mode: each account active in one 10-minute session,"
        " 5-minute tumbling windows)",
    ),
    "density": (
        "events",
        "events from a fixed set of accounts (the first headline input's): same windows, more events",
    ),
    "window_ratio": ("window size / period", "window size and period (panes per window), reference workload"),
    "batch_size": ("inference batch size", "RunInference max batch size (and the baseline's), reference workload"),
}
