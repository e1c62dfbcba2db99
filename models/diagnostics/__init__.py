"""Development diagnostics of the training data and the model; never imported by serving or `distillwatch`."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def command_line(module: str, argv: Sequence[str] | None) -> str:
    """How a diagnostic was run, for its report: `python -m <module>` and its arguments."""
    return " ".join(["python -m " + module, *(sys.argv[1:] if argv is None else argv)])
