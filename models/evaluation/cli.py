"""`distillwatch evaluate`: arguments and dispatch to the chosen protocol."""

from __future__ import annotations

import argparse
from pathlib import Path

from models.evaluation.aggregate import headline
from models.evaluation.config import REPORT_DIR, EvaluationConfig
from models.evaluation.standard import evaluate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = EvaluationConfig()
    parser.add_argument("--model", type=Path, default=defaults.manifest_path, help="model manifest.json")
    parser.add_argument("--held-out-seeds", type=int, nargs="+", default=list(defaults.held_out_seeds))
    parser.add_argument("--variant-seeds", type=int, nargs="+", default=list(defaults.variant_seeds))
    parser.add_argument("--accounts", type=int, default=defaults.accounts, help="accounts per seed")
    parser.add_argument("--hours", type=float, default=defaults.hours, help="simulated hours per seed")
    parser.add_argument("--workers", type=int, default=defaults.workers, help="simulation processes")
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=None,
        help=f"default: {defaults.report_dir} for the shipped model, else report/ beside the manifest",
    )
    parser.add_argument(
        "--no-update-manifest",
        dest="update_manifest",
        action="store_false",
        help="do not record the headline metrics in the manifest",
    )


def run(args: argparse.Namespace) -> int:
    # Evaluating another artifact must not overwrite the shipped model's report.
    shipped = args.model.resolve() == EvaluationConfig().manifest_path.resolve()
    report_dir = args.report_dir or (REPORT_DIR if shipped else args.model.parent / "report")
    config = EvaluationConfig(
        manifest_path=args.model,
        held_out_seeds=tuple(args.held_out_seeds),
        variant_seeds=tuple(args.variant_seeds),
        accounts=args.accounts,
        hours=args.hours,
        workers=args.workers,
        report_dir=report_dir,
        update_manifest=args.update_manifest,
    )
    for result in evaluate(config):
        print(f"{result.eval_set.name}: {headline(result)}")
    print(f"wrote {config.report_dir / 'REPORT.md'}")
    return 0
