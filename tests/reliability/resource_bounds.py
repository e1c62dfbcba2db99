"""Peak memory of the detection graph for one very busy account and for very many accounts.

    python -m tests.reliability.resource_bounds single-account:1000000 [--stage windows|full] [--manifest M]
    python -m tests.reliability.resource_bounds many-accounts:1000000 [--stage windows|full] [--manifest M]

Several SCENARIO:N runs may follow each other in one process (the test does, to pay for start-up once). The peak
(ru_maxrss) reported after each run is the process's peak so far: run them in increasing order of need and
compare consecutive peaks; for a scenario's absolute figure, run it alone.

Events are generated inside the pipeline (a FlatMap over a few seeds), never materialised by the source, so the
memory measured is the graph's own. Stages:
- `windows`: UsageEvent -> WindowPerAccount -> ComputeFeatures (the per-account accumulator path);
- `full`: raw JSON records -> the whole `build_detection` graph (parse, dedup, windows, features, scoring,
  alert policy), outputs counted instead of written.
`single-account`: N events of one account inside one hour (every window it is in covers up to N events).
`many-accounts`: one event for each of N accounts (window size = period, so one window per account).
Prints two JSON lines per run: {"windows": count}, then scenario, n, stage, seconds, rss_before_run_mb, peak_rss_mb.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from collections.abc import Iterator

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.config import AlertPolicyConfig, DetectConfig, ModelConfig, WindowConfig
from pipelines.contract import Client, Params, Prompt, UsageEvent, encode_event

T0 = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
SEEDS = 64  # generator tasks; events per task = n / SEEDS


def current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def make_event(scenario: str, n: int, total: int) -> UsageEvent:
    if scenario == "single-account":
        account, offset = "busy-1", 3600 * n / total  # all inside [T0, T0 + 1h)
    else:
        account, offset = f"acct-{n}", n % 3600
    return UsageEvent(
        event_id=f"{account}/{n}",
        event_time=T0 + dt.timedelta(seconds=offset),
        account_id=account,
        api_key_id=f"key-{n % 5}",
        model="frontier-1",
        endpoint="chat.completions",
        status_code=200,
        prompt_tokens=50 + n % 100,
        completion_tokens=500 + n % 400,
        params=Params(temperature=0.0, max_tokens=1024, logprobs=True, top_logprobs=5),
        client=Client(ip=f"10.{n % 7}.{n % 11}.{n % 13}", user_agent="crawler/1.0"),
        prompt=Prompt(text=f"Q{n}: answer step by step about item {n % 1000} of the catalogue"),
    )


def generate(seed: int, scenario: str, total: int, raw: bool) -> Iterator[object]:
    for n in range(seed, total, SEEDS):
        event = make_event(scenario, n, total)
        if raw:
            yield "generated", encode_event(event)
        else:
            yield beam.window.TimestampedValue(event, event.timestamp)


def build(pipeline: beam.Pipeline, scenario: str, total: int, stage: str, manifest: str | None) -> beam.PCollection:
    window = WindowConfig() if scenario == "single-account" else WindowConfig(size_s=300, period_s=300)
    seeds = pipeline | "Seeds" >> beam.Create(range(SEEDS))
    if stage == "windows":
        from pipelines.pipeline import ComputeFeatures
        from pipelines.windowing import WindowPerAccount

        events = seeds | "Generate" >> beam.FlatMap(generate, scenario, total, False)
        windows = events | WindowPerAccount(window, streaming=False) | beam.ParDo(ComputeFeatures())
        return windows | "Unwindow" >> beam.WindowInto(beam.window.GlobalWindows())
    from pipelines.pipeline import build_detection

    raw = seeds | "Generate" >> beam.FlatMap(generate, scenario, total, True)
    config = DetectConfig(
        input="generated",
        output="unused",
        window=window,
        alerts=AlertPolicyConfig(),
        model=ModelConfig(manifest or ModelConfig.manifest_path),
    )
    return build_detection(raw, config).account_scores


def run_one(scenario: str, n: int, stage: str, manifest: str | None) -> dict:
    options = PipelineOptions(flags=[], runner="FnApiRunner", direct_num_workers=1)
    pipeline = beam.Pipeline(options=options)
    windows = build(pipeline, scenario, n, stage, manifest)
    counted = windows | "Count" >> beam.combiners.Count.Globally()
    # The embedded FnApiRunner runs in this process: the count is printed to our stdout.
    counted | "Report" >> beam.Map(lambda count: print(json.dumps({"windows": count}), flush=True))
    before = current_rss_mb()
    started = time.perf_counter()
    pipeline.run().wait_until_finish()
    return {
        "scenario": scenario,
        "n": n,
        "stage": stage,
        "seconds": round(time.perf_counter() - started, 1),
        "rss_before_run_mb": round(before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", metavar="SCENARIO:N", help="single-account:N or many-accounts:N")
    parser.add_argument("--stage", choices=["windows", "full"], default="windows")
    parser.add_argument("--manifest", default=None, help="model manifest for --stage full (default: shipped)")
    args = parser.parse_args()
    for spec in args.runs:
        scenario, _, n = spec.partition(":")
        if scenario not in ("single-account", "many-accounts") or not n.isdigit():
            parser.error(f"expected single-account:N or many-accounts:N, got {spec!r}")
        print(json.dumps(run_one(scenario, int(n), args.stage, args.manifest)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
