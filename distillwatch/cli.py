"""The `distillwatch` console script: a thin dispatcher to each subcommand's module."""

from __future__ import annotations

import argparse
import logging
import sys

from devtools import demo as demo_command
from distillwatch import detect as detect_command
from distillwatch.errors import USAGE_EXIT_STATUS, UsageError
from distillwatch.queries import cli as query_command
from models import evaluate as evaluate_command
from models import train as train_command
from simulator import cli as simulate_command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="distillwatch", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    detect = commands.add_parser("detect", help="run the detection pipeline (extra args go to Beam)")
    detect_command.add_arguments(detect)
    simulate = commands.add_parser("simulate", help="write simulated benign + extraction traffic (JSONL)")
    simulate_command.add_arguments(simulate)
    train = commands.add_parser("train", help="train the extraction-risk classifier from simulated traffic")
    train_command.add_arguments(train)
    evaluate = commands.add_parser("evaluate", help="evaluate the classifier and baselines, write the report")
    evaluate_command.add_arguments(evaluate)
    query = commands.add_parser("query", help="run a saved query or view from distillwatch/sql/ on DuckDB or BigQuery")
    query_command.add_query_arguments(query)
    demo = commands.add_parser("demo", help="live demo: simulated traffic -> Pub/Sub emulator -> streaming pipeline")
    demo_command.add_arguments(demo)
    return parser


def _drop_memory_probe_warning(record: logging.LogRecord) -> bool:
    # Beam 2.77 RunInference warns on every batch when torch is absent (its memory probe imports it).
    return not record.getMessage().startswith("Resource module is not available")


def _is_path_error(error: OSError) -> bool:
    """An OS error about a path the user named (a missing directory, no permission), not a bug."""
    path_errors = (FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError, NotADirectoryError)
    return isinstance(error, path_errors) and error.filename is not None


def main(argv: list[str] | None = None) -> int:
    """Runs one subcommand. A user's mistake ends in one line on stderr and exit status 2; a bug keeps its traceback."""
    parser = build_parser()
    args, beam_args = parser.parse_known_args(argv)
    try:
        return _dispatch(parser, args, beam_args)
    except UsageError as error:
        print(f"distillwatch {args.command}: {error}", file=sys.stderr)
    except OSError as error:
        if not _is_path_error(error):
            raise
        print(f"distillwatch {args.command}: {error.strerror}: {error.filename}", file=sys.stderr)
    return USAGE_EXIT_STATUS


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace, beam_args: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apache_beam").setLevel(logging.WARNING)
    logging.getLogger().addFilter(_drop_memory_probe_warning)
    if args.command == "detect":
        return detect_command.run(args, beam_args)
    if beam_args:
        parser.error(f"unrecognized arguments: {' '.join(beam_args)}")
    handlers = {
        "simulate": simulate_command.run,
        "train": train_command.run,
        "evaluate": evaluate_command.run,
        "query": query_command.run_query,
        "demo": demo_command.run,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
