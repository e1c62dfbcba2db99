"""A streaming detection run from a Pub/Sub (emulator) subscription into DuckDB that reports what it has written.

Run as a subprocess by `test_restart.py`, so it can be killed like a crashed worker:

    PUBSUB_EMULATOR_HOST=127.0.0.1:PORT python -m tests.reliability.streaming_run SUBSCRIPTION STORE MANIFEST

The real graph (`build_pipeline`, streaming, BundleBasedDirectRunner) runs until killed. Every half second this
process prints one JSON line read back from its own store (the same DuckDB instance the sink writes through):
{"dead_letter": [payload, ...], "windows": [[account_id, window_end_epoch, request_count], ...]}.
"""

from __future__ import annotations

import json
import sys
import time

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.config import AlertPolicyConfig, DetectConfig, ModelConfig, WindowConfig
from pipelines.pipeline import build_pipeline
from pipelines.sinks.duckdb_sink import open_store

WINDOW = WindowConfig(size_s=60, period_s=60, allowed_lateness_s=900)


def main() -> int:
    subscription, store, manifest = sys.argv[1:4]
    open_store(store).close()
    config = DetectConfig(
        input=subscription,
        output=store,
        streaming=True,
        window=WINDOW,
        # A floor of one request: every window is written (below the alert floor none is, request_floor.py).
        alerts=AlertPolicyConfig(min_requests=1),
        model=ModelConfig(manifest),
    )
    options = PipelineOptions(flags=[], runner="BundleBasedDirectRunner", streaming=True)
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, config)
    pipeline.run()
    print(json.dumps({"started": True}), flush=True)
    with open_store(store) as connection:
        while True:
            dead = [row[0] for row in connection.execute("select payload from dead_letter order by all").fetchall()]
            windows = connection.execute(
                "select account_id, epoch(window_end), max(request_count) from account_scores group by all"
            ).fetchall()
            print(json.dumps({"dead_letter": dead, "windows": [list(w) for w in windows]}), flush=True)
            time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
