"""Development diagnostics of the training data and the model; never imported by serving or `distillwatch`."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path


def command_line(module: str, argv: Sequence[str] | None) -> str:
    """How a diagnostic was run, for its report: `python -m <module>` and its arguments."""
    return " ".join(["python -m " + module, *(sys.argv[1:] if argv is None else argv)])


def write_report(path: Path, text: str, started: float | None = None) -> int:
    """Writes a diagnostic's report, says where (and in how long, from `started`), and returns the exit code."""
    path.write_text(text)
    took = f" in {time.perf_counter() - started:.0f} s" if started is not None else ""
    print(f"wrote {path}{took}")
    return 0
