"""What gets pickled during a batch replay: objects by type, with counts and bytes.

`python -m benchmarks.pickles --events 30000 --mix sparse` runs one replay in this process (`distillwatch detect`'s
graph on the in-memory FnApiRunner, as `benchmarks.measure` runs it). While it runs, every `pickle.dumps` call is
counted by the type of the object it is handed, looking one level into tuples, lists and dicts, and the most
pickled types are printed. Most of these calls come from Beam's coder falling back to pickle for a type it has no
coder for; the rest are the graph's own packing (`pipelines/window_blocks.py`). A type pickled once per event or
per shared token is a candidate for plain values or a coder of its own. That is how the campaign stage's shared
tokens and profiles, and the block grouping's panes, were found.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.measure import RunSpec, measure
from benchmarks.plan import reference_workload
from benchmarks.sparse import SPARSE_REQUESTS_PER_HOUR, workload
from benchmarks.workload import cached_events
from pipelines.config import DEFAULT_MODEL_MANIFEST


def type_name(value: Any, depth: int = 0) -> str:
    """`SharedToken(Token(str,str),int,float)`, `dict[int:WindowAccumulator]`: the type, one level into containers."""
    name = type(value).__name__
    if depth >= 2:
        return name
    if isinstance(value, tuple | list) and value:
        return f"{name}({','.join(type_name(item, depth + 1) for item in value[:3])})"
    if isinstance(value, dict) and value:
        key, item = next(iter(value.items()))
        return f"dict[{type_name(key, depth + 1)}:{type_name(item, depth + 1)}]"
    return name


@dataclass
class PickleCounts:
    calls: Counter[str] = field(default_factory=Counter)
    bytes: Counter[str] = field(default_factory=Counter)

    def add(self, value: Any, encoded: bytes) -> None:
        name = type_name(value)
        self.calls[name] += 1
        self.bytes[name] += len(encoded)

    def table(self, top: int) -> str:
        rows = [f"{'calls':>9} {'bytes/call':>10}  type"]
        rows += [f"{n:>9,} {self.bytes[name] / n:>10,.0f}  {name}" for name, n in self.calls.most_common(top)]
        return "\n".join(rows)


@contextmanager
def counting_pickles() -> Iterator[PickleCounts]:
    """Counts `pickle.dumps` calls while active. Beam's PickleCoder looks `pickle.dumps` up when its coder impl is
    made, which is at run time: a pipeline run inside the block is counted."""
    counts, original = PickleCounts(), pickle.dumps

    def dumps(value: Any, *args: Any, **kwargs: Any) -> bytes:
        encoded = original(value, *args, **kwargs)
        counts.add(value, encoded)
        return encoded

    pickle.dumps = dumps
    try:
        yield counts
    finally:
        pickle.dumps = original


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--mix", choices=("dense", "sparse"), default="sparse", help="benchmarks.run's or .sparse's")
    parser.add_argument("--model", default=DEFAULT_MODEL_MANIFEST)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/distillwatch-bench"))
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    load = workload(args.events, SPARSE_REQUESTS_PER_HOUR) if args.mix == "sparse" else reference_workload(args.events)
    args.workdir.mkdir(parents=True, exist_ok=True)
    spec = RunSpec(
        engine="beam",
        input=str(cached_events(load, args.workdir)),
        manifest=args.model,
        output=str(args.workdir / "pickles.duckdb"),
    )
    with counting_pickles() as counts:
        result = measure(spec)
    print(f"{args.mix} mix, {result.events:,} events, {result.seconds:.1f} s: {sum(counts.calls.values()):,} pickles")
    print(counts.table(args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
