"""Flex Template entry point (FLEX_TEMPLATE_PYTHON_PY_FILE): submits `distillwatch detect` with the template's
parameters and returns without waiting, as a Flex Template launcher must; the job then runs on Dataflow."""

from __future__ import annotations

import sys

from distillwatch.cli import build_parser
from distillwatch.detect import submit
from distillwatch.errors import USAGE_EXIT_STATUS, UsageError


def main(argv: list[str]) -> int:
    args, beam_args = build_parser().parse_known_args(["detect", *argv])
    try:
        submit(args, beam_args)
    except UsageError as error:
        print(f"distillwatch detect: {error}", file=sys.stderr)
        return USAGE_EXIT_STATUS
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
