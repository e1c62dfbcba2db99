"""`distillwatch simulate` (also `python -m simulator`): write simulated events and their labels."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from simulator.generator import DEFAULT_START, Simulation, SimulationConfig, SimulationSummary, write_simulation

_DEFAULTS = SimulationConfig()


def _utc_time(text: str) -> dt.datetime:
    """Parses an RFC 3339 / ISO 8601 time; a naive time is taken as UTC."""
    try:
        instant = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an RFC 3339 time: {text!r}") from error
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def default_labels_path(events_path: Path) -> Path:
    """events.jsonl[.gz] -> events.labels.jsonl in the same directory."""
    name = events_path.name
    for suffix in (".jsonl.gz", ".jsonl", ".gz"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return events_path.with_name(f"{name}.labels.jsonl")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output", type=Path, default=Path("events.jsonl"), help="events file, JSON lines; .gz compresses"
    )
    parser.add_argument(
        "--labels", type=Path, default=None, help="ground-truth file (default: <output stem>.labels.jsonl beside it)"
    )
    parser.add_argument("--seed", type=int, default=_DEFAULTS.seed)
    parser.add_argument("--accounts", type=int, default=_DEFAULTS.accounts)
    parser.add_argument("--hours", type=float, default=_DEFAULTS.duration_hours, help="simulated duration")
    parser.add_argument(
        "--start", type=_utc_time, default=DEFAULT_START, help="simulation start, RFC 3339 (default %(default)s)"
    )
    parser.add_argument("--extraction-fraction", type=float, default=_DEFAULTS.extraction_fraction)
    parser.add_argument(
        "--campaign-sizes",
        type=int,
        nargs="*",
        default=list(_DEFAULTS.campaign_sizes),
        help="accounts in each coordinated campaign (they count toward the extraction fraction)",
    )
    parser.add_argument(
        "--cohort-sizes",
        type=int,
        nargs="*",
        default=list(_DEFAULTS.cohort_sizes),
        help="accounts in each benign cohort (one SSO company, a class, one SDK, one agency card)",
    )
    parser.add_argument("--rate-scale", type=float, default=_DEFAULTS.rate_scale, help="multiplies all rates")
    parser.add_argument(
        "--held-out-variants", action="store_true", help="generate the held-out archetype variants (evaluation)"
    )
    parser.add_argument(
        "--duplicate-fraction",
        type=float,
        default=_DEFAULTS.duplicate_fraction,
        help="share of events delivered twice with the same event_id",
    )


def config_from_args(args: argparse.Namespace) -> SimulationConfig:
    return SimulationConfig(
        seed=args.seed,
        start=args.start,
        duration_hours=args.hours,
        accounts=args.accounts,
        extraction_fraction=args.extraction_fraction,
        campaign_sizes=tuple(args.campaign_sizes),
        cohort_sizes=tuple(args.cohort_sizes),
        rate_scale=args.rate_scale,
        held_out_variants=args.held_out_variants,
        duplicate_fraction=args.duplicate_fraction,
    )


def describe(summary: SimulationSummary, config: SimulationConfig, events_path: Path, labels_path: Path) -> str:
    accounts = sum(summary.accounts_by_archetype.values())
    mix = ", ".join(f"{name} {count}" for name, count in summary.accounts_by_archetype.items())
    duplicates = f" (including {summary.duplicates:,} duplicates)" if summary.duplicates else ""
    variants = "held-out" if config.held_out_variants else "training"
    campaigns = f"{summary.campaigns} campaign" + ("" if summary.campaigns == 1 else "s")
    return (
        f"Simulated {summary.events:,} events{duplicates} from {accounts} accounts "
        f"({summary.extraction_accounts} extraction, {campaigns}; {variants} variants) "
        f"between {summary.first_event_time} and {summary.last_event_time}, seed {config.seed}. "
        f"Accounts per archetype: {mix}. Events: {events_path}; labels: {labels_path}."
    )


def run(args: argparse.Namespace) -> int:
    try:
        config = config_from_args(args)
    except ValueError as error:
        print(f"simulate: {error}", file=sys.stderr)
        return 2
    labels_path: Path = args.labels or default_labels_path(args.output)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    labels_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    summary = write_simulation(Simulation(config), args.output, labels_path)
    print(f"{describe(summary, config, args.output, labels_path)} ({time.perf_counter() - started:.1f} s)")
    return 0
