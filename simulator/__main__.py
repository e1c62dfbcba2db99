"""`python -m simulator`: the same as `distillwatch simulate`."""

import argparse
import sys

from simulator.cli import add_arguments, run


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator", description="Simulate LLM API traffic with labels.")
    add_arguments(parser)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
