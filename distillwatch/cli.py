"""The `distillwatch` console script: a thin dispatcher to each subcommand's module."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from distillwatch.errors import USAGE_EXIT_STATUS, UsageError


@dataclass(frozen=True)
class Subcommand:
    """A subcommand's module is imported only when that subcommand is chosen: `distillwatch simulate` does not load
    Beam, skops and scikit-learn for `detect`, and `distillwatch --help` loads none of them."""

    help: str
    module: str
    add_arguments: str = "add_arguments"
    run: str = "run"

    def function(self, name: str) -> Any:
        return getattr(importlib.import_module(self.module), name)


SUBCOMMANDS: dict[str, Subcommand] = {
    "detect": Subcommand("run the detection pipeline (extra args go to Beam)", "distillwatch.detect"),
    "simulate": Subcommand("write simulated benign + extraction traffic (JSONL)", "simulator.cli"),
    "train": Subcommand("train the extraction-risk classifier from simulated traffic", "models.train"),
    "evaluate": Subcommand("evaluate the classifier and baselines, write the report", "models.evaluate"),
    "query": Subcommand(
        "run a saved query or view from distillwatch/sql/ on DuckDB or BigQuery",
        "distillwatch.queries.cli",
        add_arguments="add_query_arguments",
        run="run_query",
    ),
    "demo": Subcommand("live demo: simulated traffic -> Pub/Sub emulator -> streaming pipeline", "devtools.demo"),
    "feedback": Subcommand("record an analyst verdict on an alert, account or campaign", "distillwatch.feedback"),
    "suppress": Subcommand("suppress an entity's alerts until a date (still scored)", "distillwatch.suppress"),
}


def build_parser(with_options: Collection[str] = SUBCOMMANDS.keys()) -> argparse.ArgumentParser:
    """Every subcommand, with the options of those in `with_options` (the others by name and help only)."""
    parser = argparse.ArgumentParser(prog="distillwatch", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, subcommand in SUBCOMMANDS.items():
        command = commands.add_parser(name, help=subcommand.help)
        if name in with_options:
            subcommand.function(subcommand.add_arguments)(command)
    return parser


def _chosen_command(argv: list[str]) -> str | None:
    # The top-level parser has no option taking a value, so the first word that is not an option names the command.
    return next((word for word in argv if not word.startswith("-")), None)


def _drop_memory_probe_warning(record: logging.LogRecord) -> bool:
    # Beam 2.77 RunInference warns on every batch when torch is absent (its memory probe imports it).
    return not record.getMessage().startswith("Resource module is not available")


def _is_path_error(error: OSError) -> bool:
    """An OS error about a path the user named (a missing directory, no permission), not a bug."""
    path_errors = (FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError, NotADirectoryError)
    return isinstance(error, path_errors) and error.filename is not None


def main(argv: list[str] | None = None) -> int:
    """Runs one subcommand. A user's mistake ends in one line on stderr and exit status 2; a bug keeps its traceback."""
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(with_options={_chosen_command(argv)} & SUBCOMMANDS.keys())
    args, beam_args = parser.parse_known_args(argv)
    try:
        return _dispatch(parser, args, beam_args)
    except UsageError as error:
        print(f"distillwatch {args.command}: {error}", file=sys.stderr)
    except OSError as error:
        if not _is_path_error(error):
            raise
        print(f"distillwatch {args.command}: {error.strerror}: {error.filename}", file=sys.stderr)
    except Exception as error:
        if not _is_model_refusal(error):
            raise
        print(f"distillwatch {args.command}: {error}", file=sys.stderr)
    return USAGE_EXIT_STATUS


def _is_model_refusal(error: Exception) -> bool:
    """A --model artifact that does not verify (tampered, of another feature spec): the user points at another."""
    # Imported here: the module loads Beam's filesystems and skops, which `distillwatch --help` does not need.
    from pipelines.artifact import ModelIntegrityError

    return isinstance(error, ModelIntegrityError)


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace, beam_args: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apache_beam").setLevel(logging.WARNING)
    logging.getLogger().addFilter(_drop_memory_probe_warning)
    run = SUBCOMMANDS[args.command].function(SUBCOMMANDS[args.command].run)
    if args.command == "detect":
        return run(args, beam_args)
    if beam_args:
        parser.error(f"unrecognized arguments: {' '.join(beam_args)}")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
