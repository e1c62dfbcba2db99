"""`python -m benchmarks.run`: throughput, stage split, scaling curves and memory of the detection pipeline.

Writes `benchmarks/RESULTS.md` (tables, machine, method) and `benchmarks/*.png` (scaling curves).
Every configuration runs in its own subprocess (`benchmarks/measure.py`); this process samples the
subprocess tree's resident memory and CPU time from /proc while it runs. `--quick` runs small inputs
(a check that everything works end to end, not a measurement).

`--code-root DIR` measures the pipeline code of another checkout (its `pipelines/` and `models/` come
first on the path of the measured processes and their SDK workers), e.g. a clean clone of HEAD while
the working tree is being edited; every measured process reports where it imported `pipelines` from.
`--events 100000` runs the headline at those event counts only (a quick re-check of one size).
The report and results.json are rewritten after the headline and after each sweep, so an interrupted
run leaves its finished part.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, replace
from pathlib import Path

from benchmarks.measured import REPO, code_version, machine, throwaway_model
from benchmarks.plan import FULL, QUICK, reference_workload
from benchmarks.report import plot, write_report
from benchmarks.sweeps import BASELINE, BEAM_1, BEAM_2, Bench, Results, run_sweeps
from pipelines.config import DEFAULT_MODEL_MANIFEST


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny inputs: a smoke test of the whole benchmark")
    parser.add_argument("--model", type=Path, default=None, help="model manifest (default: the repo's artifact)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/distillwatch-bench"), help="inputs and stores")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="where reports go")
    parser.add_argument("--code-root", type=Path, default=REPO, help="checkout whose pipeline code is measured")
    parser.add_argument("--sections", default="headline,events,accounts,density,window_ratio,batch_size")
    parser.add_argument("--events", default="", help="headline event counts, comma-separated (default: the plan's)")
    parser.add_argument("--sweep-workers", type=int, default=1, help="Beam workers in the sweeps (full mode)")
    args = parser.parse_args(argv)

    plan = QUICK if args.quick else FULL
    if args.events:
        plan = replace(plan, headline_events=tuple(int(n) for n in args.events.split(",")))
    sections = set(args.sections.split(","))
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = args.model or Path(DEFAULT_MODEL_MANIFEST)
    if not manifest.exists():
        print(f"no model at {manifest}: training a throwaway one (inference will be cheaper than the real model's)")
        manifest = throwaway_model(args.workdir / "throwaway-model", args.workdir / "events")
    results = Results(plan, args.quick, machine(), str(manifest), code_version(args.code_root.resolve()))
    bench = Bench(args.workdir, manifest, args.code_root.resolve())
    if "headline" in sections:
        print("end to end", flush=True)
        for events in plan.headline_events:
            for engine in (BASELINE, BEAM_1, BEAM_2):
                results.headline.append(bench.measure(engine, reference_workload(events)))
        save(results, args.out)
    # Quick mode only checks the plumbing: its sweeps run the fast baseline, two runs at a time (the
    # headline checks Beam). A measurement runs one configuration at a time.
    sweep_engine = BEAM_2 if args.sweep_workers == 2 else BEAM_1
    engines = (BASELINE,) if args.quick else (BASELINE, sweep_engine)
    run_sweeps(bench, plan, engines, results, sections, 2 if args.quick else 1, lambda: save(results, args.out))
    return 0


def save(results: Results, out: Path) -> None:
    """Writes the report, the plots and results.json for what has been measured so far."""
    report = write_report(results, out)
    images = plot(results, out)
    (out / ("results_quick.json" if results.quick else "results.json")).write_text(
        json.dumps([asdict(m) for m in results.headline] + [asdict(m) for p in results.sweeps.values() for _, m in p],
                   indent=1, default=str)
    )  # fmt: skip
    print(f"wrote {report} and {', '.join(p.name for p in images)}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
