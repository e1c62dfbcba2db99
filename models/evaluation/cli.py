"""`distillwatch evaluate`: arguments, and dispatch to the chosen protocol.

`--protocol standard` (the default) writes REPORT.md and records its headline in the manifest;
`--protocol lofo` writes LOFO.md and `--protocol perturbation` PERTURBATION.md; neither touches the manifest.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from models.evaluation.aggregate import headline
from models.evaluation.config import REPORT_DIR, EvaluationConfig
from models.evaluation.families import headline as family_headline
from models.evaluation.lofo import LofoConfig, run_lofo
from models.evaluation.lofo_report import write_lofo_report
from models.evaluation.perturbation import PerturbationConfig, run_sweep
from models.evaluation.perturbation_report import write_perturbation_report
from models.evaluation.standard import evaluate

PROTOCOLS = ("standard", "lofo", "perturbation")


# Option types for what sizes a run: zero or less would simulate nothing (and divide by it) instead of failing
# clearly, so argparse refuses it with the option's name.
def positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value:g}")
    return value


def probability(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be within [0, 1], got {value:g}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults, lofo, sweep = EvaluationConfig(), LofoConfig(), PerturbationConfig()
    parser.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default="standard",
        help="standard: held-out seeds and variants (REPORT.md, manifest metrics); "
        "lofo: leave-one-family-out, one model trained per family (LOFO.md); "
        "perturbation: extraction families' secondary behaviour moved toward benign values (PERTURBATION.md)",
    )
    parser.add_argument("--model", type=Path, default=defaults.manifest_path, help="model manifest.json")
    parser.add_argument("--held-out-seeds", type=int, nargs="+", default=list(defaults.held_out_seeds))
    parser.add_argument("--variant-seeds", type=int, nargs="+", default=list(defaults.variant_seeds))
    parser.add_argument(
        "--perturbation-hours", type=positive_float, default=sweep.hours, help="hours per perturbation run"
    )
    parser.add_argument("--lofo-seeds", type=int, nargs="+", default=list(lofo.eval_seeds), help="lofo evaluation")
    parser.add_argument(
        "--families", nargs="+", default=None, help="lofo: leave out only these families (default: every one)"
    )
    parser.add_argument("--accounts", type=positive_int, default=defaults.accounts, help="accounts per seed (standard)")
    parser.add_argument(
        "--hours", type=positive_float, default=defaults.hours, help="simulated hours per evaluation seed"
    )
    parser.add_argument(
        "--scale",
        type=positive_float,
        default=lofo.scale,
        help=f"lofo: multiplies training accounts per seed and the {lofo.eval_accounts} evaluation accounts per seed; "
        f"perturbation: the {sweep.accounts} accounts per family and strength and the {sweep.benign_accounts} benign",
    )
    parser.add_argument("--workers", type=positive_int, default=defaults.workers, help="processes")
    parser.add_argument(
        "--alert-threshold",
        type=probability,
        default=None,
        help="override the manifest's alert threshold (alert_policy)",
    )
    parser.add_argument(
        "--trace-rows", type=positive_int, default=None, help="standard: replay only the first rows of each real trace"
    )
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


def command(protocol: str, config: LofoConfig | PerturbationConfig, *options: str) -> str:
    """The command that reproduces a run, written into its report."""
    words = ["distillwatch", "evaluate", "--protocol", protocol, "--scale", f"{config.scale:g}", *options]
    words += ["--workers", str(config.workers)]
    if config.alert_threshold is not None:
        words += ["--alert-threshold", f"{config.alert_threshold:g}"]
    if config.manifest_path.resolve() != EvaluationConfig().manifest_path.resolve():
        words += ["--model", str(config.manifest_path)]
    return shlex.join(words)


def run(args: argparse.Namespace) -> int:
    # Evaluating another artifact must not overwrite the shipped model's report.
    shipped = args.model.resolve() == EvaluationConfig().manifest_path.resolve()
    report_dir = args.report_dir or (REPORT_DIR if shipped else args.model.parent / "report")
    if args.protocol == "lofo":
        return run_lofo_protocol(args, report_dir)
    if args.protocol == "perturbation":
        return run_perturbation_protocol(args, report_dir)
    config = EvaluationConfig(
        manifest_path=args.model,
        held_out_seeds=tuple(args.held_out_seeds),
        variant_seeds=tuple(args.variant_seeds),
        accounts=args.accounts,
        hours=args.hours,
        workers=args.workers,
        report_dir=report_dir,
        update_manifest=args.update_manifest,
        trace_rows=args.trace_rows,
        alert_threshold=args.alert_threshold,
    )
    for result in evaluate(config):
        print(f"{result.eval_set.name}: {headline(result)}")
    print(f"wrote {config.report_dir / 'REPORT.md'}")
    return 0


def run_lofo_protocol(args: argparse.Namespace, report_dir: Path) -> int:
    config = LofoConfig(
        manifest_path=args.model,
        eval_seeds=tuple(args.lofo_seeds),
        hours=args.hours,
        scale=args.scale,
        workers=args.workers,
        report_dir=report_dir,
        families=tuple(args.families) if args.families else None,
        alert_threshold=args.alert_threshold,
    )
    result = run_lofo(config)
    for name, summary in family_headline([fold.result for fold in result.folds]).items():
        print(f"{name}: worst {summary.worst:.3f} ({summary.worst_family}), mean {summary.mean:.3f}")
    options = ["--hours", f"{config.hours:g}", "--lofo-seeds", *map(str, config.eval_seeds)]
    if config.families:
        options += ["--families", *config.families]
    print(f"wrote {write_lofo_report(result, command('lofo', config, *options))} in {result.seconds / 60:.1f} min")
    return 0


def run_perturbation_protocol(args: argparse.Namespace, report_dir: Path) -> int:
    config = PerturbationConfig(
        manifest_path=args.model,
        hours=args.perturbation_hours,
        scale=args.scale,
        workers=args.workers,
        report_dir=report_dir,
        alert_threshold=args.alert_threshold,
    )
    result = run_sweep(config)
    for point in result.points:
        print(f"{point.family} @ {point.strength:g}: {point.alerted}/{point.accounts} alerted")
    path = write_perturbation_report(
        result, command("perturbation", config, "--perturbation-hours", f"{config.hours:g}")
    )
    print(f"wrote {path} in {result.seconds / 60:.1f} min")
    return 0
