"""Entry point kept for `python -m models.evaluate` and `distillwatch.cli`; the code is in `models.evaluation`."""

from __future__ import annotations

import argparse
import logging

from models.evaluation.cli import add_arguments, run
from models.evaluation.config import REPORT_DIR

__all__ = ["REPORT_DIR", "add_arguments", "run"]

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    raise SystemExit(run(parser.parse_args()))
